// Each policy guards one invariant the site's security depends on. They read the same catalogue
// the program is built from, so a policy and the program cannot disagree about what is allowed.
import { Policy, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Secret, StackValidationPolicy } from "@pulumi/policy";
import { dataRoot, proxy, publishedPorts, routedServiceNames, routedServices } from "../config/catalogue";

const container = "docker:index/container:Container";
const proxyName = `site-${proxy.name}`;

interface ContainerProps {
    name?: string;
    ports?: { external?: number; internal: number }[];
    volumes?: { hostPath?: string; volumeName?: string; containerPath?: string }[];
    uploads?: { file: string; content?: string }[];
}

const containerPolicy = (
    name: string,
    description: string,
    check: (props: ContainerProps, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidationPolicy => ({
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === container) check(args.props as ContainerProps, args, report);
    },
});

export const onlyProxyPublishes = containerPolicy(
    "only-the-proxy-publishes-ports",
    `Only ${proxyName} publishes ports, and only ${publishedPorts.join(" and ")}: anything else published would be reachable past the firewall's intent.`,
    (props, _args, report) => {
        const published = (props.ports ?? []).map((port) => port.external ?? port.internal);
        if (props.name !== proxyName && published.length > 0) {
            report(
                `container ${props.name} publishes ${published.join(", ")}; only ${proxyName} may publish ports: reach it through the proxy instead`,
            );
        }
        const extra = published.filter((port) => !(publishedPorts as readonly number[]).includes(port));
        if (props.name === proxyName && extra.length > 0)
            report(`${proxyName} publishes ${extra.join(", ")}; it may publish only ${publishedPorts.join(" and ")}`);
    },
);

export const managementNeedsAuth = containerPolicy(
    "management-ui-requires-a-password",
    "Every host that proxies to a service needing authentication (Portainer) asks for the password.",
    (props, _args, report) => {
        if (props.name !== proxyName) return;
        const site = (props.uploads ?? []).find((u) => u.file === "/etc/nginx/conf.d/default.conf")?.content ?? "";
        for (const name of routedServiceNames.filter((n) => routedServices[n].requiresAuth)) {
            const servers = site.split(/\nserver \{/).filter((block) => block.includes(`proxy_pass http://${name};`));
            if (servers.length === 0) report(`the proxy's configuration has no server for ${name}`);
            for (const server of servers) {
                if (!/auth_basic "[^"]+";/.test(server) || !/auth_basic_user_file \S+;/.test(server)) {
                    report(`the proxy serves ${name}, a management UI, without auth_basic: anyone could stop the site's containers`);
                }
            }
        }
    },
);

export const dataOnVolume = containerPolicy(
    "container-data-on-the-data-volume",
    `Every container keeps its state in a host directory under ${dataRoot} (the protected block storage volume) or, on the local target, a named Docker volume; nothing lives only inside a container.`,
    (props, _args, report) => {
        const data = (props.volumes ?? []).filter((v) => v.hostPath?.startsWith(`${dataRoot}/`) || v.volumeName);
        if (data.length === 0)
            report(`container ${props.name} keeps no data under ${dataRoot}: whatever it writes is lost when it is replaced`);
        for (const v of props.volumes ?? []) {
            if (!v.hostPath && !v.volumeName && v.containerPath)
                report(`container ${props.name} has an anonymous volume at ${v.containerPath}; put it under ${dataRoot}`);
        }
    },
);

export const dataVolumeProtected: ResourceValidationPolicy = {
    name: "data-volume-is-protected",
    description: "The block storage volume that holds every container's data is protected from deletion and replacement.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "digitalocean:index/volume:Volume" && !args.opts.protect) {
            report(`volume ${args.name} is not protected: a config change or destroy could delete the site's data; set protect: true`);
        }
    },
};

/** Input names that hold credentials, and env entries (`NAME=value`) whose NAME does. */
const secretLooking = /password|passwd|token|secret|private_?key|api_?key/i;

/** The policy SDK's proxies hide secrets as plain values; this reads through to what was sent. */
function raw(value: unknown): unknown {
    let current = value as Record<string, unknown> | undefined;
    while (current && typeof current === "object" && (current as Record<string, unknown>)["__isSpecialProxy"]) {
        current = current["__getSpecialProxyTarget"] as Record<string, unknown>;
    }
    return current;
}

/** Paths of secret-looking values that are not secrets. */
export function plainSecrets(props: unknown, path = ""): string[] {
    const value = raw(props);
    if (value instanceof Secret) return [];
    if (Array.isArray(value)) return value.flatMap((item, i) => plainSecrets(item, `${path}[${i}]`));
    if (typeof value === "string") {
        const [, envName, envValue] = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(value) ?? [];
        // A switch like MYSQL_RANDOM_ROOT_PASSWORD=yes names a credential but holds none.
        const isSwitch = /^(yes|no|true|false|0|1)?$/i.test(envValue ?? "");
        return envName && secretLooking.test(envName) && !isSwitch ? [`${path} (${envName}=…)`] : [];
    }
    if (value && typeof value === "object") {
        return Object.entries(value).flatMap(([key, item]) => {
            const at = path ? `${path}.${key}` : key;
            const inner = raw(item);
            if (secretLooking.test(key) && (typeof inner === "string" || typeof inner === "number") && inner !== "") return [at];
            return plainSecrets(item, at);
        });
    }
    return [];
}

/**
 * Validation sees secrets already unwrapped, so this check runs where the SDK still shows them:
 * as a remediation that changes nothing and fails the plan when a credential travels in plain text.
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
        const firewalls = args.resources.filter((r) => r.type === "digitalocean:index/firewall:Firewall");
        for (const droplet of args.resources.filter((r) => r.type === "digitalocean:index/droplet:Droplet")) {
            const covered = firewalls.some((f) => (f.propertyDependencies.dropletIds ?? []).some((d) => d.urn === droplet.urn));
            if (!covered) report(`droplet ${droplet.name} is in no cloud firewall's dropletIds`, droplet.urn);
        }
    },
};

export const policies: Policy[] = [
    onlyProxyPublishes,
    managementNeedsAuth,
    dataOnVolume,
    dataVolumeProtected,
    secretsStaySecret,
    dropletHasFirewall,
];
