import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/**
 * The droplet that remote work targets. Its id is part of every remote command's triggers and
 * every container's labels: the reserved IP stays the same when the droplet is replaced, so only
 * the id tells Pulumi that the host setup, certificates, themes and containers must be done again
 * on the new machine.
 */
export interface DropletTarget {
    readonly host: pulumi.Input<string>;
    readonly privateKey: pulumi.Input<string>;
    readonly id: pulumi.Input<string>;
}

/** How the remote commands reach the droplet: root, with the deploy key. */
export function sshConnection(droplet: DropletTarget): command.types.input.remote.ConnectionArgs {
    return {
        host: droplet.host,
        user: "root",
        privateKey: droplet.privateKey,
        // A new droplet takes a minute or two before sshd answers.
        dialErrorLimit: 40,
    };
}
