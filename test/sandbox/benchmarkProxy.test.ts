// `npm run benchmark:proxy` works as a user runs it: a short run through the real nginx, in its
// own namespaces, with figures printed and nothing left running. Needs root and wrk.
import { join } from "node:path";
import { repoRoot } from "../harness/fixtures";
import { run } from "../tools";

it("measures the cached and the uncached Ghost page through the real nginx", () => {
    const result = run("env", ["BENCHMARK_SECONDS=1", join(repoRoot, "node_modules/.bin/tsx"), "scripts/benchmark-proxy.ts"], {
        cwd: repoRoot,
    });
    expect(result.output).toMatch(/^cached: +\d+ requests\/s, p99 [\d.]+ ms$/m);
    expect(result.output).toMatch(/^uncached: +\d+ requests\/s, p99 [\d.]+ ms \(Ghost answered \d+ requests in all\)$/m);
    expect(result.status).toBe(0);
}, 120_000);
