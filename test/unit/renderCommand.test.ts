// `npm run render` deletes nothing it did not write, whatever --out it is given: the script itself
// (through tsx, as npm runs it), into temporary folders only. An earlier render is replaced file by
// file from its manifest; a folder with other content, the repository, a folder holding it and
// anything inside .git are refused before anything changes.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { decideFolder, manifestName } from "../../scripts/renderFolder";
import { repoRoot } from "../harness/fixtures";
import { run } from "../tools";

const render = (stack: string, out: string, cwd = repoRoot) =>
    run(join(repoRoot, "node_modules/.bin/tsx"), [join(repoRoot, "scripts/render.ts"), "--stack", stack, "--out", out], { cwd });

/** Every entry under a folder, a file by its content's hash: what "untouched" compares. */
function snapshot(folder: string): Record<string, string> {
    const entries = readdirSync(folder, { recursive: true }).map(String).sort();
    return Object.fromEntries(
        entries.map((path) => {
            const full = join(folder, path);
            const content = statSync(full).isDirectory() ? "folder" : createHash("sha256").update(readFileSync(full)).digest("hex");
            return [path, content];
        }),
    );
}

const write = (path: string, content: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
};

let scratch: string;
beforeEach(() => (scratch = mkdtempSync(join(tmpdir(), "render-command-"))));
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

/** The repository is as it was: its manifest, its git folder, and no rendered file at its top. */
function expectRepositoryIntact(): void {
    // .git: a folder in a clone, a file in a git worktree; either way it must still be there.
    for (const path of ["package.json", ".git", "index.ts", "Pulumi.prod.yaml"])
        expect([path, existsSync(join(repoRoot, path))]).toEqual([path, true]);
    for (const path of [manifestName, "cloud-init.yaml", "dns.json"]) {
        expect([path, existsSync(join(repoRoot, path))]).toEqual([path, false]);
        expect([path, existsSync(join(dirname(repoRoot), path))]).toEqual([path, false]);
    }
}

it("renders again into its own folder: what left the render set is gone, what the user added stays", () => {
    const out = join(scratch, "site");
    expect(render("prod", out)).toMatchObject({ status: 0 });
    const manifest = JSON.parse(readFileSync(join(out, manifestName), "utf8"));
    expect(manifest).toMatchObject({ renderedBy: "npm run render", stack: "prod" });
    expect(manifest.files).toEqual(expect.arrayContaining(["cloud-init.yaml", "dns.json", "host/10-sysctl.sh", "nginx/nginx.conf"]));
    expect(manifest.folders).toEqual(expect.arrayContaining(["host", "nginx"]));

    // The user's notes, beside the render and inside one of its folders.
    write(join(out, "notes.txt"), "reviewed\n");
    write(join(out, "host/my-extra.sh"), "echo mine\n");
    // The local stack renders no droplet files: cloud-init.yaml, dns.json and host/*.sh leave the set.
    const second = render("local", out);
    expect(second).toMatchObject({ status: 0 });
    expect(second.output).toMatch(/replacing the render of stack prod/);
    expect(readdirSync(out).sort()).toEqual([manifestName, "containers.json", "host", "nginx", "notes.txt"]);
    expect(readdirSync(join(out, "host"))).toEqual(["my-extra.sh"]);
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("reviewed\n");
    expect(JSON.parse(readFileSync(join(out, manifestName), "utf8"))).toMatchObject({
        stack: "local",
        files: expect.not.arrayContaining(["dns.json"]),
    });

    // The user's file gone, the folder the first render made for it goes on the next render.
    rmSync(join(out, "host/my-extra.sh"));
    expect(render("local", out)).toMatchObject({ status: 0 });
    expect(readdirSync(out).sort()).toEqual([manifestName, "containers.json", "nginx", "notes.txt"]);
    // And back to prod: every prod file again, with its mode.
    expect(render("prod", out)).toMatchObject({ status: 0 });
    expect(statSync(join(out, "host/10-sysctl.sh")).mode & 0o777).toBe(0o755);
    expect(existsSync(join(out, "notes.txt"))).toBe(true);
});

