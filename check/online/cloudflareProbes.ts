// What both Cloudflare token checks do to prove a permission while changing nothing that stays
// changed: verify the token, find the zone, set its websockets setting to the value it has, create
// and delete a TXT record. Also which probe proves which permission of config/cloudflarePermissions.ts,
// and the findings both checks give.
import type { TokenPermission } from "../../config/cloudflarePermissions";
import type { Finding } from "../finding";
import { CloudflareAnswer, CloudflareApi, refused } from "./cloudflareApi";
import { message } from "./context";

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

/** Which probe proves each permission of config/cloudflarePermissions.ts; a permission without one is reported as not checked. */
export type ProbeKind = "zoneRead" | "dnsEdit" | "zoneSettingsEdit";
export const probeKinds: Readonly<Record<string, ProbeKind>> = {
    "Zone / Zone / Read": "zoneRead",
    "Zone / DNS / Edit": "dnsEdit",
    "Zone / Zone Settings / Edit": "zoneSettingsEdit",
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
