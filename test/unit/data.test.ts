// Nothing is lost: data on a protected block storage volume, consistent snapshot pairs that
// outlive their sources, restore from snapshots, themes from the repo, and upgrades that touch only
// what changed. Each `pulumi up` is stood in for by an evaluation under mocks: two compared show
// what an update would create, replace or delete.
import { dataRoot } from "../config/catalogue";
import { changedBetween, evaluate, Evaluation } from "./evaluate";

const T = {
    droplet: "digitalocean:index/droplet:Droplet",
    volume: "digitalocean:index/volume:Volume",
    attachment: "digitalocean:index/volumeAttachment:VolumeAttachment",
    dropletSnapshot: "digitalocean:index/dropletSnapshot:DropletSnapshot",
    volumeSnapshot: "digitalocean:index/volumeSnapshot:VolumeSnapshot",
    command: "command:remote:Command",
    copy: "command:remote:CopyToRemote",
    container: "docker:index/container:Container",
    image: "docker:index/remoteImage:RemoteImage",
};

const one = (evaluation: Evaluation, type: string, name?: string) => {
    const found = [...evaluation.resources.values()].filter((r) => r.type === type && (name === undefined || r.name === name));
    if (found.length !== 1) throw new Error(`expected one ${type} ${name ?? ""}, found ${found.length}`);
    return found[0];
};

let baseline: Evaluation;
beforeAll(async () => {
    baseline = await evaluate();
});

describe("the data volume", () => {
    it("is protected and retained on delete, and depends on nothing of the droplet's", () => {
        const volume = one(baseline, T.volume);
        expect(volume.opts).toMatchObject({ protect: true, retainOnDelete: true });
        expect(volume.plain).toMatchObject({
            region: "fra1",
            size: 10,
            initialFilesystemType: "ext4",
            initialFilesystemLabel: "site-data",
        });
        expect(volume.dependsOn).toEqual([]);
        expect(volume.inputs).not.toMatch(/droplet/i);
        expect(one(baseline, T.attachment).plain).toEqual({ dropletId: expect.anything(), volumeId: "site-data-id" });
    });

    it("is mounted by the host setup before anything writes data", () => {
        const mount = one(baseline, T.command, "site-35-data-volume");
        expect(mount.plain.create).toContain("mountpoint=/srv/site/data\n");
        expect(mount.plain.create).toContain('line="LABEL=site-data $mountpoint ext4 defaults,nofail');
        expect(mount.plain.create).toContain("RequiresMountsFor=/srv/site/data\n");
        expect(one(baseline, T.command, "site-00-host-key").dependsOn).toEqual([`${T.attachment}::site-data-attachment`]);
    });

    it("holds every container's data", () => {
        for (const container of [...baseline.resources.values()].filter((r) => r.type === T.container)) {
            const volumes = container.plain.volumes as { hostPath: string }[];
            const data = volumes.filter((v) => v.hostPath !== "/var/run/docker.sock");
            expect([container.name, data.length > 0 && data.every((v) => v.hostPath.startsWith(`${dataRoot}/`))]).toEqual([
                container.name,
                true,
            ]);
        }
    });

    it("stays untouched when the droplet is replaced on purpose (new image)", async () => {
        const allowed = await evaluate((v) => (v.allowDropletReplacement = true));
        const newImage = await evaluate((v) => {
            v.allowDropletReplacement = true;
            v.dropletImage = "ubuntu-26-04-x64";
        });
        expect(changedBetween(allowed, newImage)).toEqual([`${T.droplet}::site-droplet`]);
        expect(one(newImage, T.volume).opts).toMatchObject({ protect: true, retainOnDelete: true });
    });

    it("keeps the droplet from being replaced by surprise: image, user data and keys changes are ignored without the switch", async () => {
        const droplet = one(baseline, T.droplet);
        expect(droplet.opts.ignoreChanges).toEqual(expect.arrayContaining(["image", "userData", "sshKeys"]));
        expect(droplet.opts.protect).toBe(true);
        const allowed = one(await evaluate((v) => (v.allowDropletReplacement = true)), T.droplet);
        expect(allowed.opts.ignoreChanges).toEqual([]);
        expect(allowed.opts.protect).toBe(false);
    });
});

