// Every npm script is proven, or npm test fails: a script nobody runs breaks unseen. The table has
// one row per script of package.json saying how: run here to completion through npm, as a user
// runs it; run to its message where a tool it needs cannot be had here; or run by CI's own
// command, .ci/run, where it needs root. A script without a row fails, and so does a row whose
// script is gone. Scripts run into temporary folders only.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { evaluate } from "../harness/evaluate";
import { repoRoot } from "../harness/fixtures";

const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const ciRun = readFileSync(join(repoRoot, ".ci/run"), "utf8");

/** npm's own entry point: the one running these tests, else the one beside this node. */
const npmCli = [process.env.npm_execpath, join(dirname(process.execPath), "../lib/node_modules/npm/bin/npm-cli.js")].find(
    (path) => path?.endsWith("npm-cli.js") && existsSync(path),
)!;

/** `npm run <name> -- <args>` in `cwd` (the repository unless given), with its exit status and output. */
function npmRun(
    name: string,
    args: readonly string[] = [],
    options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, [npmCli, "run", name, ...(args.length > 0 ? ["--", ...args] : [])], {
        cwd: options.cwd ?? repoRoot,
        env: options.env ?? process.env,
        encoding: "utf8",
        timeout: 120_000,
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}${result.error ? String(result.error) : ""}` };
}

let scratch: string;
beforeAll(() => (scratch = mkdtempSync(join(tmpdir(), "npm-scripts-"))));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs here and must succeed; `check` then looks at what it printed. */
const runs =
    (args: readonly string[], check: (output: string) => void | Promise<void>) =>
    async (name: string): Promise<void> => {
        const result = npmRun(name, args);
        expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.any(String) });
        await check(result.output);
    };

/**
 * `npm run local` and `local:down` without the Pulumi CLI or a Docker engine (nothing can start
 * containers here): the message naming what to install, a failure status, nothing created. PATH
 * holds node and sh alone, so no pulumi or docker on this machine changes the outcome.
 */
const stopsAtMissingTools = (name: string): void => {
    const bin = join(scratch, `${name.replace(":", "-")}-bin`);
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "node"));
    symlinkSync(realpathSync("/bin/sh"), join(bin, "sh")); // npm runs scripts with sh, by name
    const home = join(scratch, `${name.replace(":", "-")}-home`);
    const result = npmRun(name, [], { env: { ...process.env, PATH: bin, SITE_LOCAL_DIR: home } });
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/Cannot run the site locally, nothing was changed/);
    expect(result.output).toMatch(/the Pulumi CLI is not installed: see https:\/\/www\.pulumi\.com\/docs\/install\//);
    expect(result.output).toMatch(/no Docker engine answers: install Docker Desktop .* or Docker Engine/);
    expect(existsSync(home)).toBe(false);
    expect(existsSync(join(repoRoot, ".site/local/project"))).toBe(false);
};

/** Needs root (namespaces, iptables, dockerd): .ci/run runs it after npm test. */
const runByCi = (command: string) => (): void => {
    expect(ciRun.split("\n")).toContain(command);
};

interface Row {
    /** How the script is proven, for whoever reads a failure. */
    readonly how: string;
    readonly prove: (name: string) => void | Promise<void>;
}

const proofs: Record<string, Row> = {
    build: {
        how: "runs here: tsc over every file tsconfig.json includes",
        prove: runs([], () => undefined),
    },
    test: {
        // Running it here would run this file inside itself.
        how: "run by .ci/run (npm test), and by each workflow job that tests (./workflows.test.ts)",
        prove: runByCi("npm test"),
    },
    render: {
        how: "runs here, into a temporary folder: every prod file and its manifest",
        prove: async (name) => {
            const out = join(scratch, "render/prod");
            await runs(["--stack", "prod", "--out", out], (output) => expect(output).toMatch(/^rendered \d+ files for stack prod into /m))(
                name,
            );
            for (const file of [".site-render.json", "cloud-init.yaml", "nginx/nginx.conf"])
                expect([file, existsSync(join(out, file))]).toEqual([file, true]);
        },
    },
    benchmark: {
        how: "runs here: its figures, and the stack outputs the harness took from the program under tsx, the same as under jest",
        prove: runs([], async (output) => {
            expect(output).toMatch(/^program evaluation under mocks .*: \d+ ms$/m);
            expect(output).toMatch(/^render of every prod file: [\d.]+ ms per run/m);
            expect(output).toMatch(/^ +1 +digitalocean:index\/droplet:Droplet$/m);
            // tsx hands the program over differently from jest's loader; the harness must take the same outputs.
            const underJest = Object.keys((await evaluate({ stack: "prod" })).outputs);
            expect(underJest.length).toBeGreaterThan(0);
            expect(/^stack outputs: (.*)$/m.exec(output)?.[1]).toBe(underJest.join(", "));
        }),
    },
    "test:sandbox": {
        how: "run by .ci/run as root (network namespaces, dockerd, nginx, sshd)",
        prove: runByCi("npm run test:sandbox"),
    },
    "benchmark:proxy": {
        how: "run by the sandbox project (test/sandbox/benchmarkProxy.test.ts: the script's own command, for one second per figure), which .ci/run runs as root",
        prove: () => {
            runByCi("npm run test:sandbox")();
            const [runner, file] = scripts["benchmark:proxy"].split(" ");
            expect(runner).toBe("tsx");
            expect(readFileSync(join(repoRoot, "test/sandbox/benchmarkProxy.test.ts"), "utf8")).toContain(`"${file}"`);
        },
    },
    local: {
        how: "runs here to its message: no Pulumi CLI and no Docker engine, so it names what to install and changes nothing",
        prove: stopsAtMissingTools,
    },
    "local:down": {
        how: "runs here to its message, as npm run local",
        prove: stopsAtMissingTools,
    },
    format: {
        // It rewrites files, so not on the checkout: the same script, from a copy of package.json
        // and the tools' settings, on a scratch project with one file Prettier must reformat and one
        // ESLint must fix. This proves the command line (both tools found, flags they accept, the
        // configs loading); that the checkout itself is formatted is npm test's --check.
        how: "runs here on a scratch copy of the project's settings, with a file to reformat and one to fix",
        prove: (name) => {
            const project = join(scratch, "format");
            mkdirSync(join(project, "config"), { recursive: true });
            for (const file of ["package.json", "tsconfig.json", ".prettierrc.json", ".prettierignore", "eslint.config.mjs"]) {
                copyFileSync(join(repoRoot, file), join(project, file));
            }
            symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"));
            writeFileSync(join(project, "index.ts"), "export const   spaced = {a:1};\n");
            writeFileSync(join(project, "config/fixable.ts"), "let kept = 1;\nexport const value = kept;\n");
            const result = npmRun(name, [], { cwd: project });
            expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.any(String) });
            expect(readFileSync(join(project, "index.ts"), "utf8")).toBe("export const spaced = { a: 1 };\n");
            expect(readFileSync(join(project, "config/fixable.ts"), "utf8")).toBe("const kept = 1;\nexport const value = kept;\n");
        },
    },
    docs: {
        how: "runs here, into a temporary file: the config reference it writes is docs/config.md as committed",
        prove: async (name) => {
            const out = join(scratch, "config.md");
            await runs(["--out", out], (output) => expect(output).toMatch(/^wrote the config reference to /m))(name);
            expect(readFileSync(out, "utf8")).toBe(readFileSync(join(repoRoot, "docs/config.md"), "utf8"));
        },
    },
    check: {
        how: "runs here, offline: the example prod stack stops at its placeholders and missing secrets, the local stack passes",
        prove: async (name) => {
            const prod = npmRun(name, ["--stack", "prod"]);
            expect(prod.status).toBe(1);
            expect(prod.output).toMatch(/^BLOCKER site:domain: still the example's value/m);
            expect(prod.output).toMatch(/^prod: \d+ blockers, \d+ warnings? \(offline checks only/m);
            await runs(["--stack", "local"], (output) => expect(output).toMatch(/^local: 0 blockers, 0 warnings/m))(name);
        },
    },
};

it("has a row for every script", () => {
    const missing = Object.keys(scripts)
        .filter((name) => !(name in proofs))
        .map((name) => `every script is proven; add a row for ${name}`);
    expect(missing).toEqual([]);
});

it("has no row for a script that is gone", () => {
    const stale = Object.entries(proofs)
        .filter(([name]) => !(name in scripts))
        .map(([name]) => `the script ${name} is gone; remove its row`);
    expect(stale).toEqual([]);
});

describe.each(Object.entries(proofs))("npm run %s", (name, row) => {
    if (!(name in scripts)) return; // reported above
    it(row.how, async () => await row.prove(name), 180_000);
});
