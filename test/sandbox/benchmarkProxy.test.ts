// `npm run benchmark:proxy` works as a user runs it: a short run through the real nginx, in its
// own namespaces, with figures printed and nothing left running. Needs root and wrk.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../harness/fixtures";
import { run } from "../tools";

it("measures the ceiling, the cached and the uncached Ghost page through the real nginx, and leaves nothing behind", () => {
    const namespaces = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    const before = namespaces();
    const result = run(
        "env",
        ["BENCHMARK_SECONDS=1", "BENCHMARK_ROUNDS=2", join(repoRoot, "node_modules/.bin/tsx"), "scripts/benchmark-proxy.ts"],
        { cwd: repoRoot },
    );
    expect(result.output).toMatch(/median of 2 rounds; a \d+-byte page with \d+ bytes of headers/);
    expect(result.output).toMatch(
        /^ceiling: +\d+ requests\/s, p99 [\d.]+ ms \(a bare `return 200` of the same response on the same nginx\)$/m,
    );
    expect(result.output).toMatch(/^cached: +\d+ requests\/s, p99 [\d.]+ ms$/m);
    expect(result.output).toMatch(/^uncached: +\d+ requests\/s, p99 [\d.]+ ms \(Ghost answered \d+ requests in all\)$/m);
    expect(result.output).toMatch(/^ratio: +cached\/ceiling [\d.]+ \(rounds: [\d.]+ [\d.]+\); cached\/uncached \d+x$/m);
    expect(result.status).toBe(0);
    expect(namespaces()).toBe(before);
}, 180_000);
