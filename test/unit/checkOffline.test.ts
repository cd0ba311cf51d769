// The preflight's offline half, as a table: the example's placeholders, secrets, and the monthly cost.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findPlaceholders } from "../../config/placeholders";
import { parseSettings, SecretName, secretNames, SecretStatus } from "../../config/schema";
import { readStackFiles, StackFileConfig } from "../../config/stackFiles";
import { Finding } from "../../check/finding";
import { offlineFindings } from "../../check/offline";
import { evaluate } from "../harness/evaluate";
import { prodValues, repoRoot } from "../harness/fixtures";

type Values = Record<string, unknown>;

function withDomain(values: Values, domain: string): void {
    values.domain = domain;
    values.services = {
        ghost: { hostname: domain },
        jupyter: { hostname: `jupyter.${domain}` },
        portainer: { hostname: `portainer.${domain}` },
    };
}

/** A prod stack with every placeholder replaced by a value a real user would have. */
function ownValues(): Values {
    const values = prodValues();
    withDomain(values, "myblog.dev");
    values.adminCidrs = ["192.168.7.0/24"];
    values.sshPublicKeys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOC++5UF7BNYahyEl1FN6oUb1YIvenpOv27U78w/wIRQ me@laptop"];
    values.smtpHost = "smtp.eu.mailgun.org";
    values.smtpUser = "postmaster@mg.myblog.dev";
    values.mailFrom = "Blog <noreply@myblog.dev>";
    values.acmeEmail = "me@myblog.dev";
    values.alertEmails = ["me@myblog.dev"];
    // Every secret is set below, the Slack webhook too, which goes with its channel.
    values.alertSlackChannel = "#alerts";
    return values;
}

const allSet = Object.fromEntries(secretNames.map((name) => [name, "set"])) as Record<SecretName, SecretStatus>;
const stackWith = (values: Values, secrets: Partial<Record<SecretName, SecretStatus>> = {}): StackFileConfig => ({
    values,
    secrets: { ...allSet, ...secrets },
    appSecrets: {},
    all: {},
});
const findings = (values: Values, secrets: Partial<Record<SecretName, SecretStatus>> = {}, env: Record<string, string> = {}): Finding[] =>
    offlineFindings(parseSettings(values), stackWith(values, secrets), env);
const blockers = (list: Finding[]) => list.filter((f) => f.severity === "blocker").map((f) => f.subject);

