// The reverse proxy's configuration: the only thing reachable from outside. Rendered from the
// stack config and the service catalogue; shipped into the nginx container by the Apps component
// (under /etc/nginx/) and written to DIR/nginx/ by `npm run render`.
import { BlockList, isIP } from "node:net";
import { ghost, proxyHealthPort, publicUrl, RoutedService, siteHealth } from "../config/catalogue";
import { cacheableMethods, ghostPrivatePathPrefixes, ghostSessionCookies } from "../config/ghostPages";
import { anywhere, project, ServiceSettings, Settings } from "../config/schema";

export const mainConfigPath = "nginx.conf";
export const siteConfigPath = "conf.d/default.conf";
export const htpasswdPath = "auth/management.htpasswd";
export const managementUser = "admin";

/**
 * Docker's embedded DNS server, on every user-defined network (the site's, on a droplet and
 * locally): it answers a container's name with its current address.
 */
export const dockerResolver = "127.0.0.11";

/**
 * How long nginx keeps an upstream's address before asking again (it asks a second after the answer
 * expires). Docker's answers say 600 s; this short, a container recreated at a new address is
 * followed within about 3 s, for three questions every 3 s to a DNS server inside dockerd.
 */
export const upstreamResolveSeconds = 2;

export interface ProxyOptions {
    /**
     * Addresses allowed to tell us the visitor's address, and the only ones proxied hosts accept:
     * Cloudflare's published ranges in production (config/cloudflareRanges.ts).
     */
    readonly trustedProxyRanges: readonly string[];
    /** The port visitors reach HTTPS on (443 on a droplet; 8443 locally), for the HTTP redirect. */
    readonly publicHttpsPort?: number;
    /**
     * Cache Ghost's public pages briefly (the default). Off where themes are edited (the local
     * target), so a saved template shows on the next reload.
     */
    readonly ghostPageCache?: boolean;
    /**
     * The address nginx sees this machine's own visitors (127.0.0.1) come from, where the proxy is
     * published on the loopback (the local target): Docker's port publishing hands their connections
     * to the container from the site network's gateway. A fence that admits 127.0.0.1 admits it too.
     */
    readonly loopbackSeenAs?: string;
}

/** The variable that is 1 for a visitor the host's fence lets in (`allowFrom`), 0 for anyone else. */
export const fenceVariable = (service: Pick<RoutedService, "name">): string => `$allowed_${service.name.replaceAll("-", "_")}`;

/** The line a server carries when the stack opened a fenced-by-default host to anywhere on purpose. */
export const openedOnPurpose = (service: Pick<RoutedService, "name">): string =>
    `# Open to every address on purpose: ${configPrefix(service)}.allowFrom is ${anywhere}.`;

/** Where a routed service's settings live: site:services.<name> for a built-in one, site:apps.<name> for a declared app. */
export const configPrefix = (service: Pick<RoutedService, "name" | "image">): string =>
    `${project}:${service.image === undefined ? "services" : "apps"}.${service.name}`;

function coversLoopback(cidr: string): boolean {
    const [address, prefix] = cidr.split("/");
    if (isIP(address) !== 4) return false;
    const list = new BlockList();
    list.addSubnet(address, Number(prefix), "ipv4");
    return list.check("127.0.0.1", "ipv4");
}

/**
 * Who may reach a fenced host, decided on the visitor's real address: on a proxied host the one
 * Cloudflare vouches for (CF-Connecting-IP, believed only from Cloudflare: $remote_addr after
 * real_ip), on a DNS-only host the connection's own ($realip_remote_addr, whatever it claims).
 */
function fenceBlock(service: RoutedService, settings: ServiceSettings, options: ProxyOptions): string[] {
    if (settings.allowFrom === anywhere) return [];
    const source = settings.proxied ? "$remote_addr" : "$realip_remote_addr";
    const loopback = options.loopbackSeenAs && settings.allowFrom.some(coversLoopback) ? options.loopbackSeenAs : undefined;
    return [
        `# Who may reach ${settings.hostname} past its site-health path (${configPrefix(service)}.allowFrom),`,
        `# by ${settings.proxied ? "the address Cloudflare vouches for" : "the connection's address"}; anyone else gets 403 before any login.`,
        ...block(`geo ${source} ${fenceVariable(service)}`, [
            "default 0;",
            ...settings.allowFrom.map((cidr) => `${cidr} 1;`),
            ...(loopback
                ? [`# This machine (127.0.0.1), as Docker's port publishing hands its connections over.`, `${loopback}/32 1;`]
                : []),
        ]),
    ];
}

