// The replacement drill: the site on one droplet (the rendered containers: the real Ghost, on SQLite
// on the data volume, with a post written through its Admin API; Debian's MariaDB, a real database
// server, where the mysql image runs in production; a stand-in that keeps writing to its data
// folder), then a droplet replacement in the plan's order (test/unit/lifecycle.test.ts):
// the old containers removed, each within its stop timeout; the data volume's handover releasing
// it on the old droplet; the volume detached and attached to a second droplet, which comes up as
// cloud-init leaves it and is set up by the rendered host scripts and the handover's resume; the
// containers created again; the old droplet gone. Every file on the volume is checked before and
// after, the database must have shut down cleanly and kept every write it acknowledged, and the
// downtime is measured from the first stop to the first request the proxy on the new droplet
// answers; the post is read through it. First, a release that cannot unmount must leave everything where it was. Needs root.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataRoot, dataVolume, dataVolumes, network } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { ContainerSpec, renderContainers } from "../../render/containers";
import { databaseDump, renderSnapshotPrepareScript } from "../../render/backups";
import { renderDataVolumeHandover } from "../../render/dataVolume";
import { renderHostScripts } from "../../render/hostScripts";
import { placeholderSecrets } from "../../render/siteFiles";
import { prodValues } from "../harness/fixtures";
import { ghostAdmin, onSqlite, requireGhost, setUpOwner } from "./ghost/ghost";
import { standInPorts, startContainers } from "./host/containers";
import { asCloudInitLeavesIt, makeKeys, runHostSetup, runScript } from "./host/provision";
import { addresses, Droplet, engines, requireRootAndTools, Sandbox, sandboxAdminCidrs } from "./host/sandbox";
import { nginxRoot, requireNginx } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";

export const mariadbRoot = "/var/cache/site-sandbox/mariadb-bookworm";
const engine = engines.trixie;
const settings = parseSettings({ ...prodValues(), adminCidrs: sandboxAdminCidrs });
const scripts = renderHostScripts(settings);
const handover = renderDataVolumeHandover();
// The blog is proxied by Cloudflare: the admin client on the internet stands in for it. The
// downtime is timed on the DNS-only Jupyter host.
const cloudflare = `${addresses.admin.v4}/32`;
const containers = renderContainers(settings, placeholderSecrets(), [cloudflare]).map((spec): ContainerSpec<string> =>
    spec.name === "ghost" ? { ...spec, env: onSqlite(spec.env, dataVolumes.ghostContent.containerPath) } : spec,
);
const visited = settings.services.jupyter.hostname;
const blogHost = settings.services.ghost.hostname;
const writes = `${dataVolumes.jupyterWork.containerPath}/writes.log`;
const owner = { name: "Drill Owner", email: "owner@example.com", password: randomBytes(18).toString("base64url"), blogTitle: "The drill" };
const post = { title: "Written before the drain", text: "This post moves with the data volume." };
let postSlug: string;
const inOrder = [...containers].sort((a, b) => Number(a.name === "proxy") - Number(b.name === "proxy"));

let sandbox: Sandbox;
let old: Droplet;
const keys = () => join(sandbox.work, "keys");
const figures: Record<string, number | string> = {};

function requireMariadb(): void {
    if (!existsSync(join(mariadbRoot, "usr/sbin/mariadbd")) || !existsSync(join(mariadbRoot, "usr/bin/mariadb-dump"))) {
        throw new Error(
            `Debian's MariaDB is not unpacked in ${mariadbRoot}; get it with: bash test/sandbox/fetch-debian.sh bookworm ${mariadbRoot} mariadb-server-core mariadb-client-core mariadb-client mariadb-common liburing2 libaio1 (.ci/run does)`,
        );
    }
}

/** The images a droplet pulls, stood in for: busybox, Debian's nginx, Debian's MariaDB. */
function buildImages(droplet: Droplet): void {
    droplet.buildStandInImage([image("jupyter"), image("portainer")]);
    droplet.buildNginxImage(nginxRoot, image("proxy"));
    droplet.buildMariadbImage(mariadbRoot, image("mysql"));
}

