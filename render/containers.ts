// Container specs: what each container runs, with which settings and data. Generic over the
// secret type S: Pulumi secret Outputs in the Apps component, placeholders in `npm run render`.
import {
    ContainerTemplate,
    DataVolume,
    dataRoot,
    dataVolumes,
    ghost,
    DeclaredApp,
    HealthCheck,
    imageOf,
    jupyter,
    mysql,
    network,
    portainer,
    proxy,
    publicUrl,
    publishedPorts,
} from "../config/catalogue";
import type { OptionalSecretName, SecretName, Settings } from "../config/schema";
import { appDatabaseInitFile, appDatabaseFirstInitFile, mysqlCommandWithInitFile } from "./appDatabases";
import { htpasswdPath, mainConfigPath, ProxyOptions, renderNginxMainConfig, renderNginxSiteConfig, siteConfigPath } from "./nginx";

export interface PublishedPort {
    readonly hostIp: string;
    readonly hostPort: number;
    readonly containerPort: number;
}

/** A host folder (`hostPath`) or a named Docker volume (`volumeName`) in a container. */
export interface VolumeMount {
    readonly hostPath?: string;
    readonly volumeName?: string;
    readonly containerPath: string;
    readonly readOnly: boolean;
}

export interface FileUpload<S> {
    /** Absolute path inside the container. */
    readonly path: string;
    readonly content: string | S;
    /** Its mode, like "0644"; unset, the provider's default. */
    readonly permissions?: string;
}

export interface ContainerSpec<S> {
    readonly name: string;
    readonly image: string;
    readonly networks: readonly string[];
    readonly ports: readonly PublishedPort[];
    readonly volumes: readonly VolumeMount[];
    /** Empty in-memory folders, by path inside the container, with their mount options. */
    readonly tmpfs: Readonly<Record<string, string>>;
    readonly env: Readonly<Record<string, string | S>>;
    readonly command: readonly (string | S)[];
    readonly restart: "unless-stopped";
    readonly memoryMb: number;
    readonly stopTimeoutSeconds: number;
    /** uid:gid, or undefined for the image's own user. */
    readonly user: string | undefined;
    readonly healthCheck: HealthCheck | null;
    readonly uploads: readonly FileUpload<S>[];
    /**
     * Containers created first: Ghost's database before Ghost; the apps before the proxy, so a
     * deploy's first visitors find them (the proxy would start without them: it follows them
     * through Docker's DNS while it runs).
     */
    readonly dependsOn: readonly string[];
    /** Docker labels beyond the one the Apps component gives every container: a declared app's name. */
    readonly labels: Readonly<Record<string, string>>;
}

/** The declared apps' secrets, and what is made from them. */
export interface AppSecrets<S> {
    /** `site:appSecrets`' entries, by name. */
    readonly secrets: Readonly<Record<string, S>>;
    /** Each app database user's password, by app name (the stack's, or one the site made). */
    readonly databasePasswords: Readonly<Record<string, S>>;
    /** The SQL that makes the apps' databases and users (render/appDatabases.ts), when an app has a database. */
    readonly databaseInit?: S;
}

/** Secrets, and values derived from them, that containers need. */
export type ContainerSecrets<S> = Readonly<
    Record<Exclude<SecretName, OptionalSecretName> | "managementPasswordHash" | "managementHtpasswd", S>
> & { readonly apps?: AppSecrets<S> };

/**
 * Where the containers land: the one thing that differs between a droplet and this machine's
 * Docker engine. Everything else about a container comes from the catalogue and the config.
 */
export interface Placement<S> {
    /** Where a data volume lives; undefined leaves it out. */
    readonly data: (volume: DataVolume, container: ContainerTemplate) => VolumeMount | undefined;
    /** The address, and the host ports the proxy's 80 and 443 are published on. */
    readonly publish: { readonly hostIp: string; readonly http: number; readonly https: number };
    /** Files the proxy gets besides its configuration (the local target's certificates). */
    readonly proxyFiles: readonly FileUpload<S>[];
    /** Extra mounts for Ghost (the local target's live themes). */
    readonly ghostMounts: readonly VolumeMount[];
    /** In-memory folders for Ghost (the local target's themes folder, which holds those mounts). */
    readonly ghostTmpfs: Readonly<Record<string, string>>;
    /** Ghost's mode: production caches theme templates, development re-reads them on every request. */
    readonly ghostMode: "production" | "development";
}

