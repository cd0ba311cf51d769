// Shared test inputs: the prod stack as the Pulumi CLI would hand it over, with test secrets.
import { resolve } from "node:path";
import { parseSettings, SecretName, secretNames, secretSources, Settings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";

export const repoRoot = resolve(__dirname, "../..");

export const prodValues = (): Record<string, unknown> => structuredClone(readStackFiles("prod", repoRoot).values);
export const prodSettings = (): Settings => parseSettings(prodValues());

/** Distinctive secret values, so a test can search every registered input for them. */
export const testSecrets: Record<SecretName, string> = Object.fromEntries(
    secretNames.map((name) => [name, `s3cret-${name}-value`]),
) as Record<SecretName, string>;

/** A newcomer's stack: only the secrets that come from outside are set; the site makes the rest. */
export const outsideSecrets: Partial<Record<SecretName, string>> = Object.fromEntries(
    secretNames.filter((name) => !secretSources[name].generated).map((name) => [name, testSecrets[name]]),
);

/** The example stacks take no snapshot; tests of snapshots ask for one as a user would. */
export const withSnapshot = (values: Record<string, unknown>): void => {
    values.snapshots = ["after-setup"];
};
