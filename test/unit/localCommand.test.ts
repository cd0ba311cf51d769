// `npm run local` on a machine without the Pulumi CLI or a Docker engine (this one): it names what
// to install and stops before changing anything.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../harness/fixtures";
import { run } from "../tools";

it("says exactly what to install, exits non-zero, and creates nothing", () => {
    const scratch = mkdtempSync(join(tmpdir(), "local-"));
    const home = join(scratch, "site-local");
    const emptyPath = join(scratch, "bin");
    try {
        const tsx = join(repoRoot, "node_modules/tsx/dist/cli.mjs");
        const result = run("env", [`PATH=${emptyPath}`, `SITE_LOCAL_DIR=${home}`, process.execPath, tsx, "scripts/local.ts", "up"], {
            cwd: repoRoot,
        });
        expect(result.status).toBe(1);
        expect(result.output).toMatch(/nothing was changed/);
        expect(result.output).toMatch(/the Pulumi CLI is not installed: see https:\/\/www\.pulumi\.com\/docs\/install\//);
        expect(result.output).toMatch(/no Docker engine answers: install Docker Desktop .* or Docker Engine/);
        expect(existsSync(home)).toBe(false);
    } finally {
        rmSync(scratch, { recursive: true, force: true });
    }
});
