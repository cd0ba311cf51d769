// Loopback stand-ins for what the online preflight asks: Cloudflare's trace and API, DigitalOcean's
// account endpoint, and SMTP servers (with STARTTLS and a certificate from a CA made here, without
// STARTTLS). Everything listens on 127.0.0.1, port 0; nothing leaves this machine.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";

export interface Listening {
    readonly url: string;
    readonly port: number;
    close(): Promise<void>;
}

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** An HTTP server on 127.0.0.1 and a free port, handing each request's body to the handler. */
export async function listen(handler: Handler): Promise<Listening> {
    const server: Server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => handler(request, body, response));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return {
        url: `http://127.0.0.1:${port}`,
        port,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}

const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { "Content-Type": "application/json" });
    response.end(JSON.stringify(body));
};

/** A port that was free a moment ago and has nothing listening: connections are refused. */
export async function closedPort(): Promise<number> {
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/** Cloudflare's /cdn-cgi/trace: `key=value` lines, `ip=` set by the test. */
export async function traceStandIn(): Promise<Listening & { ip: string }> {
    const state = { ip: "203.0.113.7" };
    const server = await listen((_request, _body, response) => {
        response.writeHead(200, { "Content-Type": "text/plain" });
        response.end(
            `fl=1f1\nh=www.cloudflare.com\nip=${state.ip}\nts=1700000000.1\nvisit_scheme=https\ncolo=FRA\nhttp=http/1.1\ntls=TLSv1.3\n`,
        );
    });
    return Object.assign(state, server);
}

/** DigitalOcean's GET /v2/account: known tokens get their account, others 401. */
export async function digitaloceanStandIn(accounts: Record<string, { email: string; status: string }>): Promise<Listening> {
    return listen((request, _body, response) => {
        const token = (request.headers.authorization ?? "").replace(/^Bearer /, "");
        if (request.method !== "GET" || request.url !== "/v2/account")
            return json(response, 404, { id: "not_found", message: "The resource you were accessing could not be found." });
        const account = accounts[token];
        if (!account) return json(response, 401, { id: "unauthorized", message: "Unable to authenticate you" });
        json(response, 200, {
            account: {
                droplet_limit: 10,
                email: account.email,
                uuid: "0f7c1e9a",
                email_verified: true,
                status: account.status,
                status_message: "",
            },
        });
    });
}

export interface FakeToken {
    /** Permission names as config/cloudflarePermissions.ts spells them. */
    readonly permissions: readonly string[];
    readonly status?: string;
}

export interface DnsRecord {
    readonly id: string;
    readonly type: string;
    readonly name: string;
    readonly content: string;
}

/** A zone entry point ruleset as Cloudflare returns it (GET …/rulesets/phases/{phase}/entrypoint). */
export interface EntryPointRuleset {
    readonly id: string;
    readonly name: string;
    readonly description: string;
    readonly kind: "zone";
    readonly phase: string;
    readonly version: string;
    readonly last_updated: string;
    readonly rules: readonly { id: string; action: string; expression: string; description: string; enabled: boolean }[];
}

export interface CloudflareStandIn extends Listening {
    readonly records: DnsRecord[];
    readonly zone: { readonly id: string; readonly name: string; websockets: string };
    /** Every settings change, as method and value, to prove nothing changed. */
    readonly settingChanges: unknown[];
    /** The zone's entry point per phase, set by the test; a phase without one answers 404, code 10003. */
    readonly entryPoints: Record<string, EntryPointRuleset>;
    /** Every cache purge's request body, to prove only the preflight's host was purged. */
    readonly purges: unknown[];
    /** When set, deleting a record fails with 500 (to see the leftover warning). */
    failDeletes: boolean;
}

/**
 * Cloudflare's API v4 for one zone, with a permission set per token, answering as Cloudflare does:
 * `{success, errors: [{code, message}], messages, result}`; a call the token may not make gets 403,
 * code 10000; a zone list shows only zones the token may read; a phase without an entry point gets
 * 404, code 10003.
 */
export async function cloudflareStandIn(zoneName: string, tokens: Record<string, FakeToken>): Promise<CloudflareStandIn> {
    const zone = { id: "023e105f4ecef8ad9ca31a8372d0c353", name: zoneName, websockets: "on" };
    const records: DnsRecord[] = [];
    const settingChanges: unknown[] = [];
    const entryPoints: Record<string, EntryPointRuleset> = {};
    const purges: unknown[] = [];
    let nextId = 1;
    const ok = (response: ServerResponse, result: unknown) => json(response, 200, { success: true, errors: [], messages: [], result });
    const fail = (response: ServerResponse, status: number, code: number, message: string) =>
        json(response, status, { success: false, errors: [{ code, message }], messages: [], result: null });
    const server = await listen((request, body, response) => {
        const token = tokens[(request.headers.authorization ?? "").replace(/^Bearer /, "")];
        const url = new URL(request.url ?? "/", "http://stand-in");
        const path = url.pathname.replace(/^\/client\/v4/, "");
        const route = `${request.method} ${path}`;
        if (!token) return fail(response, 401, 1000, "Invalid API Token");
        const may = (permission: string) => token.permissions.includes(permission);
        const denied = () => fail(response, 403, 10000, "Authentication error");

        if (route === "GET /user/tokens/verify")
            return ok(response, { id: "ed17574386854bf78a67040be0a770b0", status: token.status ?? "active" });
        if (route === "GET /zones") {
            const visible = url.searchParams.get("name") === zone.name && may("Zone / Zone / Read");
            return ok(response, visible ? [{ id: zone.id, name: zone.name, status: "active" }] : []);
        }
        const zonePath = `/zones/${zone.id}`;
        if (route === `GET ${zonePath}/settings/websockets`) {
            if (!may("Zone / Zone Settings / Edit")) return denied();
            return ok(response, { id: "websockets", value: zone.websockets, editable: true, modified_on: null });
        }
        if (route === `PATCH ${zonePath}/settings/websockets`) {
            if (!may("Zone / Zone Settings / Edit")) return denied();
            const { value } = JSON.parse(body) as { value: string };
            if (value !== "on" && value !== "off") return fail(response, 400, 1007, "Invalid value for zone setting websockets");
            settingChanges.push(value);
            zone.websockets = value;
            return ok(response, { id: "websockets", value, editable: true, modified_on: new Date().toISOString() });
        }
        if (route === `POST ${zonePath}/dns_records`) {
            if (!may("Zone / DNS / Edit")) return denied();
            const record = JSON.parse(body) as Omit<DnsRecord, "id">;
            if (records.some((r) => r.type === record.type && r.name === record.name && r.content === record.content))
                return fail(response, 400, 81058, "An identical record already exists.");
            const created = { id: `record${nextId++}`, type: record.type, name: record.name, content: record.content };
            records.push(created);
            return ok(response, created);
        }
        const entryPoint = new RegExp(`^GET ${zonePath}/rulesets/phases/(\\w+)/entrypoint$`).exec(route);
        if (entryPoint) {
            if (!may("Zone / Cache Rules / Edit")) return denied();
            const ruleset = entryPoints[entryPoint[1]];
            if (!ruleset) return fail(response, 404, 10003, `could not find entrypoint ruleset in the ${entryPoint[1]} phase`);
            return ok(response, ruleset);
        }
        if (route === `POST ${zonePath}/purge_cache`) {
            if (!may("Zone / Cache Purge / Purge")) return denied();
            const purge = JSON.parse(body) as { hosts?: unknown };
            if (!Array.isArray(purge.hosts) || purge.hosts.length === 0 || purge.hosts.some((host) => typeof host !== "string"))
                return fail(response, 400, 1012, "Invalid purge request (the stand-in takes only a list of hosts)");
            purges.push(purge);
            return ok(response, { id: zone.id });
        }
        const deleting = new RegExp(`^DELETE ${zonePath}/dns_records/(\\w+)$`).exec(route);
        if (deleting) {
            if (!may("Zone / DNS / Edit")) return denied();
            if (state.failDeletes) return fail(response, 500, 10001, "Internal error (stand-in told to fail)");
            const index = records.findIndex((r) => r.id === deleting[1]);
            if (index < 0) return fail(response, 404, 81044, "Record does not exist.");
            records.splice(index, 1);
            return ok(response, { id: deleting[1] });
        }
        fail(response, 404, 7003, `No route for that URI (${route})`);
    });
    const state = Object.assign(server, { records, zone, settingChanges, entryPoints, purges, failDeletes: false });
    return state;
}

/** A CA and a certificate for "localhost" from it, made with openssl in a temporary folder. */
export function makeCertificates(): { dir: string; ca: string; key: string; cert: string } {
    const dir = mkdtempSync(join(tmpdir(), "online-check-"));
    const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=online check test CA");
    run("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
    writeFileSync(join(dir, "server.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n");
    run(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    );
    const read = (name: string) => readFileSync(join(dir, name), "utf8");
    return { dir, ca: read("ca.pem"), key: read("server.key"), cert: read("server.pem") };
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** An SMTP server on 127.0.0.1 with that certificate, with or without STARTTLS. */
export async function smtpStandIn(certificate: { key: string; cert: string }, startTls: boolean): Promise<Listening> {
    const server = new SMTPServer({
        key: certificate.key,
        cert: certificate.cert,
        logger: false,
        authOptional: true,
        ...(startTls ? {} : { hideSTARTTLS: true, disabledCommands: ["STARTTLS"] }),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.server.address() as AddressInfo).port;
    return {
        url: `smtp://127.0.0.1:${port}`,
        port,
        close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
}
