// The local target for real: its rendered containers (stand-in images, and a real nginx built
// from Debian's binary) on a Docker engine with its defaults, as on a developer's machine, and the
// proxy routing each *.localhost host to its service over TLS, with the CA the certificates come
// from. Runs in the host sandbox (test/sandbox/host/sandbox.ts). Needs root.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseSettings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { themeFolders } from "../../config/themes";
import { renderContainers } from "../../render/containers";
import { localPlacement } from "../../render/localPlacement";
import { managementUser, renderHtpasswd } from "../../render/nginx";
import { bcryptHash } from "../../render/passwordHash";
import { placeholderSecrets } from "../../render/siteFiles";
import { repoRoot } from "../harness/fixtures";
import { nginxRoot, requireNginx } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";
import { standInPorts, startContainers } from "./host/containers";
import { engines, requireRootAndTools, Sandbox } from "./host/sandbox";

const settings = parseSettings(readStackFiles("local", repoRoot).values);
const hostnames = Object.values(settings.services).map((s) => s.hostname);
const password = "local-management-password";
let sandbox: Sandbox;
let caFile: string;

function curl(hostname: string, path: string, extra = ""): string {
    const port = settings.localHttpsPort;
    return sandbox.droplet(
        `curl -sS --max-time 10 --cacert ${caFile} --resolve ${hostname}:${port}:127.0.0.1 ${extra} https://${hostname}:${port}${path}`,
    );
}

beforeAll(() => {
    requireRootAndTools(engines.bookworm);
    requireNginx();
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
    const containers = renderContainers(
        settings,
        { ...placeholderSecrets(), managementPasswordHash: hash, managementHtpasswd: renderHtpasswd(hash) },
        [],
        localPlacement(settings, certificates, themeFolders()),
    );

    const proxyImage = containers.find((c) => c.name === "proxy")!.image;
    sandbox.buildNginxImage(nginxRoot, proxyImage);
    sandbox.buildStandInImage([...new Set(containers.filter((c) => c.name !== "proxy").map((c) => c.image))]);
    startContainers(sandbox.main, containers, (spec) => (spec.name === "proxy" ? [] : standInPorts(spec)), join(sandbox.work, "uploads"));
    // nginx answers within a second or two; say why if it does not.
    sandbox.droplet(`for _ in $(seq 1 40); do
    curl -s -o /dev/null --max-time 1 -H 'Host: ${settings.services.ghost.hostname}' http://127.0.0.1:${settings.localHttpPort}/ && exit 0
    sleep 0.25
done
docker ps -a >&2; docker logs site-proxy >&2; exit 1`);
}, 180_000);

afterAll(() => sandbox?.down());

it("routes each *.localhost host to its own service over TLS with the local CA", () => {
    expect(curl(settings.services.ghost.hostname, "/")).toContain("stand-in");
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
