// Where DigitalOcean's alerts go: the addresses in site:alertEmails and, optionally, a Slack
// webhook (the secret site:alertSlackWebhook) with its channel (site:alertSlackChannel). What is
// missing is said twice, the same words: `pulumi preview` warns (config/index.ts) and `npm run
// check` reports it (check/offline.ts).
import { secretSources, Settings } from "./schema";

/** The destinations every alert is sent to; `slack` only with both the webhook and its channel. */
export interface AlertDestinations<S> {
    readonly emails: readonly string[];
    readonly slack?: { readonly channel: string; readonly url: S };
}

export function alertDestinations<S>(settings: Settings, slackWebhook: S | undefined): AlertDestinations<S> {
    const channel = settings.alertSlackChannel.trim();
    return {
        emails: settings.alertEmails,
        ...(slackWebhook !== undefined && channel !== "" ? { slack: { channel, url: slackWebhook } } : {}),
    };
}

/** Whether any alert can be sent: DigitalOcean's alerts need somewhere to go. */
export const hasDestination = (destinations: AlertDestinations<unknown>): boolean =>
    destinations.emails.length > 0 || destinations.slack !== undefined;

export interface DestinationProblem {
    /** The config key as Pulumi's CLI names it. */
    readonly key: string;
    readonly what: string;
    readonly fix: string;
    /** The stack asked for Slack and does not get it (a blocker for the preflight), or nobody is told (a warning). */
    readonly severity: "blocker" | "warning";
}

const webhookKey = secretSources.alertSlackWebhook.key;

/** What keeps alerts from reaching anyone; nothing for the local target, which has no alerts. */
export function alertDestinationProblems(settings: Settings, slackWebhookSet: boolean): DestinationProblem[] {
    if (settings.target !== "droplet") return [];
    const problems: DestinationProblem[] = [];
    const channel = settings.alertSlackChannel.trim();
    if (slackWebhookSet && channel === "") {
        problems.push({
            key: "site:alertSlackChannel",
            what: `${webhookKey} is set but the channel is empty, and DigitalOcean takes a Slack destination only with both, so Slack gets no alerts`,
            fix: "pulumi config set site:alertSlackChannel '#alerts' (the channel the webhook posts to)",
            severity: "blocker",
        });
    }
    if (!hasDestination(alertDestinations(settings, slackWebhookSet ? true : undefined))) {
        problems.push({
            key: "site:alertEmails",
            what: "no address and no Slack webhook: DigitalOcean would have nowhere to send an alert, so the uptime checks run without alerts and the droplet gets no alert policies (CPU, memory, disk); nobody is told when the site is down",
            fix: `pulumi config set --path 'site:alertEmails[0]' <an address verified on your DigitalOcean account> (or set ${webhookKey} and site:alertSlackChannel)`,
            severity: "warning",
        });
    }
    return problems;
}
