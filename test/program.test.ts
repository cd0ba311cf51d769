// The whole program under Pulumi's mocks, with the prod stack's config.
import * as pulumi from "@pulumi/pulumi";
import { publishedPorts } from "../config/catalogue";
import { asRoot } from "../components/connection";
import { sha256 } from "../components/hostSetup";
import { renderCertbotCommand } from "../render/certificates";
import { renderHostScripts } from "../render/hostScripts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { prodSettings, repoRoot, testSecrets } from "./fixtures";
import { all, find, isSecretOutput, promiseOf, recorded, registeredInputs, runWithMocks } from "./mocks";
import { setStackConfig } from "./stackConfig";

type Program = typeof import("../index");
let program: Program;

beforeAll(async () => {
    delete process.env.DIGITALOCEAN_TOKEN;
    delete process.env.CLOUDFLARE_API_TOKEN;
    setStackConfig("prod");
    program = await runWithMocks(() => import("../index"));
});

const T = {
    droplet: "digitalocean:index/droplet:Droplet",
    reservedIp: "digitalocean:index/reservedIp:ReservedIp",
    assignment: "digitalocean:index/reservedIpAssignment:ReservedIpAssignment",
    firewall: "digitalocean:index/firewall:Firewall",
    snapshot: "digitalocean:index/dropletSnapshot:DropletSnapshot",
    sshKey: "digitalocean:index/sshKey:SshKey",
    record: "cloudflare:index/dnsRecord:DnsRecord",
    zoneSetting: "cloudflare:index/zoneSetting:ZoneSetting",
    command: "command:remote:Command",
    copy: "command:remote:CopyToRemote",
    volume: "digitalocean:index/volume:Volume",
    volumeAttachment: "digitalocean:index/volumeAttachment:VolumeAttachment",
    volumeSnapshot: "digitalocean:index/volumeSnapshot:VolumeSnapshot",
    dockerProvider: "pulumi:providers:docker",
    network: "docker:index/network:Network",
    image: "docker:index/remoteImage:RemoteImage",
    container: "docker:index/container:Container",
};

const resolved = <T>(value: unknown): Promise<T> => promiseOf(pulumi.output(value) as pulumi.Output<T>);

