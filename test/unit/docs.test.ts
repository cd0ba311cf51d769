// The README and docs/ stay true to the code: the config reference is what scripts/configReference.ts
// renders from Pulumi.yaml, it names every key and secret the program knows, the README names each
// Cloudflare token's permissions as the one list does, every relative link leads somewhere, and the
// README stays short enough to read.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { parse } from "yaml";
import { acmeTokenPermissions, deployTokenPermissions } from "../../config/cloudflarePermissions";
import { knownKeys, project, secretNames, secretSources } from "../../config/schema";
import { renderConfigReference, undeclaredSecretDescriptions } from "../../scripts/configReference";
import { repoRoot } from "../harness/fixtures";

const read = (path: string) => readFileSync(join(repoRoot, path), "utf8");
const readme = read("README.md");
const configDoc = read("docs/config.md");
const pages = ["README.md", ...readdirSync(join(repoRoot, "docs")).flatMap((file) => (file.endsWith(".md") ? [`docs/${file}`] : []))];

/** Markdown without its code: fenced blocks and inline code spans, where a `[x](y)` is not a link. */
const withoutCode = (markdown: string): string =>
    markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/(`+)[^`][\s\S]*?\1/g, "");

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchors(markdown: string): Set<string> {
    const seen = new Map<string, number>();
    const result = new Set<string>();
    const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
    for (const [, heading] of text.matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
        const base = heading
            .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        result.add(count === 0 ? base : `${base}-${count}`);
    }
    return result;
}

/** Every relative link of a page (in the repository, at `file`) that leads nowhere: no file, or no such heading. */
function brokenLinks(markdown: string, file: string, readPage: (path: string) => string | undefined): string[] {
    const targets = [
        ...[...withoutCode(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
        ...[...withoutCode(markdown).matchAll(/^\s*\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]),
    ];
    const broken: string[] = [];
    for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and the like
        const [path, anchor] = target.split("#");
        const resolved = path === "" ? file : relative(repoRoot, resolve(repoRoot, dirname(file), decodeURI(path)));
        if (resolved.startsWith("..")) {
            broken.push(`${file}: ${target} leads out of the repository`);
            continue;
        }
        const page = path === "" ? markdown : readPage(resolved);
        if (page === undefined) broken.push(`${file}: ${target} leads to ${resolved}, which does not exist`);
        else if (anchor && resolved.endsWith(".md") && !anchors(page).has(anchor))
            broken.push(`${file}: ${target} names a heading ${resolved} does not have (#${anchor})`);
    }
    return broken;
}

/** A page's text; a folder is "" (it exists, and has no headings), a missing path undefined. */
const readRepoPath = (path: string): string | undefined => {
    const full = join(repoRoot, path);
    if (!existsSync(full)) return undefined;
    return statSync(full).isDirectory() ? "" : readFileSync(full, "utf8");
};

describe("docs/config.md", () => {
    it("is what npm run docs renders from Pulumi.yaml", () => {
        const rendered = renderConfigReference(read("Pulumi.yaml")).split("\n");
        const lines = configDoc.split("\n");
        const first = rendered.findIndex((line, i) => line !== lines[i]);
        if (first !== -1 || lines.length !== rendered.length) {
            const at = first === -1 ? rendered.length : first;
            throw new Error(
                `docs/config.md is not what Pulumi.yaml and config/schema.ts give: run npm run docs\n` +
                    `line ${at + 1} is:\n  ${lines[at] ?? "(no line)"}\nand would be:\n  ${rendered[at] ?? "(no line)"}`,
            );
        }
    });

    it("names every config key the program knows and every secret", () => {
        const keys = [...knownKeys.map((key) => `${project}:${key}`), ...secretNames.map((name) => secretSources[name].key)];
        expect(keys.length).toBeGreaterThan(30);
        const missing = keys.filter((key) => !configDoc.includes(`| \`${key}\` |`));
        expect(missing).toEqual([]);
    });

    it("has a description for every secret, from Pulumi.yaml or from scripts/configReference.ts, never both", () => {
        const declared = (parse(read("Pulumi.yaml")) as { config: Record<string, { description?: string }> }).config;
        const sources = secretNames.map((name) => {
            const key = secretSources[name].key;
            const inYaml = key.startsWith(`${project}:`) && declared[key.slice(project.length + 1)]?.description !== undefined;
            return [name, Number(inYaml) + Number(undeclaredSecretDescriptions[name] !== undefined)];
        });
        expect(sources).toEqual(secretNames.map((name) => [name, 1]));
        expect(() => renderConfigReference(read("Pulumi.yaml").replace(/^ {2}smtpPassword:$/m, "  smtpPasswordGone:"))).toThrow(
            /site:smtpPassword is neither declared in Pulumi.yaml nor described/,
        );
    });
});

describe("README.md", () => {
    it("names each Cloudflare token's permissions exactly as config/cloudflarePermissions.ts does, on its first screen", () => {
        const firstScreen = readme.split("\n").slice(0, 50).join("\n");
        const missing = [...deployTokenPermissions, ...acmeTokenPermissions]
            .map(({ name }) => name)
            .filter((name) => !firstScreen.includes(name));
        expect(deployTokenPermissions.length + acmeTokenPermissions.length).toBeGreaterThan(0);
        expect(missing).toEqual([]);
    });

    it("stays under 160 lines: the deep material lives in docs/", () => {
        const lines = readme.replace(/\n$/, "").split("\n").length;
        expect(lines).toBeLessThan(160);
    });
});

describe("links between the README and docs/", () => {
    it.each(pages)("every relative link in %s leads to a file (and heading) that exists", (page) => {
        expect(brokenLinks(read(page), page, readRepoPath)).toEqual([]);
    });

    it("finds links at all, and would report a missing file, a missing heading and a way out", () => {
        const linked = pages.flatMap((page) => [...withoutCode(read(page)).matchAll(/\]\((?!https?:)[^)]+\)/g)]);
        expect(linked.length).toBeGreaterThan(10);
        const page = [
            "# Top",
            "[ok](docs/operations.md#backups-and-restore) [self](#top) `[code](nowhere.md)`",
            "[gone](docs/nowhere.md) [no heading](docs/operations.md#no-such-heading) [out](../../etc/passwd)",
        ].join("\n");
        expect(brokenLinks(page, "README.md", readRepoPath)).toEqual([
            "README.md: docs/nowhere.md leads to docs/nowhere.md, which does not exist",
            "README.md: docs/operations.md#no-such-heading names a heading docs/operations.md does not have (#no-such-heading)",
            "README.md: ../../etc/passwd leads out of the repository",
        ]);
    });
});
