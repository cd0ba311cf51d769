// What watches the site from outside, as data: an uptime check per public URL, each stating what it
// expects and why that path, the alerts on each check, and the droplet's alert policies. Pure:
// components/monitoring.ts makes DigitalOcean resources of it, check/cost.ts counts the checks
// (each is paid), and docs/operations.md lists the same.
//
// DigitalOcean's uptime check takes no expected status: it calls an answer it deems a success up
// and anything else down. So every check is aimed at a path that answers 200 when all is well and
// that no cache answers for a dead origin (the proxy serves Ghost's pages from its cache for a while
// when Ghost is gone, and Cloudflare may hold a copy): never `/` of the blog. Where the natural
// answer is not 200 (the management host answers DigitalOcean's checkers 403, as everyone outside
// its allowFrom, fenced to site:adminCidrs by default, and its owner 401 until the login is passed;
// nothing tells the check that either is up), the check is aimed at the proxy's site-health path
// there, which answers everyone, before the fence and the login.
import { RoutedServiceName, siteHealth } from "../config/catalogue";
import type { Settings } from "../config/schema";

/** DigitalOcean's uptime alert types: down from every region checked, slow, a certificate near its end. */
export type UptimeAlertType = "down_global" | "latency" | "ssl_expiry";

export interface UptimeAlertSpec {
    /** The alert's part of its resource name. */
    readonly name: string;
    readonly type: UptimeAlertType;
    /** Milliseconds for latency, days for a certificate; a down alert has none. */
    readonly threshold?: number;
    readonly comparison?: "greater_than" | "less_than";
    /** How long the condition must hold before DigitalOcean alerts. */
    readonly period: "2m" | "3m" | "5m" | "10m" | "15m" | "30m" | "1h";
    /** The alert in words: its name at DigitalOcean, in the mail, in the docs. */
    readonly what: string;
}

export interface UptimeCheckSpec {
    /** The check's part of its resource name: the service, or what else it watches. */
    readonly name: string;
    /** What it watches, in words. */
    readonly title: string;
    readonly url: string;
    /** The status that means up. */
    readonly expects: 200;
    /** Why this path: what answers it, and why no cache does. */
    readonly why: string;
    readonly alerts: readonly UptimeAlertSpec[];
}

/** DigitalOcean's droplet metrics an alert policy can watch, as its API names them. */
export type DropletMetric =
    "v1/insights/droplet/cpu" | "v1/insights/droplet/memory_utilization_percent" | "v1/insights/droplet/disk_utilization_percent";

export interface DropletAlertSpec {
    /** The policy's part of its resource name. */
    readonly name: string;
    readonly type: DropletMetric;
    /** Alert above this percentage. */
    readonly value: number;
    /** How long the average must stay above it. */
    readonly window: "5m" | "10m" | "30m" | "1h";
    readonly what: string;
}

/** The regions every check runs from: a site down everywhere is down, one region's network trouble is not. */
export const uptimeRegions = ["us_east", "us_west", "eu_west", "se_asia"] as const;

// Five minutes down: longer than a reboot after an unattended upgrade, or the watchdog's restart.
const downPeriod = "5m";
// Ten minutes slow: a sustained slowdown, not one slow answer.
const latencyPeriod = "10m";
// A certificate's days left change once a day; DigitalOcean still wants a period.
const certificatePeriod = "10m";
// Ten minutes: an image pull or Ghost's start spikes CPU and memory briefly.
const dropletWindow = "10m";

const down: UptimeAlertSpec = { name: "down", type: "down_global", period: downPeriod, what: "down from every region for 5 minutes" };

/** Down, slow, and the certificate near its end: what every public URL is watched for. */
function publicUrlAlerts(settings: Settings): UptimeAlertSpec[] {
    const { latencyMs, certificateDays } = settings.alertThresholds;
    return [
        down,
        {
            name: "latency",
            type: "latency",
            threshold: latencyMs,
            comparison: "greater_than",
            period: latencyPeriod,
            what: `slower than ${latencyMs} ms for 10 minutes`,
        },
        {
            name: "ssl-expiry",
            type: "ssl_expiry",
            threshold: certificateDays,
            comparison: "less_than",
            period: certificatePeriod,
            what: `certificate expiring in less than ${certificateDays} days`,
        },
    ];
}