/** Mozilla's "intermediate" TLS profile (ssl-config.mozilla.org, guideline 5.7), ECDHE suites only. */
const mozillaIntermediate = [
    "ssl_protocols TLSv1.2 TLSv1.3;",
    "ssl_ecdh_curve X25519:prime256v1:secp384r1;",
    "ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;",
    "ssl_prefer_server_ciphers off;",
    "ssl_session_timeout 1d;",
    "ssl_session_cache shared:TLS:10m;",
    "ssl_session_tickets off;",
    // No ssl_stapling: Let's Encrypt certificates carry no OCSP responder since 2025, so there is
    // nothing to staple (nginx would only warn at every start).
];

/**
 * Sent on every response, error pages included. nginx drops inherited add_header lines in a block
 * that has its own, so every location repeats the whole set.
 */
const securityHeaders = [
    'add_header Strict-Transport-Security "max-age=63072000" always;',
    "add_header X-Content-Type-Options nosniff always;",
    "add_header Referrer-Policy strict-origin-when-cross-origin always;",
    // SAMEORIGIN, not DENY: Ghost's admin shows previews of the site in a same-origin frame.
    "add_header X-Frame-Options SAMEORIGIN always;",
];

const indent = (lines: string[], depth = 1) => lines.map((line) => (line ? `${"    ".repeat(depth)}${line}` : line));
const block = (head: string, body: string[]) => [`${head} {`, ...indent(body), "}"];

const proxyHeaders = (service: RoutedService): string[] => [
    "proxy_http_version 1.1;",
    "proxy_set_header Host $host;",
    // Ghost with an https url redirects forever unless it learns the visitor's scheme.
    "proxy_set_header X-Forwarded-Proto $scheme;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "proxy_hide_header X-Powered-By;",
    ...(service.websockets
        ? [
              "proxy_set_header Upgrade $http_upgrade;",
              "proxy_set_header Connection $connection_upgrade;",
              // Idle kernels and consoles must outlive nginx's 60 s default.
              "proxy_read_timeout 1h;",
              "proxy_send_timeout 1h;",
          ]
        : [
              // Keepalive to the upstream needs an empty Connection header.
              'proxy_set_header Connection "";',
          ]),
];

/** Ghost's public pages are cached briefly; admin, members, previews and sessions never are. */
const ghostCache = [
    "proxy_cache ghost;",
    "proxy_cache_key $scheme$host$request_uri;",
    // Ghost marks pages "max-age=0"; a short cache absorbs bursts while edits still show in seconds.
    "proxy_ignore_headers Cache-Control Expires;",
    "proxy_cache_valid 200 301 302 30s;",
    `proxy_cache_methods ${cacheableMethods.join(" ")};`,
    "proxy_cache_bypass $ghost_private;",
    "proxy_no_cache $ghost_private $upstream_http_set_cookie;",
    "proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;",
    "proxy_cache_background_update on;",
    "proxy_cache_lock on;",
    // nginx compresses, so the cache holds one uncompressed copy per page.
    'proxy_set_header Accept-Encoding "";',
    "add_header X-Cache-Status $upstream_cache_status always;",
    // A cached page is a file: keep it open instead of opening, checking and closing it on every
    // hit. nginx reopens an entry whose file a cache update replaced (it compares the inode).
    // With the buffered access log (renderNginxMainConfig), cached pages went from 0.57 to 0.80 of
    // this nginx's ceiling (npm run benchmark:proxy, docs/testing.md).
    "open_file_cache max=1000 inactive=60s;",
    "open_file_cache_valid 30s;",
];

/** A regular expression matching exactly `text`. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The host's verdict for the uptime checks (`siteHealth` in config/catalogue.ts): the file while it
 * exists, 503 when the host removed it. Before any login and outside the page cache, never cached
 * by anyone; proxied hosts still answer it only through Cloudflare, where the check comes from.
 */
