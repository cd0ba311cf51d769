// The repo's themes pass gscan, the validator Ghost itself runs when it loads a theme, at the
// Ghost version the stacks deploy (./../sandbox/ghost: Node 22 is a test tool, like the newer
// Docker builds). A theme gscan refuses fails `npm test` with gscan's own report.
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { themeFolders } from "../../config/themes";
import { ghostVersion, gscan } from "../sandbox/ghost/ghost";

const ghostMajor = ghostVersion.split(".")[0];

it.each(Object.entries(themeFolders()))("the %s theme is compatible with Ghost's checks: no error, no warning", (_name, folder) => {
    const { status, report } = gscan(folder);
    expect(report).toContain(`Your theme is compatible with Ghost ${ghostMajor}.x`);
    expect(status).toBe(0);
});

it("fails a theme gscan refuses, with gscan's report", () => {
    const broken = mkdtempSync(join(tmpdir(), "theme-"));
    try {
        cpSync(themeFolders().site, broken, { recursive: true });
        rmSync(join(broken, "post.hbs")); // Ghost cannot render a post without it
        const { status, report } = gscan(broken);
        expect(status).toBe(1);
        expect(report).toMatch(/post\.hbs/);
        expect(report).toContain("Errors");
    } finally {
        rmSync(broken, { recursive: true, force: true });
    }
});
