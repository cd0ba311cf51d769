// Every resource type the program declares, once: the token the engine sees; for a provider's
// resource, what the mock provider computes (the outputs a real provider returns that the program
// reads) and which changed inputs make the provider replace it rather than update it in place, from
// the provider's own source (the plan engine, ./planEngine.ts, reads that). The mock engine refuses
// a type that is not here, as it refuses an unmocked call, so a new kind of resource is noticed and
// described in this one table.

/** Which changed inputs replace a resource: these keys, or any key but these. */
type Replacement = { readonly keys: readonly string[] } | { readonly allBut: readonly string[] };

interface ResourceType {
    readonly token: string;
    /** The id the provider gives it, where its form matters (Pulumi's mocks use the name and a count). */
    readonly id?: (generation: number) => string;
    /** Outputs the provider computes, beyond the inputs it echoes; `generation` counts replacements (1 for the first). */
    readonly computed?: (name: string, generation: number) => Record<string, unknown>;
    /** What a change to an input does, for a provider's resource (nothing for the program's components). */
    readonly replaceOn?: Replacement;
    /** The provider itself deletes before replacing. */
    readonly deleteBeforeReplace?: true;
    /** Where `replaceOn` comes from. */
    readonly source?: string;
}

const digitalocean = (file: string) => `terraform-provider-digitalocean ${file} (ForceNew in the schema)`;
const docker = (file: string) => `terraform-provider-docker internal/provider/${file}`;
const tls = (file: string) => `terraform-provider-tls internal/provider/${file}`;
const providerConfig = "provider configuration: a new token updates the provider; nothing is replaced";

const mockKey = {
    privateKeyOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nmock\n-----END OPENSSH PRIVATE KEY-----\n",
    privateKeyPem: "-----BEGIN PRIVATE KEY-----\nmock\n-----END PRIVATE KEY-----\n",
    publicKeyOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMOCKmockMOCKmockMOCKmockMOCKmockMOCKmock0000 deploy",
};

