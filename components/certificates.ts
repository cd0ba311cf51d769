import * as pulumi from "@pulumi/pulumi";
import { renderCredentials } from "../render/certificates";
import { sha256 } from "../render/hash";
import type { HostScript } from "../render/shell";
import { DropletHost, hostCommand } from "./hostCommand";

export interface CertificatesArgs {
    readonly host: DropletHost;
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
        const [credentialsScript, issueScript] = args.scripts;
        const credentials = pulumi.secret(args.dnsToken.apply(renderCredentials));
        // The token travels on stdin; a changed token runs the command again.
        const stored = hostCommand(
            `${name}-${credentialsScript.name}`,
            { host: args.host, script: credentialsScript, stdin: credentials, alsoWhen: [credentials] },
            { parent: this, after: opts?.dependsOn },
        );
        hostCommand(
            `${name}-${issueScript.name}`,
            { host: args.host, script: issueScript, alsoWhen: [sha256(args.certbotCommand)] },
            { parent: this, after: [stored] },
        );
        this.registerOutputs({});
    }
}
