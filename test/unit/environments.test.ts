// Environments stay apart: prod and staging, each evaluated as its own stack, share no resource
// name, DNS record or volume, and nothing one stack declares refers to the other's resources.
import { evaluate, Evaluation } from "./evaluate";

/** The names a stack gives things outside Pulumi: cloud resources, DNS records, snapshots. */
function physicalNames(evaluation: Evaluation): string[] {
    return [...evaluation.resources.values()]
        .filter((r) => r.type.startsWith("digitalocean:") || r.type.startsWith("cloudflare:index/dnsRecord"))
        .map((r) => r.plain.name)
        .filter((name): name is string => typeof name === "string");
}

let prod: Evaluation;
let staging: Evaluation;
beforeAll(async () => {
    prod = await evaluate(undefined, { stack: "prod" });
    staging = await evaluate(undefined, { stack: "staging" });
});

it("staging is a complete, smaller environment without snapshots", () => {
    const droplet = (e: Evaluation) => [...e.resources.values()].find((r) => r.type === "digitalocean:index/droplet:Droplet")!.plain;
    expect(droplet(prod).size).toBe("s-2vcpu-4gb");
    expect(droplet(staging).size).toBe("s-1vcpu-2gb");
    expect(
        [...staging.resources.values()].filter((r) => r.type.startsWith("digitalocean:") && r.type.includes("Snapshot")).map((r) => r.name),
    ).toEqual([]);
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
    const volumeName = (e: Evaluation) => [...e.resources.values()].find((r) => r.type === "digitalocean:index/volume:Volume")!.plain.name;
    expect([volumeName(prod), volumeName(staging)]).toEqual(["prod-site-data", "staging-site-data"]);
});

it("nothing one stack declares refers to a resource or hostname of the other", () => {
    const prodNames = physicalNames(prod);
    for (const resource of staging.resources.values()) {
        for (const name of prodNames) expect([resource.name, resource.inputs.includes(`"${name}"`)]).toEqual([resource.name, false]);
    }
    const stagingNames = physicalNames(staging);
    for (const resource of prod.resources.values()) {
        for (const name of stagingNames) expect([resource.name, resource.inputs.includes(`"${name}"`)]).toEqual([resource.name, false]);
    }
});
