// The site, as a table of contents: every component a stack creates, in the order a deploy brings
// them up. The stack's `site:target` says where it runs: a DigitalOcean droplet with Cloudflare in
// front (targets/droplet.ts gives each of its components its arguments), or this machine's Docker
// engine (targets/local.ts). The apps are the same on both.
import * as pulumi from "@pulumi/pulumi";
import { Apps } from "./components/apps";
import { Certificates } from "./components/certificates";
import { CloudflareZone } from "./components/cloudflareZone";
import { EdgeCache } from "./components/edgeCache";
import { GeneratedSecrets } from "./components/generatedSecrets";
import { HostSetup } from "./components/hostSetup";
import { LocalCertificateAuthority } from "./components/localCertificateAuthority";
import { ManagementAuth } from "./components/managementAuth";
import { Monitoring } from "./components/monitoring";
import { Server } from "./components/server";
import { Snapshots } from "./components/snapshots";
import { Themes } from "./components/themes";
import { givenAppDatabasePasswords, loadStackConfig, SiteConfig } from "./config";
import { publicUrl, RoutedServiceName } from "./config/catalogue";
import { managementUser } from "./render/nginx";
import { renderAppDatabaseSql } from "./render/appDatabases";
import { renderContainers } from "./render/containers";
import * as droplet from "./targets/droplet";
import * as local from "./targets/local";
import type { SiteTarget } from "./targets/target";

const stack = loadStackConfig();
// The passwords the stack does not set, made once and kept in state (secret): the user sets only
// what comes from outside (the tokens, the SMTP password).
const generated = new GeneratedSecrets("site", { given: stack.secrets, appDatabases: givenAppDatabasePasswords(stack) });
const site: SiteConfig = {
    settings: stack.settings,
    secrets: { ...stack.secrets, ...generated.values },
    appSecrets: stack.appSecrets,
    appDatabasePasswords: generated.appDatabasePasswords,
};
export = site.settings.target === "local" ? localSite(site) : dropletSite(site);

/** On a DigitalOcean droplet, with Cloudflare in front. */
function dropletSite(site: SiteConfig) {
    const { settings } = site;
    const providers = droplet.providers(site.secrets);
    // The machine: SSH keys, the droplet, its data volume, a reserved IP, the cloud firewall.
    const server = new Server("site", droplet.serverArgs(settings), { providers: [providers.digitalocean] });
    const host = droplet.host(settings, server);
    // Over SSH once the data volume is attached: the host, then certificates before the proxy.
    const hostSetup = new HostSetup("site", droplet.hostSetupArgs(settings, server, host), { dependsOn: [server.dataVolumeAttachment] });
    const certificates = new Certificates("site", droplet.certificatesArgs(site, host), { dependsOn: [hostSetup] });
    const apps = siteApps(site, droplet.target(host, server), [hostSetup, certificates]);
    // In front: a DNS record per host and the zone's settings.
    const zone = new CloudflareZone("site", droplet.cloudflareZoneArgs(settings, server), { providers: [providers.cloudflare] });
    // Watched from outside, once the apps answer at their names (a first deploy alerts nobody): an
    // uptime check per public URL, the droplet's CPU, memory and disk.
    new Monitoring("site", droplet.monitoringArgs(site, server), { providers: [providers.digitalocean], dependsOn: [apps, zone] });
    // After the apps: the repo's themes into Ghost, then the snapshots asked for.
    const themes = new Themes("site", droplet.themesArgs(host), { dependsOn: [apps] });
    // Ghost's public pages from Cloudflare's edge (a proxied blog), purged when the theme changes.
    const edgeCache = droplet.edgeCacheArgs(site, zone, themes);
    if (edgeCache) new EdgeCache("site", edgeCache, { providers: [providers.cloudflare] });
    const snapshots = new Snapshots("site", droplet.snapshotsArgs(settings, server, host), {
        providers: [providers.digitalocean],
        dependsOn: [apps, themes],
    });
    return {
        urls: serviceUrls(site, 443),
        logins: logins(site, 443),
        dropletIp: server.ipAddress,
        sshCommand: pulumi.interpolate`ssh ${settings.adminUser}@${server.ipAddress}`,
        snapshotIds: snapshots.ids,
        dataVolumeId: server.dataVolumeId,
    };
}

/** On this machine's Docker engine. */
function localSite(site: SiteConfig) {
    // Certificates for every *.localhost host, from a CA made for this machine.
    const ca = new LocalCertificateAuthority("site", { hostnames: local.hostnames(site.settings) });
    siteApps(site, local.target(site.settings, ca), []);
    return {
        urls: serviceUrls(site, site.settings.localHttpsPort),
        logins: logins(site, site.settings.localHttpsPort),
        caCertificate: ca.caCertificate,
    };
}

/** The apps, the same on every target: the management login's hash, then the containers. */
function siteApps(site: SiteConfig, target: SiteTarget, dependsOn: pulumi.Resource[]): Apps {
    const { settings, secrets } = site;
    const auth = new ManagementAuth("site", { password: secrets.managementPassword });
    const containerSecrets = {
        ...secrets,
        managementPasswordHash: auth.passwordHash,
        managementHtpasswd: auth.htpasswd,
        apps: declaredAppSecrets(site),
    };
    return new Apps(
        "site",
        {
            docker: target.docker,
            engine: target.engine,
            generation: target.generation,
            containers: renderContainers(settings, containerSecrets, target.trustedProxyRanges, target.placement),
        },
        { dependsOn },
    );
}

/** What the declared apps' containers are given from secrets: theirs, their databases' passwords, and MySQL's SQL making those. */
function declaredAppSecrets({ settings, appSecrets, appDatabasePasswords }: SiteConfig) {
    return {
        secrets: appSecrets,
        databasePasswords: appDatabasePasswords,
        // Made inside apply from secrets, so it stays one.
        databaseInit: pulumi.all(appDatabasePasswords).apply((passwords) => renderAppDatabaseSql(settings.apps, passwords)),
    };
}

/** Stack output: every service's public URL. */
function serviceUrls({ settings }: SiteConfig, httpsPort: number): Record<string, string> {
    return Object.fromEntries(settings.routed.map(({ name }) => [name, publicUrl(settings.services[name].hostname, httpsPort)]));
}

/**
 * Stack output (secret): how to log in, and MySQL's password, which a restore into a new stack must
 * bring along (`pulumi stack output logins --show-secrets`).
 */
function logins({ settings, secrets }: SiteConfig, httpsPort: number) {
    const url = (name: RoutedServiceName) => publicUrl(settings.services[name].hostname, httpsPort);
    return pulumi.secret({
        management: { url: url("portainer"), user: managementUser, password: secrets.managementPassword },
        jupyter: { url: url("jupyter"), token: secrets.jupyterToken },
        mysqlPassword: secrets.mysqlPassword,
    });
}