const siteHealthLocation = block(`location = ${siteHealth.path}`, [
    `root ${siteHealth.volume.containerPath};`,
    `try_files /${siteHealth.file} =503;`,
    "default_type text/plain;",
    // Polled every minute from several regions: the log would hold nothing about visitors.
    "access_log off;",
    'add_header Cache-Control "no-store" always;',
    ...securityHeaders,
]);

function serverBlock(service: RoutedService, settings: ServiceSettings, pageCache: boolean): string[] {
    const { hostname, proxied, allowFrom } = settings;
    const live = `/etc/letsencrypt/live/${hostname}`;
    // In the location's rewrite phase: before the rate limit and the login, after the site-health match.
    const fence = allowFrom === anywhere ? [] : block(`if (${fenceVariable(service)} = 0)`, ["return 403;"]);
    const openNote =
        allowFrom === anywhere && (service.allowFromByDefault !== "anywhere" || settings.allowFromSet) ? [openedOnPurpose(service)] : [];
    const location = [
        ...fence,
        ...(service.requiresAuth
            ? [
                  'auth_basic "Management";',
                  `auth_basic_user_file /etc/nginx/${htpasswdPath};`,
                  "limit_req zone=management burst=20 nodelay;",
              ]
            : []),
        `proxy_pass http://${service.name};`,
        ...proxyHeaders(service),
        ...(service.name === ghost.name && pageCache ? ghostCache : []),
        ...securityHeaders,
    ];
    return block("server", [
        "listen 443 ssl;",
        "listen [::]:443 ssl;",
        "http2 on;",
        `server_name ${hostname};`,
        `ssl_certificate ${live}/fullchain.pem;`,
        `ssl_certificate_key ${live}/privkey.pem;`,
        ...(proxied
            ? ["# Proxied by Cloudflare: nobody may go around it to the origin.", ...block("if ($from_cloudflare = 0)", ["return 403;"])]
            : []),
        ...openNote,
        ...siteHealthLocation,
        ...block("location /", location),
    ]);
}

