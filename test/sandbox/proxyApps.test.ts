// Apps declared in site:apps, behind the real nginx running the rendered configuration
// (test/sandbox/proxy/proxySandbox.ts): routed by their hostnames to their own upstreams, websocket
// upgrades where the app asks for them, and the management login in front of the one declared
// behind it, which is also proxied, so only Cloudflare reaches it. Needs root.
import { join } from "node:path";
import { parseSettings } from "../../config/schema";
import { managementUser } from "../../render/nginx";
import { exampleAppSecrets, prodValues, withApps } from "../harness/fixtures";
import { basicAuth, echo, openWebSocket, request, RequestOptions } from "./proxy/client";
import { cloudflareStandIn, ProxySandbox, requireNginx, visitors } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";
import { renderedProxyFiles } from "./proxy/renderedFiles";
import { StandIn } from "./proxy/upstreams";

const values = prodValues();
withApps(values);
// A third, with a dash in its name, fenced to 203.0.113.0/28: the direct visitor (203.0.113.1) inside,
// the Cloudflare stand-in's address (198.51.100.7) outside.
(values.apps as Record<string, unknown>)["status-page"] = {
    ...(values.apps as Record<string, object>).uptime,
    hostname: "page.example.com",
    // Each upstream gets its own relay port in the sandbox.
    port: 3002,
    websockets: false,
    proxied: false,
    allowFrom: ["203.0.113.0/28"],
};
// The example apps: uptime (Uptime Kuma: websockets, DNS-only) and links (Shlink: behind the
// management login, proxied by Cloudflare).
const settings = parseSettings(values, Object.keys(exampleAppSecrets));
const host = { uptime: settings.services.uptime.hostname, links: settings.services.links.hostname };
const password = "correct horse battery staple";
const upstreams = Object.fromEntries(settings.routed.map((service) => [service.name, new StandIn(service.name)]));

let sandbox: ProxySandbox;
let ca: string;
const direct = (extra: Partial<RequestOptions> = {}): RequestOptions => ({ via: sandbox, from: visitors.direct, ca, ...extra });
const viaCloudflare = (extra: Partial<RequestOptions> = {}): RequestOptions => ({ via: sandbox, from: visitors.cloudflare, ca, ...extra });
const upstreamOf = (body: string) => (JSON.parse(body) as { upstream: string; forwardedProto: string }).upstream;

beforeAll(async () => {
    requireNginx();
    sandbox = new ProxySandbox();
    ca = makeCertificates(
        join(sandbox.work, "letsencrypt"),
        settings.routed.map((service) => settings.services[service.name].hostname),
    );
    sandbox.up(
        renderedProxyFiles(settings, { trustedProxyRanges: [cloudflareStandIn] }, password),
        join(sandbox.work, "letsencrypt"),
        Object.fromEntries(settings.routed.map((service) => [service.name, service.port])),
    );
    for (const [name, standIn] of Object.entries(upstreams)) await standIn.listen(sandbox.upstreamSocket(name));
    await sandbox.ready();
}, 60_000);

afterAll(async () => {
    await Promise.all(Object.values(upstreams).map((u) => u.close()));
    await sandbox?.down();
});

it("routes each declared app's hostname to that app, by the name Docker's DNS gives it", async () => {
    expect(settings.apps.map((app) => app.name)).toEqual(["uptime", "links", "status-page"]);
    const uptime = await request(`https://${host.uptime}/dashboard`, direct());
    expect([uptime.status, upstreamOf(uptime.body)]).toEqual([200, "uptime"]);
    expect(upstreams.uptime.received.at(-1)?.headers["x-forwarded-proto"]).toBe("https");
    const links = await request(
        `https://${host.links}/rest/health`,
        viaCloudflare({ headers: { Authorization: basicAuth(managementUser, password) } }),
    );
    expect([links.status, upstreamOf(links.body)]).toEqual([200, "links"]);
    expect(sandbox.dnsQueries()).toEqual(expect.arrayContaining(["uptime", "links"]));
});

it("upgrades the websocket of an app that asks for websockets", async () => {
    expect(settings.services.uptime.proxied).toBe(false);
    const socket = await openWebSocket(`wss://${host.uptime}/socket.io/?EIO=4&transport=websocket`, direct());
    try {
        expect(await echo(socket, "ping")).toBe("echo:ping");
    } finally {
        socket.terminate();
    }
});

it("asks for the management login before an app declared behind it: 401 without, 200 with, nothing passed on before", async () => {
    const before = upstreams.links.received.length;
    expect((await request(`https://${host.links}/`, viaCloudflare())).status).toBe(401);
    expect(
        (await request(`https://${host.links}/`, viaCloudflare({ headers: { Authorization: basicAuth(managementUser, "wrong") } }))).status,
    ).toBe(401);
    expect(upstreams.links.received.length).toBe(before);
    const ok = await request(`https://${host.links}/`, viaCloudflare({ headers: { Authorization: basicAuth(managementUser, password) } }));
    expect([ok.status, upstreamOf(ok.body)]).toEqual([200, "links"]);
    // The app without the login answers without asking.
    expect((await request(`https://${host.uptime}/`, direct())).status).toBe(200);
});

it("fences an app to its allowFrom ranges, on the connection's address for a DNS-only host, with a dash in its name", async () => {
    expect(settings.services["status-page"].allowFrom).toEqual(["203.0.113.0/28"]);
    const inside = await request(`https://page.example.com/`, direct());
    expect([inside.status, upstreamOf(inside.body)]).toEqual([200, "status-page"]);
    const before = upstreams["status-page"].received.length;
    // From the Cloudflare stand-in's address, outside the range, whatever CF-Connecting-IP claims: the host is DNS-only.
    expect((await request(`https://page.example.com/`, viaCloudflare({ headers: { "CF-Connecting-IP": "203.0.113.1" } }))).status).toBe(
        403,
    );
    expect(upstreams["status-page"].received.length).toBe(before);
});

it("refuses a visitor going around Cloudflare to the proxied app, with the password too", async () => {
    const before = upstreams.links.received.length;
    const around = await request(`https://${host.links}/`, direct({ headers: { Authorization: basicAuth(managementUser, password) } }));
    expect(around.status).toBe(403);
    expect(upstreams.links.received.length).toBe(before);
});
