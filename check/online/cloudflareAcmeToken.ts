// Online check 4: the ACME token (certbot's, stored on the droplet) is valid and active, can edit
// DNS to answer Let's Encrypt's challenge, and is refused a zone settings change, so that a stolen
// droplet cannot change the zone. It probes the zone the deploy token found, if it found one.
import { acmeTokenPermissions, deployTokenPermissions, TokenPermission } from "../../config/cloudflarePermissions";
import { secretSources } from "../../config/schema";
import type { Finding } from "../finding";
import { CloudflareApi } from "./cloudflareApi";
import type { DeployResult } from "./cloudflareDeployToken";
import {
    createTokenFix,
    dnsProbe,
    findZone,
    ProbeKind,
    probeKinds,
    readWebsockets,
    sameValueSettingChange,
    unreachableCloudflare,
    verifyToken,
    Zone,
} from "./cloudflareProbes";
import { Context, info, missingToken } from "./context";

/** The permission of the list a probe proves (for a token that must not have it, too). */
const permissionProvedBy = (kind: ProbeKind): TokenPermission | undefined =>
    [...deployTokenPermissions, ...acmeTokenPermissions].find((permission) => probeKinds[permission.name] === kind);

export async function acmeTokenCheck(
    { settings, tokens, endpoints, timeoutMs }: Context,
    deployed: Promise<DeployResult>,
): Promise<Finding[]> {
    const { key: subject } = secretSources.acmeDnsToken;
    const token = tokens.acmeDnsToken;
    if (!token) return [missingToken("acmeDnsToken", "certbot on the droplet answers Let's Encrypt's DNS challenge with it")];
    const api = new CloudflareApi(endpoints.cloudflare, token, timeoutMs);
    const fix = createTokenFix(subject, undefined, acmeTokenPermissions, settings.domain);
    const settingsEdit = permissionProvedBy("zoneSettingsEdit");
    try {
        const invalid = await verifyToken(api, subject, fix);
        if (invalid) return [invalid];
        const deploy = await deployed;
        const own = deploy.zone ? undefined : await findZone(api, settings.domain);
        const zone = deploy.zone ?? own?.zone;
        if (!zone) {
            return [
                info(subject, "the ACME token is valid and active", "certbot uses it on the droplet"),
                {
                    severity: "warning",
                    subject,
                    what: `its permissions were not checked: neither the deploy token nor this token can find zone ${settings.domain}${own && !own.answer.ok ? ` (${own.answer.errors})` : ""}`,
                    why: "certbot needs to edit the zone's DNS for every certificate",
                    fix: "fix the deploy token's zone finding, then run the check again",
                },
            ];
        }
        const findings: Finding[] = [info(subject, "the ACME token is valid and active", "certbot uses it on the droplet")];
        const dns = await dnsProbe(api, zone, settings.domain, subject);
        for (const permission of acmeTokenPermissions) {
            const kind = probeKinds[permission.name] as ProbeKind | undefined;
            const why = `certbot on the droplet needs it (${permission.usedFor})`;
            if (kind !== "dnsEdit") {
                findings.push({
                    severity: "warning",
                    subject,
                    what: `"${permission.name}" is not checked online for this token`,
                    why,
                    fix: `make sure the token has "${permission.name}" in the dashboard (My Profile > API Tokens)`,
                });
            } else if (dns.probe.ok) {
                findings.push(info(subject, `the ACME token has "${permission.name}": ${dns.probe.detail}`, why));
            } else {
                findings.push({
                    severity: "blocker",
                    subject,
                    what: `the ACME token lacks "${permission.name}"${dns.probe.refused ? "" : " (or the call failed)"}: ${dns.probe.detail}`,
                    why: `${why}; without it no certificate is issued and the proxy does not start`,
                    fix: `edit the token in the dashboard (My Profile > API Tokens > Edit) and add "${permission.name}" for zone ${settings.domain}; or ${fix}`,
                });
            }
        }
        if (dns.leftover) findings.push(dns.leftover);
        findings.push(await settingsRefused(api, zone, deploy.api, subject, settingsEdit?.name ?? "Zone Settings", fix));
        return findings;
    } catch (error) {
        return [unreachableCloudflare(subject, endpoints.cloudflare, error)];
    }
}

/** The ACME token lives on the droplet: a same-value zone settings change must be refused. */
async function settingsRefused(
    api: CloudflareApi,
    zone: Zone,
    deployApi: CloudflareApi | undefined,
    subject: string,
    permissionName: string,
    fix: string,
): Promise<Finding> {
    const why = "the token is stored on the droplet; a stolen droplet must not be able to change the zone";
    let value = zone.websockets;
    if (value === undefined) value = (await readWebsockets(api, zone)).value;
    if (value === undefined && deployApi) value = (await readWebsockets(deployApi, zone)).value;
    if (value === undefined) {
        return {
            severity: "warning",
            subject,
            what: `whether the ACME token can change zone settings was not checked: no token could read the zone's websockets setting to set it to its own value`,
            why,
            fix: `check in the dashboard (My Profile > API Tokens) that the token has only ${acmeTokenPermissions.map((p) => `"${p.name}"`).join(", ")}`,
        };
    }
    const change = await sameValueSettingChange(api, zone, value);
    if (change.ok) {
        return {
            severity: "blocker",
            subject,
            what: `the token on the droplet can change zone settings (it has "${permissionName}"; ${change.detail}); a stolen droplet could turn off SSL`,
            why,
            fix: `roll the token and make a new one with only ${acmeTokenPermissions.map((p) => `"${p.name}"`).join(", ")}: ${fix}`,
        };
    }
    if (change.refused)
        return info(subject, `the ACME token is refused a zone settings change (it lacks "${permissionName}", as it should)`, why);
    return {
        severity: "warning",
        subject,
        what: `whether the ACME token can change zone settings is unknown: ${change.detail}`,
        why,
        fix: `check in the dashboard (My Profile > API Tokens) that the token has only ${acmeTokenPermissions.map((p) => `"${p.name}"`).join(", ")}`,
    };
}