export function renderNginxSiteConfig(settings: Settings, options: ProxyOptions): string {
    const hosts = settings.routed.map((service) => ({
        service,
        settings: settings.services[service.name],
        ...settings.services[service.name],
    }));
    const ranges = options.trustedProxyRanges;
    const pageCache = options.ghostPageCache ?? true;
    return [
        "# Rendered from the stack config by render/nginx.ts; do not edit.",
        "",
        "# TLS",
        ...mozillaIntermediate,
        "",
        "# The visitor's address: Cloudflare sends it in CF-Connecting-IP, believed only from Cloudflare.",
        ...ranges.map((range) => `set_real_ip_from ${range};`),
        "real_ip_header CF-Connecting-IP;",
        ...block("geo $realip_remote_addr $from_cloudflare", ["default 0;", ...ranges.map((range) => `${range} 1;`)]),
        "",
        ...block("map $http_upgrade $connection_upgrade", ["default upgrade;", "'' close;"]),
        "",
        ...hosts.flatMap(({ service, settings: host }) => {
            const fence = fenceBlock(service, host, options);
            return fence.length > 0 ? [...fence, ""] : [];
        }),
        "# Brute force on the management login: per visitor address, answered with 429.",
        "limit_req_zone $binary_remote_addr zone=management:10m rate=2r/s;",
        "limit_req_status 429;",
        "",
        ...(pageCache
            ? [
                  "# Ghost page cache; never for the admin, members, previews, or a visitor with a session.",
                  "proxy_cache_path /var/cache/nginx/ghost levels=1:2 keys_zone=ghost:10m max_size=512m inactive=1h use_temp_path=off;",
                  // Paths without regard to case, as Ghost's router matches them (config/ghostPages.ts).
                  // One regular expression per map: every request to the blog runs them.
                  ...block("map $request_uri $ghost_private_path", [
                      "default 0;",
                      `~*^(?:${ghostPrivatePathPrefixes.map(literally).join("|")}) 1;`,
                  ]),
                  ...block("map $http_cookie $ghost_session", ["default 0;", `~(?:${ghostSessionCookies.map(literally).join("|")}) 1;`]),
                  ...block('map "$ghost_private_path$ghost_session" $ghost_private', ["default 1;", "00 0;"]),
                  "",
              ]
            : []),
        "gzip on;",
        "gzip_vary on;",
        "gzip_proxied any;",
        "gzip_comp_level 5;",
        "gzip_min_length 256;",
        "gzip_types text/css text/plain text/xml application/javascript application/json application/xml application/rss+xml image/svg+xml;",
        "",
        "# The apps by container name, asked of Docker's DNS while nginx runs, not once at start: the",
        "# proxy starts without them and follows a container recreated with a new address.",
        `resolver ${dockerResolver} valid=${upstreamResolveSeconds}s ipv6=off;`,
        "resolver_timeout 5s;",
        "# An app answers a connection at once on Docker's bridge; a connection that does not complete",
        "# is to an address whose container is gone: fail it in seconds, not after the default minute.",
        "proxy_connect_timeout 5s;",
        ...hosts.flatMap(({ service }) =>
            block(`upstream ${service.name}`, [
                // A resolved server keeps its addresses in shared memory, which every worker reads.
                `zone upstream_${service.name} 64k;`,
                `server ${service.name}:${service.port} resolve;`,
                "keepalive 16;",
            ]),
        ),
        "",
        "# A Host this site does not serve never gets a page: over HTTP its connection is closed; over",
        "# HTTPS a name it has no certificate for is refused at the handshake, and a request whose Host",
        "# differs from a known name it was sent under is answered 421 Misdirected Request.",
        ...block("server", ["listen 80 default_server;", "listen [::]:80 default_server;", "return 444;"]),
        ...block("server", [
            "listen 443 ssl default_server;",
            "listen [::]:443 ssl default_server;",
            "ssl_reject_handshake on;",
            "return 421;",
        ]),
        "",
        "# Plain HTTP only redirects (certificates come by DNS challenge, so no ACME path is needed).",
        ...block("server", [
            "listen 80;",
            "listen [::]:80;",
            `server_name ${hosts.map(({ hostname }) => hostname).join(" ")};`,
            `return 301 ${publicUrl("$host", options.publicHttpsPort ?? 443)}$request_uri;`,
        ]),
        "",
        ...hosts.flatMap(({ service, settings: host }) => [...serverBlock(service, host, pageCache), ""]),
        "# The container's health check; never published.",
        ...block("server", [`listen 127.0.0.1:${proxyHealthPort};`, ...block("location = /healthz", ["access_log off;", "return 204;"])]),
        "",
    ].join("\n");
}

/** The largest request body the proxy passes on: Ghost's uploads (images, files, themes). */
export const maxUploadMegabytes = 50;

/**
 * The main configuration, replacing the image's: the same process and logging settings as the
 * official image, plus the site. Workers run as the image's unprivileged `nginx` user.
 */
export function renderNginxMainConfig(): string {
    return [
        "# Rendered by render/nginx.ts; do not edit.",
        "user nginx;",
        "worker_processes auto;",
        "error_log /var/log/nginx/error.log notice;",
        "pid /var/run/nginx.pid;",
        ...block("events", ["worker_connections 1024;"]),
        ...block("http", [
            "include /etc/nginx/mime.types;",
            "default_type application/octet-stream;",
            'log_format main \'$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"\';',
            // Buffered: one write per 4 kB of lines (at most a second late) instead of one per request.
            // 4 kB, no more: the official image's log is a pipe to Docker, where a larger write from
            // one worker could interleave with another's and cut lines.
            "access_log /var/log/nginx/access.log main buffer=4k flush=1s;",
            "sendfile on;",
            "tcp_nopush on;",
            "keepalive_timeout 65;",
            "server_tokens off;",
            "# Ghost image, file and theme uploads.",
            `client_max_body_size ${maxUploadMegabytes}m;`,
            "include /etc/nginx/conf.d/*.conf;",
        ]),
        "",
    ].join("\n");
}

/** One htpasswd line; the hash is bcrypt (render/passwordHash.ts). */
export function renderHtpasswd(passwordHash: string): string {
    return `${managementUser}:${passwordHash}\n`;
}
