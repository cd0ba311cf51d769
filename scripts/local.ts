// npm run local        - the site on this machine's Docker engine (the `local` stack)
// npm run local:down   - removes it (the named data volumes stay, for next time)
//
// Pulumi's Automation API drives the local stack. Its state (a file backend), its passphrase
// secrets provider and its generated secrets live in .site/local/, ignored by git; nothing needs
// to be set by hand. The project is run from a copy of Pulumi.yaml and Pulumi.local.yaml in that
// folder, so the stack's salt and secrets never touch the tracked files.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { project, secretNames, secretSources } from "../config/schema";

const repo = resolve(__dirname, "..");
const home = resolve(process.env.SITE_LOCAL_DIR ?? join(repo, ".site", "local"));
const stackName = "local";

/** What is missing to run the site here, each with what to install: checked before anything changes. */
function missingTools(): string[] {
    const missing: string[] = [];
    try {
        execFileSync("pulumi", ["version"], { stdio: "ignore" });
    } catch {
        missing.push(
            "the Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ (Linux and macOS: curl -fsSL https://get.pulumi.com | sh)",
        );
    }
    try {
        execFileSync("docker", ["info"], { stdio: "ignore", timeout: 20_000 });
    } catch {
        missing.push(
            "no Docker engine answers: install Docker Desktop (macOS, Windows) or Docker Engine (Linux: apt-get install docker.io, then systemctl start docker), or point DOCKER_HOST at one",
        );
    }
    return missing;
}

/** The project, as the stack runs it: the repo's files, plus what only this machine has. */
function prepareProject(): string {
    const dir = join(home, "project");
    mkdirSync(join(home, "state"), { recursive: true, mode: 0o700 });
    mkdirSync(dir, { recursive: true });
    const projectFile = parse(readFileSync(join(repo, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "Pulumi.yaml"), stringify({ ...projectFile, main: relative(dir, repo) }));
    // The tracked stack config, with this machine's salt and secrets kept from the last run.
    const stackPath = join(dir, `Pulumi.${stackName}.yaml`);
    const previous = existsSync(stackPath) ? (parse(readFileSync(stackPath, "utf8")) as Record<string, unknown>) : {};
    const tracked = parse(readFileSync(join(repo, `Pulumi.${stackName}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const previousConfig = (previous.config ?? {}) as Record<string, unknown>;
    const secretKeys = secretNames.map((name) => secretSources[name].key);
    const kept = Object.fromEntries(Object.entries(previousConfig).filter(([key]) => secretKeys.includes(key)));
    writeFileSync(stackPath, stringify({ ...previous, config: { ...tracked.config, ...kept } }));
    return dir;
}

function passphrase(): string {
    const path = join(home, "passphrase");
    if (!existsSync(path)) writeFileSync(path, randomBytes(32).toString("hex"), { mode: 0o600 });
    return readFileSync(path, "utf8").trim();
}

async function main(command: string | undefined): Promise<number> {
    if (command !== "up" && command !== "down") {
        console.error("usage: npm run local | npm run local:down");
        return 2;
    }
    const missing = missingTools();
    if (missing.length > 0) {
        console.error(`Cannot run the site locally, nothing was changed:\n${missing.map((m) => `  - ${m}`).join("\n")}`);
        return 1;
    }
    const workDir = prepareProject();
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir },
        { envVars: { PULUMI_BACKEND_URL: `file://${join(home, "state")}`, PULUMI_CONFIG_PASSPHRASE: passphrase() } },
    );
    const onOutput = (text: string) => process.stdout.write(text);
    if (command === "down") {
        await stack.destroy({ onOutput });
        console.log("\nThe local site is gone. Its data volumes stay: docker volume ls --filter name=site-");
        return 0;
    }
    // The program makes the passwords; the CLI still insists on every secret Pulumi.yaml declares
    // (the SMTP password, the DNS token), which a local site never uses: placeholders, kept.
    const config = await stack.getAllConfig();
    for (const name of secretNames) {
        const key = secretSources[name].key;
        if (key.startsWith(`${project}:`) && !secretSources[name].generated && !secretSources[name].optional && !config[key]) {
            await stack.setConfig(key, { value: randomBytes(8).toString("base64url"), secret: true });
        }
    }
    const result = await stack.up({ onOutput });
    const urls = result.outputs.urls.value as Record<string, string>;
    const caPath = join(home, "ca.pem");
    writeFileSync(caPath, String(result.outputs.caCertificate.value));
    const logins = result.outputs.logins.value as { management: { user: string; password: string }; jupyter: { token: string } };
    console.log(`
The site runs on this machine:
${Object.entries(urls)
    .map(([service, url]) => `  ${service.padEnd(10)} ${url}`)
    .join("\n")}
Management login (Portainer, and nginx before it): ${logins.management.user} / ${logins.management.password}
Jupyter token: ${logins.jupyter.token}
Certificates come from a CA made for this machine: ${caPath}
  trust it (see README, "Try it in two minutes") or accept the browser's warning once per host.`);
    return 0;
}

main(process.argv[2]).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
        console.error(error.message);
        process.exitCode = 1;
    },
);
