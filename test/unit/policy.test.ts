// The policy pack as a preview runs it (test/harness/policyEngine.ts): every policy passes the site
// the program declares, and fails a resource that breaks its invariant.
import { Policy } from "@pulumi/policy";
import {
    dataOnVolume,
    dataVolumeProtected,
    dropletHasFirewall,
    managementFenced,
    managementNeedsAuth,
    onlyProxyPublishes,
    policies,
    secretsStaySecret,
} from "../../policy/policies";
import { evaluate, Evaluation } from "../harness/evaluate";
import { analyze, analyzeStack, remediate, Sent } from "../harness/policyEngine";
import { types } from "../harness/resourceTypes";

let site: Evaluation;
beforeAll(async () => {
    site = await evaluate();
});

/** Every report a set of policies makes about one resource: validation and remediation. */
const reports = async (checked: Policy[], resource: Sent) => [
    ...(await analyze(checked, resource)),
    ...(await remediate(checked, resource)),
];
const container = (name: string) => site.one(types.container, `site-${name}`);
const withProps = (resource: Sent, props: Record<string, unknown>): Sent => ({ ...resource, wire: { ...resource.wire, ...props } });

it("the pack holds the eight policies", () => {
    expect(policies.map((p) => p.name).sort()).toEqual([
        "container-data-on-the-data-volume",
        "data-volume-is-protected",
        "declared-apps-behind-the-login-ask-for-it",
        "droplet-has-a-cloud-firewall",
        "management-ui-answers-only-the-owner",
        "management-ui-requires-a-password",
        "only-the-proxy-publishes-ports",
        "secret-looking-inputs-are-secrets",
    ]);
});

it("the site as declared breaks no policy", async () => {
    const found = (await Promise.all(site.resources.map((resource) => reports(policies, resource)))).flat();
    expect(found).toEqual([]);
    expect(await analyzeStack(policies, site.resources)).toEqual([]);
    expect(site.resources.length).toBeGreaterThan(40);
});

describe("only the proxy publishes ports", () => {
    it("fails a container other than the proxy that publishes one", async () => {
        expect(await reports([onlyProxyPublishes], withProps(container("mysql"), { ports: [{ internal: 3306, external: 3306 }] }))).toEqual(
            [expect.stringMatching(/site-mysql publishes 3306/)],
        );
    });

    it("fails the proxy publishing more than 80 and 443", async () => {
        const proxy = container("proxy");
        const ports = [...(proxy.wire.ports as unknown[]), { internal: 8080, external: 8080 }];
        expect(await reports([onlyProxyPublishes], withProps(proxy, { ports }))).toEqual([expect.stringMatching(/publishes 8080/)]);
    });
});

describe("the management UI requires a password", () => {
    it("fails a proxy configuration that serves Portainer without auth_basic", async () => {
        const proxy = container("proxy");
        const uploads = (proxy.inputs.uploads as { file: string; content: string }[]).map((u) => ({
            ...u,
            content: u.content.replace(/ *auth_basic.*\n/g, ""),
        }));
        expect(await reports([managementNeedsAuth], withProps(proxy, { uploads }))).toEqual([
            expect.stringMatching(/portainer, a management UI, without auth_basic/),
        ]);
    });
});

