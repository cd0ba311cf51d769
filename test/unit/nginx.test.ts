// The proxy's rendered configuration: what the real nginx proves in test/sandbox/proxy.test.ts and
// test/sandbox/proxyFollows.test.ts, held here line by line so a change shows without root.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { network, routedServiceNames, routedServices, siteHealth } from "../../config/catalogue";
import { cloudflareRanges } from "../../config/cloudflareRanges";
import { parseSettings, Settings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { renderContainers } from "../../render/containers";
import { localPlacement } from "../../render/localPlacement";
import { placeholderSecrets } from "../../render/siteFiles";
import { dockerResolver, openedOnPurpose, renderNginxSiteConfig, siteConfigPath, upstreamResolveSeconds } from "../../render/nginx";
import { prodSettings, prodValues, repoRoot } from "../harness/fixtures";
import { nginxPackages, nginxRoot } from "../sandbox/proxy/proxySandbox";

const settings = prodSettings();
const conf = renderNginxSiteConfig(settings, { trustedProxyRanges: cloudflareRanges });
const lines = conf.split("\n");
/** A top-level block of a configuration's lines, from its head to its closing brace. */
const topBlockOf = (from: string[], start: number) => from.slice(start, from.indexOf("}", start) + 1).map((line) => line.trim());
const topBlock = (start: number) => topBlockOf(lines, start);
const serverBlockFor = (hostname: string, from = lines) =>
    topBlockOf(from, from.lastIndexOf("server {", from.indexOf(`    server_name ${hostname};`)));
/** A location's lines inside a server block, without its braces (an `if` inside it kept whole). */
const location = (block: string[], head: string) => {
    const start = block.indexOf(`${head} {`);
    expect(start).toBeGreaterThan(-1);
    let depth = 0;
    const end = block.findIndex((line, i) => i > start && (depth += (line.endsWith("{") ? 1 : 0) - (line === "}" ? 1 : 0)) < 0);
    return block.slice(start + 1, end);
};

describe("hosts the site does not serve", () => {
    const defaultServer = (port: string) =>
        topBlock(lines.findIndex((line, i) => line === "server {" && lines[i + 1] === `    listen ${port} default_server;`));

    it("close the connection over HTTP", () => {
        expect(defaultServer("80")).toEqual([
            "server {",
            "listen 80 default_server;",
            "listen [::]:80 default_server;",
            "return 444;",
            "}",
        ]);
    });

    it("are refused at the handshake over HTTPS, and a known name's request for another Host is answered 421", () => {
        const server = defaultServer("443 ssl");
        expect(server).toContain("ssl_reject_handshake on;");
        expect(server).toContain("return 421;");
        expect(server.some((line) => /^(root|proxy_pass|location)\b/.test(line))).toBe(false);
    });
});

describe("the apps, followed at run time", () => {
    it("asks Docker's DNS for their addresses, again every few seconds", () => {
        expect(lines).toContain(`resolver ${dockerResolver} valid=${upstreamResolveSeconds}s ipv6=off;`);
        expect(dockerResolver).toBe("127.0.0.11");
        expect(upstreamResolveSeconds).toBeLessThanOrEqual(5);
    });

    it.each(routedServiceNames)("resolves %s by name in a shared zone and keeps connections to it alive", (name) => {
        const upstream = topBlock(lines.indexOf(`upstream ${name} {`));
        expect(upstream).toEqual([
            `upstream ${name} {`,
            `zone upstream_${name} 64k;`,
            `server ${name}:${routedServices[name].port} resolve;`,
            "keepalive 16;",
            "}",
        ]);
    });

    it("gives up on a connection that does not complete within seconds (a container gone)", () => {
        expect(lines).toContain("proxy_connect_timeout 5s;");
    });
});

describe("site health, for the uptime checks", () => {
    it.each(routedServiceNames)("is served on %s's host before its only other location, with no login and no cache", (name) => {
        const server = serverBlockFor(settings.services[name].hostname);
        const head = `location = ${siteHealth.path}`;
        expect(server.indexOf(`${head} {`)).toBeLessThan(server.indexOf("location / {"));
        expect(server.filter((line) => line.startsWith("location "))).toEqual([`${head} {`, "location / {"]);
        const health = location(server, head);
        expect(health).toEqual(
            expect.arrayContaining([
                `root ${siteHealth.volume.containerPath};`,
                `try_files /${siteHealth.file} =503;`,
                'add_header Cache-Control "no-store" always;',
                'add_header Strict-Transport-Security "max-age=63072000" always;',
            ]),
        );
        expect(health.some((line) => /^(auth_basic|limit_req|proxy_)/.test(line))).toBe(false);
        // The login is the app's location's alone: none at the server level would reach the check.
        expect(server.filter((line) => line.startsWith("auth_basic ")).length).toBe(routedServices[name].requiresAuth ? 1 : 0);
        expect(location(server, "location /").some((line) => line.startsWith("auth_basic"))).toBe(routedServices[name].requiresAuth);
    });
});

describe("who may reach each host (allowFrom)", () => {
    const render = (change: (services: Record<string, Record<string, unknown>>) => void, settingsOf = prodValues) => {
        const values = settingsOf();
        change(values.services as Record<string, Record<string, unknown>>);
        return renderNginxSiteConfig(parseSettings(values), { trustedProxyRanges: cloudflareRanges }).split("\n");
    };
    const geoFor = (from: string[], name: string) =>
        topBlockOf(
            from,
            from.findIndex((line) => line.endsWith(` $allowed_${name} {`)),
        );
    const fence = (name: string) => ["if ($allowed_" + name + " = 0) {", "return 403;", "}"];

    it("fences the management host to the stack's adminCidrs by default, by the connection's address when DNS-only", () => {
        expect(geoFor(lines, "portainer")).toEqual([
            "geo $realip_remote_addr $allowed_portainer {",
            "default 0;",
            ...settings.adminCidrs.map((cidr) => `${cidr} 1;`),
            "}",
        ]);
        const app = location(serverBlockFor(settings.services.portainer.hostname), "location /");
        // First in the location: before the rate limit and the login, so an outsider is never asked for a password.
        expect(app.slice(0, 4)).toEqual([...fence("portainer"), 'auth_basic "Management";']);
    });

    it("decides on the address Cloudflare vouches for when the management host is proxied", () => {
        const proxied = render((services) => (services.portainer.proxied = true));
        expect(geoFor(proxied, "portainer")[0]).toBe("geo $remote_addr $allowed_portainer {");
        // $remote_addr is CF-Connecting-IP only from Cloudflare's ranges, and the host refuses anyone else.
        expect(serverBlockFor(settings.services.portainer.hostname, proxied)).toEqual(
            expect.arrayContaining(["if ($from_cloudflare = 0) {", ...fence("portainer")]),
        );
    });

    it("leaves Jupyter and the blog open by default, and fences Jupyter where the stack says", () => {
        expect(conf).not.toMatch(/\$allowed_(jupyter|ghost)/);
        const fenced = render((services) => (services.jupyter.allowFrom = ["198.51.100.7/32"]));
        expect(geoFor(fenced, "jupyter")).toEqual(["geo $realip_remote_addr $allowed_jupyter {", "default 0;", "198.51.100.7/32 1;", "}"]);
        expect(location(serverBlockFor(settings.services.jupyter.hostname, fenced), "location /").slice(0, 3)).toEqual(fence("jupyter"));
    });

    it("keeps site-health reachable from anywhere on every host, fenced or not", () => {
        const fenced = render((services) => {
            services.jupyter.allowFrom = ["198.51.100.7/32"];
            services.ghost.allowFrom = ["198.51.100.7/32"];
        });
        for (const name of routedServiceNames) {
            const server = serverBlockFor(settings.services[name].hostname, fenced);
            expect(location(server, `location = ${siteHealth.path}`).some((line) => line.includes("$allowed_"))).toBe(false);
            // Nothing at the server level, which the site-health location would inherit.
            expect(server.filter((line) => line.includes("$allowed_"))).toEqual([`if ($allowed_${name} = 0) {`]);
        }
    });

    it("opens the management host to anywhere only when the stack says so, and says so in the configuration", () => {
        const open = render((services) => (services.portainer.allowFrom = "anywhere"));
        expect(open.join("\n")).not.toContain("$allowed_portainer");
        expect(serverBlockFor(settings.services.portainer.hostname, open)).toContain(openedOnPurpose(routedServices.portainer).trim());
        expect(conf).not.toContain(openedOnPurpose(routedServices.portainer));
    });

    it("on the local target, lets this machine in as Docker hands it over: from the site network's gateway", () => {
        const local: Settings = parseSettings(readStackFiles("local", repoRoot).values);
        expect(local.adminCidrs).toEqual(["127.0.0.1/32"]);
        const certificates = Object.fromEntries(
            routedServiceNames.map((name) => [local.services[name].hostname, { fullchain: "chain", privkey: "key" }]),
        );
        const proxy = renderContainers(local, placeholderSecrets(), [], localPlacement(local, certificates, {})).find(
            (c) => c.name === "proxy",
        )!;
        const site = String(proxy.uploads.find((u) => u.path === `/etc/nginx/${siteConfigPath}`)!.content).split("\n");
        expect(network.gateway).toBe(network.subnet.replace(/0\/24$/, "1"));
        expect(geoFor(site, "portainer")).toEqual([
            "geo $realip_remote_addr $allowed_portainer {",
            "default 0;",
            "127.0.0.1/32 1;",
            "# This machine (127.0.0.1), as Docker's port publishing hands its connections over.",
            `${network.gateway}/32 1;`,
            "}",
        ]);
        // A droplet publishes on every address and sees visitors as they are: no such entry.
        expect(conf).not.toContain(network.gateway);
    });
});

describe("the nginx the tests run", () => {
    it("is the one CI unpacks: sid's, with every library it links (its OpenSSL is newer than bookworm's)", () => {
        expect(nginxRoot).toBe("/var/cache/site-sandbox/nginx-sid");
        expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).toContain(`fetch-debian.sh sid "$cache/nginx-sid" ${nginxPackages}\n`);
    });
});
