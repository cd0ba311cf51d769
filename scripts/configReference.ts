// npm run docs [-- --out FILE]
// The config reference, docs/config.md, made from what the program reads: every key Pulumi.yaml
// declares (type, default, description), then the secrets config/schema.ts knows that Pulumi.yaml
// cannot declare: the ones the site generates unless the stack sets them, the optional ones, and
// the providers' own tokens. test/unit/docs.test.ts fails when docs/config.md is not what this renders.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import { deployTokenPermissions } from "../config/cloudflarePermissions";
import { appSecretsKey, project, SecretName, secretNames, secretSources } from "../config/schema";

/**
 * What each secret Pulumi.yaml does not declare is for. A declared key without a default is one the
 * CLI insists on, and a secret may not have a default (pulumi/pulumi#21865), so the generated and
 * optional secrets live here (and in Pulumi.yaml's header comment); the tokens are the providers'
 * own keys.
 */
export const undeclaredSecretDescriptions: Readonly<Partial<Record<SecretName, string>>> = {
    digitaloceanToken: "DigitalOcean API token with read and write scope; the provider's own key.",
    cloudflareApiToken: `The deploy token: a Cloudflare API token on this zone only with ${deployTokenPermissions.map((p) => p.name).join(", ")} (config/cloudflarePermissions.ts); the provider's own key.`,
    managementPassword:
        'Password of the management UI (Portainer), asked by nginx as user "admin" and by Portainer itself. Portainer reads it only on its first start.',
    mysqlPassword: "Password of Ghost's MySQL user. MySQL reads it only on its first start.",
    jupyterToken: "Token that logs in to Jupyter.",
    alertSlackWebhook:
        "A Slack incoming webhook's URL: every alert goes to Slack too, in site:alertSlackChannel (DigitalOcean takes the two together). Without it, alerts go to site:alertEmails only.",
};

/** What `site:appSecrets` is: not a row of the secret table (its entries' names are the stack's), described here. */
export const appSecretsDescription =
    "Secrets of your declared apps, a map of names to secret values, each set with pulumi config set --secret --path 'site:appSecrets.<name>' <value>. An app names one in secretEnv (an env variable) or database.passwordSecret; a name no app declares is refused, as is an entry in plain text.";

/**
 * Each setting of a declared app (`site:apps.<name>.<setting>`): its type, default and meaning.
 * config/schema.ts validates them; this is what docs/config.md says of them.
 */
export const appSettings: readonly (readonly [setting: string, type: string, fallback: string, description: string])[] = [
    [
        "image",
        "string",
        "required",
        "The app's image, pinned: a version tag that is not a moving one like latest (louislam/uptime-kuma:1.23.16), or a digest (name@sha256:...).",
    ],
    [
        "port",
        "integer",
        "required",
        "The port the app listens on inside its container. Published nowhere: only the proxy reaches it, by the app's name on the site's network.",
    ],
    [
        "data",
        "array",
        "required",
        "Its folders on the data volume, at least one: each {name, path, uid, gid}. name is a folder below the app's own folder (apps/<app>/<name> on the volume; letters, digits, _ and -, folders joined by /; never .. or absolute); path is where the container sees it (absolute, normalized); uid and gid own it (the user the image runs as). In the snapshots with everything else on the volume; locally, a Docker volume site-apps.<app>.<name>.",
    ],
    [
        "hostname",
        "string",
        "<name>.<domain>",
        "The host name the proxy serves it at, inside the domain and unlike every other service's and app's. It gets a DNS record and a certificate.",
    ],
    [
        "env",
        "map",
        "{}",
        "Plain env values by variable name. A name that looks like a credential (password, token, secret, key) is refused here: use secretEnv.",
    ],
    [
        "secretEnv",
        "map",
        "{}",
        "Env values from secrets: variable name to the name of an entry in site:appSecrets. Secret in the state and the plan, <secret:appSecrets.<name>> in npm run render.",
    ],
    ["memoryMb", "integer", "256", "The container's memory limit, in MB."],
    [
        "healthCheck",
        "list or string",
        "none",
        "Docker's health check: a command as a list of words (run as is, e.g. [extra/healthcheck]) or one line for the image's shell. Every 30 s; the watchdog restarts a container found unhealthy site:watchdogUnhealthyChecks times.",
    ],
    [
        "websockets",
        "boolean",
        "false",
        "The proxy passes websocket upgrades and keeps idle connections an hour. A websocket app may be proxied by Cloudflare only while site:zoneWebsockets is true.",
    ],
    [
        "managementLogin",
        "boolean",
        "false",
        "The proxy asks for the management login (user admin, site:managementPassword) before passing anything on.",
    ],
    [
        "proxied",
        "boolean",
        "true, false for websocket apps",
        "Whether Cloudflare proxies its hostname; a proxied host answers only through Cloudflare. Always false on the local target.",
    ],
    [
        "allowFrom",
        "list or anywhere",
        "anywhere",
        "Who may reach it at all, as for site:services: CIDR ranges (everyone else gets 403 before any login) or anywhere.",
    ],
    [
        "database",
        "map",
        "none",
        "Its own database on the site's MySQL: {env: {host, port, name, user, password}, passwordSecret}. env names the variables the app reads them from (password required); the database and its user are named after the app (dashes as _), with rights on that database only; the password is made by the site (random, kept in state) unless passwordSecret names an entry of site:appSecrets. mysqld creates them itself at start (--init-file), so no root password is needed.",
    ],
];

