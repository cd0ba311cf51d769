// How remote work reaches the droplet: the SSH connection (the admin user, the deploy key, the
// pinned host key), and the one way a component runs a rendered host script there.
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { sha256 } from "../render/hash";
import type { HostScript } from "../render/shell";

/**
 * The droplet that remote work targets. Its id is part of every remote command's triggers and
 * every container's labels: the reserved IP stays the same when the droplet is replaced, so only
 * the id tells Pulumi that the host setup, certificates, themes and containers must be done again
 * on the new machine.
 */
export interface DropletHost {
    readonly address: pulumi.Input<string>;
    /** The admin user Pulumi logs in as (root login is off). */
    readonly user: string;
    readonly privateKey: pulumi.Output<string>;
    /** The droplet's real SSH host key (OpenSSH public key line): every connection is pinned to it. */
    readonly hostKey: pulumi.Input<string>;
    readonly id: pulumi.Input<string>;
}

/** How the remote commands reach the droplet: the admin user, the deploy key, the pinned host key. */
export function sshConnection(host: DropletHost, hostKey: pulumi.Input<string> = host.hostKey): command.types.input.remote.ConnectionArgs {
    return {
        host: host.address,
        user: host.user,
        privateKey: host.privateKey,
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

/**
 * What a command waits for. A component hands its own `dependsOn` to the first command of each
 * chain, because of what @pulumi/pulumi (3.248, pinned) does with a component's dependsOn:
 * - The component's registration awaits it (`prepareResource` in runtime/resource.ts), and every
 *   child awaits its parent's URN before it is registered, so in time the children come after it.
 * - But only the component records the edge. A child's state names its parent, not the component's
 *   dependencies, and the engine follows a parent edge only when asked to include children
 *   (`DependingOn` in pkg/resource/graph/dependency_graph.go); working out what a
 *   delete-before-replace forces to be replaced it does not (`calculateDependentReplacements` in
 *   pkg/resource/deploy/step_generator.go). A command that must follow a resource names it itself.
 * - Depending *on* a component waits for every custom resource beneath it
 *   (`getAllTransitivelyReferencedResourceURNs` in runtime/dependsOn.ts).
 * Mocks register everything at once, so no test can show timing; the tests assert the edges.
 */
export type After = pulumi.ComponentResourceOptions["dependsOn"];

export interface HostCommandArgs {
    readonly host: DropletHost;
    readonly script: HostScript;
    /** Runs again when any of these changes too, besides the script's text and the droplet. */
    readonly alsoWhen?: readonly pulumi.Input<string>[];
    /** The script's input (a secret stays one). */
    readonly stdin?: pulumi.Input<string>;
    /**
     * Once per droplet: the host key rotation, pinned to the bootstrap key of the user data, which
     * only a new droplet still presents. It runs when the droplet is created; an edit to the script
     * later runs a no-op update, never the script against a droplet that has its real key.
     */
    readonly oncePerDroplet?: { readonly bootstrapHostKey: pulumi.Input<string> };
}

/**
 * A rendered host script run as root on the droplet: again exactly when its text changes (the
 * first trigger is its hash), the droplet is a new one, or one of `alsoWhen` changes.
 */
export function hostCommand(
    name: string,
    args: HostCommandArgs,
    opts: { readonly parent: pulumi.Resource; readonly after: After },
): command.remote.Command {
    const { host, script } = args;
    const once = args.oncePerDroplet;
    return new command.remote.Command(
        name,
        {
            connection: sshConnection(host, once?.bootstrapHostKey),
            create: asRoot(script.script),
            update: once ? "true" : undefined,
            stdin: args.stdin,
            triggers: once ? [host.id] : [sha256(script.script), host.id, ...(args.alsoWhen ?? [])],
        },
        { parent: opts.parent, dependsOn: opts.after },
    );
}
