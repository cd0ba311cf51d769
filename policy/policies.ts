// Each policy guards one invariant the site's security depends on. They read the same catalogue
// the program is built from, so a policy and the program cannot disagree about what is allowed,
// and they pick the resources they check with the providers' own classes (validateResourceOfType,
// isType), so props come typed as the provider declares them.
import * as digitalocean from "@pulumi/digitalocean";
import * as docker from "@pulumi/docker";
import type { Unwrap } from "@pulumi/pulumi";
import {
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";
import { containerName, dataRoot, proxy, publishedPorts, routedServiceNames, routedServices } from "../config/catalogue";
import { appLabel, loginLabel } from "../render/containers";
import { fenceVariable, htpasswdPath, openedOnPurpose, siteConfigPath } from "../render/nginx";
import { plainSecrets } from "./secretness";

const proxyName = containerName(proxy);

/** A container's inputs as a policy sees them: plain values, typed as the provider declares them. */
type ContainerProps = Unwrap<docker.ContainerArgs>;

const containerPolicy = (
    name: string,
    description: string,
    check: (container: ContainerProps, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidationPolicy => ({
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(docker.Container, check),
});

export const onlyProxyPublishes = containerPolicy(
    "only-the-proxy-publishes-ports",
    `Only ${proxyName} publishes ports, and only ${publishedPorts.join(" and ")}: anything else published would be reachable past the firewall's intent.`,
    (container, _args, report) => {
        const published = (container.ports ?? []).map((port) => port.external ?? port.internal);
        if (container.name !== proxyName && published.length > 0) {
            report(
                `container ${container.name} publishes ${published.join(", ")}; only ${proxyName} may publish ports: reach it through the proxy instead`,
            );
        }
        const extra = published.filter((port) => !(publishedPorts as readonly number[]).includes(port));
        if (container.name === proxyName && extra.length > 0)
            report(`${proxyName} publishes ${extra.join(", ")}; it may publish only ${publishedPorts.join(" and ")}`);
    },
);

export const managementNeedsAuth = containerPolicy(
    "management-ui-requires-a-password",
    "Every host that proxies to a service needing authentication (Portainer) asks for the password.",
    (container, _args, report) => {
        if (container.name !== proxyName) return;
        const site = (container.uploads ?? []).find((u) => u.file === `/etc/nginx/${siteConfigPath}`)?.content ?? "";
        for (const name of routedServiceNames.filter((n) => routedServices[n].requiresAuth)) {
            const servers = site.split(/\nserver \{/).filter((block) => block.includes(`proxy_pass http://${name};`));
            if (servers.length === 0) report(`the proxy's configuration has no server for ${name}`);
            for (const server of servers) {
                if (!/auth_basic "[^"]+";/.test(server) || !server.includes(`auth_basic_user_file /etc/nginx/${htpasswdPath};`)) {
                    report(`the proxy serves ${name}, a management UI, without auth_basic: anyone could stop the site's containers`);
                }
            }
        }
    },
);

/** The proxy's site configuration as the plan would upload it, and its server blocks proxying to `name`. */
const proxySite = (container: ContainerProps): string =>
    (container.uploads ?? []).find((u) => u.file === `/etc/nginx/${siteConfigPath}`)?.content ?? "";
const serversFor = (site: string, name: string): string[] =>
    site.split(/\nserver \{/).filter((block) => block.includes(`proxy_pass http://${name};`));

export const managementFenced = containerPolicy(
    "management-ui-answers-only-the-owner",
    "The management UI (Portainer, root on the host through Docker's socket) answers only the addresses its stack names (site:adminCidrs unless site:services.portainer.allowFrom says otherwise), 403 to everyone else before any login; it is open to anywhere only where the stack said allowFrom: anywhere.",
    (container, _args, report) => {
        if (container.name !== proxyName) return;
        const site = proxySite(container);
        for (const service of routedServiceNames.map((n) => routedServices[n]).filter((s) => s.allowFromByDefault === "adminCidrs")) {
            const variable = fenceVariable(service);
            const geo = new RegExp(`\\ngeo \\$\\w+ \\${variable} \\{\\n([^}]*)\\}`).exec(site)?.[1] ?? "";
            const ranges = geo
                .split("\n")
                .map((line) => line.trim())
                .filter((line) => line && !line.startsWith("#"));
            // A fence that lets everyone in: a default of 1, or a range that is the whole internet.
            const fenceOpen = ranges.some((line) => /^(default\s+[^0\s]|(0\.0\.0\.0|::)\/0\s+[^0\s])/.test(line));
            for (const server of serversFor(site, service.name)) {
                if (server.includes(openedOnPurpose(service))) continue;
                const location = server.slice(server.indexOf("location / {"));
                const fenced = new RegExp(`^\\s*if \\(\\${variable} = 0\\) \\{\\s*return 403;`, "m").test(location);
                if (!fenced || !ranges.includes("default 0;") || fenceOpen) {
                    report(
                        `the proxy serves ${service.name}, a management UI that is root on the host, to every address: fence it to site:adminCidrs (the default), or open it on purpose with pulumi config set --path 'site:services.${service.name}.allowFrom' anywhere`,
                    );
                }
            }
        }
    },
);

/**
 * The apps a stack declares (site:apps) are not in the catalogue the pack is built with: their
 * containers carry their name (label site.app), and the ones behind the management login say so
 * (label site.login); the proxy's configuration in the same plan must ask for the password before
 * it passes anything on to them, as managementNeedsAuth checks for Portainer.
 */
export const declaredAppsBehindTheLogin: StackValidationPolicy = {
    name: "declared-apps-behind-the-login-ask-for-it",
    description:
        "Every declared app whose container says it sits behind the management login (label site.login) is served by the proxy only after auth_basic, and every declared app is served by the proxy.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const containers = args.resources.filter((r) => r.isType(docker.Container)).map((r) => r.props as ContainerProps);
        const proxies = containers.filter((c) => c.name === proxyName);
        if (proxies.length === 0) return;
        const site = proxySite(proxies[0]);
        for (const container of containers) {
            const labels = container.labels ?? [];
            const app = labels.find((l) => l.label === appLabel)?.value;
            if (!app) continue;
            const servers = serversFor(site, app);
            if (servers.length === 0) report(`the proxy's configuration has no server for the declared app ${app}`);
            if (!labels.some((l) => l.label === loginLabel && l.value === "management")) continue;
            for (const server of servers) {
                if (!/auth_basic "[^"]+";/.test(server) || !server.includes(`auth_basic_user_file /etc/nginx/${htpasswdPath};`)) {
                    report(
                        `the proxy serves ${app}, declared behind the management login (site:apps.${app}.managementLogin), without auth_basic`,
                    );
                }
            }
        }
    },
};

export const dataOnVolume = containerPolicy(
    "container-data-on-the-data-volume",
    `Every container keeps its state in a host directory under ${dataRoot} (the protected block storage volume) or, on the local target, a named Docker volume; nothing lives only inside a container.`,
    (container, _args, report) => {
        const volumes = container.volumes ?? [];
        const data = volumes.filter((v) => v.hostPath?.startsWith(`${dataRoot}/`) || v.volumeName);
        if (data.length === 0)
            report(`container ${container.name} keeps no data under ${dataRoot}: whatever it writes is lost when it is replaced`);
        for (const v of volumes) {
            if (!v.hostPath && !v.volumeName && v.containerPath)
                report(`container ${container.name} has an anonymous volume at ${v.containerPath}; put it under ${dataRoot}`);
        }
    },
);

export const dataVolumeProtected: ResourceValidationPolicy = {
    name: "data-volume-is-protected",
    description: "The block storage volume that holds every container's data is protected from deletion and replacement.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(digitalocean.Volume, (_volume, args, report) => {
        if (!args.opts.protect)
            report(`volume ${args.name} is not protected: a config change or destroy could delete the site's data; set protect: true`);
    }),
};

