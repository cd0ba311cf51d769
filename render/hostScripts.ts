// The scripts the HostSetup component runs over SSH, in order. Each is idempotent: a second run
// changes no file and no rule.
import { backupsDir, containerAddressPool, containerTemplates, dataRoot, dataVolume } from "../config/catalogue";
import type { Settings } from "../config/schema";
import { certbotCommand, renderCertbotCommand, renderRenewService, renderRenewTimer, renewUnit } from "./certificates";
import { blockBegin, blockEnd, renderAfter6Rules, renderAfterRules } from "./firewallRules";
import { HostScript, script } from "./shell";
import { renderSshScripts } from "./ssh";

export type { HostScript } from "./shell";

const waitForCloudInit = () =>
    script(
        "02-wait-cloud-init",
        "wait until cloud-init has installed the packages the other scripts need.",
        String.raw`
status=0
cloud-init status --wait > /dev/null || status=$?
# 0: done; 2: done with recoverable warnings (cloud-init 23.4 and later).
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
    cloud-init status --long >&2 || true
    echo "cloud-init failed (exit $status); see /var/log/cloud-init-output.log" >&2
    exit 1
fi
for tool in docker ufw openssl; do
    command -v "$tool" > /dev/null || { echo "$tool is missing: cloud-init's package step failed" >&2; exit 1; }
done
`,
    );

/** Kernel settings, persisted in sysctl.d so they hold from the next boot on, and applied now. */
export const sysctlSettings: Readonly<Record<string, string>> = {
    // Docker routes container traffic; set here too so forwarding never depends on dockerd's start.
    "net.ipv4.ip_forward": "1",
    "net.ipv4.conf.all.accept_redirects": "0",
    "net.ipv4.conf.default.accept_redirects": "0",
    "net.ipv6.conf.all.accept_redirects": "0",
    "net.ipv6.conf.default.accept_redirects": "0",
    "net.ipv4.conf.all.send_redirects": "0",
    "net.ipv4.conf.all.accept_source_route": "0",
    "net.ipv6.conf.all.accept_source_route": "0",
    "net.ipv4.tcp_syncookies": "1",
};
export const sysctlFile = "/etc/sysctl.d/60-site.conf";

const sysctl = () =>
    script(
        "10-sysctl",
        "kernel network settings, persisted for every boot.",
        `
put_file ${sysctlFile} 0644 <<'EOF' || true
${Object.entries(sysctlSettings)
    .map(([key, value]) => `${key} = ${value}`)
    .join("\n")}
EOF
sysctl -q -p ${sysctlFile}
`,
    );

export const dockerDaemonSettings = {
    // Docker keeps managing iptables (NAT for egress); the firewall filters in DOCKER-USER.
    iptables: true,
    // All container addresses come from one pool the firewall names exactly.
    bip: containerAddressPool.bridgeIp,
    "default-address-pools": [{ base: containerAddressPool.base, size: containerAddressPool.size }],
    // Published ports are reached only through iptables, never through a docker-proxy process.
    "userland-proxy": false,
    "no-new-privileges": true,
    // Containers keep running while dockerd restarts for a settings change.
    "live-restore": true,
    "log-driver": "local",
    "log-opts": { "max-size": "10m", "max-file": "3" },
};

const dockerDaemon = () =>
    script(
        "20-docker-daemon",
        "Docker daemon settings; restarts dockerd only when they change.",
        `
changed=0
put_file /etc/docker/daemon.json 0644 <<'EOF' && changed=1
${JSON.stringify(dockerDaemonSettings, null, 2)}
EOF
systemctl enable docker.service > /dev/null 2>&1
if [ "$changed" -eq 1 ] || ! systemctl is-active --quiet docker.service; then
    systemctl restart docker.service
fi
`,
    );

/** UFW rules, in the exact form `ufw show added` prints them, so existing ones can be compared. */
export function ufwRules(settings: Settings): string[] {
    return settings.adminCidrs.map((cidr) => `ufw limit from ${cidr} to any port 22 proto tcp`);
}

function managedBlock(file: string, content: string): string {
    return `
# Replace our block in ${file}, leaving the rest of the file as the package ships it.
{
    sed '/^${blockBegin}$/,/^${blockEnd}$/d' ${file}
    cat <<'EOF'
${content.trimEnd()}
EOF
} | put_file ${file} 0640 && rules_changed=1`;
}

