// What watches the site from outside, as the engine receives it: every uptime check with its target,
// every alert with its threshold and where it goes (one table), thresholds changed per stack, Slack
// only with its secret (which stays secret), nothing on the local target, and the warnings when an
// alert would reach nobody.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderUptimeChecks } from "../../render/monitoring";
import { evaluate, Evaluation } from "../harness/evaluate";
import { exampleAppSecrets, outsideSecrets, prodSettings, repoRoot, testSecrets, withApps } from "../harness/fixtures";
import { planUpdate } from "../harness/planEngine";
import { types } from "../harness/resourceTypes";

type Values = Record<string, unknown>;
interface Slack {
    channel: string;
    url: string;
}
interface Destinations {
    emails?: string[];
    slacks?: Slack[];
}

const withoutSlack = Object.fromEntries(Object.entries(testSecrets).filter(([name]) => name !== "alertSlackWebhook"));
const slackChannel = (v: Values) => (v.alertSlackChannel = "#site-alerts");

/** What the program warns about alert destinations (the example's address is a placeholder, warned about apart). */
const alertWarnings = (site: Evaluation) =>
    site.warnings.filter((w) => w.startsWith("site:alert") && !w.includes("still the example's value"));

/** Where an alert goes, in words: its addresses, then its Slack channels. */
const destination = ({ emails = [], slacks = [] }: Destinations): string =>
    [...emails, ...slacks.map((slack) => `slack ${slack.channel}`)].join(", ");

interface UptimeAlertInputs {
    type: string;
    threshold?: number;
    comparison?: string;
    period: string;
    checkId: string;
    notifications: Destinations[];
}
interface MonitorAlertInputs {
    type: string;
    compare: string;
    value: number;
    window: string;
    alerts: Destinations;
}

/** Every alert of a stack: what it watches, its threshold, where it goes. */
function alertTable(site: Evaluation): string[][] {
    const targets = new Map(site.all(types.uptimeCheck).map((check) => [check.id, String(check.inputs.target)]));
    const uptime = site.all(types.uptimeAlert).map((alert) => {
        const { type, threshold, comparison, period, checkId, notifications } = alert.inputs as unknown as UptimeAlertInputs;
        const limit = threshold === undefined ? `for ${period}` : `${comparison === "greater_than" ? ">" : "<"} ${threshold}`;
        return [alert.name, `${targets.get(checkId)} ${type}`, limit, destination(notifications[0])];
    });
    const droplet = site.all(types.monitorAlert).map((alert) => {
        const { type, compare, value, window, alerts } = alert.inputs as unknown as MonitorAlertInputs;
        return [alert.name, type, `${compare === "GreaterThan" ? ">" : "<"} ${value} for ${window}`, destination(alerts)];
    });
    return [...uptime, ...droplet];
}

