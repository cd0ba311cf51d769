// The host sandbox: a stand-in droplet and "the internet" in network namespaces on this machine,
// joined by a veth pair whose ends stay inside them, using documentation addresses only.
//
// The droplet is a network namespace plus a mount and PID namespace held open by one process:
// /etc, /usr/local and /home are copy-on-write overlays and /srv a bind mount, all kept in a "disk"
// folder, /run is a fresh tmpfs. Killing that process is a power cut (every process in its PID namespace dies,
// dockerd and containers included); deleting and re-creating the network namespace wipes every
// rule, route and sysctl; the disk survives. That is a reboot, which `reboot()` plays.
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const addresses = {
    droplet: { v4: "203.0.113.10", v6: "2001:db8:1::10" },
    router: { v4: "203.0.113.1", v6: "2001:db8:1::1" },
    /** Inside the admin ranges the sandbox config uses. */
    admin: { v4: "203.0.113.2", v6: "2001:db8:1::2" },
    /** Outside them. */
    outsider: { v4: "203.0.113.99", v6: "2001:db8:1::99" },
    smtp: "198.51.100.25",
    dns: "198.51.100.53",
    dnsAnswer: "198.51.100.80",
    metadata: "169.254.169.254",
} as const;

/** Admin ranges for the sandbox's stack config: the admin client is inside, the outsider is not. */
export const sandboxAdminCidrs = ["203.0.113.0/28", "2001:db8:1::/124"];

const here = __dirname;

/** A Docker engine the sandbox droplet runs: the distribution's, or one unpacked beside it. */
export interface DockerEngine {
    readonly name: string;
    /** Folders put first on the droplet's PATH (dockerd, containerd); empty for the installed one. */
    readonly binDirs: readonly string[];
    /** How to get it when it is missing. */
    readonly install: string;
}

/** Docker from another Debian suite, unpacked beside the system by fetch-debian.sh. */
function unpacked(suite: string, name: string): DockerEngine {
    const root = `/var/cache/site-sandbox/docker-${suite}`;
    return {
        name,
        binDirs: [`${root}/usr/sbin`, `${root}/usr/bin`],
        install: `bash test/sandbox/fetch-debian.sh ${suite} ${root} docker.io containerd`,
    };
}

export const engines = {
    bookworm: { name: "Docker 20.10 (Debian bookworm)", binDirs: [], install: "apt-get install -y docker.io" },
    trixie: unpacked("trixie", "Docker 26 (Debian trixie; Ubuntu 24.04's generation)"),
    sid: unpacked("sid", "Docker 28 (Debian sid; DOCKER-FORWARD chain)"),
} satisfies Record<string, DockerEngine>;

export function requireRootAndTools(engine: DockerEngine): void {
    if (process.getuid?.() !== 0) {
        throw new Error(
            "the host sandbox needs root (network namespaces, iptables, mounts): run it as root, e.g. sudo npm run test:sandbox",
        );
    }
    const tools: Record<string, string> = {
        ip: "iproute2",
        nsenter: "util-linux",
        unshare: "util-linux",
        iptables: "iptables",
        ufw: "ufw",
        dockerd: "docker.io",
        docker: "docker.io",
        busybox: "busybox-static",
        losetup: "mount",
        sshd: "openssh-server",
        ssh: "openssh-client",
        useradd: "passwd",
        "mkfs.ext4": "e2fsprogs",
        curl: "curl",
        shellcheck: "shellcheck",
    };
    const missing = Object.entries(tools).filter(([tool]) => {
        try {
            execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
            return false;
        } catch {
            return true;
        }
    });
    if (missing.length > 0) {
        throw new Error(
            `missing tools: ${missing.map(([t]) => t).join(", ")}; install them with: apt-get install -y ${[...new Set(missing.map(([, p]) => p))].join(" ")} (.ci/run does)`,
        );
    }
    if (engine.binDirs.length > 0 && !existsSync(join(engine.binDirs[0], "dockerd"))) {
        throw new Error(`${engine.name} is not unpacked; get it with: ${engine.install} (.ci/run does)`);
    }
}

export class Sandbox {
    constructor(private readonly engine: DockerEngine) {}

    readonly work = mkdtempSync(join(tmpdir(), "site-sandbox-"));
    private readonly disk = join(this.work, "disk");
    private readonly id = `s${process.pid % 100000}`;
    readonly dropletNs = `${this.id}-droplet`;
    readonly internetNs = `${this.id}-internet`;
    private holder?: ChildProcess;
    private holderPid?: number;
    private world?: ChildProcess;
    private loopDevice?: string;

    up(): void {
        mkdirSync(this.disk);
        const bin = join(this.work, "bin");
        mkdirSync(bin);
        for (const shim of ["systemctl", "cloud-init"]) symlinkSync(join(here, shim), join(bin, shim));
        this.ip("netns", "add", this.internetNs);
        this.ipIn(this.internetNs, "link", "set", "lo", "up");
        for (const address of [addresses.smtp, addresses.dns, addresses.metadata])
            this.ipIn(this.internetNs, "addr", "add", `${address}/32`, "dev", "lo");
        this.world = spawn(
            "ip",
            [
                "netns",
                "exec",
                this.internetNs,
                process.execPath,
                join(here, "world.js"),
                addresses.smtp,
                "2525",
                addresses.dns,
                addresses.metadata,
            ],
            {
                stdio: ["ignore", "pipe", "inherit"],
            },
        );
        this.powerOn();
    }

