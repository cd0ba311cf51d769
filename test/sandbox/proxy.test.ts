// The reverse proxy, proven with the real nginx running the rendered configuration
// (test/sandbox/proxy/proxySandbox.ts): routing, websockets, the management login, TLS, headers, limits,
// visitor addresses, Cloudflare-only origins and the Ghost cache. Needs root.
import { join } from "node:path";
import type WebSocket from "ws";
import { routedServiceNames, routedServices, siteHealth } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { maxUploadMegabytes, managementUser } from "../../render/nginx";
import { prodValues } from "../harness/fixtures";
import { ghostRequests } from "../harness/ghostRequests";
import { basicAuth, echo, handshake, openWebSocket, request, RequestOptions } from "./proxy/client";
import { cloudflareStandIn, ProxySandbox, requireNginx, visitors } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";
import { renderedProxyFiles } from "./proxy/renderedFiles";
import { StandIn } from "./proxy/upstreams";

// The prod stack's adminCidrs hold 203.0.113.0/24: the direct visitor and the attacker are inside
// (the login tests are theirs), the Cloudflare stand-in's address 198.51.100.7 is outside.
const settings = parseSettings(prodValues());
/** An address outside adminCidrs, as Cloudflare would vouch for it. */
const outsider = "192.0.2.44";
const host = {
    ghost: settings.services.ghost.hostname,
    jupyter: settings.services.jupyter.hostname,
    portainer: settings.services.portainer.hostname,
};
const password = "correct horse battery staple";
const upstreams = { ghost: new StandIn("ghost"), jupyter: new StandIn("jupyter"), portainer: new StandIn("portainer") };

let sandbox: ProxySandbox;
let ca: string;
let idleSocket: WebSocket;
let idleSince: number;

/** From Cloudflare (the stand-in range): how visitors reach the proxied blog. */
const viaCloudflare = (extra: Partial<RequestOptions> = {}): RequestOptions => ({ via: sandbox, from: visitors.cloudflare, ca, ...extra });
/** Straight from a visitor: how the DNS-only hosts are reached. */
const direct = (extra: Partial<RequestOptions> = {}): RequestOptions => ({ via: sandbox, from: visitors.direct, ca, ...extra });
const json = (body: string) =>
    JSON.parse(body) as { upstream: string; path: string; bodyBytes: number; realIp: string; forwardedFor: string; forwardedProto: string };

beforeAll(async () => {
    requireNginx();
    sandbox = new ProxySandbox();
    ca = makeCertificates(join(sandbox.work, "letsencrypt"), Object.values(host));
    sandbox.up(
        renderedProxyFiles(settings, { trustedProxyRanges: [cloudflareStandIn] }, password),
        join(sandbox.work, "letsencrypt"),
        Object.fromEntries(Object.keys(upstreams).map((name) => [name, routedServices[name as keyof typeof upstreams].port])),
    );
    for (const [name, standIn] of Object.entries(upstreams)) await standIn.listen(sandbox.upstreamSocket(name));
    await sandbox.ready();
    // Opened now, used by the last test, after more than nginx's default 60 s of silence.
    idleSocket = await openWebSocket(`wss://${host.jupyter}/api/kernels/idle/channels`, direct());
    idleSince = Date.now();
}, 60_000);

afterAll(async () => {
    idleSocket?.terminate();
    await Promise.all(Object.values(upstreams).map((u) => u.close()));
    await sandbox?.down();
});

