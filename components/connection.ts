import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";

/** How the remote commands reach the droplet: root, with the deploy key. */
export function sshConnection(host: pulumi.Input<string>, privateKey: pulumi.Input<string>): command.types.input.remote.ConnectionArgs {
    return {
        host,
        user: "root",
        privateKey,
        // A new droplet takes a minute or two before sshd answers.
        dialErrorLimit: 40,
    };
}
