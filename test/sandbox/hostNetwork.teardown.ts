// Sandbox project, after every suite and its cleanup: this machine's network as it was before.
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { baselineVariable, expectHostNetworkUnchanged } from "./hostNetwork";

export default function checkHostNetwork(): void {
    const file = process.env[baselineVariable]!;
    try {
        expectHostNetworkUnchanged(readFileSync(file, "utf8"), "after the sandbox suites");
    } finally {
        rmSync(dirname(file), { recursive: true, force: true });
    }
}
