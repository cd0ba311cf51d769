// fail2ban: addresses that keep failing SSH logins are banned for an hour.
import { HostScript, script } from "./shell";

export const renderFail2banScript = (): HostScript =>
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
    );
