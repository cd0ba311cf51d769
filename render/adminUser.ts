// The admin user, the only login: its SSH keys from config, Docker access, its shell and sudo.
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";
import { adminKeysFile } from "./ssh";

const shellOf = (settings: Settings) => (settings.adminShell === "zsh" ? "/usr/bin/zsh" : "/bin/bash");
const insults = "/etc/sudoers.d/50-site-insults";

export function renderAdminUserScript(settings: Settings): HostScript {
    const user = settings.adminUser;
    const home = `/home/${user}`;
    return script(
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
    );
}
