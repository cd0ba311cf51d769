// The site, top to bottom: a droplet and its data volume, the host setup and certificates, the
// apps and their themes, their DNS, and snapshots.
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { Apps } from "./components/apps";
import { Certificates } from "./components/certificates";
import { Dns } from "./components/dns";
import { HostSetup } from "./components/hostSetup";
import { ManagementAuth } from "./components/managementAuth";
import { Server } from "./components/server";
import { Snapshots } from "./components/snapshots";
import { Themes } from "./components/themes";
import { dataVolume, routedServiceNames } from "./config/catalogue";
import { cloudflareRanges } from "./config/cloudflareRanges";
import { loadSiteConfig } from "./config";
import { themesDir, themesFingerprint } from "./config/themes";
import { renderSnapshotPrepareScript } from "./render/backups";
import { renderCertbotCommand, renderCertificateScripts } from "./render/certificates";
import { renderCloudInit } from "./render/cloudInit";
import { renderContainers } from "./render/containers";
import { renderDnsRecords, renderZoneSettings } from "./render/dns";
import { renderHostScripts } from "./render/hostScripts";
import { renderHostKeyScript } from "./render/ssh";
import { ghostContentDir, renderThemesInstallScript } from "./render/themes";

const { settings, secrets } = loadSiteConfig();
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
        hostKeyRotation: { script: renderHostKeyScript(), bootstrapHostKey: server.bootstrapHostKey, hostPrivateKey: server.hostPrivateKey },
        scripts: renderHostScripts(settings),
    },
    { dependsOn: [server.dataVolumeAttachment] },
);

const certificates = new Certificates(
    "site",
    {
        droplet,
        dnsToken: secrets.acmeDnsToken,
        scripts: renderCertificateScripts(),
        certbotCommand: renderCertbotCommand(settings),
    },
    { dependsOn: [hostSetup] },
);

const auth = new ManagementAuth("site", { password: secrets.managementPassword });
const apps = new Apps(
    "site",
    {
        droplet,
        containers: renderContainers(
            settings,
            { ...secrets, managementPasswordHash: auth.passwordHash, managementHtpasswd: auth.htpasswd },
            cloudflareRanges,
        ),
    },
    { dependsOn: [hostSetup, certificates] },
);

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
    {
        droplet,
        dataVolumeId: server.dataVolumeId,
        names: settings.snapshots,
        prepare: renderSnapshotPrepareScript(),
    },
    { providers: [digitaloceanProvider], dependsOn: [apps, themes] },
);

export const urls = Object.fromEntries(routedServiceNames.map((name) => [name, `https://${settings.services[name].hostname}`]));
export const dropletIp = server.ipAddress;
export const sshCommand = pulumi.interpolate`ssh ${settings.adminUser}@${server.ipAddress}`;
export const snapshotIds = snapshots.ids;
export const dataVolumeId = server.dataVolumeId;