interface Declaration {
    readonly type?: string;
    readonly items?: { readonly type?: string };
    readonly default?: unknown;
    readonly description?: string;
    readonly secret?: boolean;
    readonly value?: unknown;
}

/** A table cell: one line, pipes escaped. */
const cell = (text: string): string => text.replace(/\s+/g, " ").trim().replace(/\|/g, "\\|");
const code = (text: string): string => `\`${text}\``;

function typeOf(declaration: Declaration): string {
    const type = declaration.type === "array" ? `array of ${declaration.items?.type ?? "any"}` : (declaration.type ?? "any");
    return declaration.secret ? `${type}, secret` : type;
}

function defaultOf(declaration: Declaration): string {
    if (!("default" in declaration)) return "required";
    const value = declaration.default;
    return code(typeof value === "string" ? (value === "" ? '""' : value) : JSON.stringify(value));
}

/** docs/config.md from the text of Pulumi.yaml. Pure: the same text gives the same page. */
export function renderConfigReference(pulumiYamlText: string): string {
    const projectFile = parse(pulumiYamlText) as { name?: string; config?: Record<string, Declaration> };
    if (projectFile.name !== project) throw new Error(`Pulumi.yaml names project ${String(projectFile.name)}, not ${project}`);
    const declarations = Object.entries(projectFile.config ?? {});
    // Keys with a namespace of their own (pulumi:…) are the project's settings, fixed in the file.
    const settings = declarations.filter(([key]) => key.includes(":"));
    const keys = declarations.filter(([key]) => !key.includes(":"));
    const declared = new Set(keys.map(([key]) => `${project}:${key}`));

    const rows = keys.map(([key, declaration]) => {
        const description = declaration.description;
        if (!description) throw new Error(`Pulumi.yaml declares ${project}:${key} without a description`);
        return [code(`${project}:${key}`), typeOf(declaration), defaultOf(declaration), cell(description)];
    });
    for (const name of secretNames) {
        const { key, env, generated, optional } = secretSources[name];
        if (declared.has(key)) continue;
        const description = undeclaredSecretDescriptions[name];
        if (!description) throw new Error(`${key} is neither declared in Pulumi.yaml nor described in scripts/configReference.ts`);
        const origin = generated
            ? "generated (random, kept in state)"
            : optional
              ? "optional"
              : `required${env ? ` (or the environment variable ${code(env)})` : ""}`;
        rows.push([code(key), "string, secret", origin, cell(description)]);
    }

    rows.push([code(appSecretsKey), "map of string, secret", "optional", cell(appSecretsDescription)]);

    const table = [["Key", "Type", "Default", "Description"], ["---", "---", "---", "---"], ...rows].map((row) => `| ${row.join(" | ")} |`);
    const appTable = [
        ["Setting", "Type", "Default", "Description"],
        ["---", "---", "---", "---"],
        ...appSettings.map(([setting, type, fallback, description]) => [code(setting), type, cell(fallback), cell(description)]),
    ].map((row) => `| ${row.join(" | ")} |`);
    const fixed = settings.map(([key, declaration]) => `- ${code(key)}: ${code(JSON.stringify(declaration.value ?? declaration.default))}`);
    return [
        "# Config reference",
        "",
        "<!-- Generated by `npm run docs` (scripts/configReference.ts) from Pulumi.yaml and config/schema.ts: edit those, then run it. -->",
        "",
        `Every key the program reads, in the \`${project}:\` namespace unless it names another. Defaults are declared in`,
        "[Pulumi.yaml](../Pulumi.yaml); a stack file (`Pulumi.<stack>.yaml`) sets the rest. Every value is validated before any",
        "resource exists: a mistake is reported with the key as Pulumi names it (`--path 'site:adminCidrs[0]'`), a did-you-mean",
        "and the command that fixes it.",
        "",
        "- Plain values: `pulumi config set site:<key> <value>`; a list item or a map entry: `pulumi config set --path 'site:<key>[0]' <value>`.",
        "- Secrets: `pulumi config set --secret <key>`. A generated secret is made once by `@pulumi/random` and kept in state",
        "  unless the stack sets it; `pulumi stack output logins --show-secrets` shows it.",
        "",
        ...table,
        "",
        `## Declared apps: \`${project}:apps.<name>\``,
        "",
        "Each app's settings; a worked example is in [architecture.md](architecture.md#your-own-apps).",
        "",
        ...appTable,
        "",
        "Fixed in Pulumi.yaml for every stack:",
        "",
        ...fixed,
        "",
    ].join("\n");
}

if (require.main === module) {
    const { values } = parseArgs({ options: { out: { type: "string" } } });
    const repo = resolve(__dirname, "..");
    const out = resolve(values.out ?? resolve(repo, "docs/config.md"));
    writeFileSync(out, renderConfigReference(readFileSync(resolve(repo, "Pulumi.yaml"), "utf8")));
    console.log(`wrote the config reference to ${out}`);
}
