import * as pulumi from "@pulumi/pulumi";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DropletHost } from "./hostCommand";

/** How the docker provider reaches an engine: unset fields mean the local one (DOCKER_HOST or its socket). */
export interface DockerEndpoint {
    readonly host?: pulumi.Input<string>;
    readonly sshOpts?: pulumi.Input<string[]>;
}

/**
 * Where the files for the system ssh go: an ignored folder of the project, `.site/<stack>`, under
 * a path that is the same on every run (it is part of the provider's config). SITE_SSH_DIR puts
 * them elsewhere (the tests give each evaluation a temporary folder).
 */
const sshFilesDir = () => process.env.SITE_SSH_DIR ?? join(".site", pulumi.getStack());

/**
 * The docker provider runs the system `ssh` (pulumi-docker#702), which reads its key from a file,
 * readable by the owner only.
 */
function identityFile(privateKey: pulumi.Output<string>): pulumi.Output<string> {
    const dir = sshFilesDir();
    const path = join(dir, "deploy_key");
    return pulumi.unsecret(
        privateKey.apply((key) => {
            mkdirSync(dir, { recursive: true, mode: 0o700 });
            writeFileSync(path, key, { mode: 0o600 });
            chmodSync(path, 0o600);
            return path;
        }),
    );
}

/** The pinned host key, as the system ssh reads it (same folder, same reasoning as the key file). */
function knownHostsFile(host: pulumi.Input<string>, hostKey: pulumi.Input<string>): pulumi.Output<string> {
    const dir = sshFilesDir();
    const path = join(dir, "known_hosts");
    return pulumi.all([host, hostKey]).apply(([address, key]) => {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(path, `${address} ${key.trim()}\n`, { mode: 0o600 });
        return path;
    });
}

/** The droplet's engine over SSH: the admin user, the deploy key, the pinned host key. */
export function dockerOverSsh(host: DropletHost): DockerEndpoint {
    return {
        host: pulumi.interpolate`ssh://${host.user}@${host.address}`,
        sshOpts: pulumi.all([identityFile(host.privateKey), knownHostsFile(host.address, host.hostKey)]).apply(([keyPath, knownHosts]) => [
            "-i",
            keyPath,
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            `UserKnownHostsFile=${knownHosts}`,
            // The droplet's key is known before the first connection: never trust another.
            "-o",
            "StrictHostKeyChecking=yes",
        ]),
    };
}