    /** Creates the droplet's network and starts its namespace holder: what a boot finds. */
    private powerOn(): void {
        this.ip("netns", "add", this.dropletNs);
        // The cable is made inside "the internet", its other end straight into the droplet: this
        // machine's own network never holds either end, not even for a moment.
        this.ipIn(this.internetNs, "link", "add", "eth-droplet", "type", "veth", "peer", "name", "eth0", "netns", this.dropletNs);
        const d = (...args: string[]) => this.ipIn(this.dropletNs, ...args);
        const i = (...args: string[]) => this.ipIn(this.internetNs, ...args);
        d("link", "set", "lo", "up");
        d("addr", "add", `${addresses.droplet.v4}/24`, "dev", "eth0");
        d("addr", "add", `${addresses.droplet.v6}/64`, "dev", "eth0", "nodad");
        d("link", "set", "eth0", "up");
        d("route", "add", "default", "via", addresses.router.v4);
        d("-6", "route", "add", "default", "via", addresses.router.v6);
        for (const host of [addresses.router, addresses.admin, addresses.outsider]) {
            i("addr", "add", `${host.v4}/24`, "dev", "eth-droplet");
            i("addr", "add", `${host.v6}/64`, "dev", "eth-droplet", "nodad");
        }
        i("link", "set", "eth-droplet", "up");

        const ready = join(this.work, "droplet-ready");
        rmSync(ready, { force: true });
        // PID 1 of the droplet is a bash loop: it reaps orphans (dockerd started in the background
        // by one command and stopped by the next), as init does.
        const script = `set -e
for dir in /etc /usr/local /home; do
    name=-$(basename $dir)
    mkdir -p ${this.disk}/upper$name ${this.disk}/work$name
    mount -t overlay overlay -o lowerdir=$dir,upperdir=${this.disk}/upper$name,workdir=${this.disk}/work$name $dir
done
mkdir -p ${this.disk}/srv ${this.disk}/docker
mount --bind ${this.disk}/srv /srv
mount -t tmpfs tmpfs /run
mkdir -p /run/lock
touch ${ready}
while :; do sleep 1 & wait $!; done`;
        this.holder = spawn(
            "nsenter",
            [
                `--net=/var/run/netns/${this.dropletNs}`,
                "unshare",
                "--mount",
                "--pid",
                "--fork",
                "--mount-proc",
                "--propagation",
                "private",
                "bash",
                "-c",
                script,
            ],
            { stdio: ["ignore", "ignore", "inherit"] },
        );
        const deadline = Date.now() + 10_000;
        while (!existsSync(ready)) {
            if (Date.now() > deadline) throw new Error("the droplet's namespaces did not come up");
            execFileSync("sleep", ["0.05"]);
        }
        this.holderPid = Number(execFileSync("pgrep", ["-P", String(this.holder.pid)], { encoding: "utf8" }).trim());
        // The droplet's resolver is "the internet's" DNS server (on DigitalOcean, the provider's).
        this.droplet(`rm -f /etc/resolv.conf && echo "nameserver ${addresses.dns}" > /etc/resolv.conf`);
    }

