// Ghost's public pages from Cloudflare's edge: two rules, rendered from the stack config and from
// config/ghostPages.ts (the list the proxy's own page cache uses too), and the purge a deploy runs
// when the theme changes. Cloudflare caches no HTML unless told to, so without these every page view
// of the proxied blog crosses the world to the droplet.
//
// - The cache rule (phase http_request_cache_settings) says which requests may be answered from the
//   edge: the blog's host, GET or HEAD, none of Ghost's private paths, no session cookie. It keeps
//   Ghost's own Cache-Control in charge (respect_origin), so a private or no-store answer is never
//   stored, whatever the request looked like.
// - The cache response rule (phase http_response_cache_settings) gives Ghost's public answers
//   (`public, max-age=0`: 200, public, not private, no-store or setting a cookie) an edge TTL of
//   their own, as s-maxage for Cloudflare only: visitors' browsers still get max-age=0.
import { cacheableMethods, ghostPrivatePathPrefixes, ghostSessionCookies } from "../config/ghostPages";
import { project, Settings } from "../config/schema";

export interface EdgeCacheRule {
    /** Stable id of the rule inside its ruleset, so an edit updates the rule in place. */
    readonly ref: string;
    readonly description: string;
    /** Cloudflare's rules language: clauses that must all hold (`allOf` makes the rule's expression). */
    readonly clauses: readonly string[];
}

export interface EdgeCacheSpec {
    readonly hostname: string;
    /** Requests that may be answered from the edge. */
    readonly eligible: EdgeCacheRule;
    /** Ghost's public answers, which the edge keeps for `edgeTtlSeconds`. */
    readonly publicAnswers: EdgeCacheRule;
    readonly edgeTtlSeconds: number;
}

const quoted = (value: string) => JSON.stringify(value);

/** Which requests may be answered from the edge, one clause per reason (the test reads them one by one). */
export function eligibleRequestClauses(hostname: string): string[] {
    return [
        `http.host eq ${quoted(hostname)}`,
        `http.request.method in {${cacheableMethods.map(quoted).join(" ")}}`,
        ...ghostPrivatePathPrefixes.map((prefix) => `not starts_with(lower(http.request.uri.path), ${quoted(prefix)})`),
        ...ghostSessionCookies.map((cookie) => `not http.cookie contains ${quoted(cookie)}`),
    ];
}

const cacheControl = `lower(http.response.headers["cache-control"][*])[*]`;

/** Which of Ghost's answers get the edge TTL: its public pages, never a private one. */
export function publicAnswerClauses(hostname: string): string[] {
    return [
        `http.host eq ${quoted(hostname)}`,
        "http.response.code eq 200",
        `any(${cacheControl} contains "public")`,
        `not any(${cacheControl} contains "private")`,
        `not any(${cacheControl} contains "no-store")`,
        `not any(http.response.headers.names[*] eq "set-cookie")`,
    ];
}

/** The clauses as one expression: each on its own line, joined by `and`. */
export const allOf = (clauses: readonly string[]): string => clauses.join("\nand ");

/**
 * The blog's edge cache, or undefined where there is none: the blog not proxied (Cloudflare only
 * caches what it proxies), or `site:edgeCacheSeconds` 0.
 */
export function renderEdgeCache(settings: Settings): EdgeCacheSpec | undefined {
    const { hostname, proxied } = settings.services.ghost;
    if (!proxied || settings.edgeCacheSeconds === 0) return undefined;
    return {
        hostname,
        edgeTtlSeconds: settings.edgeCacheSeconds,
        eligible: {
            ref: "ghost_public_pages",
            description: `Ghost's public pages at ${hostname} may be cached (${project}:edgeCacheSeconds); never the admin, members, previews, APIs, sessions or methods but GET/HEAD`,
            clauses: eligibleRequestClauses(hostname),
        },
        publicAnswers: {
            ref: "ghost_public_answers",
            description: `Ghost's public answers at ${hostname} stay ${settings.edgeCacheSeconds} s at the edge; browsers still get Ghost's max-age=0`,
            clauses: publicAnswerClauses(hostname),
        },
    };
}

/** Where the purge script calls Cloudflare's API (a test points it at a stand-in). */
export const cloudflareApiVariable = "SITE_CLOUDFLARE_API";

/**
 * Purges the blog's pages from Cloudflare's cache, run by `node -e` on the machine that runs
 * `pulumi up` after a theme change: SITE_ZONE_ID and SITE_PURGE_HOST say what, CLOUDFLARE_API_TOKEN
 * (the deploy token, from config or the environment) with what. Purge by hostname, which every
 * plan has; a purge by URL would miss HEAD-only entries and pages with query strings.
 */
export function renderEdgePurgeScript(): string {
    return `
const api = process.env.${cloudflareApiVariable} || "https://api.cloudflare.com/client/v4";
const { SITE_ZONE_ID: zone, SITE_PURGE_HOST: host, CLOUDFLARE_API_TOKEN: token } = process.env;
const fail = (why) => {
    console.error(\`purging Cloudflare's cache of \${host} failed: \${why}. The deploy token needs "Zone / Cache Purge / Purge"; purge by hand in the dashboard (Caching > Configuration > Custom Purge > Hostname: \${host}), then run pulumi up again.\`);
    process.exit(1);
};
if (!token) fail("no token: set cloudflare:apiToken or CLOUDFLARE_API_TOKEN");
fetch(\`\${api}/zones/\${zone}/purge_cache\`, {
    method: "POST",
    headers: { Authorization: \`Bearer \${token}\`, "Content-Type": "application/json" },
    body: JSON.stringify({ hosts: [host] }),
    signal: AbortSignal.timeout(30000),
})
    .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        if (!response.ok || !answer.success) {
            const errors = (answer.errors || []).map((e) => \`\${e.code}: \${e.message}\`).join("; ");
            fail(\`Cloudflare answered \${response.status}\${errors ? \` (\${errors})\` : ""}\`);
        }
        console.log(\`purged Cloudflare's cache of \${host}: the new theme shows at the edge at once\`);
    })
    .catch((error) => fail(String(error.message || error)));
`.trimStart();
}
