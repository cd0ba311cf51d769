// Config validation: every bad input fails before any resource exists, naming the key and the fix.
import {
    appSecretsKey,
    checkSecrets,
    ConfigError,
    knownKeys,
    parseSettings,
    secretNames,
    secretSources,
    SecretStatus,
    Settings,
} from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { prodValues, repoRoot } from "../harness/fixtures";

type Values = Record<string, unknown>;
const services = (v: Values) => v.services as Record<string, { hostname: string; proxied?: boolean; allowFrom?: unknown }>;

function errorFor(change: (values: Values) => void): string {
    const values = prodValues();
    change(values);
    try {
        parseSettings(values);
    } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
    }
    throw new Error("config was accepted");
}

describe("bad config is refused with the key and the fix", () => {
    it.each<[string, (v: Values) => void, RegExp]>([
        [
            "malformed domain",
            (v) => (v.domain = "https://example.com/"),
            /site:domain: is not a domain name.*fix: pulumi config set site:domain/,
        ],
        ["domain without a dot", (v) => (v.domain = "intranet"), /site:domain: is not a domain name/],
        ["localhost as a droplet's zone", (v) => (v.domain = "localhost"), /site:domain: "localhost" is no Cloudflare zone/],
        ["a local stack outside localhost", (v) => (v.target = "local"), /site:domain: a local stack serves \*\.localhost/],
        [
            "a local stack behind Cloudflare",
            (v) => {
                v.target = "local";
                v.domain = "localhost";
                for (const [name, service] of Object.entries(services(v))) service.hostname = `${name}.localhost`;
            },
            /site:services\.ghost\.proxied: a local stack has no Cloudflare in front/,
        ],
        ["an unknown target", (v) => (v.target = "kubernetes"), /site:target: must be droplet .* or local/],
        [
            "duplicate hostnames",
            (v) => (services(v).portainer.hostname = "jupyter.example.com"),
            /site:services\.portainer\.hostname: "jupyter\.example\.com" is already the hostname of jupyter/,
        ],
        [
            "hostname outside the zone",
            (v) => (services(v).jupyter.hostname = "jupyter.example.org"),
            /site:services\.jupyter\.hostname: "jupyter\.example\.org" is not a host name inside example\.com; fix: pulumi config set --path/,
        ],
        [
            "invalid hostname",
            (v) => (services(v).jupyter.hostname = "jup_yter.example.com"),
            /site:services\.jupyter\.hostname: .* is not a host name/,
        ],
        [
            "unknown service",
            (v) => (services(v).grafana = { hostname: "grafana.example.com" }),
            /site:services\.grafana: unknown service \(the services are ghost, jupyter, portainer\); fix: pulumi config rm --path/,
        ],
        [
            "websocket host proxied while zone websockets are off",
            (v) => {
                v.zoneWebsockets = false;
                services(v).jupyter.proxied = true;
            },
            /site:services\.jupyter\.proxied: jupyter needs websockets.*fix: pulumi config set site:zoneWebsockets true/,
        ],
        ["image on a moving tag", (v) => (v.nginxImage = "nginx:latest"), /site:nginxImage: must be pinned to a version/],
        ["image without a tag", (v) => (v.ghostImage = "ghost"), /site:ghostImage: is not an image reference with a version tag/],
        ["SSH open to the world", (v) => (v.adminCidrs = ["0.0.0.0/0"]), /site:adminCidrs\[0\]: opens SSH to the whole internet/],
        ["CIDR prefix too long", (v) => (v.adminCidrs = ["203.0.113.0/33"]), /site:adminCidrs\[0\]: is not a CIDR range/],
        ["no admin range", (v) => (v.adminCidrs = []), /site:adminCidrs: needs at least one range/],
        ["no SSH key", (v) => (v.sshPublicKeys = []), /site:sshPublicKeys: needs at least one key/],
        [
            "a private key pasted as public",
            (v) => (v.sshPublicKeys = ["-----BEGIN OPENSSH PRIVATE KEY-----"]),
            /site:sshPublicKeys\[0\]: is not an OpenSSH public key/,
        ],
        [
            "key body that is not the named type",
            (v) => (v.sshPublicKeys = ["ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOC++5UF7BNYahyEl1FN6oUb1YIvenpOv27U78w/wIRQ me"]),
            /site:sshPublicKeys\[0\]/,
        ],
        ["SMTP port out of range", (v) => (v.smtpPort = 70000), /site:smtpPort: .*fix: pulumi config set site:smtpPort/],
        ["region that is not a slug", (v) => (v.region = "Frankfurt"), /site:region: is not a DigitalOcean region slug/],
        ["non-LTS image", (v) => (v.dropletImage = "ubuntu-25-10-x64"), /site:dropletImage: must be an Ubuntu LTS image slug/],
        ["misspelled key", (v) => (v.dropletSise = "s-1vcpu-1gb"), /site:dropletSise: unknown config key/],
        ["missing domain", (v) => delete v.domain, /site:domain: is required; fix: pulumi config set site:domain/],
        ["bad sender", (v) => (v.mailFrom = "noreply"), /site:mailFrom: is not a sender/],
        ["bad snapshot name", (v) => (v.snapshots = ["After Setup"]), /site:snapshots\[0\]: snapshot names are lower-case/],
    ])("%s", (_case, change, expected) => {
        expect(errorFor(change)).toMatch(expected);
    });

    it("reports every problem at once, not only the first", () => {
        const message = errorFor((v) => {
            v.domain = "nope";
            v.smtpPort = 0;
        });
        expect(message).toMatch(/site:domain/);
        expect(message).toMatch(/site:smtpPort/);
    });
});

