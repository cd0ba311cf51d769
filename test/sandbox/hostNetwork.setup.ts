// Sandbox project, before any suite: what this machine's network looks like untouched.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baselineVariable, hostNetworkState } from "./hostNetwork";

export default function recordHostNetwork(): void {
    const file = join(mkdtempSync(join(tmpdir(), "site-host-network-")), "baseline");
    writeFileSync(file, hostNetworkState());
    process.env[baselineVariable] = file;
}
