// The droplet's whole life, as `pulumi up` and `pulumi destroy` would carry it out: each plan is
// worked out by the plan engine (test/harness/planEngine.ts) from a previous evaluation (the state),
// with the providers' replace rules (test/harness/resourceTypes.ts), and printed. What the plans
// cannot show, the commands' own work, the host sandbox's replacement drill runs for real.
import { evaluate, Evaluation } from "../harness/evaluate";
import { withSnapshot } from "../harness/fixtures";
import { Plan, planDestroy, planUpdate } from "../harness/planEngine";
import { types } from "../harness/resourceTypes";

type Values = Record<string, unknown>;
const allowReplacement = (v: Values) => (v.allowDropletReplacement = true);
const handover = "site-55-data-volume-resume";
const show = (title: string, plan: Plan) => console.log(`${title}\n${plan.print()}`);

let state: Evaluation;
beforeAll(async () => {
    state = await evaluate();
});

describe("a droplet replacement (a new image, with allowDropletReplacement on)", () => {
    let before: Evaluation;
    let plan: Plan;
    beforeAll(async () => {
        before = await evaluate({ change: allowReplacement });
        plan = await planUpdate(before, {
            change: (v) => {
                allowReplacement(v);
                v.dropletImage = "ubuntu-26-04-x64";
            },
        });
        show("droplet replacement", plan);
    });
    const names = (type: string) => before.all(type).map((r) => r.name);

    it("is allowed, and leaves the data volume and the reserved IP alone", () => {
        expect(plan.refused).toEqual([]);
        expect(plan.steps.filter((s) => s.type === types.volume || s.type === types.reservedIp)).toEqual([]);
    });

    it("creates the new droplet first and deletes the old one last, after everything else", () => {
        expect(plan.at("create-replacement", "site-droplet")).toBe(0);
        expect(plan.steps.at(-1)).toMatchObject({ op: "delete-replaced", name: "site-droplet" });
    });

    it("removes the old containers, then releases the volume on the old droplet, by its own address and host key, before detaching it", () => {
        const release = plan.at("delete-replaced", handover);
        for (const container of names(types.container)) expect(plan.at("delete-replaced", container)).toBeLessThan(release);
        expect(release).toBeLessThan(plan.at("delete-replaced", "site-data-attachment"));
        // The old droplet's own address (not the reserved IP, 203.0.113.20) and its own host key.
        const old = before.one(types.command, handover);
        expect((old.inputs.connection as { host: string }).host).toBe("203.0.113.10");
        expect(old.propertyDependencies.connection).toEqual(
            expect.arrayContaining([before.one(types.droplet).urn, before.one(types.privateKey, "site-host-key").urn]),
        );
        expect(plan.steps[release].detail).toContain("runs its delete on 203.0.113.10: 99-data-volume-release");
        expect(old.inputs.delete).toContain("umount /srv/site/data");
    });

    it("moves the attachment delete-first, to the new droplet", () => {
        expect(plan.at("delete-replaced", "site-data-attachment")).toBeLessThan(plan.at("create-replacement", "site-data-attachment"));
        const next = plan.next!;
        expect(next.one(types.volumeAttachment).inputs.dropletId).toBe(Number(next.one(types.droplet).id));
    });

    it("moves the reserved IP to the new droplet once the volume is there, before anything connects to it", () => {
        const moved = plan.at("create-replacement", "site-ip-assignment");
        expect(moved).toBeGreaterThan(plan.at("create-replacement", "site-data-attachment"));
        const connecting = [...names(types.command).filter((n) => n !== handover), ...names(types.copyToRemote), ...names(types.container)];
        for (const name of connecting) expect([name, plan.at("create-replacement", name) > moved]).toEqual([name, true]);
    });

    it("runs every host command, the certificates, the themes and every container again, on the new droplet", () => {
        const again = plan.touched("create-replacement");
        for (const name of [...names(types.command), ...names(types.copyToRemote), ...names(types.container), ...names(types.network)]) {
            expect(again).toContain(name);
        }
        const next = plan.next!;
        const newDroplet = next.one(types.droplet).id;
        expect(newDroplet).not.toBe(before.one(types.droplet).id);
        for (const command of next.all(types.command).filter((c) => c.name !== handover))
            expect(command.inputs.triggers).toContain(newDroplet);
    });

    it("pins the new droplet's own host key, a new one", () => {
        expect(plan.has("create-replacement", "site-host-key")).toBe(true);
        expect(plan.at("create-replacement", "site-host-key")).toBeLessThan(plan.at("create-replacement", "site-00-host-key"));
    });

    it("keeps the snapshot pair as it was: no new half pairs a new droplet with old data", () => {
        expect(plan.steps.filter((s) => s.type === types.dropletSnapshot || s.type === types.volumeSnapshot)).toEqual([]);
    });
});

