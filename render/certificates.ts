// Certificates: Let's Encrypt, by DNS-01 challenge through Cloudflare's API, with certbot in a
// container on the host.
//
// Why this design: every host gets a browser-trusted certificate whether Cloudflare proxies it or
// not (DNS-only hosts are reached directly by browsers), Cloudflare can run in Full (strict) mode,
// and the challenge needs neither port 80 nor the DNS record pointing anywhere yet. Certbot issues
// at deploy time (the Certificates component runs `site-certbot issue` before the proxy starts) and
// renews from a systemd timer twice a day, reloading nginx when anything was renewed. Nobody has
// to do anything. The token on the droplet may only edit this zone's DNS.
import { certbot, containerName, dataRoot, proxy } from "../config/catalogue";
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";

export const certbotCommand = "/usr/local/sbin/site-certbot";
export const renewUnit = "site-certbot-renew";
const letsencryptDir = `${dataRoot}/${certbot.volume.name}`;

/** The command both issuing and renewing run; `npm run render` shows it inside 50-certificates.sh. */
export function renderCertbotCommand(settings: Settings): string {
    const hosts = settings.routed.map(({ name }) => settings.services[name].hostname);
    const account = settings.acmeEmail ? `--email ${settings.acmeEmail} --no-eff-email` : "--register-unsafely-without-email";
    return `#!/usr/bin/env bash
# site-certbot issue|renew: the site's Let's Encrypt certificates, by DNS-01 challenge.
# Rendered by render/certificates.ts; installed by the host setup.
set -euo pipefail
certbot() {
    docker run --rm \\
        -v ${letsencryptDir}:${certbot.volume.containerPath} \\
        -v ${certbot.credentialsFile}:/run/secrets/cloudflare.ini:ro \\
        ${settings[certbot.imageKey]} "$@"
}
common=(--non-interactive --agree-tos ${account}${settings.acmeStaging ? " --staging" : ""}
    --dns-cloudflare --dns-cloudflare-credentials /run/secrets/cloudflare.ini
    --dns-cloudflare-propagation-seconds 30 --key-type ecdsa)
case "\${1:-}" in
    issue)
        for host in ${hosts.join(" ")}; do
            certbot certonly "\${common[@]}" --keep-until-expiring --cert-name "$host" -d "$host"
        done
        ;;
    renew)
        flag=${letsencryptDir}/.renewed
        rm -f "$flag"
        certbot renew --non-interactive --deploy-hook "touch ${certbot.volume.containerPath}/.renewed"
        if [ -e "$flag" ]; then
            rm -f "$flag"
            # nginx re-reads its certificates on HUP, without dropping connections.
            docker kill --signal HUP ${containerName(proxy)} > /dev/null
            echo "certificates renewed; proxy reloaded"
        fi
        ;;
    *)
        echo "usage: site-certbot issue|renew" >&2
        exit 2
        ;;
esac
`;
}

export function renderRenewService(): string {
    return `[Unit]
Description=Renew the site's Let's Encrypt certificates
Requires=docker.service
After=docker.service network-online.target
Wants=network-online.target
# A failed renewal is said at error priority, under its own tag: journalctl -t ${renewFailureTag}.
OnFailure=${renewFailureUnit}.service

[Service]
Type=oneshot
ExecStart=${certbotCommand} renew
`;
}

/** The journal tag a failed renewal is logged under: `journalctl -t site-certificates -p err`. */
export const renewFailureTag = "site-certificates";
export const renewFailureUnit = `${renewUnit}-failed`;

/**
 * What systemd starts when the renewal fails: one line at error priority naming the unit and where
 * its own output is. Certbot renews 30 days before expiry and the timer tries twice a day, so a
 * failure has weeks of retries behind it; this line is what an alert or a person looks for.
 */
export function renderRenewFailureService(): string {
    return `[Unit]
Description=Log that the certificate renewal failed

[Service]
Type=oneshot
ExecStart=logger -p daemon.err -t ${renewFailureTag} "${renewUnit}.service failed: the site's certificates were not renewed. Its output: journalctl -u ${renewUnit}.service"
`;
}

export function renderRenewTimer(): string {
    return `[Unit]
Description=Renew the site's certificates twice a day

[Timer]
OnCalendar=*-*-* 04,16:00:00
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
`;
}

/**
 * The Certificates component's commands, after the host setup: put the DNS token on the host (it
 * arrives on stdin, so it never appears in a command line, the user data or a log), then issue.
 */
export function renderCertificateScripts(): [HostScript, HostScript] {
    return [
        script(
            "60-acme-credentials",
            "the Cloudflare DNS token for certbot, from stdin, readable by root only.",
            `
umask 077
install -d -m 0700 "$(dirname ${certbot.credentialsFile})"
tmp=$(mktemp "${certbot.credentialsFile}.XXXXXX")
cat > "$tmp"
grep -q '^dns_cloudflare_api_token = .' "$tmp" || { rm -f "$tmp"; echo "no token on stdin" >&2; exit 1; }
if cmp -s "$tmp" ${certbot.credentialsFile}; then rm -f "$tmp"; else mv "$tmp" ${certbot.credentialsFile}; fi
`,
        ),
        script("70-certificates", "a certificate for every host that lacks a valid one.", certbotCommand + " issue"),
    ];
}

/** The credentials file's content; only ever built inside `.apply` from the secret. */
export const renderCredentials = (token: string) => `dns_cloudflare_api_token = ${token}\n`;

/** The host setup's part: the certbot command, and the timer that renews twice a day. */
export const renderCertbotInstallScript = (settings: Settings): HostScript =>
    script(
        "50-certificates",
        "the certbot command, the systemd timer that renews the certificates twice a day, and the unit that logs a failed renewal.",
        `
changed=0
put_file ${certbotCommand} 0755 <<'EOF' || true
${renderCertbotCommand(settings).trimEnd()}
EOF
put_file /etc/systemd/system/${renewUnit}.service 0644 <<'EOF' && changed=1
${renderRenewService().trimEnd()}
EOF
put_file /etc/systemd/system/${renewUnit}.timer 0644 <<'EOF' && changed=1
${renderRenewTimer().trimEnd()}
EOF
put_file /etc/systemd/system/${renewFailureUnit}.service 0644 <<'EOF' && changed=1
${renderRenewFailureService().trimEnd()}
EOF
if [ "$changed" -eq 1 ]; then
    systemctl daemon-reload
fi
systemctl enable --now ${renewUnit}.timer > /dev/null 2>&1
`,
    );
