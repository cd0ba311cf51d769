// The real nginx (Debian trixie's 1.26, unpacked by test/sandbox/fetch-debian.sh) running the
// rendered configuration byte for byte: in its own network namespace, with a mount namespace whose
// /etc and /var are copy-on-write overlays holding the rendered /etc/nginx, the certificates under
// /etc/letsencrypt, and /etc/hosts pointing the upstream names at this machine's end of a veth
// pair, where the tests run stand-in upstreams. Documentation addresses only, and not 192.0.2.0/24:
// machines of this kind use that range for their own network.
//   203.0.113.2   nginx ("the droplet")
//   203.0.113.1   this machine: upstreams, and a visitor that is not Cloudflare
//   203.0.113.3   another visitor (the brute-force test uses it, so its limit hits nobody else)
//   198.51.100.7  a visitor standing in for Cloudflare (the tests render with 198.51.100.0/24 as
//                 Cloudflare's ranges)
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const nginxRoot = "/var/cache/site-sandbox/nginx-trixie";
export const proxyAddress = "203.0.113.2";
export const visitors = { direct: "203.0.113.1", attacker: "203.0.113.3", cloudflare: "198.51.100.7" } as const;
export const upstreamAddress = visitors.direct;
export const cloudflareStandIn = "198.51.100.0/24";

export function requireNginx(): void {
    if (process.getuid?.() !== 0) throw new Error("the proxy tests need root (a network namespace and mounts): run them as root");
    try {
        execFileSync(join(nginxRoot, "usr/sbin/nginx"), ["-v"], { stdio: "ignore" });
        execFileSync("sh", ["-c", "command -v openssl && command -v ip && command -v unshare"], { stdio: "ignore" });
    } catch {
        throw new Error(
            `nginx 1.26 is not unpacked in ${nginxRoot}, or openssl/iproute2/util-linux are missing; get them with: bash test/sandbox/fetch-debian.sh trixie ${nginxRoot} nginx nginx-common && apt-get install -y openssl iproute2 util-linux (.ci/run does)`,
        );
    }
}

export class ProxySandbox {
    readonly work = mkdtempSync(join(tmpdir(), "site-proxy-"));
    private readonly id = `p${process.pid % 100000}`;
    private readonly netns = `${this.id}-proxy`;
    private nginx?: ChildProcess;

    /**
     * @param nginxFiles rendered files by path under /etc/nginx
     * @param certificates a folder laid out like /etc/letsencrypt
     * @param upstreamNames names /etc/hosts maps to this machine
     */
    up(nginxFiles: Readonly<Record<string, string>>, certificates: string, upstreamNames: readonly string[]): void {
        const etc = join(this.work, "nginx");
        // The image's own files beside ours, as in the nginx container (mime.types).
        cpSync(join(nginxRoot, "etc/nginx/mime.types"), join(etc, "mime.types"), { recursive: true });
        for (const [path, content] of Object.entries(nginxFiles)) {
            mkdirSync(dirname(join(etc, path)), { recursive: true });
            writeFileSync(join(etc, path), content);
        }
        writeFileSync(join(this.work, "hosts"), `127.0.0.1 localhost\n${upstreamAddress} ${upstreamNames.join(" ")}\n`);

        const [inner, outer] = [`${this.id}-n`, `${this.id}-h`];
        execFileSync("ip", ["netns", "add", this.netns]);
        execFileSync("ip", ["link", "add", outer, "type", "veth", "peer", "name", inner]);
        execFileSync("ip", ["link", "set", inner, "netns", this.netns, "name", "eth0"]);
        for (const address of [`${visitors.direct}/24`, `${visitors.attacker}/24`, `${visitors.cloudflare}/32`]) {
            execFileSync("ip", ["addr", "add", address, "dev", outer]);
        }
        execFileSync("ip", ["link", "set", outer, "up"]);
        const inNs = (...args: string[]) => execFileSync("ip", ["-n", this.netns, ...args]);
        inNs("link", "set", "lo", "up");
        inNs("addr", "add", `${proxyAddress}/24`, "dev", "eth0");
        inNs("link", "set", "eth0", "up");
        inNs("route", "add", `${visitors.cloudflare}/32`, "via", visitors.direct);

        const disk = join(this.work, "disk");
        const nginxBinary = join(nginxRoot, "usr/sbin/nginx");
        const script = `set -e
for dir in /etc /var; do
    name=-$(basename $dir)
    mkdir -p ${disk}/upper$name ${disk}/work$name
    mount -t overlay overlay -o lowerdir=$dir,upperdir=${disk}/upper$name,workdir=${disk}/work$name $dir
done
mount -t tmpfs tmpfs /run
rm -rf /etc/nginx /etc/letsencrypt
cp -r ${etc} /etc/nginx
cp -r ${certificates} /etc/letsencrypt
cp ${join(this.work, "hosts")} /etc/hosts
grep -q '^nginx:' /etc/group || echo 'nginx:x:101:' >> /etc/group
grep -q '^nginx:' /etc/passwd || echo 'nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin' >> /etc/passwd
mkdir -p /var/cache/nginx /var/log/nginx /var/lib/nginx
# As in the official image, where these are links to the container's stdout and stderr.
ln -sf /dev/null /var/log/nginx/access.log
${nginxBinary} -t -q
exec ${nginxBinary} -g 'daemon off;'`;
        this.nginx = spawn("ip", ["netns", "exec", this.netns, "unshare", "--mount", "--propagation", "private", "bash", "-c", script], {
            stdio: ["ignore", "inherit", "inherit"],
        });
    }

    /** Resolves once nginx accepts connections on 443. */
    async ready(timeoutMs = 15_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (this.nginx?.exitCode !== null && this.nginx?.exitCode !== undefined)
                throw new Error(`nginx exited with ${this.nginx.exitCode}`);
            const open = await new Promise<boolean>((resolve) => {
                const socket = net.connect({ host: proxyAddress, port: 443, localAddress: visitors.direct }, () => {
                    socket.destroy();
                    resolve(true);
                });
                socket.on("error", () => resolve(false));
            });
            if (open) return;
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("nginx did not start listening");
    }

    /** Stops nginx and removes the namespace, the veth pair and every file, whatever state it is in. */
    async down(): Promise<void> {
        if (this.nginx && this.nginx.exitCode === null) {
            const exited = new Promise((resolve) => this.nginx!.once("exit", resolve));
            this.nginx.kill("SIGTERM");
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            if (this.nginx.exitCode === null) this.nginx.kill("SIGKILL");
        }
        try {
            execFileSync("ip", ["netns", "del", this.netns], { stdio: "ignore" });
        } catch {
            // not created
        }
        try {
            execFileSync("ip", ["link", "del", `${this.id}-h`], { stdio: "ignore" });
        } catch {
            // gone with the namespace
        }
        rmSync(this.work, { recursive: true, force: true });
    }
}
