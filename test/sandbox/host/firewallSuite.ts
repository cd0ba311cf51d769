// The firewall suite, run once per Docker engine by test/firewall-*.sandbox.test.ts: Docker cannot
// bypass UFW, containers still reach out, and a reboot changes nothing. Proven on a real network
// stack (./sandbox.ts) with Debian's ufw, iptables and dockerd, the host scripts run exactly as
// rendered, and real connections from "the internet". Needs root.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataRoot, dataVolume, dataVolumes, network, publishedPorts, routedServices } from "../../../config/catalogue";
import { parseSettings } from "../../../config/schema";
import { renderContainers } from "../../../render/containers";
import { certbotCommand, renewUnit } from "../../../render/certificates";
import { renderHostScripts } from "../../../render/hostScripts";
import { placeholderSecrets } from "../../../render/siteFiles";
import { prodValues } from "../../harness/fixtures";
import { dockerCommand, standInPorts } from "./containers";
import { asCloudInitLeavesIt, makeKeys, runHostSetup } from "./provision";
import { addresses, DockerEngine, requireRootAndTools, Sandbox, sandboxAdminCidrs } from "./sandbox";

const settings = parseSettings({ ...prodValues(), adminCidrs: sandboxAdminCidrs });
const scripts = renderHostScripts(settings);
const containers = renderContainers(settings, placeholderSecrets(), []);

/** Host services besides sshd that must stay closed, and what a careless container publishes. */
const hostOnlyPorts = [2222, 3306];
const roguePorts = [8080, 8888];
const probedPorts = `1-1024,2222,2368,3306,8080,8081,8888,9000,9443`;

