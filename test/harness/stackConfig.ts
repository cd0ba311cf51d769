// Hands a stack's config to Pulumi's runtime as the CLI would: every value a string (JSON for
// structured values), secrets flagged as secret.
import * as pulumi from "@pulumi/pulumi";
import { appSecretsKey, project, SecretName, secretNames, secretSources } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { repoRoot } from "./fixtures";

export function setStackConfig(
    stack: string,
    change: (values: Record<string, unknown>) => void = () => undefined,
    secrets: Partial<Record<SecretName, string>>,
    appSecrets?: Readonly<Record<string, string>>,
): void {
    const values = structuredClone(readStackFiles(stack, repoRoot).values);
    change(values);
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        config[`${project}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const [name, value] of Object.entries(secrets) as [SecretName, string][]) config[secretSources[name].key] = value;
    // As `pulumi config set --secret --path 'site:appSecrets.<name>'` hands them over: one map, a secret key.
    if (appSecrets) config[appSecretsKey] = JSON.stringify(appSecrets);
    pulumi.runtime.setAllConfig(config, [...secretNames.map((name) => secretSources[name].key), appSecretsKey]);
}
