// The site: where it runs (a droplet, or this machine's Docker engine), the apps on it, and what
// the target adds after them (DNS, themes, snapshots on a droplet).
import { Apps } from "./components/apps";
import { ManagementAuth } from "./components/managementAuth";
import { loadSiteConfig } from "./config";
import { routedServiceNames } from "./config/catalogue";
import { renderContainers } from "./render/containers";
import { dropletTarget } from "./targets/droplet";
import { localTarget } from "./targets/local";

const site = loadSiteConfig();
const { settings, secrets } = site;
const target = settings.target === "local" ? localTarget(site) : dropletTarget(site);

const auth = new ManagementAuth("site", { password: secrets.managementPassword });
const apps = new Apps(
    "site",
    {
        docker: target.docker,
        generation: target.generation,
        containers: renderContainers(
            settings,
            { ...secrets, managementPasswordHash: auth.passwordHash, managementHtpasswd: auth.htpasswd },
            target.trustedProxyRanges,
            target.placement,
        ),
    },
    { dependsOn: [...target.ready] },
);
const port = target.httpsPort === 443 ? "" : `:${target.httpsPort}`;

// Stack outputs: every service's URL, and the target's own (the droplet's IP, SSH command,
// snapshot and volume ids; the local CA).
export = {
    urls: Object.fromEntries(routedServiceNames.map((name) => [name, `https://${settings.services[name].hostname}${port}`])),
    ...target.finish(apps),
};
