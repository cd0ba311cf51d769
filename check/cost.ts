// What a stack costs per month on DigitalOcean, from a price table with its date. Cloudflare's
// free plan covers the zone, the proxy and DNS; Let's Encrypt is free.
import type { Settings } from "../config/schema";
import { renderUptimeChecks } from "../render/monitoring";

/**
 * DigitalOcean's published prices in US dollars, read from stored copies of these pages on the date
 * below (this machine cannot reach them live; check them when the date is old). Sources:
 * https://www.digitalocean.com/pricing/droplets (Basic, regular SSD),
 * https://docs.digitalocean.com/products/volumes/details/pricing/,
 * https://docs.digitalocean.com/products/images/snapshots/details/pricing/,
 * https://docs.digitalocean.com/products/backups/details/pricing/,
 * https://docs.digitalocean.com/products/uptime/details/pricing/ (alerts and droplet alert policies cost nothing).
 */
export const prices = {
    date: "2026-11-26",
    /** Basic droplets, per month. */
    droplets: {
        "s-1vcpu-512mb-10gb": 4,
        "s-1vcpu-1gb": 6,
        "s-1vcpu-2gb": 12,
        "s-2vcpu-2gb": 18,
        "s-2vcpu-4gb": 24,
        "s-4vcpu-8gb": 48,
        "s-8vcpu-16gb": 96,
    } as Readonly<Record<string, number>>,
    volumePerGb: 0.1,
    snapshotPerGb: 0.06,
    /** Weekly backups: a share of the droplet's price. */
    weeklyBackups: 0.2,
    /** A reserved IP costs nothing while it is assigned to a droplet, as this one always is. */
    reservedIp: 0,
    /** Each uptime check, per month. */
    uptimeCheck: 1,
};

/** What a droplet snapshot holds: Ubuntu, Docker and the images (the data is on the volume). */
export const dropletSnapshotGb = 6;

export interface CostLine {
    readonly item: string;
    readonly dollars: number;
}

export interface Cost {
    readonly lines: readonly CostLine[];
    readonly total: number;
    /** Set when the droplet size is not in the table: the total is then without it. */
    readonly unknownSize?: string;
}

export function monthlyCost(settings: Settings): Cost {
    if (settings.target === "local") return { lines: [{ item: "local target: your own machine", dollars: 0 }], total: 0 };
    const droplet = prices.droplets[settings.dropletSize];
    const lines: CostLine[] = [];
    if (droplet !== undefined) lines.push({ item: `droplet ${settings.dropletSize}`, dollars: droplet });
    lines.push({ item: `data volume ${settings.dataVolumeSizeGb} GB`, dollars: settings.dataVolumeSizeGb * prices.volumePerGb });
    if (settings.dropletBackups && droplet !== undefined)
        lines.push({ item: "weekly droplet backups (20% of the droplet)", dollars: droplet * prices.weeklyBackups });
    const pairs = settings.snapshots.length;
    if (pairs > 0) {
        // At most: a volume snapshot is as large as the data on it, never more than the volume.
        const gb = pairs * (dropletSnapshotGb + settings.dataVolumeSizeGb);
        lines.push({
            item: `${pairs} snapshot pair${pairs > 1 ? "s" : ""} (${settings.snapshots.join(", ")}), at most ~${gb} GB, kept until you delete them`,
            dollars: gb * prices.snapshotPerGb,
        });
    }
    const checks = renderUptimeChecks(settings).length;
    lines.push({ item: `${checks} uptime checks (render/monitoring.ts)`, dollars: checks * prices.uptimeCheck });
    lines.push({ item: "reserved IP (free while assigned)", dollars: prices.reservedIp });
    const total = Math.round(lines.reduce((sum, line) => sum + line.dollars, 0) * 100) / 100;
    return { lines, total, ...(droplet === undefined ? { unknownSize: settings.dropletSize } : {}) };
}
