// The local target for real: its rendered containers (the real Ghost, a real nginx built from
// Debian's binary, stand-ins for the rest) on a Docker engine with its defaults, as on a
// developer's machine, and the proxy routing each *.localhost host to its service over TLS, with
// the CA the certificates come from. Ghost works with the port in its URL, and runs the repo's
// themes live. Runs in the host sandbox (test/sandbox/host/sandbox.ts). Needs root.
import { randomBytes } from "node:crypto";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseSettings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { dataVolumes } from "../../config/catalogue";
import { themeFolders } from "../../config/themes";
import { ContainerSpec, renderContainers } from "../../render/containers";
import { localPlacement } from "../../render/localPlacement";
import { managementUser, renderHtpasswd } from "../../render/nginx";
import { bcryptHash } from "../../render/passwordHash";
import { placeholderSecrets } from "../../render/siteFiles";
import { repoRoot } from "../harness/fixtures";
import { ghostAdmin, onSqlite, requireGhost, setUpOwner } from "./ghost/ghost";
import { nginxRoot, requireNginx } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";
import { standInPorts, startContainers } from "./host/containers";
import { engines, requireRootAndTools, Sandbox } from "./host/sandbox";

const settings = parseSettings(readStackFiles("local", repoRoot).values);
const hostnames = Object.values(settings.services).map((s) => s.hostname);
const password = "local-management-password";
const blog = `https://${settings.services.ghost.hostname}:${settings.localHttpsPort}`;
let sandbox: Sandbox;
let caFile: string;
/** The repo's themes, copied so the test can edit one as a developer would. */
let themes: string;

function curl(hostname: string, path: string, extra = ""): string {
    const port = settings.localHttpsPort;
    return sandbox.droplet(
        `curl -sS --max-time 10 --cacert ${caFile} --resolve ${hostname}:${port}:127.0.0.1 ${extra} https://${hostname}:${port}${path}`,
    );
}

beforeAll(() => {
    requireRootAndTools(engines.bookworm);
    requireNginx();
    requireGhost();
    sandbox = new Sandbox(engines.bookworm);
    sandbox.up();
    // A developer's engine: Docker's own defaults, no host setup.
    sandbox.droplet("systemctl start docker.service");

    // Certificates as the local CA gives them, where the rendered placement puts them.
    const certificatesDir = join(sandbox.work, "certificates");
    const ca = makeCertificates(certificatesDir, hostnames);
    caFile = join(sandbox.work, "ca.pem");
    writeFileSync(caFile, ca);
    const files = (name: string) => readFileSync(join(certificatesDir, "live", ...name.split("/")), "utf8");
    const certificates = Object.fromEntries(
        hostnames.map((h) => [h, { fullchain: files(`${h}/fullchain.pem`), privkey: files(`${h}/privkey.pem`) }]),
    );
    const hash = bcryptHash(password, "abcdefghijklmnopqrstuv");
    themes = join(sandbox.work, "themes");
    cpSync(join(repoRoot, "themes"), themes, { recursive: true });
    // Ghost on SQLite (the one change to its rendered settings); the rest exactly as rendered.
    const containers = renderContainers(
        settings,
        { ...placeholderSecrets(), managementPasswordHash: hash, managementHtpasswd: renderHtpasswd(hash) },
        [],
        localPlacement(settings, certificates, themeFolders(themes)),
    ).map((spec): ContainerSpec<string> =>
        spec.name === "ghost" ? { ...spec, env: onSqlite(spec.env, dataVolumes.ghostContent.containerPath) } : spec,
    );

    const proxyImage = containers.find((c) => c.name === "proxy")!.image;
    sandbox.buildNginxImage(nginxRoot, proxyImage);
    sandbox.main.buildGhostImage(containers.find((c) => c.name === "ghost")!.image, caFile);
    sandbox.buildStandInImage([...new Set(containers.filter((c) => !["proxy", "ghost"].includes(c.name)).map((c) => c.image))]);
    startContainers(
        sandbox.main,
        containers,
        (spec) => (["proxy", "ghost"].includes(spec.name) ? [] : standInPorts(spec)),
        join(sandbox.work, "uploads"),
    );
    // nginx answers within a second or two; say why if it does not.
    sandbox.droplet(
        `for _ in $(seq 1 40); do
    curl -s -o /dev/null --max-time 1 -H 'Host: ${settings.services.ghost.hostname}' http://127.0.0.1:${settings.localHttpPort}/ && break
    sleep 0.25
done
# Ghost answers through the proxy once it has set up its database.
for _ in $(seq 1 240); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert ${caFile} --resolve ${settings.services.ghost.hostname}:${settings.localHttpsPort}:127.0.0.1 ${blog}/)" = 200 ] && exit 0
    [ "$(docker inspect -f '{{.RestartCount}}' site-ghost)" = 0 ] || break
    sleep 0.5
done
docker ps -a >&2; docker logs site-proxy 2>&1 | tail -5 >&2; docker logs site-ghost 2>&1 | tail -20 >&2; exit 1`,
        300_000,
    );
}, 400_000);

