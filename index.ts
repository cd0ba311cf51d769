// The site, top to bottom: a droplet, its host setup and certificates, the apps on it, their DNS,
// and snapshots.
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
import { routedServiceNames } from "./config/catalogue";
import { cloudflareRanges } from "./config/cloudflareRanges";
import { loadSiteConfig } from "./config";
import { renderCertbotCommand, renderCertificateScripts } from "./render/certificates";
import { renderCloudInit } from "./render/cloudInit";
import { renderContainers } from "./render/containers";
import { renderDnsRecords, renderZoneSettings } from "./render/dns";
import { renderHostScripts } from "./render/hostScripts";

const { settings, secrets } = loadSiteConfig();
const digitaloceanProvider = new digitalocean.Provider("digitalocean", { token: secrets.digitaloceanToken });
const cloudflareProvider = new cloudflare.Provider("cloudflare", { apiToken: secrets.cloudflareApiToken });

const server = new Server(
    "site",
    {
        region: settings.region,
        size: settings.dropletSize,
        image: settings.dropletImage,
        sshPublicKeys: settings.sshPublicKeys,
        adminCidrs: settings.adminCidrs,
        userData: renderCloudInit(),
        allowReplacement: settings.allowDropletReplacement,
    },
    { providers: [digitaloceanProvider] },
);

const hostSetup = new HostSetup("site", {
    host: server.ipAddress,
    privateKey: server.deployPrivateKey,
    scripts: renderHostScripts(settings),
});

const certificates = new Certificates(
    "site",
    {
        host: server.ipAddress,
        privateKey: server.deployPrivateKey,
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
        host: server.ipAddress,
        privateKey: server.deployPrivateKey,
        containers: renderContainers(
            settings,
            { ...secrets, managementPasswordHash: auth.passwordHash, managementHtpasswd: auth.htpasswd },
            { trustedProxyRanges: cloudflareRanges },
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

const snapshots = new Snapshots(
    "site",
    { dropletId: server.dropletId, names: settings.snapshots },
    { providers: [digitaloceanProvider], dependsOn: [apps] },
);

export const urls = Object.fromEntries(routedServiceNames.map((name) => [name, `https://${settings.services[name].hostname}`]));
export const dropletIp = server.ipAddress;
export const sshCommand = pulumi.interpolate`ssh root@${server.ipAddress}`;
export const snapshotIds = snapshots.ids;
