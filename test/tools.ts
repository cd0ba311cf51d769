// Real tools the tests run. A missing tool fails the test with the command that installs it:
// these checks never skip silently.
import { spawnSync } from "node:child_process";

export function requireTool(command: string, debianPackage: string): string {
    const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
    if (found.status !== 0) {
        throw new Error(`${command} is not installed; install it with: apt-get install -y ${debianPackage} (.ci/run does)`);
    }
    return found.stdout.trim();
}

/** Runs a command, returning its exit status and combined output. */
export function run(command: string, args: string[], options: { cwd?: string } = {}): { status: number; output: string } {
    const result = spawnSync(command, args, { encoding: "utf8", cwd: options.cwd });
    return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