describe("secrets", () => {
    const status = (overrides: Partial<Record<string, SecretStatus>>) => (name: string) => overrides[name] ?? "set";

    it("names each missing secret with the command that sets it, and the env variable where there is one", () => {
        expect(() => checkSecrets(status({ smtpPassword: "missing", digitaloceanToken: "missing" }))).toThrow(
            /digitalocean:token: secret is not set; fix: pulumi config set --secret digitalocean:token <value> \(or export DIGITALOCEAN_TOKEN\)\n.*site:smtpPassword: secret is not set/,
        );
    });

    it("never asks for the secrets the site makes itself", () => {
        expect(() =>
            checkSecrets(status({ mysqlPassword: "missing", jupyterToken: "missing", managementPassword: "missing" })),
        ).not.toThrow();
    });

    it("never asks for an optional secret, and still refuses one in plain text", () => {
        expect(() => checkSecrets(status({ alertSlackWebhook: "missing" }))).not.toThrow();
        expect(() => checkSecrets(status({ alertSlackWebhook: "plaintext" }))).toThrow(/site:alertSlackWebhook: is stored in plain text/);
    });

    it("refuses a secret written in plain text", () => {
        expect(() => checkSecrets(status({ jupyterToken: "plaintext" }))).toThrow(/site:jupyterToken: is stored in plain text/);
    });

    it("accepts a complete set", () => {
        expect(() => checkSecrets(status({}))).not.toThrow();
    });
});

describe("good config", () => {
    it("parses the prod stack", () => {
        const settings = parseSettings(prodValues());
        expect(settings.services.ghost).toEqual({ hostname: "example.com", proxied: true, allowFrom: "anywhere", allowFromSet: false });
    });

    it("makes websocket hosts DNS-only when proxied is not given", () => {
        const values = prodValues();
        delete services(values).jupyter.proxied;
        delete services(values).ghost.proxied;
        const settings = parseSettings(values);
        expect(settings.services.jupyter.proxied).toBe(false);
        expect(settings.services.ghost.proxied).toBe(true);
    });

    it("declares in Pulumi.yaml exactly the keys the program reads, and lists the generated and optional secrets in its comment", () => {
        const text = readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8");
        const declared = Object.keys((parse(text) as { config: object }).config).filter((k) => !k.includes(":"));
        // A secret cannot be declared without the CLI insisting on it (pulumi/pulumi#21865).
        const undeclared = secretNames
            .filter((name) => secretSources[name].generated || secretSources[name].optional)
            .map((name) => secretSources[name].key)
            .concat(appSecretsKey);
        expect([...declared, ...undeclared.map((key) => key.split(":")[1])].sort()).toEqual([...knownKeys].sort());
        for (const key of undeclared) expect(text).toMatch(new RegExp(`^#\\s+${key} `, "m"));
    });
});

