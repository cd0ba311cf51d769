// The one list of what each Cloudflare token may do, as Cloudflare's dashboard names the
// permissions ("Create Token" > "Custom token"). The README, the preflight and the docs use it.
export interface TokenPermission {
    /** Dashboard wording: group / permission / access. */
    readonly name: string;
    /** What the program does with it. */
    readonly usedFor: string;
}

/** The deploy token (`cloudflare:apiToken` or CLOUDFLARE_API_TOKEN), scoped to the site's zone. */
export const deployTokenPermissions: readonly TokenPermission[] = [
    { name: "Zone / Zone / Read", usedFor: "finding the zone's id by its name" },
    { name: "Zone / DNS / Edit", usedFor: "a DNS record per host" },
    { name: "Zone / Zone Settings / Edit", usedFor: "SSL strict, always HTTPS, websockets and the other zone settings" },
    { name: "Zone / Cache Rules / Edit", usedFor: "the rules that cache the blog's public pages at the edge" },
    { name: "Zone / Cache Purge / Purge", usedFor: "purging the blog's pages from the edge when the theme changes" },
];

/**
 * The certificate token (`site:acmeDnsToken`), which lives on the droplet for certbot's DNS-01
 * challenge: DNS of this zone only, so a stolen droplet cannot change anything else.
 */
export const acmeTokenPermissions: readonly TokenPermission[] = [
    { name: "Zone / DNS / Edit", usedFor: "certbot's _acme-challenge TXT records" },
];
