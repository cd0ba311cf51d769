// Online check 2: does the DigitalOcean token work, for an active account? Pulumi creates the
// droplet, volume and firewall with it.
import { secretSources } from "../../config/schema";
import type { Finding } from "../finding";
import { Context, info, message, missingToken } from "./context";

export async function digitaloceanCheck({ tokens, endpoints, timeoutMs }: Context): Promise<Finding[]> {
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
