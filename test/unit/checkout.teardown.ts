// Unit project, after every suite: the unit tests write only to temporary folders, never into the
// checkout (a deploy key under .site/, a rendered folder, a stray log). Anything created or changed
// in it while they ran fails the run, by name.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { stampVariable } from "./checkout.setup";

export default function checkCheckout(): void {
    const stamp = process.env[stampVariable]!;
    const root = resolve(__dirname, "../..");
    try {
        const written = execFileSync(
            "find",
            [root, "(", "-path", `${root}/node_modules`, "-o", "-path", `${root}/.git`, ")", "-prune", "-o", "-newer", stamp, "-print"],
            {
                encoding: "utf8",
            },
        )
            .split("\n")
            .filter((path) => path !== "" && path !== root);
        if (written.length > 0)
            throw new Error(`the unit tests wrote into the checkout; write to a temporary folder instead:\n  ${written.join("\n  ")}`);
    } finally {
        rmSync(dirname(stamp), { recursive: true, force: true });
    }
}
