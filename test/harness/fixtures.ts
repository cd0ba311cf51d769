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

/**
 * Declared apps as a stack file would hold them (site:apps): Uptime Kuma, the worked example of
 * docs/architecture.md (websockets, DNS-only, one data folder), and Shlink with its own MySQL
 * database and a secret, behind the management login.
 */
export const exampleApps = (): Record<string, unknown> => ({
    uptime: {
        image: "louislam/uptime-kuma:1.23.16",
        port: 3001,
        hostname: "status.example.com",
        websockets: true,
        memoryMb: 256,
        healthCheck: ["extra/healthcheck"],
        env: { TZ: "UTC" },
        data: [{ name: "data", path: "/app/data", uid: 0, gid: 0 }],
    },
    links: {
        image: "shlinkio/shlink:4.4.0",
        port: 8080,
        managementLogin: true,
        env: { DEFAULT_DOMAIN: "links.example.com", IS_HTTPS_ENABLED: "true", DB_DRIVER: "mysql" },
        secretEnv: { INITIAL_API_KEY: "shlinkApiKey" },
        data: [{ name: "data", path: "/etc/shlink/data", uid: 1001, gid: 0 }],
        database: { env: { host: "DB_HOST", port: "DB_PORT", name: "DB_NAME", user: "DB_USER", password: "DB_PASSWORD" } },
    },
});

/** The secrets the example apps name (site:appSecrets). */
export const exampleAppSecrets: Readonly<Record<string, string>> = { shlinkApiKey: "s3cret-appSecrets-shlinkApiKey-value" };

/** A stack's values with the example apps declared. */
export const withApps = (values: Record<string, unknown>): void => {
    values.apps = exampleApps();
};
