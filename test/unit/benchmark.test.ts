// `npm run benchmark` works as a user runs it (through tsx, not jest's module loader) and leaves
// nothing behind in the checkout: a script no test runs breaks unseen.
import { join } from "node:path";
import { repoRoot } from "../harness/fixtures";
import { run } from "../tools";

it("prints the program's evaluation time, the render time and the resources a prod preview creates", () => {
    const result = run(join(repoRoot, "node_modules/.bin/tsx"), ["scripts/benchmark.ts"], { cwd: repoRoot });
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/^program evaluation under mocks .*: \d+ ms$/m);
    expect(result.output).toMatch(/^render of every prod file: [\d.]+ ms per run/m);
    expect(result.output).toMatch(/^ +1 +digitalocean:index\/droplet:Droplet$/m);
});
