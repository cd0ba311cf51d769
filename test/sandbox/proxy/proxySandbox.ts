// The real nginx (Debian sid's 1.30, unpacked by test/sandbox/fetch-debian.sh with the libraries it
// links, and run by sid's own dynamic loader: its OpenSSL 3.6 is newer than this machine's) running
// the rendered configuration byte for byte, on a network of two namespaces this sandbox makes,
// joined by a veth pair whose both ends stay inside them; this machine's own network is never touched.
//   proxy namespace     203.0.113.2   nginx ("the droplet"), in a mount namespace whose /etc and
//                                     /var are copy-on-write overlays holding the rendered
//                                     /etc/nginx and the certificates, and whose /srv holds the
//                                     site-health folder, mounted read-only as in the container
//                       127.0.0.11    Docker's DNS, as the rendered resolver names it: Debian's
//                                     dnsmasq, answering the upstream names with the visitors'
//                                     side (they are in no /etc/hosts: nginx finds them by DNS)
//   visitors namespace  203.0.113.1   a visitor that is not Cloudflare, and the upstreams' address
//                       203.0.113.3   another visitor (the brute-force test uses it alone)
//                       198.51.100.7  a visitor standing in for Cloudflare (the tests render with
//                                     198.51.100.0/24 as Cloudflare's ranges)
// The tests run in this machine's network, so they reach in through socat relays on Unix sockets
// in the sandbox's folder (a socket file is reachable from any network namespace):
// - visitor relays, one per visitor address and port, each connection leaving from that address;
// - upstream relays, on the upstreams' address and ports, each to a stand-in's Unix socket.
// Each relay makes one connection per connection it takes, so connection counts (keepalive) hold.
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { stopProcess } from "../stopProcess";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tls from "node:tls";
import * as net from "node:net";
import { siteHealth } from "../../../config/catalogue";
import { dockerResolver } from "../../../render/nginx";

export const nginxRoot = "/var/cache/site-sandbox/nginx-sid";
/** sid's nginx and every library it links (the loader's too), as .ci/run fetches them. */
export const nginxPackages = "nginx nginx-common libc6 libcrypt1 libpcre2-8-0 libssl3t64 libzstd1 zlib1g libgcc-s1";
const nginxLibraries = join(nginxRoot, "usr/lib/x86_64-linux-gnu");
/** sid's nginx as this machine runs it: by sid's dynamic loader, with sid's libraries only. */
export const nginxCommand = [
    join(nginxLibraries, "ld-linux-x86-64.so.2"),
    "--library-path",
    nginxLibraries,
    join(nginxRoot, "usr/sbin/nginx"),
] as const;
export const proxyAddress = "203.0.113.2";
export const visitors = { direct: "203.0.113.1", attacker: "203.0.113.3", cloudflare: "198.51.100.7" } as const;
export const upstreamAddress = visitors.direct;
export const cloudflareStandIn = "198.51.100.0/24";
/** The ports visitors reach nginx on. */
export const proxyPorts = [80, 443] as const;

/** The version line of the nginx the sandboxes run ("nginx version: nginx/1.30.6"). */
export function nginxVersion(): string {
    return execFileSync("sh", ["-c", `${nginxCommand.join(" ")} -v 2>&1`], { encoding: "utf8" }).trim();
}

export function requireNginx(): void {
    if (process.getuid?.() !== 0) throw new Error("the proxy tests need root (network namespaces and mounts): run them as root");
    try {
        execFileSync(nginxCommand[0], [...nginxCommand.slice(1), "-v"], { stdio: "ignore" });
        execFileSync("sh", ["-c", "command -v openssl && command -v ip && command -v unshare && command -v socat && command -v dnsmasq"], {
            stdio: "ignore",
        });
    } catch {
        throw new Error(
            `nginx 1.30 is not unpacked in ${nginxRoot}, or openssl/iproute2/util-linux/socat/dnsmasq are missing; get them with: bash test/sandbox/fetch-debian.sh sid ${nginxRoot} ${nginxPackages} && apt-get install -y openssl iproute2 util-linux socat dnsmasq-base (.ci/run does)`,
        );
    }
}

export class ProxySandbox {
    readonly work = mkdtempSync(join(tmpdir(), "site-proxy-"));
    /** Sandboxes made by this process so far: each gets namespaces of its own, so two can run side by side. */
    private static made = 0;
    private readonly id = `p${process.pid % 100000}${ProxySandbox.made++ || ""}`;
    readonly proxyNs = `${this.id}-proxy`;
    readonly visitorsNs = `${this.id}-visitors`;
    private readonly sockets = join(this.work, "sockets");
    private nginx?: ChildProcess;
    private dns?: ChildProcess;
    private readonly relays: ChildProcess[] = [];
    /** What the proxy container mounts read-only at /srv/site-health: the host keeps the file `ok` there. */
    private readonly siteHealthDir = join(this.work, "site-health");
    /** Every query the sandbox's DNS server answered, one line each. */
    private readonly dnsLog = join(this.work, "dns.log");

