import * as pulumi from "@pulumi/pulumi";
import type { HostScript } from "../render/shell";
import { DropletHost, hostCommand } from "./hostCommand";

export interface HostSetupArgs {
    readonly host: DropletHost;
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

/**
 * Runs the host scripts over SSH, one after the other: the host key rotation once per droplet,
 * then each script, again whenever its text changes or the droplet is a new one. Resources that
 * need a prepared host depend on this component.
 */
export class HostSetup extends pulumi.ComponentResource {
    constructor(name: string, args: HostSetupArgs, opts?: pulumi.ComponentResourceOptions) {
        // Registered as site:host:Setup until the type token took the class's name.
        super("site:host:HostSetup", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "site:host:Setup" }] }));
        const { host, hostKeyRotation: rotation } = args;
        let previous = hostCommand(
            `${name}-${rotation.script.name}`,
            {
                host,
                script: rotation.script,
                stdin: pulumi.secret(rotation.hostPrivateKey),
                oncePerDroplet: { bootstrapHostKey: rotation.bootstrapHostKey },
            },
            { parent: this, after: opts?.dependsOn },
        );
        for (const script of args.scripts) {
            previous = hostCommand(`${name}-${script.name}`, { host, script }, { parent: this, after: [previous] });
        }
        this.registerOutputs({});
    }
}
