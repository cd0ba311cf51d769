// The online half of the preflight (`npm run check -- --stack NAME --online`): asks the real
// services what `pulumi up` will need of them, without changing anything that stays changed.
// Is this machine inside site:adminCidrs? Do the tokens work, with exactly the permissions of
// config/cloudflarePermissions.ts? Does the mail server answer and offer TLS?
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { createTransport } from "nodemailer";
import { acmeTokenPermissions, deployTokenPermissions, TokenPermission } from "../config/cloudflarePermissions";
import { project, SecretName, secretSources, Settings } from "../config/schema";
import type { Finding } from "./finding";

export interface Endpoints {
    digitalocean: string;
    cloudflare: string;
    trace: string;
}

export const publicEndpoints: Endpoints = {
    digitalocean: "https://api.digitalocean.com",
    cloudflare: "https://api.cloudflare.com/client/v4",
    // By IPv4: Pulumi reaches the droplet at its reserved IPv4 address, so that is the address SSH sees.
    trace: "https://1.1.1.1/cdn-cgi/trace",
};

export interface OnlineInputs {
    settings: Settings;
    tokens: { digitaloceanToken?: string; cloudflareApiToken?: string; acmeDnsToken?: string };
    /** Where the APIs are; tests point these at loopback stand-ins. */
    endpoints?: Endpoints;
    /** An extra CA (PEM) trusted for the SMTP server's certificate (tests). */
    smtpCa?: string;
    /** Per request or connection; default 10000. */
    timeoutMs?: number;
}

/** The TXT record both Cloudflare tokens create and delete at once to prove they can edit DNS. */
export const probeRecordName = (domain: string): string => `_site-preflight.${domain}`;
const probeRecordContent = "site preflight, deleted at once";

/** Every online check, run concurrently; findings in a stable order: address, DigitalOcean, deploy token, ACME token, SMTP. */
export async function onlineFindings(inputs: OnlineInputs): Promise<Finding[]> {
    const context: Context = { ...inputs, endpoints: inputs.endpoints ?? publicEndpoints, timeoutMs: inputs.timeoutMs ?? 10000 };
    const deploy = deployTokenCheck(context);
    const groups = await Promise.all([
        addressCheck(context),
        digitaloceanCheck(context),
        deploy.then((result) => result.findings),
        acmeTokenCheck(context, deploy),
        smtpCheck(context),
    ]);
    return groups.flat();
}

interface Context extends Required<Omit<OnlineInputs, "smtpCa">> {
    smtpCa?: string;
}

const info = (subject: string, what: string, why: string): Finding => ({ severity: "info", subject, what, why, fix: "" });
/** An error on one line, with the cause fetch hides behind "fetch failed". */
const message = (error: unknown): string => {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const own = oneLine(error instanceof Error ? error.message : String(error));
    return cause?.message ? `${own} (${oneLine(cause.code ?? cause.message)})` : own;
};
const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** One blocker for a token that is not given: its config key, its variable, and that its checks are skipped. */
function missingToken(name: SecretName, usedFor: string): Finding {
    const { key, env } = secretSources[name];
    return {
        severity: "blocker",
        subject: key,
        what: `the token is not set${env ? ` (neither ${key} nor ${env})` : ""}, so its online checks were skipped`,
        why: `${usedFor}; without it \`pulumi up\` fails`,
        fix: `pulumi config set --secret ${key} <token>${env ? ` (or export ${env}=<token>)` : ""}`,
    };
}

// ---- 1. This machine's public address is inside site:adminCidrs ----------------------------------

