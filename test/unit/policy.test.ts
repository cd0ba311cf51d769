// The policy pack: every policy passes the site the program declares, and fails a resource that
// breaks its invariant.
import type * as pulumiType from "@pulumi/pulumi";
import { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, Secret, StackValidationArgs } from "@pulumi/policy";
import {
    dataOnVolume,
    dropletHasFirewall,
    managementNeedsAuth,
    onlyProxyPublishes,
    policies,
    secretsStaySecret,
    dataVolumeProtected,
} from "../policy/policies";

interface Declared {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    readonly protect: boolean;
}

let site: Declared[] = [];

/** The site as the policy engine receives it: inputs resolved, secrets wrapped as the SDK wraps them. */
beforeAll(async () => {
    await jest.isolateModulesAsync(async () => {
        const pulumi: typeof pulumiType = await import("@pulumi/pulumi");
        const { recorded, runWithMocks } = await import("./mocks");
        const { setStackConfig } = await import("./stackConfig");
        setStackConfig("prod");
        await runWithMocks(() => import("../index"));
        const convert = async (value: unknown): Promise<unknown> => {
            if (pulumi.Output.isInstance(value)) {
                const output = value as pulumiType.Output<unknown>;
                const plain = await new Promise((resolve) => output.apply(resolve));
                return (await pulumi.isSecret(output)) ? new Secret(await convert(plain)) : convert(plain);
            }
            if (Array.isArray(value)) return Promise.all(value.map(convert));
            if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
                return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await convert(v)])));
            }
            return value;
        };
        site = await Promise.all(
            recorded.map(async (r) => ({
                type: r.type,
                name: r.name,
                props: (await convert(r.inputs)) as Record<string, unknown>,
                protect: r.opts.protect === true,
            })),
        );
    });
});

/** Plain view of props, as validation sees them: secrets unwrapped. */
const unwrap = (value: unknown): unknown =>
    value instanceof Secret
        ? unwrap(value.value)
        : Array.isArray(value)
          ? value.map(unwrap)
          : value && typeof value === "object"
            ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v)]))
            : value;

function violations(policy: ResourceValidationPolicy, resource: Declared): string[] {
    const found: string[] = [];
    const args = {
        type: resource.type,
        name: resource.name,
        urn: resource.name,
        props: unwrap(resource.props),
        opts: { protect: resource.protect },
    } as unknown as ResourceValidationArgs;
    if (policy.validateResource && !Array.isArray(policy.validateResource))
        void policy.validateResource(args, (message) => found.push(message));
    if (policy.remediateResource) {
        try {
            void policy.remediateResource({ ...args, props: resource.props } as ResourceValidationArgs);
        } catch (error) {
            found.push((error as Error).message);
        }
    }
    return found;
}

const proxyOf = () => site.find((r) => r.name === "site-proxy")!;
const containerOf = (name: string) => site.find((r) => r.name === `site-${name}`)!;
const withProps = (resource: Declared, props: Record<string, unknown>): Declared => ({
    ...resource,
    props: { ...resource.props, ...props },
});

it("the pack holds the six policies", () => {
    expect(policies.map((p) => p.name).sort()).toEqual([
        "container-data-on-the-data-volume",
        "data-volume-is-protected",
        "droplet-has-a-cloud-firewall",
        "management-ui-requires-a-password",
        "only-the-proxy-publishes-ports",
        "secret-looking-inputs-are-secrets",
    ]);
});

it("the site as declared breaks no resource policy", () => {
    const resourcePolicies = policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p || "remediateResource" in p);
    const found = site.flatMap((resource) => resourcePolicies.flatMap((p) => violations(p, resource)));
    expect(found).toEqual([]);
    expect(site.length).toBeGreaterThan(40);
});