describe("snapshots", () => {
    it("take a droplet and a volume snapshot per name, after a database dump, once the apps and themes are up", () => {
        const prepare = one(baseline, T.command, "site-after-setup-prepare");
        expect(prepare.plain.create).toContain("mysqldump --single-transaction");
        expect(prepare.plain.create).toContain("sync -f /srv/site/data");
        expect(prepare.dependsOn).toEqual(["site:apps:Apps::site", "site:apps:Themes::site"]);
        for (const snapshot of [one(baseline, T.dropletSnapshot), one(baseline, T.volumeSnapshot)]) {
            expect(snapshot.dependsOn).toEqual([`${T.command}::site-after-setup-prepare`]);
            expect(snapshot.opts.retainOnDelete).toBe(true);
        }
        expect(one(baseline, T.volumeSnapshot).plain.volumeId).toBe("site-data-id");
    });

    it("are stack outputs, by name", () => {
        expect(baseline.outputs.snapshotIds).toEqual({
            "after-setup": { droplet: "site-after-setup-id", dataVolume: "site-after-setup-data-id" },
        });
    });

    it("create nothing when none are configured", async () => {
        const none = await evaluate((v) => (v.snapshots = []));
        expect(
            [...none.resources.values()].filter(
                (r) => [T.dropletSnapshot, T.volumeSnapshot].includes(r.type) || r.name.endsWith("-prepare"),
            ),
        ).toEqual([]);
    });

    it("turn DigitalOcean's weekly backups on when asked", async () => {
        expect(one(baseline, T.droplet).plain.backups).toBe(false);
        expect(one(await evaluate((v) => (v.dropletBackups = true)), T.droplet).plain.backups).toBe(true);
    });
});

describe("restore", () => {
    it("builds the droplet from a droplet snapshot and the data volume from a volume snapshot", async () => {
        const restored = await evaluate((v) => {
            v.restoreDropletSnapshot = "170396553";
            v.restoreVolumeSnapshot = "5a4f1e0c-1b2d-4c3e-9f8a-0b1c2d3e4f5a";
        });
        expect(one(restored, T.droplet).plain.image).toBe("170396553");
        const volume = one(restored, T.volume).plain;
        expect(volume.snapshotId).toBe("5a4f1e0c-1b2d-4c3e-9f8a-0b1c2d3e4f5a");
        // The old volume is retained, so the restored one gets a name of its own.
        expect(volume.name).toBe("prod-site-data-5a4f1e0c");
        // The filesystem and its label come from the snapshot.
        expect(volume.initialFilesystemType).toBeUndefined();
    });
});

describe("themes from the repo", () => {
    it("re-run only the copy and the Ghost restart when a theme changes", async () => {
        const changedTheme = await evaluate(undefined, { themesFingerprint: "a-different-theme" });
        expect(changedBetween(baseline, changedTheme)).toEqual([`${T.command}::site-90-themes`, `${T.copy}::site-copy`]);
        expect(one(changedTheme, T.copy).plain.remotePath).toBe("/srv/site/data/ghost-content");
    });
});

describe("upgrades", () => {
    it("bumping one image replaces only that container and its image", async () => {
        const upgraded = await evaluate((v) => (v.ghostImage = "ghost:6.66.0"));
        expect(changedBetween(baseline, upgraded)).toEqual([
            `${T.container}::site-ghost`,
            `${T.image}::site-image-ghost-6.65.0`,
            `${T.image}::site-image-ghost-6.66.0`,
        ]);
    });

    it("an unchanged config registers identical inputs (a no-op pulumi up)", async () => {
        expect(changedBetween(baseline, await evaluate())).toEqual([]);
    });
});