afterAll(() => sandbox?.down());

it("routes each *.localhost host to its own service over TLS with the local CA", () => {
    expect(curl(settings.services.ghost.hostname, "/")).toMatch(/<meta name="generator" content="Ghost \d/);
    expect(curl(settings.services.jupyter.hostname, "/")).toContain("stand-in");
    expect(curl(settings.services.portainer.hostname, "/", `-u ${managementUser}:${password}`)).toContain("stand-in");
});

it("still asks for the management password locally", () => {
    expect(curl(settings.services.portainer.hostname, "/", "-o /dev/null -w '%{http_code}'")).toBe("401");
});

it("redirects plain HTTP to HTTPS on the local port", () => {
    const location = sandbox.droplet(
        `curl -sS -o /dev/null -w '%{redirect_url}' --resolve blog.localhost:${settings.localHttpPort}:127.0.0.1 http://blog.localhost:${settings.localHttpPort}/welcome/`,
    );
    expect(location).toBe(`https://blog.localhost:${settings.localHttpsPort}/welcome/`);
});

it("answers only on 127.0.0.1, never on the machine's other addresses", () => {
    expect(sandbox.droplet("docker port site-proxy")).toMatch(/^443\/tcp -> 127\.0\.0\.1:8443$/m);
    expect(sandbox.droplet("docker port site-proxy")).not.toMatch(/0\.0\.0\.0/);
});

describe("the real Ghost at its local URL, port included", () => {
    const host = settings.services.ghost.hostname;
    const owner = {
        name: "Local Owner",
        email: "owner@example.com",
        password: randomBytes(18).toString("base64url"),
        blogTitle: "Local blog",
    };
    const admin = (method: string, path: string, body?: unknown) =>
        ghostAdmin(
            (command) => sandbox.droplet(command),
            blog,
            `--cacert ${caFile} --resolve ${host}:${settings.localHttpsPort}:127.0.0.1`,
            sandbox.work,
        )(method, path, body);

    it("serves pages whose every link carries the port", () => {
        const home = curl(host, "/");
        expect(home).toContain(`<link rel="canonical" href="${blog}/">`);
        expect(home).not.toContain(`https://${host}/`);
    });

    it("keeps the port in Ghost's own redirects", () => {
        expect(curl(host, "/rss", "-o /dev/null -w '%{redirect_url}'")).toBe(`${blog}/rss/`);
    });

    it("lets the owner set up the blog and sign in to the admin at the local URL", () => {
        expect(curl(host, "/ghost/", "-o /dev/null -w '%{http_code}'")).toBe("200");
        setUpOwner(admin, owner);
        expect(admin("GET", "/users/me/")).toEqual({ body: expect.any(String) as string, status: "200" });
    });

    it("runs the repo's theme live: an edit shows on the next reload, no restart", () => {
        expect(admin("PUT", "/themes/site/activate/")).toEqual({ body: expect.any(String) as string, status: "200" });
        expect(curl(host, "/")).toContain(`<header><a href="${blog}">${owner.blogTitle}</a></header>`);
        const template = join(themes, "site/default.hbs");
        writeFileSync(template, readFileSync(template, "utf8").replace("<header>", "<header data-edited-locally>"));
        expect(curl(host, "/")).toContain("<header data-edited-locally>");
    });
});
