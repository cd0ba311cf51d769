import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

export interface SnapshotsArgs {
    readonly dropletId: pulumi.Input<string>;
    /** One snapshot per name, taken once; removing a name from config forgets it but keeps it. */
    readonly names: readonly string[];
}

/**
 * Named droplet snapshots, taken only once the site is up (give this component a dependency on
 * the apps). They are retained on delete: replacing the droplet or destroying the stack would
 * otherwise delete them with it (terraform-provider-digitalocean#372).
 */
export class Snapshots extends pulumi.ComponentResource {
    /** Snapshot id by name. */
    public readonly ids: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: SnapshotsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:host:Snapshots", name, {}, opts);
        const stack = pulumi.getStack();
        const snapshots = args.names.map(
            (snapshotName) =>
                new digitalocean.DropletSnapshot(
                    `${name}-${snapshotName}`,
                    { dropletId: args.dropletId, name: `${stack}-${snapshotName}` },
                    // The component's dependsOn does not hold back its children; pass it on.
                    { parent: this, retainOnDelete: true, dependsOn: opts?.dependsOn },
                ),
        );
        this.ids = pulumi
            .all(snapshots.map((s) => s.id))
            .apply((ids) => Object.fromEntries(args.names.map((snapshotName, i) => [snapshotName, ids[i]])));
        this.registerOutputs({ ids: this.ids });
    }
}
