// This machine's own network: its interfaces, addresses, routes and firewall, as the root network
// namespace shows them. The sandboxes keep both ends of every link inside namespaces they made, so
// the sandbox project compares this state before, during (after every test) and after its suites:
// a test that put an address, a route, a link or a rule on this machine fails, whichever it is.
// Here the package mirror and the machine's own gateway live in the documentation ranges the
// tests use (shared/PITFALLS.md), so a leak would cut this machine off, not just spoil a test.
import { execFileSync } from "node:child_process";

const sections: Record<string, string[]> = {
    links: ["ip", "-o", "link", "show"],
    addresses: ["ip", "-o", "address", "show"],
    "IPv4 routes": ["ip", "-4", "route", "show", "table", "all"],
    "IPv6 routes": ["ip", "-6", "route", "show", "table", "all"],
    "IPv4 firewall": ["iptables-save"],
    "IPv6 firewall": ["ip6tables-save"],
};

/** What moves by itself on an untouched machine: address lifetimes, route expiry, rule counters, dump dates. */
const normalize = (text: string) =>
    text
        .replace(/ (valid|preferred)_lft \S+/g, "")
        .replace(/ expires \d+sec/g, "")
        .replace(/\[\d+:\d+\]/g, "[0:0]")
        .split("\n")
        .filter((line) => !line.startsWith("#"))
        .join("\n");

export function hostNetworkState(): string {
    return Object.entries(sections)
        .map(([title, [command, ...args]]) => {
            let output: string;
            try {
                output = execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            } catch (error) {
                throw new Error(
                    `cannot read this machine's ${title} with ${command}; apt-get install -y iproute2 iptables (.ci/run does)`,
                    {
                        cause: error,
                    },
                );
            }
            return `## ${title}\n${normalize(output).trim()}`;
        })
        .join("\n");
}

/** Where the sandbox project's global setup keeps the state it found. */
export const baselineVariable = "SITE_HOST_NETWORK_BASELINE";

/** Throws, naming the lines that differ, when this machine's network is not as the baseline found it. */
export function expectHostNetworkUnchanged(baseline: string, when: string): void {
    const now = hostNetworkState();
    if (now === baseline) return;
    const [was, is] = [new Set(baseline.split("\n")), new Set(now.split("\n"))];
    const gone = [...was].filter((line) => !is.has(line)).map((line) => `  - ${line}`);
    const added = [...is].filter((line) => !was.has(line)).map((line) => `  + ${line}`);
    throw new Error(
        `this machine's own network changed ${when}; a sandbox must keep both ends of every link in namespaces it made:\n${[...gone, ...added].join("\n")}`,
    );
}
