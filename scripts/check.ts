// npm run check -- --stack NAME [--online]
// The preflight: everything that would make `pulumi up` fail or leave the site unsafe, each with
// what, why and the command that fixes it. Offline it reads the stack files; --online asks
// DigitalOcean, Cloudflare and the mail server too. Exits 1 when anything blocks.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseSettings, secretSources } from "../config/schema";
import { readStackFiles } from "../config/stackFiles";
import { blockerFromProblem, Finding, formatFinding } from "../check/finding";
import { offlineFindings } from "../check/offline";
import { onlineFindings } from "../check/online";

const repo = resolve(__dirname, "..");

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, online: { type: "boolean", default: false } } });
    if (!values.stack) {
        console.error("usage: npm run check -- --stack <name> [--online]");
        return 2;
    }
    let findings: Finding[];
    try {
        const stack = readStackFiles(values.stack, repo);
        const settings = parseSettings(stack.values, Object.keys(stack.appSecrets));
        findings = offlineFindings(settings, stack, process.env);
        if (values.online) {
            const tokens = {
                digitaloceanToken: secretValue("digitalocean:token", values.stack),
                cloudflareApiToken: secretValue("cloudflare:apiToken", values.stack),
                acmeDnsToken: secretValue(secretSources.acmeDnsToken.key, values.stack),
            };
            findings.push(...(await onlineFindings({ settings, tokens })));
        }
    } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        findings = error.problems.map((problem) =>
            blockerFromProblem(problem, "the stack config is invalid: pulumi up stops before creating anything"),
        );
    }
    for (const finding of findings) console.log(`${formatFinding(finding)}\n`);
    const count = (severity: Finding["severity"]) => findings.filter((f) => f.severity === severity).length;
    const blockers = count("blocker");
    console.log(
        `${values.stack}: ${blockers} blocker${blockers === 1 ? "" : "s"}, ${count("warning")} warning${count("warning") === 1 ? "" : "s"}` +
            (values.online ? "" : " (offline checks only; add --online to ask DigitalOcean, Cloudflare and the mail server)"),
    );
    return blockers > 0 ? 1 : 0;
}

/**
 * A token for the online checks: its environment variable, else the stack's encrypted config
 * through the Pulumi CLI (which asks for the passphrase or the login it needs), else nothing.
 */
function secretValue(key: string, stack: string): string | undefined {
    const variable = Object.values(secretSources).find((source) => source.key === key)?.env ?? "";
    if (process.env[variable]) return process.env[variable];
    try {
        return (
            execFileSync("pulumi", ["config", "get", key, "--stack", stack], {
                cwd: repo,
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }).trim() || undefined
        );
    } catch {
        return undefined;
    }
}

main().then(
    (code) => (process.exitCode = code),
    (error: Error) => {
        console.error(error.message);
        process.exitCode = 1;
    },
);
