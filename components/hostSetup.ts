import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { HostScript } from "../render/shell";
import { DropletTarget, sshConnection } from "./connection";

export interface HostSetupArgs {
    readonly droplet: DropletTarget;
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
        let previous: command.remote.Command | undefined;
        for (const { name: scriptName, script } of args.scripts) {
            previous = new command.remote.Command(
                `${name}-${scriptName}`,
                { connection, create: script, triggers: [sha256(script), args.droplet.id] },
                // The first script also waits for what the component waits for (its dependsOn does
                // not hold back its children).
                { parent: this, dependsOn: previous ? [previous] : opts?.dependsOn },
            );
        }
        this.registerOutputs({});
    }
}
