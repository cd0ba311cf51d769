// A declared app's database (site:apps.<name>.database), made by the real server from the rendered
// SQL alone (render/appDatabases.ts): Debian's MariaDB (MySQL 8 is not to be had here; MariaDB reads
// --init-file the same way), started on a data folder of its own with --init-file and no network,
// never logged in to as root. The app's user gets in with its password (quotes and backslashes
// included), sees and may change its own database only; a second start changes nothing; a changed
// password applies at the next start. Needs root (mariadbd runs as the user starting it).
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSettings } from "../../config/schema";
import { renderAppDatabaseSql } from "../../render/appDatabases";
import { exampleAppSecrets, prodValues, withApps } from "../harness/fixtures";
/** Debian bookworm's MariaDB, unpacked by fetch-debian.sh (as test/sandbox/replacement.test.ts uses it). */
const mariadbRoot = "/var/cache/site-sandbox/mariadb-bookworm";

const values = prodValues();
withApps(values);
const settings = parseSettings(values, Object.keys(exampleAppSecrets));
const links = settings.apps.find((app) => app.database)!;
const libraries = join(mariadbRoot, "usr/lib/x86_64-linux-gnu");
const env = { ...process.env, LD_LIBRARY_PATH: libraries };
const work = mkdtempSync(join(tmpdir(), "site-appdb-"));
const socket = join(work, "mysqld.sock");
const sqlFile = join(work, "apps.sql");
let server: ChildProcess | undefined;

function start(password: string): Promise<void> {
    rmSync(socket, { force: true });
    writeFileSync(sqlFile, renderAppDatabaseSql(settings.apps, { [links.name]: password }), { mode: 0o600 });
    server = spawn(
        join(mariadbRoot, "usr/sbin/mariadbd"),
        [
            "--no-defaults",
            "--user=root",
            `--basedir=${join(mariadbRoot, "usr")}`,
            `--datadir=${join(work, "data")}`,
            `--socket=${socket}`,
            "--skip-networking",
            `--log-error=${join(work, "server.log")}`,
            `--init-file=${sqlFile}`,
        ],
        { env, stdio: "ignore" },
    );
    const deadline = Date.now() + 30_000;
    return new Promise((resolve, reject) => {
        const poll = () => {
            if (server?.exitCode !== null) return reject(new Error(`mariadbd exited: see ${join(work, "server.log")}`));
            if (existsSync(socket)) return resolve();
            if (Date.now() > deadline) return reject(new Error("mariadbd did not start"));
            setTimeout(poll, 100);
        };
        poll();
    });
}

async function stop(): Promise<void> {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server!.once("exit", resolve));
    server.kill("SIGTERM");
    await exited;
}

/** A statement as the app's user, with a password: its output, or the client's error. */
function asApp(password: string, statement: string): string {
    try {
        return execFileSync(
            join(mariadbRoot, "usr/bin/mariadb"),
            ["--no-defaults", "-S", socket, "-u", links.database!.name, `-p${password}`, "-N", "-B", "-e", statement],
            { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
        ).trim();
    } catch (error) {
        return `error: ${String((error as { stderr: string }).stderr).trim()}`;
    }
}

const password = "it's a \\ pass";

beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error("this test needs root: mariadbd runs as the user starting it");
    if (!existsSync(join(mariadbRoot, "usr/sbin/mariadbd"))) {
        throw new Error(
            `Debian's MariaDB is not unpacked in ${mariadbRoot}; get it with: bash test/sandbox/fetch-debian.sh bookworm ${mariadbRoot} mariadb-server-core mariadb-client-core mariadb-client mariadb-common liburing2 libaio1 (.ci/run does)`,
        );
    }
    // A new server's data folder, as the image's entrypoint makes it on a first start.
    execFileSync(
        join(mariadbRoot, "usr/bin/mariadb-install-db"),
        ["--no-defaults", "--user=root", `--basedir=${join(mariadbRoot, "usr")}`, `--datadir=${join(work, "data")}`, "--skip-test-db"],
        { env, stdio: "ignore" },
    );
    await start(password);
}, 60_000);

afterAll(async () => {
    await stop();
    rmSync(work, { recursive: true, force: true });
});

it("lets the app's user in with its password, to its own database only", () => {
    expect(asApp(password, "SELECT CURRENT_USER()")).toBe("links@%");
    expect(asApp(password, "SHOW DATABASES").split("\n")).toEqual(["information_schema", "links"]);
    expect(
        asApp(password, "CREATE TABLE links.urls (id INT PRIMARY KEY); INSERT INTO links.urls VALUES (1); SELECT COUNT(*) FROM links.urls"),
    ).toBe("1");
    expect(asApp(password, "CREATE DATABASE other")).toMatch(/^error: [\s\S]*Access denied/);
    expect(asApp(password, "SELECT COUNT(*) FROM mysql.user")).toMatch(/^error: [\s\S]*denied/);
    expect(asApp("wrong", "SELECT 1")).toMatch(/^error: [\s\S]*Access denied/);
});

it("runs the same file at the next start without error, keeping the app's data", async () => {
    await stop();
    await start(password);
    expect(asApp(password, "SELECT COUNT(*) FROM links.urls")).toBe("1");
});

it("applies a changed password at the next start", async () => {
    await stop();
    await start("a new one");
    expect(asApp(password, "SELECT 1")).toMatch(/^error: [\s\S]*Access denied/);
    expect(asApp("a new one", "SELECT COUNT(*) FROM links.urls")).toBe("1");
});
