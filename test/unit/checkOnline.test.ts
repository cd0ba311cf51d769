// The online preflight against loopback stand-ins of Cloudflare's trace and API, DigitalOcean's API
// and SMTP servers: each failure gives a blocker naming what, why and the exact fix; good inputs
// give an info line per check; the DNS probe leaves no record and no setting changes, the purge probe
// purges only a host that serves nothing.
import { acmeTokenPermissions, deployTokenPermissions } from "../../config/cloudflarePermissions";
import { parseSettings, Settings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { Finding } from "../../check/finding";
import { Endpoints, onlineFindings, OnlineInputs, probeRecordName } from "../../check/online";
import {
    closedPort,
    cloudflareStandIn,
    CloudflareStandIn,
    digitaloceanStandIn,
    EntryPointRuleset,
    Listening,
    makeCertificates,
    removeDir,
    smtpStandIn,
    traceStandIn,
} from "./onlineStandIns";

const names = (permissions: readonly { name: string }[]) => permissions.map((p) => p.name);
const without = (name: string) => names(deployTokenPermissions).filter((n) => n !== name);

const tokens = { digitaloceanToken: "do-good", cloudflareApiToken: "cf-deploy", acmeDnsToken: "cf-acme" };

let trace: Listening & { ip: string };
let digitalocean: Listening;
let cloudflare: CloudflareStandIn;
let smtpWithTls: Listening;
let smtpWithoutTls: Listening;
let certificates: ReturnType<typeof makeCertificates>;
let nothingListening: number;
let endpoints: Endpoints;
let settings: Settings;

beforeAll(async () => {
    certificates = makeCertificates();
    [trace, digitalocean, cloudflare, smtpWithTls, smtpWithoutTls, nothingListening] = await Promise.all([
        traceStandIn(),
        digitaloceanStandIn({
            "do-good": { email: "you@example.com", status: "active" },
            "do-locked": { email: "you@example.com", status: "locked" },
        }),
        cloudflareStandIn("example.com", {
            "cf-deploy": { permissions: names(deployTokenPermissions) },
            "cf-deploy-no-settings": { permissions: without("Zone / Zone Settings / Edit") },
            "cf-deploy-no-dns": { permissions: without("Zone / DNS / Edit") },
            "cf-deploy-no-cache-rules": { permissions: without("Zone / Cache Rules / Edit") },
            "cf-deploy-no-purge": { permissions: without("Zone / Cache Purge / Purge") },
            "cf-disabled": { permissions: names(deployTokenPermissions), status: "disabled" },
            "cf-acme": { permissions: names(acmeTokenPermissions) },
            "cf-acme-too-much": { permissions: [...names(acmeTokenPermissions), "Zone / Zone Settings / Edit"] },
            "cf-acme-no-dns": { permissions: ["Zone / Zone / Read"] },
        }),
        smtpStandIn(certificates, true),
        smtpStandIn(certificates, false),
        closedPort(),
    ]);
    endpoints = { digitalocean: digitalocean.url, cloudflare: `${cloudflare.url}/client/v4`, trace: `${trace.url}/cdn-cgi/trace` };
    settings = { ...parseSettings(readStackFiles("prod").values), smtpHost: "localhost", smtpPort: smtpWithTls.port };
});

afterAll(async () => {
    await Promise.all([trace, digitalocean, cloudflare, smtpWithTls, smtpWithoutTls].map((server) => server?.close()));
    if (certificates) removeDir(certificates.dir);
});

beforeEach(() => {
    trace.ip = "203.0.113.7";
    cloudflare.failDeletes = false;
    for (const phase of Object.keys(cloudflare.entryPoints)) delete cloudflare.entryPoints[phase];
    cloudflare.purges.splice(0);
});

/** A zone entry point as Cloudflare returns it; the dashboard names its own "default", with no description. */
const entryPoint = (
    phase: string,
    description: string,
    rules: { description: string; expression: string }[],
    name = "default",
): EntryPointRuleset => ({
    id: phase === "http_request_cache_settings" ? "6a2dd1b1bd0f4b8c9f3e1a7c5d0e2f41" : "b3c1f0e2a9d84e6f8a1b2c3d4e5f6a7b",
    name,
    description,
    kind: "zone",
    phase,
    version: "3",
    last_updated: "2026-11-01T10:00:00.000000Z",
    rules: rules.map((rule, index) => ({ id: `rule${index + 1}`, action: "set_cache_settings", enabled: true, ...rule })),
});
const dashboardCacheRule = entryPoint("http_request_cache_settings", "", [
    { description: "Cache images", expression: '(http.request.uri.path.extension eq "jpg")' },
]);
const ownCacheRule = entryPoint(
    "http_request_cache_settings",
    "The blog's public pages at the edge, managed by Pulumi (site/prod)",
    [{ description: "Ghost's public pages", expression: 'http.host eq "example.com"' }],
    "Cache rules",
);

interface Change {
    settings?: Partial<Settings>;
    tokens?: OnlineInputs["tokens"];
    endpoints?: Partial<Endpoints>;
    smtpCa?: string | null;
    ip?: string;
    /** The zone's entry points by phase, as the dashboard or an earlier deploy left them. */
    entryPoints?: Record<string, EntryPointRuleset>;
}

async function check(change: Change = {}): Promise<Finding[]> {
    if (change.ip) trace.ip = change.ip;
    if (change.entryPoints) Object.assign(cloudflare.entryPoints, change.entryPoints);
    return onlineFindings({
        settings: { ...settings, ...change.settings },
        tokens: { ...tokens, ...change.tokens },
        endpoints: { ...endpoints, ...change.endpoints },
        smtpCa: change.smtpCa === null ? undefined : certificates.ca,
        timeoutMs: 3000,
    });
}

const of = (findings: Finding[], severity: Finding["severity"]) => findings.filter((f) => f.severity === severity);

describe("the online preflight", () => {
    it("finds nothing wrong with good inputs, and says what it checked", async () => {
        const findings = await check();
        expect(of(findings, "blocker")).toEqual([]);
        expect(of(findings, "warning")).toEqual([]);
        const lines = findings.map((f) => `${f.subject}: ${f.what}`);
        expect(lines).toEqual([
            expect.stringMatching(/^site:adminCidrs: this machine's public address 203\.0\.113\.7 is inside/),
            "digitalocean:token: the DigitalOcean token works (account you@example.com, status active)",
            "cloudflare:apiToken: the deploy token is valid and active",
            ...deployTokenPermissions.map((p) => expect.stringContaining(`cloudflare:apiToken: the deploy token has "${p.name}"`)),
            "site:acmeDnsToken: the ACME token is valid and active",
            ...acmeTokenPermissions.map((p) => expect.stringContaining(`site:acmeDnsToken: the ACME token has "${p.name}"`)),
            expect.stringMatching(/^site:acmeDnsToken: the ACME token is refused a zone settings change/),
            expect.stringMatching(/^site:smtpHost: the mail server localhost:\d+ answers and offers STARTTLS .*password was not checked/),
        ]);
        expect(findings.every((f) => f.what && f.why)).toBe(true);
    });

    it("leaves the zone as it found it: the TXT probes are deleted, settings only set to their own value", async () => {
        await check({ tokens: { acmeDnsToken: "cf-acme-too-much" } });
        expect(cloudflare.records).toEqual([]);
        expect(cloudflare.settingChanges.length).toBeGreaterThan(0);
        expect(cloudflare.settingChanges.every((value) => value === "on")).toBe(true);
        expect(cloudflare.zone.websockets).toBe("on");
    });

    it("proves the cache permissions by reading the entry points and purging only a host that serves nothing", async () => {
        const findings = await check();
        expect(findings.filter((f) => /Zone \/ Cache (Rules|Purge)/.test(f.what)).map((f) => [f.severity, f.what])).toEqual([
            [
                "info",
                `the deploy token has "Zone / Cache Rules / Edit": read the zone's cache rule entry points (http_request_cache_settings: none; http_response_cache_settings: none); that it may edit them is not proved, as that would change the zone`,
            ],
            [
                "info",
                `the deploy token has "Zone / Cache Purge / Purge": purged host _site-preflight.example.com from the edge, a host that serves nothing: nothing real was purged`,
            ],
        ]);
        expect(cloudflare.purges).toEqual([{ hosts: [probeRecordName("example.com")] }]);
    });

    it.each<[string, () => Change, RegExp, RegExp]>([
        [
            "the program's own entry point",
            () => ({ entryPoints: { http_request_cache_settings: ownCacheRule } }),
            /^the zone's http_request_cache_settings entry point "Cache rules" \(id \w+, 1 rule: "Ghost's public pages" if http\.host eq "example\.com"\) is this program's \("The blog's public pages at the edge, managed by Pulumi \(site\/prod\)"\)$/,
            /edge cache \(site:edgeCacheSeconds \d+\) makes its own entry point; `pulumi up` keeps it up to date if this stack made it/,
        ],
        [
            "a dashboard's entry point, with the edge cache off",
            () => ({ entryPoints: { http_request_cache_settings: dashboardCacheRule }, settings: { edgeCacheSeconds: 0 } }),
            /^the zone's http_request_cache_settings entry point "default" \(id \w+, 1 rule: "Cache images" .*\) is not this program's$/,
            /edge cache is off \(site:edgeCacheSeconds 0\), so the program makes no cache rules and leaves it as it is/,
        ],
        [
            "a dashboard's entry point, with the blog not proxied",
            () => ({
                entryPoints: { http_request_cache_settings: dashboardCacheRule },
                settings: { services: { ...settings.services, ghost: { ...settings.services.ghost, proxied: false } } },
            }),
            /is not this program's$/,
            /edge cache is off \(the blog is not proxied\)/,
        ],
    ])("says so, with no blocker, when the zone has %s", async (_name, change, what, why) => {
        const findings = await check(change());
        expect(of(findings, "blocker")).toEqual([]);
        expect(findings.filter((f) => f.what.includes('entry point "'))).toEqual([
            expect.objectContaining({
                severity: "info",
                subject: "cloudflare:apiToken",
                what: expect.stringMatching(what),
                why: expect.stringMatching(why),
            }),
        ]);
    });

    it("warns, with the command to delete it by hand, when the TXT probe cannot be deleted", async () => {
        cloudflare.failDeletes = true;
        const findings = await check();
        cloudflare.failDeletes = false;
        const leftovers = of(findings, "warning").filter((f) => f.what.includes(probeRecordName("example.com")));
        expect(leftovers.map((f) => f.subject)).toEqual(["cloudflare:apiToken", "site:acmeDnsToken"]);
        expect(leftovers[0].fix).toMatch(/curl -X DELETE .*\/zones\/\w+\/dns_records\/record\d+/);
        // tidy up for the next tests, as the user would
        cloudflare.records.splice(0);
    });

    it("warns when this machine's public address cannot be learnt", async () => {
        const findings = await check({ endpoints: { trace: `http://127.0.0.1:${nothingListening}/cdn-cgi/trace` } });
        expect(of(findings, "blocker")).toEqual([]);
        expect(of(findings, "warning")).toEqual([
            expect.objectContaining({ subject: "site:adminCidrs", what: expect.stringMatching(/could not learn/) }),
        ]);
    });

    it.each<[string, () => Change, Partial<Record<keyof Finding, RegExp | string>>]>([
        [
            "IPv4 address outside site:adminCidrs",
            () => ({ ip: "198.51.100.7" }),
            {
                subject: "site:adminCidrs",
                what: /198\.51\.100\.7 is outside 203\.0\.113\.0\/24, 2001:db8::\/32/,
                why: /SSH/,
                fix: "pulumi config set --path 'site:adminCidrs[2]' 198.51.100.7/32",
            },
        ],
        [
            "IPv6 address outside site:adminCidrs",
            () => ({ ip: "3fff::7" }),
            { subject: "site:adminCidrs", what: /3fff::7 is outside/, fix: "pulumi config set --path 'site:adminCidrs[2]' 3fff::7/128" },
        ],
        [
            "a DigitalOcean token DigitalOcean refuses",
            () => ({ tokens: { digitaloceanToken: "do-wrong" } }),
            {
                subject: "digitalocean:token",
                what: /refuses the token \(HTTP 401: Unable to authenticate you\)/,
                fix: /pulumi config set --secret digitalocean:token/,
            },
        ],
        [
            "a locked DigitalOcean account",
            () => ({ tokens: { digitaloceanToken: "do-locked" } }),
            { subject: "digitalocean:token", what: /not active \(account you@example\.com, status locked/ },
        ],
        [
            "an unreachable DigitalOcean API",
            () => ({ endpoints: { digitalocean: `http://127.0.0.1:${nothingListening}` } }),
            { subject: "digitalocean:token", what: /cannot reach the DigitalOcean API/ },
        ],
        [
            "a deploy token Cloudflare does not know",
            () => ({ tokens: { cloudflareApiToken: "cf-wrong" } }),
            { subject: "cloudflare:apiToken", what: /Cloudflare refuses the token \(1000: Invalid API Token\)/, fix: /Create Token/ },
        ],
        [
            "a disabled deploy token",
            () => ({ tokens: { cloudflareApiToken: "cf-disabled" } }),
            { subject: "cloudflare:apiToken", what: "the Cloudflare token is disabled" },
        ],
        [
            "a deploy token without Zone Settings Edit",
            () => ({ tokens: { cloudflareApiToken: "cf-deploy-no-settings" } }),
            {
                subject: "cloudflare:apiToken",
                what: /lacks "Zone \/ Zone Settings \/ Edit": .*10000: Authentication error/,
                fix: /add "Zone \/ Zone Settings \/ Edit" for zone example\.com/,
            },
        ],
        [
            "a deploy token without DNS Edit",
            () => ({ tokens: { cloudflareApiToken: "cf-deploy-no-dns" } }),
            {
                subject: "cloudflare:apiToken",
                what: /lacks "Zone \/ DNS \/ Edit": creating a TXT record _site-preflight\.example\.com failed: 10000: Authentication error/,
            },
        ],
        [
            "a deploy token without Cache Rules Edit",
            () => ({ tokens: { cloudflareApiToken: "cf-deploy-no-cache-rules" } }),
            {
                subject: "cloudflare:apiToken",
                what: /lacks "Zone \/ Cache Rules \/ Edit": reading the zone's http_request_cache_settings entry point failed: 10000: Authentication error/,
                fix: /add "Zone \/ Cache Rules \/ Edit" for zone example\.com/,
            },
        ],
        [
            "a deploy token without Cache Purge",
            () => ({ tokens: { cloudflareApiToken: "cf-deploy-no-purge" } }),
            {
                subject: "cloudflare:apiToken",
                what: /lacks "Zone \/ Cache Purge \/ Purge": purging host _site-preflight\.example\.com from the edge failed: 10000: Authentication error/,
                fix: /add "Zone \/ Cache Purge \/ Purge" for zone example\.com/,
            },
        ],
        [
            "cache rules made in the dashboard, while the blog's edge cache is on",
            () => ({ entryPoints: { http_request_cache_settings: dashboardCacheRule } }),
            {
                subject: "cloudflare:apiToken",
                what: `the zone's http_request_cache_settings entry point "default" (id ${dashboardCacheRule.id}, 1 rule: "Cache images" if (http.request.uri.path.extension eq "jpg")) is not this program's`,
                why: /site:edgeCacheSeconds \d+\) makes its own entry point .*one entry point per phase: `pulumi up` would fail creating it/,
                fix: /Caching > Cache Rules.*curl -X DELETE -H "Authorization: Bearer <token>" http:\/\/127\.0\.0\.1:\d+\/client\/v4\/zones\/\w+\/rulesets\/6a2dd1b1bd0f4b8c9f3e1a7c5d0e2f41.*; or turn the edge cache off: pulumi config set site:edgeCacheSeconds 0$/,
            },
        ],
        [
            "an empty cache response rule entry point the dashboard left, while the blog's edge cache is on",
            () => ({ entryPoints: { http_response_cache_settings: entryPoint("http_response_cache_settings", "", []) } }),
            {
                subject: "cloudflare:apiToken",
                what: /http_response_cache_settings entry point "default" \(id \w+, no rules\) is not this program's$/,
                fix: /^delete the empty entry point .*curl -X DELETE .*\/rulesets\/b3c1f0e2a9d84e6f8a1b2c3d4e5f6a7b; or turn the edge cache off: pulumi config set site:edgeCacheSeconds 0$/,
            },
        ],
        [
            "a zone that is not on Cloudflare",
            () => ({ settings: { domain: "example.org" } }),
            {
                subject: "cloudflare:apiToken",
                what: /zone example\.org not found, or the token cannot read it \(needs "Zone \/ Zone \/ Read"\)/,
                fix: /add the site to Cloudflare .* zone resources/,
            },
        ],
        [
            "an ACME token that can change zone settings",
            () => ({ tokens: { acmeDnsToken: "cf-acme-too-much" } }),
            {
                subject: "site:acmeDnsToken",
                what: /can change zone settings .*a stolen droplet could turn off SSL/,
                fix: /only "Zone \/ DNS \/ Edit"/,
            },
        ],
        [
            "an ACME token that cannot edit DNS",
            () => ({ tokens: { acmeDnsToken: "cf-acme-no-dns" } }),
            { subject: "site:acmeDnsToken", what: /lacks "Zone \/ DNS \/ Edit"/, why: /no certificate/ },
        ],
        [
            "a mail server without STARTTLS",
            () => ({ settings: { smtpPort: smtpWithoutTls.port } }),
            { subject: "site:smtpHost", what: /answers but does not offer STARTTLS/, fix: /pulumi config set site:smtpPort 587/ },
        ],
        [
            "a mail server whose certificate is not trusted",
            () => ({ smtpCa: null }),
            {
                subject: "site:smtpHost",
                what: /offers STARTTLS but its certificate is not valid for localhost: .*(self[- ]signed|unable to verify)/,
            },
        ],
        [
            "a mail port nothing answers on",
            () => ({ settings: { smtpPort: nothingListening } }),
            {
                subject: "site:smtpHost",
                what: /cannot be reached: .*ECONNREFUSED/,
                why: /DigitalOcean blocks outgoing port 25/,
                fix: "pulumi config set site:smtpPort 2525 (or 587, whichever your provider offers), or check site:smtpHost",
            },
        ],
    ])("%s: exactly one blocker, with the fix", async (_name, change, expected) => {
        const findings = await check(change());
        const blockers = of(findings, "blocker");
        expect(blockers).toEqual([
            expect.objectContaining(
                Object.fromEntries(
                    Object.entries(expected).map(([key, value]) => [key, typeof value === "string" ? value : expect.stringMatching(value)]),
                ),
            ),
        ]);
        expect(blockers[0].why).not.toBe("");
        expect(blockers[0].fix).not.toBe("");
        expect(cloudflare.records).toEqual([]);
    });

    it("gives one blocker per missing token, naming its config key and variable, and skips its checks", async () => {
        const findings = await check({ tokens: { digitaloceanToken: undefined, cloudflareApiToken: "", acmeDnsToken: undefined } });
        expect(of(findings, "blocker").map((f) => [f.subject, f.fix])).toEqual([
            ["digitalocean:token", "pulumi config set --secret digitalocean:token <token> (or export DIGITALOCEAN_TOKEN=<token>)"],
            ["cloudflare:apiToken", "pulumi config set --secret cloudflare:apiToken <token> (or export CLOUDFLARE_API_TOKEN=<token>)"],
            ["site:acmeDnsToken", "pulumi config set --secret site:acmeDnsToken <token>"],
        ]);
        expect(findings.filter((f) => f.subject === "cloudflare:apiToken")).toHaveLength(1);
    });

    it("checks the ACME token in the zone the deploy token found, and says so when no token can find it", async () => {
        const findings = await check({ tokens: { cloudflareApiToken: undefined } });
        expect(findings.filter((f) => f.subject === "site:acmeDnsToken" && f.severity !== "info")).toEqual([
            expect.objectContaining({
                severity: "warning",
                what: expect.stringMatching(/neither the deploy token nor this token can find zone example\.com/),
            }),
        ]);
    });
});
