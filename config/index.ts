// The config module: the only code that reads Pulumi config. It validates everything once, before
// any resource is registered, and hands the rest of the program a typed SiteConfig.
import * as pulumi from "@pulumi/pulumi";
import { checkSecrets, parseSettings, project, SecretName, secretNames, secretSources, Settings } from "./schema";

export * from "./schema";

export interface SiteConfig {
    readonly settings: Settings;
    /** Every secret as a Pulumi secret Output; never unwrapped outside `.apply`. */
    readonly secrets: Readonly<Record<SecretName, pulumi.Output<string>>>;
}

export function loadSiteConfig(): SiteConfig {
    // Every value as the CLI hands it over (text); parseSettings decodes them as render and check do.
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
        const [namespace, key] = fullKey.split(":");
        if (namespace === project && !secretNames.some((name) => secretSources[name].key === fullKey)) raw[key] = text;
    }
    const settings = parseSettings(raw);

    const fromEnv = (name: SecretName): string | undefined => {
        const variable = secretSources[name].env;
        return variable ? process.env[variable] || undefined : undefined;
    };
    const fromConfig = Object.fromEntries(
        secretNames.map((name) => {
            const [namespace, key] = secretSources[name].key.split(":");
            return [name, new pulumi.Config(namespace).getSecret(key)];
        }),
    );
    checkSecrets((name) => (fromConfig[name] !== undefined || fromEnv(name) !== undefined ? "set" : "missing"), settings.target);
    const secrets = Object.fromEntries(
        secretNames.map((name) => [name, fromConfig[name] ?? pulumi.secret(fromEnv(name) as string)]),
    ) as Record<SecretName, pulumi.Output<string>>;
    return { settings, secrets };
}
