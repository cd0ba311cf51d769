// Unit project, before any suite: a timestamp, so the teardown can find anything the tests wrote
// into the checkout (./checkout.teardown.ts).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const stampVariable = "SITE_UNIT_TESTS_STARTED";

export default function stampStart(): void {
    const stamp = join(mkdtempSync(join(tmpdir(), "site-unit-")), "started");
    writeFileSync(stamp, "");
    process.env[stampVariable] = stamp;
}
