// The whole program under Pulumi's mocks, with the prod stack's config: the resource graph as the
// engine receives it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { asRoot } from "../../components/hostCommand";
import { publishedPorts } from "../../config/catalogue";
import { renderCertbotCommand } from "../../render/certificates";
import { sha256 } from "../../render/hash";
import { renderHostScripts } from "../../render/hostScripts";
import { evaluate, Evaluation } from "../harness/evaluate";
import { prodSettings, repoRoot, testSecrets, withSnapshot } from "../harness/fixtures";
import { mockPublicKey, types } from "../harness/resourceTypes";

let site: Evaluation;
beforeAll(async () => {
    site = await evaluate({ change: withSnapshot });
});

const remoteCommands = () => [...site.all(types.command), ...site.all(types.copyToRemote)];
/** The data volume's handover: no script of the host setup's kind (test/unit/lifecycle.test.ts). */
const handover = "site-55-data-volume-resume";
const commandNamed = (name: string) => site.one(types.command, name);

describe("resource graph", () => {
    it("declares every kind of resource the site needs", () => {
        const counted = [
            "droplet",
            "reservedIp",
            "reservedIpAssignment",
            "firewall",
            "dropletSnapshot",
            "sshKey",
            "dnsRecord",
            "zoneSetting",
            "command",
            "copyToRemote",
            "volume",
            "volumeAttachment",
            "volumeSnapshot",
            "dockerProvider",
            "network",
            "remoteImage",
            "container",
            "uptimeCheck",
            "uptimeAlert",
            "monitorAlert",
        ] as const;
        expect(Object.fromEntries(counted.map((key) => [key, site.all(types[key]).length]))).toEqual({
            droplet: 1,
            reservedIp: 1,
            reservedIpAssignment: 1,
            firewall: 1,
            dropletSnapshot: 1,
            sshKey: 2,
            dnsRecord: 3,
            zoneSetting: 4,
            command: 19,
            copyToRemote: 1,
            volume: 1,
            volumeAttachment: 1,
            volumeSnapshot: 1,
            dockerProvider: 1,
            network: 1,
            remoteImage: 5,
            container: 5,
            uptimeCheck: 4,
            uptimeAlert: 10,
            monitorAlert: 3,
        });
    });

    it("uses one component per concern, each registered under its class's name", () => {
        const components = site.resources.filter((r) => r.type.startsWith("site:")).map((r) => r.type);
        expect(components.sort()).toEqual(
            [
                types.apps,
                types.generatedSecrets,
                types.managementAuth,
                types.themes,
                types.cloudflareZone,
                types.edgeCache,
                types.certificates,
                types.hostSetup,
                types.server,
                types.snapshots,
                types.monitoring,
            ].sort(),
        );
        for (const token of components) expect(token).toMatch(/^site:[a-z]+:[A-Z][A-Za-z]+$/);
    });

    it("starts the docker provider only after the host setup and the certificates", () => {
        const provider = site.one(types.dockerProvider);
        expect(provider.dependsOn).toEqual([site.one(types.hostSetup).urn, site.one(types.certificates).urn]);
        // Depending on a component is waiting for every command beneath it.
        const waitsFor = provider.dependsOn.flatMap((urn) => site.customResourcesOf(urn));
        expect(waitsFor.map((urn) => site.get(urn).name)).toEqual(expect.arrayContaining(["site-35-data-volume", "site-70-certificates"]));
    });

    it("runs the host scripts in order, each after the one before, then stores the DNS token and issues certificates", () => {
        const commands = site.all(types.command);
        const hostScripts = renderHostScripts(prodSettings()).map((s) => `site-${s.name}`);
        expect(commands.map((c) => c.name)).toEqual([
            "site-00-host-key",
            ...hostScripts,
            handover,
            "site-60-acme-credentials",
            "site-70-certificates",
            "site-90-themes",
            "site-after-setup-prepare",
        ]);
        commands.slice(1, hostScripts.length + 2).forEach((command, i) => expect(command.dependsOn).toEqual([commands[i].urn]));
        const credentials = commandNamed("site-60-acme-credentials");
        expect(credentials.dependsOn).toEqual([site.one(types.hostSetup).urn]);
        expect(commandNamed("site-70-certificates").dependsOn).toEqual([credentials.urn]);
    });

    it("hands the DNS token to the host on stdin, never in a command line", () => {
        expect(commandNamed("site-60-acme-credentials").inputs.stdin).toBe(`dns_cloudflare_api_token = ${testSecrets.acmeDnsToken}\n`);
        for (const command of site.all(types.command)) expect(command.inputs.create).not.toContain(testSecrets.acmeDnsToken);
    });

    it("runs every host script as root through sudo, and again when its text changes (the first trigger is its hash)", () => {
        for (const command of site.all(types.command).filter((c) => c.name !== "site-00-host-key" && c.name !== handover)) {
            const create = command.inputs.create as string;
            const triggers = command.inputs.triggers as string[];
            const script = /<<'SITE_SCRIPT_EOF'\n([\s\S]*)\nSITE_SCRIPT_EOF\n/.exec(create)![1];
            expect(create).toBe(asRoot(script));
            expect(create).toMatch(/sudo -n bash "\$file"$/);
            expect(triggers[0]).toBe(sha256(script));
            if (command.name < "site-60") expect([command.name, triggers.length]).toEqual([command.name, 2]);
        }
    });

    it("logs in as the admin user, never root, and pins the droplet's host key on every connection", () => {
        for (const remote of remoteCommands()) {
            const connection = remote.inputs.connection as { user: string; hostKey: string };
            expect([remote.name, connection.user, connection.hostKey]).toEqual([remote.name, "site", mockPublicKey]);
        }
        const provider = site.one(types.dockerProvider);
        expect(provider.inputs.host).toBe("ssh://site@203.0.113.20");
        // Provider config reaches the engine as JSON text.
        const sshOpts = JSON.parse(provider.inputs.sshOpts as string) as string[];
        expect(sshOpts).toEqual(expect.arrayContaining(["StrictHostKeyChecking=yes", "IdentitiesOnly=yes"]));
        expect(sshOpts.find((o) => o.startsWith("UserKnownHostsFile="))).toMatch(/known_hosts$/);
    });

    it("rotates the host key first: the first command alone trusts the bootstrap key of the user data, and hands over the real key on stdin", () => {
        const rotation = commandNamed("site-00-host-key");
        // Once per droplet: a new droplet replaces it; any other change runs the no-op update.
        expect(rotation.inputs.triggers).toEqual([site.one(types.droplet).id]);
        expect(rotation.inputs.update).toBe("true");
        expect(rotation.dependsOn).toEqual([site.one(types.volumeAttachment).urn]);
        expect(rotation.secretInputs).toContain("stdin");
        expect(rotation.inputs.stdin).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
        const userData = site.one(types.droplet).inputs.userData as string;
        expect(userData).toContain("ed25519_private:");
        expect(userData).toContain("disable_root: true");
    });

    it("does everything on the droplet again when the droplet is replaced: its id is in every host command's triggers", () => {
        const dropletId = site.one(types.droplet).id;
        for (const remote of remoteCommands().filter((c) => c.name !== handover)) {
            expect([remote.name, remote.inputs.triggers]).toEqual([remote.name, expect.arrayContaining([dropletId])]);
        }
    });

    it("creates every container and the network again with a new attachment of the data volume (a new droplet, or a restored volume)", () => {
        const attachmentId = site.one(types.volumeAttachment).id;
        for (const resource of [...site.all(types.container), ...site.all(types.network)]) {
            expect([resource.name, resource.inputs.labels]).toEqual([resource.name, [{ label: "site.host", value: attachmentId }]]);
        }
    });

    it("pulls every image again on a new droplet, and never removes one from the engine", () => {
        for (const image of site.all(types.remoteImage)) {
            expect(image.inputs).toMatchObject({ triggers: { host: site.one(types.droplet).id }, keepLocally: true });
        }
    });

    it("issues certificates again when the hosts, certbot image or CA change", () => {
        expect((commandNamed("site-70-certificates").inputs.triggers as string[])[2]).toBe(sha256(renderCertbotCommand(prodSettings())));
    });

    it("takes the snapshot only after the apps are up (and the database dumped), and keeps it when the droplet goes", () => {
        const snapshot = site.one(types.dropletSnapshot);
        const prepare = commandNamed("site-after-setup-prepare");
        expect(snapshot.dependsOn).toEqual([prepare.urn]);
        expect(prepare.dependsOn).toEqual(expect.arrayContaining([site.one(types.apps).urn]));
        expect(snapshot.opts.retainOnDelete).toBe(true);
    });

    it("protects the droplet from replacement by a config edit", () => {
        const droplet = site.one(types.droplet);
        expect(droplet.opts.protect).toBe(true);
        expect(droplet.opts.ignoreChanges).toEqual(expect.arrayContaining(["image", "userData", "sshKeys"]));
        expect(site.one(types.reservedIp).opts.protect).toBe(true);
    });

    it("creates a droplet from the configured Ubuntu LTS image with the deploy and admin keys", () => {
        const droplet = site.one(types.droplet);
        expect(droplet.inputs.image).toBe("ubuntu-24-04-x64");
        expect(droplet.inputs.sshKeys).toEqual(["aa:bb:site-deploy", "aa:bb:site-admin-0"]);
    });

    it("opens only 22 from admin ranges and 80/443 in the cloud firewall", () => {
        expect(site.one(types.firewall).inputs.inboundRules).toEqual([
            { protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.0/24", "2001:db8::/32"] },
            { protocol: "tcp", portRange: "80", sourceAddresses: ["0.0.0.0/0", "::/0"] },
            { protocol: "tcp", portRange: "443", sourceAddresses: ["0.0.0.0/0", "::/0"] },
        ]);
    });

    it("points every DNS record at the reserved IP, not the droplet's own address", () => {
        for (const record of site.all(types.dnsRecord)) {
            expect(record.inputs.content).toBe("203.0.113.20");
            expect(record.propertyDependencies.content).toEqual([site.one(types.reservedIp).urn]);
        }
    });
});

describe("providers", () => {
    it("gives every resource of a package whose default provider is disabled an explicit provider", () => {
        const projectFile = parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")) as { config: Record<string, { value: string[] }> };
        const disabled = projectFile.config["pulumi:disable-default-providers"].value.sort();
        expect(disabled).toEqual(["cloudflare", "digitalocean", "docker"]);
        const resources = site.resources.filter((r) => r.custom && disabled.includes(r.type.split(":")[0]));
        expect(resources.length).toBeGreaterThan(20);
        // The engine gets a reference to one of the program's own providers, never a default one.
        for (const resource of resources) {
            expect([resource.type, resource.name, resource.provider]).toEqual([
                resource.type,
                resource.name,
                expect.stringMatching(/[:$]pulumi:providers:(digitalocean|cloudflare|docker)::(?!default)[^:]+::/),
            ]);
        }
    });
});

describe("DNS", () => {
    it("proxies the blog and leaves the websocket hosts DNS-only", () => {
        const proxied = Object.fromEntries(site.all(types.dnsRecord).map((r) => [r.inputs.name, r.inputs.proxied]));
        expect(proxied).toEqual({ "example.com": true, "jupyter.example.com": false, "portainer.example.com": false });
    });

    it("manages the zone settings the site relies on", () => {
        const settings = Object.fromEntries(site.all(types.zoneSetting).map((s) => [s.inputs.settingId, s.inputs.value]));
        expect(settings).toEqual({ ssl: "strict", always_use_https: "on", min_tls_version: "1.2", websockets: "on" });
    });
});

describe("containers", () => {
    const containers = () => site.all(types.container);

    it("publishes ports only on the proxy, and only 80 and 443", () => {
        for (const container of containers()) {
            const ports = (container.inputs.ports as { external: number }[] | undefined) ?? [];
            if (container.name === "site-proxy") expect(ports.map((p) => p.external)).toEqual([...publishedPorts]);
            else expect(ports).toEqual([]);
        }
    });

    it("keeps every container's data on a host volume under the data root", () => {
        for (const container of containers()) {
            const volumes = container.inputs.volumes as { hostPath: string }[];
            expect(volumes.some((v) => v.hostPath.startsWith("/srv/site/data/"))).toBe(true);
        }
    });

    it("gives every container a restart policy and a memory limit, and pinned images", () => {
        for (const container of containers()) {
            expect(container.inputs.restart).toBe("unless-stopped");
            expect(container.inputs.memory).toBeGreaterThan(0);
        }
        for (const image of site.all(types.remoteImage)) expect(image.inputs.name).toMatch(/:[0-9][\w.-]*$/);
    });

    it("puts every container on the one private network", () => {
        for (const container of containers()) {
            expect((container.inputs.networksAdvanced as { name: string }[]).map((n) => n.name)).toEqual(["site"]);
        }
    });

    it("replaces containers by deleting first (fixed names and ports cannot exist twice)", () => {
        for (const container of containers()) expect(container.opts.deleteBeforeReplace).toBe(true);
    });
});

describe("secrets", () => {
    const needles = Object.values(testSecrets);
    const containsSecret = (value: unknown): boolean => {
        const text = JSON.stringify(value) ?? "";
        return needles.some((n) => text.includes(n)) || /\$2[aby]\$\d\d\$/.test(text);
    };

    it("marks every input that carries a secret (or its bcrypt hash) as a Pulumi secret", () => {
        const carriers = site.resources.flatMap((r) =>
            Object.keys(r.inputs)
                .filter((key) => containsSecret(r.inputs[key]))
                .map((key) => ({ r, key })),
        );
        expect(carriers.filter(({ r, key }) => !r.secretInputs.includes(key)).map(({ r, key }) => `${r.type} ${r.name}.${key}`)).toEqual(
            [],
        );
        // The tokens, the database, SMTP, Jupyter, DNS-token and management secrets all reach some resource.
        expect(carriers.length).toBeGreaterThanOrEqual(7);
    });

    it("keeps every secret out of the droplet's user data", () => {
        expect(containsSecret(site.one(types.droplet).inputs.userData)).toBe(false);
    });

    it("exports no secret in plain text", () => {
        for (const [name, value] of Object.entries(site.outputs)) {
            if (containsSecret(value)) expect([name, site.secretOutputs.includes(name)]).toEqual([name, true]);
        }
    });

    it("gives the providers their tokens as secrets", () => {
        const provider = site.one(types.digitaloceanProvider);
        expect(provider.secretInputs).toContain("token");
        expect(provider.inputs.token).toBe(testSecrets.digitaloceanToken);
    });
});

describe("stack outputs", () => {
    it("exports each service's URL, the logins, the IP, the SSH command and the snapshot ids", () => {
        expect(site.outputs).toEqual({
            urls: { ghost: "https://example.com", jupyter: "https://jupyter.example.com", portainer: "https://portainer.example.com" },
            logins: expect.objectContaining({ mysqlPassword: testSecrets.mysqlPassword }),
            dropletIp: "203.0.113.20",
            sshCommand: "ssh site@203.0.113.20",
            snapshotIds: { "after-setup": { droplet: "site-after-setup-id", dataVolume: "site-after-setup-data-id" } },
            dataVolumeId: "site-data-id",
        });
    });
});
