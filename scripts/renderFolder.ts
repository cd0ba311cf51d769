// Where `npm run render` may write, and how it replaces an earlier render: it deletes only what it
// wrote itself. Each render leaves a manifest (.site-render.json) listing its files and the folders
// it made for them; the next render into that folder removes exactly those (folders once empty),
// so a file someone added there stays. Anything else is refused before a byte changes: a folder
// with content and no manifest, the repository or a folder holding it, a folder inside `.git`, and
// a manifest naming a path outside its folder.
import {
    chmodSync,
    existsSync,
    lstatSync,
    mkdirSync,
    readdirSync,
    readFileSync,
    realpathSync,
    rmdirSync,
    rmSync,
    writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";
import type { SiteFile } from "../render/siteFiles";

export const manifestName = ".site-render.json";
const suggestion = "choose an empty or new folder such as out/prod";

export interface RenderManifest {
    readonly renderedBy: "npm run render";
    readonly stack: string;
    /** Every file the render wrote, relative to its folder. */
    readonly files: readonly string[];
    /** The folders it made for them, relative to its folder: removed with them once empty. */
    readonly folders: readonly string[];
}

/** A folder render may write into (`previous`: the earlier render there), or why not. */
export type FolderDecision =
    { readonly ok: true; readonly out: string; readonly previous?: RenderManifest } | { readonly ok: false; readonly reason: string };

/** The real path of `path`, which need not exist yet: its nearest existing ancestor's, resolved. */
function realPath(path: string): string {
    const absolute = resolve(path);
    if (existsSync(absolute)) return realpathSync(absolute);
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPath(parent), relative(parent, absolute));
}

/** Whether `inner` is `outer` or inside it (both real, absolute paths). */
const within = (inner: string, outer: string) => {
    const rel = relative(outer, inner);
    return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
};

/** A path relative to the folder, with no way out of it. */
const isPlainRelative = (path: unknown): path is string =>
    typeof path === "string" &&
    path !== "" &&
    !isAbsolute(path) &&
    normalize(path) === path &&
    !path.split(/[\\/]/).some((part) => part === ".." || part === "." || part === ".git") &&
    path !== manifestName;

/** The manifest, or what is wrong with it. */
function asManifest(value: unknown): RenderManifest | string {
    const { renderedBy, stack, files, folders } = (value ?? {}) as Record<string, unknown>;
    const paths = (list: unknown) => (Array.isArray(list) ? (list as unknown[]) : undefined);
    const [fileList, folderList] = [paths(files), paths(folders)];
    if (renderedBy !== "npm run render" || typeof stack !== "string" || !fileList || !folderList) return "is not a render manifest";
    const outside = [...fileList, ...folderList].find((path) => !isPlainRelative(path));
    if (outside !== undefined) return `names ${JSON.stringify(outside)}, which is not a path inside the folder`;
    return { renderedBy, stack, files: fileList as string[], folders: folderList as string[] };
}

/**
 * Decides, without changing anything, whether a render of `paths` may go into `out`: a new or
 * empty folder, or an earlier render's (whose manifest then must name only files inside it).
 */
export function decideFolder(out: string, repoRoot: string, paths: readonly string[]): FolderDecision {
    const absolute = resolve(out);
    const real = realPath(absolute);
    const repo = realpathSync(repoRoot);
    const refuse = (why: string): FolderDecision => ({ ok: false, reason: `Refusing to render into ${absolute}: ${why}` });

    if (within(repo, real)) {
        const what = real === repo ? "it is the repository itself" : `it holds the repository (${repo})`;
        return refuse(`${what}, whose files a render must never replace; ${suggestion}.`);
    }
    if (real.split(sep).includes(".git")) return refuse(`it is inside a git folder (.git); ${suggestion}.`);
    if (!existsSync(real)) return { ok: true, out: absolute };
    if (!lstatSync(real).isDirectory()) return refuse(`it exists and is not a folder; ${suggestion}.`);
    const entries = readdirSync(real);
    if (entries.length === 0) return { ok: true, out: absolute };
    if (!entries.includes(manifestName)) {
        return refuse(`it is not empty and holds no earlier render (no ${manifestName}), so nothing in it may be replaced; ${suggestion}.`);
    }

    let parsed: unknown;
    try {
        parsed = JSON.parse(readFileSync(join(real, manifestName), "utf8"));
    } catch (error) {
        return refuse(`its ${manifestName} cannot be read (${(error as Error).message}); remove the folder yourself or ${suggestion}.`);
    }
    const previous = asManifest(parsed);
    if (typeof previous === "string") {
        return refuse(`its ${manifestName} ${previous}, so npm run render did not write it; nothing was deleted; ${suggestion}.`);
    }

    // Every path a render removes or writes, through whatever links the folder holds, stays inside.
    for (const path of [...previous.files, ...previous.folders, ...paths]) {
        if (!within(realPath(join(real, dirname(path))), real)) return refuse(`${path} leads outside it through a link; ${suggestion}.`);
    }
    for (const file of previous.files) {
        const target = join(real, file);
        if (existsSync(target) && lstatSync(target).isDirectory()) {
            return refuse(`${file}, a file of the earlier render, is now a folder; move it away or ${suggestion}.`);
        }
    }
    // A new file of this render where someone put their own: never overwritten.
    const taken = paths.find((path) => !previous.files.includes(path) && existsSync(join(real, path)));
    if (taken !== undefined) return refuse(`${taken} is there and the earlier render did not write it; move it away or ${suggestion}.`);
    return { ok: true, out: absolute, previous };
}

const ancestors = (path: string): string[] => {
    const folders: string[] = [];
    for (let folder = dirname(path); folder !== "."; folder = dirname(folder)) folders.push(folder);
    return folders;
};

const writeManifest = (out: string, manifest: RenderManifest) =>
    writeFileSync(join(out, manifestName), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o644 });

/**
 * Replaces an earlier render (if any) in a folder decideFolder allowed with `files`. The manifest
 * first lists both renders' files, so an interrupted run leaves nothing the next one cannot remove.
 */
export function writeRender(folder: FolderDecision & { ok: true }, stack: string, files: Readonly<Record<string, SiteFile>>): void {
    const { out, previous } = folder;
    const paths = Object.keys(files).sort();
    mkdirSync(out, { recursive: true });
    const made = new Set(previous?.folders ?? []);
    for (const folderPath of paths.flatMap(ancestors)) if (!existsSync(join(out, folderPath))) made.add(folderPath);
    const oldFiles = previous?.files ?? [];
    writeManifest(out, {
        renderedBy: "npm run render",
        stack,
        files: [...new Set([...oldFiles, ...paths])].sort(),
        folders: [...made].sort(),
    });

    for (const file of oldFiles) rmSync(join(out, file), { force: true });
    // Deepest first, and only once empty: a folder holding someone's file stays.
    for (const folderPath of [...(previous?.folders ?? [])].sort((a, b) => b.split("/").length - a.split("/").length)) {
        const target = join(out, folderPath);
        if (existsSync(target) && readdirSync(target).length === 0) rmdirSync(target);
    }
    for (const path of paths) {
        const target = join(out, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, files[path].content);
        chmodSync(target, files[path].mode);
    }
    writeManifest(out, {
        renderedBy: "npm run render",
        stack,
        files: paths,
        folders: [...made].filter((f) => existsSync(join(out, f))).sort(),
    });
}