    /** Runs a command on the droplet (its network, mounts and PIDs), as root, with the shims first on PATH. */
    droplet(command: string, timeoutMs = 120_000): string {
        if (!this.holderPid) throw new Error("the droplet is off");
        return execFileSync(
            "nsenter",
            [
                "-t",
                String(this.holderPid),
                "-m",
                "-n",
                "-p",
                "env",
                `PATH=${[join(this.work, "bin"), ...this.engine.binDirs, process.env.PATH].join(":")}`,
                `SANDBOX_DISK=${this.disk}`,
                `SANDBOX_LOG=${join(this.work, "dockerd.log")}`,
                "bash",
                "-c",
                command,
            ],
            { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] },
        );
    }

    /** Runs a command in "the internet". */
    internet(command: string, timeoutMs = 60_000): string {
        return execFileSync("ip", ["netns", "exec", this.internetNs, "bash", "-c", command], {
            encoding: "utf8",
            timeout: timeoutMs,
            stdio: ["ignore", "pipe", "pipe"],
        });
    }

    /** TCP ports that complete a handshake from `source` to `target`. */
    probe(source: string, target: string, ports: string): { tried: number; open: number[] } {
        return JSON.parse(this.internet(`${process.execPath} ${join(here, "probe.js")} ${source} ${target} ${ports}`)) as {
            tried: number;
            open: number[];
        };
    }

    /** Listeners on the droplet host itself (sshd and the like), started once per boot. */
    startHostListeners(ports: number[]): void {
        this.droplet(`setsid ${process.execPath} ${join(here, "listen.js")} ${ports.join(" ")} > /dev/null 2>&1 < /dev/null &`);
    }

    /** Builds the stand-in image (busybox httpd and nc) under each given tag. */
    buildStandInImage(tags: string[]): void {
        const root = join(this.work, "standin");
        const script = `set -e
mkdir -p ${root}/bin ${root}/www ${root}/etc ${root}/tmp
cp "$(command -v busybox)" ${root}/bin/busybox
for applet in sh httpd nc nslookup sleep cat printf echo; do ln -sf busybox ${root}/bin/$applet; done
cp ${join(here, "standin.sh")} ${root}/standin.sh
echo "stand-in" > ${root}/www/index.html
echo "root:x:0:0:root:/:/bin/sh" > ${root}/etc/passwd
tar -C ${root} -c . | docker import --change 'ENTRYPOINT ["/standin.sh"]' - site-standin:sandbox > /dev/null
${tags.map((tag) => `docker tag site-standin:sandbox ${tag}`).join("\n")}`;
        this.droplet(script);
    }

    /**
     * Attaches "the block storage volume": a loop device with an ext4 filesystem labelled as
     * DigitalOcean formats it. Like a volume, it lives outside the droplet and survives reboots.
     */
    attachVolume(label: string): void {
        const image = join(this.work, "volume.img");
        execFileSync("truncate", ["-s", "256M", image]);
        execFileSync("mkfs.ext4", ["-q", "-L", label, image]);
        this.loopDevice = execFileSync("losetup", ["--find", "--show", image], { encoding: "utf8" }).trim();
    }

    get volumeDevice(): string | undefined {
        return this.loopDevice;
    }

    /**
     * Builds an nginx image from Debian's nginx binary (unpacked beside the system) and the
     * libraries it links, laid out like the official image: its nginx user, its folders, its
     * mime.types. The rendered configuration goes in as the Apps component puts it in.
     */
    buildNginxImage(nginxRoot: string, tag: string): void {
        const root = join(this.work, "nginx-image");
        const script = `set -e
mkdir -p ${root}/usr/sbin ${root}/etc/nginx/conf.d ${root}/var/cache/nginx ${root}/var/log/nginx ${root}/var/lib/nginx ${root}/run ${root}/tmp
cp ${nginxRoot}/usr/sbin/nginx ${root}/usr/sbin/nginx
for lib in $(ldd ${nginxRoot}/usr/sbin/nginx | grep -o '/[^ ]*'); do cp -L --parents "$lib" ${root}; done
cp ${nginxRoot}/etc/nginx/mime.types ${root}/etc/nginx/mime.types
printf 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n' > ${root}/etc/passwd
printf 'root:x:0:\nnginx:x:101:\n' > ${root}/etc/group
chown -R 101:101 ${root}/var/cache/nginx
ln -s /run ${root}/var/run
ln -sf /dev/stdout ${root}/var/log/nginx/access.log
ln -sf /dev/stderr ${root}/var/log/nginx/error.log
tar -C ${root} -c . | docker import --change 'ENTRYPOINT ["/usr/sbin/nginx", "-g", "daemon off;"]' - ${tag} > /dev/null`;
        this.droplet(script);
    }

    /** Power cut, new kernel network state, power on: the disk is all that survives. */
    reboot(boot: () => void): void {
        this.powerOff();
        this.powerOn();
        boot();
    }

    private powerOff(): void {
        if (this.holderPid) {
            try {
                process.kill(this.holderPid, "SIGKILL");
            } catch {
                // already gone
            }
            this.waitForExit(this.holderPid);
            this.waitForExit(this.holder?.pid);
        }
        this.holder = undefined;
        this.holderPid = undefined;
        // The kernel frees a namespace's devices lazily; remove the cable now so the next power-on
        // can plug a new one in.
        this.tryRun("ip", ["-n", this.internetNs, "link", "del", "eth-droplet"]);
        this.tryRun("ip", ["netns", "del", this.dropletNs]);
    }

    /** Removes everything the sandbox made, whatever state it is in. */
    down(): void {
        this.powerOff();
        if (this.world) {
            this.world.kill("SIGTERM");
            this.waitForExit(this.world.pid);
        }
        this.tryRun("ip", ["netns", "del", this.internetNs]);
        if (this.loopDevice) this.tryRun("losetup", ["--detach", this.loopDevice]);
        rmSync(this.work, { recursive: true, force: true });
    }

    /** Waits (synchronously: tests call this from cleanup) until a process is gone or a zombie. */
    private waitForExit(pid?: number): void {
        const deadline = Date.now() + 15_000;
        while (pid && Date.now() < deadline) {
            let state: string;
            try {
                state = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "")[0];
            } catch {
                return;
            }
            if (state === "Z") return;
            execFileSync("sleep", ["0.05"]);
        }
    }

    private ip(...args: string[]): void {
        execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
    }

    private ipIn(netns: string, ...args: string[]): void {
        const family = args[0] === "-6" ? [args.shift()!] : [];
        execFileSync("ip", [...family, "-n", netns, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    }

    /** Cleanup that may find nothing to clean. */
    private tryRun(command: string, args: string[]): void {
        try {
            execFileSync(command, args, { stdio: "ignore" });
        } catch {
            // already gone
        }
    }
}
