// npm run benchmark:proxy (root; needs wrk: apt-get install wrk)
// Requests/s and p99 latency through the real nginx running the rendered configuration, three ways:
// - cached:   a Ghost page served from the proxy's cache;
// - uncached: the same page for a visitor with a member session, who always reaches Ghost (a
//             stand-in taking 50 ms per page);
// - ceiling:  a bare server beside the site on the same nginx, with the same kind of certificate,
//             the same protocol and the same response (the page, and the cached page's headers
//             copied verbatim, so wrk reads as many bytes), answered by `return 200`: what this
//             nginx on this machine can do at most, so cached/ceiling is what the site's own
//             configuration costs (the cache lookup, the file, the logging, the rules).
// wrk, nginx and the stand-in share this machine's cores, so one run is noise: it measures
// BENCHMARK_ROUNDS rounds of all three, interleaved, and prints each figure's median. Figures for
// the closing notes and docs/testing.md, never test assertions.
import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { promisify } from "node:util";
import { join } from "node:path";
import { routedServiceNames, routedServices } from "../config/catalogue";
import { parseSettings } from "../config/schema";
import { prodValues } from "../test/harness/fixtures";
import { nginxVersion, proxyAddress, ProxySandbox, requireNginx, visitors } from "../test/sandbox/proxy/proxySandbox";
import { makeCertificates } from "../test/sandbox/proxy/testCa";
import { renderedProxyFiles } from "../test/sandbox/proxy/renderedFiles";
import { StandIn } from "../test/sandbox/proxy/upstreams";

/** Seconds per measurement; the sandbox test runs the script with 1 to see it work. */
const seconds = Number(process.env.BENCHMARK_SECONDS ?? 5);
/** Rounds of the three measurements. */
const rounds = Number(process.env.BENCHMARK_ROUNDS ?? 5);
const threads = 2;
const connections = 32;
/** The page the stand-in Ghost serves and the ceiling answers: about 2.4 kB of HTML, no quotes or `$` (nginx's return takes it as is). */
const page = `<!doctype html><title>benchmark</title>${"<p>stand-in page</p>".repeat(120)}`;

interface Result {
    readonly requestsPerSecond: number;
    readonly p99Ms: number;
}

/** Headers nginx sets itself on every response, the ceiling's too. */
const ownHeaders = new Set(["server", "date", "content-type", "content-length", "connection", "vary", "transfer-encoding", "keep-alive"]);

