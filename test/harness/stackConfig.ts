// Hands a stack's config to Pulumi's runtime as the CLI would: every value a string (JSON for
// structured values), secrets flagged as secret.
import * as pulumi from "@pulumi/pulumi";
import { project, SecretName, secretNames, secretSources } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { repoRoot } from "./fixtures";

export function setStackConfig(
    stack: string,
    change: (values: Record<string, unknown>) => void = () => undefined,
    secrets: Partial<Record<SecretName, string>>,
): void {
    const values = structuredClone(readStackFiles(stack, repoRoot).values);
    change(values);
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        config[`${project}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
    }
    for (const [name, value] of Object.entries(secrets) as [SecretName, string][]) config[secretSources[name].key] = value;
    pulumi.runtime.setAllConfig(
        config,
        secretNames.map((name) => secretSources[name].key),
    );
}
