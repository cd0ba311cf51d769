// Validation of the stack config: pure functions, no Pulumi. Every problem is reported with the
// config key it comes from and the command that fixes it, before any resource exists.
import { isIP } from "node:net";
import { posix } from "node:path";
import { closest, distance } from "fastest-levenshtein";
import { z } from "zod";
import {
    appDatabaseEnv,
    appDataFolder,
    check,
    DeclaredApp,
    imageKeys,
    reservedAppNames,
    RoutedService,
    routedServiceNames,
    routedServices,
    RoutedServiceName,
} from "./catalogue";

export const project = "site";

/**
 * Where each secret comes from. The API tokens use their providers' own config keys, which the
 * Pulumi CLI does not require, so CI can pass them as environment variables instead; the site's
 * own secrets are declared in Pulumi.yaml, so the CLI asks for them too.
 */
interface SecretSource {
    readonly key: string;
    readonly env?: string;
    /** The program makes it (random, kept in state) when the stack does not set it. */
    readonly generated?: true;
    /** Nothing needs it: without it, what it is for is left out (the preflight says so). */
    readonly optional?: true;
}
const secretTable = {
    digitaloceanToken: { key: "digitalocean:token", env: "DIGITALOCEAN_TOKEN" },
    cloudflareApiToken: { key: "cloudflare:apiToken", env: "CLOUDFLARE_API_TOKEN" },
    acmeDnsToken: { key: `${project}:acmeDnsToken` },
    managementPassword: { key: `${project}:managementPassword`, generated: true },
    mysqlPassword: { key: `${project}:mysqlPassword`, generated: true },
    smtpPassword: { key: `${project}:smtpPassword` },
    jupyterToken: { key: `${project}:jupyterToken`, generated: true },
    alertSlackWebhook: { key: `${project}:alertSlackWebhook`, optional: true },
} satisfies Record<string, SecretSource>;
export type SecretName = keyof typeof secretTable;
export const secretSources: Readonly<Record<SecretName, SecretSource>> = secretTable;
/**
 * The declared apps' secrets: one map, each entry a secret of its own
 * (`pulumi config set --secret --path 'site:appSecrets.<name>' <value>`), named by an app's
 * `secretEnv` or `database.passwordSecret`. A family of secrets whose names the stack chooses,
 * so it is not a row of the table above; the loader, the render command and the preflight read it
 * next to the table, and every entry must be encrypted in the stack file.
 */
export const appSecretsKey = `${project}:appSecrets`;
/** Every secret, in the order problems are reported. */
export const secretNames = Object.keys(secretTable) as SecretName[];
/** The secrets the site makes itself unless the stack sets them: the user never has to invent a password. */
export type GeneratedSecretName = { [K in SecretName]: (typeof secretTable)[K] extends { generated: true } ? K : never }[SecretName];
export const generatedSecretNames = secretNames.filter((name) => secretSources[name].generated) as GeneratedSecretName[];
/** The secrets a stack may leave out altogether: the site works without them. */
export type OptionalSecretName = { [K in SecretName]: (typeof secretTable)[K] extends { optional: true } ? K : never }[SecretName];

/** The secrets a local stack uses: no cloud account, no certificate authority. */
export const localSecrets: readonly SecretName[] = ["managementPassword", "mysqlPassword", "smtpPassword", "jupyterToken"];
/** The secrets a stack must set: those that come from outside (accounts, the mail provider), optional ones aside. */
export const requiredSecrets = (target: "droplet" | "local"): SecretName[] =>
    secretNames.filter(
        (name) => !secretSources[name].generated && !secretSources[name].optional && (target === "droplet" || localSecrets.includes(name)),
    );

