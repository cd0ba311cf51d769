// The host sandbox: stand-in droplets and "the internet" in network namespaces on this machine,
// each droplet joined to the internet's bridge by a veth pair whose ends stay inside them, using
// documentation addresses only.
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
import { ghostRoot, ghostVersion } from "../ghost/ghost";

export const addresses = {
    droplet: { v4: "203.0.113.10", v6: "2001:db8:1::10" },
    /** A second droplet, for a replacement. */
    nextDroplet: { v4: "203.0.113.11", v6: "2001:db8:1::11" },
    router: { v4: "203.0.113.1", v6: "2001:db8:1::1" },
    /** Inside the admin ranges the sandbox config uses. */
    admin: { v4: "203.0.113.2", v6: "2001:db8:1::2" },
    /** Outside them. */
    outsider: { v4: "203.0.113.99", v6: "2001:db8:1::99" },
    smtp: "198.51.100.25",
    dns: "198.51.100.53",
    /** Where the internet's DNS sends every name: the mail servers of the mail test listen there. */
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

/** The internet and its droplets; the block storage volume, which moves between them. */
export class Sandbox {
    constructor(private readonly engine: DockerEngine) {}

    readonly work = mkdtempSync(join(tmpdir(), "site-sandbox-"));
    private readonly id = `s${process.pid % 100000}`;
    readonly internetNs = `${this.id}-internet`;
    private readonly droplets: Droplet[] = [];
    private world?: ChildProcess;
    private volumeImage?: string;
    private loopDevice?: string;

    /** The internet, and the first droplet, powered on. */
    up(): void {
        const bin = join(this.work, "bin");
        mkdirSync(bin);
        for (const shim of ["systemctl", "cloud-init"]) symlinkSync(join(here, shim), join(bin, shim));
        run("ip", ["netns", "add", this.internetNs]);
        const i = (...args: string[]) => ipIn(this.internetNs, ...args);
        i("link", "set", "lo", "up");
        for (const address of [addresses.smtp, addresses.dns, addresses.dnsAnswer, addresses.metadata])
            i("addr", "add", `${address}/32`, "dev", "lo");
        // The droplets' side of the internet: one bridge, with the router and the clients on it.
        i("link", "add", "br0", "type", "bridge");
        for (const host of [addresses.router, addresses.admin, addresses.outsider]) {
            i("addr", "add", `${host.v4}/24`, "dev", "br0");
            i("addr", "add", `${host.v6}/64`, "dev", "br0", "nodad");
        }
        i("link", "set", "br0", "up");
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
        this.addDroplet("droplet", addresses.droplet);
    }

    /** Another droplet on the same internet, powered on. */
    addDroplet(name: string, address: { v4: string; v6: string }): Droplet {
        const droplet = new Droplet(this.engine, this.work, `${this.id}-${name}`, name, address, this.internetNs);
        this.droplets.push(droplet);
        droplet.powerOn();
        return droplet;
    }

    /** The first droplet. */
    get main(): Droplet {
        return this.droplets[0];
    }

    /** Runs a command on the first droplet. */
    droplet(command: string, timeoutMs?: number): string {
        return this.main.run(command, timeoutMs);
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

    /** Listeners on the first droplet itself (sshd and the like), started once per boot. */
    startHostListeners(ports: number[]): void {
        this.droplet(`setsid ${process.execPath} ${join(here, "listen.js")} ${ports.join(" ")} > /dev/null 2>&1 < /dev/null &`);
    }

    /** Builds the stand-in image on the first droplet. */
    buildStandInImage(tags: string[]): void {
        this.main.buildStandInImage(tags);
    }

    /** Builds an nginx image on the first droplet. */
    buildNginxImage(nginxRoot: string, tag: string): void {
        this.main.buildNginxImage(nginxRoot, tag);
    }

    /**
     * Attaches "the block storage volume": a loop device with an ext4 filesystem labelled as
     * DigitalOcean formats it, made on the first call. Like a volume, it lives outside every
     * droplet and survives reboots; the droplets share this machine's devices, so "attached" is
     * the loop device existing at all. 1 GB, sparse: room for MariaDB's 96 MB redo log, Ghost and a dump.
     */
    attachVolume(label: string): void {
        if (this.loopDevice) throw new Error("the volume is attached already: a volume attaches to one droplet at a time");
        if (!this.volumeImage) {
            this.volumeImage = join(this.work, "volume.img");
            execFileSync("truncate", ["-s", "1G", this.volumeImage]);
            execFileSync("mkfs.ext4", ["-q", "-L", label, this.volumeImage]);
        }
        this.loopDevice = execFileSync("losetup", ["--find", "--show", this.volumeImage], { encoding: "utf8" }).trim();
    }

    /** Detaches the volume, as DigitalOcean does: refused while any droplet has it mounted. */
    detachVolume(): void {
        const holders = this.droplets.filter((d) => d.isOn && d.run(`findmnt -rn -S ${this.loopDevice} || true`).trim() !== "");
        if (holders.length > 0) throw new Error(`the volume is mounted on ${holders.map((d) => d.name).join(", ")}: it cannot be detached`);
        run("losetup", ["--detach", this.loopDevice!]);
        this.loopDevice = undefined;
    }

    get volumeDevice(): string | undefined {
        return this.loopDevice;
    }

    /** Power cut, new kernel network state, power on of the first droplet: the disk is all that survives. */
    reboot(boot: () => void): void {
        this.main.powerOff();
        this.main.powerOn();
        boot();
    }

    /** Removes everything the sandbox made, whatever state it is in. */
    down(): void {
        for (const droplet of this.droplets) droplet.powerOff();
        if (this.world) {
            this.world.kill("SIGTERM");
            waitForExit(this.world.pid);
        }
        tryRun("ip", ["netns", "del", this.internetNs]);
        if (this.loopDevice) tryRun("losetup", ["--detach", this.loopDevice]);
        rmSync(this.work, { recursive: true, force: true });
    }
}

/**
 * A droplet: a network namespace plus a mount and PID namespace held open by one process. /etc,
 * /usr/local, /home and /var are copy-on-write overlays and /srv a bind mount, all kept in its
 * "disk" folder; /run is a fresh tmpfs. Killing that process is a power cut (every process in its
 * PID namespace dies, dockerd and containers included); deleting and re-creating the network
 * namespace wipes every rule, route and sysctl; the disk survives. That is a reboot.
 */
export class Droplet {
    private readonly disk: string;
    private holder?: ChildProcess;
    private holderPid?: number;

    constructor(
        private readonly engine: DockerEngine,
        private readonly work: string,
        readonly netns: string,
        readonly name: string,
        readonly address: { readonly v4: string; readonly v6: string },
        private readonly internetNs: string,
    ) {
        this.disk = join(work, `disk-${name}`);
        mkdirSync(this.disk);
    }

    get isOn(): boolean {
        return this.holderPid !== undefined;
    }

    /** Creates the droplet's network and starts its namespace holder: what a boot finds. */
    powerOn(): void {
        run("ip", ["netns", "add", this.netns]);
        const cable = `eth-${this.name}`;
        // The cable is made inside "the internet", its other end straight into the droplet: this
        // machine's own network never holds either end, not even for a moment.
        ipIn(this.internetNs, "link", "add", cable, "type", "veth", "peer", "name", "eth0", "netns", this.netns);
        ipIn(this.internetNs, "link", "set", cable, "master", "br0");
        ipIn(this.internetNs, "link", "set", cable, "up");
        const d = (...args: string[]) => ipIn(this.netns, ...args);
        d("link", "set", "lo", "up");
        d("addr", "add", `${this.address.v4}/24`, "dev", "eth0");
        d("addr", "add", `${this.address.v6}/64`, "dev", "eth0", "nodad");
        d("link", "set", "eth0", "up");
        d("route", "add", "default", "via", addresses.router.v4);
        d("-6", "route", "add", "default", "via", addresses.router.v6);

        const ready = join(this.work, `${this.name}-ready`);
        rmSync(ready, { force: true });
        // PID 1 of the droplet is a bash loop: it reaps orphans (dockerd started in the background
        // by one command and stopped by the next), as init does.
        const script = `set -e
for dir in /etc /usr/local /home /var; do
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
                `--net=/var/run/netns/${this.netns}`,
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
            if (Date.now() > deadline) throw new Error(`the namespaces of droplet ${this.name} did not come up`);
            execFileSync("sleep", ["0.05"]);
        }
        this.holderPid = Number(execFileSync("pgrep", ["-P", String(this.holder.pid)], { encoding: "utf8" }).trim());
        // The droplet's resolver is "the internet's" DNS server (on DigitalOcean, the provider's).
        this.run(`rm -f /etc/resolv.conf && echo "nameserver ${addresses.dns}" > /etc/resolv.conf`);
    }

    /** Runs a command on the droplet (its network, mounts and PIDs), as root, with the shims first on PATH. */
    run(command: string, timeoutMs = 120_000): string {
        if (!this.holderPid) throw new Error(`droplet ${this.name} is off`);
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
                `SANDBOX_LOG=${join(this.work, `dockerd-${this.name}.log`)}`,
                "bash",
                "-c",
                command,
            ],
            { encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] },
        );
    }

    /** Builds the stand-in image (busybox httpd, nc, and a writer) under each given tag. */
    buildStandInImage(tags: string[]): void {
        const root = join(this.work, `standin-${this.name}`);
        const script = `set -e
mkdir -p ${root}/bin ${root}/www ${root}/etc ${root}/tmp
cp "$(command -v busybox)" ${root}/bin/busybox
for applet in sh httpd nc nslookup sleep cat printf echo sync; do ln -sf busybox ${root}/bin/$applet; done
cp ${join(here, "standin.sh")} ${root}/standin.sh
echo "stand-in" > ${root}/www/index.html
echo "root:x:0:0:root:/:/bin/sh" > ${root}/etc/passwd
tar -C ${root} -c . | docker import --change 'ENTRYPOINT ["/standin.sh"]' - site-standin:sandbox > /dev/null
${tags.map((tag) => `docker tag site-standin:sandbox ${tag}`).join("\n")}`;
        this.run(script);
    }

    /**
     * Builds an nginx image from Debian's nginx (unpacked beside the system by fetch-debian.sh with
     * the libraries it links) laid out like the official image: its nginx user, its folders, its
     * mime.types. The binary comes with its own suite's libraries and dynamic loader, found by
     * that loader: sid's nginx needs a newer OpenSSL and glibc than this machine's, and inside the
     * image this machine's do not matter. The rendered configuration goes in as the Apps component
     * puts it in.
     */
    buildNginxImage(nginxRoot: string, tag: string): void {
        const root = join(this.work, `nginx-image-${this.name}`);
        const libraries = `${nginxRoot}/usr/lib/x86_64-linux-gnu`;
        const script = `set -e
mkdir -p ${root}/usr/sbin ${root}/usr/lib/x86_64-linux-gnu ${root}/usr/lib64 ${root}/etc/nginx/conf.d ${root}/var/cache/nginx ${root}/var/log/nginx ${root}/var/lib/nginx ${root}/run ${root}/tmp
cp ${nginxRoot}/usr/sbin/nginx ${root}/usr/sbin/nginx
for lib in $(${libraries}/ld-linux-x86-64.so.2 --library-path ${libraries} --list ${nginxRoot}/usr/sbin/nginx | grep -o '${libraries}/[^ ]*'); do
    cp -L "$lib" ${root}/usr/lib/x86_64-linux-gnu/
done
# The loader where the binary asks for it (/lib64), in the merged-/usr layout of Debian's images.
cp -L ${libraries}/ld-linux-x86-64.so.2 ${root}/usr/lib/x86_64-linux-gnu/
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 ${root}/usr/lib64/ld-linux-x86-64.so.2
ln -s usr/lib ${root}/lib
ln -s usr/lib64 ${root}/lib64
cp ${nginxRoot}/etc/nginx/mime.types ${root}/etc/nginx/mime.types
printf 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n' > ${root}/etc/passwd
printf 'root:x:0:\nnginx:x:101:\n' > ${root}/etc/group
chown -R 101:101 ${root}/var/cache/nginx
ln -s /run ${root}/var/run
ln -sf /dev/stdout ${root}/var/log/nginx/access.log
ln -sf /dev/stderr ${root}/var/log/nginx/error.log
tar -C ${root} -c . | docker import --change 'ENTRYPOINT ["/usr/sbin/nginx", "-g", "daemon off;"]' - ${tag} > /dev/null`;
        this.run(script);
    }

    /**
     * Builds a database image from Debian's MariaDB (unpacked beside the system by
     * fetch-debian.sh), with the libraries it links and busybox for its entry point.
     */
    buildMariadbImage(mariadbRoot: string, tag: string): void {
        const root = join(this.work, `mariadb-image-${this.name}`);
        const script = `set -e
mkdir -p ${root}/bin ${root}/tmp ${root}/etc ${root}/var/lib/mysql
cp -a ${mariadbRoot}/. ${root}/
cp "$(command -v busybox)" ${root}/bin/busybox
for applet in $(busybox --list); do [ -e ${root}/bin/$applet ] || ln -s busybox ${root}/bin/$applet; done
export LD_LIBRARY_PATH=${mariadbRoot}/usr/lib/x86_64-linux-gnu
for binary in ${root}/usr/sbin/mariadbd ${root}/usr/bin/mariadb ${root}/usr/bin/mariadb-dump ${root}/usr/bin/my_print_defaults; do
    for lib in $(ldd "$binary" | grep -o '/[^ ]*' | grep -v '^${mariadbRoot}'); do cp -L --parents "$lib" ${root}; done
done
cp ${join(here, "mariadb-entrypoint.sh")} ${root}/entrypoint.sh
echo "root:x:0:0:root:/root:/bin/sh" > ${root}/etc/passwd
echo "root:x:0:" > ${root}/etc/group
tar -C ${root} -c . | docker import --change 'ENTRYPOINT ["/entrypoint.sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/bin' - ${tag} > /dev/null`;
        this.run(script, 300_000);
    }

    /**
     * Builds a Ghost image from the tests' Ghost install (../ghost/ghost.ts) laid out like the
     * official image: Ghost in /var/lib/ghost/current, its default content beside it, config in
     * /var/lib/ghost (SQLite by default, as the official image's), Node 22 with the libraries it and
     * Ghost's native modules link, the official entry point's steps (../ghost/entrypoint.sh). The
     * image trusts the sandbox's CA (`caFile`) as a real one trusts the public CAs.
     */
    buildGhostImage(tag: string, caFile: string): void {
        const root = join(this.work, `ghost-image-${this.name}`);
        const install = `${root}/var/lib/ghost`;
        const config = {
            url: "http://localhost:2368",
            server: { port: 2368, host: "::" },
            database: { client: "sqlite3", connection: { filename: "/var/lib/ghost/content/data/ghost.db" } },
            mail: { transport: "Direct" },
            logging: { transports: ["stdout"] },
            process: "systemd",
            paths: { contentPath: "/var/lib/ghost/content" },
        };
        const env = {
            NODE_ENV: "production",
            GHOST_INSTALL: "/var/lib/ghost",
            GHOST_CONTENT: "/var/lib/ghost/content",
            PATH: "/usr/local/bin:/usr/bin:/bin",
            NODE_EXTRA_CA_CERTS: "/etc/ssl/sandbox-ca.pem",
        };
        // Staged on this machine, where the install can be hard-linked rather than copied.
        const stage = `set -e
rm -rf ${root}
mkdir -p ${root}/bin ${root}/tmp ${root}/etc/ssl ${root}/usr/local/bin ${root}/usr/bin ${install}/versions ${install}/content
cp "$(command -v busybox)" ${root}/bin/busybox
for applet in $(busybox --list); do [ -e ${root}/bin/$applet ] || ln -s busybox ${root}/bin/$applet; done
cp ${join(ghostRoot, "node/bin/node")} ${root}/usr/local/bin/node
cp "$(command -v setpriv)" ${root}/usr/bin/setpriv
cp -al ${join(ghostRoot, "ghost")} ${install}/versions/${ghostVersion}
ln -s versions/${ghostVersion} ${install}/current
cp -a ${join(ghostRoot, "ghost/content")} ${install}/content.orig
echo '${JSON.stringify(config)}' > ${install}/config.production.json
for binary in ${root}/usr/local/bin/node ${root}/usr/bin/setpriv $(find ${install}/versions -name '*.node'); do
    for lib in $(ldd "$binary" | grep -o '/[^ ]*' | grep -v '^${root}'); do cp -L --parents "$lib" ${root}; done
done
cp ${join(here, "../ghost/entrypoint.sh")} ${root}/usr/local/bin/docker-entrypoint.sh
cp ${caFile} ${root}/etc/ssl/sandbox-ca.pem
printf 'root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000:node:/home/node:/bin/sh\n' > ${root}/etc/passwd
printf 'root:x:0:\nnode:x:1000:\n' > ${root}/etc/group
chown -R 1000:1000 ${install}/content ${install}/content.orig
chmod 1777 ${install}/content`;
        execFileSync("bash", ["-c", stage], { stdio: ["ignore", "ignore", "pipe"] });
        this.run(
            `tar -C ${root} -c . | docker import \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' --change 'CMD ["node", "current/index.js"]' \
    --change 'WORKDIR /var/lib/ghost' ${Object.entries(env)
        .map(([key, value]) => `--change 'ENV ${key}=${value}'`)
        .join(" ")} - ${tag} > /dev/null`,
            600_000,
        );
        rmSync(root, { recursive: true, force: true });
    }

    /** Power cut: every process of the droplet dies, its network goes; its disk stays. */
    powerOff(): void {
        if (this.holderPid) {
            try {
                process.kill(this.holderPid, "SIGKILL");
            } catch {
                // already gone
            }
            waitForExit(this.holderPid);
            waitForExit(this.holder?.pid);
        }
        this.holder = undefined;
        this.holderPid = undefined;
        // The kernel frees a namespace's devices lazily; remove the cable now so the next power-on
        // can plug a new one in.
        tryRun("ip", ["-n", this.internetNs, "link", "del", `eth-${this.name}`]);
        tryRun("ip", ["netns", "del", this.netns]);
    }
}

/** Waits (synchronously: tests call this from cleanup) until a process is gone or a zombie. */
function waitForExit(pid?: number): void {
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

function run(command: string, args: string[]): void {
    execFileSync(command, args, { stdio: ["ignore", "ignore", "pipe"] });
}

function ipIn(netns: string, ...args: string[]): void {
    const family = args[0] === "-6" ? [args.shift()!] : [];
    run("ip", [...family, "-n", netns, ...args]);
}

/** Cleanup that may find nothing to clean. */
function tryRun(command: string, args: string[]): void {
    try {
        execFileSync(command, args, { stdio: "ignore" });
    } catch {
        // already gone
    }
}