/** Each check: the blog (Ghost itself), the data volume's room, Jupyter, the management host, each declared app's host. */
export function renderUptimeChecks(settings: Settings): UptimeCheckSpec[] {
    const host = (name: RoutedServiceName) => `https://${settings.services[name].hostname}`;
    const check = (name: string, title: string, url: string, why: string, alerts = publicUrlAlerts(settings)): UptimeCheckSpec => ({
        name,
        title,
        url,
        expects: 200,
        why,
        alerts,
    });
    const dataVolumeHealth = `${host("ghost")}${siteHealth.path}`;
    return [
        check(
            "ghost",
            "the blog",
            `${host("ghost")}/ghost/api/admin/site/`,
            "Ghost's public site information (its Admin API, no login): neither the proxy nor Cloudflare's cache rule ever caches /ghost/ (config/ghostPages.ts), so a dead Ghost is down here while cached pages still show",
        ),
        check(
            "data-volume",
            "the data volume's room",
            dataVolumeHealth,
            `the proxy serves the host's verdict: 200 while a host timer finds the data volume below ${settings.alertThresholds.dataVolumePercent}% full, 503 once it is fuller (DigitalOcean's disk alert sees only the droplet's own disk); never cached (Cache-Control: no-store), before any login`,
            [
                {
                    ...down,
                    what: `${settings.alertThresholds.dataVolumePercent}% full or more, or the blog's host not answering, for 5 minutes`,
                },
            ],
        ),
        check(
            "jupyter",
            "Jupyter",
            `${host("jupyter")}/api`,
            "Jupyter Server's version, which it gives without the token: nothing caches it (the proxy caches only Ghost's pages)",
        ),
        check(
            "portainer",
            "the management host",
            `${host("portainer")}${siteHealth.path}`,
            "every other path is fenced: 403 to any address outside site:services.portainer.allowFrom (site:adminCidrs by default), DigitalOcean's checkers included, and 401 until nginx's login is passed, and the check cannot be told that either is up; the proxy answers site-health there to everyone, before the fence and the login (it proves DNS, the certificate and the proxy for this host, not Portainer; it is 503 too while the data volume is full)",
        ),
        // A declared app's own paths are its own: what answers 200 there, and whether a cache or a
        // login stands in front, the site cannot know. Its host's site-health path it can: it proves the
        // record, the certificate (and warns before it ends) and the proxy for the host; the app itself
        // is watched on the droplet by its health check and the watchdog.
        ...settings.apps.map(({ name }) =>
            check(
                `app-${name}`,
                `the app ${name}`,
                `https://${settings.services[name].hostname}${siteHealth.path}`,
                `the proxy answers site-health on every host it serves, to everyone, before any fence or login: it proves DNS, the certificate and the proxy for ${name}'s host (site:apps.${name}), not the app, which its health check and the watchdog look after on the droplet`,
            ),
        ),
    ];
}

/** The droplet's own metrics, from DigitalOcean's agent on the droplet (`monitoring: true`). */
export function renderDropletAlerts(settings: Settings): DropletAlertSpec[] {
    const { cpuPercent, memoryPercent, diskPercent } = settings.alertThresholds;
    return [
        {
            name: "cpu",
            type: "v1/insights/droplet/cpu",
            value: cpuPercent,
            window: dropletWindow,
            what: `CPU above ${cpuPercent}% for 10 minutes`,
        },
        {
            name: "memory",
            type: "v1/insights/droplet/memory_utilization_percent",
            value: memoryPercent,
            window: dropletWindow,
            what: `memory above ${memoryPercent}% for 10 minutes`,
        },
        {
            name: "disk",
            type: "v1/insights/droplet/disk_utilization_percent",
            value: diskPercent,
            window: dropletWindow,
            what: `the droplet's own disk above ${diskPercent}% full for 10 minutes (not the data volume: DigitalOcean's disk alert has no choice of mount)`,
        },
    ];
}
