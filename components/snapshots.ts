import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { HostScript } from "../render/shell";
import { DropletHost, hostCommand } from "./hostCommand";

export interface SnapshotsArgs {
    readonly host: DropletHost;
    readonly dataVolumeId: pulumi.Input<string>;
    /** One consistent pair (droplet + data volume) per name, taken once. */
    readonly names: readonly string[];
    /** Dumps the database to the volume and flushes it (render/backups.ts). */
    readonly prepare: HostScript;
}

/** Ids of one named snapshot pair. */
export interface SnapshotIds {
    readonly droplet: string;
    readonly dataVolume: string;
}

/**
 * Named snapshots of the droplet and of its data volume (a droplet snapshot does not include
 * attached volumes), taken once, after a database dump, when the site is up (give this component a
 * dependency on the apps). They are retained on delete: replacing the droplet or destroying the
 * stack would otherwise delete them with it (terraform-provider-digitalocean#372). For a pair of a
 * later moment, add a name.
 */
export class Snapshots extends pulumi.ComponentResource {
    /** Snapshot ids by name. */
    public readonly ids: pulumi.Output<Record<string, SnapshotIds>>;

    constructor(name: string, args: SnapshotsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:host:Snapshots", name, {}, opts);
        const stack = pulumi.getStack();
        const pairs = args.names.map((snapshotName) => {
            const prepared = hostCommand(
                `${name}-${snapshotName}-prepare`,
                { host: args.host, script: args.prepare },
                { parent: this, after: opts?.dependsOn },
            );
            const after = { parent: this, retainOnDelete: true, dependsOn: [prepared] };
            // Taken once: a new droplet or a restored volume leaves the pair as it was (a pair of its
            // time), where replacing one half would pair a new droplet with old data.
            const droplet = new digitalocean.DropletSnapshot(
                `${name}-${snapshotName}`,
                { dropletId: args.host.id, name: `${stack}-${snapshotName}` },
                { ...after, ignoreChanges: ["dropletId"] },
            );
            const volume = new digitalocean.VolumeSnapshot(
                `${name}-${snapshotName}-data`,
                { volumeId: args.dataVolumeId, name: `${stack}-${snapshotName}-data`, tags: ["site", stack] },
                { ...after, ignoreChanges: ["volumeId"] },
            );
            return pulumi
                .all([droplet.id, volume.id])
                .apply(([dropletId, volumeId]) => [snapshotName, { droplet: dropletId, dataVolume: volumeId }] as const);
        });
        this.ids = pulumi.all(pairs).apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ ids: this.ids });
    }
}