describe("a restore (droplet and volume snapshot ids, the runbook's steps)", () => {
    const restore = (v: Values) => {
        allowReplacement(v);
        v.restoreDropletSnapshot = "170396553";
        v.restoreVolumeSnapshot = "5a4f1e0c-1b2d-4c3e-9f8a-0b1c2d3e4f5a";
    };

    it("is refused while the state protects the data volume", async () => {
        const plan = await planUpdate(state, { change: restore });
        expect(plan.refused).toEqual([expect.stringMatching(/unable to replace .*Volume::site-data: it is protected/)]);
    });

    describe("after `pulumi state unprotect` of the volume", () => {
        let plan: Plan;
        beforeAll(async () => {
            plan = await planUpdate(state, { change: restore, unprotected: [state.one(types.volume).urn] });
            show("restore", plan);
        });

        it("builds a new droplet and a new volume from the snapshots", () => {
            expect(plan.refused).toEqual([]);
            const next = plan.next!;
            expect(next.one(types.droplet).inputs.image).toBe("170396553");
            expect(next.one(types.volume).inputs).toMatchObject({
                snapshotId: "5a4f1e0c-1b2d-4c3e-9f8a-0b1c2d3e4f5a",
                name: "prod-site-data-5a4f1e0c",
            });
            expect(plan.at("create-replacement", "site-data")).toBeLessThan(plan.at("create-replacement", "site-data-attachment"));
        });

        it("releases and detaches the old volume, and keeps it in the account", () => {
            expect(plan.at("delete-replaced", handover)).toBeLessThan(plan.at("delete-replaced", "site-data-attachment"));
            expect(plan.steps.find((s) => s.type === types.volume && s.op !== "create-replacement")).toMatchObject({ op: "forget" });
        });

        it("deletes nothing that holds data", () => {
            const holdsData: string[] = [types.volume, types.volumeSnapshot, types.dropletSnapshot];
            expect(plan.steps.filter((s) => holdsData.includes(s.type) && (s.op === "delete" || s.op === "delete-replaced"))).toEqual([]);
        });
    });
});

describe("everyday updates touch exactly what the README says", () => {
    it("an image bump: that container (deleted first, fixed name) and its image", async () => {
        const plan = await planUpdate(state, { change: (v) => (v.ghostImage = "ghost:6.66.0") });
        expect(plan.touched("create", "update", "create-replacement", "delete-replaced", "delete")).toEqual(
            ["site-ghost", "site-image-ghost-6.65.0", "site-image-ghost-6.66.0"].sort(),
        );
        expect(plan.at("delete-replaced", "site-ghost")).toBeLessThan(plan.at("create-replacement", "site-ghost"));
    });

    it("a theme change: the copy, Ghost's restart and the purge of the blog at Cloudflare's edge", async () => {
        const plan = await planUpdate(state, { themesFingerprint: "a-different-theme" });
        expect(plan.touched("create-replacement", "update")).toEqual(["site-90-themes", "site-copy", "site-edge-purge"]);
        expect(plan.at("create-replacement", "site-90-themes")).toBeLessThan(plan.at("create-replacement", "site-edge-purge"));
    });

    it("an unchanged config: nothing", async () => {
        expect((await planUpdate(state)).steps).toEqual([]);
    });
});

describe("pulumi destroy", () => {
    it("is refused: the droplet, the data volume and the reserved IP are protected", () => {
        const plan = planDestroy(state);
        show("destroy", plan);
        expect(plan.steps).toEqual([]);
        expect(
            plan.refused
                .map((r) =>
                    r
                        .split("::")
                        .pop()!
                        .replace(/: it is protected$/, ""),
                )
                .sort(),
        ).toEqual(["site-data", "site-droplet", "site-ip"]);
    });

    it("after unprotecting them, releases the volume before detaching it and keeps the volume and the snapshots", async () => {
        const withSnapshots = await evaluate({ change: withSnapshot });
        const plan = planDestroy(withSnapshots, [
            withSnapshots.one(types.droplet).urn,
            withSnapshots.one(types.volume).urn,
            withSnapshots.one(types.reservedIp).urn,
        ]);
        expect(plan.at("delete", handover)).toBeLessThan(plan.at("delete", "site-data-attachment"));
        const kept = plan.steps.filter((s) => s.op === "forget").map((s) => s.name);
        expect(kept.sort()).toEqual(["site-after-setup", "site-after-setup-data", "site-data"]);
    });
});

// The plan engine runs steps one at a time, in the order resources register; the real engine runs
// independent steps in parallel. What keeps a step after another there is an edge between them, so
// these hold the edges themselves (each fails when its edge is removed).
describe("the edges that order a replacement", () => {
    it("connects to the reserved IP only through the assignment's output, so never before it points at the droplet meant", () => {
        const assignment = state.one(types.reservedIpAssignment).urn;
        const viaReservedIp = [...state.all(types.command), ...state.all(types.copyToRemote)].filter((c) => c.name !== handover);
        for (const remote of viaReservedIp)
            expect([remote.name, remote.propertyDependencies.connection]).toEqual([remote.name, expect.arrayContaining([assignment])]);
        expect(state.one(types.dockerProvider).propertyDependencies.host).toEqual([assignment]);
    });

    it("moves the reserved IP only once the volume is attached", () => {
        expect(state.one(types.reservedIpAssignment).dependsOn).toEqual([state.one(types.volumeAttachment).urn]);
    });

    it("replaces the handover, every container and the network exactly with the attachment, the images with the droplet", () => {
        const attachment = state.one(types.volumeAttachment).urn;
        expect(state.one(types.command, handover).propertyDependencies.triggers).toEqual([attachment]);
        for (const resource of [...state.all(types.container), ...state.all(types.network)])
            expect(resource.propertyDependencies.labels).toEqual([attachment]);
        for (const image of state.all(types.remoteImage))
            expect(image.propertyDependencies.triggers).toEqual([state.one(types.droplet).urn]);
    });
});