const firewall = (settings: Settings) =>
    script(
        "30-firewall",
        "UFW with Docker: only SSH from admin ranges and the proxy's 80/443 get in.",
        `
rules_changed=0
defaults=/etc/default/ufw
set_key $defaults IPV6 yes && rules_changed=1
set_key $defaults DEFAULT_INPUT_POLICY '"DROP"' && rules_changed=1
set_key $defaults DEFAULT_OUTPUT_POLICY '"ACCEPT"' && rules_changed=1
set_key $defaults DEFAULT_FORWARD_POLICY '"DROP"' && rules_changed=1
${managedBlock("/etc/ufw/after.rules", renderAfterRules())}
${managedBlock("/etc/ufw/after6.rules", renderAfter6Rules())}

# Rules from the config; any other rule added earlier (an old admin range) is removed.
wanted=$(cat <<'EOF'
${ufwRules(settings).join("\n")}
EOF
)
current=$(ufw show added | grep '^ufw ' || true)
while IFS= read -r rule; do
    [ -n "$rule" ] || continue
    grep -qxF "$rule" <<< "$current" && continue
    read -ra words <<< "\${rule#ufw }"
    ufw "\${words[@]}" > /dev/null
    echo "added: $rule"
done <<< "$wanted"
while IFS= read -r rule; do
    [ -n "$rule" ] || continue
    grep -qxF "$rule" <<< "$wanted" && continue
    read -ra words <<< "\${rule#ufw }"
    ufw --force delete "\${words[@]}" > /dev/null
    echo "removed: $rule"
done <<< "$current"

if ! ufw status | grep -q '^Status: active'; then
    ufw --force enable
elif [ "$rules_changed" -eq 1 ]; then
    ufw reload
fi
systemctl enable ufw.service > /dev/null 2>&1
`,
    );

const dataVolumeMount = () =>
    script(
        "35-data-volume",
        "mount the block storage volume that holds all data, now and at every boot, before Docker.",
        `
mountpoint=${dataRoot}
line="LABEL=${dataVolume.label} $mountpoint ${dataVolume.filesystem} defaults,nofail,noatime,discard,x-systemd.device-timeout=60s 0 2"
if ! grep -qxF "$line" /etc/fstab; then
    { grep -v "[[:space:]]\${mountpoint}[[:space:]]" /etc/fstab || true; echo "$line"; } | put_file /etc/fstab 0644
fi
# Docker starts only once the volume is mounted: no container ever writes to the bare mount
# point on the droplet's own disk, where the data would be lost with the droplet.
put_file /etc/systemd/system/docker.service.d/data-volume.conf 0644 <<'EOF' && systemctl daemon-reload
[Unit]
RequiresMountsFor=${dataRoot}
EOF
mkdir -p "$mountpoint"
if ! mountpoint -q "$mountpoint"; then
    # The attachment can lag the droplet by a few seconds.
    for _ in $(seq 1 60); do
        blkid -L ${dataVolume.label} > /dev/null && break
        sleep 1
    done
    blkid -L ${dataVolume.label} > /dev/null || { echo "the data volume (label ${dataVolume.label}) is not attached" >&2; exit 1; }
    mount "$mountpoint"
    echo "mounted the data volume on $mountpoint"
fi
`,
    );

const dataDirectories = () =>
    script(
        "40-data-dirs",
        "data directories, each owned by the user its container runs as.",
        `
install -d -m 0700 -o 0 -g 0 ${backupsDir}
${containerTemplates
    .flatMap((container) => container.volumes)
    .map((volume) => `install -d -m 0750 -o ${volume.uid} -g ${volume.gid} ${dataRoot}/${volume.name}`)
    .join("\n")}

`,
    );

const certificates = (settings: Settings) =>
    script(
        "50-certificates",
        "the certbot command, and the systemd timer that renews the certificates twice a day.",
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
if [ "$changed" -eq 1 ]; then
    systemctl daemon-reload
fi
systemctl enable --now ${renewUnit}.timer > /dev/null 2>&1
`,
    );

/** Every host script, in run order. */
export function renderHostScripts(settings: Settings): HostScript[] {
    return [
        waitForCloudInit(),
        sysctl(),
        ...renderSshScripts(settings),
        dockerDaemon(),
        firewall(settings),
        dataVolumeMount(),
        dataDirectories(),
        certificates(settings),
    ];
}
