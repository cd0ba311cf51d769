// Every resource type the program declares, once: the token the engine sees and, for a provider's
// resource, what the mock provider computes (the outputs a real provider returns that the program
// reads). The mock engine refuses a type that is not here, as it refuses an unmocked call, so a new
// kind of resource is noticed and described in this one table.

interface ResourceType {
    readonly token: string;
    /** Outputs the provider computes, beyond the inputs it echoes. */
    readonly computed?: (name: string) => Record<string, unknown>;
}

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
    apps: { token: "site:apps:Apps" },
    managementAuth: { token: "site:apps:ManagementAuth" },
    themes: { token: "site:apps:Themes" },
    cloudflareZone: { token: "site:dns:CloudflareZone" },
    localCertificateAuthority: { token: "site:local:CertificateAuthority" },
    // Explicit providers.
    digitaloceanProvider: { token: "pulumi:providers:digitalocean" },
    cloudflareProvider: { token: "pulumi:providers:cloudflare" },
    dockerProvider: { token: "pulumi:providers:docker" },
    // DigitalOcean.
    droplet: {
        token: "digitalocean:index/droplet:Droplet",
        computed: () => ({ ipv4Address: "203.0.113.10", ipv6Address: "2001:db8::10" }),
    },
    sshKey: { token: "digitalocean:index/sshKey:SshKey", computed: (name) => ({ fingerprint: `aa:bb:${name}` }) },
    volume: { token: "digitalocean:index/volume:Volume" },
    volumeAttachment: { token: "digitalocean:index/volumeAttachment:VolumeAttachment" },
    reservedIp: { token: "digitalocean:index/reservedIp:ReservedIp", computed: () => ({ ipAddress: "203.0.113.20" }) },
    reservedIpAssignment: { token: "digitalocean:index/reservedIpAssignment:ReservedIpAssignment" },
    firewall: { token: "digitalocean:index/firewall:Firewall" },
    dropletSnapshot: { token: "digitalocean:index/dropletSnapshot:DropletSnapshot" },
    volumeSnapshot: { token: "digitalocean:index/volumeSnapshot:VolumeSnapshot" },
    // Cloudflare.
    dnsRecord: { token: "cloudflare:index/dnsRecord:DnsRecord" },
    zoneSetting: { token: "cloudflare:index/zoneSetting:ZoneSetting" },
    // Remote commands.
    command: { token: "command:remote:Command", computed: () => ({ stdout: "", stderr: "" }) },
    copyToRemote: { token: "command:remote:CopyToRemote" },
    // Docker.
    network: { token: "docker:index/network:Network" },
    remoteImage: { token: "docker:index/remoteImage:RemoteImage", computed: (name) => ({ imageId: `sha256:${name}` }) },
    container: { token: "docker:index/container:Container" },
    // Keys, certificates and random values made in state.
    privateKey: { token: "tls:index/privateKey:PrivateKey", computed: () => mockKey },
    selfSignedCert: {
        token: "tls:index/selfSignedCert:SelfSignedCert",
        computed: () => ({ certPem: "-----BEGIN CERTIFICATE-----\nca\n" }),
    },
    certRequest: {
        token: "tls:index/certRequest:CertRequest",
        computed: () => ({ certRequestPem: "-----BEGIN CERTIFICATE REQUEST-----\n" }),
    },
    locallySignedCert: {
        token: "tls:index/locallySignedCert:LocallySignedCert",
        computed: () => ({ certPem: "-----BEGIN CERTIFICATE-----\nleaf\n" }),
    },
    randomString: { token: "random:index/randomString:RandomString", computed: () => ({ result: "abcdefghijklmnopqrstuv" }) },
} satisfies Record<string, ResourceType>;

export type ResourceTypeName = keyof typeof table;

/** The type token of each resource type, by a short name tests use. */
export const types = Object.fromEntries(Object.entries(table).map(([key, type]) => [key, type.token])) as {
    readonly [K in ResourceTypeName]: (typeof table)[K]["token"];
};

const byToken = new Map<string, ResourceType>(Object.values(table).map((type) => [type.token, type]));

/** What the mock provider answers for a new resource of this type; throws for a type not in the table. */
export function computedOutputs(token: string, name: string): Record<string, unknown> {
    const type = byToken.get(token);
    if (!type)
        throw new Error(
            `resource type ${token} (${name}) is not in test/harness/resourceTypes.ts: add it, with what its provider computes`,
        );
    return "computed" in type && type.computed ? type.computed(name) : {};
}

/** The key the mock hands out for every generated private key. */
export const mockPublicKey = mockKey.publicKeyOpenssh;
