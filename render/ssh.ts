// SSH on the droplet: the host key Pulumi pins, the sshd settings (DevSec SSH baseline), the admin
// user and the rest of the hands-off host (unattended upgrades, fail2ban).
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

const shellOf = (settings: Settings) => (settings.adminShell === "zsh" ? "/usr/bin/zsh" : "/bin/bash");

export function renderSshScripts(settings: Settings): HostScript[] {
    const user = settings.adminUser;
    const home = `/home/${user}`;
    const insults = "/etc/sudoers.d/50-site-insults";
    return [
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
        ),
        script(
            "14-admin-user",
            `the admin user ${user}: its SSH keys from config, Docker access, shell and sudo niceties.`,
            `
install -d -m 0700 -o ${user} -g ${user} ${home}/.ssh
put_file ${home}/${adminKeysFile} 0600 <<'EOF' || true
${settings.sshPublicKeys.join("\n")}
EOF
chown ${user}:${user} ${home}/${adminKeysFile}
# Docker over SSH logs in as this user: the docker group is what lets it reach dockerd.
id -nG ${user} | grep -qw docker || usermod -aG docker ${user}
${settings.adminShell === "zsh" ? "command -v zsh > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh > /dev/null\n" : ""}[ "$(getent passwd ${user} | cut -d: -f7)" = ${shellOf(settings)} ] || usermod -s ${shellOf(settings)} ${user}
${
    settings.sudoInsults
        ? `put_file ${insults} 0440 <<'EOF' || true
Defaults insults
EOF
visudo -cqf ${insults} || { rm -f ${insults}; exit 1; }`
        : `rm -f ${insults}`
}
`,
        ),
        script(
            "16-unattended-upgrades",
            `security updates every day, with a reboot at ${settings.upgradeRebootTime} UTC when one needs it.`,
            `
put_file /etc/apt/apt.conf.d/20auto-upgrades 0644 <<'EOF' || true
APT::Periodic::Update-Package-Lists "1";
APT::Periodic::Unattended-Upgrade "1";
EOF
put_file /etc/apt/apt.conf.d/52site-unattended-upgrades 0644 <<'EOF' || true
Unattended-Upgrade::Automatic-Reboot "true";
Unattended-Upgrade::Automatic-Reboot-Time "${settings.upgradeRebootTime}";
Unattended-Upgrade::Remove-Unused-Dependencies "true";
EOF
`,
        ),
        script(
            "18-fail2ban",
            "fail2ban bans addresses that keep failing SSH logins.",
            `
put_file /etc/fail2ban/jail.d/50-site.conf 0644 <<'EOF' && systemctl restart fail2ban.service
[sshd]
enabled = true
backend = systemd
maxretry = 5
findtime = 10m
bantime = 1h
EOF
systemctl enable --now fail2ban.service > /dev/null 2>&1
`,
        ),
    ];
}
