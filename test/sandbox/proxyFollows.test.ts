// The proxy follows the containers: the rendered proxy (the rendered configuration in an image of
// Debian sid's nginx 1.30) on a real dockerd in the host sandbox (test/sandbox/host/sandbox.ts),
// started before any app. It serves the site-health file at once, answers 502 for the apps until
// they come, then each app as soon as Docker's DNS (127.0.0.11) names it; an app recreated at
// another address is found there again, with no restart of the proxy and no hosts file naming it.
// Visitors come from "the internet" to the droplet's published ports; the blog's visitor stands in
// for Cloudflare. Prints the figures. Needs root.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
    containerName,
    dataRoot,
    dataVolumes,
    network,
    routedServiceNames,
    RoutedServiceName,
    routedServices,
    siteHealth,
} from "../../config/catalogue";
import { parseSettings } from "../../config/schema";
import { renderContainers } from "../../render/containers";
import { managementUser, renderHtpasswd, upstreamResolveSeconds } from "../../render/nginx";
import { bcryptHash } from "../../render/passwordHash";
import { placeholderSecrets } from "../../render/siteFiles";
import { prodValues } from "../harness/fixtures";
import { dockerCommand, standInPorts, startContainers } from "./host/containers";
import { addresses, engines, requireRootAndTools, Sandbox } from "./host/sandbox";
import { nginxRoot, nginxVersion, requireNginx } from "./proxy/proxySandbox";
import { makeCertificates } from "./proxy/testCa";

const engine = engines.trixie;
const settings = parseSettings(prodValues());
const password = "follow-the-containers";
const hash = bcryptHash(password, "abcdefghijklmnopqrstuv");
// The visitor from the admin address stands in for Cloudflare, so the proxied blog answers it.
const containers = renderContainers(
    settings,
    { ...placeholderSecrets(), managementPasswordHash: hash, managementHtpasswd: renderHtpasswd(hash) },
    [`${addresses.admin.v4}/32`],
);
const spec = (name: string) => containers.find((c) => c.name === name)!;
const hostname = (name: RoutedServiceName) => settings.services[name].hostname;
/** Where the recreated app lands: an address Docker gave nobody (it counts up from .2). */
const newAddress = network.subnet.replace(/0\/24$/, "200");
const figures: Record<string, number | string> = {};

let sandbox: Sandbox;
let caFile: string;

const inspect = (format: string, name: string) => sandbox.droplet(`docker inspect -f '${format}' ${name}`).trim();
const address = (name: RoutedServiceName) => inspect(`{{(index .NetworkSettings.Networks "${network.name}").IPAddress}}`, `site-${name}`);
/** When a container's process started, in ms since the epoch (Docker's clock, this machine's). */
const startedAt = (name: string) =>
    Number(execFileSync("date", ["-d", inspect("{{.State.StartedAt}}", name), "+%s%3N"], { encoding: "utf8" }).trim());

/** A visitor's curl from the internet to the droplet's published 443, trusting the test CA; prints the status. */
function curl(name: RoutedServiceName, path = "/"): string {
    const host = hostname(name);
    const login = name === "portainer" ? `-u ${managementUser}:${password}` : "";
    return `curl -s -o /dev/null -w '%{http_code}' --max-time 10 --interface ${addresses.admin.v4} --cacert ${caFile} --resolve ${host}:443:${addresses.droplet.v4} ${login} https://${host}${path}`;
}

interface Visits {
    /** When the first 200 came (ms since the epoch). */
    readonly firstOk: number;
    /** What the visitors who asked before it got, counted by status ("000": nothing within 10 s). */
    readonly before: Record<string, number>;
    /** The longest any request waited. */
    readonly longestMs: number;
}

/**
 * Visitors asking through the proxy, a new one every 100 ms without waiting for the last (500 ms
 * on the management host, whose login lets a visitor try twice a second), until one is answered
 * 200; then every request still under way is waited for.
 */
function visitUntilOk(name: RoutedServiceName, timeoutSeconds = 30): Visits {
    const log = join(sandbox.work, `visits-${name}-${Date.now()}`);
    const output = sandbox.internet(
        `: > ${log}
deadline=$(( $(date +%s) + ${timeoutSeconds} ))
while [ "$(date +%s)" -lt "$deadline" ] && ! grep -q ' 200$' ${log}; do
    ( started=$(date +%s%3N); code=$(${curl(name)} || true); echo "$started $(date +%s%3N) $code" >> ${log} ) &
    sleep ${routedServices[name].requiresAuth ? 0.5 : 0.1}
done
wait
cat ${log}`,
        (timeoutSeconds + 20) * 1000,
    );
    const visits = output
        .trim()
        .split("\n")
        .map((line) => line.split(" "))
        .map(([started, ended, code]) => ({ started: Number(started), ended: Number(ended), code }));
    const oks = visits.filter((v) => v.code === "200").map((v) => v.ended);
    if (oks.length === 0) throw new Error(`${name} never answered 200 through the proxy: ${output}`);
    const firstOk = Math.min(...oks);
    const before: Record<string, number> = {};
    const first = visits.find((v) => v.code === "200" && v.ended === firstOk);
    for (const visit of visits.filter((v) => v !== first && v.started < firstOk)) before[visit.code] = (before[visit.code] ?? 0) + 1;
    return { firstOk, before, longestMs: Math.max(...visits.map((v) => v.ended - v.started)) };
}

