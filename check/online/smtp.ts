// Online check 5: does the mail server answer and offer TLS (STARTTLS, or implicit TLS on port 465)
// with a valid certificate for its name? Ghost sends sign-in links, invitations and newsletters
// through it, and the site requires TLS.
import { lookup } from "node:dns/promises";
import { createTransport } from "nodemailer";
import { project } from "../../config/schema";
import type { Finding } from "../finding";
import { Context, info, message, oneLine } from "./context";

interface MailError {
    code?: string;
    command?: string;
    message: string;
}

export async function smtpCheck({ settings, smtpCa, timeoutMs }: Context): Promise<Finding[]> {
    const { smtpHost: host, smtpPort: port } = settings;
    const subject = `${project}:smtpHost`;
    const where = `${host}:${port}`;
    const tlsKind = port === 465 ? "implicit TLS" : "STARTTLS";
    // The system resolver (which reads /etc/hosts), not nodemailer's own DNS queries; the
    // certificate is still checked against the host name.
    let addresses: string[];
    try {
        addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch (error) {
        return [
            {
                severity: "blocker",
                subject,
                what: `the mail server's name ${host} does not resolve: ${message(error)}`,
                why: "Ghost sends sign-in links, invitations and newsletters through it",
                fix: `pulumi config set ${project}:smtpHost <your provider's SMTP host, e.g. smtp.mailgun.org>`,
            },
        ];
    }
    let failure: MailError | undefined;
    for (const address of addresses) {
        const transport = createTransport({
            host: address,
            port,
            secure: port === 465,
            requireTLS: port !== 465,
            tls: { ca: smtpCa, servername: host },
            connectionTimeout: timeoutMs,
            greetingTimeout: timeoutMs,
            socketTimeout: timeoutMs,
        });
        try {
            await transport.verify();
            return [
                info(
                    subject,
                    `the mail server ${where} answers and offers ${tlsKind} with a valid certificate for ${host} (the SMTP password was not checked: it is an encrypted secret)`,
                    "Ghost sends sign-in links, invitations and newsletters through it, over TLS",
                ),
            ];
        } catch (error) {
            failure = { ...(error as MailError), message: oneLine((error as MailError).message) };
            // Another address of the name may answer; only a connection that never started moves on.
            if (classify(failure) !== "unreachable") break;
        } finally {
            transport.close();
        }
    }
    return [smtpFailure(failure ?? { message: "no address" }, host, where, tlsKind)];
}

/** What went wrong with the mail server: its certificate, its TLS, or reaching it at all. */
function classify(error: MailError): "certificate" | "tls" | "unreachable" {
    if (/certificate|self[- ]signed|altnames|unable to verify|CERT_/i.test(error.message)) return "certificate";
    // ETLS: STARTTLS refused or the handshake failed; a plain-text server on 465 fails the handshake as a socket error.
    if (error.code === "ETLS" || /wrong version number|packet length too long|SSL routines|handshake/i.test(error.message)) return "tls";
    return "unreachable";
}

function smtpFailure(error: MailError, host: string, where: string, tlsKind: string): Finding {
    const subject = `${project}:smtpHost`;
    const why = "Ghost sends sign-in links, invitations and newsletters through it; the site requires TLS (requireTLS), so mail would fail";
    const kind = classify(error);
    if (kind === "certificate") {
        return {
            severity: "blocker",
            subject,
            what: `the mail server ${where} offers ${tlsKind} but its certificate is not valid for ${host}: ${error.message}`,
            why,
            fix: `use the host name your provider's certificate names (pulumi config set ${project}:smtpHost <host>), or ask the provider to fix the certificate`,
        };
    }
    if (kind === "tls") {
        return {
            severity: "blocker",
            subject,
            what: `the mail server ${where} answers but does not offer ${tlsKind} (${error.message})`,
            why,
            fix: `use the provider's STARTTLS port: pulumi config set ${project}:smtpPort 587 (or 2525; or 465 for implicit TLS)`,
        };
    }
    return {
        severity: "blocker",
        subject,
        what: `the mail server ${where} cannot be reached: ${error.message}${error.code ? ` (${error.code})` : ""}`,
        why: `${why}. DigitalOcean blocks outgoing port 25 on new accounts, and some networks block other mail ports`,
        fix: `pulumi config set ${project}:smtpPort 2525 (or 587, whichever your provider offers), or check ${project}:smtpHost`,
    };
}