describe("only the proxy publishes ports", () => {
    it("fails a container other than the proxy that publishes one", () => {
        expect(violations(onlyProxyPublishes, withProps(containerOf("mysql"), { ports: [{ internal: 3306, external: 3306 }] }))).toEqual([
            expect.stringMatching(/site-mysql publishes 3306/),
        ]);
    });
    it("fails the proxy publishing more than 80 and 443", () => {
        const ports = [...(proxyOf().props.ports as unknown[]), { internal: 8080, external: 8080 }];
        expect(violations(onlyProxyPublishes, withProps(proxyOf(), { ports }))).toEqual([expect.stringMatching(/publishes 8080/)]);
    });
});

describe("the management UI requires a password", () => {
    it("fails a proxy configuration that serves Portainer without auth_basic", () => {
        const uploads = (unwrap(proxyOf().props.uploads) as { file: string; content: string }[]).map((u) => ({
            ...u,
            content: u.content.replace(/ *auth_basic.*\n/g, ""),
        }));
        expect(violations(managementNeedsAuth, withProps(proxyOf(), { uploads }))).toEqual([
            expect.stringMatching(/portainer, a management UI, without auth_basic/),
        ]);
    });
});

describe("container data lives on the data volume", () => {
    it("fails a container whose data is not under the data root", () => {
        expect(
            violations(
                dataOnVolume,
                withProps(containerOf("jupyter"), { volumes: [{ hostPath: "/home/jovyan", containerPath: "/home/jovyan/work" }] }),
            ),
        ).toEqual([expect.stringMatching(/site-jupyter keeps no data under \/srv\/site\/data/)]);
    });
});

describe("the data volume is protected", () => {
    it("fails an unprotected volume", () => {
        const volume = site.find((r) => r.type === "digitalocean:index/volume:Volume")!;
        expect(violations(dataVolumeProtected, { ...volume, protect: false })).toEqual([expect.stringMatching(/is not protected/)]);
    });
});

describe("secret-looking inputs are secrets", () => {
    it("fails a password in a container's env, a provider token and a nested private key in plain text", () => {
        const mysql = containerOf("mysql");
        const envs = (mysql.props.envs as unknown[]).map((e) => unwrap(e));
        expect(violations(secretsStaySecret, withProps(mysql, { envs }))).toEqual([
            expect.stringMatching(/envs\[\d\] \(MYSQL_PASSWORD=…\) is not a secret/),
        ]);
        const provider = site.find((r) => r.type === "pulumi:providers:digitalocean")!;
        expect(violations(secretsStaySecret, withProps(provider, { token: "dop_v1_plain" }))).toEqual([
            expect.stringMatching(/token is not a secret/),
        ]);
        const command = site.find((r) => r.type === "command:remote:Command")!;
        expect(
            violations(secretsStaySecret, withProps(command, { connection: { host: "203.0.113.20", privateKey: "-----BEGIN" } })),
        ).toEqual([expect.stringMatching(/connection\.privateKey is not a secret/)]);
    });
});

describe("every droplet has a cloud firewall", () => {
    const droplet = {
        type: "digitalocean:index/droplet:Droplet",
        name: "d",
        urn: "urn:d",
        propertyDependencies: {},
    } as unknown as PolicyResource;
    const firewall = (dropletIds: PolicyResource[]) =>
        ({
            type: "digitalocean:index/firewall:Firewall",
            name: "f",
            urn: "urn:f",
            propertyDependencies: { dropletIds },
        }) as unknown as PolicyResource;
    const check = (resources: PolicyResource[]) => {
        const found: string[] = [];
        void dropletHasFirewall.validateStack({ resources } as unknown as StackValidationArgs, (message) => found.push(message));
        return found;
    };
    it("passes a droplet in a firewall's dropletIds, and fails one in none", () => {
        expect(check([droplet, firewall([droplet])])).toEqual([]);
        expect(check([droplet, firewall([])])).toEqual([expect.stringMatching(/droplet d is in no cloud firewall/)]);
    });
});
