// The real Ghost for the tests: Ghost 6 on Node 22, installed from the npm registry by
// fetch-ghost.sh into a cache folder (.ci/run does), at the version in ./version, which a unit test
// keeps equal to the tag of `site:ghostImage`. Ghost runs on SQLite here (MySQL 8 cannot be had),
// always inside one of the sandbox's network namespaces, with every call home switched off.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stopProcess } from "../stopProcess";

export const ghostVersion = readFileSync(join(__dirname, "version"), "utf8").trim();
export const ghostRoot = `/var/cache/site-sandbox/ghost-${ghostVersion}`;
const node = join(ghostRoot, "node/bin/node");
const install = `bash test/sandbox/ghost/fetch-ghost.sh ${ghostVersion} ${ghostRoot}`;

export function requireGhost(): void {
    if (!existsSync(join(ghostRoot, ".installed")) || !existsSync(node)) {
        throw new Error(`Ghost ${ghostVersion} on Node 22 is not installed in ${ghostRoot}; install it with: ${install} (.ci/run does)`);
    }
}

/**
 * A content folder as Ghost's own install has it (its default theme included), with the repo's
 * themes beside it: `site` is what the blog runs.
 */
export function ghostContent(dir: string, themes = resolve(__dirname, "../../../themes")): string {
    cpSync(join(ghostRoot, "ghost/content"), dir, { recursive: true });
    cpSync(themes, join(dir, "themes"), { recursive: true });
    mkdirSync(join(dir, "data"), { recursive: true });
    return dir;
}

/**
 * Ghost's rendered settings (`env` of the spec) with its database on SQLite in the content folder
 * (MySQL 8 cannot be had here), and no call home (update checks, Gravatar, pings:
 * privacy.useTinfoil). The only change the tests make to what the program renders for Ghost.
 */
export function onSqlite(env: Readonly<Record<string, string>>, content: string): Record<string, string> {
    return {
        ...Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("database__"))),
        database__client: "sqlite3",
        database__connection__filename: join(content, "data/ghost.db"),
        privacy__useTinfoil: "true",
    };
}

/** Ghost's settings for a Ghost process (not a container): where to listen, its content folder, logs on stdout. */
export function ghostEnvironment(
    env: Readonly<Record<string, string>>,
    listen: { host: string; port: number },
    content: string,
): Record<string, string> {
    return {
        ...onSqlite(env, content),
        server__host: listen.host,
        server__port: String(listen.port),
        paths__contentPath: content,
        logging__level: "warn",
        logging__transports: '["stdout"]',
    };
}

/** Starts Ghost with `prefix` before the command (e.g. `ip netns exec NS`); its output goes to `log`. */
export function startGhost(prefix: readonly string[], env: Readonly<Record<string, string>>, log: (chunk: string) => void): ChildProcess {
    const [command, ...args] = [...prefix, "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), node, "index.js"];
    const ghost = spawn(command, args, { cwd: join(ghostRoot, "ghost"), stdio: ["ignore", "pipe", "pipe"], detached: true });
    ghost.stdout.on("data", (chunk: Buffer) => log(chunk.toString()));
    ghost.stderr.on("data", (chunk: Buffer) => log(chunk.toString()));
    return ghost;
}

/** Stops Ghost and everything it started. */
export const stopGhost = (ghost: ChildProcess | undefined) => stopProcess(ghost, { group: true, graceMs: 10_000 });

/**
 * gscan, the validator Ghost runs on every theme it loads (the copy in this Ghost's install, so the
 * rules are this version's), on Node 22 as Ghost runs it: its exit status and its report.
 */
export function gscan(themeDir: string): { status: number | null; report: string } {
    requireGhost();
    const cli = join(ghostRoot, "ghost/node_modules/gscan/bin/cli.js");
    const run = spawnSync(node, [cli, themeDir], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
    return { status: run.status, report: `${run.stdout}${run.stderr}`.trim() };
}

export interface AdminCall {
    readonly status: string;
    readonly body: string;
}

/**
 * Admin API calls with curl, as Ghost's admin app makes them: JSON, from the blog's own origin,
 * with the session cookie Ghost sets at sign-in (kept in `work`). `run` runs a shell command where
 * the visitor is (on a droplet, on the internet); `curlOptions` says how to reach the blog
 * (`--resolve`, the CA).
 */
export function ghostAdmin(
    run: (command: string) => string,
    blog: string,
    curlOptions: string,
    work: string,
): (method: string, path: string, body?: unknown) => AdminCall {
    const [cookies, request, response] = ["ghost-cookies", "ghost-request.json", "ghost-response"].map((file) => join(work, file));
    return (method, path, body) => {
        if (body !== undefined) writeFileSync(request, JSON.stringify(body));
        const data = body === undefined ? "" : `-H 'Content-Type: application/json' --data-binary @${request}`;
        const status = run(
            `curl -sS --max-time 30 ${curlOptions} -X ${method} -o ${response} -w '%{http_code}' -b ${cookies} -c ${cookies} -H 'Origin: ${blog}' ${data} ${blog}/ghost/api/admin${path}`,
        );
        return { status, body: readFileSync(response, "utf8") };
    };
}

/** The blog's owner, as Ghost's setup screen makes them, signed in: `admin` then acts as the owner. */
export function setUpOwner(
    admin: ReturnType<typeof ghostAdmin>,
    owner: { name: string; email: string; password: string; blogTitle: string },
): void {
    for (const [path, body, expected] of [
        ["/authentication/setup/", { setup: [owner] }, "201"],
        ["/session/", { username: owner.email, password: owner.password }, "201"],
    ] as const) {
        const call = admin("POST", path, body);
        if (call.status !== expected) throw new Error(`Ghost answered ${call.status} to POST ${path}: ${call.body}`);
    }
}
