// `pulumi new <this repository>`: Pulumi.yaml's template asks for every value a newcomer must give,
// and the stack it makes, plus the two list items the README names, is a valid site.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { acmeTokenPermissions, deployTokenPermissions } from "../../config/cloudflarePermissions";
import { knownKeys, parseSettings, project, requiredSecrets, secretNames, secretSources } from "../../config/schema";
import { repoRoot } from "../harness/fixtures";

interface Declaration {
    type?: string;
    default?: unknown;
    secret?: boolean;
}
interface Prompt {
    description: string;
    default?: string;
    secret?: boolean;
}
const text = readFileSync(join(repoRoot, "Pulumi.yaml"), "utf8");
const projectFile = parse(text) as { name: string; config: Record<string, Declaration>; template: { config: Record<string, Prompt> } };
const prompts = projectFile.template.config;
const declared = Object.entries(projectFile.config).filter(([key]) => !key.includes(":"));

it("keeps the project's name, the namespace of every key", () => {
    expect(projectFile.name).toBe(project);
});

it("asks only for keys the program reads, each with a description", () => {
    const readable = [...knownKeys.map((key) => `${project}:${key}`), ...secretNames.map((name) => secretSources[name].key)];
    for (const [key, prompt] of Object.entries(prompts)) {
        expect([key, readable.includes(key), prompt.description.length > 10]).toEqual([key, true, true]);
    }
});

it("asks for every value that has no default, except the lists, and for each secret from outside, as a secret", () => {
    const withoutDefault = declared
        .filter(([, d]) => d.default === undefined && !d.secret && d.type !== "array")
        .map(([key]) => `${project}:${key}`);
    const outside = requiredSecrets("droplet").map((name) => secretSources[name].key);
    expect(
        Object.keys(prompts)
            .filter((key) => prompts[key].default === undefined && !prompts[key].secret)
            .sort(),
    ).toEqual(withoutDefault.sort());
    expect(
        Object.keys(prompts)
            .filter((key) => prompts[key].secret)
            .sort(),
    ).toEqual(outside.sort());
});

it("never asks for a list (the CLI would store text, which an array key refuses), and says how to set each one", () => {
    const lists = declared.filter(([, d]) => d.type === "array" && d.default === undefined).map(([key]) => key);
    expect(lists.sort()).toEqual(["adminCidrs", "sshPublicKeys"]);
    for (const key of lists) {
        expect(Object.keys(prompts)).not.toContain(`${project}:${key}`);
        expect(text).toContain(`pulumi config set --path '${project}:${key}[0]'`);
    }
});

it("names each token's permissions exactly as the one list does", () => {
    for (const { name } of deployTokenPermissions) expect(prompts["cloudflare:apiToken"].description).toContain(name);
    for (const { name } of acmeTokenPermissions) expect(prompts[`${project}:acmeDnsToken`].description).toContain(name);
    expect(prompts[`${project}:acmeDnsToken`].description).not.toContain("Zone Settings");
});

it("makes a valid stack from the answers (as the CLI stores them, text) and the two list items", () => {
    const answers: Record<string, unknown> = {
        domain: "myblog.dev",
        smtpHost: "smtp.eu.mailgun.org",
        smtpUser: "postmaster@mg.myblog.dev",
        mailFrom: "Blog <noreply@myblog.dev>",
    };
    for (const [key, prompt] of Object.entries(prompts)) {
        const name = key.split(":")[1];
        if (key.startsWith(`${project}:`) && !prompt.secret && prompt.default !== undefined) answers[name] = prompt.default;
    }
    const defaults = Object.fromEntries(declared.filter(([, d]) => d.default !== undefined).map(([key, d]) => [key, d.default]));
    const settings = parseSettings({
        ...defaults,
        ...answers,
        sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOC++5UF7BNYahyEl1FN6oUb1YIvenpOv27U78w/wIRQ me@laptop"],
        adminCidrs: ["192.168.7.9/32"],
    });
    expect(settings.services.portainer.hostname).toBe("portainer.myblog.dev");
});
