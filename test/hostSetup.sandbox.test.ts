// The host scripts on a real network stack: Debian's ufw and iptables in a network namespace
// standing in for the droplet, /etc a copy-on-write overlay (test/sandbox/droplet.sh). Needs root.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSettings } from "../config/schema";
import { renderHostScripts } from "../render/hostScripts";
import { prodValues, repoRoot } from "./fixtures";
import { requireTool } from "./tools";

const netns = `site-test-${process.pid}`;
let work: string;

function droplet(command: string): string {
    return execFileSync(join(repoRoot, "test/sandbox/droplet.sh"), [netns, join(work, "state"), "bash", "-c", command], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** Writes the scripts for `adminCidrs` and runs those named, returning what they printed. */
function runScripts(names: string[], adminCidrs?: string[]): string {
    const values = prodValues();
    if (adminCidrs) values.adminCidrs = adminCidrs;
    const paths = renderHostScripts(parseSettings(values))
        .filter((s) => names.includes(s.name))
        .map((s) => {
            const path = join(work, `${s.name}.sh`);
            writeFileSync(path, s.script);
            return path;
        });
    return droplet(paths.map((p) => `bash ${p}`).join(" && "));
}

const firewallState = () =>
    droplet("iptables-save; ip6tables-save; ufw show added; find /etc -newer /proc/1 -type f -exec sha256sum {} + | sort")
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .join("\n");

beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error("the host sandbox tests need root (network namespaces, iptables, mounts)");
    requireTool("ufw", "ufw");
    requireTool("iptables", "iptables");
    requireTool("ip", "iproute2");
    work = mkdtempSync(join(tmpdir(), "site-droplet-"));
    execFileSync("ip", ["netns", "add", netns]);
});

afterAll(() => {
    try {
        execFileSync("ip", ["netns", "del", netns], { stdio: "ignore" });
    } finally {
        if (work) rmSync(work, { recursive: true, force: true });
    }
});

const setup = ["10-sysctl", "30-firewall"];

it("applies the kernel settings and turns UFW on with SSH limited to the admin ranges", () => {
    runScripts(setup);
    expect(droplet("sysctl -n net.ipv4.ip_forward").trim()).toBe("1");
    const status = droplet("ufw status");
    expect(status).toMatch(/^Status: active/);
    expect(status).toMatch(/22\/tcp\s+LIMIT\s+203\.0\.113\.0\/24/);
    expect(status).toMatch(/22\/tcp \(v6\)\s+LIMIT\s+2001:db8::\/32|22\/tcp\s+LIMIT\s+2001:db8::\/32/);
});

it("loads the DOCKER-USER rules through UFW, for IPv4 and IPv6", () => {
    const v4 = droplet("iptables -S DOCKER-USER");
    expect(v4).toContain("-A DOCKER-USER -d 172.30.0.0/16 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 443 -j RETURN");
    expect(v4.trim().split("\n").pop()).toBe("-A DOCKER-USER -j site-docker-deny");
    expect(droplet("ip6tables -S DOCKER-USER").trim().split("\n").pop()).toBe("-A DOCKER-USER -j site-docker-deny");
});

it("changes no file and no rule when run a second time, and says nothing", () => {
    const before = firewallState();
    expect(runScripts(setup)).toBe("");
    expect(firewallState()).toBe(before);
});

it("removes an admin range that left the config, and keeps the others", () => {
    const output = runScripts(setup, ["198.51.100.0/24", "2001:db8::/32"]);
    expect(output).toContain("removed: ufw limit from 203.0.113.0/24 to any port 22 proto tcp");
    expect(droplet("ufw show added").trim().split("\n").slice(1).sort()).toEqual([
        "ufw limit from 198.51.100.0/24 to any port 22 proto tcp",
        "ufw limit from 2001:db8::/32 to any port 22 proto tcp",
    ]);
});
