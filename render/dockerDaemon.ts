// Docker's daemon settings: its own iptables kept (containers reach out through its NAT), every
// address from one pool the firewall names, no userland proxy, containers kept through restarts.
import { containerAddressPool } from "../config/catalogue";
import { HostScript, script } from "./shell";

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

export const renderDockerDaemonScript = (): HostScript =>
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
