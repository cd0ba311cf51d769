import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { renderCredentials } from "../render/certificates";
import type { HostScript } from "../render/shell";
import { asRoot, DropletTarget, sshConnection } from "./connection";
import { sha256 } from "./hostSetup";

export interface CertificatesArgs {
    readonly droplet: DropletTarget;
    /** Cloudflare token allowed to edit this zone's DNS only (a secret). */
    readonly dnsToken: pulumi.Output<string>;
    /** The two scripts: credentials (reads the token on stdin), then issue. */
    readonly scripts: readonly [HostScript, HostScript];
    /** Changes whenever what must be issued changes (hosts, certbot image, CA). */
    readonly certbotCommand: string;
}

/**
 * Let's Encrypt certificates for every host, issued over SSH before the proxy starts (see
 * render/certificates.ts for the design). Give this component a dependency on the host setup.
 */
export class Certificates extends pulumi.ComponentResource {
    constructor(name: string, args: CertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:host:Certificates", name, {}, opts);
        const connection = sshConnection(args.droplet);
        const [credentialsScript, issueScript] = args.scripts;
        const credentials = pulumi.secret(args.dnsToken.apply(renderCredentials));
        const stored = new command.remote.Command(
            `${name}-${credentialsScript.name}`,
            // The token travels on stdin; a changed token re-runs the command.
            {
                connection,
                create: asRoot(credentialsScript.script),
                stdin: credentials,
                triggers: [sha256(credentialsScript.script), args.droplet.id, credentials],
            },
            // The component's dependsOn does not hold back its children; pass it on.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        new command.remote.Command(
            `${name}-${issueScript.name}`,
            {
                connection,
                create: asRoot(issueScript.script),
                triggers: [sha256(issueScript.script), args.droplet.id, sha256(args.certbotCommand)],
            },
            { parent: this, dependsOn: [stored] },
        );
        this.registerOutputs({});
    }
}
