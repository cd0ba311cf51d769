// The example stacks' values that only stand in for the user's own: left in place, they deploy a
// site nobody can reach or log in to. `npm run check` reports them as blockers, `pulumi preview`
// warns about them (index.ts), and the example stacks mark each one `# replace`.
import { BlockList } from "node:net";
import { configKey, Settings } from "./schema";

export interface Placeholder {
    /** The config key as Pulumi's CLI names it. */
    readonly key: string;
    readonly what: string;
    readonly fix: string;
}

/** Domains reserved for examples (RFC 2606, RFC 6761): no one can own them or receive their mail. */
const exampleDomain = (name: string): boolean => /(^|\.)example\.(com|net|org)$/.test(name) || /\.(example|test|invalid)$/.test(name);

/** Address ranges reserved for documentation (RFC 5737, RFC 3849): no machine has them. */
const documentation = new BlockList();
for (const [address, prefix] of [
    ["192.0.2.0", 24],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
] as const)
    documentation.addSubnet(address, prefix, "ipv4");
documentation.addSubnet("2001:db8::", 32, "ipv6");

const inDocumentation = (cidr: string): boolean => {
    const address = cidr.split("/")[0];
    return documentation.check(address, address.includes(":") ? "ipv6" : "ipv4");
};

/** The example's SSH key (its private half is nobody's): recognised by the comment it carries. */
export const sampleKeyComment = "replace-with-your-own-key";

const domainOf = (address: string) => address.replace(/^.*<|>$/g, "").split("@")[1] ?? "";

export function findPlaceholders(settings: Settings): Placeholder[] {
    if (settings.target === "local") return [];
    const found: Placeholder[] = [];
    const add = (path: PropertyKey[], what: string, fix: string) => found.push({ key: configKey(path), what, fix });
    if (exampleDomain(settings.domain)) {
        add(
            ["domain"],
            `${settings.domain} is a name reserved for examples, not a zone in your Cloudflare account`,
            `pulumi config set site:domain <your domain>`,
        );
    }
    settings.adminCidrs.forEach((cidr, index) => {
        if (inDocumentation(cidr))
            add(
                ["adminCidrs", index],
                `${cidr} is a documentation range no machine has: SSH, and so Pulumi's host setup, would be open only to nobody`,
                `pulumi config set --path 'site:adminCidrs[${index}]' <your address>/32 (npm run check -- --online shows it)`,
            );
    });
    settings.sshPublicKeys.forEach((key, index) => {
        if (key.endsWith(sampleKeyComment))
            add(
                ["sshPublicKeys", index],
                "the example's SSH key: only whoever holds its private half could log in, and that is not you",
                `pulumi config set --path 'site:sshPublicKeys[${index}]' "$(cat ~/.ssh/id_ed25519.pub)"`,
            );
    });
    const mail: ["smtpUser" | "mailFrom" | "acmeEmail", string][] = [
        ["smtpUser", "your mail provider's SMTP user"],
        ["mailFrom", "a sender at your domain"],
        ["acmeEmail", "your address (Let's Encrypt refuses example domains)"],
    ];
    for (const [key, wanted] of mail) {
        const value = settings[key];
        if (value && exampleDomain(domainOf(value)))
            add([key], `${value} is at an example domain`, `pulumi config set site:${key} <${wanted}>`);
    }
    settings.alertEmails.forEach((address, index) => {
        if (exampleDomain(domainOf(address)))
            add(
                ["alertEmails", index],
                `${address} is at an example domain: alerts sent there reach nobody`,
                `pulumi config set --path 'site:alertEmails[${index}]' <an address verified on your DigitalOcean account>`,
            );
    });
    if (exampleDomain(domainOf(settings.smtpUser)) && settings.smtpHost === "smtp.mailgun.org") {
        add(["smtpHost"], "smtp.mailgun.org is the example's mail provider", "pulumi config set site:smtpHost <your provider's SMTP host>");
    }
    return found;
}
