// Online check 3: the Cloudflare deploy token is valid and active and has each permission of
// deployTokenPermissions (config/cloudflarePermissions.ts), each proved by a probe. Pulumi sets the
// zone's DNS records, settings and cache rules with it, and the deploy purges the blog's pages. Also
// that no cache rule entry point of someone else's is in the way of the blog's edge cache. The zone
// it finds is handed to the ACME token's check.
import { deployTokenPermissions } from "../../config/cloudflarePermissions";
import { project, secretSources } from "../../config/schema";
import type { Finding } from "../finding";
import { CloudflareApi, refused } from "./cloudflareApi";
import {
    cacheEntryPointFindings,
    cacheEntryPointsProbe,
    createTokenFix,
    dnsProbe,
    findZone,
    Probe,
    ProbeKind,
    probeKinds,
    purgeProbe,
    readWebsockets,
    sameValueSettingChange,
    unreachableCloudflare,
    verifyToken,
    Zone,
} from "./cloudflareProbes";
import { Context, info, missingToken } from "./context";

export interface DeployResult {
    readonly findings: Finding[];
    /** The zone, if the deploy token found it (the ACME token may not be able to look it up). */
    readonly zone?: Zone;
    readonly api?: CloudflareApi;
}

async function settingsProbe(api: CloudflareApi, zone: Zone): Promise<Probe> {
    const read = await readWebsockets(api, zone);
    if (read.value === undefined)
        return { ok: false, refused: refused(read.answer), detail: `reading the zone's websockets setting failed: ${read.answer.errors}` };
    return sameValueSettingChange(api, zone, read.value);
}

export async function deployTokenCheck({ settings, tokens, endpoints, timeoutMs }: Context): Promise<DeployResult> {
    const { key: subject, env } = secretSources.cloudflareApiToken;
    const token = tokens.cloudflareApiToken;
    if (!token)
        return { findings: [missingToken("cloudflareApiToken", "Pulumi sets the zone's DNS records, settings and cache rules with it")] };
    const api = new CloudflareApi(endpoints.cloudflare, token, timeoutMs);
    const fix = createTokenFix(subject, env, deployTokenPermissions, settings.domain);
    try {
        const invalid = await verifyToken(api, subject, fix);
        if (invalid) return { findings: [invalid], api };

        const found = await findZone(api, settings.domain);
        const zone = found.zone;
        const [settingsResult, dnsResult, cacheRulesResult, purgeResult] = zone
            ? await Promise.all([
                  settingsProbe(api, zone),
                  dnsProbe(api, zone, settings.domain, subject),
                  cacheEntryPointsProbe(api, zone),
                  purgeProbe(api, zone, settings.domain),
              ])
            : [undefined, undefined, undefined, undefined];
        const zoneProbe: Probe = zone
            ? { ok: true, detail: `found zone ${settings.domain} (id ${zone.id})` }
            : { ok: false, refused: refused(found.answer), detail: found.answer.ok ? "" : found.answer.errors };
        const results: Record<ProbeKind, Probe | undefined> = {
            zoneRead: zoneProbe,
            zoneSettingsEdit: settingsResult,
            dnsEdit: dnsResult?.probe,
            cacheRulesEdit: cacheRulesResult?.probe,
            cachePurge: purgeResult,
        };

        const findings: Finding[] = [];
        for (const permission of deployTokenPermissions) {
            const kind = probeKinds[permission.name] as ProbeKind | undefined;
            const probe = kind && results[kind];
            const why = `Pulumi needs it for ${permission.usedFor}`;
            if (!kind) {
                findings.push({
                    severity: "warning",
                    subject,
                    what: `"${permission.name}" is not checked online (the preflight has no probe for it)`,
                    why,
                    fix: `make sure the token has "${permission.name}" in the dashboard (My Profile > API Tokens)`,
                });
            } else if (kind === "zoneRead" && !zone) {
                findings.push({
                    severity: "blocker",
                    subject,
                    what: `zone ${settings.domain} not found, or the token cannot read it (needs "${permission.name}")${zoneProbe.detail ? `: ${zoneProbe.detail}` : ""}`,
                    why: `${why}; every record and setting belongs to that zone`,
                    fix: `add the site to Cloudflare (dashboard > Add a site > ${settings.domain}) or, if it is there, add zone ${settings.domain} to the token's zone resources with "${permission.name}"; or fix the domain: pulumi config set ${project}:domain <your zone>`,
                });
            } else if (!probe) {
                findings.push({
                    severity: "warning",
                    subject,
                    what: `"${permission.name}" was not checked: the zone ${settings.domain} was not found`,
                    why,
                    fix: "fix the zone finding above, then run the check again",
                });
            } else if (probe.ok) {
                findings.push(info(subject, `the deploy token has "${permission.name}": ${probe.detail}`, why));
            } else {
                findings.push({
                    severity: "blocker",
                    subject,
                    what: `the deploy token lacks "${permission.name}"${probe.refused ? "" : " (or the call failed)"}: ${probe.detail}`,
                    why: `${why}; \`pulumi up\` would fail`,
                    fix: `edit the token in the dashboard (My Profile > API Tokens > Edit) and add "${permission.name}" for zone ${settings.domain}; or ${fix}`,
                });
            }
        }
        if (zone && cacheRulesResult) findings.push(...cacheEntryPointFindings(api, zone, cacheRulesResult.entryPoints, settings, subject));
        if (dnsResult?.leftover) findings.push(dnsResult.leftover);
        return { findings: [info(subject, "the deploy token is valid and active", "Pulumi uses it for the zone"), ...findings], zone, api };
    } catch (error) {
        return { findings: [unreachableCloudflare(subject, endpoints.cloudflare, error)], api };
    }
}