describe("routing", () => {
    it("sends each hostname to its own service", async () => {
        expect(json((await request(`https://${host.ghost}/`, viaCloudflare())).body).upstream).toBe("ghost");
        expect(json((await request(`https://${host.jupyter}/tree`, direct())).body).upstream).toBe("jupyter");
        const portainer = await request(
            `https://${host.portainer}/`,
            direct({ headers: { Authorization: basicAuth(managementUser, password) } }),
        );
        expect(json(portainer.body).upstream).toBe("portainer");
    });

    it("closes the connection for a Host it does not serve, over HTTP and HTTPS, never serving a default site", async () => {
        await expect(request("http://unknown.example.net/", direct())).rejects.toThrow(/socket hang up|ECONNRESET/);
        await expect(handshake("unknown.example.net", { via: sandbox, from: visitors.direct, ca })).rejects.toThrow(
            /unrecognized name|alert/i,
        );
        await expect(handshake("", { via: sandbox, from: visitors.direct, ca, servername: undefined })).rejects.toThrow();
    });

    it("answers 421 to a Host it does not serve sent under a name it does, never a default page", async () => {
        // The handshake names a host the site serves (its certificate verifies); the request then asks for another.
        for (const [name, options] of [
            [host.jupyter, direct()],
            [host.ghost, viaCloudflare()],
        ] as const) {
            const received = Object.values(upstreams).reduce((sum, u) => sum + u.received.length, 0);
            const response = await request(`https://${name}/`, { ...options, headers: { Host: "unknown.example.net" } });
            expect(response.status).toBe(421);
            expect(response.body).not.toMatch(/Welcome to nginx/i);
            expect(Object.values(upstreams).reduce((sum, u) => sum + u.received.length, 0)).toBe(received);
        }
        // Over plain HTTP, a known name's redirect never carries another Host: the connection is closed.
        await expect(request(`http://${host.jupyter}/`, direct({ headers: { Host: "unknown.example.net" } }))).rejects.toThrow(
            /socket hang up|ECONNRESET/,
        );
    });

    it("finds the apps by asking the resolver the configuration names (Docker's), not a hosts file", () => {
        expect(new Set(sandbox.dnsQueries())).toEqual(new Set(routedServiceNames));
    });

    it("redirects plain HTTP to HTTPS, keeping the path", async () => {
        const response = await request(`http://${host.jupyter}/lab?x=1`, direct());
        expect(response.status).toBe(301);
        expect(response.headers.location).toBe(`https://${host.jupyter}/lab?x=1`);
    });

    it("speaks HTTP/2 to browsers that offer it", async () => {
        expect((await handshake(host.jupyter, { via: sandbox, from: visitors.direct, ca, ALPNProtocols: ["h2", "http/1.1"] })).alpn).toBe(
            "h2",
        );
    });
});

describe("site health, for the uptime checks", () => {
    const everyHost = () =>
        [
            [host.ghost, viaCloudflare()],
            [host.jupyter, direct()],
            // The management host too, without credentials.
            [host.portainer, direct()],
        ] as const;
    const upstreamRequests = () => Object.values(upstreams).reduce((sum, u) => sum + u.received.length, 0);

    it("serves the host's ok file on every host, before any login, never cached and never from an app", async () => {
        sandbox.setSiteHealthy(true);
        const before = upstreamRequests();
        for (const [name, options] of everyHost()) {
            for (let i = 0; i < 2; i++) {
                const response = await request(`https://${name}${siteHealth.path}`, options);
                expect([name, response.status, response.body]).toEqual([name, 200, "ok\n"]);
                expect(response.headers["cache-control"]).toBe("no-store");
                expect(response.headers["x-cache-status"]).toBeUndefined();
                expect(response.headers["strict-transport-security"]).toBe("max-age=63072000");
            }
        }
        expect(upstreamRequests()).toBe(before);
    });

    it("answers 503 on every host once the host removed the file, and 200 again when it is back", async () => {
        sandbox.setSiteHealthy(false);
        for (const [name, options] of everyHost()) {
            const response = await request(`https://${name}${siteHealth.path}`, options);
            expect([name, response.status]).toEqual([name, 503]);
            expect(response.headers["cache-control"]).toBe("no-store");
        }
        sandbox.setSiteHealthy(true);
        expect((await request(`https://${host.ghost}${siteHealth.path}`, viaCloudflare())).status).toBe(200);
    });

    it("keeps a proxied host's check behind Cloudflare, as the rest of the host", async () => {
        expect((await request(`https://${host.ghost}${siteHealth.path}`, direct())).status).toBe(403);
    });
});

describe("websockets", () => {
    it("passes a Jupyter kernel websocket: handshake and echo", async () => {
        const socket = await openWebSocket(`wss://${host.jupyter}/api/kernels/k1/channels`, direct());
        expect(await echo(socket, "hello kernel")).toBe("echo:hello kernel");
        socket.close();
    });

    it("passes Portainer's console websocket, behind the login", async () => {
        await expect(openWebSocket(`wss://${host.portainer}/api/websocket/exec?id=1`, direct())).rejects.toThrow(/401/);
        const socket = await openWebSocket(
            `wss://${host.portainer}/api/websocket/exec?id=1`,
            direct({ headers: { Authorization: basicAuth(managementUser, password) } }),
        );
        expect(await echo(socket, "ls")).toBe("echo:ls");
        socket.close();
    });
});

