import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { HostScript } from "../render/shell";
import { DropletHost, hostCommand, sshConnection } from "./hostCommand";

export interface ThemesArgs {
    readonly host: DropletHost;
    /** The repo's themes folder. */
    readonly localDir: string;
    /** Its content hash: the copy and the restart run again exactly when it changes. */
    readonly fingerprint: string;
    /** Ghost's content folder on the host; the folder lands in it as `themes/`. */
    readonly remoteDir: string;
    /** Gives the files to Ghost and restarts it (render/themes.ts). */
    readonly install: HostScript;
}

/**
 * Ghost's themes come from the repo: copied to Ghost's content volume and loaded by a restart,
 * only when they change. Give this component a dependency on the apps (Ghost must exist).
 */
export class Themes extends pulumi.ComponentResource {
    /** The content hash of the themes it installs (what runs again when they change). */
    public readonly fingerprint: string;

    constructor(name: string, args: ThemesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:apps:Themes", name, {}, opts);
        this.fingerprint = args.fingerprint;
        const copied = new command.remote.CopyToRemote(
            `${name}-copy`,
            {
                connection: sshConnection(args.host),
                source: new pulumi.asset.FileArchive(args.localDir),
                remotePath: args.remoteDir,
                triggers: [args.fingerprint, args.host.id],
            },
            // The component's dependsOn, named by the child itself (see After in ./hostCommand).
            { parent: this, dependsOn: opts?.dependsOn },
        );
        hostCommand(
            `${name}-${args.install.name}`,
            { host: args.host, script: args.install, alsoWhen: [args.fingerprint] },
            { parent: this, after: [copied] },
        );
        this.registerOutputs({});
    }
}