/** The droplet: data on the block storage volume, the proxy on every address's 80 and 443. */
export const dropletPlacement: Placement<never> = {
    data: (volume) => ({ hostPath: `${dataRoot}/${volume.name}`, containerPath: volume.containerPath, readOnly: volume.readOnly ?? false }),
    publish: { hostIp: "0.0.0.0", http: 80, https: 443 },
    proxyFiles: [],
    ghostMounts: [],
    ghostTmpfs: {},
    ghostMode: "production",
};

function spec<S>(
    template: ContainerTemplate,
    settings: Settings,
    placement: Placement<S>,
    extra: Partial<Pick<ContainerSpec<S>, "ports" | "volumes" | "tmpfs" | "env" | "command" | "uploads" | "dependsOn" | "labels">>,
): ContainerSpec<S> {
    const data = template.volumes.flatMap((volume) => placement.data(volume, template) ?? []);
    return {
        name: template.name,
        image: imageOf(template, settings),
        networks: [network.name],
        ports: extra.ports ?? [],
        volumes: [...data, ...(extra.volumes ?? [])],
        tmpfs: extra.tmpfs ?? {},
        env: extra.env ?? {},
        command: extra.command ?? [],
        restart: "unless-stopped",
        memoryMb: template.memoryMb,
        stopTimeoutSeconds: template.stopTimeoutSeconds,
        user: template.user,
        healthCheck: template.healthCheck,
        uploads: extra.uploads ?? [],
        dependsOn: extra.dependsOn ?? [],
        labels: extra.labels ?? {},
    };
}

/** The Docker label that names a declared app's container (the policies read it). */
export const appLabel = "site.app";
/** The Docker label on a declared app's container that sits behind the management login. */
export const loginLabel = "site.login";

/**
 * A declared app's container: its image, env (plain, from the stack's secrets, and its
 * database's), data folders; on the site's network only, published nowhere.
 */
function appSpec<S>(app: DeclaredApp, settings: Settings, placement: Placement<S>, secrets: ContainerSecrets<S>): ContainerSpec<S> {
    const given = secrets.apps;
    const secret = (name: string, what: string): S => {
        const value = given?.secrets[name];
        if (value === undefined) throw new Error(`${what}: the secret ${name} was not handed to renderContainers`);
        return value;
    };
    const env: Record<string, string | S> = { ...app.env };
    for (const [variable, name] of Object.entries(app.secretEnv)) env[variable] = secret(name, `${app.name}'s ${variable}`);
    if (app.database) {
        const password = given?.databasePasswords[app.name];
        if (password === undefined) throw new Error(`${app.name}'s database password was not handed to renderContainers`);
        const values: Record<string, string | S> = {
            host: mysql.name,
            port: String(mysql.port),
            name: app.database.name,
            user: app.database.name,
            password,
        };
        for (const [field, variable] of Object.entries(app.database.env)) if (variable) env[variable] = values[field];
    }
    return spec<S>(app, settings, placement, {
        env,
        dependsOn: app.database ? [mysql.name] : [],
        labels: { [appLabel]: app.name, ...(app.requiresAuth ? { [loginLabel]: "management" } : {}) },
    });
}

const databaseName = "ghost";
const databaseUser = "ghost";