describe("management login", () => {
    it("answers 401 without credentials and with wrong ones, and passes the right ones", async () => {
        const url = `https://${host.portainer}/api/status`;
        const before = upstreams.portainer.count("/api/status");
        expect((await request(url, direct())).status).toBe(401);
        expect((await request(url, direct({ headers: { Authorization: basicAuth(managementUser, "wrong") } }))).status).toBe(401);
        expect((await request(url, direct({ headers: { Authorization: basicAuth("root", password) } }))).status).toBe(401);
        expect(upstreams.portainer.count("/api/status")).toBe(before);
        expect((await request(url, direct({ headers: { Authorization: basicAuth(managementUser, password) } }))).status).toBe(200);
    });

    it("rate-limits a burst of guesses with 429, per visitor address", async () => {
        const guesses = await Promise.all(
            Array.from({ length: 60 }, (_, i) =>
                request(`https://${host.portainer}/`, {
                    via: sandbox,
                    from: visitors.attacker,
                    ca,
                    headers: { Authorization: basicAuth(managementUser, `guess-${i}`) },
                }),
            ),
        );
        const statuses = guesses.map((g) => g.status);
        expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
        expect(statuses.filter((s) => s !== 429 && s !== 401)).toEqual([]);
        // Another visitor is not affected.
        expect(
            (await request(`https://${host.portainer}/`, direct({ headers: { Authorization: basicAuth(managementUser, password) } })))
                .status,
        ).toBe(200);
    });
});

describe("the management host answers only the owner's addresses (allowFrom: adminCidrs by default)", () => {
    const url = `https://${host.portainer}/api/status`;
    const withPassword = { Authorization: basicAuth(managementUser, password) };

    it("is in adminCidrs: the admin addresses are, the other visitor is not", () => {
        expect(settings.services.portainer.allowFrom).toEqual(settings.adminCidrs);
        expect(settings.adminCidrs).toContain("203.0.113.0/24");
        expect(settings.services.portainer.proxied).toBe(false);
    });

    it("asks an admin address for the password (401), and passes the right one (200)", async () => {
        expect((await request(url, direct())).status).toBe(401);
        expect((await request(url, direct({ headers: withPassword }))).status).toBe(200);
    });

    it("answers any other address 403, with the right password too, before the login and without a word to Portainer", async () => {
        const before = upstreams.portainer.received.length;
        for (const headers of [{}, withPassword]) {
            const response = await request(url, { via: sandbox, from: visitors.cloudflare, ca, headers });
            expect(response.status).toBe(403);
            expect(response.headers["www-authenticate"]).toBeUndefined();
            expect(response.headers["strict-transport-security"]).toBe("max-age=63072000");
        }
        await expect(
            openWebSocket(`wss://${host.portainer}/api/websocket/exec?id=1`, {
                via: sandbox,
                from: visitors.cloudflare,
                ca,
                headers: withPassword,
            }),
        ).rejects.toThrow(/403/);
        expect(upstreams.portainer.received.length).toBe(before);
    });

    it("decides a DNS-only host by the connection: an admin address in CF-Connecting-IP opens nothing, even from Cloudflare's ranges", async () => {
        const claimed = { "CF-Connecting-IP": visitors.direct, ...withPassword };
        expect((await request(url, { via: sandbox, from: visitors.cloudflare, ca, headers: claimed })).status).toBe(403);
    });

    it("keeps site-health open to everyone: the uptime checkers are outside adminCidrs", async () => {
        sandbox.setSiteHealthy(true);
        const response = await request(`https://${host.portainer}${siteHealth.path}`, { via: sandbox, from: visitors.cloudflare, ca });
        expect([response.status, response.body]).toEqual([200, "ok\n"]);
    });
});