describe("resource graph", () => {
    it("declares every kind of resource the site needs", () => {
        const counts = Object.fromEntries(Object.entries(T).map(([key, type]) => [key, all(type).length]));
        expect(counts).toEqual({
            droplet: 1,
            reservedIp: 1,
            assignment: 1,
            firewall: 1,
            snapshot: 1,
            sshKey: 2,
            record: 3,
            zoneSetting: 4,
            command: 16,
            copy: 1,
            volume: 1,
            volumeAttachment: 1,
            volumeSnapshot: 1,
            dockerProvider: 1,
            network: 1,
            image: 5,
            container: 5,
        });
    });

    it("uses one component per concern, with three-part type tokens", () => {
        const components = recorded
            .filter((r) => r.type.startsWith("site:"))
            .map((r) => r.type)
            .sort();
        expect(components).toEqual([
            "site:apps:Apps",
            "site:apps:ManagementAuth",
            "site:apps:Themes",
            "site:dns:Records",
            "site:host:Certificates",
            "site:host:Server",
            "site:host:Setup",
            "site:host:Snapshots",
        ]);
    });

    it("starts the docker provider only after the host setup and the certificates", () => {
        const provider = find(T.dockerProvider);
        expect(provider.opts.dependsOn).toEqual(
            expect.arrayContaining([find("site:host:Setup").resource, find("site:host:Certificates").resource]),
        );
    });

    it("runs the host scripts in order, each after the one before, then stores the DNS token and issues certificates", () => {
        const commands = all(T.command);
        const hostScripts = renderHostScripts(prodSettings()).map((s) => `site-${s.name}`);
        expect(commands.map((c) => c.name)).toEqual([
            "site-00-host-key",
            ...hostScripts,
            "site-60-acme-credentials",
            "site-70-certificates",
            "site-90-themes",
            "site-after-setup-prepare",
        ]);
        commands.slice(1, hostScripts.length + 1).forEach((command, i) => expect(command.opts.dependsOn).toEqual([commands[i].resource]));
        const credentials = find(T.command, "site-60-acme-credentials");
        expect(credentials.opts.dependsOn).toEqual([find("site:host:Setup").resource]);
        expect(find(T.command, "site-70-certificates").opts.dependsOn).toEqual([credentials.resource]);
    });

    it("hands the DNS token to the host on stdin, never in a command line", async () => {
        const credentials = find(T.command, "site-60-acme-credentials");
        expect(await resolved(credentials.inputs.stdin)).toBe(`dns_cloudflare_api_token = ${testSecrets.acmeDnsToken}\n`);
        for (const command of all(T.command)) expect(await resolved<string>(command.inputs.create)).not.toContain(testSecrets.acmeDnsToken);
    });

    it("runs every host script as root through sudo, and re-runs it when it changes (the first trigger is its hash)", async () => {
        for (const command of all(T.command).filter((c) => c.name !== "site-00-host-key")) {
            const [create, triggers] = await Promise.all([
                resolved<string>(command.inputs.create),
                resolved<string[]>(command.inputs.triggers),
            ]);
            const script = /<<'SITE_SCRIPT_EOF'\n([\s\S]*)\nSITE_SCRIPT_EOF\n/.exec(create)![1];
            expect(create).toBe(asRoot(script));
            expect(create).toMatch(/sudo -n bash "\$file"$/);
            expect(triggers[0]).toBe(sha256(script));
            if (command.name < "site-60") expect([command.name, triggers.length]).toEqual([command.name, 2]);
        }
    });

    it("logs in as the admin user, never root, and pins the droplet's host key on every connection", async () => {
        const mockHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMOCKmockMOCKmockMOCKmockMOCKmockMOCKmock0000 deploy";
        for (const remote of [...all(T.command), ...all(T.copy)]) {
            const connection = await resolved<{ user: string; hostKey: string }>(remote.inputs.connection);
            expect([remote.name, connection.user, connection.hostKey]).toEqual([remote.name, "site", mockHostKey]);
        }
        const provider = find(T.dockerProvider);
        expect(await resolved(provider.inputs.host)).toBe("ssh://site@203.0.113.20");
        // Provider config reaches the engine as JSON text.
        const raw = await resolved<string[] | string>(provider.inputs.sshOpts);
        const sshOpts: string[] = typeof raw === "string" ? JSON.parse(raw) : raw;
        expect(sshOpts).toEqual(expect.arrayContaining(["StrictHostKeyChecking=yes"]));
        const knownHosts = sshOpts.find((o) => o.startsWith("UserKnownHostsFile="))!.split("=")[1];
        expect(readFileSync(knownHosts, "utf8")).toBe(`203.0.113.20 ${mockHostKey}\n`);
    });

    it("rotates the host key first: the first command alone trusts the bootstrap key of the user data, and hands over the real key on stdin", async () => {
        const rotation = find(T.command, "site-00-host-key");
        // Once per droplet: a new droplet replaces it; any other change runs the no-op update.
        expect(await resolved(rotation.inputs.triggers)).toEqual(["site-droplet-id"]);
        expect(rotation.inputs.update).toBe("true");
        expect(rotation.opts.dependsOn).toEqual([find("digitalocean:index/volumeAttachment:VolumeAttachment").resource]);
        expect(await pulumi.isSecret(pulumi.output(rotation.inputs.stdin))).toBe(true);
        expect(await resolved(rotation.inputs.stdin)).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
        const userData = await resolved<string>(find(T.droplet).inputs.userData);
        expect(userData).toContain("ed25519_private:");
        expect(userData).toContain("disable_root: true");
    });

    it("does everything on the droplet again when the droplet is replaced (its id is in every trigger and label)", async () => {
        const dropletId = "site-droplet-id";
        for (const remote of [...all(T.command), ...all(T.copy)]) {
            expect([remote.name, await resolved<string[]>(remote.inputs.triggers)]).toEqual([
                remote.name,
                expect.arrayContaining([dropletId]),
            ]);
        }
        for (const container of [...all(T.container), ...all(T.network)]) {
            expect([container.name, await resolved(container.inputs.labels)]).toEqual([
                container.name,
                [{ label: "site.host", value: dropletId }],
            ]);
        }
        for (const image of all(T.image)) expect(await resolved(image.inputs.triggers)).toEqual({ host: dropletId });
    });

    it("issues certificates again when the hosts, certbot image or CA change", async () => {
        const triggers = await resolved<string[]>(find(T.command, "site-70-certificates").inputs.triggers);
        expect(triggers[2]).toBe(sha256(renderCertbotCommand(prodSettings())));
    });

    it("takes the snapshot only after the apps are up (and the database dumped), and keeps it when the droplet goes", () => {
        const snapshot = find(T.snapshot);
        const prepare = find(T.command, "site-after-setup-prepare");
        expect(snapshot.opts.dependsOn).toEqual([prepare.resource]);
        expect(prepare.opts.dependsOn).toEqual(expect.arrayContaining([find("site:apps:Apps").resource]));
        expect(snapshot.opts.retainOnDelete).toBe(true);
    });

    it("protects the droplet from replacement by a config edit", () => {
        const droplet = find(T.droplet);
        expect(droplet.opts.protect).toBe(true);
        expect(droplet.opts.ignoreChanges).toEqual(expect.arrayContaining(["image", "userData", "sshKeys"]));
        expect(find(T.reservedIp).opts.protect).toBe(true);
    });

    it("creates a droplet from the configured Ubuntu LTS image with the deploy and admin keys", async () => {
        const droplet = find(T.droplet);
        expect(droplet.inputs.image).toBe("ubuntu-24-04-x64");
        expect(await resolved<string[]>(droplet.inputs.sshKeys)).toEqual(["aa:bb:site-deploy", "aa:bb:site-admin-0"]);
    });

    it("opens only 22 from admin ranges and 80/443 in the cloud firewall", async () => {
        const rules = await resolved<{ portRange: string; sourceAddresses: string[] }[]>(find(T.firewall).inputs.inboundRules);
        expect(rules).toEqual([
            { protocol: "tcp", portRange: "22", sourceAddresses: ["203.0.113.0/24", "2001:db8::/32"] },
            { protocol: "tcp", portRange: "80", sourceAddresses: ["0.0.0.0/0", "::/0"] },
            { protocol: "tcp", portRange: "443", sourceAddresses: ["0.0.0.0/0", "::/0"] },
        ]);
    });

    it("points every DNS record at the reserved IP, not the droplet's own address", async () => {
        for (const record of all(T.record)) expect(await resolved(record.inputs.content)).toBe("203.0.113.20");
    });
});