export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`Invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

const dnsLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const isDomainName = (name: string) => name.length <= 253 && name.split(".").length >= 2 && name.split(".").every((l) => dnsLabel.test(l));

/** Accepts 203.0.113.0/24 or 2001:db8::/32 with a prefix that fits the family. */
export function isCidr(value: string): boolean {
    const [address, prefix, ...rest] = value.split("/");
    if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
    const family = isIP(address);
    return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

// `name:tag` or `registry/name:tag`, with a tag that names a version (latest and stable move).
const pinnedImage = /^[a-z0-9][a-z0-9._/-]*(:\d+)?[a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}(@sha256:[a-f0-9]{64})?$/;
const floatingTags = new Set(["latest", "stable", "mainline", "lts", "alpine"]);
const digestOnlyImage = /^[a-z0-9][a-z0-9._/-]*(:\d+)?[a-z0-9._/-]*@sha256:[a-f0-9]{64}$/;

/** An image reference pinned to a version tag (not a moving one like latest) or to a digest. */
const pinnedImageRef = (digestAlone = false) =>
    z
        .string()
        .refine(
            (ref) => pinnedImage.test(ref) || (digestAlone && digestOnlyImage.test(ref)),
            `is not an image reference with a version tag, like nginx:1.29.8${digestAlone ? ", or a digest (name@sha256:...)" : ""}`,
        )
        .refine(
            (ref) => !pinnedImage.test(ref) || !floatingTags.has(ref.split("@")[0].split(":").pop() ?? ""),
            "must be pinned to a version, not a moving tag like latest",
        );

const sshKeyLine = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)) ([A-Za-z0-9+/]+={0,3})( .*)?$/;

/** An OpenSSH public key line whose base64 body really encodes a key of the type it names. */
function isSshPublicKey(line: string): boolean {
    const match = sshKeyLine.exec(line);
    if (!match) return false;
    const body = Buffer.from(match[2], "base64");
    const typeLength = body.length >= 4 ? body.readUInt32BE(0) : 0;
    return body.subarray(4, 4 + typeLength).toString("latin1") === match[1];
}

const port = () => z.number().int().min(1, "must be a port number from 1 to 65535").max(65535, "must be a port number from 1 to 65535");

/** The explicit opt-out of a host's address fence: every address may reach it. */
export const anywhere = "anywhere";

const allowFrom = z.union(
    [
        z.literal(anywhere),
        z
            .array(
                z
                    .string()
                    .refine(isCidr, "is not a CIDR range like 203.0.113.7/32")
                    .refine((c) => !c.endsWith("/0"), `lets the whole internet in; say so with allowFrom: ${anywhere} instead`),
            )
            .min(1, `lets nobody in; list the ranges that may reach the host, or set allowFrom: ${anywhere}`),
    ],
    { error: `must be a list of CIDR ranges like 203.0.113.7/32, or the word ${anywhere}` },
);

const service = z
    .object({
        hostname: z.string({ error: "needs a hostname, e.g. blog.example.com" }),
        proxied: z.boolean({ error: "proxied must be true or false" }).optional(),
        allowFrom: allowFrom.optional(),
    })
    .strict();

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "is not an environment variable name (letters, digits and _)");
const envNames = (what: string) =>
    z.record(z.string(), z.string({ error: `must be the name of ${what}` }), { error: `must be a map of variable names to ${what}s` });

/** A folder of an app on the data volume: where the container sees it, and who owns it there. */
const dataFolder = z
    .object({
        name: z.string({ error: "needs a folder name, e.g. data" }),
        path: z.string({ error: "needs the path the container sees it at, e.g. /app/data" }),
        uid: z.number().int().min(0, "must be a user id (0 or more)"),
        gid: z.number().int().min(0, "must be a group id (0 or more)"),
    })
    .strict();

const appDatabase = z
    .object({
        passwordSecret: z.string().optional(),
        env: z
            .object(
                Object.fromEntries(appDatabaseEnv.map((name) => [name, envName.optional()])) as Record<
                    string,
                    z.ZodOptional<typeof envName>
                >,
            )
            .strict(),
    })
    .strict();

/** An app declared in the stack config: site:apps.<name>. */
const app = z
    .object({
        image: pinnedImageRef(true),
        port: port(),
        hostname: z.string().optional(),
        env: z
            .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
                error: "must be a map of variable names to values",
            })
            .default({}),
        secretEnv: envNames("a secret in site:appSecrets").default({}),
        data: z
            .array(dataFolder)
            .min(
                1,
                "needs at least one folder on the data volume: whatever the app keeps elsewhere is lost when its container is replaced",
            ),
        memoryMb: z.number().int().min(16, "must be at least 16 (MB)").max(65536, "must be at most 65536 (MB)").default(256),
        healthCheck: z
            .union([z.string().min(1), z.array(z.string()).min(1)], {
                error: "must be a command: a list of words, or one line for the image's shell",
            })
            .optional(),
        websockets: z.boolean().default(false),
        managementLogin: z.boolean().default(false),
        proxied: z.boolean({ error: "proxied must be true or false" }).optional(),
        allowFrom: allowFrom.optional(),
        database: appDatabase.optional(),
    })
    .strict();

const percent = (fallback: number) =>
    z.number().min(1, "must be a percentage from 1 to 100").max(100, "must be a percentage from 1 to 100").default(fallback);
/** When DigitalOcean alerts: defaults that suit a small personal site, each changeable per stack. */
const alertThresholds = z
    .object({
        cpuPercent: percent(90),
        memoryPercent: percent(90),
        diskPercent: percent(85),
        dataVolumePercent: percent(85),
        latencyMs: z.number().int().min(100, "must be at least 100 (ms)").default(3000),
        certificateDays: z.number().int().min(1, "must be 1 to 60 (days)").max(60, "must be 1 to 60 (days)").default(14),
    })
    .strict();

const settingsSchema = z.object({
    target: z.enum(["droplet", "local"], {
        error: "must be droplet (DigitalOcean and Cloudflare) or local (this machine's Docker engine)",
    }),
    domain: z
        .string()
        .refine(
            (d) => isDomainName(d) || d === "localhost",
            "is not a domain name like example.com (lower case, no scheme, no dot at the end)",
        ),
    localHttpPort: port(),
    localHttpsPort: port(),
    region: z.string().regex(/^[a-z]{3}\d$/, "is not a DigitalOcean region slug like fra1 or nyc3"),
    dropletSize: z.string().regex(/^[a-z0-9-]+$/, "is not a droplet size slug like s-1vcpu-2gb"),
    dropletImage: z.string().regex(/^ubuntu-\d\d-04-x64$/, "must be an Ubuntu LTS image slug like ubuntu-24-04-x64"),
    adminUser: z
        .string()
        .regex(/^[a-z_][a-z0-9_-]{0,31}$/, "is not a Linux user name (lower case, up to 32 characters)")
        .refine((name) => !["root", "ubuntu", "nobody"].includes(name), "must be a user of its own, not root or a system user"),
    adminShell: z.enum(["bash", "zsh"], { error: "must be bash or zsh" }),
    sudoInsults: z.boolean(),
    upgradeRebootTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "is not a time like 04:30 (UTC)"),
    sshPublicKeys: z
        .array(z.string().trim().refine(isSshPublicKey, "is not an OpenSSH public key line (ssh-ed25519 AAAA... comment)"))
        .min(1, "needs at least one key, or nobody can log in"),
    adminCidrs: z
        .array(
            z
                .string()
                .refine(isCidr, "is not a CIDR range like 203.0.113.7/32")
                .refine((c) => !c.endsWith("/0"), "opens SSH to the whole internet; name your own address range"),
        )
        .min(1, "needs at least one range, or SSH (and so pulumi's host setup) is unreachable"),
    services: z.record(z.string(), service),
    zoneWebsockets: z.boolean(),
    apps: z.record(z.string(), app),
    edgeCacheSeconds: z
        .number()
        .int("must be a whole number of seconds")
        .min(0, "must be 0 (no edge cache) to 86400 (a day)")
        .max(86400, "must be 0 (no edge cache) to 86400 (a day)"),
    ...(Object.fromEntries(imageKeys.map((key) => [key, pinnedImageRef()])) as Record<
        (typeof imageKeys)[number],
        ReturnType<typeof pinnedImageRef>
    >),
    smtpHost: z.string().refine(isDomainName, "is not a host name like smtp.mailgun.org"),
    smtpPort: port(),
    smtpUser: z.string().min(1, "must not be empty"),
    mailFrom: z.string().regex(/^([^<>]+ <)?[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}>?$/i, 'is not a sender like "Blog <noreply@example.com>"'),
    acmeEmail: z.union([z.literal(""), z.email("is not an email address; leave it empty to register without one")]),
    acmeStaging: z.boolean(),
    dataVolumeSizeGb: z
        .number()
        .int()
        .min(1, "must be at least 1 (GB)")
        .max(16384, "must be at most 16384 (GB), DigitalOcean's largest volume"),
    dropletBackups: z.boolean(),
    restoreDropletSnapshot: z
        .string()
        .regex(/^(\d+)?$/, "is not a droplet snapshot id (digits, from `doctl compute snapshot list`), nor empty"),
    restoreVolumeSnapshot: z
        .string()
        .regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/, "is not a volume snapshot id (a UUID), nor empty"),
    snapshots: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "snapshot names are lower-case letters, digits and dashes")),
    allowDropletReplacement: z.boolean(),
    alertEmails: z.array(z.email("is not an email address")),
    alertSlackChannel: z.string(),
    alertThresholds,
    watchdogUnhealthyChecks: z.number().int().min(1, "must be at least 1 check").max(100),
});

type RawSettings = z.infer<typeof settingsSchema>;

export interface ServiceSettings {
    readonly hostname: string;
    readonly proxied: boolean;
    /**
     * Who may reach the host past its site-health path: these ranges (everyone else gets 403 before
     * any login), or "anywhere". Decided on the visitor's real address: CF-Connecting-IP, believed
     * from Cloudflare only, on a proxied host; the connection's address on a DNS-only one.
     */
    readonly allowFrom: readonly string[] | typeof anywhere;
    /** allowFrom came from the stack, not the catalogue's default: an "anywhere" the owner chose. */
    readonly allowFromSet: boolean;
}

export interface Settings extends Omit<RawSettings, "services" | "apps"> {
    /** Each routed service's host settings, by name: the built-in ones and the declared apps. */
    readonly services: Readonly<Record<RoutedServiceName, ServiceSettings>> & Readonly<Record<string, ServiceSettings>>;
    /**
     * Every service the proxy routes to, built-in first, then the declared apps in the stack's
     * order: nginx, DNS, certificates, the local CA and the URLs all iterate over this list.
     */
    readonly routed: readonly RoutedService[];
    /** The apps declared in `site:apps`, as catalogue entries. */
    readonly apps: readonly DeclaredApp[];
}

/** Config keys the program knows; anything else under the project's namespace is a typo. */
export const knownKeys: readonly string[] = [
    ...Object.keys(settingsSchema.shape),
    appSecretsKey.slice(project.length + 1),
    ...secretNames
        .map((name) => secretSources[name].key)
        .filter((key) => key.startsWith(`${project}:`))
        .map((key) => key.slice(project.length + 1)),
];

/**
 * Reads a value the way the program receives it from Pulumi, whoever read it: the CLI hands every
 * value over as a string (JSON for structured ones, and a top-level number set with `pulumi config
 * set` is stored quoted, as "20"), while a YAML reader of the stack file sees typed values. So
 * text is decoded as JSON where the key wants something else, and a scalar is text where the key
 * wants text (a hostname like "1e5" stays a string). The program, render and check call this
 * through parseSettings, so all three accept the same values.
 */
export function decodeConfigValue(key: string, value: unknown): unknown {
    const field = (settingsSchema.shape as Record<string, z.ZodType>)[key];
    if (field instanceof z.ZodString) return typeof value === "number" || typeof value === "boolean" ? String(value) : value;
    if (typeof value !== "string") return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** A config key as Pulumi's CLI names it: `site:domain`, `site:adminCidrs[0]`, `site:services.ghost.hostname`. */
export function configKey(path: readonly PropertyKey[]): string {
    const parts = path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`));
    return `${project}:${parts.join("")}`;
}