describe("the mistakes a newcomer makes get Pulumi's own words and a fix that works", () => {
    it.each<[string, (v: Values) => void, string]>([
        [
            "a bad CIDR names the item as the CLI does, with --path",
            (v) => (v.adminCidrs = ["203.0.113.7"]),
            "site:adminCidrs[0]: is not a CIDR range like 203.0.113.7/32; fix: pulumi config set --path 'site:adminCidrs[0]' 203.0.113.7/32",
        ],
        [
            "a list item set without --path is not reported as a mere unknown key",
            (v) => (v["adminCidrs.0"] = "198.51.100.7/32"),
            `site:adminCidrs.0: is not a key: it was set without --path, so Pulumi stored a key named "adminCidrs.0"; fix: pulumi config rm site:adminCidrs.0 && pulumi config set --path 'site:adminCidrs[0]' 203.0.113.7/32`,
        ],
        [
            "one SSH key given as a string",
            (v) => (v.sshPublicKeys = "ssh-ed25519 AAAA me@laptop"),
            `site:sshPublicKeys: must be a list, not the text "ssh-ed25519 AAAA me@laptop": put each key on its own line under site:sshPublicKeys in the stack file ("  - <key>"), or set them one by one; fix: pulumi config set --path 'site:sshPublicKeys[0]' "$(cat ~/.ssh/id_ed25519.pub)"`,
        ],
        [
            "a misspelled key",
            (v) => (v.dropletSise = "s-1vcpu-1gb"),
            "site:dropletSise: unknown config key; did you mean dropletSize? (the keys are in Pulumi.yaml); fix: pulumi config rm site:dropletSise",
        ],
        [
            "a misspelled service setting",
            (v) => ((services(v).jupyter as Record<string, unknown>).proxyed = false),
            "site:services.jupyter.proxyed: unknown setting; did you mean proxied? (the settings are hostname, proxied, allowFrom); fix: pulumi config rm --path 'site:services.jupyter.proxyed'",
        ],
        [
            "a misspelled service",
            (v) => (services(v).ghsot = { hostname: "ghost.example.com" }),
            "site:services.ghsot: unknown service; did you mean ghost? (the services are ghost, jupyter, portainer); fix: pulumi config rm --path 'site:services.ghsot'",
        ],
        [
            "a word where a number goes",
            (v) => (v.dataVolumeSizeGb = "twenty"),
            `site:dataVolumeSizeGb: must be a number, not the text "twenty"; fix: pulumi config set site:dataVolumeSizeGb 20`,
        ],
        [
            "yes for a boolean",
            (v) => (v.dropletBackups = "yes"),
            `site:dropletBackups: must be true or false, not the text "yes"; fix: pulumi config set site:dropletBackups true`,
        ],
        [
            "a port out of range",
            (v) => (v.smtpPort = 70000),
            "site:smtpPort: must be a port number from 1 to 65535; fix: pulumi config set site:smtpPort 2525",
        ],
        [
            "no SSH key at all",
            (v) => delete v.sshPublicKeys,
            `site:sshPublicKeys: is required; fix: pulumi config set --path 'site:sshPublicKeys[0]' "$(cat ~/.ssh/id_ed25519.pub)"`,
        ],
    ])("%s", (_case, change, line) => {
        expect(errorFor(change).split("\n")).toContain(`  - ${line}`);
    });

    it.each<[string, unknown, unknown]>([
        ["dataVolumeSizeGb", "20", 20],
        ["dropletBackups", "true", true],
        ["smtpPort", "587", 587],
        ["restoreDropletSnapshot", 123456, "123456"],
        ["adminCidrs", '["198.51.100.7/32"]', ["198.51.100.7/32"]],
    ])("reads %s given as %j (as the CLI stores it, or as YAML types it) as %j", (key, given, read) => {
        expect(parseSettings({ ...prodValues(), [key]: given })[key as keyof Settings]).toEqual(read);
    });

    it("names the file, line and column of a YAML slip", () => {
        const dir = mkdtempSync(join(tmpdir(), "site-yaml-"));
        try {
            copyFileSync(join(repoRoot, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
            writeFileSync(
                join(dir, "Pulumi.slip.yaml"),
                "config:\n  site:domain: example.com\n  site:region:fra1\n   site:dropletSize: s-1vcpu-2gb\n",
            );
            expect(() => readStackFiles("slip", dir)).toThrow(
                /Pulumi\.slip\.yaml:3:3: Implicit keys need to be on a single line; fix: edit line 3 of Pulumi\.slip\.yaml \(indent with spaces/,
            );
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

it("gives each service not named the hostname a newcomer would: the blog at the domain, the others below it", () => {
    const values = prodValues();
    values.services = {}; // Pulumi.yaml's default, when the stack names none
    values.domain = "myblog.dev";
    expect(parseSettings(values).services).toEqual({
        ghost: { hostname: "myblog.dev", proxied: true, allowFrom: "anywhere", allowFromSet: false },
        jupyter: { hostname: "jupyter.myblog.dev", proxied: false, allowFrom: "anywhere", allowFromSet: false },
        // The management UI is root on the host: only the addresses that may reach SSH may see its login.
        portainer: { hostname: "portainer.myblog.dev", proxied: false, allowFrom: values.adminCidrs, allowFromSet: false },
    });
});

describe("who may reach each host (site:services.<name>.allowFrom)", () => {
    it("defaults to the stack's adminCidrs for the management UI, to anywhere for Jupyter and the blog", () => {
        const settings = parseSettings(prodValues());
        expect(settings.services.portainer.allowFrom).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
        expect(settings.services.jupyter.allowFrom).toBe("anywhere");
        expect(settings.services.ghost.allowFrom).toBe("anywhere");
    });

    it("takes a list of ranges, or anywhere, per service, as the stack file or the CLI gives it", () => {
        const values = prodValues();
        services(values).portainer.allowFrom = "anywhere";
        services(values).jupyter.allowFrom = ["198.51.100.7/32", "2001:db8:1::/48"];
        const settings = parseSettings(values);
        expect(settings.services.portainer).toMatchObject({ allowFrom: "anywhere", allowFromSet: true });
        expect(settings.services.jupyter).toMatchObject({ allowFrom: ["198.51.100.7/32", "2001:db8:1::/48"], allowFromSet: true });
        values.services = JSON.stringify({ portainer: { hostname: "portainer.example.com", allowFrom: ["198.51.100.7/32"] } });
        expect(parseSettings(values).services.portainer.allowFrom).toEqual(["198.51.100.7/32"]);
    });

    it.each<[string, unknown, string]>([
        [
            "a range that is no CIDR",
            ["198.51.100.7"],
            "site:services.portainer.allowFrom[0]: is not a CIDR range like 203.0.113.7/32; fix: pulumi config set --path 'site:services.portainer.allowFrom[0]' 203.0.113.7/32",
        ],
        [
            "the whole internet as a range, not said as anywhere",
            ["0.0.0.0/0"],
            "site:services.portainer.allowFrom[0]: lets the whole internet in; say so with allowFrom: anywhere instead; fix: pulumi config set --path 'site:services.portainer.allowFrom[0]' 203.0.113.7/32",
        ],
        [
            "an empty list",
            [],
            "site:services.portainer.allowFrom: lets nobody in; list the ranges that may reach the host, or set allowFrom: anywhere; fix: pulumi config set --path 'site:services.portainer.allowFrom[0]' 203.0.113.7/32, or pulumi config set --path 'site:services.portainer.allowFrom' anywhere",
        ],
        [
            "another word than anywhere",
            "everyone",
            "site:services.portainer.allowFrom: must be a list of CIDR ranges like 203.0.113.7/32, or the word anywhere; fix: pulumi config set --path 'site:services.portainer.allowFrom[0]' 203.0.113.7/32, or pulumi config set --path 'site:services.portainer.allowFrom' anywhere",
        ],
    ])("refuses %s, naming the key and the fix", (_case, allowFrom, line) => {
        expect(errorFor((v) => (services(v).portainer.allowFrom = allowFrom)).split("\n")).toContain(`  - ${line}`);
    });
});

describe("alert thresholds", () => {
    it("default to values for a small personal site", () => {
        expect(parseSettings(prodValues()).alertThresholds).toEqual({
            cpuPercent: 90,
            memoryPercent: 90,
            diskPercent: 85,
            dataVolumePercent: 85,
            latencyMs: 3000,
            certificateDays: 14,
        });
    });

    it("change one at a time, and a misspelled one gets a did-you-mean", () => {
        expect(parseSettings({ ...prodValues(), alertThresholds: { cpuPercent: 80 } }).alertThresholds.cpuPercent).toBe(80);
        expect(errorFor((v) => (v.alertThresholds = { cpuPercnt: 80 })).split("\n")).toContain(
            "  - site:alertThresholds.cpuPercnt: unknown setting; did you mean cpuPercent? (the settings are cpuPercent, memoryPercent, diskPercent, dataVolumePercent, latencyMs, certificateDays); fix: pulumi config rm --path 'site:alertThresholds.cpuPercnt'",
        );
    });
});
