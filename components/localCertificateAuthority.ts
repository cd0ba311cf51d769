import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { LocalCertificate } from "../render/localPlacement";

export interface LocalCertificateAuthorityArgs {
    /** The hosts to certify, all under localhost. */
    readonly hostnames: readonly string[];
}

/**
 * The local target's certificate authority, made for this machine and kept in the stack's state,
 * and a certificate from it for every host: trust the CA once (README) and every host is valid.
 */
export class LocalCertificateAuthority extends pulumi.ComponentResource {
    /** The CA certificate (PEM) to trust in a browser or pass to curl --cacert. */
    public readonly caCertificate: pulumi.Output<string>;
    /** Each host's certificate chain and key (the key a secret), as the proxy reads them. */
    public readonly certificates: Record<string, LocalCertificate<pulumi.Output<string>>>;

    constructor(name: string, args: LocalCertificateAuthorityArgs, opts?: pulumi.ComponentResourceOptions) {
        // Registered as site:local:Engine until the type token took the class's name.
        super("site:local:CertificateAuthority", name, {}, pulumi.mergeOptions(opts, { aliases: [{ type: "site:local:Engine" }] }));
        const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        const ca = new tls.SelfSignedCert(
            `${name}-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                isCaCertificate: true,
                subject: { commonName: "site local CA", organization: "site (local target)" },
                validityPeriodHours: 24 * 365,
                allowedUses: ["cert_signing", "crl_signing"],
            },
            { parent: this },
        );
        this.certificates = Object.fromEntries(
            args.hostnames.map((hostname) => {
                const key = new tls.PrivateKey(`${name}-${hostname}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
                const request = new tls.CertRequest(
                    `${name}-${hostname}-csr`,
                    { privateKeyPem: key.privateKeyPem, dnsNames: [hostname], subject: { commonName: hostname } },
                    { parent: this },
                );
                const certificate = new tls.LocallySignedCert(
                    `${name}-${hostname}-cert`,
                    {
                        certRequestPem: request.certRequestPem,
                        caPrivateKeyPem: caKey.privateKeyPem,
                        caCertPem: ca.certPem,
                        validityPeriodHours: 24 * 90,
                        earlyRenewalHours: 24 * 30,
                        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
                    },
                    { parent: this },
                );
                return [
                    hostname,
                    { fullchain: pulumi.interpolate`${certificate.certPem}${ca.certPem}`, privkey: pulumi.secret(key.privateKeyPem) },
                ];
            }),
        );
        this.caCertificate = ca.certPem;
        this.registerOutputs({ caCertificate: this.caCertificate });
    }
}
