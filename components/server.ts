import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { CloudInitSeed } from "../render/cloudInit";

export interface ServerArgs {
    readonly region: string;
    readonly size: string;
    readonly image: string;
    readonly sshPublicKeys: readonly string[];
    readonly adminCidrs: readonly string[];
    /**
     * cloud-init user data from the admin user, the deploy key and the bootstrap host key (see
     * render/cloudInit.ts: the metadata service serves it for the droplet's whole life).
     */
    readonly userData: (seed: CloudInitSeed) => string;
    readonly adminUser: string;
    /**
     * When false, the droplet is protected and changes to its image, user data or SSH keys (each
     * of which would replace it) are ignored, so no config edit destroys it by surprise.
     */
    readonly allowReplacement: boolean;
    /** DigitalOcean's weekly backups of the droplet (not of the data volume). */
    readonly backups: boolean;
    readonly dataVolume: {
        readonly sizeGb: number;
        readonly label: string;
        readonly filesystem: string;
        /** Create the volume from this volume snapshot (restore); empty for a new, empty volume. */
        readonly fromSnapshot: string;
    };
}

const anywhere = ["0.0.0.0/0", "::/0"];

/** The droplet, its SSH keys, a reserved IP that outlives it, and DigitalOcean's cloud firewall. */
export class Server extends pulumi.ComponentResource {
    /** The droplet's id. */
    public readonly dropletId: pulumi.Output<string>;
    /** The droplet's own IPv4 address, which goes with it: how the handover reaches the droplet holding the volume. */
    public readonly dropletAddress: pulumi.Output<string>;
    /** The reserved IPv4 address DNS points at; it stays when the droplet is replaced. */
    public readonly ipAddress: pulumi.Output<string>;
    /**
     * The reserved IP, once the assignment points it at this droplet: what every connection to the
     * reserved IP uses, so none is made before it reaches the droplet it means.
     */
    public readonly assignedIpAddress: pulumi.Output<string>;
    /** OpenSSH private key Pulumi uses to reach the host (a secret). */
    public readonly deployPrivateKey: pulumi.Output<string>;
    /** The host key in the user data, used only until the host setup installs the real one. */
    public readonly bootstrapHostKey: pulumi.Output<string>;
    /** This droplet's real SSH host key (public), which every connection pins; a new droplet gets a new one. */
    public readonly hostKey: pulumi.Output<string>;
    /** Its private half (a secret), delivered over SSH, never through the user data. */
    public readonly hostPrivateKey: pulumi.Output<string>;
    /** The block storage volume with every container's data. */
    public readonly dataVolumeId: pulumi.Output<string>;
    /** The attachment: resources that need the volume on the droplet depend on it. */
    public readonly dataVolumeAttachment: digitalocean.VolumeAttachment;