const startSite = (droplet: Droplet) => startContainers(droplet, containers, args, join(sandbox.work, `uploads-${droplet.name}`));

/** The stand-ins' arguments: their ports, and a file Ghost's keeps writing; none for the proxy and the database. */
const args = (spec: ContainerSpec<string>): (string | number)[] =>
    ["mysql", "proxy", "ghost"].includes(spec.name)
        ? []
        : spec.name === "jupyter"
          ? [...standInPorts(spec), `write:${writes}`]
          : standInPorts(spec);

const image = (name: string) => containers.find((c) => c.name === name)!.image;
const caFile = () => join(sandbox.work, "certificates/ca.pem");

/** The blog, as Cloudflare reaches it on `droplet`: `curl` from the stand-in's address. */
const viaCloudflare = (droplet: Droplet) =>
    `--interface ${addresses.admin.v4} --cacert ${caFile()} --resolve ${blogHost}:443:${droplet.address.v4}`;
const blog = `https://${blogHost}`;

/** A page of the blog on `droplet`, once Ghost answers it (it boots in seconds). */
function blogPage(droplet: Droplet, path: string): string {
    return sandbox.internet(
        `for _ in $(seq 1 120); do curl -sf --max-time 5 ${viaCloudflare(droplet)} ${blog}${path} && exit 0; sleep 0.5; done; exit 1`,
        120_000,
    );
}

const sql = (droplet: Droplet, statement: string) => droplet.run(`docker exec site-mysql mariadb -uroot -N -B -e "${statement}"`).trim();

function waitForDatabase(droplet: Droplet): void {
    droplet.run(
        `for _ in $(seq 1 240); do docker exec site-mysql mariadb -uroot -e 'SELECT 1' > /dev/null 2>&1 && exit 0; sleep 0.25; done; docker logs site-mysql >&2; exit 1`,
    );
}

/** One HTTPS request through the droplet's proxy, as a visitor from the internet makes it. */
const visit = (droplet: Droplet) =>
    sandbox.internet(
        `curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert ${join(sandbox.work, "certificates/ca.pem")} --resolve ${visited}:443:${droplet.address.v4} https://${visited}/ || true`,
    );

/** Waits until the droplet's proxy answers a visitor; returns when it first did. */
function waitForAnswer(droplet: Droplet): void {
    const deadline = Date.now() + 120_000;
    while (visit(droplet) !== "200") {
        if (Date.now() > deadline)
            throw new Error(
                `the proxy on ${droplet.name} never answered:\n${droplet.run("docker ps -a; docker logs site-proxy 2>&1 | tail -5")}`,
            );
    }
}

/** Every file on the mounted volume with its checksum, and the totals. */
function inventory(droplet: Droplet): { list: string; files: number; bytes: number } {
    const list = droplet.run(`cd ${dataRoot} && find . -xdev -type f -print0 | sort -z | xargs -0 sha256sum`);
    const [files, bytes] = droplet
        .run(
            `cd ${dataRoot} && find . -xdev -type f | wc -l && find . -xdev -type f -printf '%s\\n' | awk '{ s += $1 } END { print s + 0 }'`,
        )
        .trim()
        .split("\n")
        .map(Number);
    return { list, files, bytes };
}

