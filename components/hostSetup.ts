import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { HostScript } from "../render/shell";
import { asRoot, DropletHost, hostCommand, sshConnection } from "./hostCommand";

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
    /** The data volume's handover between droplets (render/dataVolume.ts), run last. */
    readonly dataVolumeHandover: {
        readonly release: HostScript;
        readonly resume: HostScript;
        /** The volume's attachment to this droplet: the handover is replaced exactly when it is. */
        readonly attachmentId: pulumi.Input<string>;
        /** The droplet's own address: the release must reach the droplet that holds the volume, wherever the reserved IP points. */
        readonly dropletAddress: pulumi.Input<string>;
    };
}

/**
 * Runs the host scripts over SSH, one after the other: the host key rotation once per droplet,
 * then each script, again whenever its text changes or the droplet is a new one, and last the
 * data volume's handover. Resources that need a prepared host depend on this component.
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
        this.handover(name, args, previous);
        this.registerOutputs({});
    }

    /**
     * The volume leaves a droplet only after a clean release there, and a droplet takes it up with
     * a resume. Why a command, and not a resource hook (`beforeDelete`): its delete runs in the
     * command provider from state, with the connection recorded when it was created (the old
     * droplet's own address and host key), in `pulumi up` and `pulumi destroy` alike; a hook runs
     * on the deployer's machine, needs its own SSH client, makes `destroy` need `--run-program`,
     * and never runs under mocks. Its only trigger is the attachment's id, a property the engine
     * follows: when the attachment is replaced (delete first), the engine replaces this command
     * too and deletes it first, so the release runs before the detach
     * (`calculateDependentReplacements` in pkg/resource/deploy/step_generator.go). A release that
     * fails stops the update there, with the volume still attached. An edit to either script is
     * an update, which runs the resume again (idempotent), never the release.
     */
    private handover(name: string, args: HostSetupArgs, previous: pulumi.Resource): command.remote.Command {
        const { release, resume, attachmentId, dropletAddress } = args.dataVolumeHandover;
        return new command.remote.Command(
            `${name}-${resume.name}`,
            {
                connection: { ...sshConnection(args.host), host: dropletAddress },
                create: asRoot(resume.script),
                delete: asRoot(release.script),
                triggers: [attachmentId],
            },
            { parent: this, dependsOn: [previous] },
        );
    }
}
