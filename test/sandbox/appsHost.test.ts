// Declared apps (site:apps) on a droplet set up by the rendered host scripts (./host/sandbox.ts, on
// Docker 26, the generation Ubuntu 24.04 ships): the app's port answers on the site's network, and
// nobody outside reaches it, neither at the droplet's addresses nor routing straight to its
// container; its data lands in its folder on the data volume, owned as declared. Needs root.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { appDataFolder, containerTemplates, dataRoot, dataVolume, network, publishedPorts } from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { renderContainers } from "../../render/containers";
import { renderHostScripts } from "../../render/hostScripts";
import { placeholderSecrets } from "../../render/siteFiles";
import { exampleAppSecrets, prodValues, withApps } from "../harness/fixtures";
import { dockerCommand, standInPorts } from "./host/containers";
import { asCloudInitLeavesIt, makeKeys, runHostSetup } from "./host/provision";
import { addresses, engines, requireRootAndTools, Sandbox, sandboxAdminCidrs } from "./host/sandbox";

const values = { ...prodValues(), adminCidrs: sandboxAdminCidrs };
withApps(values);
const settings = parseSettings(values, Object.keys(exampleAppSecrets));
const containers = renderContainers(settings, placeholderSecrets(settings), []);
const [uptime, links] = settings.apps;
const appPorts = settings.apps.map((app) => app.port);
const probed = `1-1024,${appPorts.join(",")},2368,3306,8888,9000`;
/** Where the uptime stand-in keeps writing, as Uptime Kuma writes its SQLite file. */
const dataFile = `${uptime.volumes[0].containerPath}/kuma.db`;

let sandbox: Sandbox;
const engine = engines.trixie;

beforeAll(() => {
    requireRootAndTools(engine);
    sandbox = new Sandbox(engine);
    sandbox.up();
    const keys = join(sandbox.work, "keys");
    makeKeys(keys, ["droplet"]);
    writeFileSync(
        join(keys, "known_hosts"),
        `${addresses.droplet.v4} ${readFileSync(join(keys, "host-droplet.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`,
    );
    asCloudInitLeavesIt(sandbox.main, settings.adminUser, keys);
    sandbox.attachVolume(dataVolume.label);
    sandbox.buildStandInImage([...new Set(containers.map((c) => c.image))]);
    runHostSetup(sandbox.main, join(sandbox.work, "host"), join(keys, "host-droplet"), renderHostScripts(settings));
    sandbox.droplet(`docker network create --subnet ${network.subnet} ${network.name} > /dev/null`);
    for (const spec of containers) {
        const ports = standInPorts(spec, [...containerTemplates, ...settings.apps]);
        const args = spec.name === uptime.name ? [...ports, `write:${dataFile}`] : ports;
        sandbox.droplet(`${dockerCommand(spec, args)} > /dev/null`);
    }
    sandbox.droplet(`for _ in $(seq 1 120); do
    [ "$(docker ps -q --filter status=running | wc -l)" -ge ${containers.length} ] && exit 0
    sleep 0.5
done
docker ps -a >&2
exit 1`);
}, 600_000);

afterAll(() => {
    sandbox?.down();
});

it("runs each declared app, and its port answers the proxy on the site's network", () => {
    expect(settings.apps.map((app) => app.name)).toEqual(["uptime", "links"]);
    for (const app of settings.apps) {
        const answer = sandbox.droplet(
            `docker exec site-proxy sh -c "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${app.name} ${app.port}"`,
        );
        expect([app.name, answer]).toEqual([app.name, expect.stringContaining("stand-in")]);
    }
    expect(sandbox.droplet(`docker port site-${uptime.name}; docker port site-${links.name}`)).toBe("");
});

it("lets nobody outside reach an app's port: only the proxy's 80 and 443, and SSH from the admin range", () => {
    expect(sandbox.probe(addresses.outsider.v4, addresses.droplet.v4, probed).open).toEqual([...publishedPorts]);
    expect(sandbox.probe(addresses.admin.v4, addresses.droplet.v4, probed).open).toEqual([22, ...publishedPorts]);
    expect(sandbox.probe(addresses.outsider.v6, addresses.droplet.v6, probed).open).toEqual([]);
});

it("drops a neighbour routing straight to an app's container address", () => {
    const ip = sandbox.droplet(`docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' site-${uptime.name}`).trim();
    expect(ip).toMatch(/^172\.30\.1\.\d+$/);
    sandbox.internet(`ip route replace 172.30.0.0/16 via ${addresses.droplet.v4}`);
    expect(sandbox.probe(addresses.router.v4, ip, appPorts.join(",")).open).toEqual([]);
});

it("keeps an app's data in its folder on the data volume, owned as declared", () => {
    const folder = `${dataRoot}/${appDataFolder(uptime.name)}/${uptime.volumes[0].name.split("/").pop()}`;
    expect(folder).toBe("/srv/site/data/apps/uptime/data");
    const lines = sandbox.droplet(`sleep 0.5; wc -l < ${folder}/kuma.db`);
    expect(Number(lines)).toBeGreaterThan(0);
    expect(sandbox.droplet(`findmnt -n -o SOURCE --target ${folder}/kuma.db`).trim()).toBe(sandbox.volumeDevice);
    expect(sandbox.droplet(`stat -c '%u:%g %a' ${folder} ${dataRoot}/${appDataFolder(links.name)}/data`)).toBe("0:0 750\n1001:0 750\n");
});
