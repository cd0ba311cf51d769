// The droplet target: a DigitalOcean droplet with its data volume, set up over SSH, with
// Let's Encrypt certificates, Cloudflare DNS in front, themes copied in, and snapshots.
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { Certificates } from "../components/certificates";
import { Dns } from "../components/dns";
import { dockerOverSsh } from "../components/dockerEndpoint";
import { HostSetup } from "../components/hostSetup";
import { Server } from "../components/server";
import { Snapshots } from "../components/snapshots";
import { Themes } from "../components/themes";
import { dataVolume } from "../config/catalogue";
import { cloudflareRanges } from "../config/cloudflareRanges";
import type { SiteConfig } from "../config";
import { themesDir, themesFingerprint } from "../config/themes";
import { renderSnapshotPrepareScript } from "../render/backups";
import { renderCertbotCommand, renderCertificateScripts } from "../render/certificates";
import { renderCloudInit } from "../render/cloudInit";
import { dropletPlacement } from "../render/containers";
import { renderDnsRecords, renderZoneSettings } from "../render/dns";
import { renderHostScripts } from "../render/hostScripts";
import { renderHostKeyScript } from "../render/ssh";
import { ghostContentDir, renderThemesInstallScript } from "../render/themes";
import type { SiteTarget } from "./target";

export function dropletTarget({ settings, secrets }: SiteConfig): SiteTarget {
    const digitaloceanProvider = new digitalocean.Provider("digitalocean", { token: secrets.digitaloceanToken });
    const cloudflareProvider = new cloudflare.Provider("cloudflare", { apiToken: secrets.cloudflareApiToken });

    const server = new Server(
        "site",
        {
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
        },
        { providers: [digitaloceanProvider] },
    );
    const droplet = {
        host: server.ipAddress,
        user: settings.adminUser,
        privateKey: server.deployPrivateKey,
        hostKey: server.hostKey,
        id: server.dropletId,
    };
    const hostSetup = new HostSetup(
        "site",
        {
            droplet,
            hostKeyRotation: {
                script: renderHostKeyScript(),
                bootstrapHostKey: server.bootstrapHostKey,
                hostPrivateKey: server.hostPrivateKey,
            },
            scripts: renderHostScripts(settings),
        },
        { dependsOn: [server.dataVolumeAttachment] },
    );
    const certificates = new Certificates(
        "site",
        { droplet, dnsToken: secrets.acmeDnsToken, scripts: renderCertificateScripts(), certbotCommand: renderCertbotCommand(settings) },
        { dependsOn: [hostSetup] },
    );

    return {
        docker: dockerOverSsh(droplet),
        generation: server.dropletId,
        placement: dropletPlacement,
        trustedProxyRanges: cloudflareRanges,
        httpsPort: 443,
        ready: [hostSetup, certificates],
        finish: (apps) => {
            new Dns(
                "site",
                {
                    zone: settings.domain,
                    ipAddress: server.ipAddress,
                    records: renderDnsRecords(settings),
                    zoneSettings: renderZoneSettings(settings),
                    trustedRanges: cloudflareRanges,
                },
                { providers: [cloudflareProvider] },
            );
            const themes = new Themes(
                "site",
                {
                    droplet,
                    localDir: themesDir,
                    fingerprint: themesFingerprint(),
                    remoteDir: ghostContentDir,
                    install: renderThemesInstallScript(),
                },
                { dependsOn: [apps] },
            );
            const snapshots = new Snapshots(
                "site",
                { droplet, dataVolumeId: server.dataVolumeId, names: settings.snapshots, prepare: renderSnapshotPrepareScript() },
                { providers: [digitaloceanProvider], dependsOn: [apps, themes] },
            );
            return {
                dropletIp: server.ipAddress,
                sshCommand: pulumi.interpolate`ssh ${settings.adminUser}@${server.ipAddress}`,
                snapshotIds: snapshots.ids,
                dataVolumeId: server.dataVolumeId,
            };
        },
    };
}