describe("the management UI answers only the owner's addresses", () => {
    const withSite = (change: (site: string) => string) => {
        const proxy = container("proxy");
        const uploads = (proxy.inputs.uploads as { file: string; content: string }[]).map((u) =>
            u.file.endsWith("/default.conf") ? { ...u, content: change(u.content) } : u,
        );
        return withProps(proxy, { uploads });
    };
    const fenceFails = [expect.stringMatching(/serves portainer, a management UI that is root on the host, to every address/)];

    it("passes the declared site, fenced to adminCidrs", async () => {
        expect(container("proxy").inputs.uploads).toEqual(
            expect.arrayContaining([expect.objectContaining({ content: expect.stringContaining("if ($allowed_portainer = 0) {") })]),
        );
        expect(await reports([managementFenced], container("proxy"))).toEqual([]);
    });

    it("fails a proxy that lets every address reach the management login: no fence, or a fence open to all", async () => {
        const unfenced = (site: string) => site.replace(/ *if \(\$allowed_portainer = 0\) \{\n *return 403;\n *\}\n/, "");
        expect(await reports([managementFenced], withSite(unfenced))).toEqual(fenceFails);
        expect(
            await reports(
                [managementFenced],
                withSite((site) => site.replace("    default 0;\n    203.0.113.0/24", "    default 1;\n    203.0.113.0/24")),
            ),
        ).toEqual(fenceFails);
        expect(
            await reports(
                [managementFenced],
                withSite((site) => site.replace("    203.0.113.0/24 1;", "    0.0.0.0/0 1;")),
            ),
        ).toEqual(fenceFails);
    });

    it("passes the management host opened to anywhere only where the stack said allowFrom: anywhere", async () => {
        const opened = await evaluate({
            change: (values) => ((values.services as Record<string, Record<string, unknown>>).portainer.allowFrom = "anywhere"),
        });
        const proxy = opened.one(types.container, "site-proxy");
        expect(JSON.stringify(proxy.inputs.uploads)).not.toContain("$allowed_portainer");
        expect(await reports([managementFenced], proxy)).toEqual([]);
    });
});

describe("container data lives on the data volume", () => {
    it("fails a container whose data is not under the data root", async () => {
        const volumes = [{ hostPath: "/home/jovyan", containerPath: "/home/jovyan/work" }];
        expect(await reports([dataOnVolume], withProps(container("jupyter"), { volumes }))).toEqual([
            expect.stringMatching(/site-jupyter keeps no data under \/srv\/site\/data/),
        ]);
    });
});

describe("the data volume is protected", () => {
    it("fails an unprotected volume", async () => {
        const volume = site.one(types.volume);
        expect(await reports([dataVolumeProtected], { ...volume, opts: { protect: false } })).toEqual([
            expect.stringMatching(/is not protected/),
        ]);
    });
});

describe("secret-looking inputs are secrets", () => {
    it("sees the secrets the engine sends as secrets: the declared site's passwords, keys and tokens pass", async () => {
        for (const resource of [container("mysql"), site.one(types.digitaloceanProvider), site.one(types.command, "site-00-host-key")]) {
            expect(resource.secretInputs.length).toBeGreaterThan(0);
            expect(await remediate([secretsStaySecret], resource)).toEqual([]);
        }
    });

    it("fails a password in a container's env, a provider token and a nested private key in plain text", async () => {
        const mysql = container("mysql");
        expect(await remediate([secretsStaySecret], withProps(mysql, { envs: mysql.inputs.envs }))).toEqual([
            expect.stringMatching(/envs\[\d\] \(MYSQL_PASSWORD=…\) is not a secret/),
        ]);
        const provider = site.one(types.digitaloceanProvider);
        expect(await remediate([secretsStaySecret], withProps(provider, { token: "dop_v1_plain" }))).toEqual([
            expect.stringMatching(/token is not a secret/),
        ]);
        const command = site.one(types.command, "site-02-wait-cloud-init");
        const connection = { ...(command.inputs.connection as object), privateKey: "-----BEGIN" };
        expect(await remediate([secretsStaySecret], withProps(command, { connection }))).toEqual([
            expect.stringMatching(/connection\.privateKey is not a secret/),
        ]);
    });
});

describe("every droplet has a cloud firewall", () => {
    it("passes a droplet in a firewall's dropletIds, and fails one in none", async () => {
        const [droplet, firewall] = [site.one(types.droplet), site.one(types.firewall)];
        expect(firewall.propertyDependencies.dropletIds).toEqual([droplet.urn]);
        expect(await analyzeStack([dropletHasFirewall], [droplet, firewall])).toEqual([]);
        const empty = { ...firewall, propertyDependencies: { ...firewall.propertyDependencies, dropletIds: [] } };
        expect(await analyzeStack([dropletHasFirewall], [droplet, empty])).toEqual([
            expect.stringMatching(/droplet site-droplet is in no cloud firewall/),
        ]);
    });
});
