// Online check 1: is this machine's public address (as Cloudflare's trace sees it) inside
// site:adminCidrs? The cloud firewall and UFW allow SSH only from there, and Pulumi's host setup
// runs over SSH.
import { BlockList, isIP } from "node:net";
import { project } from "../../config/schema";
import type { Finding } from "../finding";
import { Context, info, message } from "./context";

export async function addressCheck({ settings, endpoints, timeoutMs }: Context): Promise<Finding[]> {
    const subject = `${project}:adminCidrs`;
    let ip: string | undefined;
    try {
        const response = await fetch(endpoints.trace, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const line = (await response.text()).split("\n").find((l) => l.startsWith("ip="));
        ip = line?.slice(3).trim();
        if (!ip || isIP(ip) === 0) throw new Error(`no ip= line with an address in the answer`);
    } catch (error) {
        return [
            {
                severity: "warning",
                subject,
                what: `could not learn this machine's public address from ${endpoints.trace}: ${message(error)}`,
                why: "SSH to the droplet (and so Pulumi's host setup) is only allowed from site:adminCidrs; this was not checked",
                fix: `curl -s ${endpoints.trace} | grep ip= and compare it with: pulumi config get ${subject}`,
            },
        ];
    }
    const family = isIP(ip) === 4 ? "ipv4" : "ipv6";
    const ranges = new BlockList();
    for (const cidr of settings.adminCidrs) {
        const [network, prefix] = cidr.split("/");
        ranges.addSubnet(network, Number(prefix), isIP(network) === 4 ? "ipv4" : "ipv6");
    }
    if (ranges.check(ip, family)) {
        return [
            info(
                subject,
                `this machine's public address ${ip} is inside ${settings.adminCidrs.join(", ")}`,
                "SSH to the droplet is allowed from here",
            ),
        ];
    }
    const own = `${ip}/${family === "ipv4" ? 32 : 128}`;
    return [
        {
            severity: "blocker",
            subject,
            what: `this machine's public address ${ip} is outside ${settings.adminCidrs.join(", ")}`,
            why: "the cloud firewall and UFW refuse SSH from here, so Pulumi's host setup (which runs over SSH) would fail",
            fix: `pulumi config set --path '${subject}[${settings.adminCidrs.length}]' ${own}`,
        },
    ];
}
