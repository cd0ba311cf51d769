import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { AlertDestinations, hasDestination } from "../config/alertDestinations";
import { DropletAlertSpec, UptimeCheckSpec, uptimeRegions } from "../render/monitoring";

export interface MonitoringArgs {
    /** One per public URL, each with what it expects (render/monitoring.ts). */
    readonly checks: readonly UptimeCheckSpec[];
    /** CPU, memory and the droplet's own disk. */
    readonly dropletAlerts: readonly DropletAlertSpec[];
    /** The droplet the alert policies watch; a new droplet updates them in place. */
    readonly dropletId: pulumi.Input<string>;
    /** Where every alert goes; the Slack webhook is a secret. */
    readonly destinations: AlertDestinations<pulumi.Input<string>>;
}

/**
 * The site watched from outside: DigitalOcean's uptime checks, with alerts when a URL is down, slow
 * or near its certificate's end, and alert policies on the droplet's CPU, memory and disk, all sent
 * to the same addresses (and Slack). DigitalOcean's disk alert watches the droplet's own disk only,
 * with no choice of mount, so the data volume's fullness travels another way: a host timer keeps
 * the site-health file while the volume has room, the proxy serves it, and the data volume's
 * uptime check is down when it is gone. With nowhere to send them, no alert is made (preview and
 * the preflight say so: config/alertDestinations.ts); the checks still run, in DigitalOcean's
 * control panel.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** Each uptime check's id, by its name in render/monitoring.ts. */
    public readonly checkIds: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:watch:Monitoring", name, {}, opts);
        const stack = pulumi.getStack();
        const notify = hasDestination(args.destinations);
        const emails = [...args.destinations.emails];
        const slacks = args.destinations.slack ? [{ channel: args.destinations.slack.channel, url: args.destinations.slack.url }] : [];

        const checks = args.checks.map((spec) => {
            const check = new digitalocean.UptimeCheck(
                `${name}-${spec.name}`,
                { name: `${stack} ${spec.title}`, type: "https", target: spec.url, regions: [...uptimeRegions], enabled: true },
                { parent: this },
            );
            for (const alert of notify ? spec.alerts : []) {
                new digitalocean.UptimeAlert(
                    `${name}-${spec.name}-${alert.name}`,
                    {
                        checkId: check.id,
                        name: `${stack} ${spec.title}: ${alert.what}`,
                        type: alert.type,
                        threshold: alert.threshold,
                        comparison: alert.comparison,
                        period: alert.period,
                        notifications: [{ emails, slacks }],
                    },
                    // The provider would update a new check's id in place, asking the new check for
                    // an alert that belongs to the old one; a new check gets new alerts instead.
                    { parent: this, replaceOnChanges: ["checkId"] },
                );
            }
            return check.id.apply((id) => [spec.name, id] as const);
        });

        for (const alert of notify ? args.dropletAlerts : []) {
            new digitalocean.MonitorAlert(
                `${name}-${alert.name}`,
                {
                    description: `${stack} droplet: ${alert.what}`,
                    type: alert.type,
                    compare: "GreaterThan",
                    value: alert.value,
                    window: alert.window,
                    entities: [args.dropletId],
                    enabled: true,
                    alerts: { emails, slacks },
                },
                { parent: this },
            );
        }

        this.checkIds = pulumi.all(checks).apply((entries) => Object.fromEntries(entries));
        this.registerOutputs({ checkIds: this.checkIds });
    }
}