async function addressCheck({ settings, endpoints, timeoutMs }: Context): Promise<Finding[]> {
    const subject = `${project}:adminCidrs`;
    let ip: string | undefined;
    try {
        const response = await fetch(endpoints.trace, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const line = (await response.text()).split("\n").find((l) => l.startsWith("ip="));
        ip = line?.slice(3).trim();
        if (!ip || isIP(ip) === 0) throw new Error(`no ip= line with an address in the answer`);
    } catch (error) {
        return [
            {
                severity: "warning",
                subject,
                what: `could not learn this machine's public address from ${endpoints.trace}: ${message(error)}`,
                why: "SSH to the droplet (and so Pulumi's host setup) is only allowed from site:adminCidrs; this was not checked",
                fix: `curl -s ${endpoints.trace} | grep ip= and compare it with: pulumi config get ${subject}`,
            },
        ];
    }
    const family = isIP(ip) === 4 ? "ipv4" : "ipv6";
    const ranges = new BlockList();
    for (const cidr of settings.adminCidrs) {
        const [network, prefix] = cidr.split("/");
        ranges.addSubnet(network, Number(prefix), isIP(network) === 4 ? "ipv4" : "ipv6");
    }
    if (ranges.check(ip, family)) {
        return [
            info(
                subject,
                `this machine's public address ${ip} is inside ${settings.adminCidrs.join(", ")}`,
                "SSH to the droplet is allowed from here",
            ),
        ];
    }
    const own = `${ip}/${family === "ipv4" ? 32 : 128}`;
    return [
        {
            severity: "blocker",
            subject,
            what: `this machine's public address ${ip} is outside ${settings.adminCidrs.join(", ")}`,
            why: "the cloud firewall and UFW refuse SSH from here, so Pulumi's host setup (which runs over SSH) would fail",
            fix: `pulumi config set --path '${subject}[${settings.adminCidrs.length}]' ${own}`,
        },
    ];
}

// ---- 2. The DigitalOcean token works --------------------------------------------------------------

async function digitaloceanCheck({ tokens, endpoints, timeoutMs }: Context): Promise<Finding[]> {
    const subject = secretSources.digitaloceanToken.key;
    const token = tokens.digitaloceanToken;
    if (!token) return [missingToken("digitaloceanToken", "Pulumi creates the droplet, volume and firewall with it")];
    const fix = `make a token with read and write scope at https://cloud.digitalocean.com/account/api/tokens, then: pulumi config set --secret ${subject} <token> (or export DIGITALOCEAN_TOKEN=<token>)`;
    let response: Response;
    try {
        response = await fetch(`${endpoints.digitalocean}/v2/account`, {
            headers: { Authorization: `Bearer ${token}` },
            signal: AbortSignal.timeout(timeoutMs),
        });
    } catch (error) {
        return [
            {
                severity: "blocker",
                subject,
                what: `cannot reach the DigitalOcean API at ${endpoints.digitalocean}: ${message(error)}`,
                why: "`pulumi up` creates the droplet through this API",
                fix: `check this machine's network and proxy, then: curl -sI ${endpoints.digitalocean}/v2/account`,
            },
        ];
    }
    const body = (await response.json().catch(() => ({}))) as {
        account?: { email?: string; status?: string; status_message?: string };
        message?: string;
    };
    if (response.status === 401 || response.status === 403) {
        return [
            {
                severity: "blocker",
                subject,
                what: `DigitalOcean refuses the token (HTTP ${response.status}${body.message ? `: ${body.message}` : ""})`,
                why: "`pulumi up` creates the droplet, volume and firewall with this token",
                fix,
            },
        ];
    }
    const account = body.account;
    if (!response.ok || !account) {
        return [
            {
                severity: "blocker",
                subject,
                what: `DigitalOcean's account endpoint answered HTTP ${response.status}${body.message ? `: ${body.message}` : ""}`,
                why: "the token could not be checked; `pulumi up` needs it",
                fix: `try again later, or check https://status.digitalocean.com; then: curl -s -H "Authorization: Bearer $DIGITALOCEAN_TOKEN" ${endpoints.digitalocean}/v2/account`,
            },
        ];
    }
    const who = `account ${account.email ?? "(no email)"}, status ${account.status ?? "unknown"}`;
    if (account.status !== "active") {
        return [
            {
                severity: "blocker",
                subject,
                what: `the DigitalOcean token works but the account is not active (${who}${account.status_message ? `: ${account.status_message}` : ""})`,
                why: "DigitalOcean does not create droplets for an account that is locked or awaiting verification",
                fix: "settle the account at https://cloud.digitalocean.com/account (billing, email verification), then run the check again",
            },
        ];
    }
    return [info(subject, `the DigitalOcean token works (${who})`, "`pulumi up` creates the droplet, volume and firewall with it")];
}

// ---- 3. and 4. The Cloudflare tokens --------------------------------------------------------------

interface CloudflareAnswer {
    readonly status: number;
    readonly ok: boolean;
    readonly result: unknown;
    /** Cloudflare's own error list, as `code: message`; or the HTTP status if it gave none. */
    readonly errors: string;
}

class CloudflareApi {
    constructor(
        readonly base: string,
        private readonly token: string,
        private readonly timeoutMs: number,
    ) {}

    /** One call; throws only when Cloudflare cannot be reached. */
    async call(method: string, path: string, body?: unknown): Promise<CloudflareAnswer> {
        const response = await fetch(`${this.base}${path}`, {
            method,
            headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.timeoutMs),
        });
        const json = (await response.json().catch(() => ({}))) as {
            success?: boolean;
            result?: unknown;
            errors?: { code?: number; message?: string }[];
        };
        const errors = (json.errors ?? []).map((e) => `${e.code ?? "?"}: ${e.message ?? ""}`).join("; ");
        return {
            status: response.status,
            ok: response.ok && json.success !== false,
            result: json.result,
            errors: errors || `HTTP ${response.status}`,
        };
    }
}