    constructor(name: string, args: ServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:host:Server", name, {}, opts);
        const stack = pulumi.getStack();

        // Generated once and kept in state: the program's own way in, so no deployer's personal
        // key has to be handed to Pulumi. Stable, because changing a droplet's keys replaces it.
        const deployKey = new tls.PrivateKey(`${name}-deploy-key`, { algorithm: "ED25519" }, { parent: this });
        // Host keys made here, so Pulumi knows what to pin before it ever connects: the bootstrap
        // key of the user data (stable, like the user data), and below, each droplet's own key.
        const bootstrapHostKey = new tls.PrivateKey(`${name}-bootstrap-host-key`, { algorithm: "ED25519" }, { parent: this });
        const userData = pulumi
            .all([deployKey.publicKeyOpenssh, bootstrapHostKey.privateKeyOpenssh, bootstrapHostKey.publicKeyOpenssh])
            .apply(([deployPublicKey, privateKey, publicKey]) =>
                args.userData({
                    adminUser: args.adminUser,
                    deployPublicKey: deployPublicKey.trim(),
                    bootstrapHostKey: { privateKey, publicKey: publicKey.trim() },
                }),
            );
        const keys = [
            new digitalocean.SshKey(
                `${name}-deploy`,
                { name: `${stack}-pulumi-deploy`, publicKey: deployKey.publicKeyOpenssh },
                { parent: this },
            ),
            ...args.sshPublicKeys.map(
                (publicKey, index) =>
                    new digitalocean.SshKey(`${name}-admin-${index}`, { name: `${stack}-admin-${index}`, publicKey }, { parent: this }),
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
                userData,
                backups: args.backups,
                tags: ["site", stack],
            },
            {
                parent: this,
                protect: !args.allowReplacement,
                ignoreChanges: args.allowReplacement ? [] : ["image", "userData", "sshKeys"],
            },
        );

        // Every droplet gets a host key of its own, so a command pinned to it (the handover's release
        // on the old droplet, a re-run) can only ever meet that droplet.
        const hostKey = new tls.PrivateKey(`${name}-host-key`, { algorithm: "ED25519" }, { parent: this, replaceWith: [droplet] });

        // The data lives here, not on the droplet's disk: the volume never depends on the droplet,
        // so replacing the droplet only re-attaches it. Protected, and kept even if the stack is
        // destroyed: deleting the site's posts must take a deliberate act outside Pulumi.
        const restoring = args.dataVolume.fromSnapshot !== "";
        const volume = new digitalocean.Volume(
            `${name}-data`,
            {
                // Volume names are unique per region, and a replaced volume is retained: a restored
                // one needs a name of its own.
                name: restoring ? `${stack}-site-data-${args.dataVolume.fromSnapshot.slice(0, 8)}` : `${stack}-site-data`,
                region: args.region,
                size: args.dataVolume.sizeGb,
                description: `Data of every container of the ${stack} site`,
                // A restored volume brings its filesystem (and label) from the snapshot.
                ...(restoring
                    ? { snapshotId: args.dataVolume.fromSnapshot }
                    : { initialFilesystemType: args.dataVolume.filesystem, initialFilesystemLabel: args.dataVolume.label }),
                tags: ["site", stack],
            },
            { parent: this, protect: true, retainOnDelete: true },
        );
        // A volume is attached to one droplet at a time, and the provider's create only attaches:
        // a new attachment replaces the old one by deleting it first. Before that, the host setup's
        // handover releases the volume on the droplet that holds it (components/hostSetup.ts).
        this.dataVolumeAttachment = new digitalocean.VolumeAttachment(
            `${name}-data-attachment`,
            { dropletId: droplet.id.apply(Number), volumeId: volume.id },
            { parent: this, deleteBeforeReplace: true },
        );

        // Separate from the droplet so the address survives its replacement and DNS never changes.
        const reservedIp = new digitalocean.ReservedIp(`${name}-ip`, { region: args.region }, { parent: this, protect: true });
        // Assigning moves the address from an old droplet to a new one (create before delete), and
        // only once the volume is attached there: until then, what goes through the reserved IP
        // (the old containers' removal) still reaches the old droplet.
        const assignment = new digitalocean.ReservedIpAssignment(
            `${name}-ip-assignment`,
            { ipAddress: reservedIp.ipAddress, dropletId: droplet.id.apply(Number) },
            { parent: this, dependsOn: [this.dataVolumeAttachment] },
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
        this.dropletAddress = droplet.ipv4Address;
        this.ipAddress = reservedIp.ipAddress;
        this.assignedIpAddress = assignment.ipAddress;
        this.deployPrivateKey = deployKey.privateKeyOpenssh;
        this.bootstrapHostKey = bootstrapHostKey.publicKeyOpenssh;
        this.hostKey = hostKey.publicKeyOpenssh;
        this.hostPrivateKey = hostKey.privateKeyOpenssh;
        this.dataVolumeId = volume.id;
        this.registerOutputs({
            dropletId: this.dropletId,
            dropletAddress: this.dropletAddress,
            ipAddress: this.ipAddress,
            assignedIpAddress: this.assignedIpAddress,
            deployPrivateKey: this.deployPrivateKey,
            bootstrapHostKey: this.bootstrapHostKey,
            hostKey: this.hostKey,
            hostPrivateKey: this.hostPrivateKey,
            dataVolumeId: this.dataVolumeId,
        });
    }
}