/**
 * Validation sees secrets already unwrapped, so this check runs where the SDK still hands them
 * over as secrets: as a remediation that changes nothing and fails the plan when a credential
 * travels in plain text.
 */
export const secretsStaySecret: ResourceValidationPolicy = {
    name: "secret-looking-inputs-are-secrets",
    description:
        "Inputs that look like credentials (passwords, tokens, keys, and env entries named so) are Pulumi secrets, so they never land in state in plain text.",
    enforcementLevel: "remediate",
    remediateResource: (args) => {
        const leaks = plainSecrets(args.props);
        if (leaks.length > 0) {
            throw new Error(
                `${args.type} ${args.name}: ${leaks.join(", ")} ${leaks.length === 1 ? "is" : "are"} not a secret; read it with config.requireSecret() or wrap it in pulumi.secret()`,
            );
        }
        return undefined;
    },
};

export const dropletHasFirewall: StackValidationPolicy = {
    name: "droplet-has-a-cloud-firewall",
    description: "Every droplet is covered by a DigitalOcean cloud firewall, the first of the site's two firewalls.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const firewalls = args.resources.filter((r) => r.isType(digitalocean.Firewall));
        for (const droplet of args.resources.filter((r) => r.isType(digitalocean.Droplet))) {
            const covered = firewalls.some((f) => (f.propertyDependencies.dropletIds ?? []).some((d) => d.urn === droplet.urn));
            if (!covered) report(`droplet ${droplet.name} is in no cloud firewall's dropletIds`, droplet.urn);
        }
    },
};

export const policies: Policy[] = [
    onlyProxyPublishes,
    managementNeedsAuth,
    managementFenced,
    declaredAppsBehindTheLogin,
    dataOnVolume,
    dataVolumeProtected,
    secretsStaySecret,
    dropletHasFirewall,
];
