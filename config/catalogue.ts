// The service catalogue: the one place that knows each container's image setting, internal port,
// data volumes, and whether it needs websockets or authentication. nginx, DNS, the containers, the
// data directories and the firewall are all derived from it.

/** Services that visitors reach by hostname through the proxy. */
export const routedServiceNames = ["ghost", "jupyter", "portainer"] as const;
export type RoutedServiceName = (typeof routedServiceNames)[number];

/** Config keys holding a pinned image reference, one per container. */
export const imageKeys = ["ghostImage", "mysqlImage", "jupyterImage", "portainerImage", "nginxImage", "certbotImage"] as const;
export type ImageKey = (typeof imageKeys)[number];

export interface DataVolume {
    /** Directory under the site's data root on the host. */
    readonly name: string;
    /** Where the container sees it. */
    readonly containerPath: string;
    /** Owner the container's process runs as, so it can write without running as root. */
    readonly uid: number;
    readonly gid: number;
    /** The container only reads it (the proxy reads certificates certbot writes). */
    readonly readOnly?: boolean;
}

export interface HealthCheck {
    readonly test: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly startPeriod: string;
    readonly retries: number;
}

export interface ContainerTemplate {
    readonly name: string;
    /** The config key naming its pinned image (the built-in containers)... */
    readonly imageKey?: ImageKey;
    /** ...or the pinned image itself (an app declared in `site:apps`). Exactly one of the two. */
    readonly image?: string;
    /** Port the process listens on inside the private network. */
    readonly port: number;
    readonly volumes: readonly DataVolume[];
    readonly memoryMb: number;
    /**
     * Seconds `docker stop` (a drain, a reboot, a replaced container) waits after SIGTERM before it
     * kills: long enough for the process to shut down cleanly. Docker's own default is 10.
     */
    readonly stopTimeoutSeconds: number;
    /**
     * uid:gid the container runs as from its first process; unset, the image's own choice. Ghost's
     * image, started as root, walks its content folder to chown every file not its user's and stops
     * if one fails: a read-only theme mount (the local target's) owned by anyone else stops Ghost.
     * Started as its user, it skips the walk: the data folders are already its (the data volume's
     * owners), and it never runs as root.
     */
    readonly user?: string;
    /** null only where the image has no program that could run a check (said why below). */
    readonly healthCheck: HealthCheck | null;
}

export interface RoutedService extends ContainerTemplate {
    /** A built-in service's name (RoutedServiceName), or a declared app's. */
    readonly name: string;
    /** Jupyter kernels and Portainer's console are websockets (PITFALLS: Apps behind the proxy). */
    readonly websockets: boolean;
    /** The proxy asks for the management password before passing anything on. */
    readonly requiresAuth: boolean;
    /** Cloudflare proxy default: off for websocket hosts, which broke behind it. */
    readonly proxiedByDefault: boolean;
    /**
     * Who may reach the host at all when the stack does not say (`site:services.<name>.allowFrom`):
     * the stack's adminCidrs for a service whose login, once passed, owns the host (Portainer mounts
     * Docker's socket), anywhere for the others (Jupyter's token and Ghost's own logins guard them).
     */
    readonly allowFromByDefault: "adminCidrs" | "anywhere";
}

export const check = (test: string[], startPeriod = "30s"): HealthCheck => ({
    test,
    interval: "30s",
    timeout: "5s",
    startPeriod,
    retries: 3,
});

/** Every data volume, by name: a container's data, and who owns it. */
export const dataVolumes = {
    ghostContent: { name: "ghost-content", containerPath: "/var/lib/ghost/content", uid: 1000, gid: 1000 },
    mysqlData: { name: "mysql-data", containerPath: "/var/lib/mysql", uid: 999, gid: 999 },
    jupyterWork: { name: "jupyter-work", containerPath: "/home/jovyan/work", uid: 1000, gid: 100 },
    portainerData: { name: "portainer-data", containerPath: "/data", uid: 0, gid: 0 },
    letsencrypt: { name: "letsencrypt", containerPath: "/etc/letsencrypt", uid: 0, gid: 0, readOnly: true },
    siteHealth: { name: "site-health", containerPath: "/srv/site-health", uid: 0, gid: 0, readOnly: true },
} as const satisfies Record<string, DataVolume>;