/** Example values for the fix commands, where `<value>` would leave the user guessing. */
const examples: Readonly<Record<string, string>> = {
    domain: "example.com",
    adminCidrs: "203.0.113.7/32",
    allowFrom: "203.0.113.7/32",
    sshPublicKeys: '"$(cat ~/.ssh/id_ed25519.pub)"',
    dataVolumeSizeGb: "20",
    smtpPort: "2525",
    snapshots: "before-upgrade",
    image: "louislam/uptime-kuma:1.23.16",
    port: "3001",
    path: "/app/data",
};

/** The example for a key: by its last name (`site:services.portainer.allowFrom[0]` as allowFrom). */
const exampleFor = (path: readonly PropertyKey[]): string | undefined =>
    examples[String(path.filter((part) => typeof part === "string").pop())];

/** The command that sets one value: `--path` for anything below a top-level key, as Pulumi's CLI wants it. */
export function setCommand(path: readonly PropertyKey[], value = exampleFor(path) ?? "<value>"): string {
    return path.length > 1 ? `pulumi config set --path '${configKey(path)}' ${value}` : `pulumi config set ${configKey(path)} ${value}`;
}

const listKeys = new Set(["sshPublicKeys", "adminCidrs", "snapshots"]);

/** A config value in words, for "not <this>". */
function describeValue(value: unknown): string {
    if (Array.isArray(value)) return "a list";
    if (value === null) return "empty";
    if (typeof value === "object") return "a map";
    if (typeof value === "string") return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
    return JSON.stringify(value);
}

