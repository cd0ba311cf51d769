// Reads a stack's config the way the Pulumi CLI would hand it to the program: Pulumi.yaml's
// defaults, overlaid by Pulumi.<stack>.yaml. Used by `npm run render` and by the tests, so both
// see exactly the config a `pulumi up` would.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, YAMLParseError } from "yaml";
import { appSecretsKey, ConfigError, project, SecretName, secretNames, secretSources, SecretStatus } from "./schema";

export interface StackFileConfig {
    /** Plain values of the project's namespace, keys without the `site:` prefix. */
    readonly values: Record<string, unknown>;
    /** What the stack file holds for each secret: an encrypted value (`secure:`), plain text, or nothing. */
    readonly secrets: Readonly<Record<SecretName, SecretStatus>>;
    /** Each entry of `site:appSecrets`, by name: encrypted ("set") or in plain text. */
    readonly appSecrets: Readonly<Record<string, Exclude<SecretStatus, "missing">>>;
    /** Every key of the stack file, namespaced, as Pulumi's runtime would see it. */
    readonly all: Readonly<Record<string, unknown>>;
}

interface ProjectFile {
    config?: Record<string, { default?: unknown; value?: unknown }>;
}

export function readStackFiles(stack: string, dir = process.cwd()): StackFileConfig {
    const projectFile = readYaml(dir, "Pulumi.yaml") as ProjectFile;
    if (!existsSync(join(dir, `Pulumi.${stack}.yaml`))) {
        const stacks = readdirSync(dir).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);
        throw new ConfigError([`there is no Pulumi.${stack}.yaml; the stacks are: ${stacks.join(", ")}`]);
    }
    const stackFile = readYaml(dir, `Pulumi.${stack}.yaml`) as { config?: Record<string, unknown> } | null;
    const all: Record<string, unknown> = {};
    for (const [key, declaration] of Object.entries(projectFile.config ?? {})) {
        const value = declaration.value ?? declaration.default;
        if (value !== undefined) all[key.includes(":") ? key : `${project}:${key}`] = value;
    }
    Object.assign(all, stackFile?.config ?? {});

    const secrets = Object.fromEntries(
        secretNames.map((name) => {
            const value = all[secretSources[name].key];
            return [name, value === undefined ? "missing" : isEncrypted(value) ? "set" : "plaintext"];
        }),
    ) as Record<SecretName, SecretStatus>;
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        const [namespace, name] = key.split(":");
        if (namespace === project && key !== appSecretsKey && !secretNames.some((secret) => secretSources[secret].key === key))
            values[name] = value;
    }
    const appSecretsValue = all[appSecretsKey];
    const appSecrets = Object.fromEntries(
        Object.entries(typeof appSecretsValue === "object" && appSecretsValue !== null ? appSecretsValue : {}).map(([name, value]) => [
            name,
            isEncrypted(value) ? "set" : "plaintext",
        ]),
    ) as Record<string, "set" | "plaintext">;
    return { values, secrets, appSecrets, all };
}

const isEncrypted = (value: unknown): boolean =>
    typeof value === "object" && value !== null && typeof (value as { secure?: unknown }).secure === "string";

/** Parses one of the project's YAML files; a slip is reported with the file, line and column. */
function readYaml(dir: string, file: string): unknown {
    try {
        return parse(readFileSync(join(dir, file), "utf8"));
    } catch (error) {
        if (!(error instanceof YAMLParseError)) throw error;
        const [line, col] = [error.linePos?.[0].line, error.linePos?.[0].col];
        // yaml's own first line, without the position it ends with (it leads the line here).
        const what = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        throw new ConfigError([
            `${file}:${line}:${col}: ${what}; fix: edit line ${line} of ${file} (indent with spaces, a space after each colon, quote a value that contains ": " or starts with a special character)`,
        ]);
    }
}