describe("providers", () => {
    it("gives every resource of a package whose default provider is disabled an explicit provider", () => {
        const disabled = (
            parse(readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8")).config["pulumi:disable-default-providers"].value as string[]
        ).sort();
        expect(disabled).toEqual(["cloudflare", "digitalocean", "docker"]);
        const resources = registeredInputs.filter((r) => disabled.includes(r.type.split(":")[0]));
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
    const proxiedByName = async () =>
        Object.fromEntries(
            await Promise.all(all(T.record).map(async (r) => [await resolved(r.inputs.name), await resolved(r.inputs.proxied)])),
        );

    it("proxies the blog and leaves the websocket hosts DNS-only", async () => {
        expect(await proxiedByName()).toEqual({ "example.com": true, "jupyter.example.com": false, "portainer.example.com": false });
    });

    it("manages the zone settings the site relies on", async () => {
        const settings = Object.fromEntries(
            await Promise.all(all(T.zoneSetting).map(async (s) => [await resolved(s.inputs.settingId), await resolved(s.inputs.value)])),
        );
        expect(settings).toEqual({ ssl: "strict", always_use_https: "on", min_tls_version: "1.2", websockets: "on" });
    });
});

describe("containers", () => {
    const containers = () => all(T.container);

    it("publishes ports only on the proxy, and only 80 and 443", async () => {
        for (const container of containers()) {
            const ports = (await resolved<{ external: number }[] | undefined>(container.inputs.ports)) ?? [];
            if (container.name === "site-proxy") expect(ports.map((p) => p.external)).toEqual([...publishedPorts]);
            else expect(ports).toEqual([]);
        }
    });

    it("keeps every container's data on a host volume under the data root", async () => {
        for (const container of containers()) {
            const volumes = await resolved<{ hostPath: string }[]>(container.inputs.volumes);
            expect(volumes.some((v) => v.hostPath.startsWith("/srv/site/data/"))).toBe(true);
        }
    });

    it("gives every container a restart policy and a memory limit, and pinned images", async () => {
        for (const container of containers()) {
            expect(container.inputs.restart).toBe("unless-stopped");
            expect(container.inputs.memory).toBeGreaterThan(0);
        }
        for (const image of all(T.image)) expect(image.inputs.name).toMatch(/:[0-9][\w.-]*$/);
    });

    it("puts every container on the one private network", async () => {
        for (const container of containers()) {
            const networks = await resolved<{ name: string }[]>(container.inputs.networksAdvanced);
            expect(networks.map((n) => n.name)).toEqual(["site"]);
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

    it("marks every input that carries a secret (or its bcrypt hash) as a Pulumi secret", async () => {
        const leaks: string[] = [];
        let carriers = 0;
        for (const resource of recorded) {
            for (const [key, value] of Object.entries(resource.inputs ?? {})) {
                const output = pulumi.output(value);
                const plain = await promiseOf(output);
                if (!containsSecret(plain)) continue;
                carriers++;
                if (!(await pulumi.isSecret(output))) leaks.push(`${resource.type} ${resource.name}.${key}`);
            }
        }
        expect(leaks).toEqual([]);
        // The tokens, the database, SMTP, Jupyter, DNS-token and management secrets all reach some resource.
        expect(carriers).toBeGreaterThanOrEqual(7);
    });

    it("keeps every secret out of the droplet's user data", async () => {
        const userData = await resolved<string>(find(T.droplet).inputs.userData);
        expect(containsSecret(userData)).toBe(false);
    });

    it("exports no secret in plain text", async () => {
        for (const [name, value] of Object.entries(program)) {
            const plain = await promiseOf(pulumi.output(value as pulumi.Input<unknown>));
            if (containsSecret(plain)) expect([name, await isSecretOutput(value)]).toEqual([name, true]);
        }
    });

    it("gives the providers their tokens as secrets", async () => {
        const doProvider = find("pulumi:providers:digitalocean");
        expect(await pulumi.isSecret(pulumi.output(doProvider.inputs.token))).toBe(true);
        expect(await resolved(doProvider.inputs.token)).toBe(testSecrets.digitaloceanToken);
        expect(registeredInputs.length).toBeGreaterThan(0);
    });
});

describe("stack outputs", () => {
    it("exports each service's URL, the IP, the SSH command and the snapshot ids", async () => {
        expect(program.urls).toEqual({
            ghost: "https://example.com",
            jupyter: "https://jupyter.example.com",
            portainer: "https://portainer.example.com",
        });
        expect(await promiseOf(program.dropletIp!)).toBe("203.0.113.20");
        expect(await promiseOf(program.sshCommand!)).toBe("ssh site@203.0.113.20");
        expect(await promiseOf(program.snapshotIds!)).toEqual({
            "after-setup": { droplet: "site-after-setup-id", dataVolume: "site-after-setup-data-id" },
        });
    });
});
