// The config module: the only code that reads Pulumi config. It validates everything once, before
// any resource is registered, and hands the rest of the program a typed SiteConfig.
import * as pulumi from "@pulumi/pulumi";
import { alertDestinationProblems } from "./alertDestinations";
import { findPlaceholders } from "./placeholders";
import {
    appSecretsKey,
    checkRestoredPasswords,
    ConfigError,
    checkSecrets,
    GeneratedSecretName,
    OptionalSecretName,
    parseSettings,
    project,
    SecretName,
    secretNames,
    secretSources,
    Settings,
} from "./schema";

export * from "./schema";

/** The stack's config: its settings and the secrets it sets (the generated and optional ones may be absent). */
export interface StackConfig {
    readonly settings: Settings;
    /** `site:appSecrets`' entries, each a Pulumi secret Output, by name. */
    readonly appSecrets: Readonly<Record<string, pulumi.Output<string>>>;
    /** Each secret the stack or the environment gives, as a Pulumi secret Output. */
    readonly secrets: Readonly<Record<Exclude<SecretName, GeneratedSecretName | OptionalSecretName>, pulumi.Output<string>>> &
        Readonly<Partial<Record<GeneratedSecretName | OptionalSecretName, pulumi.Output<string>>>>;
}

/**
 * The config the site is built from, every secret present (components/generatedSecrets.ts makes the
 * rest) but the optional ones the stack leaves out.
 */
export interface SiteConfig {
    readonly settings: Settings;
    /** `site:appSecrets`' entries, each a Pulumi secret Output, by name. */
    readonly appSecrets: Readonly<Record<string, pulumi.Output<string>>>;
    /** Each declared app's database password, by app name: the stack's, or one the site made. */
    readonly appDatabasePasswords: Readonly<Record<string, pulumi.Output<string>>>;
    /** Every secret as a Pulumi secret Output; never unwrapped outside `.apply`. */
    readonly secrets: Readonly<Record<Exclude<SecretName, OptionalSecretName>, pulumi.Output<string>>> &
        Readonly<Partial<Record<OptionalSecretName, pulumi.Output<string>>>>;
}

/**
 * The declared apps with a database, by app name: the password the stack gives in `site:appSecrets`
 * (`site:apps.<name>.database.passwordSecret`), or undefined for one the site makes.
 */
export function givenAppDatabasePasswords({ settings, appSecrets }: StackConfig): Record<string, pulumi.Output<string> | undefined> {
    return Object.fromEntries(
        settings.apps.flatMap(({ name, database }) =>
            database ? [[name, database.passwordSecret === undefined ? undefined : appSecrets[database.passwordSecret]]] : [],
        ),
    );
}

export function loadStackConfig(): StackConfig {
    // Every value as the CLI hands it over (text); parseSettings decodes them as render and check do.
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = fullKey.split(":");
        if (namespace === project && fullKey !== appSecretsKey && !secretNames.some((name) => secretSources[name].key === fullKey))
            raw[key] = text;
    }
    const appSecretValues = readAppSecrets(pulumi.runtime.allConfig()[appSecretsKey]);
    const settings = parseSettings(raw, Object.keys(appSecretValues));
    // The example's values left in: a preview says so (npm run check stops at them).
    for (const { key, what, fix } of findPlaceholders(settings))
        void pulumi.log.warn(`${key}: still the example's value: ${what}; fix: ${fix}`);

    const fromEnv = (name: SecretName): string | undefined => {
        const variable = secretSources[name].env;
        return variable ? process.env[variable] || undefined : undefined;
    };
    const given = (name: SecretName): pulumi.Output<string> | undefined => {
        const [namespace, key] = secretSources[name].key.split(":");
        const value = new pulumi.Config(namespace).getSecret(key) ?? fromEnv(name);
        return value === undefined ? undefined : pulumi.secret(value);
    };
    const secrets: Partial<Record<SecretName, pulumi.Output<string>>> = {};
    for (const name of secretNames) {
        const value = given(name);
        if (value) secrets[name] = value;
    }
    checkSecrets((name) => (secrets[name] ? "set" : "missing"), settings.target);
    checkRestoredPasswords(settings, (name) => secrets[name] !== undefined);
    // Alerts that would reach nobody: a preview says so (npm run check too).
    for (const { key, what, fix } of alertDestinationProblems(settings, secrets.alertSlackWebhook !== undefined))
        void pulumi.log.warn(`${key}: ${what}; fix: ${fix}`);
    const appSecrets = Object.fromEntries(Object.entries(appSecretValues).map(([name, value]) => [name, pulumi.secret(value)]));
    return { settings, appSecrets, secrets: secrets as StackConfig["secrets"] };
}

/** `site:appSecrets` as the CLI hands it over: a map's JSON text, each entry a text. */
function readAppSecrets(text: string | undefined): Record<string, string> {
    if (text === undefined) return {};
    const fix = `fix: pulumi config rm ${appSecretsKey}, then pulumi config set --secret --path '${appSecretsKey}.<name>' <value> for each`;
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        throw new ConfigError([`${appSecretsKey}: must be a map of names to secret values; ${fix}`]);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new ConfigError([`${appSecretsKey}: must be a map of names to secret values; ${fix}`]);
    }
    const problems = Object.entries(value)
        .filter(([, entry]) => typeof entry !== "string" && typeof entry !== "number")
        .map(
            ([name]) =>
                `${appSecretsKey}.${name}: must be a secret text; fix: pulumi config set --secret --path '${appSecretsKey}.${name}' <value>`,
        );
    if (problems.length > 0) throw new ConfigError(problems);
    return Object.fromEntries(Object.entries(value as Record<string, string | number>).map(([name, entry]) => [name, String(entry)]));
}