/** The cached page's other headers, as add_header lines for the ceiling. */
function sameHeaders(response: string): string {
    const lines = response.split("\r\n").slice(1).filter(Boolean);
    return lines
        .map((line) => /^([^:]+):\s*(.*)$/.exec(line)!)
        .filter(([, name]) => !ownHeaders.has(name.toLowerCase()))
        .map(([, name, value]) => {
            if (/["$\\]/.test(value)) throw new Error(`the ceiling cannot copy header ${name}: ${value}`);
            return `add_header ${name} "${value}" always;\n`;
        })
        .join("");
}

/** Runs wrk in the sandbox's visitors namespace without blocking this process: the stand-in Ghost answers from its event loop. */
async function wrk(sandbox: ProxySandbox, hostsFile: string, url: string, headers: string[]): Promise<Result> {
    // wrk resolves the site's name through /etc/hosts: it gets one that points at the proxy.
    const [command, args] = sandbox.visitorCommand(
        `exec wrk -t${threads} -c${connections} -d${seconds}s --latency ${headers.map((h) => `-H '${h}'`).join(" ")} ${url}`,
        hostsFile,
    );
    const { stdout: output } = await promisify(execFile)(command, args, { encoding: "utf8" });
    if (process.env.BENCHMARK_VERBOSE) console.log(output);
    const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
    const [, value, unit] = /99%\s+([\d.]+)(us|ms|s)/.exec(output) ?? [];
    const p99Ms = Number(value) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[unit];
    if (/Non-2xx/.test(output)) throw new Error(`${url} answered errors under load:\n${output}`);
    return { requestsPerSecond, p99Ms };
}

const median = (values: number[]): number => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const line = (name: string, results: Result[], extra = ""): string => {
    const rps = median(results.map((r) => r.requestsPerSecond));
    const p99 = median(results.map((r) => r.p99Ms));
    return `${`${name}:`.padEnd(10)}${rps.toFixed(0)} requests/s, p99 ${p99.toFixed(2)} ms${extra}`;
};

/** The ceiling: a server that only answers the page, with the site's TLS settings (they are http-level) and its own name. */
const ceilingConfig = (hostname: string, headersFile: string): string =>
    [
        "server {",
        "    listen 443 ssl;",
        "    http2 on;",
        `    server_name ${hostname};`,
        `    ssl_certificate /etc/letsencrypt/live/${hostname}/fullchain.pem;`,
        `    ssl_certificate_key /etc/letsencrypt/live/${hostname}/privkey.pem;`,
        "    access_log off;",
        "    default_type text/html;",
        "    charset utf-8;",
        `    location / { include ${headersFile}; return 200 "${page}"; }`,
        "}",
        "",
    ].join("\n");

async function main(): Promise<void> {
    requireNginx();
    try {
        execFileSync("sh", ["-c", "command -v wrk"], { stdio: "ignore" });
    } catch {
        throw new Error("wrk is not installed; install it with: apt-get install -y wrk (.ci/run does)");
    }
    const settings = parseSettings(prodValues());
    const hostname = settings.services.ghost.hostname;
    const ceilingHost = `ceiling.${hostname}`;
    const sandbox = new ProxySandbox();
    const standIn = new StandIn("ghost", 50, page);
    try {
        const certificates = join(sandbox.work, "letsencrypt");
        makeCertificates(certificates, [...Object.values(settings.services).map((service) => service.hostname), ceilingHost]);
        // Filled once the cached page's headers are known; nginx reads it again on reload.
        const ceilingHeaders = join(sandbox.work, "ceiling-headers.conf");
        writeFileSync(ceilingHeaders, "");
        // wrk visits from the visitors' first address, which stands in for Cloudflare, as the blog is proxied.
        sandbox.up(
            {
                ...renderedProxyFiles(settings, { trustedProxyRanges: [`${visitors.direct}/32`] }),
                "conf.d/ceiling.conf": ceilingConfig(ceilingHost, ceilingHeaders),
            },
            certificates,
            // The sandbox's DNS names every upstream; only Ghost answers.
            Object.fromEntries(routedServiceNames.map((name) => [name, routedServices[name].port])),
        );
        await standIn.listen(sandbox.upstreamSocket("ghost"));
        await sandbox.ready();
        const hostsFile = join(sandbox.work, "client-hosts");
        execFileSync("sh", ["-c", `echo '${proxyAddress} ${hostname} ${ceilingHost}' > ${hostsFile}`]);
        // The CA is the test's own: wrk does not verify certificates.
        const url = `https://${hostname}/benchmark-page/`;
        const ceilingUrl = `https://${ceilingHost}/benchmark-page/`;
        const curl = async (args: string) =>
            (await promisify(execFile)(...sandbox.visitorCommand(`curl -sk --http1.1 ${args}`, hostsFile), { encoding: "utf8" })).stdout;
        // The cached case is a page already in the cache: one visit puts it there, the next is a hit.
        await curl(`-o /dev/null ${url}`);
        const hit = await curl(`-D - -o /dev/null ${url}`);
        if (!/x-cache-status: HIT/i.test(hit)) throw new Error(`the page is not served from the cache:\n${hit}`);
        writeFileSync(ceilingHeaders, sameHeaders(hit));
        sandbox.reload();
        const sizes = `-o /dev/null -w '%{size_header} %{size_download}\\n'`;
        let pageSizes: string, ceilingSizes: string;
        for (let tries = 0; ; tries++) {
            [pageSizes, ceilingSizes] = [await curl(`${sizes} ${url}`), await curl(`${sizes} ${ceilingUrl}`)];
            if (pageSizes === ceilingSizes) break;
            if (tries === 50) {
                console.log(await curl(`-D - -o /dev/null ${url}`), await curl(`-D - -o /dev/null ${ceilingUrl}`));
                throw new Error(
                    `the ceiling's response (headers, body: ${ceilingSizes.trim()} bytes) differs from the page's (${pageSizes.trim()})`,
                );
            }
            await new Promise((r) => setTimeout(r, 100));
        }
        const [headerBytes, pageBytes] = pageSizes.trim().split(" ").map(Number);

        const measured = { ceiling: [] as Result[], cached: [] as Result[], uncached: [] as Result[] };
        for (let round = 0; round < rounds; round++) {
            measured.ceiling.push(await wrk(sandbox, hostsFile, ceilingUrl, []));
            measured.cached.push(await wrk(sandbox, hostsFile, url, []));
            measured.uncached.push(await wrk(sandbox, hostsFile, url, ["Cookie: ghost-members-ssr=benchmark"]));
        }
        const ratios = measured.cached.map((cached, i) => cached.requestsPerSecond / measured.ceiling[i].requestsPerSecond);
        const speedups = measured.cached.map((cached, i) => cached.requestsPerSecond / measured.uncached[i].requestsPerSecond);
        console.log(
            `${nginxVersion()}, HTTPS (HTTP/1.1), wrk ${threads} threads ${connections} connections, ${seconds} s each, median of ${rounds} rounds; a ${pageBytes}-byte page with ${headerBytes} bytes of headers; stand-in Ghost 50 ms per page`,
        );
        console.log(line("ceiling", measured.ceiling, " (a bare `return 200` of the same response on the same nginx)"));
        console.log(line("cached", measured.cached));
        console.log(line("uncached", measured.uncached, ` (Ghost answered ${standIn.received.length} requests in all)`));
        console.log(
            `ratio:    cached/ceiling ${median(ratios).toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(" ")}); cached/uncached ${median(speedups).toFixed(0)}x`,
        );
    } finally {
        await standIn.close();
        await sandbox.down();
    }
}

void main();