describe("the prod stack", () => {
    let site: Evaluation;
    beforeAll(async () => {
        // The example stack's address; the webhook is set but no channel (see below).
        site = await evaluate();
    });

    it("checks every public URL over HTTPS from every region, at a path that answers 200 with no login and no cache in front", () => {
        const checks = site.all(types.uptimeCheck).map((check) => [check.name, check.inputs.type, check.inputs.target]);
        expect(checks).toEqual([
            ["site-ghost", "https", "https://example.com/ghost/api/admin/site/"],
            ["site-data-volume", "https", "https://example.com/.well-known/site-health"],
            ["site-jupyter", "https", "https://jupyter.example.com/api"],
            ["site-portainer", "https", "https://portainer.example.com/.well-known/site-health"],
        ]);
        for (const check of site.all(types.uptimeCheck)) {
            expect(check.inputs.regions).toEqual(["us_east", "us_west", "eu_west", "se_asia"]);
            expect(check.inputs.enabled).toBe(true);
        }
    });

    it("states for each check what it expects and why that path, as docs/operations.md does", () => {
        const operations = readFileSync(join(repoRoot, "docs/operations.md"), "utf8");
        const checks = renderUptimeChecks(prodSettings());
        expect(checks.map((check) => check.url)).toEqual(site.all(types.uptimeCheck).map((check) => check.inputs.target));
        for (const check of checks) {
            expect([check.name, check.expects, check.why.length > 60]).toEqual([check.name, 200, true]);
            const path = new URL(check.url).pathname;
            expect([check.name, operations.includes(`${path}\` | ${check.expects}`)]).toEqual([check.name, true]);
        }
    });

    it("sends every alert, each with its threshold, to the stack's addresses", () => {
        const to = "admin@example.com";
        expect(alertTable(site)).toEqual([
            ["site-ghost-down", "https://example.com/ghost/api/admin/site/ down_global", "for 5m", to],
            ["site-ghost-latency", "https://example.com/ghost/api/admin/site/ latency", "> 3000", to],
            ["site-ghost-ssl-expiry", "https://example.com/ghost/api/admin/site/ ssl_expiry", "< 14", to],
            ["site-data-volume-down", "https://example.com/.well-known/site-health down_global", "for 5m", to],
            ["site-jupyter-down", "https://jupyter.example.com/api down_global", "for 5m", to],
            ["site-jupyter-latency", "https://jupyter.example.com/api latency", "> 3000", to],
            ["site-jupyter-ssl-expiry", "https://jupyter.example.com/api ssl_expiry", "< 14", to],
            ["site-portainer-down", "https://portainer.example.com/.well-known/site-health down_global", "for 5m", to],
            ["site-portainer-latency", "https://portainer.example.com/.well-known/site-health latency", "> 3000", to],
            ["site-portainer-ssl-expiry", "https://portainer.example.com/.well-known/site-health ssl_expiry", "< 14", to],
            ["site-cpu", "v1/insights/droplet/cpu", "> 90 for 10m", to],
            ["site-memory", "v1/insights/droplet/memory_utilization_percent", "> 90 for 10m", to],
            ["site-disk", "v1/insights/droplet/disk_utilization_percent", "> 85 for 10m", to],
        ]);
    });

    it("names each alert for what it means, with the stack's name", () => {
        expect(site.one(types.uptimeAlert, "site-data-volume-down").inputs.name).toBe(
            "prod the data volume's room: 85% full or more, or the blog's host not answering, for 5 minutes",
        );
        expect(site.one(types.uptimeAlert, "site-ghost-latency").inputs.name).toBe("prod the blog: slower than 3000 ms for 10 minutes");
        expect(site.one(types.monitorAlert, "site-disk").inputs.description).toMatch(
            /^prod droplet: the droplet's own disk above 85% full/,
        );
    });

    it("watches the droplet the site runs on", () => {
        const dropletId = site.one(types.droplet).id;
        for (const alert of site.all(types.monitorAlert)) expect([alert.name, alert.inputs.entities]).toEqual([alert.name, [dropletId]]);
        // The droplet's metrics come from DigitalOcean's agent, which this installs at creation.
        expect(site.one(types.droplet).inputs.monitoring).toBe(true);
    });

    it("alerts on each check's own id, and starts watching once the apps and their DNS records are there", () => {
        const ids = new Map(site.all(types.uptimeCheck).map((check) => [check.name, check.id]));
        for (const alert of site.all(types.uptimeAlert)) {
            expect([alert.name, alert.inputs.checkId]).toEqual([
                alert.name,
                ids.get(alert.name.replace(/-(down|latency|ssl-expiry)$/, "")),
            ]);
        }
        expect(site.one(types.monitoring).dependsOn).toEqual([site.one(types.apps).urn, site.one(types.cloudflareZone).urn]);
    });

    it("warns that the webhook alone is not enough: Slack is left out until the channel is set", () => {
        expect(alertWarnings(site)).toContainEqual(
            expect.stringMatching(
                /^site:alertSlackChannel: site:alertSlackWebhook is set but the channel is empty.*; fix: pulumi config set site:alertSlackChannel/,
            ),
        );
        for (const alert of site.all(types.uptimeAlert)) expect((alert.inputs.notifications as Destinations[])[0].slacks).toEqual([]);
    });
});

it("takes the thresholds from the stack, each on its own; the others keep their defaults", async () => {
    const site = await evaluate({
        change: (v) => (v.alertThresholds = { cpuPercent: 75, latencyMs: 1500, certificateDays: 21, dataVolumePercent: 70 }),
    });
    const limits = Object.fromEntries(alertTable(site).map(([name, , limit]) => [name, limit]));
    expect(limits).toMatchObject({
        "site-ghost-latency": "> 1500",
        "site-jupyter-ssl-expiry": "< 21",
        "site-cpu": "> 75 for 10m",
        "site-memory": "> 90 for 10m",
        "site-disk": "> 85 for 10m",
    });
    expect(site.one(types.uptimeAlert, "site-data-volume-down").inputs.name).toMatch(/: 70% full or more/);
});

