// The online half of the preflight (`npm run check -- --stack NAME --online`): asks the real
// services what `pulumi up` will need of them, without changing anything that stays changed.
// Is this machine inside site:adminCidrs? Do the tokens work, with exactly the permissions of
// config/cloudflarePermissions.ts? Does the mail server answer and offer TLS? One file per check.
import type { Settings } from "../../config/schema";
import type { Finding } from "../finding";
import { addressCheck } from "./address";
import { acmeTokenCheck } from "./cloudflareAcmeToken";
import { deployTokenCheck } from "./cloudflareDeployToken";
import type { Context } from "./context";
import { digitaloceanCheck } from "./digitalocean";
import { smtpCheck } from "./smtp";

export { probeRecordName } from "./cloudflareProbes";

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
