// The offline half of the preflight (`npm run check -- --stack NAME`): what the stack files alone
// show. The example's placeholders left in, secrets not set, alerts with nowhere to go, and what
// the stack costs a month.
import { alertDestinationProblems } from "../config/alertDestinations";
import { findPlaceholders } from "../config/placeholders";
import { appSecretsKey, checkRestoredPasswords, ConfigError, SecretName, secretNames, secretSources, Settings } from "../config/schema";
import type { StackFileConfig } from "../config/stackFiles";
import { monthlyCost, prices } from "./cost";
import { blockerFromProblem, Finding } from "./finding";

/** Where a secret can come from besides the stack file: its environment variable. */
export type Environment = Readonly<Record<string, string | undefined>>;

export function offlineFindings(settings: Settings, stack: StackFileConfig, env: Environment): Finding[] {
    return [
        ...placeholderFindings(settings),
        ...secretFindings(settings, stack, env),
        ...alertFindings(settings, stack, env),
        ...costFindings(settings),
    ];
}

/** Where a secret is set: the stack file (encrypted) or its environment variable. */
const isSecretSet = (stack: StackFileConfig, env: Environment) => (name: SecretName) => {
    const variable = secretSources[name].env;
    return stack.secrets[name] === "set" || Boolean(variable && env[variable]);
};

function placeholderFindings(settings: Settings): Finding[] {
    return findPlaceholders(settings).map(({ key, what, fix }) => ({
        severity: "blocker",
        subject: key,
        what: `still the example's value: ${what}`,
        why: "the example stack's values stand in for yours; deployed as they are, the site is nobody's",
        fix,
    }));
}

function secretFindings(settings: Settings, stack: StackFileConfig, env: Environment): Finding[] {
    // A local stack's secrets are made and kept by `npm run local` itself.
    if (settings.target === "local") return [];
    const findings: Finding[] = [];
    const isSet = isSecretSet(stack, env);
    for (const [name, state] of Object.entries(stack.appSecrets)) {
        if (state !== "plaintext") continue;
        const key = `${appSecretsKey}.${name}`;
        findings.push({
            severity: "blocker",
            subject: key,
            what: "an app's secret is written in plain text in the stack file",
            why: "the stack file is committed: anyone who can read the repository has it",
            fix: `remove the line from the stack file, then: pulumi config set --secret --path '${key}' <value>; and change it where it was issued`,
        });
    }
    for (const name of secretNames) {
        const { key, env: variable, generated, optional } = secretSources[name];
        if (stack.secrets[name] === "plaintext") {
            findings.push({
                severity: "blocker",
                subject: key,
                what: "is written in plain text in the stack file",
                why: "the stack file is committed: anyone who can read the repository has it",
                fix: `remove the line from the stack file, then: pulumi config set --secret ${key} <value>; and change it where it was issued`,
            });
        } else if (!isSet(name) && generated) {
            findings.push({
                severity: "info",
                subject: key,
                what: "not set: the site makes it (random, kept in state as a secret)",
                why: "nobody has to invent a password; read it with: pulumi stack output logins --show-secrets",
                fix: "",
            });
        } else if (!isSet(name) && optional) {
            findings.push({
                severity: "info",
                subject: key,
                what: "not set: optional, and what it is for is left out (no alerts to Slack)",
                why: "the site works without it",
                fix: "",
            });
        } else if (!isSet(name)) {
            findings.push({
                severity: "blocker",
                subject: key,
                what: "secret is not set",
                why: `${secretSources[name].env ? "the provider needs it" : "it comes from outside the site"} and pulumi up stops without it`,
                fix: `pulumi config set --secret ${key} <value>${variable ? ` (or export ${variable})` : ""}`,
            });
        }
    }
    try {
        checkRestoredPasswords(settings, isSet);
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        for (const problem of error.problems) findings.push(blockerFromProblem(problem, "the restored database would refuse Ghost"));
    }
    return findings;
}

function alertFindings(settings: Settings, stack: StackFileConfig, env: Environment): Finding[] {
    return alertDestinationProblems(settings, isSecretSet(stack, env)("alertSlackWebhook")).map(({ key, what, fix, severity }) => ({
        severity,
        subject: key,
        what,
        why:
            severity === "blocker"
                ? "the stack asks for alerts in Slack and would not get them"
                : "an alert nobody receives is no alert: a site down, a full disk or an expiring certificate goes unnoticed",
        fix,
    }));
}

function costFindings(settings: Settings): Finding[] {
    const cost = monthlyCost(settings);
    const findings: Finding[] = [
        {
            severity: "info",
            subject: "cost",
            what: `about $${cost.total.toFixed(2)} a month${cost.unknownSize ? " plus the droplet" : ""}: ${cost.lines.map((line) => `${line.item} $${line.dollars.toFixed(2)}`).join(", ")}`,
            why: `DigitalOcean's prices as of ${prices.date} (check/cost.ts); Cloudflare's free plan and Let's Encrypt cost nothing`,
            fix: "",
        },
    ];
    if (cost.unknownSize) {
        findings.push({
            severity: "warning",
            subject: "site:dropletSize",
            what: `${cost.unknownSize} is not in the price table, so the total leaves the droplet out`,
            why: "the table holds the Basic sizes a personal site uses",
            fix: "doctl compute size list shows its price",
        });
    }
    if (settings.target === "droplet" && settings.snapshots.length > 0) {
        findings.push({
            severity: "warning",
            subject: "site:snapshots",
            what: `the next pulumi up takes a snapshot pair for each new name (${settings.snapshots.join(", ")}), paid monthly until you delete it`,
            why: "snapshots are kept even when the droplet or the stack goes",
            fix: "to take none: pulumi config set --path 'site:snapshots' '[]' (or remove the names you do not want)",
        });
    }
    return findings;
}
