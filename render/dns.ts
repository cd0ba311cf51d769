// DNS records: one per routed service, pointing at the droplet's reserved IP.
import type { Settings } from "../config/schema";

export interface DnsRecordSpec {
    /** The routed service's name (built-in or a declared app): the record's resource is named after it. */
    readonly service: string;
    readonly name: string;
    readonly type: "A";
    readonly proxied: boolean;
    /** 1 is Cloudflare's "automatic", the only TTL a proxied record may have. */
    readonly ttl: number;
}

export function renderDnsRecords(settings: Settings): DnsRecordSpec[] {
    return settings.routed.map(({ name: service }) => {
        const { hostname, proxied } = settings.services[service];
        return { service, name: hostname, type: "A", proxied, ttl: proxied ? 1 : 300 };
    });
}

/** Zone settings the site relies on, managed explicitly so a dashboard click cannot break it. */
export function renderZoneSettings(settings: Settings): Record<string, string> {
    return {
        // Full (strict): Cloudflare checks the origin certificate; Flexible loops with Ghost.
        ssl: "strict",
        always_use_https: "on",
        min_tls_version: "1.2",
        websockets: settings.zoneWebsockets ? "on" : "off",
    };
}
