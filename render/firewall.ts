// The host firewall: UFW for the host itself, and the rules for the Docker/UFW interplay rendered
// into UFW's after.rules files.
//
// Why this exists: Docker publishes a container port with a DNAT rule in nat/PREROUTING, so the
// packet is routed to the container through the FORWARD chain and never meets UFW's INPUT rules:
// `ufw deny 8080` does nothing for a container that publishes 8080. Turning Docker's iptables off
// closes those ports but also cuts containers off from the outside (no NAT), and setting the
// FORWARD policy to ACCEPT opens every container to anyone who can route to the droplet.
//
// What we do instead (the ufw-docker approach, tightened): keep Docker's own iptables, and filter
// in DOCKER-USER, the chain Docker jumps to first in FORWARD and never rewrites. Rules there see
// packets after DNAT, so "the visitor asked for port 443" is matched with conntrack's original
// destination port, and `--ctstate DNAT` makes sure the packet really came through a published
// port (a neighbour routing straight to a container address gets no DNAT and is dropped).
// Container traffic is recognised by Docker's own address pool, not by all private ranges (which
// would include DigitalOcean's VPC). UFW loads these rules at boot, before dockerd starts, so they
// hold after a reboot or a snapshot restore; declaring the chain in the file makes `ufw reload`
// replace its rules instead of appending copies.
import { containerAddressPool, metadataAddress, publishedPorts } from "../config/catalogue";
import type { Settings } from "../config/schema";
import { HostScript, script } from "./shell";

const blockBegin = "# BEGIN site docker-ufw rules (rendered from the stack config, do not edit)";
const blockEnd = "# END site";

/** Chain that logs (rate limited) and drops what DOCKER-USER refuses. */
const denyChain = "site-docker-deny";

/**
 * One after.rules block: replies pass, then `rules`, then everything else is logged and dropped.
 * UFW loads after.rules before user.rules, so the block declares the chain that UFW's route
 * rules go into (`userForwardChain`) for its jump to work.
 */
function block(userForwardChain: string, rules: string[]): string {
    return [
        blockBegin,
        "*filter",
        `:${userForwardChain} - [0:0]`,
        ":DOCKER-USER - [0:0]",
        `:${denyChain} - [0:0]`,
        "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
        ...rules,
        `-A DOCKER-USER -j ${denyChain}`,
        `-A ${denyChain} -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW DOCKER BLOCK] "`,
        `-A ${denyChain} -j DROP`,
        "COMMIT",
        blockEnd,
        "",
    ].join("\n");
}

/** The IPv4 block appended to /etc/ufw/after.rules. */
export function renderAfterRules(): string {
    const pool = containerAddressPool.base;
    return block("ufw-user-forward", [
        // Jupyter runs arbitrary code; the metadata service would hand it the droplet's user data.
        `-A DOCKER-USER -s ${pool} -d ${metadataAddress}/32 -j ${denyChain}`,
        // Containers reach the outside world (Ghost's SMTP, package installs) and each other.
        `-A DOCKER-USER -s ${pool} -j RETURN`,
        // Room for `ufw route allow ...` rules an admin adds by hand.
        "-A DOCKER-USER -j ufw-user-forward",
        ...publishedPorts.map((port) => `-A DOCKER-USER -d ${pool} -p tcp -m conntrack --ctstate DNAT --ctorigdstport ${port} -j RETURN`),
    ]);
}

/**
 * The IPv6 block for /etc/ufw/after6.rules. Containers have no IPv6 addresses, so nothing new is
 * forwarded to them over IPv6; the chain exists even where Docker does not manage ip6tables
 * (libnetwork#2660), so the rule holds on every Docker version.
 */
export function renderAfter6Rules(): string {
    return block("ufw6-user-forward", ["-A DOCKER-USER -j ufw6-user-forward"]);
}

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

export const renderFirewallScript = (settings: Settings): HostScript =>
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
