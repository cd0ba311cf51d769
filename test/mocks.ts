// Pulumi mocks: every resource the program registers is recorded with its inputs and options.
// newResource adds realistic computed fields by type; `call` throws for anything not mocked.
import * as pulumi from "@pulumi/pulumi";
import { cloudflareRanges } from "../config/cloudflareRanges";

export interface Recorded {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
    readonly opts: pulumi.CustomResourceOptions & pulumi.ComponentResourceOptions;
    readonly resource: pulumi.Resource;
}

export const recorded: Recorded[] = [];

/** What the mocked cloudflare.getIpRanges answers; a test may change it to see drift reported. */
export const liveCloudflareRanges = {
    ipv4Cidrs: cloudflareRanges.filter((range) => !range.includes(":")),
    ipv6Cidrs: cloudflareRanges.filter((range) => range.includes(":")),
};
/** Every input the engine received, as the mock monitor saw it (secrets already unwrapped). */
export const registeredInputs: { type: string; name: string; inputs: unknown; provider?: string }[] = [];

const computed: Record<string, (name: string) => Record<string, unknown>> = {
    "digitalocean:index/droplet:Droplet": () => ({ ipv4Address: "203.0.113.10", ipv6Address: "2001:db8::10" }),
    "digitalocean:index/reservedIp:ReservedIp": () => ({ ipAddress: "203.0.113.20" }),
    "digitalocean:index/sshKey:SshKey": (name) => ({ fingerprint: `aa:bb:${name}` }),
    "tls:index/privateKey:PrivateKey": () => ({
        privateKeyOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nmock\n-----END OPENSSH PRIVATE KEY-----\n",
        publicKeyOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMOCKmockMOCKmockMOCKmockMOCKmockMOCKmock0000 deploy",
    }),
    "random:index/randomString:RandomString": () => ({ result: "abcdefghijklmnopqrstuv" }),
    "docker:index/remoteImage:RemoteImage": (name) => ({ imageId: `sha256:${name}` }),
    "command:remote:Command": () => ({ stdout: "", stderr: "" }),
};

export function installMocks(stack = "prod"): void {
    pulumi.runtime.setMocks(
        {
            newResource(args) {
                registeredInputs.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
                const extra = computed[args.type]?.(args.name) ?? {};
                return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call(args) {
                if (args.token === "cloudflare:index/getZone:getZone") return { id: "zone-id", zoneId: "zone-id", name: "example.com" };
                if (args.token === "cloudflare:index/getIpRanges:getIpRanges") return liveCloudflareRanges;
                throw new Error(`unmocked call ${args.token}`);
            },
        },
        "site",
        stack,
        false,
    );
}

/**
 * Installs the mocks, then runs `load` (which imports the program) inside a root stack resource,
 * recording every resource with the options it was given.
 */
export async function runWithMocks<T>(load: () => Promise<T>, stack = "prod"): Promise<T> {
    installMocks(stack);
    let loaded: T | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            recorded.push({
                type: args.type,
                name: args.name,
                inputs: args.props as Record<string, unknown>,
                opts: args.opts,
                resource: args.resource,
            });
            return undefined;
        });
        loaded = await load();
        return loaded;
    });
    return loaded as T;
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

export function isSecretOutput(value: unknown): Promise<boolean> {
    return pulumi.Output.isInstance(value) ? pulumi.isSecret(value as pulumi.Output<unknown>) : Promise.resolve(false);
}

export function find(type: string, name?: string): Recorded {
    const matches = recorded.filter((r) => r.type === type && (name === undefined || r.name === name));
    if (matches.length !== 1) throw new Error(`expected one ${type} ${name ?? ""}, found ${matches.length}`);
    return matches[0];
}

export const all = (type: string) => recorded.filter((r) => r.type === type);