it("renders into a new folder, or an empty one", () => {
    expect(render("prod", join(scratch, "new/nested"))).toMatchObject({ status: 0 });
    expect(existsSync(join(scratch, "new/nested/cloud-init.yaml"))).toBe(true);
    mkdirSync(join(scratch, "empty"));
    expect(render("prod", join(scratch, "empty"))).toMatchObject({ status: 0 });
});

it("refuses a folder with content that is not an earlier render, and leaves it untouched", () => {
    const foreign = join(scratch, "photos");
    write(join(foreign, "holiday.jpg"), "not really a photo");
    write(join(foreign, "host/readme.txt"), "a folder named like the render's own");
    write(join(foreign, "dns.json"), "[]");
    const before = snapshot(foreign);
    const result = render("prod", foreign);
    expect(result.status).toBe(1);
    expect(result.output).toContain(`Refusing to render into ${foreign}`);
    expect(result.output).toMatch(/choose an empty or new folder such as out\/prod/);
    expect(snapshot(foreign)).toEqual(before);
});

it("refuses the repository and the folder that holds it, and leaves the repository as it was", () => {
    for (const [out, why] of [
        [".", /it is the repository itself/],
        ["..", /it holds the repository/],
    ] as const) {
        const result = render("prod", out, repoRoot);
        expect(result.status).toBe(1);
        expect(result.output).toMatch(why);
        expect(result.output).toMatch(/choose an empty or new folder such as out\/prod/);
        expectRepositoryIntact();
    }
    // Through a link to it, too: real paths are compared.
    symlinkSync(repoRoot, join(scratch, "checkout"));
    expect(render("prod", join(scratch, "checkout"))).toMatchObject({ status: 1, output: expect.stringMatching(/the repository itself/) });
    expectRepositoryIntact();
    // The file system's root holds it as well (decided, not run).
    expect(decideFolder("/", repoRoot, [])).toMatchObject({ ok: false, reason: expect.stringMatching(/holds the repository/) });
});

it("refuses any folder inside .git", () => {
    const result = render("prod", ".git/x", repoRoot);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/inside a git folder \(\.git\)/);
    expect(existsSync(join(repoRoot, ".git/x"))).toBe(false);
    expectRepositoryIntact();
});

it("refuses a manifest that names a file outside its folder, deleting nothing", () => {
    const out = join(scratch, "site");
    write(join(scratch, "victim.txt"), "keep me");
    write(join(out, manifestName), JSON.stringify({ renderedBy: "npm run render", stack: "prod", files: ["../victim.txt"], folders: [] }));
    const result = render("prod", out);
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/names "\.\.\/victim\.txt", which is not a path inside the folder/);
    expect(readFileSync(join(scratch, "victim.txt"), "utf8")).toBe("keep me");
    expect(readdirSync(out)).toEqual([manifestName]);
});

it("never overwrites a user's file that a new render would write", () => {
    const out = join(scratch, "site");
    expect(render("local", out)).toMatchObject({ status: 0 });
    write(join(out, "dns.json"), "mine");
    expect(render("prod", out)).toMatchObject({
        status: 1,
        output: expect.stringMatching(/dns\.json is there and the earlier render did not write it/),
    });
    expect(readFileSync(join(out, "dns.json"), "utf8")).toBe("mine");
});

it("allows a new folder inside the repository, such as out/prod, which git ignores", () => {
    const inside = join(repoRoot, "out", `never-made-${process.pid}`);
    expect(decideFolder(inside, repoRoot, ["dns.json"])).toEqual({ ok: true, out: inside });
    expect(readFileSync(join(repoRoot, ".gitignore"), "utf8").split("\n")).toContain("/out/");
});

it("keeps the config errors' message and exit status", () => {
    const result = render("nope", join(scratch, "site"));
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/Pulumi\.nope\.yaml/);
    expect(existsSync(join(scratch, "site"))).toBe(false);
});
