import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { HostScript } from "../render/shell";
import { asRoot, DropletTarget, sshConnection } from "./connection";

export interface HostSetupArgs {
    readonly droplet: DropletTarget;
    /**
     * The first script, pinned to the bootstrap host key of the user data: it installs the real
     * host key (its stdin, a secret) that every later connection is pinned to.
     */
    readonly hostKeyRotation: {
        readonly script: HostScript;
        readonly bootstrapHostKey: pulumi.Input<string>;
        readonly hostPrivateKey: pulumi.Output<string>;
    };
    /** Rendered scripts, run in this order. */
    readonly scripts: readonly HostScript[];
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Runs the host scripts over SSH, one after the other. Each script is idempotent and re-runs only
 * when its own text changes (the trigger is its hash) or the droplet is a new one. Resources that need a prepared host
 * depend on this component.
 */
export class HostSetup extends pulumi.ComponentResource {
    constructor(name: string, args: HostSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:host:Setup", name, {}, opts);
        const connection = sshConnection(args.droplet);
        const rotation = args.hostKeyRotation;
        let previous = new command.remote.Command(
            `${name}-${rotation.script.name}`,
            {
                connection: sshConnection(args.droplet, rotation.bootstrapHostKey),
                create: asRoot(rotation.script.script),
                // Only a new droplet still presents the bootstrap key this connection pins: the
                // rotation runs when the droplet is created, and an edit to it later changes
                // nothing on a droplet that already has its real key.
                update: "true",
                stdin: pulumi.secret(rotation.hostPrivateKey),
                triggers: [args.droplet.id],
            },
            // The first command also waits for what the component waits for (its dependsOn does
            // not hold back its children).
            { parent: this, dependsOn: opts?.dependsOn },
        );
        for (const { name: scriptName, script } of args.scripts) {
            previous = new command.remote.Command(
                `${name}-${scriptName}`,
                { connection, create: asRoot(script), triggers: [sha256(script), args.droplet.id] },
                { parent: this, dependsOn: [previous] },
            );
        }
        this.registerOutputs({});
    }
}