export function renderContainers<S>(
    settings: Settings,
    secrets: ContainerSecrets<S>,
    trustedProxyRanges: readonly string[],
    placement: Placement<S> = dropletPlacement,
): ContainerSpec<S>[] {
    const smtpImplicitTls = settings.smtpPort === 465;
    const { hostIp, http, https } = placement.publish;
    const proxyOptions: ProxyOptions = {
        trustedProxyRanges,
        publicHttpsPort: https,
        ghostPageCache: placement.ghostMode === "production",
        // Published on the loopback, the proxy meets this machine's visitors at the network's gateway.
        ...(hostIp.startsWith("127.") ? { loopbackSeenAs: network.gateway } : {}),
    };
    return [
        spec<S>(proxy, settings, placement, {
            ports: [
                { hostIp, hostPort: http, containerPort: publishedPorts[0] },
                { hostIp, hostPort: https, containerPort: publishedPorts[1] },
            ],
            uploads: [
                { path: `/etc/nginx/${mainConfigPath}`, content: renderNginxMainConfig() },
                { path: `/etc/nginx/${siteConfigPath}`, content: renderNginxSiteConfig(settings, proxyOptions) },
                { path: `/etc/nginx/${htpasswdPath}`, content: secrets.managementHtpasswd },
                ...placement.proxyFiles,
            ],
            dependsOn: [ghost.name, jupyter.name, portainer.name, ...settings.apps.map((app) => app.name)],
        }),
        spec<S>(ghost, settings, placement, {
            env: {
                url: publicUrl(settings.services.ghost.hostname, https),
                NODE_ENV: placement.ghostMode,
                // The image sets these in its config.production.json only: in development mode (the
                // local target) Ghost would listen on the container's 127.0.0.1, out of the proxy's reach.
                server__host: "::",
                server__port: String(ghost.port),
                paths__contentPath: dataVolumes.ghostContent.containerPath,
                database__client: "mysql",
                database__connection__host: mysql.name,
                database__connection__user: databaseUser,
                database__connection__password: secrets.mysqlPassword,
                database__connection__database: databaseName,
                mail__transport: "SMTP",
                mail__from: settings.mailFrom,
                mail__options__host: settings.smtpHost,
                mail__options__port: String(settings.smtpPort),
                // true only for implicit TLS (465); 587 and 2525 upgrade with STARTTLS, which is
                // required: a server (or a man in the middle) that does not offer it gets no
                // credentials in clear, and no mail (nodemailer's requireTLS).
                mail__options__secure: String(smtpImplicitTls),
                mail__options__requireTLS: String(!smtpImplicitTls),
                mail__options__auth__user: settings.smtpUser,
                mail__options__auth__pass: secrets.smtpPassword,
            },
            volumes: [...placement.ghostMounts],
            tmpfs: placement.ghostTmpfs,
            dependsOn: [mysql.name],
        }),
        spec<S>(mysql, settings, placement, {
            env: {
                MYSQL_DATABASE: databaseName,
                MYSQL_USER: databaseUser,
                MYSQL_PASSWORD: secrets.mysqlPassword,
                // Nothing needs root: Ghost uses its own user, so root gets a password nobody knows.
                MYSQL_RANDOM_ROOT_PASSWORD: "yes",
            },
            ...appDatabaseInit(settings, secrets),
        }),
        spec<S>(jupyter, settings, placement, {
            env: { JUPYTER_TOKEN: secrets.jupyterToken },
            command: [
                "start-notebook.py",
                // Behind the proxy the Host header is the public name, not localhost.
                "--ServerApp.allow_remote_access=True",
                "--ServerApp.trust_xheaders=True",
            ],
        }),
        spec<S>(portainer, settings, placement, {
            // Portainer manages containers through the Docker socket; that is its whole purpose.
            volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: false }],
            command: ["--http-enabled", "--admin-password", secrets.managementPasswordHash],
        }),
        ...settings.apps.map((app) => appSpec<S>(app, settings, placement, secrets)),
    ];
}

/**
 * MySQL's part in the apps' databases, only when an app has one (so a stack without leaves the
 * MySQL container as it was): the SQL file, where the entrypoint runs it on the first start and
 * where mysqld's --init-file reads it at every later start (render/appDatabases.ts says why both).
 */
function appDatabaseInit<S>(settings: Settings, secrets: ContainerSecrets<S>): Partial<Pick<ContainerSpec<S>, "uploads" | "command">> {
    if (!settings.apps.some((app) => app.database)) return {};
    const sql = secrets.apps?.databaseInit;
    if (sql === undefined) throw new Error("the apps' database SQL was not handed to renderContainers");
    // mysqld reads --init-file as its own user (uid 999), and the provider uploads files owned by
    // root: 0644, in a container where only mysqld runs and whose env holds Ghost's password anyway.
    return {
        uploads: [
            { path: appDatabaseInitFile, content: sql, permissions: "0644" },
            { path: appDatabaseFirstInitFile, content: sql, permissions: "0644" },
        ],
        command: mysqlCommandWithInitFile,
    };
}
