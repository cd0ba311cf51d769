// Apps declared in the stack config (site:apps): validated before any resource with the key and the
// fix, then derived by the same code as Ghost, Jupyter and Portainer: the proxy's server block, the
// DNS record, the certificate, the container, the data folder, the policies, the local target, the
// render; and removed, exactly, when the config drops them.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { offlineFindings } from "../../check/offline";
import { checkSecrets, parseSettings, Settings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { analyze, analyzeStack, remediate } from "../harness/policyEngine";
import { policies, declaredAppsBehindTheLogin } from "../../policy/policies";
import { renderCertbotCommand } from "../../render/certificates";
import { renderDataDirectoriesScript } from "../../render/dataVolume";
import { renderSiteFiles } from "../../render/siteFiles";
import { renderAppDatabaseSql } from "../../render/appDatabases";
import { evaluate, evaluateFailing, Evaluation } from "../harness/evaluate";
import { exampleApps, exampleAppSecrets, prodValues, repoRoot, testSecrets, withApps } from "../harness/fixtures";
import { planUpdate } from "../harness/planEngine";
import { types } from "../harness/resourceTypes";

type Values = Record<string, unknown>;
type App = Record<string, unknown>;
const appsOf = (v: Values) => v.apps as Record<string, App>;
const settingsWith = (change: (v: Values) => void, secrets: readonly string[] = Object.keys(exampleAppSecrets)): Settings => {
    const values = prodValues();
    withApps(values);
    change(values);
    return parseSettings(values, secrets);
};
const problemsOf = (change: (v: Values) => void, secrets?: readonly string[]): string => {
    try {
        settingsWith(change, secrets);
    } catch (error) {
        return (error as Error).message;
    }
    return "(no problem)";
};

describe("a declared app's config", () => {
    it.each<[string, (v: Values) => void, RegExp | string]>([
        [
            "a name the site keeps for itself",
            (v) => (appsOf(v).mysql = appsOf(v).uptime),
            'site:apps.mysql: "mysql" is a name the site keeps for itself (its containers, data folders and MySQL\'s own names: proxy, ghost, mysql, jupyter, portainer, certbot,',
        ],
        [
            "a data volume's folder name",
            (v) => (appsOf(v)["ghost-content"] = appsOf(v).uptime),
            /site:apps\.ghost-content: "ghost-content" is a name the site keeps/,
        ],
        [
            "a name no container may take",
            (v) => (appsOf(v).Kuma_1 = appsOf(v).uptime),
            /site:apps\.Kuma_1: "Kuma_1" is not an app name.*fix: pulumi config rm --path 'site:apps\.Kuma_1'/,
        ],
        [
            "a built-in service's hostname",
            (v) => (appsOf(v).uptime.hostname = "jupyter.example.com"),
            `site:apps.uptime.hostname: "jupyter.example.com" is already the hostname of jupyter; give each service its own hostname`,
        ],
        [
            "another app's hostname",
            (v) => (appsOf(v).links.hostname = "status.example.com"),
            `site:apps.links.hostname: "status.example.com" is already the hostname of uptime`,
        ],
        [
            "a hostname outside the domain",
            (v) => (appsOf(v).uptime.hostname = "status.example.org"),
            `site:apps.uptime.hostname: "status.example.org" is not a host name inside example.com; fix: pulumi config set --path 'site:apps.uptime.hostname' uptime.example.com`,
        ],
        [
            "a data folder that leaves the app's folder",
            (v) => (appsOf(v).uptime.data = [{ name: "../ghost-content", path: "/app/data", uid: 0, gid: 0 }]),
            `site:apps.uptime.data[0].name: "../ghost-content" leaves the app's folder on the data volume (apps/uptime/): name a folder inside it, like data; fix: pulumi config set --path 'site:apps.uptime.data[0].name' data`,
        ],
        [
            "an absolute data folder",
            (v) => (appsOf(v).uptime.data = [{ name: "/srv/site/data", path: "/app/data", uid: 0, gid: 0 }]),
            /site:apps\.uptime\.data\[0\]\.name: "\/srv\/site\/data" leaves the app's folder/,
        ],
        [
            "a container path that is not normalized",
            (v) => (appsOf(v).uptime.data = [{ name: "data", path: "/app/../data/", uid: 0, gid: 0 }]),
            /site:apps\.uptime\.data\[0\]\.path: "\/app\/\.\.\/data\/" is not an absolute, normalized path/,
        ],
        [
            "a relative container path",
            (v) => (appsOf(v).uptime.data = [{ name: "data", path: "app/data", uid: 0, gid: 0 }]),
            /data\[0\]\.path: "app\/data" is not an absolute/,
        ],
        ["no data folder", (v) => (appsOf(v).uptime.data = []), /site:apps\.uptime\.data: needs at least one folder on the data volume/],
        [
            "an image on latest",
            (v) => (appsOf(v).uptime.image = "louislam/uptime-kuma:latest"),
            `site:apps.uptime.image: must be pinned to a version, not a moving tag like latest; fix: pulumi config set --path 'site:apps.uptime.image' louislam/uptime-kuma:1.23.16`,
        ],
        [
            "an image without a tag",
            (v) => (appsOf(v).uptime.image = "louislam/uptime-kuma"),
            /site:apps\.uptime\.image: is not an image reference with a version tag.*or a digest/,
        ],
        [
            "a websocket app proxied while the zone's websockets are off",
            (v) => {
                appsOf(v).uptime.proxied = true;
                v.zoneWebsockets = false;
            },
            `site:apps.uptime.proxied: uptime needs websockets, which the Cloudflare proxy drops while site:zoneWebsockets is false; fix: pulumi config set site:zoneWebsockets true, or pulumi config set --path 'site:apps.uptime.proxied' false`,
        ],
        [
            "a secret the stack does not declare",
            (v) => (appsOf(v).links.secretEnv = { INITIAL_API_KEY: "shlinkApiKy" }),
            `site:apps.links.secretEnv.INITIAL_API_KEY: "shlinkApiKy" is not a secret of this stack; did you mean shlinkApiKey? (the stack declares shlinkApiKey); fix: pulumi config set --secret --path 'site:appSecrets.shlinkApiKy' <value>`,
        ],
        [
            "a credential in plain env",
            (v) => (appsOf(v).uptime.env = { ADMIN_PASSWORD: "hunter2" }),
            /site:apps\.uptime\.env\.ADMIN_PASSWORD: looks like a credential.*pulumi config set --secret --path 'site:appSecrets\.uptime'/,
        ],
        [
            "one variable from two sources",
            (v) => (appsOf(v).links.env = { DB_HOST: "elsewhere" }),
            "site:apps.links.database.env.host: DB_HOST is already set by site:apps.links.env.DB_HOST; each variable has one source",
        ],
        [
            "a database without the password's variable",
            (v) => ((appsOf(v).links.database as { env: Values }).env = { host: "DB_HOST" }),
            /site:apps\.links\.database\.env\.password: is required/,
        ],
        [
            "a misspelled setting",
            (v) => (appsOf(v).uptime.websocket = true),
            /site:apps\.uptime\.websocket: unknown setting; did you mean websockets\? \(the settings are image, port, hostname, env, secretEnv, data, .*\); fix: pulumi config rm --path 'site:apps\.uptime\.websocket'/,
        ],
        [
            "a port that is none",
            (v) => (appsOf(v).uptime.port = 0),
            "site:apps.uptime.port: must be a port number from 1 to 65535; fix: pulumi config set --path 'site:apps.uptime.port' 3001",
        ],
        [
            "an app's settings under site:services",
            (v) => ((v.services as Values).uptime = { hostname: "status.example.com" }),
            /site:services\.uptime: unknown service .*uptime is a declared app: its settings go under site:apps\.uptime/,
        ],
    ])("refuses %s, naming the key and the fix", (_what, change, expected) => {
        const message = problemsOf(change);
        if (typeof expected === "string") expect(message).toContain(expected);
        else expect(message).toMatch(expected);
    });

    it("refuses a secret when the stack declares no app secrets at all", () => {
        expect(problemsOf(() => undefined, [])).toContain(
            `site:apps.links.secretEnv.INITIAL_API_KEY: "shlinkApiKey" is not a secret of this stack (the stack declares none)`,
        );
    });

    it("refuses a proxied app on the local target", () => {
        const values: Values = { ...prodValues(), target: "local", domain: "localhost", services: {} };
        values.apps = { uptime: { ...(exampleApps().uptime as App), hostname: "status.localhost", proxied: true } };
        expect(() => parseSettings(values)).toThrow(
            "site:apps.uptime.proxied: a local stack has no Cloudflare in front; fix: pulumi config set --path 'site:apps.uptime.proxied' false",
        );
    });

    it("becomes a routed service after the built-in ones, with the catalogue's defaults", () => {
        const settings = settingsWith(() => undefined);
        expect(settings.routed.map((s) => s.name)).toEqual(["ghost", "jupyter", "portainer", "uptime", "links"]);
        expect(settings.services.uptime).toEqual({
            hostname: "status.example.com",
            proxied: false,
            allowFrom: "anywhere",
            allowFromSet: false,
        });
        // Not a websocket app: proxied like the blog; its hostname the app's name under the domain.
        expect(settings.services.links).toMatchObject({ hostname: "links.example.com", proxied: true });
        expect(settings.apps[0]).toMatchObject({
            image: "louislam/uptime-kuma:1.23.16",
            port: 3001,
            volumes: [{ name: "apps/uptime/data", containerPath: "/app/data", uid: 0, gid: 0 }],
            healthCheck: { test: ["CMD", "extra/healthcheck"] },
            websockets: true,
            requiresAuth: false,
        });
        expect(settings.apps[1]).toMatchObject({ requiresAuth: true, database: { name: "links" } });
    });

    it("takes an image pinned by digest alone", () => {
        const digest = `louislam/uptime-kuma@sha256:${"a".repeat(64)}`;
        expect(settingsWith((v) => (appsOf(v).uptime.image = digest)).apps[0].image).toBe(digest);
    });

    it("changes nothing for a stack that declares none", () => {
        const settings = parseSettings(prodValues());
        expect(settings.apps).toEqual([]);
        expect(settings.routed.map((s) => s.name)).toEqual(["ghost", "jupyter", "portainer"]);
    });
});

describe("the apps' secrets (site:appSecrets)", () => {
    it("are read from the stack file entry by entry, and one in plain text stops render and check", () => {
        const dir = mkdtempSync(join(tmpdir(), "site-appsecrets-"));
        try {
            copyFileSync(join(repoRoot, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
            const config = { "site:domain": "example.com", "site:appSecrets": { shlinkApiKey: { secure: "v1:abc" }, kumaToken: "plain" } };
            writeFileSync(join(dir, "Pulumi.dev.yaml"), stringify({ config }));
            const stack = readStackFiles("dev", dir);
            expect(stack.appSecrets).toEqual({ shlinkApiKey: "set", kumaToken: "plaintext" });
            expect(stack.values).not.toHaveProperty("appSecrets");
            expect(() => checkSecrets(() => "set", "droplet", stack.appSecrets)).toThrow(
                "site:appSecrets.kumaToken: is stored in plain text in the stack file; fix: pulumi config set --secret --path 'site:appSecrets.kumaToken' <value>",
            );
            const values = prodValues();
            const findings = offlineFindings(
                parseSettings(values),
                { ...readStackFiles("prod", repoRoot), appSecrets: stack.appSecrets },
                {},
            );
            expect(findings.filter((f) => f.subject.startsWith("site:appSecrets"))).toEqual([
                expect.objectContaining({
                    severity: "blocker",
                    subject: "site:appSecrets.kumaToken",
                    what: expect.stringMatching(/plain text/),
                }),
            ]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("rendered by the same code as the built-in services", () => {
    const settings = settingsWith(() => undefined);
    const files = renderSiteFiles(settings);
    const site = files["nginx/conf.d/default.conf"].content;
    const server = (hostname: string) =>
        site.split("\nserver {").find((block) => block.includes(`server_name ${hostname};`) && block.includes("location /"))!;

    it("gets an upstream resolved by name, and a server block with websockets", () => {
        expect(site).toContain("upstream uptime {\n    zone upstream_uptime 64k;\n    server uptime:3001 resolve;\n    keepalive 16;\n}");
        const block = server("status.example.com");
        expect(block).toContain("proxy_pass http://uptime;");
        expect(block).toContain("proxy_set_header Upgrade $http_upgrade;");
        expect(block).toContain("ssl_certificate /etc/letsencrypt/live/status.example.com/fullchain.pem;");
        expect(block).not.toContain("auth_basic");
        // Proxied apps refuse visitors around Cloudflare; this one is DNS-only.
        expect(block).not.toContain("$from_cloudflare");
        expect(site).toMatch(/listen 80;\n {4}listen \[::\]:80;\n {4}server_name .* status\.example\.com links\.example\.com;/);
    });

    it("sits behind the management login and Cloudflare when asked", () => {
        const block = server("links.example.com");
        expect(block).toContain('auth_basic "Management";');
        expect(block).toContain("if ($from_cloudflare = 0) {");
        expect(block).toContain('proxy_set_header Connection "";');
    });

    it("gets a DNS record, a certificate and a data folder on the volume", () => {
        expect(JSON.parse(files["dns.json"].content)).toEqual(
            expect.arrayContaining([
                { name: "status.example.com", type: "A", proxied: false },
                { name: "links.example.com", type: "A", proxied: true },
            ]),
        );
        expect(renderCertbotCommand(settings)).toMatch(
            /for host in example\.com jupyter\.example\.com portainer\.example\.com status\.example\.com links\.example\.com; do/,
        );
        expect(renderDataDirectoriesScript(settings).script).toContain("install -d -m 0750 -o 0 -g 0 /srv/site/data/apps/uptime/data");
        expect(renderDataDirectoriesScript(settings).script).toContain("install -d -m 0750 -o 1001 -g 0 /srv/site/data/apps/links/data");
    });

    it("shows its container in the render, secrets by name only", () => {
        const containers = JSON.parse(files["containers.json"].content) as {
            name: string;
            ports: unknown[];
            env: string[];
            volumes: unknown[];
        }[];
        expect(containers.find((c) => c.name === "uptime")).toEqual({
            name: "uptime",
            image: "louislam/uptime-kuma:1.23.16",
            networks: ["site"],
            ports: [],
            volumes: [{ hostPath: "/srv/site/data/apps/uptime/data", containerPath: "/app/data", readOnly: false }],
            env: ["TZ"],
            labels: { "site.app": "uptime" },
            restart: "unless-stopped",
            memoryMb: 256,
            healthCheck: ["CMD", "extra/healthcheck"],
        });
        const sql = files["mysql/apps.sql"].content;
        expect(sql).toContain("CREATE USER IF NOT EXISTS 'links'@'%' IDENTIFIED BY '<secret:links database password, generated>';");
        expect(Object.values(files).some((f) => f.content.includes(exampleAppSecrets.shlinkApiKey))).toBe(false);
    });

    it("fences an app with dashes in its name, its nginx variable spelled with _ like the others", () => {
        const fenced = settingsWith((v) => {
            appsOf(v)["status-page"] = { ...appsOf(v).uptime, hostname: "page.example.com", allowFrom: ["203.0.113.0/24"] };
        });
        const conf = renderSiteFiles(fenced)["nginx/conf.d/default.conf"].content;
        expect(conf).toContain("# Who may reach page.example.com past its site-health path (site:apps.status-page.allowFrom),");
        expect(conf).toContain("geo $realip_remote_addr $allowed_status_page {\n    default 0;\n    203.0.113.0/24 1;\n}");
        expect(conf).toContain("if ($allowed_status_page = 0) {");
        expect(conf).not.toMatch(/\$allowed_status-/);
    });

    it("makes an idempotent SQL file that grants the app its own database only, quoting the password", () => {
        expect(renderAppDatabaseSql(settings.apps, { links: "it's\\x" })).toBe(
            [
                "CREATE DATABASE IF NOT EXISTS `links` CHARACTER SET utf8mb4;",
                "CREATE USER IF NOT EXISTS 'links'@'%' IDENTIFIED BY 'it''s\\\\x';",
                "ALTER USER 'links'@'%' IDENTIFIED BY 'it''s\\\\x';",
                "GRANT ALL PRIVILEGES ON `links`.* TO 'links'@'%';",
                "",
            ].join("\n"),
        );
    });
});

describe("the program with the example apps", () => {
    let site: Evaluation;
    let without: Evaluation;
    beforeAll(async () => {
        site = await evaluate({ change: withApps, appSecrets: exampleAppSecrets });
        without = await evaluate({ appSecrets: exampleAppSecrets });
    });
    const container = (e: Evaluation, name: string) => e.one(types.container, `site-${name}`);
    const env = (e: Evaluation, name: string) =>
        Object.fromEntries(
            (container(e, name).inputs.envs as string[]).map((line) => [line.split("=")[0], line.slice(line.indexOf("=") + 1)]),
        );

    it("runs each app on the site's network only, published nowhere, its data on the volume", () => {
        const uptime = container(site, "uptime");
        expect(uptime.inputs).toMatchObject({
            name: "site-uptime",
            memory: 256,
            restart: "unless-stopped",
            networksAdvanced: [{ name: "site", aliases: ["uptime"] }],
            volumes: [{ hostPath: "/srv/site/data/apps/uptime/data", containerPath: "/app/data", readOnly: false }],
            healthcheck: { tests: ["CMD", "extra/healthcheck"] },
        });
        expect(uptime.inputs.ports).toEqual([]);
        expect(site.one(types.remoteImage, "site-image-louislam-uptime-kuma-1.23.16").inputs.name).toBe("louislam/uptime-kuma:1.23.16");
    });

    it("gives an app its secrets and its database's password as Pulumi secrets, and MySQL the SQL as one", () => {
        const links = container(site, "links");
        expect(links.secretInputs).toContain("envs");
        const values = env(site, "links");
        expect(values).toMatchObject({
            INITIAL_API_KEY: exampleAppSecrets.shlinkApiKey,
            DB_HOST: "mysql",
            DB_PORT: "3306",
            DB_NAME: "links",
            DB_USER: "links",
        });
        const password = site.one(types.randomPassword, "site-app-links-mysqlPassword");
        expect(values.DB_PASSWORD).toBe("generated-site-app-links-mysqlPassword");
        expect(links.propertyDependencies.envs).toContain(password.urn);
        const mysql = container(site, "mysql");
        expect(mysql.secretInputs).toContain("uploads");
        const uploads = mysql.inputs.uploads as { file: string; content: string; permissions: string }[];
        expect(uploads.map((u) => [u.file, u.permissions])).toEqual([
            ["/etc/mysql/site/apps.sql", "0644"],
            ["/docker-entrypoint-initdb.d/site-apps.sql", "0644"],
        ]);
        expect(uploads[0].content).toContain(`IDENTIFIED BY '${values.DB_PASSWORD}';`);
        expect(mysql.inputs.command).toEqual(["sh", "-c", expect.stringContaining("--init-file=/etc/mysql/site/apps.sql")]);
        // Nothing else holds the password in plain text.
        const plain = site.resources.filter((r) => JSON.stringify(r.inputs).includes(String(values.DB_PASSWORD)) && !r.secretInputs.length);
        expect(plain.map((r) => r.name)).toEqual([]);
    });

    it("gives each app a DNS record of its own, proxied as asked, and the proxy a server for it", () => {
        expect(site.one(types.dnsRecord, "site-uptime").inputs).toMatchObject({ name: "status.example.com", proxied: false, ttl: 300 });
        expect(site.one(types.dnsRecord, "site-links").inputs).toMatchObject({ name: "links.example.com", proxied: true, ttl: 1 });
        const proxy = container(site, "proxy");
        const conf = (proxy.inputs.uploads as { file: string; content: string }[]).find(
            (u) => u.file === "/etc/nginx/conf.d/default.conf",
        )!.content;
        expect(conf).toContain("server_name status.example.com;");
        expect(proxy.dependsOn).toEqual(expect.arrayContaining([container(site, "uptime").urn, container(site, "links").urn]));
        expect(site.outputs.urls).toMatchObject({ uptime: "https://status.example.com", links: "https://links.example.com" });
    });

    it("issues its certificate and makes its data folder with the rest", () => {
        const scripts = site.all(types.command).map((c) => JSON.stringify(c.inputs));
        expect(scripts.some((s) => s.includes("status.example.com links.example.com; do"))).toBe(true);
        expect(scripts.some((s) => s.includes("install -d -m 0750 -o 0 -g 0 /srv/site/data/apps/uptime/data"))).toBe(true);
    });

    it("breaks no policy, and the login policy fails an app served without its login", async () => {
        const found = (
            await Promise.all(site.resources.map(async (r) => [...(await analyze(policies, r)), ...(await remediate(policies, r))]))
        ).flat();
        expect(found).toEqual([]);
        expect(await analyzeStack(policies, site.resources)).toEqual([]);
        const proxy = container(site, "proxy");
        const uploads = (proxy.wire.uploads as { file: string; content: string }[]).map((u) =>
            u.file === "/etc/nginx/conf.d/default.conf" ? { ...u, content: u.content.replace(/auth_basic "Management";\n/g, "") } : u,
        );
        expect(
            await analyzeStack([declaredAppsBehindTheLogin], [{ ...proxy, wire: { ...proxy.wire, uploads } }, container(site, "links")]),
        ).toEqual([
            expect.stringMatching(
                /the proxy serves links, declared behind the management login \(site:apps\.links\.managementLogin\), without auth_basic/,
            ),
        ]);
    });

    it("leaves every built-in container but the proxy and MySQL as it was, and every resource's URN", () => {
        const changed = without
            .all(types.container)
            .filter((c) => JSON.stringify(c.inputs) !== JSON.stringify(container(site, c.name.slice("site-".length)).inputs))
            .map((c) => c.name);
        expect(changed.sort()).toEqual(["site-mysql", "site-proxy"]);
        const urns = new Set(site.resources.map((r) => r.urn));
        expect(without.resources.filter((r) => !urns.has(r.urn)).map((r) => r.urn)).toEqual([]);
    });

    it("removed from the config, removes exactly its resources and never its data", async () => {
        const plan = await planUpdate(site, { appSecrets: exampleAppSecrets });
        expect(plan.refused).toEqual([]);
        const watched = (app: string) => [
            `site-app-${app}`,
            ...["down", "latency", "ssl-expiry"].map((alert) => `site-app-${app}-${alert}`),
        ];
        expect(plan.touched("delete")).toEqual(
            [
                ...watched("links"),
                "site-app-links-mysqlPassword",
                ...watched("uptime"),
                "site-image-louislam-uptime-kuma-1.23.16",
                "site-image-shlinkio-shlink-4.4.0",
                "site-links",
                "site-links",
                "site-uptime",
                "site-uptime",
            ]
                .filter((name, i, all) => all.indexOf(name) === i)
                .sort(),
        );
        const deleted = plan.steps.filter((s) => s.op === "delete").map((s) => `${s.type.split(":").pop()} ${s.name}`);
        expect(deleted.sort()).toEqual(
            [
                "Container site-links",
                "Container site-uptime",
                "DnsRecord site-links",
                "DnsRecord site-uptime",
                "RandomPassword site-app-links-mysqlPassword",
                "RemoteImage site-image-louislam-uptime-kuma-1.23.16",
                "RemoteImage site-image-shlinkio-shlink-4.4.0",
                ...["links", "uptime"].flatMap((app) => [
                    `UptimeCheck site-app-${app}`,
                    ...["down", "latency", "ssl-expiry"].map((alert) => `UptimeAlert site-app-${app}-${alert}`),
                ]),
            ].sort(),
        );
        // The proxy and MySQL change, the certificates and data folders' scripts run again: none deletes data.
        const commands = plan.next!.all(types.command).map((c) => JSON.stringify(c.inputs));
        expect(commands.filter((c) => /rm -r[f ]|rmdir/.test(c) && c.includes("apps/"))).toEqual([]);
        expect(plan.steps.filter((s) => s.type === types.volume)).toEqual([]);
    });

    it("registers nothing when an app's config is bad", async () => {
        const failed = await evaluateFailing({
            change: (v) => {
                withApps(v);
                appsOf(v).uptime.image = "louislam/uptime-kuma:latest";
            },
            appSecrets: exampleAppSecrets,
        });
        expect(failed.message).toContain("site:apps.uptime.image: must be pinned to a version");
        expect(failed.registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });

    it("registers nothing when an app names a secret the stack does not set", async () => {
        const failed = await evaluateFailing({ change: withApps, secrets: testSecrets });
        expect(failed.message).toContain(`site:apps.links.secretEnv.INITIAL_API_KEY: "shlinkApiKey" is not a secret of this stack`);
        expect(failed.registered.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    });
});

describe("on the local target", () => {
    let local: Evaluation;
    beforeAll(async () => {
        local = await evaluate({
            stack: "local",
            change: (v) => (v.apps = { uptime: { ...(exampleApps().uptime as App), hostname: "status.localhost" } }),
        });
    });

    it("runs it too, its data in a Docker volume of its own, its certificate from the local CA", () => {
        const uptime = local.one(types.container, "site-uptime");
        expect(uptime.inputs.volumes).toEqual([{ volumeName: "site-apps.uptime.data", containerPath: "/app/data", readOnly: false }]);
        expect(uptime.inputs.ports).toEqual([]);
        const proxy = local.one(types.container, "site-proxy");
        const files = (proxy.inputs.uploads as { file: string }[]).map((u) => u.file);
        expect(files).toContain("/etc/letsencrypt/live/status.localhost/fullchain.pem");
        expect(local.all(types.dnsRecord)).toEqual([]);
        expect(local.outputs.urls).toMatchObject({ uptime: "https://status.localhost:8443" });
    });
});
