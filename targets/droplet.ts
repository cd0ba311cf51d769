// The droplet target: a DigitalOcean droplet with its data volume, set up over SSH, with Let's
// Encrypt certificates, Cloudflare in front, themes copied in and snapshots taken. index.ts builds
// its components; this module gives each one its arguments, from the config and from the
// components before it, and constructs nothing but the two cloud providers.
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import type { CertificatesArgs } from "../components/certificates";
import type { CloudflareZone, CloudflareZoneArgs } from "../components/cloudflareZone";
import { dockerOverSsh } from "../components/dockerEndpoint";
import type { EdgeCacheArgs } from "../components/edgeCache";
import type { DropletHost } from "../components/hostCommand";
import type { HostSetupArgs } from "../components/hostSetup";
import type { MonitoringArgs } from "../components/monitoring";
import type { Server, ServerArgs } from "../components/server";
import type { SnapshotsArgs } from "../components/snapshots";
import type { Themes, ThemesArgs } from "../components/themes";
import type { SiteConfig } from "../config";
import { alertDestinations } from "../config/alertDestinations";
import { dataVolume } from "../config/catalogue";
import { cloudflareRanges } from "../config/cloudflareRanges";
import type { Settings } from "../config/schema";
import { themesDir, themesFingerprint } from "../config/themes";
import { renderSnapshotPrepareScript } from "../render/backups";
import { renderCertbotCommand, renderCertificateScripts } from "../render/certificates";
import { renderCloudInit } from "../render/cloudInit";
import { dropletPlacement } from "../render/containers";
import { renderDataVolumeHandover } from "../render/dataVolume";
import { renderDnsRecords, renderZoneSettings } from "../render/dns";
import { renderEdgeCache, renderEdgePurgeScript } from "../render/edgeCache";
import { renderHostScripts } from "../render/hostScripts";
import { renderDropletAlerts, renderUptimeChecks } from "../render/monitoring";
import { renderHostKeyScript } from "../render/ssh";
import { ghostContentDir, renderThemesInstallScript } from "../render/themes";
import type { SiteTarget } from "./target";

/** The cloud providers, with the tokens from config or the environment. */
export function providers(secrets: SiteConfig["secrets"]) {
    return {
        digitalocean: new digitalocean.Provider("digitalocean", { token: secrets.digitaloceanToken }),
        cloudflare: new cloudflare.Provider("cloudflare", { apiToken: secrets.cloudflareApiToken }),
    };
}

export function serverArgs(settings: Settings): ServerArgs {
    return {
        region: settings.region,
        size: settings.dropletSize,
        // Restoring builds the droplet from a snapshot instead of the plain image.
        image: settings.restoreDropletSnapshot || settings.dropletImage,
        sshPublicKeys: settings.sshPublicKeys,
        adminCidrs: settings.adminCidrs,
        adminUser: settings.adminUser,
        userData: renderCloudInit,
        allowReplacement: settings.allowDropletReplacement,
        backups: settings.dropletBackups,
        dataVolume: { sizeGb: settings.dataVolumeSizeGb, ...dataVolume, fromSnapshot: settings.restoreVolumeSnapshot },
    };
}

/**
 * The droplet as remote commands and Docker reach it: the reserved IP once it points at this
 * droplet (the assignment's output, so nothing connects before), the admin user, the deploy key,
 * this droplet's pinned host key.
 */
export function host(settings: Settings, server: Server): DropletHost {
    return {
        address: server.assignedIpAddress,
        user: settings.adminUser,
        privateKey: server.deployPrivateKey,
        hostKey: server.hostKey,
        id: server.dropletId,
    };
}

export function hostSetupArgs(settings: Settings, server: Server, droplet: DropletHost): HostSetupArgs {
    return {
        host: droplet,
        hostKeyRotation: {
            script: renderHostKeyScript(),
            bootstrapHostKey: server.bootstrapHostKey,
            hostPrivateKey: server.hostPrivateKey,
        },
        scripts: renderHostScripts(settings),
        dataVolumeHandover: {
            ...renderDataVolumeHandover(),
            attachmentId: server.dataVolumeAttachment.id,
            dropletAddress: server.dropletAddress,
        },
    };
}

export function certificatesArgs({ settings, secrets }: SiteConfig, droplet: DropletHost): CertificatesArgs {
    return {
        host: droplet,
        dnsToken: secrets.acmeDnsToken,
        scripts: renderCertificateScripts(),
        certbotCommand: renderCertbotCommand(settings),
    };
}

/** Where the apps run: the droplet's engine over SSH, data on the volume, Cloudflare in front. */
export function target(droplet: DropletHost, server: Server): SiteTarget {
    return {
        docker: dockerOverSsh(droplet),
        engine: droplet.id,
        generation: server.dataVolumeAttachment.id,
        placement: dropletPlacement,
        trustedProxyRanges: cloudflareRanges,
        httpsPort: 443,
    };
}

export function cloudflareZoneArgs(settings: Settings, server: Server): CloudflareZoneArgs {
    return {
        zone: settings.domain,
        ipAddress: server.ipAddress,
        records: renderDnsRecords(settings),
        zoneSettings: renderZoneSettings(settings),
        trustedRanges: cloudflareRanges,
    };
}

export function themesArgs(droplet: DropletHost): ThemesArgs {
    return {
        host: droplet,
        localDir: themesDir,
        fingerprint: themesFingerprint(),
        remoteDir: ghostContentDir,
        install: renderThemesInstallScript(),
    };
}

/** The blog's pages at Cloudflare's edge, where the blog is proxied and the stack wants them there. */
export function edgeCacheArgs({ settings, secrets }: SiteConfig, zone: CloudflareZone, themes: Themes): EdgeCacheArgs | undefined {
    const spec = renderEdgeCache(settings);
    if (!spec) return undefined;
    return {
        zoneId: zone.zoneId,
        spec,
        // The fingerprint the themes were installed by: the folder is hashed once per evaluation.
        themesFingerprint: themes.fingerprint,
        purgeScript: renderEdgePurgeScript(),
        apiToken: secrets.cloudflareApiToken,
        purgeAfter: [themes],
    };
}

export function snapshotsArgs(settings: Settings, server: Server, droplet: DropletHost): SnapshotsArgs {
    return { host: droplet, dataVolumeId: server.dataVolumeId, names: settings.snapshots, prepare: renderSnapshotPrepareScript() };
}

/** Watched from outside: an uptime check per public URL and the droplet's alert policies, to the stack's destinations. */
export function monitoringArgs({ settings, secrets }: SiteConfig, server: Server): MonitoringArgs {
    return {
        checks: renderUptimeChecks(settings),
        dropletAlerts: renderDropletAlerts(settings),
        dropletId: server.dropletId,
        destinations: alertDestinations(settings, secrets.alertSlackWebhook),
    };
}