describe("declared apps", () => {
    it("are watched like the management host: each app's host at its site-health path, with the same three alerts", async () => {
        const site = await evaluate({ change: withApps, appSecrets: exampleAppSecrets });
        const checks = site.all(types.uptimeCheck).map((check) => [check.name, check.inputs.target]);
        expect(checks.slice(4)).toEqual([
            ["site-app-uptime", "https://status.example.com/.well-known/site-health"],
            ["site-app-links", "https://links.example.com/.well-known/site-health"],
        ]);
        const alerts = site.all(types.uptimeAlert).map((alert) => alert.name);
        for (const app of ["uptime", "links"])
            expect(alerts.filter((name) => name.startsWith(`site-app-${app}-`)).sort()).toEqual(
                [`site-app-${app}-down`, `site-app-${app}-latency`, `site-app-${app}-ssl-expiry`].sort(),
            );
    });
});

describe("Slack", () => {
    it("gets every alert when the webhook and its channel are set, and the webhook stays a secret", async () => {
        const site = await evaluate({ change: slackChannel });
        const slack = [{ channel: "#site-alerts", url: testSecrets.alertSlackWebhook }];
        const alerts = [...site.all(types.uptimeAlert), ...site.all(types.monitorAlert)];
        expect(alerts).toHaveLength(13);
        for (const alert of site.all(types.uptimeAlert)) {
            expect([alert.name, alert.inputs.notifications]).toEqual([alert.name, [{ emails: ["admin@example.com"], slacks: slack }]]);
            expect([alert.name, alert.secretInputs]).toEqual([alert.name, ["notifications"]]);
        }
        for (const alert of site.all(types.monitorAlert)) {
            expect([alert.name, alert.inputs.alerts]).toEqual([alert.name, { emails: ["admin@example.com"], slacks: slack }]);
            expect([alert.name, alert.secretInputs]).toEqual([alert.name, ["alerts"]]);
        }
        expect(alertWarnings(site)).toEqual([]);
    });

    it("is the only destination when the stack has no address", async () => {
        const site = await evaluate({ change: (v) => (slackChannel(v), (v.alertEmails = [])) });
        expect(new Set(alertTable(site).map(([, , , to]) => to))).toEqual(new Set(["slack #site-alerts"]));
    });

    it("gets nothing without the webhook, whatever the channel", async () => {
        const site = await evaluate({ change: slackChannel, secrets: withoutSlack });
        expect(new Set(alertTable(site).map(([, , , to]) => to))).toEqual(new Set(["admin@example.com"]));
        for (const alert of site.all(types.uptimeAlert)) expect(alert.secretInputs).toEqual([]);
    });
});

describe("with nowhere to send an alert", () => {
    let site: Evaluation;
    beforeAll(async () => {
        site = await evaluate({ change: (v) => (v.alertEmails = []), secrets: withoutSlack });
    });

    it("still runs the checks, and makes no alert (DigitalOcean's alerts need a destination)", () => {
        expect(site.all(types.uptimeCheck)).toHaveLength(4);
        expect([...site.all(types.uptimeAlert), ...site.all(types.monitorAlert)]).toEqual([]);
    });

    it("warns at preview that nobody is told, with the fix", () => {
        expect(site.warnings).toContainEqual(
            expect.stringMatching(
                /^site:alertEmails: no address and no Slack webhook: .*nobody is told when the site is down; fix: pulumi config set --path 'site:alertEmails\[0\]' /,
            ),
        );
    });
});

it("watches nothing on the local target: no account to alert from, and no warning about it", async () => {
    const site = await evaluate({ stack: "local", secrets: outsideSecrets });
    expect(site.resources.filter((r) => r.type.startsWith("digitalocean:") || r.type === types.monitoring)).toEqual([]);
    expect(alertWarnings(site)).toEqual([]);
});

it("follows a new droplet by updating its alert policies in place; the checks are left alone", async () => {
    const allowReplacement = (v: Values) => (v.allowDropletReplacement = true);
    const before = await evaluate({ change: allowReplacement });
    const plan = await planUpdate(before, {
        change: (v) => {
            allowReplacement(v);
            v.dropletImage = "ubuntu-26-04-x64";
        },
    });
    const watching = plan.steps.filter((s) => [types.uptimeCheck, types.uptimeAlert, types.monitorAlert].includes(s.type));
    expect(watching.map((s) => [s.op, s.name])).toEqual([
        ["update", "site-cpu"],
        ["update", "site-memory"],
        ["update", "site-disk"],
    ]);
    const next = plan.next!;
    expect(next.one(types.monitorAlert, "site-cpu").inputs.entities).toEqual([next.one(types.droplet).id]);
});