const refused = (answer: CloudflareAnswer) => answer.status === 401 || answer.status === 403;

/** What a probe learned: `ok` with a detail for the info line, or why not. */
type Probe = { readonly ok: true; readonly detail: string } | { readonly ok: false; readonly refused: boolean; readonly detail: string };

interface Zone {
    readonly id: string;
    /** The websockets setting's current value, once some token could read it. */
    websockets?: unknown;
}

interface DeployResult {
    readonly findings: Finding[];
    /** The zone, if the deploy token found it (the ACME token may not be able to look it up). */
    readonly zone?: Zone;
    readonly api?: CloudflareApi;
}

/** Whether the token is valid and active; a finding if not. */
async function verifyToken(api: CloudflareApi, subject: string, fix: string): Promise<Finding | undefined> {
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

async function findZone(api: CloudflareApi, domain: string): Promise<{ zone?: Zone; answer: CloudflareAnswer }> {
    const answer = await api.call("GET", `/zones?name=${encodeURIComponent(domain)}`);
    const first = Array.isArray(answer.result) ? (answer.result[0] as { id?: string } | undefined) : undefined;
    return { zone: answer.ok && first?.id ? { id: first.id } : undefined, answer };
}

/** Reads the zone's websockets setting; the value, or why not. */
async function readWebsockets(api: CloudflareApi, zone: Zone): Promise<{ value?: unknown; answer: CloudflareAnswer }> {
    const answer = await api.call("GET", `/zones/${zone.id}/settings/websockets`);
    const value = answer.ok ? (answer.result as { value?: unknown } | undefined)?.value : undefined;
    if (value !== undefined) zone.websockets = value;
    return { value, answer };
}

/** A change of the websockets setting to the value it has: proves Zone Settings Edit and changes nothing. */
async function sameValueSettingChange(api: CloudflareApi, zone: Zone, value: unknown): Promise<Probe> {
    const answer = await api.call("PATCH", `/zones/${zone.id}/settings/websockets`, { value });
    if (answer.ok) return { ok: true, detail: `set the zone's websockets setting to its own value (${String(value)}): nothing changed` };
    return { ok: false, refused: refused(answer), detail: `changing the websockets setting to its own value failed: ${answer.errors}` };
}

async function settingsProbe(api: CloudflareApi, zone: Zone): Promise<Probe> {
    const read = await readWebsockets(api, zone);
    if (read.value === undefined)
        return { ok: false, refused: refused(read.answer), detail: `reading the zone's websockets setting failed: ${read.answer.errors}` };
    return sameValueSettingChange(api, zone, read.value);
}

/** Creates the probe TXT record and deletes it at once. A failed delete is a warning of its own. */
async function dnsProbe(api: CloudflareApi, zone: Zone, domain: string, subject: string): Promise<{ probe: Probe; leftover?: Finding }> {
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
type ProbeKind = "zoneRead" | "dnsEdit" | "zoneSettingsEdit";
const probeKinds: Readonly<Record<string, ProbeKind>> = {
    "Zone / Zone / Read": "zoneRead",
    "Zone / DNS / Edit": "dnsEdit",
    "Zone / Zone Settings / Edit": "zoneSettingsEdit",
};
/** The permission of the list a probe proves (for a token that must not have it, too). */
const permissionProvedBy = (kind: ProbeKind): TokenPermission | undefined =>
    [...deployTokenPermissions, ...acmeTokenPermissions].find((permission) => probeKinds[permission.name] === kind);

const createTokenFix = (subject: string, env: string | undefined, permissions: readonly TokenPermission[], domain: string) =>
    `in Cloudflare's dashboard, My Profile > API Tokens > Create Token > Custom token, with ${permissions
        .map((p) => `"${p.name}"`)
        .join(", ")} on zone ${domain}; then: pulumi config set --secret ${subject} <token>${env ? ` (or export ${env}=<token>)` : ""}`;

function unreachableCloudflare(subject: string, base: string, error: unknown): Finding {
    return {
        severity: "blocker",
        subject,
        what: `cannot reach the Cloudflare API at ${base}: ${message(error)}`,
        why: "`pulumi up` sets the zone's records and settings through this API",
        fix: `check this machine's network and proxy, then: curl -s ${base}/user/tokens/verify -H "Authorization: Bearer <token>"`,
    };
}

async function deployTokenCheck({ settings, tokens, endpoints, timeoutMs }: Context): Promise<DeployResult> {
    const { key: subject, env } = secretSources.cloudflareApiToken;
    const token = tokens.cloudflareApiToken;
    if (!token) return { findings: [missingToken("cloudflareApiToken", "Pulumi sets the zone's DNS records and settings with it")] };
    const api = new CloudflareApi(endpoints.cloudflare, token, timeoutMs);
    const fix = createTokenFix(subject, env, deployTokenPermissions, settings.domain);
    try {
        const invalid = await verifyToken(api, subject, fix);
        if (invalid) return { findings: [invalid], api };

        const found = await findZone(api, settings.domain);
        const zone = found.zone;
        const [settingsResult, dnsResult] = zone
            ? await Promise.all([settingsProbe(api, zone), dnsProbe(api, zone, settings.domain, subject)])
            : [undefined, undefined];
        const zoneProbe: Probe = zone
            ? { ok: true, detail: `found zone ${settings.domain} (id ${zone.id})` }
            : { ok: false, refused: refused(found.answer), detail: found.answer.ok ? "" : found.answer.errors };
        const results: Record<ProbeKind, Probe | undefined> = {
            zoneRead: zoneProbe,
            zoneSettingsEdit: settingsResult,
            dnsEdit: dnsResult?.probe,
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
        if (dnsResult?.leftover) findings.push(dnsResult.leftover);
        return { findings: [info(subject, "the deploy token is valid and active", "Pulumi uses it for the zone"), ...findings], zone, api };
    } catch (error) {
        return { findings: [unreachableCloudflare(subject, endpoints.cloudflare, error)], api };
    }
}

async function acmeTokenCheck({ settings, tokens, endpoints, timeoutMs }: Context, deployed: Promise<DeployResult>): Promise<Finding[]> {
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

// ---- 5. The SMTP server answers and offers TLS ------------------------------------------------------

interface MailError {
    code?: string;
    command?: string;
    message: string;
}

async function smtpCheck({ settings, smtpCa, timeoutMs }: Context): Promise<Finding[]> {
    const { smtpHost: host, smtpPort: port } = settings;
    const subject = `${project}:smtpHost`;
    const where = `${host}:${port}`;
    const tlsKind = port === 465 ? "implicit TLS" : "STARTTLS";
    // The system resolver (which reads /etc/hosts), not nodemailer's own DNS queries; the
    // certificate is still checked against the host name.
    let addresses: string[];
    try {
        addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (error) {
        return [
            {
                severity: "blocker",
                subject,
                what: `the mail server's name ${host} does not resolve: ${message(error)}`,
                why: "Ghost sends sign-in links, invitations and newsletters through it",
                fix: `pulumi config set ${project}:smtpHost <your provider's SMTP host, e.g. smtp.mailgun.org>`,
            },
        ];
    }
    let failure: MailError | undefined;
    for (const address of addresses) {
        const transport = createTransport({
            host: address,
            port,
            secure: port === 465,
            requireTLS: port !== 465,
            tls: { ca: smtpCa, servername: host },
            connectionTimeout: timeoutMs,
            greetingTimeout: timeoutMs,
            socketTimeout: timeoutMs,
        });
        try {
            await transport.verify();
            return [
                info(
                    subject,
                    `the mail server ${where} answers and offers ${tlsKind} with a valid certificate for ${host} (the SMTP password was not checked: it is an encrypted secret)`,
                    "Ghost sends sign-in links, invitations and newsletters through it, over TLS",
                ),
            ];
        } catch (error) {
            failure = { ...(error as MailError), message: oneLine((error as MailError).message) };
            // Another address of the name may answer; only a connection that never started moves on.
            if (classify(failure) !== "unreachable") break;
        } finally {
            transport.close();
        }
    }
    return [smtpFailure(failure ?? { message: "no address" }, host, where, tlsKind)];
}

/** What went wrong with the mail server: its certificate, its TLS, or reaching it at all. */
function classify(error: MailError): "certificate" | "tls" | "unreachable" {
    if (/certificate|self[- ]signed|altnames|unable to verify|CERT_/i.test(error.message)) return "certificate";
    // ETLS: STARTTLS refused or the handshake failed; a plain-text server on 465 fails the handshake as a socket error.
    if (error.code === "ETLS" || /wrong version number|packet length too long|SSL routines|handshake/i.test(error.message)) return "tls";
    return "unreachable";
}

function smtpFailure(error: MailError, host: string, where: string, tlsKind: string): Finding {
    const subject = `${project}:smtpHost`;
    const why = "Ghost sends sign-in links, invitations and newsletters through it; the site requires TLS (requireTLS), so mail would fail";
    const kind = classify(error);
    if (kind === "certificate") {
        return {
            severity: "blocker",
            subject,
            what: `the mail server ${where} offers ${tlsKind} but its certificate is not valid for ${host}: ${error.message}`,
            why,
            fix: `use the host name your provider's certificate names (pulumi config set ${project}:smtpHost <host>), or ask the provider to fix the certificate`,
        };
    }
    if (kind === "tls") {
        return {
            severity: "blocker",
            subject,
            what: `the mail server ${where} answers but does not offer ${tlsKind} (${error.message})`,
            why,
            fix: `use the provider's STARTTLS port: pulumi config set ${project}:smtpPort 587 (or 2525; or 465 for implicit TLS)`,
        };
    }
    return {
        severity: "blocker",
        subject,
        what: `the mail server ${where} cannot be reached: ${error.message}${error.code ? ` (${error.code})` : ""}`,
        why: `${why}. DigitalOcean blocks outgoing port 25 on new accounts, and some networks block other mail ports`,
        fix: `pulumi config set ${project}:smtpPort 2525 (or 587, whichever your provider offers), or check ${project}:smtpHost`,
    };
}
