import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { DnsRecordSpec } from "../render/dns";

export interface CloudflareZoneArgs {
    /** The Cloudflare zone, e.g. example.com. */
    readonly zone: string;
    readonly ipAddress: pulumi.Input<string>;
    readonly records: readonly DnsRecordSpec[];
    /** Zone settings by Cloudflare setting id. */
    readonly zoneSettings: Readonly<Record<string, string>>;
    /** Cloudflare's ranges as the proxy trusts them; a deploy warns when Cloudflare's list differs. */
    readonly trustedRanges: readonly string[];
}

/**
 * The site in its Cloudflare zone: a record per service host (proxied or DNS-only per host), the
 * zone settings the site needs, and a warning when Cloudflare's address ranges drift from ours.
 */
export class CloudflareZone extends pulumi.ComponentResource {
    /** Each record's name and whether Cloudflare proxies it. */
    public readonly records: pulumi.Output<{ name: string; proxied: boolean }[]>;
    /** The zone's id, found by its name. */
    public readonly zoneId: pulumi.Output<string>;

    constructor(name: string, args: CloudflareZoneArgs, opts?: pulumi.ComponentResourceOptions) {
        // Registered as site:dns:Records until the type token took the class's name.
        super("site:dns:CloudflareZone", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "site:dns:Records" }] }));
        const zoneId = cloudflare.getZoneOutput({ filter: { name: args.zone } }, { parent: this }).zoneId;
        this.zoneId = zoneId;

        const records = args.records.map(
            (record) =>
                new cloudflare.DnsRecord(
                    `${name}-${record.service}`,
                    {
                        zoneId,
                        name: record.name,
                        type: record.type,
                        content: args.ipAddress,
                        proxied: record.proxied,
                        ttl: record.ttl,
                        comment: `${record.service}, managed by Pulumi (${pulumi.getProject()}/${pulumi.getStack()})`,
                    },
                    { parent: this },
                ),
        );
        for (const [settingId, value] of Object.entries(args.zoneSettings)) {
            new cloudflare.ZoneSetting(`${name}-${settingId}`, { zoneId, settingId, value }, { parent: this });
        }

        cloudflare.getIpRangesOutput({}, { parent: this }).apply(({ ipv4Cidrs, ipv6Cidrs }) => {
            const live = [...ipv4Cidrs, ...ipv6Cidrs].sort();
            const ours = [...args.trustedRanges].sort();
            if (live.join() !== ours.join()) {
                void pulumi.log.warn(
                    `Cloudflare's address ranges changed: update config/cloudflareRanges.ts to ${JSON.stringify(live)}; until then the proxy mistrusts new Cloudflare addresses.`,
                    this,
                );
            }
        });

        this.records = pulumi
            .all(records.map((r) => pulumi.all([r.name, r.proxied])))
            .apply((rows) => rows.map(([recordName, proxied]) => ({ name: recordName, proxied: proxied ?? false })));
        this.registerOutputs({ records: this.records, zoneId });
    }
}
