// Environments stay apart: prod and staging, each evaluated as its own stack, share no resource
// name, DNS record or volume, and nothing one stack declares refers to the other's resources.
import { Declared, evaluate, Evaluation } from "../harness/evaluate";
import { types } from "../harness/resourceTypes";

/** The names a stack gives things outside Pulumi: cloud resources, DNS records, snapshots. */
function physicalNames(evaluation: Evaluation): string[] {
    return evaluation.resources
        .filter((r) => r.type.startsWith("digitalocean:") || r.type === types.dnsRecord)
        .map((r) => r.inputs.name)
        .filter((name): name is string => typeof name === "string");
}

const mentions = (resource: Declared, name: string) => JSON.stringify(resource.inputs).includes(`"${name}"`);

let prod: Evaluation;
let staging: Evaluation;
beforeAll(async () => {
    prod = await evaluate({ stack: "prod" });
    staging = await evaluate({ stack: "staging" });
});

it("staging is a complete, smaller environment without snapshots", () => {
    expect(prod.one(types.droplet).inputs.size).toBe("s-2vcpu-4gb");
    expect(staging.one(types.droplet).inputs.size).toBe("s-1vcpu-2gb");
    expect([...staging.all(types.dropletSnapshot), ...staging.all(types.volumeSnapshot)]).toEqual([]);
    expect(staging.outputs.urls).toEqual({
        ghost: "https://staging.example.com",
        jupyter: "https://jupyter-staging.example.com",
        portainer: "https://portainer-staging.example.com",
    });
});

it("prod and staging share no resource name, DNS record or volume", () => {
    const prodNames = physicalNames(prod);
    const stagingNames = physicalNames(staging);
    expect(prodNames.length).toBeGreaterThan(5);
    expect(prodNames.filter((name) => stagingNames.includes(name))).toEqual([]);
    expect([prod.one(types.volume).inputs.name, staging.one(types.volume).inputs.name]).toEqual(["prod-site-data", "staging-site-data"]);
});

it("nothing one stack declares refers to a resource or hostname of the other", () => {
    for (const [stack, other] of [
        [staging, prod],
        [prod, staging],
    ]) {
        const names = physicalNames(other);
        for (const resource of stack.resources) {
            for (const name of names) expect([resource.name, mentions(resource, name)]).toEqual([resource.name, false]);
        }
    }
});