/**
 * The host's verdict on what DigitalOcean cannot watch (the data volume's room): a host timer keeps
 * the file `ok` in the site-health volume while all is well and removes it when not; the proxy
 * serves it at `path` (503 without it, never cached) and an uptime check alerts on anything but 200.
 */
export const siteHealth = { path: "/.well-known/site-health", file: "ok", volume: dataVolumes.siteHealth } as const;

export const ghost: RoutedService = {
    name: "ghost",
    imageKey: "ghostImage",
    port: 2368,
    volumes: [dataVolumes.ghostContent],
    memoryMb: 512,
    stopTimeoutSeconds: 30,
    user: `${dataVolumes.ghostContent.uid}:${dataVolumes.ghostContent.gid}`,
    // The image has node but no curl; any answer below 500 means Ghost is serving.
    healthCheck: check(
        [
            "CMD",
            "node",
            "-e",
            "require('http').get('http://127.0.0.1:2368/ghost/api/admin/site/',r=>process.exit(r.statusCode<500?0:1)).on('error',()=>process.exit(1))",
        ],
        "120s",
    ),
    websockets: false,
    requiresAuth: false,
    proxiedByDefault: true,
    allowFromByDefault: "anywhere",
};

export const jupyter: RoutedService = {
    name: "jupyter",
    imageKey: "jupyterImage",
    port: 8888,
    volumes: [dataVolumes.jupyterWork],
    memoryMb: 768,
    stopTimeoutSeconds: 30,
    healthCheck: check(["CMD", "/etc/jupyter/docker_healthcheck.py"]),
    websockets: true,
    requiresAuth: false,
    proxiedByDefault: false,
    allowFromByDefault: "anywhere",
};

export const portainer: RoutedService = {
    name: "portainer",
    imageKey: "portainerImage",
    port: 9000,
    volumes: [dataVolumes.portainerData],
    memoryMb: 256,
    stopTimeoutSeconds: 10,
    // The image is built FROM scratch: no shell, no client to probe with. The proxy's upstream
    // errors and the restart policy cover it.
    healthCheck: null,
    websockets: true,
    requiresAuth: true,
    proxiedByDefault: false,
    // Docker's socket is mounted into it: whoever gets past its login is root on the host.
    allowFromByDefault: "adminCidrs",
};

export const mysql: ContainerTemplate = {
    name: "mysql",
    imageKey: "mysqlImage",
    port: 3306,
    volumes: [dataVolumes.mysqlData],
    memoryMb: 512,
    // InnoDB flushes its buffer pool and logs on SIGTERM; killed mid-flush it has to recover on start.
    stopTimeoutSeconds: 120,
    // mysqladmin ping answers 0 as soon as the server accepts connections, even without credentials.
    healthCheck: check(["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"], "60s"),
};

export const proxy: ContainerTemplate = {
    name: "proxy",
    imageKey: "nginxImage",
    port: 443,
    volumes: [dataVolumes.letsencrypt, dataVolumes.siteHealth],
    memoryMb: 128,
    stopTimeoutSeconds: 10,
    healthCheck: check(["CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8081/healthz"], "10s"),
};

export const routedServices: Record<RoutedServiceName, RoutedService> = { ghost, jupyter, portainer };

/** An app declared in the stack config (`site:apps.<name>`): a routed service like the built-in ones, plus what it is given. */
export interface DeclaredApp extends RoutedService {
    readonly image: string;
    /** Plain env values, by variable name. */
    readonly env: Readonly<Record<string, string>>;
    /** Env values from the stack's secrets: variable name to the name of a secret in `site:appSecrets`. */
    readonly secretEnv: Readonly<Record<string, string>>;
    /** Its own database on the site's MySQL, and the env variables that tell the app where it is. */
    readonly database?: AppDatabase;
}

export interface AppDatabase {
    /** The database's and the user's name on the site's MySQL. */
    readonly name: string;
    /** A secret in `site:appSecrets` holding the user's password; unset, the site makes one (random, kept in state). */
    readonly passwordSecret?: string;
    /** Names of the env variables the app reads them from; each one optional. */
    readonly env: Readonly<Partial<Record<AppDatabaseEnv, string>>>;
}
export const appDatabaseEnv = ["host", "port", "name", "user", "password"] as const;
export type AppDatabaseEnv = (typeof appDatabaseEnv)[number];

