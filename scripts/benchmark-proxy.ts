// npm run benchmark:proxy (root; needs wrk: apt-get install wrk)
// Requests/s and p99 latency through the real nginx running the rendered configuration, for a
// Ghost page served from the proxy's cache versus the same page uncached (a visitor with a member
// session always reaches Ghost), against a stand-in Ghost that takes 50 ms per request. One run,
// both measurements, and their ratio. Figures for the closing notes, never test assertions.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { routedServiceNames, routedServices } from "../config/catalogue";
import { parseSettings } from "../config/schema";
import {
    htpasswdPath,
    mainConfigPath,
    renderHtpasswd,
    renderNginxMainConfig,
    renderNginxSiteConfig,
    siteConfigPath,
} from "../render/nginx";
import { bcryptHash } from "../render/passwordHash";
import { prodValues } from "../test/harness/fixtures";
import { nginxVersion, proxyAddress, ProxySandbox, requireNginx, visitors } from "../test/sandbox/proxy/proxySandbox";
import { makeCertificates } from "../test/sandbox/proxy/testCa";
import { StandIn } from "../test/sandbox/proxy/upstreams";

/** Seconds per measurement; a test runs the script with 1 to see it work. */
const seconds = Number(process.env.BENCHMARK_SECONDS ?? 10);
const connections = 16;

interface Result {
    readonly requestsPerSecond: number;
    readonly p99Ms: number;
}

/** Runs wrk in the sandbox's visitors namespace without blocking this process: the stand-in Ghost answers from its event loop. */
async function wrk(sandbox: ProxySandbox, hostsFile: string, url: string, headers: string[]): Promise<Result> {
    // wrk resolves the site's name through /etc/hosts: it gets one that points at the proxy.
    const [command, args] = sandbox.visitorCommand(
        `exec wrk -t1 -c${connections} -d${seconds}s --latency ${headers.map((h) => `-H '${h}'`).join(" ")} ${url}`,
        hostsFile,
    );
    const { stdout: output } = await promisify(execFile)(command, args, { encoding: "utf8" });
    if (process.env.BENCHMARK_VERBOSE) console.log(output);
    const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
    const [, value, unit] = /99%\s+([\d.]+)(us|ms|s)/.exec(output) ?? [];
    const p99Ms = Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit];
    return { requestsPerSecond, p99Ms };
}

async function main(): Promise<void> {
    requireNginx();
    try {
        execFileSync("sh", ["-c", "command -v wrk"], { stdio: "ignore" });
    } catch {
        throw new Error("wrk is not installed; install it with: apt-get install -y wrk (.ci/run does)");
    }
    const settings = parseSettings(prodValues());
    const hostname = settings.services.ghost.hostname;
    const sandbox = new ProxySandbox();
    const standIn = new StandIn("ghost", 50);
    try {
        const certificates = join(sandbox.work, "letsencrypt");
        makeCertificates(
            certificates,
            Object.values(settings.services).map((service) => service.hostname),
        );
        // wrk visits from the visitors' first address, which stands in for Cloudflare, as the blog is proxied.
        sandbox.up(
            {
                [mainConfigPath]: renderNginxMainConfig(),
                [siteConfigPath]: renderNginxSiteConfig(settings, { trustedProxyRanges: [`${visitors.direct}/32`] }),
                [htpasswdPath]: renderHtpasswd(bcryptHash("unused", "abcdefghijklmnopqrstuv")),
            },
            certificates,
            // The sandbox's DNS names every upstream; only Ghost answers.
            Object.fromEntries(routedServiceNames.map((name) => [name, routedServices[name].port])),
        );
        await standIn.listen(sandbox.upstreamSocket("ghost"));
        await sandbox.ready();
        const hostsFile = join(sandbox.work, "client-hosts");
        execFileSync("sh", ["-c", `echo '${proxyAddress} ${hostname}' > ${hostsFile}`]);
        // The CA is the test's own: wrk does not verify certificates.
        const url = `https://${hostname}/benchmark-page/`;
        // The cached case is a page already in the cache: one visit puts it there.
        await promisify(execFile)(...sandbox.visitorCommand(`curl -sk -o /dev/null ${url}`, hostsFile));
        const cached = await wrk(sandbox, hostsFile, url, []);
        const uncached = await wrk(sandbox, hostsFile, url, ["Cookie: ghost-members-ssr=benchmark"]);
        console.log(`${nginxVersion()}, ${connections} connections, ${seconds} s each, stand-in Ghost 50 ms per request`);
        console.log(`cached:   ${cached.requestsPerSecond.toFixed(0)} requests/s, p99 ${cached.p99Ms.toFixed(2)} ms`);
        console.log(
            `uncached: ${uncached.requestsPerSecond.toFixed(0)} requests/s, p99 ${uncached.p99Ms.toFixed(2)} ms (Ghost answered ${standIn.received.length} requests in all)`,
        );
        console.log(
            `ratio:    ${(cached.requestsPerSecond / uncached.requestsPerSecond).toFixed(1)}x the requests/s, ${(uncached.p99Ms / cached.p99Ms).toFixed(1)}x lower p99`,
        );
    } finally {
        await standIn.close();
        await sandbox.down();
    }
}

void main();
