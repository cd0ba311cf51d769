// What both Cloudflare token checks do to prove a permission while changing nothing that stays
// changed: verify the token, find the zone, set its websockets setting to the value it has, create
// and delete a TXT record, read the zone's cache rule entry points, purge a host that serves
// nothing. Also which probe proves which permission of config/cloudflarePermissions.ts, and the
// findings both checks give.
import type { TokenPermission } from "../../config/cloudflarePermissions";
import { project, Settings } from "../../config/schema";
import type { Finding } from "../finding";
import { CloudflareAnswer, CloudflareApi, refused } from "./cloudflareApi";
import { info, message, oneLine } from "./context";

/** The TXT record both Cloudflare tokens create and delete at once to prove they can edit DNS. */
export const probeRecordName = (domain: string): string => `_site-preflight.${domain}`;
const probeRecordContent = "site preflight, deleted at once";

/** What a probe learned: `ok` with a detail for the info line, or why not. */
export type Probe =
    { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly refused: boolean; readonly detail: string };

export interface Zone {
    readonly id: string;
    /** The websockets setting's current value, once some token could read it. */
    websockets?: unknown;
}

/** Whether the token is valid and active; a finding if not. */
export async function verifyToken(api: CloudflareApi, subject: string, fix: string): Promise<Finding | undefined> {
    const answer = await api.call("GET", "/user/tokens/verify");
    const status = (answer.result as { status?: string } | undefined)?.status;
    if (answer.ok && status === "active") return undefined;
    return {
        severity: "blocker",
        subject,
        what: answer.ok ? `the Cloudflare token is ${status ?? "not active"}` : `Cloudflare refuses the token (${answer.errors})`,
        why: "every Cloudflare call with this token would fail",
        fix,
    };
}

export async function findZone(api: CloudflareApi, domain: string): Promise<{ zone?: Zone; answer: CloudflareAnswer }> {
    const answer = await api.call("GET", `/zones?name=${encodeURIComponent(domain)}`);
    const first = Array.isArray(answer.result) ? (answer.result[0] as { id?: string } | undefined) : undefined;
    return { zone: answer.ok && first?.id ? { id: first.id } : undefined, answer };
}

/** Reads the zone's websockets setting; the value, or why not. */
export async function readWebsockets(api: CloudflareApi, zone: Zone): Promise<{ value?: unknown; answer: CloudflareAnswer }> {
    const answer = await api.call("GET", `/zones/${zone.id}/settings/websockets`);
    const value = answer.ok ? (answer.result as { value?: unknown } | undefined)?.value : undefined;
    if (value !== undefined) zone.websockets = value;
    return { value, answer };
}

/** A change of the websockets setting to the value it has: proves Zone Settings Edit and changes nothing. */
export async function sameValueSettingChange(api: CloudflareApi, zone: Zone, value: unknown): Promise<Probe> {
    const answer = await api.call("PATCH", `/zones/${zone.id}/settings/websockets`, { value });
    if (answer.ok) return { ok: true, detail: `set the zone's websockets setting to its own value (${String(value)}): nothing changed` };
    return { ok: false, refused: refused(answer), detail: `changing the websockets setting to its own value failed: ${answer.errors}` };
}

/** Creates the probe TXT record and deletes it at once. A failed delete is a warning of its own. */
export async function dnsProbe(
    api: CloudflareApi,
    zone: Zone,
    domain: string,
    subject: string,
): Promise<{ probe: Probe; leftover?: Finding }> {
    const name = probeRecordName(domain);
    // Each token's record has its own content: Cloudflare refuses a second identical record, and both tokens probe at once.
    const created = await api.call("POST", `/zones/${zone.id}/dns_records`, {
        type: "TXT",
        name,
        content: `${probeRecordContent} (${subject})`,
        ttl: 60,
    });
    const id = (created.result as { id?: string } | undefined)?.id;
    if (!created.ok || !id)
        return { probe: { ok: false, refused: refused(created), detail: `creating a TXT record ${name} failed: ${created.errors}` } };
    const probe: Probe = { ok: true, detail: `created and deleted a TXT record ${name}` };
    const deleted = await api.call("DELETE", `/zones/${zone.id}/dns_records/${id}`).catch((error: unknown) => message(error));
    if (typeof deleted !== "string" && deleted.ok) return { probe };
    return {
        probe: { ok: true, detail: `created a TXT record ${name}` },
        leftover: {
            severity: "warning",
            subject,
            what: `the preflight's TXT record ${name} (id ${id}) could not be deleted: ${typeof deleted === "string" ? deleted : deleted.errors}`,
            why: "it is harmless, but it stays in the zone until it is deleted, and the next check's record may collide with it",
            fix: `delete it in the dashboard (DNS > Records > ${name}), or: curl -X DELETE -H "Authorization: Bearer <token>" ${api.base}/zones/${zone.id}/dns_records/${id}`,
        },
    };
}