/** zod's "expected X, received Y" in plain language, with what to write instead. */
function wrongType(path: readonly PropertyKey[], expected: string, value: unknown): string {
    const key = configKey(path);
    if (expected === "array") {
        const item = String(path[0]) === "sshPublicKeys" ? "key" : "item";
        return `must be a list, not ${describeValue(value)}: put each ${item} on its own line under ${key} in the stack file ("  - <${item}>"), or set them one by one; fix: ${setCommand([...path, 0])}`;
    }
    const wanted: Readonly<Record<string, string>> = {
        number: "a number",
        int: "a whole number",
        boolean: "true or false",
        string: "text",
        object: "a map of names to settings",
        record: "a map of names to settings",
    };
    return `must be ${wanted[expected] ?? expected}, not ${describeValue(value)}; fix: ${setCommand(path, expected === "boolean" ? "true" : undefined)}`;
}

/** "did you mean" for a misspelled name: the closest candidate, if it is close enough to be a typo. */
export function didYouMean(name: string, candidates: readonly string[]): string {
    if (candidates.length === 0) return "";
    const best = closest(
        name.toLowerCase(),
        candidates.map((c) => c.toLowerCase()),
    );
    const match = candidates.find((c) => c.toLowerCase() === best)!;
    return distance(name.toLowerCase(), best) <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean ${match}?` : "";
}

/** A key Pulumi does not know: set without --path, misspelled, or not ours at all. */
function unknownKey(key: string): string {
    const head = key.split(/[.[]/)[0];
    if (head !== key && knownKeys.includes(head)) {
        const path = key
            .slice(head.length)
            .split(/[.[\]]/)
            .filter(Boolean)
            .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
        return `${project}:${key}: is not a key: it was set without --path, so Pulumi stored a key named "${key}"; fix: pulumi config rm ${project}:${key} && ${setCommand([head, ...path])}`;
    }
    return `${project}:${key}: unknown config key${didYouMean(key, knownKeys)} (the keys are in Pulumi.yaml); fix: pulumi config rm ${project}:${key}`;
}

const valueAt = (raw: unknown, path: readonly PropertyKey[]): unknown =>
    path.reduce<unknown>(
        (value, part) => (value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[part] : undefined),
        raw,
    );

/**
 * Validates plain (non-secret) config values, defaults already applied, into typed Settings.
 * Throws one ConfigError listing every problem.
 */
export function parseSettings(given: Readonly<Record<string, unknown>>, appSecretNames: readonly string[] = []): Settings {
    const problems: string[] = [];
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(given)) {
        if (knownKeys.includes(key)) raw[key] = decodeConfigValue(key, value);
        else problems.push(unknownKey(key));
    }
    const result = settingsSchema.safeParse(raw);
    if (!result.success) {
        for (const issue of result.error.issues) problems.push(...describeIssue(issue, raw));
        throw new ConfigError(problems);
    }
    checkTarget(result.data, problems);
    const services = resolveServices(result.data, problems);
    const apps = resolveApps(result.data, services, appSecretNames, problems);
    const settings = { ...result.data, services, routed: [...routedServiceNames.map((name) => routedServices[name]), ...apps], apps };
    if (problems.length > 0) throw new ConfigError(problems);
    return settings;
}

/** A zod issue as lines of the error: the key as Pulumi names it, what is wrong, the command that fixes it. */
function describeIssue(issue: z.core.$ZodIssue, raw: Readonly<Record<string, unknown>>): string[] {
    const path = issue.path;
    const key = configKey(path);
    const value = valueAt(raw, path);
    if (issue.code === "invalid_type" && value === undefined) {
        return [`${key}: is required; fix: ${setCommand(path.length === 1 && listKeys.has(String(path[0])) ? [...path, 0] : path)}`];
    }
    if (issue.code === "invalid_type") return [`${key}: ${wrongType(path, issue.expected, value)}`];
    if (issue.code === "unrecognized_keys") {
        const allowed = Object.keys(shapeAt(path).shape);
        return issue.keys.map((name) => {
            const unknown = configKey([...path, name]);
            return `${unknown}: unknown setting${didYouMean(name, allowed)} (the settings are ${allowed.join(", ")}); fix: pulumi config rm --path '${unknown}'`;
        });
    }
    if (path[path.length - 1] === "allowFrom") {
        return [`${key}: ${issue.message}; fix: ${setCommand([...path, 0])}, or ${setCommand(path, anywhere)}`];
    }
    return [`${key}: ${issue.message}; fix: ${setCommand(path)}`];
}

/** The object schema a config path points into, for "the settings are ...". */
function shapeAt(path: readonly PropertyKey[]): { shape: object } {
    const head = String(path[0]);
    if (head === "alertThresholds") return alertThresholds;
    if (head !== "apps") return service;
    if (path.includes("data")) return dataFolder;
    if (path.includes("database")) return path.includes("env") ? appDatabase.shape.env : appDatabase;
    return app;
}

/** What each target needs of the domain: a real Cloudflare zone, or the browsers' own localhost. */
function checkTarget(data: RawSettings, problems: string[]): void {
    if (data.target === "droplet" && data.domain === "localhost") {
        problems.push(
            `${project}:domain: "localhost" is no Cloudflare zone; a droplet stack needs your domain; fix: pulumi config set ${project}:domain example.com (or ${project}:target local)`,
        );
    }
    if (data.target === "local" && data.domain !== "localhost") {
        problems.push(
            `${project}:domain: a local stack serves *.localhost, which browsers resolve to this machine; fix: pulumi config set ${project}:domain localhost`,
        );
    }
    if (data.target === "local" && data.localHttpPort === data.localHttpsPort) {
        problems.push(
            `${project}:localHttpsPort: is the same port as ${project}:localHttpPort; fix: pulumi config set ${project}:localHttpsPort 8443`,
        );
    }
}

interface HostEntry {
    readonly hostname?: string;
    readonly proxied?: boolean;
    readonly allowFrom?: readonly string[] | typeof anywhere;
}

/**
 * One routed service's host: its hostname inside the domain and unlike any other, whether
 * Cloudflare proxies it, who may reach it. The same rules for a built-in service
 * (`site:services.<name>`) and a declared app (`site:apps.<name>`); `seen` holds the hostnames
 * taken so far.
 */
function resolveHost(
    data: RawSettings,
    key: string,
    catalogue: Pick<RoutedService, "name" | "websockets" | "proxiedByDefault" | "allowFromByDefault">,
    entry: HostEntry,
    seen: Map<string, string>,
    problems: string[],
): ServiceSettings {
    const { name } = catalogue;
    // Not named, a service gets the hostname a newcomer would give it: the blog at the domain itself.
    const hostname = entry.hostname ?? (name === "ghost" ? data.domain : `${name}.${data.domain}`);
    if (!isDomainName(hostname) || !(hostname === data.domain || hostname.endsWith(`.${data.domain}`))) {
        problems.push(
            `${key}.hostname: "${hostname}" is not a host name inside ${data.domain}; fix: pulumi config set --path '${key}.hostname' ${name}.${data.domain}`,
        );
    } else if (seen.has(hostname)) {
        problems.push(
            `${key}.hostname: "${hostname}" is already the hostname of ${seen.get(hostname)}; give each service its own hostname`,
        );
    }
    seen.set(hostname, name);
    const proxied = entry.proxied ?? (data.target === "local" ? false : catalogue.proxiedByDefault);
    if (data.target === "local" && proxied) {
        problems.push(`${key}.proxied: a local stack has no Cloudflare in front; fix: pulumi config set --path '${key}.proxied' false`);
    }
    if (catalogue.websockets && proxied && !data.zoneWebsockets) {
        problems.push(
            `${key}.proxied: ${name} needs websockets, which the Cloudflare proxy drops while ${project}:zoneWebsockets is false; fix: pulumi config set ${project}:zoneWebsockets true, or pulumi config set --path '${key}.proxied' false`,
        );
    }
    const allowFromSet = entry.allowFrom !== undefined;
    const allowFrom = entry.allowFrom ?? (catalogue.allowFromByDefault === "adminCidrs" ? data.adminCidrs : anywhere);
    return { hostname, proxied, allowFrom, allowFromSet };
}

function resolveServices(
    data: RawSettings,
    problems: string[],
): Record<RoutedServiceName, ServiceSettings> & Record<string, ServiceSettings> {
    const key = `${project}:services`;
    for (const name of Object.keys(data.services)) {
        if (!(routedServiceNames as readonly string[]).includes(name)) {
            const declared = name in data.apps ? `; ${name} is a declared app: its settings go under ${project}:apps.${name}` : "";
            problems.push(
                `${key}.${name}: unknown service${didYouMean(name, routedServiceNames)} (the services are ${routedServiceNames.join(", ")})${declared}; fix: pulumi config rm --path '${key}.${name}'`,
            );
        }
    }
    const seen = new Map<string, string>();
    const resolved = {} as Record<RoutedServiceName, ServiceSettings> & Record<string, ServiceSettings>;
    for (const name of routedServiceNames) {
        resolved[name] = resolveHost(data, `${key}.${name}`, routedServices[name], data.services[name] ?? {}, seen, problems);
    }
    return resolved;
}

/** An app's name: a DNS label, a Docker name, a MySQL user (32 characters at most). */
const appName = /^[a-z](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** A folder below the app's folder on the data volume: names, no dots, joined by /. */
const folderSegment = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Env variable names that say they hold a credential (the policy secret-looking-inputs-are-secrets reads names the same way). */
const credentialName = /password|passwd|token|secret|private_?key|api_?key/i;

/** Each app's problem, or the app as a catalogue entry; adds each app's host to `services`. */
function resolveApps(
    data: RawSettings,
    services: Record<string, ServiceSettings>,
    appSecretNames: readonly string[],
    problems: string[],
): DeclaredApp[] {
    const seen = new Map(Object.entries(services).map(([name, host]) => [host.hostname, name]));
    const apps: DeclaredApp[] = [];
    const secretFix = (name: string) => `pulumi config set --secret --path '${appSecretsKey}.${name}' <value>`;
    const knownSecret = (key: string, name: string): boolean => {
        if (appSecretNames.includes(name)) return true;
        const declared = appSecretNames.length > 0 ? ` (the stack declares ${appSecretNames.join(", ")})` : " (the stack declares none)";
        problems.push(
            `${key}: "${name}" is not a secret of this stack${didYouMean(name, appSecretNames)}${declared}; fix: ${secretFix(name)}`,
        );
        return false;
    };
    for (const [name, raw] of Object.entries(data.apps)) {
        const key = `${project}:apps.${name}`;
        const before = problems.length;
        if (!appName.test(name)) {
            problems.push(
                `${key}: "${name}" is not an app name: lower-case letters, digits and dashes, starting with a letter, at most 32 characters; fix: pulumi config rm --path '${key}', and declare it under a name like uptime`,
            );
            continue;
        }
        if (reservedAppNames.includes(name)) {
            problems.push(
                `${key}: "${name}" is a name the site keeps for itself (its containers, data folders and MySQL's own names: ${reservedAppNames.join(", ")}); fix: pulumi config rm --path '${key}', and declare it under another name`,
            );
            continue;
        }
        const websockets = raw.websockets;
        const catalogue = { name, websockets, proxiedByDefault: !websockets, allowFromByDefault: "anywhere" as const };
        const host = resolveHost(data, key, catalogue, raw, seen, problems);
        const folders = new Set<string>();
        const paths = new Set<string>();
        raw.data.forEach((folder, i) => {
            const at = `${key}.data[${i}]`;
            const segments = folder.name.split("/");
            if (folder.name.startsWith("/") || segments.includes("..") || segments.includes(".")) {
                problems.push(
                    `${at}.name: "${folder.name}" leaves the app's folder on the data volume (${appDataFolder(name)}/): name a folder inside it, like data; fix: pulumi config set --path '${at}.name' data`,
                );
            } else if (!segments.every((segment) => folderSegment.test(segment))) {
                problems.push(
                    `${at}.name: "${folder.name}" is not a folder name: lower-case letters, digits, _ and -, folders joined by /; fix: pulumi config set --path '${at}.name' data`,
                );
            } else if (folders.has(folder.name)) {
                problems.push(`${at}.name: "${folder.name}" is already a folder of ${name}; give each folder its own name`);
            }
            folders.add(folder.name);
            if (
                !folder.path.startsWith("/") ||
                posix.normalize(folder.path) !== folder.path ||
                folder.path === "/" ||
                folder.path.endsWith("/")
            ) {
                problems.push(
                    `${at}.path: "${folder.path}" is not an absolute, normalized path inside the container (like /app/data: no .., no // and no / at the end); fix: pulumi config set --path '${at}.path' /app/data`,
                );
            } else if (paths.has(folder.path)) {
                problems.push(`${at}.path: ${folder.path} is already where another folder of ${name} is mounted`);
            }
            paths.add(folder.path);
        });
        const envKeys = new Map<string, string>();
        const claim = (at: string, variable: string) => {
            if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
                problems.push(
                    `${at}: "${variable}" is not an environment variable name (letters, digits and _, not starting with a digit)`,
                );
            } else if (envKeys.has(variable)) {
                problems.push(`${at}: ${variable} is already set by ${envKeys.get(variable)}; each variable has one source`);
            }
            envKeys.set(variable, at);
        };
        for (const variable of Object.keys(raw.env)) {
            claim(`${key}.env.${variable}`, variable);
            if (credentialName.test(variable) && !/^(yes|no|true|false|0|1)?$/i.test(raw.env[variable])) {
                problems.push(
                    `${key}.env.${variable}: looks like a credential, and env values are plain text in the state and the render; keep it a secret: ${secretFix(name)}, then pulumi config rm --path '${key}.env.${variable}' && pulumi config set --path '${key}.secretEnv.${variable}' ${name}`,
                );
            }
        }
        for (const [variable, secret] of Object.entries(raw.secretEnv)) {
            claim(`${key}.secretEnv.${variable}`, variable);
            knownSecret(`${key}.secretEnv.${variable}`, secret);
        }
        if (raw.database) {
            for (const [field, variable] of Object.entries(raw.database.env)) if (variable) claim(`${key}.database.env.${field}`, variable);
            if (raw.database.passwordSecret !== undefined) knownSecret(`${key}.database.passwordSecret`, raw.database.passwordSecret);
            if (!raw.database.env.password) {
                problems.push(
                    `${key}.database.env.password: is required: the app cannot reach its database without the password; fix: pulumi config set --path '${key}.database.env.password' DB_PASSWORD`,
                );
            }
        }
        if (problems.length > before) continue;
        services[name] = host;
        const command = raw.healthCheck;
        apps.push({
            name,
            image: raw.image,
            port: raw.port,
            volumes: raw.data.map((folder) => ({
                name: `${appDataFolder(name)}/${folder.name}`,
                containerPath: folder.path,
                uid: folder.uid,
                gid: folder.gid,
            })),
            memoryMb: raw.memoryMb,
            stopTimeoutSeconds: 10,
            healthCheck: command === undefined ? null : check(typeof command === "string" ? ["CMD-SHELL", command] : ["CMD", ...command]),
            websockets,
            requiresAuth: raw.managementLogin,
            proxiedByDefault: catalogue.proxiedByDefault,
            allowFromByDefault: catalogue.allowFromByDefault,
            env: raw.env,
            secretEnv: raw.secretEnv,
            ...(raw.database
                ? {
                      database: {
                          name: name.replaceAll("-", "_"),
                          ...(raw.database.passwordSecret === undefined ? {} : { passwordSecret: raw.database.passwordSecret }),
                          env: raw.database.env,
                      },
                  }
                : {}),
        });
    }
    return apps;
}