describe("the management host proxied by Cloudflare: the address Cloudflare vouches for decides", () => {
    const proxiedSettings = (() => {
        const values = prodValues();
        (values.services as Record<string, Record<string, unknown>>).portainer.proxied = true;
        return parseSettings(values);
    })();
    const portainer = new StandIn("portainer");
    let behind: ProxySandbox;
    const url = `https://${host.portainer}/api/status`;
    const withPassword = { Authorization: basicAuth(managementUser, password) };
    const throughCloudflare = (visitor: string | undefined, headers: Record<string, string> = {}) =>
        request(url, {
            via: behind,
            from: visitors.cloudflare,
            ca,
            headers: { ...(visitor ? { "CF-Connecting-IP": visitor } : {}), ...headers },
        });

    beforeAll(async () => {
        behind = new ProxySandbox();
        behind.up(
            renderedProxyFiles(proxiedSettings, { trustedProxyRanges: [cloudflareStandIn] }, password),
            join(sandbox.work, "letsencrypt"),
            { portainer: routedServices.portainer.port },
        );
        await portainer.listen(behind.upstreamSocket("portainer"));
        await behind.ready();
    }, 60_000);

    afterAll(async () => {
        await portainer.close();
        await behind?.down();
    });

    it("asks a visitor at an admin address for the password (401), and passes the right one (200)", async () => {
        expect(proxiedSettings.services.portainer.proxied).toBe(true);
        expect((await throughCloudflare(visitors.direct)).status).toBe(401);
        expect((await throughCloudflare(visitors.direct, withPassword)).status).toBe(200);
    });

    it("answers a visitor at any other address 403, with the right password too", async () => {
        const before = portainer.received.length;
        expect((await throughCloudflare(outsider)).status).toBe(403);
        expect((await throughCloudflare(outsider, withPassword)).status).toBe(403);
        // Cloudflare's own address, should it send no visitor's, is no owner's either.
        expect((await throughCloudflare(undefined, withPassword)).status).toBe(403);
        expect(portainer.received.length).toBe(before);
    });

    it("refuses an admin address going around Cloudflare (403), and keeps site-health open to everyone through it", async () => {
        expect((await request(url, { via: behind, from: visitors.direct, ca, headers: withPassword })).status).toBe(403);
        behind.setSiteHealthy(true);
        const health = await request(`https://${host.portainer}${siteHealth.path}`, {
            via: behind,
            from: visitors.cloudflare,
            ca,
            headers: { "CF-Connecting-IP": outsider },
        });
        expect([health.status, health.body]).toEqual([200, "ok\n"]);
    });
});

describe("TLS", () => {
    it("serves every host a certificate that verifies against the CA, for its own name", async () => {
        for (const name of Object.values(host)) {
            await expect(handshake(name, { via: sandbox, from: visitors.direct, ca })).resolves.toMatchObject({
                protocol: expect.stringMatching(/TLSv1\.[23]/),
            });
        }
    });

    it("speaks TLS 1.3 and TLS 1.2 with an ECDHE AEAD suite", async () => {
        expect((await handshake(host.jupyter, { via: sandbox, from: visitors.direct, ca, minVersion: "TLSv1.3" })).protocol).toBe(
            "TLSv1.3",
        );
        const tls12 = await handshake(host.jupyter, {
            via: sandbox,
            from: visitors.direct,
            ca,
            maxVersion: "TLSv1.2",
            ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256",
        });
        expect(tls12).toMatchObject({ protocol: "TLSv1.2", cipher: "ECDHE-ECDSA-AES128-GCM-SHA256" });
    });

    it("refuses TLS 1.1 and CBC suites (Mozilla intermediate)", async () => {
        const legacy = {
            via: sandbox,
            from: visitors.direct,
            ca,
            minVersion: "TLSv1.1" as const,
            maxVersion: "TLSv1.1" as const,
            ciphers: "DEFAULT@SECLEVEL=0",
        };
        await expect(handshake(host.jupyter, legacy)).rejects.toThrow(/protocol version|no protocols available|wrong version/i);
        await expect(
            handshake(host.jupyter, { via: sandbox, from: visitors.direct, ca, maxVersion: "TLSv1.2", ciphers: "ECDHE-ECDSA-AES128-SHA" }),
        ).rejects.toThrow(/handshake failure|alert/i);
    });
});

describe("headers and limits", () => {
    const securityHeaders = {
        "strict-transport-security": "max-age=63072000",
        "x-content-type-options": "nosniff",
        "referrer-policy": "strict-origin-when-cross-origin",
        "x-frame-options": "SAMEORIGIN",
    };

    it("sends the security headers on every host, on errors too, and hides what the apps are", async () => {
        const responses = [
            await request(`https://${host.ghost}/ghost/`, viaCloudflare()),
            await request(`https://${host.jupyter}/tree`, direct()),
            await request(`https://${host.portainer}/`, direct()),
        ];
        for (const response of responses) {
            expect(response.headers).toMatchObject(securityHeaders);
            expect(response.headers["x-powered-by"]).toBeUndefined();
            expect(response.headers.server).toBe("nginx");
        }
        expect(responses[2].status).toBe(401);
    });

    it("leaves the apps' own frame policy alone (Jupyter's CSP passes through)", async () => {
        expect((await request(`https://${host.jupyter}/tree`, direct())).headers["content-security-policy"]).toBe("frame-ancestors 'self'");
    });

    it("accepts a 20 MB Ghost image upload and refuses one over the limit with 413", async () => {
        const upload = (megabytes: number) =>
            request(
                `https://${host.ghost}/ghost/api/admin/images/upload/`,
                viaCloudflare({ method: "POST", body: Buffer.alloc(megabytes * 1024 * 1024) }),
            );
        const accepted = await upload(20);
        expect(accepted.status).toBe(200);
        expect(json(accepted.body).bodyBytes).toBe(20 * 1024 * 1024);
        expect((await upload(maxUploadMegabytes + 1)).status).toBe(413);
    });
});

