import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GeneratedSecretName, generatedSecretNames } from "../config/schema";

export interface GeneratedSecretsArgs {
    /** The values the stack sets itself (Pulumi secrets); those are used as they are. */
    readonly given: Readonly<Partial<Record<GeneratedSecretName, pulumi.Output<string>>>>;
    /**
     * The declared apps with a database, by app name: the password the stack gives
     * (`site:apps.<name>.database.passwordSecret`), or undefined for one made here.
     */
    readonly appDatabases?: Readonly<Record<string, pulumi.Output<string> | undefined>>;
}

/**
 * The passwords nobody has to invent: MySQL's, Jupyter's token and the management login's, made
 * once by @pulumi/random and kept in state as secrets, unless the stack sets one. A value set in
 * the stack always wins, so a stack that set them before keeps them. MySQL and Portainer read their
 * password only on their first start and keep it on the data volume: a restore into a new stack
 * must set the old values (docs/operations.md, "Restore into a new stack").
 */
export class GeneratedSecrets extends pulumi.ComponentResource {
    /** Every generated secret: the stack's value where it set one, else the random one. */
    public readonly values: Readonly<Record<GeneratedSecretName, pulumi.Output<string>>>;
    /** Each declared app's database password, by app name: the stack's, else the random one. */
    public readonly appDatabasePasswords: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: GeneratedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:secrets:GeneratedSecrets", name, {}, opts);
        const made = (secret: string): pulumi.Output<string> =>
            // Letters and digits only: they go into env files, URLs and htpasswd without quoting.
            new random.RandomPassword(`${name}-${secret}`, { length: 32, special: false }, { parent: this }).result;
        this.values = Object.fromEntries(generatedSecretNames.map((secret) => [secret, args.given[secret] ?? made(secret)])) as Record<
            GeneratedSecretName,
            pulumi.Output<string>
        >;
        // Named after the app: removing one app from the config removes its password (not its database) only.
        this.appDatabasePasswords = Object.fromEntries(
            Object.entries(args.appDatabases ?? {}).map(([app, given]) => [app, given ?? pulumi.secret(made(`app-${app}-mysqlPassword`))]),
        );
        this.registerOutputs({});
    }
}