/** Where a declared app's data folders live on the data volume: one folder per app, below `apps/`. */
export const appDataFolder = (app: string): string => `apps/${app}`;

/** A container's image: its own pinned reference (a declared app) or the config key's value (the built-in ones). */
export const imageOf = (template: ContainerTemplate, settings: Readonly<Record<ImageKey, string>>): string =>
    template.image ?? settings[template.imageKey!];

/**
 * The name Docker knows a container by (`docker exec site-mysql`, `docker kill site-proxy`): the
 * same on every target, and what host scripts, policies and the sandbox address it by.
 */
export const containerName = (container: Pick<ContainerTemplate, "name">): string => `site-${container.name}`;

/** A data volume as a named Docker volume, where a target keeps data in Docker's volumes. */
export const dockerVolumeName = (volume: DataVolume): string => `site-${volume.name.replaceAll("/", ".")}`;

/** What visitors type: https, the hostname, and the port when it is not 443. */
export const publicUrl = (hostname: string, httpsPort: number): string => `https://${hostname}${httpsPort === 443 ? "" : `:${httpsPort}`}`;

/**
 * Certificates: a job, not a service. Certbot runs in this image on the host (issue at deploy,
 * renew from a systemd timer) and writes to the proxy's certificate volume.
 */
export const certbot = {
    imageKey: "certbotImage" as const,
    volume: dataVolumes.letsencrypt,
    /** Where the Cloudflare token for the DNS-01 challenge lives on the host (root only). */
    credentialsFile: "/srv/site/secrets/cloudflare.ini",
};

/** Every built-in container of the site, in the order they are described to users (declared apps follow: Settings.apps). */
export const containerTemplates: readonly ContainerTemplate[] = [proxy, ghost, mysql, jupyter, portainer];

/**
 * Names a declared app may not take: the built-in containers' (and so their Docker names
 * `site-<name>`, DNS records and nginx upstreams), the folders on the data volume, and the names
 * MySQL keeps for itself (an app's database is named after it).
 */
export const reservedAppNames: readonly string[] = [
    ...new Set([
        ...containerTemplates.map((c) => c.name),
        "certbot",
        ...Object.values(dataVolumes).map((v) => v.name),
        "apps",
        "backups",
        "secrets",
        "data",
        "site",
        "health",
        "watchdog",
        "network",
        "docker",
        "sys",
        "root",
    ]),
];

/** The only ports anything on the droplet publishes: the proxy's. */
export const publishedPorts = [80, 443] as const;

/** Port inside the proxy container answering its health check; never published. */
export const proxyHealthPort = 8081;

/**
 * Where container data lives on the host: the mount point of the DigitalOcean block storage volume,
 * so the data outlives the droplet. Every data volume is a directory below it.
 */
export const dataRoot = "/srv/site/data";

/** The block storage volume's filesystem: found by its label at every boot. */
export const dataVolume = { label: "site-data", filesystem: "ext4" } as const;

/** Database dumps taken before each snapshot, on the data volume (root only). */
export const backupsDir = `${dataRoot}/backups`;

/**
 * The private Docker network all containers share. Docker gives its gateway, the host's side of the
 * bridge, the subnet's first address: where a connection Docker's port publishing forwards from the
 * host's loopback (the local target's 127.0.0.1) reaches a container from.
 */
export const network = { name: "site", subnet: "172.30.1.0/24", gateway: "172.30.1.1" } as const;

/**
 * Every address Docker may give a container: docker0 and all user networks are carved from this
 * pool (daemon.json), so the firewall can name "traffic from containers" exactly instead of
 * trusting all private ranges, which on DigitalOcean would include the VPC.
 */
export const containerAddressPool = { base: "172.30.0.0/16", size: 24, bridgeIp: "172.30.0.1/24" } as const;

/** DigitalOcean's metadata service: it serves the droplet's user data to anyone who asks. */
export const metadataAddress = "169.254.169.254";
