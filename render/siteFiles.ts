// Every file that reaches the droplet, by path, as `npm run render` writes them. Pure: the same
// renderers the components call, with secrets given as placeholders.
import type { SecretName, Settings } from "../config/schema";
import { secretNames } from "../config/schema";
import { cloudflareRanges } from "../config/cloudflareRanges";
import { renderSnapshotPrepareScript } from "./backups";
import { renderCertificateScripts } from "./certificates";
import { renderCloudInit } from "./cloudInit";
import { ContainerSecrets, renderContainers } from "./containers";
import { renderDnsRecords } from "./dns";
import { renderHostScripts } from "./hostScripts";
import { renderHtpasswd } from "./nginx";
import { renderThemesInstallScript } from "./themes";

export interface SiteFile {
    readonly content: string;
    readonly mode: number;
}

export const secretPlaceholder = (name: string) => `<secret:${name}>`;

/** Secrets as `<secret:name>` placeholders, for files a person reviews and for the sandbox. */
export function placeholderSecrets(): ContainerSecrets<string> {
    const secrets = Object.fromEntries(secretNames.map((name) => [name, secretPlaceholder(name)])) as Record<SecretName, string>;
    const passwordHash = secretPlaceholder("bcrypt(managementPassword)");
    return { ...secrets, managementPasswordHash: passwordHash, managementHtpasswd: renderHtpasswd(passwordHash) };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function renderSiteFiles(settings: Settings): Record<string, SiteFile> {
    const files: Record<string, SiteFile> = { "cloud-init.yaml": { content: renderCloudInit(), mode: 0o644 } };
    const onDemand = [renderSnapshotPrepareScript(), renderThemesInstallScript()];
    for (const { name, script } of [...renderHostScripts(settings), ...renderCertificateScripts(), ...onDemand]) {
        files[`host/${name}.sh`] = { content: script, mode: 0o755 };
    }
    const containers = renderContainers(settings, placeholderSecrets(), { trustedProxyRanges: cloudflareRanges });
    for (const container of containers) {
        for (const upload of container.uploads) {
            if (upload.path.startsWith("/etc/nginx/")) {
                files[`nginx/${upload.path.slice("/etc/nginx/".length)}`] = { content: upload.content, mode: 0o644 };
            }
        }
    }
    files["containers.json"] = {
        content: json(
            containers.map((c) => ({
                name: c.name,
                image: c.image,
                networks: c.networks,
                ports: c.ports,
                volumes: c.volumes,
                env: Object.keys(c.env),
                restart: c.restart,
                memoryMb: c.memoryMb,
                healthCheck: c.healthCheck?.test ?? null,
            })),
        ),
        mode: 0o644,
    };
    files["dns.json"] = {
        content: json(renderDnsRecords(settings).map(({ name, type, proxied }) => ({ name, type, proxied }))),
        mode: 0o644,
    };
    return files;
}
