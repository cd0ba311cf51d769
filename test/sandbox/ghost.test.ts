// The front against the real blog: Ghost (./ghost/ghost.ts, the version the stacks deploy) behind
// Debian sid's nginx 1.30 running the rendered configuration over TLS, in the proxy sandbox's
// namespaces (./proxy/proxySandbox.ts). Ghost runs with the rendered container's settings, on
// SQLite, in the visitors' namespace on the upstreams' address. Posts go in through Ghost's Admin
// API with its maintained client (@tryghost/admin-api) and a staff token the test makes. Needs root.
import type { ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import GhostAdminAPI from "@tryghost/admin-api";
import { routedServices } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { renderContainers } from "../../render/containers";
import { maxUploadMegabytes } from "../../render/nginx";
import { placeholderSecrets } from "../../render/siteFiles";
import { prodValues } from "../harness/fixtures";
import { ghostContent, ghostEnvironment, ghostVersion, requireGhost, startGhost, stopGhost } from "./ghost/ghost";
import { request, RequestOptions, Response } from "./proxy/client";
import { cloudflareStandIn, ProxySandbox, requireNginx, upstreamAddress, visitors } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";
import { renderedProxyFiles } from "./proxy/renderedFiles";

const settings = parseSettings(prodValues());
const blog = `https://${settings.services.ghost.hostname}`;
const ghostSpec = renderContainers(settings, placeholderSecrets(), [cloudflareStandIn]).find((c) => c.name === "ghost")!;
const owner = { name: "Site Owner", email: "owner@example.com", password: randomBytes(18).toString("base64url"), blogTitle: "The drill" };
const figures: Record<string, number | string> = {};

let sandbox: ProxySandbox;
let ghost: ChildProcess | undefined;
let ca: string;
let ghostLog = "";
let adminCookie = "";
let api: ReturnType<typeof GhostAdminAPI>;

/** How visitors reach the proxied blog: from Cloudflare (the stand-in range). */
const viaCloudflare = (extra: Partial<RequestOptions> = {}): RequestOptions => ({ via: sandbox, from: visitors.cloudflare, ca, ...extra });
const get = (path: string, headers: Record<string, string> = {}) => request(`${blog}${path}`, viaCloudflare({ headers }));
const json = (response: Response) => JSON.parse(response.body) as Record<string, unknown>;

/** A post's body in Ghost's editor format (Lexical): one paragraph. */
const paragraph = (text: string) =>
    JSON.stringify({
        root: {
            type: "root",
            version: 1,
            direction: "ltr",
            format: "",
            indent: 0,
            children: [
                {
                    type: "paragraph",
                    version: 1,
                    direction: "ltr",
                    format: "",
                    indent: 0,
                    children: [{ type: "text", version: 1, text, detail: 0, format: 0, mode: "normal", style: "" }],
                },
            ],
        },
    });

/** The Admin API's own requests, as Ghost's admin app makes them: JSON, from the blog's origin. */
async function admin(method: string, path: string, body?: unknown): Promise<Response> {
    return request(`${blog}/ghost/api/admin${path}`, {
        ...viaCloudflare(),
        method,
        headers: {
            "Content-Type": "application/json",
            Origin: blog,
            "Accept-Version": "v6.0",
            ...(adminCookie ? { Cookie: adminCookie } : {}),
        },
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
}

beforeAll(async () => {
    requireNginx();
    requireGhost();
    sandbox = new ProxySandbox();
    ca = makeCertificates(
        join(sandbox.work, "letsencrypt"),
        Object.values(settings.services).map((s) => s.hostname),
    );
    sandbox.up(renderedProxyFiles(settings, { trustedProxyRanges: [cloudflareStandIn] }), join(sandbox.work, "letsencrypt"), {
        ghost: "own",
        jupyter: routedServices.jupyter.port,
        portainer: routedServices.portainer.port,
    });
    const content = ghostContent(join(sandbox.work, "ghost-content"));
    const started = Date.now();
    const env = { ...(ghostSpec.env as Record<string, string>), security__staffDeviceVerification: "false" };
    ghost = startGhost(
        sandbox.visitorsPrefix,
        ghostEnvironment(env, { host: upstreamAddress, port: routedServices.ghost.port }, content),
        (chunk) => (ghostLog += chunk),
    );
    await sandbox.ready();
    for (let answered = 0; answered !== 200;) {
        if (Date.now() - started > 120_000) throw new Error(`Ghost did not answer through the proxy:\n${ghostLog}`);
        if (ghost.exitCode !== null) throw new Error(`Ghost exited with ${ghost.exitCode}:\n${ghostLog}`);
        answered = (await get("/").catch(() => ({ status: 0 }))).status;
        if (answered !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    figures["Ghost boot to first page through the proxy ms"] = Date.now() - started;

    // The owner, as Ghost's setup screen makes it, signed in; then a staff token for the Admin API.
    const setup = await admin("POST", "/authentication/setup/", { setup: [owner] });
    if (setup.status >= 300) throw new Error(`setup answered ${setup.status}: ${setup.body}`);
    const session = await admin("POST", "/session/", { username: owner.email, password: owner.password });
    adminCookie = String(session.headers["set-cookie"] ?? "").split(";")[0];
    if (!adminCookie.startsWith("ghost-admin-api-session=")) throw new Error(`no admin session (${session.status}): ${session.body}`);
    const token = json(await admin("GET", "/users/me/token/")) as { apiKey: { id: string; secret: string } };
    api = GhostAdminAPI({
        url: blog,
        key: `${token.apiKey.id}:${token.apiKey.secret}`,
        version: "v6.0",
        // Through the proxy, from Cloudflare's side, as every other visit.
        makeRequest: async ({ url, method, data, params, headers }) => {
            const query = new URLSearchParams(params as Record<string, string>).toString();
            const response = await request(`${url}${query ? `?${query}` : ""}`, {
                ...viaCloudflare(),
                method,
                headers: { ...(headers as Record<string, string>), "Content-Type": "application/json" },
                body: data === undefined ? undefined : Buffer.from(JSON.stringify(data)),
            });
            const body = response.body ? (JSON.parse(response.body) as unknown) : {};
            if (response.status >= 400)
                throw Object.assign(new Error(`${method} ${url}: ${response.status}`), { response: { data: body } });
            return body;
        },
    });
}, 240_000);

afterAll(async () => {
    console.log(`real Ghost ${ghostVersion} behind the proxy: ${JSON.stringify(figures)}`);
    await stopGhost(ghost);
    await sandbox?.down();
});

describe("the real Ghost behind the rendered proxy", () => {
    it("serves its home page over HTTPS without a redirect loop, and redirects plain HTTP once", async () => {
        const home = await get("/");
        expect(home.status).toBe(200);
        expect(home.body).toContain(`<meta name="generator" content="Ghost ${ghostVersion.split(".").slice(0, 2).join(".")}`);
        const plain = await request(`http://${settings.services.ghost.hostname}/`, viaCloudflare());
        expect([plain.status, plain.headers.location]).toEqual([301, `${blog}/`]);
    });

    it("runs the repo's theme once it is activated, at once for the signed-in owner", async () => {
        expect((await get("/", { Cookie: adminCookie })).body).toContain('class="gh-head'); // Ghost's default theme, Casper
        await api.themes.activate("site");
        const home = await get("/", { Cookie: adminCookie });
        expect(home.body).toContain(`<header><a href="${blog}">${owner.blogTitle}</a></header>`);
        expect(home.body).not.toContain('class="gh-head');
    });

    it("publishes a post made through the Admin API, and caches it for anonymous visitors", async () => {
        const post = await api.posts.add({
            title: "Written through the Admin API",
            lexical: paragraph("Hello from the drill."),
            status: "published",
        });
        const first = await get(`/${post.slug}/`);
        expect(first.status).toBe(200);
        expect(first.body).toContain("<h1>Written through the Admin API</h1>"); // the repo's post.hbs
        expect(first.body).toContain("<p>Hello from the drill.</p>");
        expect(first.headers["x-cache-status"]).toBe("MISS");
        const again = await get(`/${post.slug}/`);
        expect(again.headers["x-cache-status"]).toBe("HIT");
        let hits = 0;
        for (let i = 0; i < 20; i++) if ((await get(`/${post.slug}/`)).headers["x-cache-status"] === "HIT") hits++;
        figures["cache hits of 20 anonymous visits"] = hits;
    });

    it("never serves a signed-in member or the admin from the cache", async () => {
        expect((await get("/", { Cookie: "ghost-members-ssr=signed-in" })).headers["x-cache-status"]).toBe("BYPASS");
        expect((await get("/", { Cookie: adminCookie })).headers["x-cache-status"]).toBe("BYPASS");
        const twice = [await admin("GET", "/posts/?limit=1"), await admin("GET", "/posts/?limit=1")];
        expect(twice.map((r) => [r.status, r.headers["x-cache-status"]])).toEqual([
            [200, "BYPASS"],
            [200, "BYPASS"],
        ]);
    });

    it("takes an upload at the proxy's size limit into Ghost and serves it back intact; one byte more is refused before Ghost", async () => {
        const limit = maxUploadMegabytes * 1024 * 1024;
        /** A multipart upload of a gzip file (one of Ghost's file types) making a body of `bodyBytes`. */
        const upload = async (bodyBytes: number) => {
            const encode = async (file: Buffer) => {
                const form = new FormData();
                form.append("file", new Blob([file], { type: "application/gzip" }), "archive.gz");
                const encoded = new globalThis.Response(form);
                return { body: Buffer.from(await encoded.arrayBuffer()), type: encoded.headers.get("content-type")! };
            };
            const random = gzipSync(randomBytes(bodyBytes), { level: 0 });
            const overhead = (await encode(Buffer.alloc(0))).body.length;
            const file = random.subarray(0, bodyBytes - overhead);
            const { body, type } = await encode(file);
            expect(body.length).toBe(bodyBytes);
            const response = await request(`${blog}/ghost/api/admin/files/upload/`, {
                ...viaCloudflare(),
                method: "POST",
                headers: { "Content-Type": type, Origin: blog, "Accept-Version": "v6.0", Cookie: adminCookie },
                body,
            });
            return { response, file };
        };
        const started = Date.now();
        const atLimit = await upload(limit);
        figures[`upload of ${maxUploadMegabytes} MB ms`] = Date.now() - started;
        expect(atLimit.response.status).toBe(201);
        const url = (json(atLimit.response) as { files: { url: string }[] }).files[0].url;
        const served = await request(url, viaCloudflare());
        expect(served.status).toBe(200);
        expect(createHash("sha256").update(Buffer.from(served.body, "latin1")).digest("hex")).toBe(
            createHash("sha256").update(atLimit.file).digest("hex"),
        );

        const over = (await upload(limit + 1)).response;
        expect([over.status, over.body]).toEqual([413, expect.stringContaining("<center>nginx</center>")]); // the proxy's page, not Ghost's JSON
    });

    it("loads Ghost's admin through the proxy", async () => {
        const page = await get("/ghost/");
        expect(page.status).toBe(200);
        expect(page.headers["content-type"]).toMatch(/text\/html/);
        expect(page.body).toMatch(/ghost/i);
    });

    it("refuses visitors who go around Cloudflare, before Ghost sees them", async () => {
        expect((await request(`${blog}/`, { via: sandbox, from: visitors.direct, ca })).status).toBe(403);
    });
});
