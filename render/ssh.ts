// SSH on the droplet: the host key Pulumi pins and the sshd settings (DevSec SSH baseline).
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";

export const hostKeyPath = "/etc/ssh/ssh_host_ed25519_key";
export const sshdDropIn = "/etc/ssh/sshd_config.d/50-site.conf";
/** The admin keys from config; the deploy key stays in authorized_keys, where cloud-init put it. */
export const adminKeysFile = ".ssh/authorized_keys.admins";

/**
 * The first script over SSH, pinned to the bootstrap host key from the user data: installs the
 * droplet's real host key (from stdin) and removes every other, so later connections, pinned to
 * the real key, never trust the key the metadata service still serves. It runs once per droplet
 * (components/hostSetup.ts): on a droplet that already has its real key the bootstrap pin would
 * not match.
 */
export function renderHostKeyScript(): HostScript {
    return script(
        "00-host-key",
        "the droplet's pinned SSH host key, read from stdin; every other host key removed.",
        `
umask 077
key=$(mktemp)
trap 'rm -f "$key"' EXIT
cat > "$key"
public=$(ssh-keygen -y -f "$key") || { echo "stdin held no private key" >&2; exit 1; }
case "$public" in
    "ssh-ed25519 "*) ;;
    *) echo "stdin held no ed25519 private key" >&2; exit 1 ;;
esac
changed=0
put_file ${hostKeyPath} 0600 < "$key" && changed=1
echo "$public" | put_file ${hostKeyPath}.pub 0644 && changed=1
for old in /etc/ssh/ssh_host_*; do
    case "$old" in
        ${hostKeyPath} | ${hostKeyPath}.pub) ;;
        *) rm -f "$old" && changed=1 && echo "removed $old" ;;
    esac
done
if [ "$changed" -eq 1 ]; then
    systemctl restart ssh.service
fi
`,
    );
}

/** sshd settings after the DevSec SSH baseline; they come first in sshd_config, so they win. */
export function renderSshdConfig(settings: Settings): string {
    return [
        "# Rendered by render/ssh.ts; do not edit.",
        `HostKey ${hostKeyPath}`,
        "HostKeyAlgorithms ssh-ed25519",
        "KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,diffie-hellman-group18-sha512",
        "Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,aes192-ctr,aes128-ctr",
        "MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com",
        "PermitRootLogin no",
        `AllowUsers ${settings.adminUser}`,
        "PubkeyAuthentication yes",
        "AuthenticationMethods publickey",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitEmptyPasswords no",
        `AuthorizedKeysFile .ssh/authorized_keys ${adminKeysFile}`,
        "StrictModes yes",
        "MaxAuthTries 3",
        "MaxSessions 10",
        "LoginGraceTime 30s",
        "ClientAliveInterval 300",
        "ClientAliveCountMax 3",
        "X11Forwarding no",
        "AllowAgentForwarding no",
        // Docker over SSH runs `docker system dial-stdio`, a command, not a forwarded socket.
        "AllowTcpForwarding no",
        "PermitTunnel no",
        "PermitUserEnvironment no",
        "UseDNS no",
        "Compression no",
        "LogLevel VERBOSE",
        "",
    ].join("\n");
}

/** sshd hardened; a configuration sshd -t refuses is never left in place. */
export const renderSshdScript = (settings: Settings): HostScript =>
    script(
        "12-ssh",
        "sshd hardened (DevSec SSH baseline); a config sshd -t refuses is never left in place.",
        `
put_file ${sshdDropIn} 0644 <<'EOF' || exit 0
${renderSshdConfig(settings).trimEnd()}
EOF
if ! sshd -t; then
    rm -f ${sshdDropIn}
    echo "sshd refused the new settings; removed them" >&2
    exit 1
fi
systemctl reload ssh.service
`,
    );