beforeAll(() => {
    requireRootAndTools(engine);
    requireNginx();
    requireMariadb();
    requireGhost();
    sandbox = new Sandbox(engine);
    sandbox.up();
    old = sandbox.main;
    makeKeys(keys(), ["droplet", "next"]);
    asCloudInitLeavesIt(old, settings.adminUser, keys());
    sandbox.attachVolume(dataVolume.label);
    runHostSetup(old, join(sandbox.work, "host-droplet"), join(keys(), "host-droplet"), scripts);
    runScript(old, join(sandbox.work, "scripts"), handover.resume);
    // The certificates, where certbot leaves them on the volume.
    makeCertificates(
        join(sandbox.work, "certificates"),
        Object.values(settings.services).map((s) => s.hostname),
    );
    old.run(`cp -r ${join(sandbox.work, "certificates/live")} ${dataRoot}/${dataVolumes.letsencrypt.name}/`);
    buildImages(old);
    old.buildGhostImage(image("ghost"), caFile());
    startSite(old);
    waitForDatabase(old);
    sql(old, "CREATE DATABASE drill; CREATE TABLE drill.writes (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB");
    waitForAnswer(old);
    // The owner writes a post through Ghost's Admin API, through the proxy.
    blogPage(old, "/");
    const admin = ghostAdmin((command) => sandbox.internet(command), blog, viaCloudflare(old), sandbox.work);
    setUpOwner(admin, owner);
    const created = admin("POST", "/posts/?source=html", {
        posts: [{ title: post.title, html: `<p>${post.text}</p>`, status: "published" }],
    });
    if (created.status !== "201") throw new Error(`Ghost answered ${created.status} to the post: ${created.body}`);
    postSlug = (JSON.parse(created.body) as { posts: { slug: string }[] }).posts[0].slug;
    expect(blogPage(old, `/${postSlug}/`)).toContain(post.text);
}, 600_000);

afterAll(() => {
    console.log(`replacement drill on ${engine.name}: ${JSON.stringify(figures)}`);
    sandbox?.down();
});

describe("the database dump before a snapshot (the rendered prepare script)", () => {
    // Pairs written in one transaction each, to two tables, by a loop inside the server (thousands
    // a second, so the dump runs while they land): a dump that is one point in time has both
    // halves of every pair. 300,000 pairs beforehand make the dump take a while.
    const ghostDb = "ghost";
    let dump: { status: number; output: string };
    let pairsDuring: number;

    beforeAll(() => {
        sql(
            old,
            `CREATE TABLE ${ghostDb}.left_half (id INT PRIMARY KEY) ENGINE=InnoDB; CREATE TABLE ${ghostDb}.right_half (id INT PRIMARY KEY) ENGINE=InnoDB;
            CREATE TABLE ${ghostDb}.stop_writing (stop INT) ENGINE=InnoDB;
            INSERT INTO ${ghostDb}.left_half SELECT seq FROM ${ghostDb}.seq_1_to_300000; INSERT INTO ${ghostDb}.right_half SELECT id FROM ${ghostDb}.left_half;`,
        );
        const writerSql = join(sandbox.work, "pair-writer.sql");
        writeFileSync(
            writerSql,
            `DELIMITER //
BEGIN NOT ATOMIC
  DECLARE n INT DEFAULT 300000;
  WHILE NOT EXISTS (SELECT 1 FROM stop_writing) DO
    SET n = n + 1;
    START TRANSACTION; INSERT INTO left_half VALUES (n); INSERT INTO right_half VALUES (n); COMMIT;
  END WHILE;
END //
`,
        );
        const writer = old
            .run(`setsid sh -c 'docker exec -i site-mysql mariadb -uroot ${ghostDb} < ${writerSql}' > /dev/null 2>&1 < /dev/null & echo $!`)
            .trim();
        const written = () => Number(sql(old, `SELECT MAX(id) FROM ${ghostDb}.left_half`));
        old.run("sleep 1");
        const before = written();
        const at = Date.now();
        dump = runScript(old, join(sandbox.work, "scripts"), renderSnapshotPrepareScript());
        figures["database dump ms"] = Date.now() - at;
        pairsDuring = written() - before;
        sql(old, `INSERT INTO ${ghostDb}.stop_writing VALUES (1)`);
        old.run(`for _ in $(seq 1 40); do kill -0 -- -${writer} 2> /dev/null || exit 0; sleep 0.25; done; kill -- -${writer}`);
    }, 300_000);

    it("dumps as the application's user, the credentials never on a command line, while writes go on", () => {
        expect(dump).toEqual({ status: 0, output: `dumped the database to ${databaseDump}\n` });
        figures["pairs committed during the dump"] = pairsDuring;
        expect(pairsDuring).toBeGreaterThan(0);
    });

    it("is one point in time: loaded again, every pair has both halves", () => {
        figures["database dump bytes"] = Number(old.run(`stat -c %s ${databaseDump}`));
        old.run(
            `docker exec site-mysql mariadb -uroot -e 'CREATE DATABASE reloaded' && docker exec -i site-mysql mariadb -uroot reloaded < ${databaseDump}`,
        );
        const count = (table: string) => Number(sql(old, `SELECT COUNT(*) FROM reloaded.${table}`));
        const unmatched = Number(
            sql(old, "SELECT COUNT(*) FROM reloaded.left_half l LEFT JOIN reloaded.right_half r USING (id) WHERE r.id IS NULL"),
        );
        figures["pairs in the dump"] = count("left_half");
        expect(count("left_half")).toBeGreaterThan(300_000);
        expect([count("right_half"), unmatched]).toEqual([count("left_half"), 0]);
        sql(old, "DROP DATABASE reloaded");
    });
});

