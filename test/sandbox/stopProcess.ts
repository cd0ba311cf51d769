// Stopping what a sandbox test started, without leaving a timer behind that keeps jest alive.
import type { ChildProcess } from "node:child_process";

/**
 * SIGTERM, up to `graceMs` for the process to exit, then SIGKILL. `group` signals the process
 * group of a child spawned with `detached: true` (the process and everything it started).
 */
export async function stopProcess(child: ChildProcess | undefined, { group = false, graceMs = 5000 } = {}): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const signal = (name: NodeJS.Signals) => (group ? process.kill(-child.pid!, name) : child.kill(name));
    const exited = new Promise((done) => child.once("exit", done));
    let timer: NodeJS.Timeout | undefined;
    signal("SIGTERM");
    await Promise.race([exited, new Promise((done) => (timer = setTimeout(done, graceMs)))]);
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) signal("SIGKILL");
}