/**
 * The phases whose zone entry points the blog's edge cache makes (components/edgeCache.ts): a zone
 * has at most one entry point ruleset per phase, so the program's must be the only one.
 */
export const cachePhases = ["http_request_cache_settings", "http_response_cache_settings"] as const;
/** The program's own entry points say so in their description: "… managed by Pulumi (project/stack)". */
export const ownRulesetMark = "managed by Pulumi (";

export interface EntryPoint {
    readonly phase: (typeof cachePhases)[number];
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly rules: readonly { readonly description?: string; readonly expression?: string }[];
}

/**
 * Reads the zone's entry point of each cache phase. An entry point (200) or none (404, Cloudflare's
 * 10003 "could not find entrypoint ruleset") both prove the token may read the zone's cache rules;
 * that it may also edit them cannot be proved without changing the zone.
 */
export async function cacheEntryPointsProbe(api: CloudflareApi, zone: Zone): Promise<{ probe: Probe; entryPoints: EntryPoint[] }> {
    const entryPoints: EntryPoint[] = [];
    const seen: string[] = [];
    for (const phase of cachePhases) {
        const answer = await api.call("GET", `/zones/${zone.id}/rulesets/phases/${phase}/entrypoint`);
        if (answer.status === 404) {
            seen.push(`${phase}: none`);
            continue;
        }
        const result = answer.ok ? (answer.result as Partial<Omit<EntryPoint, "phase">> | undefined) : undefined;
        if (!result?.id) {
            const detail = `reading the zone's ${phase} entry point failed: ${answer.errors}`;
            return { probe: { ok: false, refused: refused(answer), detail }, entryPoints };
        }
        const rules = Array.isArray(result.rules) ? result.rules : [];
        entryPoints.push({ phase, id: result.id, name: result.name ?? "", description: result.description ?? "", rules });
        seen.push(`${phase}: "${result.name ?? result.id}", ${rules.length} rule${rules.length === 1 ? "" : "s"}`);
    }
    const detail = `read the zone's cache rule entry points (${seen.join("; ")}); that it may edit them is not proved, as that would change the zone`;
    return { probe: { ok: true, detail }, entryPoints };
}

/** Whether the program makes the cache rule entry points: a proxied blog with `site:edgeCacheSeconds` above 0. */
export const edgeCacheOn = (settings: Settings): boolean => settings.services.ghost.proxied && settings.edgeCacheSeconds > 0;

const listRules = (rules: EntryPoint["rules"]): string => {
    const shown = rules
        .slice(0, 3)
        .map((rule) => `"${rule.description || "no description"}" if ${shorten(oneLine(rule.expression ?? ""), 80)}`);
    return `${shown.join(", ")}${rules.length > 3 ? ` and ${rules.length - 3} more` : ""}`;
};
const shorten = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/**
 * One finding per cache entry point the zone has: the program's own, an info line; another's, a
 * blocker while the blog's edge cache is on, since \`pulumi up\` would then fail creating its own
 * (one entry point per phase), an info line while it is off (nothing is created).
 */
