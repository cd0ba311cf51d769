// Kernel network settings: forwarding for Docker, no redirects or source routing, SYN cookies.
import { HostScript, script } from "./shell";

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

export const renderSysctlScript = (): HostScript =>
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
