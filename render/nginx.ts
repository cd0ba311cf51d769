// The reverse proxy's configuration: the only thing reachable from outside. Rendered from the
// stack config and the service catalogue; shipped into the nginx container by the Apps component
// and written to DIR/nginx/ by `npm run render`.
import { proxy, proxyHealthPort, routedServiceNames, routedServices, RoutedService } from "../config/catalogue";
import type { Settings } from "../config/schema";

/** Where the proxy reads each host's certificate (the proxy's certificate volume). */
const certificatesPath = proxy.volumes[0].containerPath;

export const siteConfigPath = "conf.d/default.conf";
export const htpasswdPath = "auth/management.htpasswd";
export const managementUser = "admin";

const proxyHeaders = (service: RoutedService): string[] => [
    "proxy_http_version 1.1;",
    "proxy_set_header Host $host;",
    // Ghost with an https url redirects forever unless it learns the visitor's scheme.
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Real-IP $remote_addr;",
    ...(service.websockets
        ? [
              "proxy_set_header Upgrade $http_upgrade;",
              "proxy_set_header Connection $connection_upgrade;",
              // Idle kernels and consoles must outlive nginx's 60 s default.
              "proxy_read_timeout 1h;",
              "proxy_send_timeout 1h;",
          ]
        : ['proxy_set_header Connection "";']),
];

const authLines = (service: RoutedService): string[] =>
    service.requiresAuth
        ? [
              'auth_basic "Management";',
              `auth_basic_user_file /etc/nginx/${htpasswdPath};`,
              "limit_req zone=management burst=40 nodelay;",
          ]
        : [];

const indent = (lines: string[], depth: number) => lines.map((line) => `${"    ".repeat(depth)}${line}`);

function serverBlock(service: RoutedService, hostname: string): string[] {
    return [
        "server {",
        ...indent(
            [
                "listen 443 ssl;",
                "listen [::]:443 ssl;",
                "http2 on;",
                `server_name ${hostname};`,
                `ssl_certificate ${certificatesPath}/${hostname}/fullchain.pem;`,
                `ssl_certificate_key ${certificatesPath}/${hostname}/privkey.pem;`,
                "location / {",
                ...indent([...authLines(service), `proxy_pass http://${service.name};`, ...proxyHeaders(service)], 1),
                "}",
            ],
            1,
        ),
        "}",
    ];
}

export function renderNginxSiteConfig(settings: Settings): string {
    const hosts = routedServiceNames.map((name) => ({ service: routedServices[name], hostname: settings.services[name].hostname }));
    const lines = [
        "# Rendered from the stack config by render/nginx.ts; do not edit.",
        "server_tokens off;",
        "# Ghost image and theme uploads.",
        "client_max_body_size 50m;",
        "ssl_protocols TLSv1.2 TLSv1.3;",
        "ssl_session_cache shared:SSL:10m;",
        "map $http_upgrade $connection_upgrade {",
        "    default upgrade;",
        "    '' close;",
        "}",
        "limit_req_zone $binary_remote_addr zone=management:10m rate=2r/s;",
        "",
        ...hosts.flatMap(({ service }) => [
            `upstream ${service.name} {`,
            `    server ${service.name}:${service.port};`,
            "    keepalive 16;",
            "}",
        ]),
        "",
        "# A Host this site does not serve gets its connection closed, never a default site.",
        "server {",
        "    listen 80 default_server;",
        "    listen [::]:80 default_server;",
        "    return 444;",
        "}",
        "server {",
        "    listen 443 ssl default_server;",
        "    listen [::]:443 ssl default_server;",
        "    ssl_reject_handshake on;",
        "}",
        "",
        "server {",
        "    listen 80;",
        "    listen [::]:80;",
        `    server_name ${hosts.map(({ hostname }) => hostname).join(" ")};`,
        "    return 301 https://$host$request_uri;",
        "}",
        "",
        ...hosts.flatMap(({ service, hostname }) => [...serverBlock(service, hostname), ""]),
        "# The container's health check; never published.",
        "server {",
        `    listen 127.0.0.1:${proxyHealthPort};`,
        "    location = /healthz {",
        "        access_log off;",
        "        return 204;",
        "    }",
        "}",
        "",
    ];
    return lines.join("\n");
}

/** One htpasswd line; the hash is bcrypt, made by the Apps component from the secret. */
export function renderHtpasswd(passwordHash: string): string {
    return `${managementUser}:${passwordHash}\n`;
}