/** An app's stand-in, as the Apps component would create it (at `ip` where given). */
const startApp = (name: RoutedServiceName, ip?: string) =>
    sandbox.droplet(`${dockerCommand(spec(name), standInPorts(spec(name)), { ip })} > /dev/null`);

beforeAll(() => {
    requireRootAndTools(engine);
    requireNginx();
    sandbox = new Sandbox(engine);
    sandbox.up();
    sandbox.droplet("systemctl start docker.service");
    const certificates = join(sandbox.work, "certificates");
    makeCertificates(
        certificates,
        Object.values(settings.services).map((s) => s.hostname),
    );
    caFile = join(certificates, "ca.pem");
    // What the host keeps on the data volume: certbot's certificates, and the site-health file.
    sandbox.droplet(`set -e
mkdir -p ${dataRoot}/${dataVolumes.siteHealth.name}
cp -r ${certificates} ${dataRoot}/${dataVolumes.letsencrypt.name}
echo ok > ${dataRoot}/${dataVolumes.siteHealth.name}/${siteHealth.file}`);
    sandbox.buildNginxImage(nginxRoot, spec("proxy").image);
    sandbox.buildStandInImage(routedServiceNames.map((name) => spec(name).image));
    figures.nginx = nginxVersion();
    figures.docker = engine.name;
    figures["resolver valid s"] = upstreamResolveSeconds;
}, 300_000);

afterAll(() => {
    console.log(`the proxy follows the containers: ${JSON.stringify(figures)}`);
    sandbox?.down();
});

it("starts before any app: serves the site-health file and answers 502 for the apps", () => {
    startContainers(sandbox.main, [spec("proxy")], () => [], join(sandbox.work, "uploads"));
    const health = `curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface ${addresses.admin.v4} --cacert ${caFile} --resolve ${hostname("jupyter")}:443:${addresses.droplet.v4} https://${hostname("jupyter")}${siteHealth.path}`;
    expect(sandbox.internet(`for _ in $(seq 1 40); do [ "$(${health})" = 200 ] && exit 0; sleep 0.25; done; ${health}`)).toBe("");
    for (const name of routedServiceNames) expect([name, sandbox.internet(curl(name))]).toEqual([name, "502"]);
    expect(inspect("{{.State.Running}} {{.RestartCount}}", containerName(spec("proxy")))).toBe("true 0");
});

it("reaches each app soon after it starts late, through Docker's DNS", () => {
    for (const name of routedServiceNames) {
        startApp(name);
        const visits = visitUntilOk(name);
        const after = visits.firstOk - startedAt(containerName(spec(name)));
        figures[`${name} started late: first 200 after (ms)`] = after;
        figures[`${name} started late: visitors before it got`] = JSON.stringify(visits.before);
        expect(after).toBeLessThan((upstreamResolveSeconds + 3) * 1000);
    }
    // Nothing but Docker's DNS tells the proxy where the apps are: its hosts file names none of them.
    const hosts = sandbox.droplet(`cat "$(docker inspect -f '{{.HostsPath}}' ${containerName(spec("proxy"))})"`);
    for (const name of routedServiceNames) expect(hosts).not.toMatch(new RegExp(`\\s${name}(\\s|$)`, "m"));
}, 120_000);

it("follows an app recreated at another address, without a restart", () => {
    const proxyStarted = inspect("{{.State.StartedAt}}", containerName(spec("proxy")));
    const name = "jupyter";
    const before = address(name);
    // Kept-alive connections to the old container exist: the loops above made them.
    sandbox.droplet(`docker stop ${containerName(spec(name))} > /dev/null && docker rm ${containerName(spec(name))} > /dev/null`);
    startApp(name, newAddress);
    expect(address(name)).toBe(newAddress);
    expect(newAddress).not.toBe(before);
    const visits = visitUntilOk(name);
    const after = visits.firstOk - startedAt(containerName(spec(name)));
    figures[`${name} recreated at ${newAddress} (was ${before}): first 200 after (ms)`] = after;
    figures[`${name} recreated: visitors before it got`] = JSON.stringify(visits.before);
    figures[`${name} recreated: longest wait (ms)`] = visits.longestMs;
    expect(after).toBeLessThan((upstreamResolveSeconds + 3) * 1000);
    // A visitor caught asking the old address waits no longer than the proxy's connect timeout.
    expect(visits.longestMs).toBeLessThan(7_000);
    // The next requests all reach it.
    for (let i = 0; i < 5; i++) expect(sandbox.internet(curl(name))).toBe("200");
    expect(inspect("{{.State.StartedAt}} {{.RestartCount}}", containerName(spec("proxy")))).toBe(`${proxyStarted} 0`);
}, 120_000);