export type SecretStatus = "set" | "missing" | "plaintext";

/**
 * Names every secret the stack must set (the generated and optional ones it may leave out) that is neither set
 * in config nor given by its environment variable, and
 * every one written in plain text into the stack file.
 */
export function checkSecrets(
    status: (name: SecretName) => SecretStatus,
    target: Settings["target"] = "droplet",
    appSecrets: Readonly<Record<string, SecretStatus>> = {},
): void {
    const problems: string[] = [];
    for (const [name, state] of Object.entries(appSecrets)) {
        if (state === "plaintext")
            problems.push(
                `${appSecretsKey}.${name}: is stored in plain text in the stack file; fix: pulumi config set --secret --path '${appSecretsKey}.${name}' <value>`,
            );
    }
    for (const name of secretNames) {
        const { key, env } = secretSources[name];
        const fix = `fix: pulumi config set --secret ${key} <value>`;
        const state = status(name);
        if (state === "missing" && requiredSecrets(target).includes(name))
            problems.push(`${key}: secret is not set; ${fix}${env ? ` (or export ${env})` : ""}`);
        if (state === "plaintext") problems.push(`${key}: is stored in plain text in the stack file; ${fix}`);
    }
    if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * MySQL and Portainer read their password only on their first start and keep it on the data
 * volume. A stack restored from another stack's volume snapshot must set the old stack's values,
 * or a freshly generated password would lock Ghost out of its own database.
 */
export function checkRestoredPasswords(settings: Settings, isSet: (name: SecretName) => boolean): void {
    if (!settings.restoreVolumeSnapshot) return;
    const missing = (["mysqlPassword", "managementPassword"] as const).filter((name) => !isSet(name));
    if (missing.length === 0) return;
    throw new ConfigError(
        missing.map(
            (name) =>
                `${secretSources[name].key}: ${project}:restoreVolumeSnapshot brings another stack's data, which keeps that stack's ${name}; fix: pulumi stack output logins --show-secrets --stack <old stack> (${name === "mysqlPassword" ? "mysqlPassword" : "management.password"}), then pulumi config set --secret ${secretSources[name].key} <that value>`,
        ),
    );
}