const table = {
    // The stack itself, and the program's own components.
    stack: { token: "pulumi:pulumi:Stack" },
    server: { token: "site:host:Server" },
    hostSetup: { token: "site:host:HostSetup" },
    certificates: { token: "site:host:Certificates" },
    snapshots: { token: "site:host:Snapshots" },
    generatedSecrets: { token: "site:secrets:GeneratedSecrets" },
    apps: { token: "site:apps:Apps" },
    managementAuth: { token: "site:apps:ManagementAuth" },
    themes: { token: "site:apps:Themes" },
    cloudflareZone: { token: "site:dns:CloudflareZone" },
    edgeCache: { token: "site:edge:EdgeCache" },
    monitoring: { token: "site:watch:Monitoring" },
    localCertificateAuthority: { token: "site:local:CertificateAuthority" },
    // Explicit providers.
    digitaloceanProvider: { token: "pulumi:providers:digitalocean", replaceOn: { keys: [] }, source: providerConfig },
    cloudflareProvider: { token: "pulumi:providers:cloudflare", replaceOn: { keys: [] }, source: providerConfig },
    dockerProvider: {
        token: "pulumi:providers:docker",
        replaceOn: { keys: ["host"] },
        source: "pulumi-docker: another host is another engine, so everything on it is replaced",
    },
    // DigitalOcean.
    droplet: {
        token: "digitalocean:index/droplet:Droplet",
        // A droplet's id is a number (the program passes it on with Number()), and each new droplet
        // has an id and an address of its own.
        id: (generation) => String(500000000 + generation),
        computed: (_name, generation) => ({ ipv4Address: `203.0.113.${9 + generation}`, ipv6Address: `2001:db8::${9 + generation}` }),
        replaceOn: { keys: ["image", "region", "sshKeys", "userData", "monitoring", "vpcUuid"] },
        source: digitalocean("digitalocean/droplet/resource_droplet.go; size, name, backups and tags update"),
    },
    sshKey: {
        token: "digitalocean:index/sshKey:SshKey",
        computed: (name) => ({ fingerprint: `aa:bb:${name}` }),
        replaceOn: { keys: ["publicKey"] },
        source: digitalocean("digitalocean/sshkey/resource_ssh_key.go"),
    },
    volume: {
        token: "digitalocean:index/volume:Volume",
        replaceOn: { keys: ["region", "name", "snapshotId", "initialFilesystemType", "initialFilesystemLabel", "description"] },
        source: digitalocean("digitalocean/volume/resource_volume.go; size (grow only) and tags update"),
    },
    volumeAttachment: {
        token: "digitalocean:index/volumeAttachment:VolumeAttachment",
        replaceOn: { keys: ["dropletId", "volumeId"] },
        source: digitalocean("digitalocean/volume/resource_volume_attachment.go: no update; create only attaches, delete detaches"),
    },
    reservedIp: {
        token: "digitalocean:index/reservedIp:ReservedIp",
        computed: () => ({ ipAddress: "203.0.113.20" }),
        replaceOn: { keys: ["region"] },
        source: digitalocean("digitalocean/reservedip/resource_reserved_ip.go"),
    },
    reservedIpAssignment: {
        token: "digitalocean:index/reservedIpAssignment:ReservedIpAssignment",
        replaceOn: { keys: ["ipAddress", "dropletId"] },
        // Create before delete works: the new assignment moves the address, and the old one's delete
        // unassigns only if the address still points at its droplet (PR #149).
        source: digitalocean("digitalocean/reservedip/resource_reserved_ip_assignment.go"),
    },
    firewall: {
        token: "digitalocean:index/firewall:Firewall",
        replaceOn: { keys: [] },
        source: digitalocean("digitalocean/firewall/firewalls.go: everything updates"),
    },
    dropletSnapshot: {
        token: "digitalocean:index/dropletSnapshot:DropletSnapshot",
        replaceOn: { keys: ["dropletId", "name"] },
        source: digitalocean("digitalocean/snapshot/resource_droplet_snapshot.go"),
    },
    volumeSnapshot: {
        token: "digitalocean:index/volumeSnapshot:VolumeSnapshot",
        replaceOn: { keys: ["volumeId", "name"] },
        source: digitalocean("digitalocean/snapshot/resource_volume_snapshot.go; tags update"),
    },
    uptimeCheck: {
        token: "digitalocean:index/uptimeCheck:UptimeCheck",
        replaceOn: { keys: [] },
        source: digitalocean(
            "digitalocean/uptime/resource_uptime_check.go: only the computed id; name, type, target, regions and enabled update",
        ),
    },
    uptimeAlert: {
        token: "digitalocean:index/uptimeAlert:UptimeAlert",
        // check_id too updates in place (the program replaces an alert on a new check itself:
        // replaceOnChanges in components/monitoring.ts).
        replaceOn: { keys: [] },
        source: digitalocean("digitalocean/uptime/resource_uptime_alert.go: none, check_id included"),
    },
    monitorAlert: {
        token: "digitalocean:index/monitorAlert:MonitorAlert",
        replaceOn: { keys: [] },
        source: digitalocean("digitalocean/monitoring/resource_monitor_alert.go: none; entities, value, window and alerts update"),
    },
    // Cloudflare.
    dnsRecord: {
        token: "cloudflare:index/dnsRecord:DnsRecord",
        replaceOn: { keys: ["zoneId", "type"] },
        source: "terraform-provider-cloudflare v5 internal/services/dns_record/schema.go (RequiresReplace)",
    },
    zoneSetting: {
        token: "cloudflare:index/zoneSetting:ZoneSetting",
        replaceOn: { keys: ["zoneId", "settingId"] },
        source: "terraform-provider-cloudflare v5 internal/services/zone_setting/schema.go (RequiresReplace)",
    },
    ruleset: {
        token: "cloudflare:index/ruleset:Ruleset",
        replaceOn: { keys: ["zoneId", "accountId"] },
        source: "terraform-provider-cloudflare v5 internal/services/ruleset/schema.go (RequiresReplace; the rules update in place)",
    },
    // Commands where `pulumi up` runs: a new trigger runs `create` again.
    localCommand: {
        token: "command:local:Command",
        computed: () => ({ stdout: "", stderr: "" }),
        replaceOn: { keys: ["triggers"] },
        source: "pulumi-command provider/pkg/provider/common/inputs.go (triggers alone is replaceOnChanges)",
    },
    // Remote commands: any other change is an update, which runs `update`, else `create`, again.
    command: {
        token: "command:remote:Command",
        computed: () => ({ stdout: "", stderr: "" }),
        replaceOn: { keys: ["triggers"] },
        source: "pulumi-command provider/pkg/provider/common/inputs.go (triggers alone is replaceOnChanges)",
    },
    copyToRemote: {
        token: "command:remote:CopyToRemote",
        replaceOn: { keys: ["triggers"] },
        source: "pulumi-command provider/pkg/provider/remote/copy.go",
    },
    // Docker.
    network: { token: "docker:index/network:Network", replaceOn: { allBut: [] }, source: docker("resource_docker_network.go (no update)") },
    remoteImage: {
        token: "docker:index/remoteImage:RemoteImage",
        computed: (name) => ({ imageId: `sha256:${name}` }),
        replaceOn: { allBut: ["keepLocally", "forceRemove"] },
        source: docker("resource_docker_image.go"),
    },
    container: {
        token: "docker:index/container:Container",
        // Update changes these in place, or keeps them in state (resourceDockerContainerUpdate).
        replaceOn: { allBut: ["restart", "memory", "destroyGraceSeconds", "healthcheck", "mustRun", "rm"] },
        deleteBeforeReplace: true,
        source: `${docker("resource_docker_container.go")}; pulumi-docker provider/resources.go deletes containers before replacing`,
    },
    // Keys, certificates and random values made in state.
    privateKey: {
        token: "tls:index/privateKey:PrivateKey",
        computed: () => mockKey,
        replaceOn: { allBut: [] },
        source: tls("resource_private_key.go (no update)"),
    },
    selfSignedCert: {
        token: "tls:index/selfSignedCert:SelfSignedCert",
        computed: () => ({ certPem: "-----BEGIN CERTIFICATE-----\nca\n" }),
        replaceOn: { allBut: ["earlyRenewalHours"] },
        source: tls("resource_self_signed_cert.go"),
    },
    certRequest: {
        token: "tls:index/certRequest:CertRequest",
        computed: () => ({ certRequestPem: "-----BEGIN CERTIFICATE REQUEST-----\n" }),
        replaceOn: { allBut: [] },
        source: tls("resource_cert_request.go"),
    },
    locallySignedCert: {
        token: "tls:index/locallySignedCert:LocallySignedCert",
        computed: () => ({ certPem: "-----BEGIN CERTIFICATE-----\nleaf\n" }),
        replaceOn: { allBut: ["earlyRenewalHours"] },
        source: tls("resource_locally_signed_cert.go"),
    },
    randomPassword: {
        token: "random:index/randomPassword:RandomPassword",
        computed: (name) => ({ result: `generated-${name}` }),
        replaceOn: { allBut: [] },
        source: "terraform-provider-random internal/provider/resource_password.go",
    },
    randomString: {
        token: "random:index/randomString:RandomString",
        computed: () => ({ result: "abcdefghijklmnopqrstuv" }),
        replaceOn: { allBut: [] },
        source: "terraform-provider-random internal/provider/resource_string.go",
    },
} satisfies Record<string, ResourceType>;

