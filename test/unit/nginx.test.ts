// The proxy's rendered configuration: what the real nginx proves in test/sandbox/proxy.test.ts and
// test/sandbox/proxyFollows.test.ts, held here line by line so a change shows without root.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { routedServiceNames, routedServices, siteHealth } from "../../config/catalogue";
import { cloudflareRanges } from "../../config/cloudflareRanges";
import { dockerResolver, renderNginxSiteConfig, upstreamResolveSeconds } from "../../render/nginx";
import { prodSettings, repoRoot } from "../harness/fixtures";
import { nginxPackages, nginxRoot } from "../sandbox/proxy/proxySandbox";

const settings = prodSettings();
const conf = renderNginxSiteConfig(settings, { trustedProxyRanges: cloudflareRanges });
const lines = conf.split("\n");
/** A top-level block, from its head to its closing brace. */
const topBlock = (start: number) => lines.slice(start, lines.indexOf("}", start) + 1).map((line) => line.trim());
const serverBlockFor = (hostname: string) => topBlock(lines.lastIndexOf("server {", lines.indexOf(`    server_name ${hostname};`)));
/** A location's lines inside a server block, without its braces. */
const location = (block: string[], head: string) => {
    const start = block.indexOf(`${head} {`);
    expect(start).toBeGreaterThan(-1);
    return block.slice(start + 1, block.indexOf("}", start));
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

describe("the nginx the tests run", () => {
    it("is the one CI unpacks: sid's, with every library it links (its OpenSSL is newer than bookworm's)", () => {
        expect(nginxRoot).toBe("/var/cache/site-sandbox/nginx-sid");
        expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).toContain(`fetch-debian.sh sid "$cache/nginx-sid" ${nginxPackages}\n`);
    });
});
