// The repo's themes/ folder: Ghost themes live here, under version control, and reach Ghost's
// content volume on `pulumi up` (nobody edits files inside a container).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** The folder, relative to the project (where `pulumi up` runs). */
export const themesDir = "themes";

/** Hash of every file's path and content: changes exactly when a theme changes. */
export function themesFingerprint(dir = themesDir): string {
    const hash = createHash("sha256");
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort();
    for (const file of files)
        hash.update(`${relative(dir, file)}\0`)
            .update(readFileSync(file))
            .update("\0");
    return hash.digest("hex");
}

/** Each theme (a folder of themes/) by name, as an absolute path: what the local target mounts. */
export function themeFolders(dir = themesDir): Record<string, string> {
    return Object.fromEntries(
        readdirSync(dir, { withFileTypes: true })
            .filter((entry) => entry.isDirectory())
            .map((entry) => [entry.name, resolve(dir, entry.name)]),
    );
}
