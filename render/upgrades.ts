// Unattended upgrades: security updates every day, and a reboot in the configured window when one
// needs it, so the host stays patched with nobody logging in.
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";

export const renderUnattendedUpgradesScript = (settings: Settings): HostScript =>
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
    );