export type ResourceTypeName = keyof typeof table;

/** The type token of each resource type, by a short name tests use. */
export const types = Object.fromEntries(Object.entries(table).map(([key, type]) => [key, type.token])) as {
    readonly [K in ResourceTypeName]: (typeof table)[K]["token"];
};

const byToken = new Map<string, ResourceType>(Object.values(table).map((type: ResourceType) => [type.token, type]));

function typeOf(token: string, name: string): ResourceType {
    const type = byToken.get(token);
    if (!type)
        throw new Error(
            `resource type ${token} (${name}) is not in test/harness/resourceTypes.ts: add it, with what its provider computes`,
        );
    return type;
}

/** The id of a resource's `generation`th creation: the provider's form, or the mocks' name and count. */
export function mockId(token: string, name: string, generation: number): string {
    return typeOf(token, name).id?.(generation) ?? (generation === 1 ? `${name}-id` : `${name}-id-${generation}`);
}

/** What the mock provider answers for a new resource of this type; throws for a type not in the table. */
export function computedOutputs(token: string, name: string, generation = 1): Record<string, unknown> {
    return typeOf(token, name).computed?.(name, generation) ?? {};
}

/** The changed inputs that make the provider replace a resource, and whether it deletes first. */
export function replacementOf(
    token: string,
    name: string,
    changed: readonly string[],
): { readonly forcing: string[]; readonly deleteFirst: boolean } {
    const type = typeOf(token, name);
    const rule = type.replaceOn;
    if (!rule)
        throw new Error(`${token} has no replaceOn in test/harness/resourceTypes.ts: say which inputs replace it, citing the provider`);
    const forcing = "keys" in rule ? changed.filter((key) => rule.keys.includes(key)) : changed.filter((key) => !rule.allBut.includes(key));
    return { forcing, deleteFirst: type.deleteBeforeReplace === true };
}

/** The key the mock hands out for every generated private key. */
export const mockPublicKey = mockKey.publicKeyOpenssh;
