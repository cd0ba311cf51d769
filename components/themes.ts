import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { HostScript } from "../render/shell";
import { asRoot, DropletTarget, sshConnection } from "./connection";
import { sha256 } from "./hostSetup";

export interface ThemesArgs {
    readonly droplet: DropletTarget;
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
    constructor(name: string, args: ThemesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:apps:Themes", name, {}, opts);
        const connection = sshConnection(args.droplet);
        const copied = new command.remote.CopyToRemote(
            `${name}-copy`,
            {
                connection,
                source: new pulumi.asset.FileArchive(args.localDir),
                remotePath: args.remoteDir,
                triggers: [args.fingerprint, args.droplet.id],
            },
            // The component's dependsOn does not hold back its children; pass it on.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        new command.remote.Command(
            `${name}-${args.install.name}`,
            { connection, create: asRoot(args.install.script), triggers: [sha256(args.install.script), args.droplet.id, args.fingerprint] },
            { parent: this, dependsOn: [copied] },
        );
        this.registerOutputs({});
    }
}