describe("a release that cannot unmount the volume", () => {
    it("fails, names what holds the volume, and leaves the site running with the volume mounted and attached", () => {
        const holder = old.run(`setsid sh -c 'cd ${dataRoot} && exec sleep 600' > /dev/null 2>&1 < /dev/null & echo $!`).trim();
        const result = runScript(old, join(sandbox.work, "scripts"), handover.release);
        old.run(`kill ${holder}`);
        expect(result.status).not.toBe(0);
        expect(result.output).toContain(
            `release failed: ${dataRoot} is still in use, so the data volume stays mounted and attached to this droplet`,
        );
        expect(result.output).toMatch(/sleep/);
        expect(old.run(`mountpoint -q ${dataRoot} && echo mounted`)).toBe("mounted\n");
        expect(old.run("docker ps --format '{{.Names}}' | sort").trim().split("\n")).toEqual(
            containers.map((c) => `site-${c.name}`).sort(),
        );
        expect(() => sandbox.detachVolume()).toThrow(/mounted on droplet: it cannot be detached/);
        waitForDatabase(old);
    }, 300_000);
});

describe("a droplet replacement", () => {
    let next: Droplet;
    let before: ReturnType<typeof inventory>;
    let after: ReturnType<typeof inventory>;
    let acknowledged: number;

    beforeAll(() => {
        // The new droplet exists before anything stops (create before delete), booting as cloud-init leaves it.
        next = sandbox.addDroplet("next", addresses.nextDroplet);
        asCloudInitLeavesIt(next, settings.adminUser, keys());
        // Ghost's image is imported here before the clock starts: the import of ~700 MB into the
        // sandbox's vfs storage is no measure of a real pull.
        next.buildGhostImage(image("ghost"), caFile());
        // The database takes writes until it stops; each one it acknowledges is counted.
        const acks = join(sandbox.work, "acks");
        old.run(
            `setsid bash -c 'while docker exec site-mysql mariadb -uroot -e "INSERT INTO drill.writes () VALUES ()" 2> /dev/null; do echo >> ${acks}; done' > /dev/null 2>&1 < /dev/null &`,
        );
        old.run(`sleep 2`);

        const started = Date.now();
        const phase = (name: string, since: number) => (figures[name] = Date.now() - since);
        let at = Date.now();
        // 1. The engine removes the old containers through the reserved IP (still the old droplet's),
        //    dependents first, each within its stop timeout; their logs are kept for the checks.
        for (const spec of [...inOrder].reverse()) {
            old.run(
                `docker stop -t ${spec.stopTimeoutSeconds} site-${spec.name} > /dev/null && docker logs site-${spec.name} > ${join(sandbox.work, `old-${spec.name}.log`)} 2>&1 && docker rm site-${spec.name} > /dev/null`,
            );
        }
        old.run(`docker network rm ${network.name} > /dev/null`);
        phase("containers removed ms", at);
        acknowledged = readFileSync(acks, "utf8").length;
        before = inventory(old);
        // 2. The handover's release, on the old droplet; 3. the volume moves.
        at = Date.now();
        const release = runScript(old, join(sandbox.work, "scripts"), handover.release);
        if (release.status !== 0) throw new Error(`the release failed:\n${release.output}`);
        figures.release = release.output.trim();
        phase("release ms", at);
        at = Date.now();
        sandbox.detachVolume();
        sandbox.attachVolume(dataVolume.label);
        phase("detach and attach ms", at);
        // 4. The new droplet is set up, the handover resumes, its images arrive, the containers start.
        at = Date.now();
        runHostSetup(next, join(sandbox.work, "host-next"), join(keys(), "host-next"), scripts);
        phase("host setup ms", at);
        after = inventory(next);
        expect(runScript(next, join(sandbox.work, "scripts"), handover.resume)).toEqual({ status: 0, output: "" });
        at = Date.now();
        buildImages(next);
        phase("images ms", at);
        at = Date.now();
        startSite(next);
        waitForAnswer(next);
        phase("containers up and first answer ms", at);
        figures["downtime ms"] = Date.now() - started;
        // The sandbox's engines store images with vfs, which copies a whole image for each new
        // container (Ghost's is ~700 MB); a droplet's overlay2 does not. That copy, timed alone:
        at = Date.now();
        next.run(`docker create --name vfs-copy ${image("ghost")} > /dev/null && docker rm vfs-copy > /dev/null`);
        figures["of which copying Ghost's image for its container (vfs only) ms"] = Date.now() - at;
        // 5. The old droplet is deleted last.
        old.powerOff();
    }, 900_000);

    it("moves every file on the volume intact", () => {
        figures["files checked"] = after.files;
        figures["bytes checked"] = after.bytes;
        expect(after.files).toBeGreaterThan(100);
        expect(after.list).toBe(before.list);
    });

    it("shut the database down cleanly, and it keeps every write it acknowledged", () => {
        expect(readFileSync(join(sandbox.work, "old-mysql.log"), "utf8")).toMatch(/Shutdown complete/);
        waitForDatabase(next);
        const rows = Number(sql(next, "SELECT COUNT(*) FROM drill.writes"));
        figures["database writes acknowledged"] = acknowledged;
        expect(acknowledged).toBeGreaterThan(5);
        expect(rows).toBeGreaterThanOrEqual(acknowledged);
        expect(rows).toBeLessThanOrEqual(acknowledged + 1);
        expect(next.run("docker logs site-mysql 2>&1")).not.toMatch(/crash recovery/i);
    });

    it("brings the containers back with their data: the writer goes on where it was", () => {
        const lines = next.run(`docker exec site-jupyter cat ${writes}`).trim().split("\n");
        expect(lines[0]).toBe("line 1");
        const written = before.list.includes("./jupyter-work/writes.log");
        expect(written).toBe(true);
        expect(next.run("docker ps --format '{{.Names}}' | sort").trim().split("\n")).toEqual(
            containers.map((c) => `site-${c.name}`).sort(),
        );
    });

    it("serves the post written before the drain from the new droplet, through the proxy, as Cloudflare asks for it", () => {
        const at = Date.now();
        const page = blogPage(next, `/${postSlug}/`);
        figures["Ghost's first page on the new droplet, after the proxy's first answer, ms"] = Date.now() - at;
        expect(page).toContain(`<p>${post.text}</p>`);
        expect(page).toContain(post.title);
    });

    it("answers through the proxy on the new droplet, and the old droplet is gone", () => {
        expect(visit(next)).toBe("200");
        expect(old.isOn).toBe(false);
        expect(sandbox.internet(`ip -o link show | grep -c 'eth-droplet' || true`).trim()).toBe("0");
    });
});
