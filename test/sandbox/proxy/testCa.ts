// A certificate authority made for the test, and an ECDSA certificate per host signed by it, in
// the layout certbot leaves under /etc/letsencrypt/live/.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });

/** Writes live/<host>/{fullchain,privkey}.pem under `dir` and returns the CA certificate (PEM). */
export function makeCertificates(dir: string, hostnames: readonly string[]): string {
    mkdirSync(dir, { recursive: true });
    openssl(
        [
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=site test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
        dir,
    );
    for (const host of hostnames) {
        const live = join(dir, "live", host);
        mkdirSync(live, { recursive: true });
        openssl(
            [
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-subj",
                `/CN=${host}`,
                "-keyout",
                join(live, "privkey.pem"),
                "-out",
                "leaf.csr",
            ],
            dir,
        );
        writeFileSync(join(dir, "leaf.ext"), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
        openssl(
            [
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "leaf.ext",
                "-out",
                "leaf.pem",
            ],
            dir,
        );
        writeFileSync(join(live, "fullchain.pem"), readFileSync(join(dir, "leaf.pem")));
    }
    return readFileSync(join(dir, "ca.pem"), "utf8");
}
