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
    /** The admin user Pulumi logs in as (root login is off). */
    readonly user: string;
    readonly privateKey: pulumi.Input<string>;
    /** The droplet's real SSH host key (OpenSSH public key line): every connection is pinned to it. */
    readonly hostKey: pulumi.Input<string>;
    readonly id: pulumi.Input<string>;
}

/** How the remote commands reach the droplet: the admin user, the deploy key, the pinned host key. */
export function sshConnection(
    droplet: DropletTarget,
    hostKey: pulumi.Input<string> = droplet.hostKey,
): command.types.input.remote.ConnectionArgs {
    return {
        host: droplet.host,
        user: droplet.user,
        privateKey: droplet.privateKey,
        // Without hostKey the provider accepts any host key (pulumi-command#794).
        hostKey: pulumi.output(hostKey).apply((key) => key.trim()),
        // A new droplet takes a minute or two before sshd answers.
        dialErrorLimit: 40,
    };
}

/**
 * The command line that runs a rendered host script as root: the script goes to a private
 * temporary file (stdin stays free for the script's own input) and runs under sudo.
 */
export function asRoot(script: string): string {
    if (script.includes("\nSITE_SCRIPT_EOF\n")) throw new Error("a host script may not contain the line SITE_SCRIPT_EOF");
    return `set -e
file=$(mktemp)
trap 'rm -f "$file"' EXIT
cat > "$file" <<'SITE_SCRIPT_EOF'
${script}
SITE_SCRIPT_EOF
sudo -n bash "$file"`;
}
