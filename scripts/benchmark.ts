// npm run benchmark: figures for the closing notes, never assertions in tests.
// - program evaluation: the whole prod program under Pulumi's mocks (the tests' harness), from
//   import to settled outputs;
// - the resources a prod preview would create, by type;
// - rendering every file of the prod stack;
// - the names of the stack outputs, which the tests compare with the program's under jest.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseSettings } from "../config/schema";
import { readStackFiles } from "../config/stackFiles";
import { renderSiteFiles } from "../render/siteFiles";
import { evaluateInThisRegistry } from "../test/harness/evaluate";

async function main(): Promise<void> {
    // From the project folder, as Pulumi runs a program (it reads its stack files and themes there).
    process.chdir(resolve(__dirname, ".."));
    const renderRuns = 200;
    const settings = parseSettings(readStackFiles("prod").values);
    let started = performance.now();
    for (let i = 0; i < renderRuns; i++) renderSiteFiles(settings);
    const renderMs = (performance.now() - started) / renderRuns;

    // The deploy key the program writes for the system ssh goes to a scratch folder, not .site/.
    const sshFiles = mkdtempSync(join(tmpdir(), "site-benchmark-"));
    process.env.SITE_SSH_DIR = sshFiles;
    started = performance.now();
    const site = await evaluateInThisRegistry({ stack: "prod" });
    const evaluateMs = performance.now() - started;
    rmSync(sshFiles, { recursive: true, force: true });

    const counts = new Map<string, number>();
    for (const { type } of site.resources) counts.set(type, (counts.get(type) ?? 0) + 1);
    console.log(
        `program evaluation under mocks (prod, first run, includes module loading and one bcrypt hash): ${evaluateMs.toFixed(0)} ms`,
    );
    console.log(`render of every prod file: ${renderMs.toFixed(2)} ms per run (${renderRuns} runs)`);
    console.log(`resources a prod preview creates besides the stack (${site.resources.length}):`);
    for (const [type, count] of [...counts].sort()) console.log(`  ${String(count).padStart(2)}  ${type}`);
    // What the harness took from the program as tsx loads it: the stack outputs `pulumi up` prints.
    console.log(`stack outputs: ${Object.keys(site.outputs).join(", ")}`);
}

void main();
