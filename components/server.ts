import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

export interface ServerArgs {
    readonly region: string;
    readonly size: string;
    readonly image: string;
    readonly sshPublicKeys: readonly string[];
    readonly adminCidrs: readonly string[];
    /** cloud-init user data; holds no secret (the metadata service serves it for the droplet's life). */
    readonly userData: string;
    /**
     * When false, the droplet is protected and changes to its image, user data or SSH keys (each
     * of which would replace it) are ignored, so no config edit destroys it by surprise.
     */
    readonly allowReplacement: boolean;
}

const anywhere = ["0.0.0.0/0", "::/0"];

/** The droplet, its SSH keys, a reserved IP that outlives it, and DigitalOcean's cloud firewall. */
export class Server extends pulumi.ComponentResource {
    /** The droplet's id. */
    public readonly dropletId: pulumi.Output<string>;
    /** The reserved IPv4 address DNS points at; it stays when the droplet is replaced. */
    public readonly ipAddress: pulumi.Output<string>;
    /** OpenSSH private key Pulumi uses to reach the host (a secret). */
    public readonly deployPrivateKey: pulumi.Output<string>;

    constructor(name: string, args: ServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:host:Server", name, {}, opts);
        const stack = pulumi.getStack();

        // Generated once and kept in state: the program's own way in, so no deployer's personal
        // key has to be handed to Pulumi. Stable, because changing a droplet's keys replaces it.
        const deployKey = new tls.PrivateKey(`${name}-deploy-key`, { algorithm: "ED25519" }, { parent: this });
        const keys = [
            new digitalocean.SshKey(`${name}-deploy`, { name: `${stack}-pulumi-deploy`, publicKey: deployKey.publicKeyOpenssh }, { parent: this }),
            ...args.sshPublicKeys.map(
                (publicKey, index) => new digitalocean.SshKey(`${name}-admin-${index}`, { name: `${stack}-admin-${index}`, publicKey }, { parent: this }),
            ),
        ];

        const droplet = new digitalocean.Droplet(
            `${name}-droplet`,
            {
                name: `${stack}-site`,
                region: args.region,
                size: args.size,
                image: args.image,
                ipv6: true,
                monitoring: true,
                sshKeys: keys.map((key) => key.fingerprint),
                userData: args.userData,
                tags: ["site", stack],
            },
            {
                parent: this,
                protect: !args.allowReplacement,
                ignoreChanges: args.allowReplacement ? [] : ["image", "userData", "sshKeys"],
            },
        );

        // Separate from the droplet so the address survives its replacement and DNS never changes.
        const reservedIp = new digitalocean.ReservedIp(`${name}-ip`, { region: args.region }, { parent: this, protect: true });
        new digitalocean.ReservedIpAssignment(
            `${name}-ip-assignment`,
            { ipAddress: reservedIp.ipAddress, dropletId: droplet.id.apply(Number) },
            { parent: this },
        );

        new digitalocean.Firewall(
            `${name}-firewall`,
            {
                name: `${stack}-site`,
                dropletIds: [droplet.id.apply(Number)],
                inboundRules: [
                    { protocol: "tcp", portRange: "22", sourceAddresses: [...args.adminCidrs] },
                    { protocol: "tcp", portRange: "80", sourceAddresses: anywhere },
                    { protocol: "tcp", portRange: "443", sourceAddresses: anywhere },
                ],
                // Containers reach out: Ghost's SMTP, image pulls, package updates.
                outboundRules: ["tcp", "udp", "icmp"].map((protocol) => ({
                    protocol,
                    portRange: protocol === "icmp" ? undefined : "1-65535",
                    destinationAddresses: anywhere,
                })),
            },
            { parent: this },
        );

        this.dropletId = droplet.id;
        this.ipAddress = reservedIp.ipAddress;
        this.deployPrivateKey = deployKey.privateKeyOpenssh;
        this.registerOutputs({ dropletId: this.dropletId, ipAddress: this.ipAddress, deployPrivateKey: this.deployPrivateKey });
    }
}