export function firewallSuite(engine: DockerEngine): void {
    const figures = { probes: 0, leaks: 0 };
    let sandbox: Sandbox;

    const keys = () => join(sandbox.work, "keys");

    const hostSetup = () => runHostSetup(sandbox.main, join(sandbox.work, "host"), join(keys(), "host-droplet"), scripts);

    /** An SSH login from the internet's admin address, pinned to the droplet's real host key. */
    function ssh(user: string, extra: string[] = [], knownHosts = join(keys(), "known_hosts")): { status: number; output: string } {
        const args = [
            ...["-i", join(keys(), "deploy"), "-b", addresses.admin.v4, "-o", `UserKnownHostsFile=${knownHosts}`],
            ...["-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", ...extra],
            `${user}@${addresses.droplet.v4}`,
            "id -un",
        ];
        try {
            return { status: 0, output: sandbox.internet(["ssh", ...args].map((a) => `'${a}'`).join(" ") + " 2>&1") };
        } catch (error) {
            const failed = error as { status: number; stdout: string; stderr: string };
            return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
        }
    }

    /** Open ports from a source, counted into the figures; a leak is an open port not expected. */
    function openPorts(source: string, target: string, expected: number[]): number[] {
        const { tried, open } = sandbox.probe(source, target, probedPorts);
        figures.probes += tried;
        figures.leaks += open.filter((port) => !expected.includes(port)).length;
        return open;
    }

    function boot(): void {
        // What systemd does at boot, in its order: the fstab mounts (the data volume), ufw.service,
        // systemd-sysctl (the network keys: the sandbox shares this machine's kernel), docker.service
        // (which requires the data volume's mount); the containers' restart policy does the rest.
        sandbox.droplet(`mount ${dataRoot}
/lib/ufw/ufw-init start quiet
cat /etc/sysctl.d/*.conf | grep -E '^\\s*net\\.' | sysctl -q -p -
systemctl start ssh.service
systemctl start docker.service`);
        waitForContainers();
    }

    function waitForContainers(): void {
        sandbox.droplet(`for _ in $(seq 1 120); do
        [ "$(docker ps -q --filter status=running | wc -l)" -ge ${containers.length + 1} ] && exit 0
        sleep 0.5
    done
    docker ps -a >&2
    exit 1`);
    }

    const containerIp = (name: string) =>
        sandbox.droplet(`docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' ${name}`).trim();

    beforeAll(() => {
        requireRootAndTools(engine);
        sandbox = new Sandbox(engine);
        sandbox.up();
        makeKeys(keys(), ["droplet"]);
        writeFileSync(
            join(keys(), "known_hosts"),
            `${addresses.droplet.v4} ${readFileSync(join(keys(), "host-droplet.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`,
        );
        asCloudInitLeavesIt(sandbox.main, settings.adminUser, keys());
        // The data volume attached, not yet mounted.
        sandbox.attachVolume(dataVolume.label);
        sandbox.buildStandInImage([...new Set(containers.map((c) => c.image))]);
        sandbox.startHostListeners(hostOnlyPorts);
    }, 180_000);

    afterAll(() => {
        if (!sandbox) return;
        console.log(`host sandbox on ${engine.name}: ${figures.probes} probes tried, ${figures.leaks} found a leak`);
        sandbox.down();
    });

    describe("before the host setup", () => {
        it("reproduces the bug: a container's published port is reachable from outside despite nothing allowing it", () => {
            sandbox.droplet("docker run -d --name before-setup -p 8080:8080 site-standin:sandbox 8080");
            const { open } = sandbox.probe(addresses.outsider.v4, addresses.droplet.v4, "8080,3306");
            expect(open).toEqual([3306, 8080]);
            sandbox.droplet("docker rm -f before-setup");
        });
    });

    describe("host setup", () => {
        it("runs every rendered host script in order", () => {
            hostSetup();
            sandbox.droplet(`docker network create --subnet ${network.subnet} ${network.name}`);
            for (const spec of containers) sandbox.droplet(dockerCommand(spec, standInPorts(spec)));
            // A container that publishes ports it should not, on IPv4 and IPv6.
            sandbox.droplet(
                `docker run -d --name rogue --restart unless-stopped ${roguePorts.map((p) => `-p 0.0.0.0:${p}:${p} -p [::]:${p}:${p}`).join(" ")} site-standin:sandbox ${roguePorts.join(" ")}`,
            );
            waitForContainers();
        }, 300_000);

        it("installs the certificate renewal as a valid systemd service and timer", () => {
            expect(
                sandbox.droplet(
                    `systemd-analyze verify /etc/systemd/system/${renewUnit}.service /etc/systemd/system/${renewUnit}.timer 2>&1`,
                ),
            ).toBe("");
            expect(sandbox.droplet(`bash -n ${certbotCommand} && test -x ${certbotCommand} && echo ok`)).toBe("ok\n");
        });

        it("mounts the data volume, and the containers' data lands on it", () => {
            expect(sandbox.droplet(`findmnt -n -o SOURCE ${dataRoot}`).trim()).toBe(sandbox.volumeDevice);
            sandbox.droplet(`docker exec site-ghost sh -c 'echo "a post" > ${dataVolumes.ghostContent.containerPath}/post.txt'`);
            expect(sandbox.droplet(`findmnt -n -o SOURCE --target ${dataRoot}/${dataVolumes.ghostContent.name}/post.txt`).trim()).toBe(
                sandbox.volumeDevice,
            );
        });

        it("lets the admin user in with the deploy key, over the pinned real host key", () => {
            expect(ssh(settings.adminUser)).toEqual({ status: 0, output: `${settings.adminUser}\n` });
            expect(sandbox.droplet("ls /etc/ssh | grep '^ssh_host_'")).toBe("ssh_host_ed25519_key\nssh_host_ed25519_key.pub\n");
        });

        it("refuses root, passwords, and a client that would accept the bootstrap key", () => {
            expect(ssh("root").output).toMatch(/Permission denied \(publickey\)/);
            expect(
                ssh(settings.adminUser, ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive"])
                    .output,
            ).toMatch(/Permission denied \(publickey\)/);
            writeFileSync(
                join(keys(), "bootstrap_hosts"),
                `${addresses.droplet.v4} ${readFileSync(join(keys(), "bootstrap.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`,
            );
            expect(ssh(settings.adminUser, [], join(keys(), "bootstrap_hosts")).output).toMatch(
                /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/,
            );
        });

        it("runs sshd with the DevSec settings it validated", () => {
            const effective = sandbox.droplet("sshd -T");
            for (const line of [
                "permitrootlogin no",
                "passwordauthentication no",
                "kbdinteractiveauthentication no",
                "x11forwarding no",
                "allowtcpforwarding no",
                "maxauthtries 3",
            ]) {
                expect(effective).toContain(`${line}\n`);
            }
        });

        it("changes no file and no rule when it runs a second time, and says nothing", () => {
            const state = () =>
                sandbox.droplet(
                    `{ iptables-save; ip6tables-save; } | grep -v '^#' | sed -E 's/\\[[0-9]+:[0-9]+\\]/[0:0]/'
    find /etc /usr/local /home /srv -xdev -type f -newer /proc/1/stat -exec sha256sum {} + 2>/dev/null | sort`,
                );
            const before = state();
            expect(hostSetup()).toBe("");
            expect(state()).toBe(before);
        }, 300_000);
    });

    function checks(): void {
        it("lets outsiders reach only the proxy's 80 and 443 over IPv4", () => {
            expect(openPorts(addresses.outsider.v4, addresses.droplet.v4, [...publishedPorts])).toEqual([...publishedPorts]);
        });

        it("lets the admin range reach SSH as well, and nothing else", () => {
            expect(openPorts(addresses.admin.v4, addresses.droplet.v4, [22, ...publishedPorts])).toEqual([22, ...publishedPorts]);
        });

        it("opens nothing to outsiders over IPv6, and only SSH to the admin range", () => {
            expect(openPorts(addresses.outsider.v6, addresses.droplet.v6, [])).toEqual([]);
            expect(openPorts(addresses.admin.v6, addresses.droplet.v6, [22])).toEqual([22]);
        });

        it("lets a container reach the SMTP server outside (egress and NAT work)", () => {
            expect(sandbox.droplet(`docker exec site-ghost nc -w 5 ${addresses.smtp} 2525 < /dev/null`)).toMatch(/^220 /);
        });

        it("lets a container resolve names through the droplet's DNS server", () => {
            expect(sandbox.droplet("docker exec site-ghost nslookup smtp.example.test")).toContain(addresses.dnsAnswer);
        });

        it("keeps containers away from the metadata service, which the host itself can reach", () => {
            const request = `printf 'GET / HTTP/1.0\\r\\n\\r\\n'`;
            expect(sandbox.droplet(`${request} | busybox nc -w 3 ${addresses.metadata} 80`)).toContain("user-data");
            expect(sandbox.droplet(`docker exec site-jupyter sh -c "${request} | nc -w 3 ${addresses.metadata} 80" || true`)).toBe("");
        });

        it("drops a neighbour that routes straight to container addresses, even to the proxy's published ports", () => {
            sandbox.internet(`ip route replace 172.30.0.0/16 via ${addresses.droplet.v4}`);
            expect(openPorts(addresses.router.v4, containerIp("site-proxy"), [])).toEqual([]);
            expect(openPorts(addresses.router.v4, containerIp("site-ghost"), [])).toEqual([]);
            expect(sandbox.droplet("iptables -S FORWARD | head -n 1; ip6tables -S FORWARD | head -n 1")).toBe(
                "-P FORWARD DROP\n-P FORWARD DROP\n",
            );
        });

        it("lets containers on the private network reach each other (proxy to ghost)", () => {
            const ghostPort = routedServices.ghost.port;
            expect(
                sandbox.droplet(`docker exec site-proxy sh -c "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ghost ${ghostPort}"`),
            ).toContain("stand-in");
        });
    }

    describe("after the host setup", checks);

    describe("after a reboot", () => {
        beforeAll(() => {
            sandbox.reboot(boot);
            sandbox.startHostListeners(hostOnlyPorts);
        }, 300_000);
        checks();

        it("still lets the admin user in over the pinned host key", () => {
            expect(ssh(settings.adminUser)).toEqual({ status: 0, output: `${settings.adminUser}\n` });
        });

        it("still has the containers' data, on the volume, which Docker waited for", () => {
            expect(sandbox.droplet(`findmnt -n -o SOURCE ${dataRoot}`).trim()).toBe(sandbox.volumeDevice);
            expect(sandbox.droplet(`docker exec site-ghost cat ${dataVolumes.ghostContent.containerPath}/post.txt`)).toBe("a post\n");
            expect(sandbox.droplet("cat /etc/systemd/system/docker.service.d/data-volume.conf")).toContain(`RequiresMountsFor=${dataRoot}`);
        });
    });

    describe("a config change", () => {
        it("removes an admin range that left the config from UFW, and keeps the others", () => {
            const changed = renderHostScripts(parseSettings({ ...prodValues(), adminCidrs: ["198.51.100.0/24", sandboxAdminCidrs[1]] }));
            const firewall = changed.find((s) => s.name === "30-firewall")!;
            const path = join(sandbox.work, "host", "30-firewall.changed.sh");
            writeFileSync(path, firewall.script);
            expect(sandbox.droplet(`bash ${path}`)).toContain(`removed: ufw limit from ${sandboxAdminCidrs[0]} to any port 22 proto tcp`);
            expect(sandbox.droplet("ufw show added").trim().split("\n").slice(1).sort()).toEqual([
                "ufw limit from 198.51.100.0/24 to any port 22 proto tcp",
                `ufw limit from ${sandboxAdminCidrs[1]} to any port 22 proto tcp`,
            ]);
            // The admin client lost SSH; the new range has it.
            expect(openPorts(addresses.admin.v4, addresses.droplet.v4, [...publishedPorts])).toEqual([...publishedPorts]);
        });
    });
}
