import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderHtpasswd } from "../render/nginx";
import { bcryptHash, bcryptSaltAlphabet } from "../render/passwordHash";

export interface ManagementAuthArgs {
    /** The management UI's password, a Pulumi secret. */
    readonly password: pulumi.Output<string>;
}

/**
 * The bcrypt hash of the management password, for nginx's basic auth and Portainer's admin.
 * The salt is random once and then kept in state, so the hash is stable: an unchanged password
 * re-creates nothing, a changed one re-hashes.
 */
export class ManagementAuth extends pulumi.ComponentResource {
    /** bcrypt hash of the password (a secret). */
    public readonly passwordHash: pulumi.Output<string>;
    /** The htpasswd file nginx reads (a secret). */
    public readonly htpasswd: pulumi.Output<string>;

    constructor(name: string, args: ManagementAuthArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:apps:ManagementAuth", name, {}, opts);
        const salt = new random.RandomString(
            `${name}-salt`,
            { length: 22, lower: false, upper: false, numeric: false, special: true, overrideSpecial: bcryptSaltAlphabet },
            { parent: this },
        );
        this.passwordHash = pulumi.secret(
            pulumi.all([args.password, salt.result]).apply(([password, saltText]) => bcryptHash(password, saltText)),
        );
        this.htpasswd = pulumi.secret(this.passwordHash.apply(renderHtpasswd));
        this.registerOutputs({ passwordHash: this.passwordHash, htpasswd: this.htpasswd });
    }
}