export function cacheEntryPointFindings(
    api: CloudflareApi,
    zone: Zone,
    entryPoints: readonly EntryPoint[],
    settings: Settings,
    subject: string,
): Finding[] {
    const on = edgeCacheOn(settings);
    const edgeCache = on
        ? `the blog's edge cache (${project}:edgeCacheSeconds ${settings.edgeCacheSeconds}) makes its own entry point`
        : `the blog's edge cache is off (${settings.services.ghost.proxied ? `${project}:edgeCacheSeconds 0` : "the blog is not proxied"}), so the program makes no cache rules`;
    return entryPoints.map((entryPoint) => {
        const { phase, id, name, description, rules } = entryPoint;
        const has = rules.length ? `${rules.length} rule${rules.length === 1 ? "" : "s"}: ${listRules(rules)}` : "no rules";
        const what = `the zone's ${phase} entry point "${name}" (id ${id}, ${has})`;
        if (description.includes(ownRulesetMark)) {
            const then = `\`pulumi up\` ${on ? "keeps it up to date" : "deletes it"} if this stack made it (its description names the stack that did)`;
            return info(subject, `${what} is this program's ("${description}")`, `${edgeCache}; ${then}`);
        }
        if (!on) return info(subject, `${what} is not this program's`, `${edgeCache} and leaves it as it is`);
        const remove = `curl -X DELETE -H "Authorization: Bearer <token>" ${api.base}/zones/${zone.id}/rulesets/${id}`;
        return {
            severity: "blocker",
            subject,
            what: `${what} is not this program's${description ? ` ("${description}")` : ""}`,
            why: `${edgeCache} for that phase, and a zone has one entry point per phase: \`pulumi up\` would fail creating it (Cloudflare: "exceeded maximum number of zone rulesets for phase ${phase}")`,
            fix: rules.length
                ? `note what those rules do (the program's become the phase's only rules) and delete them in the dashboard (Caching > Cache Rules), then the entry point itself, which the dashboard leaves behind and which is still in the way (this alone deletes the rules too): ${remove}; or turn the edge cache off: pulumi config set ${project}:edgeCacheSeconds 0`
                : `delete the empty entry point (the dashboard leaves it when its last rule is deleted): ${remove}; or turn the edge cache off: pulumi config set ${project}:edgeCacheSeconds 0`,
        };
    });
}

/** Purges a host that serves nothing from the edge: proves Cache Purge and purges nothing real. */
export async function purgeProbe(api: CloudflareApi, zone: Zone, domain: string): Promise<Probe> {
    const host = probeRecordName(domain);
    const answer = await api.call("POST", `/zones/${zone.id}/purge_cache`, { hosts: [host] });
    if (answer.ok) return { ok: true, detail: `purged host ${host} from the edge, a host that serves nothing: nothing real was purged` };
    return { ok: false, refused: refused(answer), detail: `purging host ${host} from the edge failed: ${answer.errors}` };
}

/** Which probe proves each permission of config/cloudflarePermissions.ts; a permission without one is reported as not checked. */
export type ProbeKind = "zoneRead" | "dnsEdit" | "zoneSettingsEdit" | "cacheRulesEdit" | "cachePurge";
export const probeKinds: Readonly<Record<string, ProbeKind>> = {
    "Zone / Zone / Read": "zoneRead",
    "Zone / DNS / Edit": "dnsEdit",
    "Zone / Zone Settings / Edit": "zoneSettingsEdit",
    "Zone / Cache Rules / Edit": "cacheRulesEdit",
    "Zone / Cache Purge / Purge": "cachePurge",
};

export const createTokenFix = (subject: string, env: string | undefined, permissions: readonly TokenPermission[], domain: string) =>
    `in Cloudflare's dashboard, My Profile > API Tokens > Create Token > Custom token, with ${permissions
        .map((p) => `"${p.name}"`)
        .join(", ")} on zone ${domain}; then: pulumi config set --secret ${subject} <token>${env ? ` (or export ${env}=<token>)` : ""}`;

export function unreachableCloudflare(subject: string, base: string, error: unknown): Finding {
    return {
        severity: "blocker",
        subject,
        what: `cannot reach the Cloudflare API at ${base}: ${message(error)}`,
        why: "`pulumi up` sets the zone's records and settings through this API",
        fix: `check this machine's network and proxy, then: curl -s ${base}/user/tokens/verify -H "Authorization: Bearer <token>"`,
    };
}