    /** The host's verdict: the file the proxy serves for the uptime checks, there or not. */
    setSiteHealthy(healthy: boolean): void {
        const file = join(this.siteHealthDir, siteHealth.file);
        if (healthy) writeFileSync(file, "ok\n");
        else rmSync(file, { force: true });
    }

    /** The names nginx asked the sandbox's DNS server for, so far. */
    dnsQueries(): string[] {
        const log = existsSync(this.dnsLog) ? readFileSync(this.dnsLog, "utf8") : "";
        return [...log.matchAll(/query\[A\] (\S+) from/g)].map((match) => match[1]);
    }

    /** The Unix socket whose connections reach nginx's `port` from visitor address `from`. */
    socketPath(from: string, port: number): string {
        return join(this.sockets, `${from}-${port}.sock`);
    }

    /** The Unix socket a stand-in upstream listens on, behind its name's relay. */
    upstreamSocket(name: string): string {
        return join(this.sockets, `upstream-${name}.sock`);
    }

    /**
     * @param nginxFiles rendered files by path under /etc/nginx
     * @param certificates a folder laid out like /etc/letsencrypt
     * @param upstreams the upstream names nginx proxies to, which the sandbox's DNS maps to the visitors' side,
     *   each with the port a relay serves it on from `upstreamSocket(name)`, or "own" where the test
     *   runs the upstream in the visitors' namespace itself (`visitorsPrefix`)
     */
    up(nginxFiles: Readonly<Record<string, string>>, certificates: string, upstreams: Readonly<Record<string, number | "own">>): void {
        const etc = join(this.work, "nginx");
        // The image's own files beside ours, as in the nginx container (mime.types).
        cpSync(join(nginxRoot, "etc/nginx/mime.types"), join(etc, "mime.types"), { recursive: true });
        for (const [path, content] of Object.entries(nginxFiles)) {
            mkdirSync(dirname(join(etc, path)), { recursive: true });
            writeFileSync(join(etc, path), content);
        }
        // The upstream names are in no hosts file: nginx must ask the resolver the configuration names.
        writeFileSync(join(this.work, "hosts"), "127.0.0.1 localhost\n");
        mkdirSync(this.sockets, { mode: 0o700 });
        mkdirSync(this.siteHealthDir);

        // Both namespaces, and the cable between them created inside them: one end in each.
        execFileSync("ip", ["netns", "add", this.proxyNs]);
        execFileSync("ip", ["netns", "add", this.visitorsNs]);
        const ip = (ns: string, ...args: string[]) => execFileSync("ip", ["-n", ns, ...args]);
        ip(this.visitorsNs, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", this.proxyNs);
        for (const ns of [this.proxyNs, this.visitorsNs]) {
            ip(ns, "link", "set", "lo", "up");
            ip(ns, "link", "set", "eth0", "up");
        }
        ip(this.proxyNs, "addr", "add", `${proxyAddress}/24`, "dev", "eth0");
        ip(this.proxyNs, "route", "add", `${visitors.cloudflare}/32`, "via", visitors.direct);
        for (const address of [`${visitors.direct}/24`, `${visitors.attacker}/24`, `${visitors.cloudflare}/32`]) {
            ip(this.visitorsNs, "addr", "add", address, "dev", "eth0");
        }

        // Docker's DNS, where the configuration looks for it (in the proxy's namespace, on its loopback).
        ip(this.proxyNs, "addr", "add", `${dockerResolver}/32`, "dev", "lo");
        this.dns = spawn(
            "ip",
            [
                "netns",
                "exec",
                this.proxyNs,
                "dnsmasq",
                "--keep-in-foreground",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--user=root",
                "--pid-file=",
                `--listen-address=${dockerResolver}`,
                "--bind-interfaces",
                ...Object.keys(upstreams).map((name) => `--host-record=${name},${upstreamAddress}`),
                "--log-queries",
                `--log-facility=${this.dnsLog}`,
            ],
            { stdio: ["ignore", "ignore", "inherit"] },
        );

        for (const from of Object.values(visitors)) {
            for (const port of proxyPorts) {
                this.relay(
                    `UNIX-LISTEN:${this.socketPath(from, port)},fork,mode=600,backlog=512`,
                    `TCP4:${proxyAddress}:${port},bind=${from}`,
                );
            }
        }
        for (const [name, port] of Object.entries(upstreams)) {
            if (port === "own") continue;
            this.relay(
                `TCP4-LISTEN:${port},bind=${upstreamAddress},fork,reuseaddr,backlog=512`,
                `UNIX-CONNECT:${this.upstreamSocket(name)}`,
            );
        }

        const disk = join(this.work, "disk");
        const nginx = nginxCommand.join(" ");
        const script = `set -e
for dir in /etc /var; do
    name=-$(basename $dir)
    mkdir -p ${disk}/upper$name ${disk}/work$name
    mount -t overlay overlay -o lowerdir=$dir,upperdir=${disk}/upper$name,workdir=${disk}/work$name $dir
done
mount -t tmpfs tmpfs /run
# The site-health volume, read-only as the proxy container mounts it.
mount -t tmpfs tmpfs /srv
mkdir ${siteHealth.volume.containerPath}
mount --bind -o ro ${this.siteHealthDir} ${siteHealth.volume.containerPath}
rm -rf /etc/nginx /etc/letsencrypt
cp -r ${etc} /etc/nginx
cp -r ${certificates} /etc/letsencrypt
cp ${join(this.work, "hosts")} /etc/hosts
grep -q '^nginx:' /etc/group || echo 'nginx:x:101:' >> /etc/group
grep -q '^nginx:' /etc/passwd || echo 'nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin' >> /etc/passwd
mkdir -p /var/cache/nginx /var/log/nginx /var/lib/nginx
# As in the official image, where these are links to the container's stdout and stderr.
ln -sf /dev/null /var/log/nginx/access.log
${nginx} -t -q
exec ${nginx} -g 'daemon off;'`;
        this.nginx = spawn("ip", ["netns", "exec", this.proxyNs, "unshare", "--mount", "--propagation", "private", "bash", "-c", script], {
            stdio: ["ignore", "inherit", "inherit"],
        });
    }

    /**
     * A socat relay in the visitors' namespace, in a process group of its own (its forks die with
     * it). Its complaints (a visitor hanging up first, nginx not up yet) go to its log only.
     */
    private relay(listen: string, connect: string): void {
        const log = join(this.work, "relays.log");
        this.relays.push(
            spawn("ip", ["netns", "exec", this.visitorsNs, "socat", "-lf", log, listen, connect], { stdio: "ignore", detached: true }),
        );
    }

    /** What runs a program in the visitors' namespace, on the upstreams' address: put it before the command. */
    get visitorsPrefix(): string[] {
        return ["ip", "netns", "exec", this.visitorsNs];
    }

    /** Runs a command in the visitors' namespace (a load generator, say), with `hosts` as its /etc/hosts. */
    visitorCommand(command: string, hosts: string): [string, string[]] {
        return [
            "ip",
            ["netns", "exec", this.visitorsNs, "unshare", "--mount", "bash", "-c", `mount --bind ${hosts} /etc/hosts && ${command}`],
        ];
    }

    /** Resolves once nginx completes a TLS handshake on 443 through a visitor relay. */
    async ready(timeoutMs = 15_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (this.nginx?.exitCode !== null && this.nginx?.exitCode !== undefined)
                throw new Error(`nginx exited with ${this.nginx.exitCode}`);
            const path = this.socketPath(visitors.direct, 443);
            const open =
                existsSync(path) &&
                (await new Promise<boolean>((resolve) => {
                    const socket = tls.connect(
                        { socket: net.connect(path), rejectUnauthorized: false, servername: "ready.invalid" },
                        () => {
                            socket.destroy();
                            resolve(true);
                        },
                    );
                    // The default server refuses unknown names: an alert is an answer from nginx too.
                    socket.on("error", (error: Error) => resolve(/alert|unrecognized name/i.test(error.message)));
                }));
            if (open) return;
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("nginx did not start listening");
    }

    /** Has nginx load its configuration again (its master gets SIGHUP, as `nginx -s reload` sends). */
    reload(): void {
        if (!this.nginx?.pid) throw new Error("nginx is not running");
        process.kill(this.nginx.pid, "SIGHUP");
    }

    /** Stops nginx and the relays and removes both namespaces and every file, whatever state it is in. */
    async down(): Promise<void> {
        await stopProcess(this.nginx);
        await stopProcess(this.dns);
        for (const relay of this.relays) {
            try {
                process.kill(-relay.pid!, "SIGKILL");
            } catch {
                // already gone
            }
        }
        for (const ns of [this.proxyNs, this.visitorsNs]) {
            try {
                execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
            } catch {
                // not created
            }
        }
        rmSync(this.work, { recursive: true, force: true });
    }
}