describe("placeholders", () => {
    it("finds none in a stack with the user's own values", () => {
        expect(blockers(findings(ownValues()))).toEqual([]);
    });

    it.each<[string, (v: Values) => void, string]>([
        ["the example domain", (v) => withDomain(v, "example.com"), "site:domain"],
        ["a reserved test domain", (v) => withDomain(v, "site.test"), "site:domain"],
        ["a documentation IPv4 range", (v) => (v.adminCidrs = ["192.168.7.0/24", "198.51.100.7/32"]), "site:adminCidrs[1]"],
        ["a documentation IPv6 range", (v) => (v.adminCidrs = ["2001:db8:1::/48"]), "site:adminCidrs[0]"],
        ["the sample SSH key", (v) => (v.sshPublicKeys = (prodValues().sshPublicKeys as string[]).slice(0, 1)), "site:sshPublicKeys[0]"],
        ["an SMTP user at an example domain", (v) => (v.smtpUser = "postmaster@mg.example.com"), "site:smtpUser"],
        ["a sender at an example domain", (v) => (v.mailFrom = "Blog <noreply@example.org>"), "site:mailFrom"],
        ["a Let's Encrypt address at an example domain", (v) => (v.acmeEmail = "admin@example.net"), "site:acmeEmail"],
        ["an alert address at an example domain", (v) => (v.alertEmails = ["me@myblog.dev", "ops@example.org"]), "site:alertEmails[1]"],
    ])("blocks %s, naming the key as Pulumi does", (_case, change, subject) => {
        const values = ownValues();
        change(values);
        expect(blockers(findings(values))).toEqual([subject]);
    });

    it("finds every value the example stacks mark `# replace`, and only those", () => {
        for (const stack of ["prod", "staging"]) {
            const text = readFileSync(join(repoRoot, `Pulumi.${stack}.yaml`), "utf8");
            const found = findPlaceholders(parseSettings(readStackFiles(stack, repoRoot).values));
            const values = found.map((p) => p.key.replace(/^site:/, ""));
            for (const key of values) {
                const [head, index] = key.split(/\[|\]/);
                const marked = text
                    .split("\n")
                    .filter((line) => / # replace/.test(line) && !line.trim().startsWith("#"))
                    .map((line) => line.replace(/ # replace.*$/, "").trim());
                const value = index === undefined ? `site:${head}: ` : "- ";
                expect([stack, key, marked.some((line) => line.startsWith(value))]).toEqual([stack, key, true]);
            }
            // Hostnames are marked too; they follow the domain, so the check names the domain alone.
            const markedLines = text.split("\n").filter((line) => / # replace/.test(line) && !line.trim().startsWith("#")).length;
            const hostnames = text.split("\n").filter((line) => /hostname: .*# replace/.test(line)).length;
            expect([stack, markedLines - hostnames]).toEqual([stack, found.length]);
        }
    });

    it("are warned about by pulumi preview, each with its fix", async () => {
        const site = await evaluate();
        const warned = site.warnings.filter((w) => w.includes("still the example's value"));
        expect(warned.map((w) => w.split(":").slice(0, 2).join(":")).sort()).toEqual(
            findPlaceholders(parseSettings(prodValues()))
                .map((p) => p.key)
                .sort(),
        );
        expect(warned).toContainEqual(expect.stringMatching(/^site:domain: .*; fix: pulumi config set site:domain <your domain>$/));
    });
});

describe("secrets", () => {
    it.each<[string, Partial<Record<SecretName, SecretStatus>>, Record<string, string>, string[]]>([
        ["all set", {}, {}, []],
        ["the SMTP password missing", { smtpPassword: "missing" }, {}, ["site:smtpPassword"]],
        ["a token missing but in its environment variable", { digitaloceanToken: "missing" }, { DIGITALOCEAN_TOKEN: "x" }, []],
        ["a token missing everywhere", { cloudflareApiToken: "missing" }, {}, ["cloudflare:apiToken"]],
        ["the generated ones missing", { mysqlPassword: "missing", jupyterToken: "missing", managementPassword: "missing" }, {}, []],
        ["a password in plain text", { mysqlPassword: "plaintext" }, {}, ["site:mysqlPassword"]],
    ])("%s", (_case, secrets, env, expected) => {
        expect(blockers(findings(ownValues(), secrets, env))).toEqual(expected);
    });

    it("says where a generated secret is, and how to set a missing one", () => {
        const list = findings(ownValues(), { mysqlPassword: "missing", smtpPassword: "missing" });
        expect(list.find((f) => f.subject === "site:mysqlPassword")).toMatchObject({
            severity: "info",
            why: expect.stringContaining("pulumi stack output logins --show-secrets"),
        });
        expect(list.find((f) => f.subject === "site:smtpPassword")?.fix).toBe("pulumi config set --secret site:smtpPassword <value>");
    });

    it("blocks a restore that does not bring the old stack's passwords", () => {
        const values = { ...ownValues(), restoreVolumeSnapshot: "0d1a5e5c-6f0a-4c6b-9a43-4d5e6f708192" };
        expect(blockers(findings(values, { mysqlPassword: "missing", managementPassword: "missing" }))).toEqual([
            "site:mysqlPassword",
            "site:managementPassword",
        ]);
        expect(blockers(findings(values))).toEqual([]);
    });
});

describe("alerts", () => {
    const about = (list: Finding[], subject: string) => list.filter((f) => f.subject === subject);

    it("warns when no alert can reach anyone: no address, no Slack", () => {
        const list = findings({ ...ownValues(), alertEmails: [] }, { alertSlackWebhook: "missing" });
        expect(about(list, "site:alertEmails")).toEqual([
            expect.objectContaining({
                severity: "warning",
                what: expect.stringContaining("the uptime checks run without alerts"),
                fix: expect.stringContaining("pulumi config set --path 'site:alertEmails[0]'"),
            }),
        ]);
        expect(blockers(list)).toEqual([]);
    });

    it("is content with Slack alone", () => {
        expect(about(findings({ ...ownValues(), alertEmails: [] }), "site:alertEmails")).toEqual([]);
    });

    it("blocks a Slack webhook without its channel: the stack asked for Slack and would not get it", () => {
        const list = findings({ ...ownValues(), alertSlackChannel: "" });
        expect(blockers(list)).toEqual(["site:alertSlackChannel"]);
        expect(about(list, "site:alertSlackChannel")[0].fix).toBe(
            "pulumi config set site:alertSlackChannel '#alerts' (the channel the webhook posts to)",
        );
    });

    it("says the webhook is optional when it is not set", () => {
        const list = findings(ownValues(), { alertSlackWebhook: "missing" });
        expect(about(list, "site:alertSlackWebhook")).toEqual([expect.objectContaining({ severity: "info" })]);
        expect(blockers(list)).toEqual([]);
    });

    it("has nothing to say for the local target, which has no alerts", () => {
        const local = readStackFiles("local", repoRoot);
        const list = offlineFindings(parseSettings(local.values), local, {});
        expect(list.filter((f) => f.subject.startsWith("site:alert"))).toEqual([]);
    });
});

describe("cost", () => {
    const cost = (change: (v: Values) => void = () => undefined) => {
        const values = ownValues();
        change(values);
        return findings(values).filter((f) => f.subject === "cost" || f.severity === "warning");
    };

    it.each<[string, (v: Values) => void, RegExp]>([
        [
            "the example's droplet, volume and uptime checks",
            () => undefined,
            /^about \$29\.00 a month: droplet s-2vcpu-4gb \$24\.00, data volume 10 GB \$1\.00, 4 uptime checks .* \$4\.00/,
        ],
        [
            "weekly backups add 20% of the droplet",
            (v) => (v.dropletBackups = true),
            /^about \$33\.80 a month: .*weekly droplet backups .* \$4\.80/,
        ],
        [
            "a snapshot pair, at most droplet + volume",
            (v) => (v.snapshots = ["after-setup"]),
            /^about \$29\.96 a month: .*1 snapshot pair \(after-setup\), at most ~16 GB/,
        ],
        ["a bigger volume", (v) => (v.dataVolumeSizeGb = 100), /^about \$38\.00 a month/],
    ])("%s", (_case, change, expected) => {
        expect(cost(change)[0].what).toMatch(expected);
    });

    it("says the prices' date", () => {
        expect(cost()[0].why).toMatch(/DigitalOcean's prices as of \d{4}-\d\d-\d\d/);
    });

    it("warns that snapshots are paid from the next up, and that a size outside the table is left out", () => {
        expect(cost((v) => (v.snapshots = ["after-setup"])).map((f) => f.subject)).toEqual(["cost", "site:snapshots"]);
        const unknown = cost((v) => (v.dropletSize = "c-4"));
        expect(unknown[0].what).toMatch(/^about \$5\.00 a month plus the droplet/);
        expect(unknown[1]).toMatchObject({ severity: "warning", subject: "site:dropletSize" });
    });
});