describe("visitor addresses and Cloudflare", () => {
    it("restores the visitor's address from CF-Connecting-IP when the request comes from Cloudflare", async () => {
        const seen = json(
            (await request(`https://${host.ghost}/whoami`, viaCloudflare({ headers: { "CF-Connecting-IP": "203.0.113.50" } }))).body,
        );
        expect(seen.realIp).toBe("203.0.113.50");
        expect(seen.forwardedProto).toBe("https");
    });

    it("ignores a forged CF-Connecting-IP from anyone else", async () => {
        const seen = json(
            (await request(`https://${host.jupyter}/whoami`, direct({ headers: { "CF-Connecting-IP": "203.0.113.50" } }))).body,
        );
        expect(seen.realIp).toBe(visitors.direct);
    });

    it("refuses visitors who go around Cloudflare to a proxied host, and serves DNS-only hosts directly", async () => {
        const before = upstreams.ghost.received.length;
        expect((await request(`https://${host.ghost}/`, direct())).status).toBe(403);
        expect(upstreams.ghost.received.length).toBe(before);
        expect((await request(`https://${host.jupyter}/`, direct())).status).toBe(200);
    });
});

describe("Ghost cache, compression, keepalive", () => {
    const get = (path: string, headers: Record<string, string> = {}, method = "GET") =>
        request(`https://${host.ghost}${path}`, viaCloudflare({ headers, method }));

    it("caches a public page: the second visitor is served without asking Ghost", async () => {
        expect((await get("/welcome/")).headers["x-cache-status"]).toBe("MISS");
        expect((await get("/welcome/")).headers["x-cache-status"]).toBe("HIT");
        expect(upstreams.ghost.count("/welcome/")).toBe(1);
    });

    // The same table Cloudflare's cache rule is read against (test/unit/edgeCache.test.ts): the edge
    // and the origin agree on every row. Each row asks for a URL of its own (a `row` query), asked twice.
    it.each(ghostRequests.map((row, index) => [`${row.cached ? "caches" : "never caches"} ${row.what}`, row, index] as const))(
        "%s",
        async (_name, row, index) => {
            const url = `${row.path}${row.path.includes("?") ? "&" : "?"}row=${index}`;
            const ask = () => get(url, row.cookie ? { Cookie: row.cookie } : {}, row.method);
            await ask();
            const second = await ask();
            expect(upstreams.ghost.count(url)).toBe(row.cached ? 1 : 2);
            if (row.cached) expect(second.headers["x-cache-status"]).toBe("HIT");
        },
    );

    it("never caches for a visitor with a session cookie, nor a response that sets one", async () => {
        await get("/about/");
        const member = await get("/about/", { Cookie: "ghost-members-ssr=xyz" });
        expect(member.headers["x-cache-status"]).toBe("BYPASS");
        await get("/set-cookie/");
        await get("/set-cookie/");
        expect(upstreams.ghost.count("/set-cookie/")).toBe(2);
    });

    it("compresses pages, and asks Ghost for them uncompressed so the cache holds one copy", async () => {
        const page = await get("/compressed/", { "Accept-Encoding": "gzip" });
        expect(page.headers["content-encoding"]).toBe("gzip");
        expect(upstreams.ghost.received.find((r) => r.path === "/compressed/")?.headers["accept-encoding"]).toBeUndefined();
    });

    it("reuses its connections to Ghost (keepalive)", async () => {
        const before = upstreams.ghost.connections;
        for (let i = 0; i < 20; i++) await get(`/ghost/api/admin/keepalive-${i}/`);
        // At most one new connection per nginx worker (worker_processes auto: one per core).
        expect(upstreams.ghost.connections - before).toBeLessThanOrEqual(4);
    });
});

describe("long-lived websockets", () => {
    it("keeps an idle websocket open past nginx's 60 s default", async () => {
        const idleMs = 62_000 - (Date.now() - idleSince);
        if (idleMs > 0) await new Promise((r) => setTimeout(r, idleMs));
        expect(Date.now() - idleSince).toBeGreaterThanOrEqual(62_000);
        expect(await echo(idleSocket, "still there")).toBe("echo:still there");
    }, 90_000);
});
