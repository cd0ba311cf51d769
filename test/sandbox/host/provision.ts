// What Pulumi and cloud-init do to a sandbox droplet before and during the host setup, shared by the
// firewall suite and the replacement drill.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HostScript } from "../../../render/shell";
import { renderHostKeyScript } from "../../../render/ssh";
import type { Droplet } from "./sandbox";

/**
 * Keys Pulumi makes, on this machine: its deploy key, the bootstrap host key of the user data, and
 * each droplet's own real host key (`host-<droplet>`).
 */
export function makeKeys(dir: string, droplets: readonly string[]): void {
    mkdirSync(dir, { recursive: true });
    for (const key of ["deploy", "bootstrap", ...droplets.map((d) => `host-${d}`)]) {
        execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", join(dir, key)]);
    }
}

/**
 * The droplet as cloud-init leaves it: the admin user with the deploy key, the bootstrap host key,
 * sshd; Docker from the distribution's package with its defaults (running, as the user data's
 * runcmd leaves it).
 */
export function asCloudInitLeavesIt(droplet: Droplet, adminUser: string, keys: string): void {
    droplet.run(`useradd -m -s /bin/bash ${adminUser}
install -d -m 0700 -o ${adminUser} -g ${adminUser} /home/${adminUser}/.ssh
install -m 0600 -o ${adminUser} -g ${adminUser} ${keys}/deploy.pub /home/${adminUser}/.ssh/authorized_keys
rm -f /etc/ssh/ssh_host_*
install -m 0600 ${keys}/bootstrap /etc/ssh/ssh_host_ed25519_key
install -m 0644 ${keys}/bootstrap.pub /etc/ssh/ssh_host_ed25519_key.pub
systemctl start ssh.service
systemctl start docker.service`);
}

/** Writes each script to `dir` as NN-name.sh, as `npm run render` does; returns the paths by name. */
export function writeScripts(dir: string, scripts: readonly HostScript[]): Record<string, string> {
    mkdirSync(dir, { recursive: true });
    return Object.fromEntries(
        scripts.map(({ name, script }) => {
            const path = join(dir, `${name}.sh`);
            writeFileSync(path, script);
            return [name, path];
        }),
    );
}

/** As the HostSetup component does: the host key rotation first (the droplet's real key on stdin), then the scripts in order. */
export function runHostSetup(droplet: Droplet, dir: string, hostKey: string, scripts: readonly HostScript[]): string {
    const paths = writeScripts(dir, [renderHostKeyScript(), ...scripts]);
    const rotation = `bash ${paths[renderHostKeyScript().name]} < ${hostKey}`;
    return droplet.run([rotation, ...scripts.map((s) => `bash ${paths[s.name]}`)].join(" && "), 300_000);
}

/** Runs one script on a droplet (written to `dir`), as a remote command would: its exit status and output. */
export function runScript(droplet: Droplet, dir: string, script: HostScript): { status: number; output: string } {
    const path = writeScripts(dir, [script])[script.name];
    try {
        return { status: 0, output: droplet.run(`bash ${path} 2>&1`, 300_000) };
    } catch (error) {
        const failed = error as { status: number; stdout: string };
        return { status: failed.status, output: failed.stdout };
    }
}
