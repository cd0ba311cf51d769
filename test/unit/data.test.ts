// Nothing is lost: data on a protected block storage volume, consistent snapshot pairs that
// outlive their sources, restore from snapshots, themes from the repo. What an update, a
// replacement, a restore or a destroy does step by step is in lifecycle.test.ts.
import { dataRoot } from "../../config/catalogue";
import { evaluate, Evaluation } from "../harness/evaluate";
import { withSnapshot } from "../harness/fixtures";
import { types } from "../harness/resourceTypes";

let baseline: Evaluation;
beforeAll(async () => {
    baseline = await evaluate({ change: withSnapshot });
});

describe("the data volume", () => {
    it("is protected and retained on delete, and depends on nothing of the droplet's", () => {
        const volume = baseline.one(types.volume);
        expect(volume.opts).toMatchObject({ protect: true, retainOnDelete: true });
        expect(volume.inputs).toMatchObject({
            region: "fra1",
            size: 10,
            initialFilesystemType: "ext4",
            initialFilesystemLabel: "site-data",
        });
        expect(volume.dependsOn).toEqual([]);
        expect(Object.values(volume.propertyDependencies).flat()).toEqual([]);
        expect(JSON.stringify(volume.inputs)).not.toMatch(/droplet/i);
        expect(baseline.one(types.volumeAttachment).inputs).toEqual({ dropletId: expect.anything(), volumeId: "site-data-id" });
    });

    it("is mounted by the host setup before anything writes data", () => {
        const mount = baseline.one(types.command, "site-35-data-volume").inputs.create as string;
        expect(mount).toContain("mountpoint=/srv/site/data\n");
        expect(mount).toContain('line="LABEL=site-data $mountpoint ext4 defaults,nofail');
        expect(mount).toContain("RequiresMountsFor=/srv/site/data\n");
        expect(baseline.one(types.command, "site-00-host-key").dependsOn).toEqual([baseline.one(types.volumeAttachment).urn]);
    });

    it("holds every container's data", () => {
        for (const container of baseline.all(types.container)) {
            const volumes = container.inputs.volumes as { hostPath: string }[];
            const data = volumes.filter((v) => v.hostPath !== "/var/run/docker.sock");
            expect([container.name, data.length > 0 && data.every((v) => v.hostPath.startsWith(`${dataRoot}/`))]).toEqual([
                container.name,
                true,
            ]);
        }
    });

    it("keeps the droplet from being replaced by surprise: image, user data and keys changes are ignored without the switch", async () => {
        const droplet = baseline.one(types.droplet);
        expect(droplet.opts.ignoreChanges).toEqual(expect.arrayContaining(["image", "userData", "sshKeys"]));
        expect(droplet.opts.protect).toBe(true);
        const allowed = (await evaluate({ change: (v) => (v.allowDropletReplacement = true) })).one(types.droplet);
        expect(allowed.opts.ignoreChanges).toEqual([]);
        expect(allowed.opts.protect).toBe(false);
    });
});

describe("snapshots", () => {
    it("take a droplet and a volume snapshot per name, after a database dump, once the apps and themes are up", () => {
        const prepare = baseline.one(types.command, "site-after-setup-prepare");
        expect(prepare.inputs.create).toContain("mysqldump --single-transaction");
        expect(prepare.inputs.create).toContain("sync -f /srv/site/data");
        expect(prepare.dependsOn).toEqual([baseline.one(types.apps).urn, baseline.one(types.themes).urn]);
        for (const snapshot of [baseline.one(types.dropletSnapshot), baseline.one(types.volumeSnapshot)]) {
            expect(snapshot.dependsOn).toEqual([prepare.urn]);
            expect(snapshot.opts.retainOnDelete).toBe(true);
        }
        expect(baseline.one(types.volumeSnapshot).inputs.volumeId).toBe("site-data-id");
    });

    it("are stack outputs, by name", () => {
        expect(baseline.outputs.snapshotIds).toEqual({
            "after-setup": { droplet: "site-after-setup-id", dataVolume: "site-after-setup-data-id" },
        });
    });

    it("create nothing when none are configured", async () => {
        const none = await evaluate({ change: (v) => (v.snapshots = []) });
        expect([
            ...none.all(types.dropletSnapshot),
            ...none.all(types.volumeSnapshot),
            ...none.resources.filter((r) => r.name.endsWith("-prepare")),
        ]).toEqual([]);
    });

    it("turn DigitalOcean's weekly backups on when asked", async () => {
        expect(baseline.one(types.droplet).inputs.backups).toBe(false);
        expect((await evaluate({ change: (v) => (v.dropletBackups = true) })).one(types.droplet).inputs.backups).toBe(true);
    });
});

describe("restore", () => {
    it("builds the droplet from a droplet snapshot and the data volume from a volume snapshot", async () => {
        const restored = await evaluate({
            change: (v) => {
                v.restoreDropletSnapshot = "170396553";
                v.restoreVolumeSnapshot = "5a4f1e0c-1b2d-4c3e-9f8a-0b1c2d3e4f5a";
            },
        });
        expect(restored.one(types.droplet).inputs.image).toBe("170396553");
        const volume = restored.one(types.volume).inputs;
        expect(volume.snapshotId).toBe("5a4f1e0c-1b2d-4c3e-9f8a-0b1c2d3e4f5a");
        // The old volume is retained, so the restored one gets a name of its own.
        expect(volume.name).toBe("prod-site-data-5a4f1e0c");
        // The filesystem and its label come from the snapshot.
        expect(volume.initialFilesystemType).toBeUndefined();
    });
});

describe("themes from the repo", () => {
    it("are copied into Ghost's content volume", () => {
        expect(baseline.one(types.copyToRemote).inputs.remotePath).toBe("/srv/site/data/ghost-content");
    });
});
