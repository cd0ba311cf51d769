// Which of a remediation's inputs travel as Pulumi secrets. @pulumi/policy has no public way to
// ask: it hands a remediation its props behind proxies that unwrap secrets on every read
// (secretsPreservingProxy in its secret.ts, under unknownCheckingProxy in proxy.ts). Both proxies
// trap reads only, so a property's descriptor still holds the value the engine sent, and a secret
// is there as the SDK's public `Secret` class. This file is the one place that relies on that;
// test/unit/policy.test.ts pins it by running the SDK's own remediation entry point.
import { Secret } from "@pulumi/policy";

/** A property as the engine sent it: a `Secret` where it is one; plain values below that. */
const sent = (holder: object, key: string): unknown => Object.getOwnPropertyDescriptor(holder, key)?.value;

/** Input names that hold credentials, and env entries (`NAME=value`) whose NAME does. */
const secretLooking = /password|passwd|token|secret|private_?key|api_?key/i;

/** Paths of secret-looking values that are not secrets. */
export function plainSecrets(value: unknown, path = ""): string[] {
    if (value instanceof Secret) return [];
    if (Array.isArray(value)) return value.flatMap((_item, i) => plainSecrets(sent(value, String(i)), `${path}[${i}]`));
    if (typeof value === "string") {
        const [, envName, envValue] = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(value) ?? [];
        // A switch like MYSQL_RANDOM_ROOT_PASSWORD=yes names a credential but holds none.
        const isSwitch = /^(yes|no|true|false|0|1)?$/i.test(envValue ?? "");
        return envName && secretLooking.test(envName) && !isSwitch ? [`${path} (${envName}=…)`] : [];
    }
    if (value && typeof value === "object") {
        return Object.keys(value).flatMap((key) => {
            const at = path ? `${path}.${key}` : key;
            const item = sent(value, key);
            if (secretLooking.test(key) && (typeof item === "string" || typeof item === "number") && item !== "") return [at];
            return plainSecrets(item, at);
        });
    }
    return [];
}
