// What reaches the server, rendered by the same functions the components use.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { containerTemplates, dataRoot, metadataAddress, routedServiceNames, routedServices } from "../../config/catalogue";
import { renderCertbotCommand, renderCertificateScripts } from "../../render/certificates";
import { renderSnapshotPrepareScript } from "../../render/backups";
import { renderCloudInit } from "../../render/cloudInit";
import { dataDirectoryMode, renderDataVolumeHandover } from "../../render/dataVolume";
import { renderHostKeyScript } from "../../render/ssh";
import { renderThemesInstallScript } from "../../render/themes";
import { parse } from "yaml";
import { renderAfterRules } from "../../render/firewall";
import { renderContainers } from "../../render/containers";
import { renderHostScripts } from "../../render/hostScripts";
import { placeholderSecrets } from "../../render/siteFiles";
import { cloudflareRanges } from "../../config/cloudflareRanges";
import { renderNginxSiteConfig } from "../../render/nginx";
import { prodSettings, repoRoot, testSecrets } from "../harness/fixtures";
import { requireTool, run } from "../tools";

const settings = prodSettings();

describe("npm run render", () => {
    let out: string;
    beforeAll(() => {
        out = mkdtempSync(join(tmpdir(), "render-"));
        const result = run(join(repoRoot, "node_modules/.bin/tsx"), ["scripts/render.ts", "--stack", "prod", "--out", out], {
            cwd: repoRoot,
        });
        expect(result).toMatchObject({ status: 0 });
    });
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it("writes user data, numbered host scripts, the nginx config, containers and DNS", () => {
        expect(readdirSync(out).sort()).toEqual([
            ".site-render.json",
            "cloud-init.yaml",
            "containers.json",
            "dns.json",
            "edge-cache.json",
            "host",
            "nginx",
        ]);
        const { release, resume } = renderDataVolumeHandover();
        const onDemand = [renderSnapshotPrepareScript(), renderThemesInstallScript(), resume, release];
        expect(readdirSync(join(out, "host")).sort()).toEqual(
            [renderHostKeyScript(), ...renderHostScripts(settings), ...renderCertificateScripts(), ...onDemand]
                .map((s) => `${s.name}.sh`)
                .sort(),
        );
        expect(readdirSync(join(out, "nginx"), { recursive: true }).map(String).sort()).toEqual([
            "auth",
            "auth/management.htpasswd",
            "conf.d",
            "conf.d/default.conf",
            "nginx.conf",
        ]);
        for (const script of readdirSync(join(out, "host"))) expect(statSync(join(out, "host", script)).mode & 0o111).not.toBe(0);
        expect(readFileSync(join(out, "nginx/conf.d/default.conf"), "utf8")).toBe(
            renderNginxSiteConfig(settings, { trustedProxyRanges: cloudflareRanges }),
        );
    });

    it("lists container env var names but never their values", () => {
        const containers = JSON.parse(readFileSync(join(out, "containers.json"), "utf8"));
        const ghost = containers.find((c: { name: string }) => c.name === "ghost");
        expect(ghost.env).toEqual(expect.arrayContaining(["database__connection__password", "mail__options__auth__pass"]));
        const everything = readdirSync(out, { recursive: true })
            .map((path) => join(out, String(path)))
            .filter((path) => statSync(path).isFile())
            .map((path) => readFileSync(path, "utf8"))
            .join("\n");
        for (const secret of Object.values(testSecrets)) expect(everything).not.toContain(secret);
        expect(JSON.stringify(containers)).not.toContain("<secret:");
    });

    it("shows each DNS record with its proxied flag", () => {
        expect(JSON.parse(readFileSync(join(out, "dns.json"), "utf8"))).toEqual([
            { name: "example.com", type: "A", proxied: true },
            { name: "jupyter.example.com", type: "A", proxied: false },
            { name: "portainer.example.com", type: "A", proxied: false },
        ]);
    });

    it("passes shellcheck on every host script", () => {
        requireTool("shellcheck", "shellcheck");
        const scripts = readdirSync(join(out, "host")).map((s) => join(out, "host", s));
        const result = run("shellcheck", ["--severity=style", ...scripts]);
        expect(result.output).toBe("");
        expect(result.status).toBe(0);
    });

    it("passes shellcheck on the certbot command the host setup installs", () => {
        requireTool("shellcheck", "shellcheck");
        const path = join(out, "site-certbot");
        writeFileSync(path, renderCertbotCommand(settings));
        const result = run("shellcheck", ["--severity=style", path]);
        rmSync(path);
        expect(result.output).toBe("");
    });

    it("passes cloud-init's schema validation", () => {
        requireTool("cloud-init", "cloud-init");
        const result = run("cloud-init", ["schema", "--config-file", join(out, "cloud-init.yaml")]);
        expect(result.output).toMatch(/Valid cloud-config/);
        expect(result.status).toBe(0);
    });

    it("writes a local stack's files: its nginx configuration and containers, nothing for a droplet", () => {
        const localOut = mkdtempSync(join(tmpdir(), "render-local-"));
        try {
            const result = run(join(repoRoot, "node_modules/.bin/tsx"), ["scripts/render.ts", "--stack", "local", "--out", localOut], {
                cwd: repoRoot,
            });
            expect(result).toMatchObject({ status: 0 });
            expect(readdirSync(localOut).sort()).toEqual([".site-render.json", "containers.json", "nginx"]);
            const containers = JSON.parse(readFileSync(join(localOut, "containers.json"), "utf8"));
            expect(containers.find((c: { name: string }) => c.name === "proxy").ports).toEqual([
                { hostIp: "127.0.0.1", hostPort: 8080, containerPort: 80 },
                { hostIp: "127.0.0.1", hostPort: 8443, containerPort: 443 },
            ]);
            expect(readFileSync(join(localOut, "nginx/conf.d/default.conf"), "utf8")).toContain("server_name blog.localhost;");
        } finally {
            rmSync(localOut, { recursive: true, force: true });
        }
    });

    it("refuses a stack that does not exist, saying which file is missing", () => {
        const result = run(join(repoRoot, "node_modules/.bin/tsx"), ["scripts/render.ts", "--stack", "nope", "--out", out], {
            cwd: repoRoot,
        });
        expect(result.status).not.toBe(0);
        expect(result.output).toMatch(/Pulumi\.nope\.yaml/);
    });
});

describe("user data", () => {
    const seed = {
        adminUser: "site",
        deployPublicKey: "ssh-ed25519 AAAAdeploy",
        bootstrapHostKey: { privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----", publicKey: "ssh-ed25519 AAAAboot" },
    };

    it("installs Docker from Ubuntu's packages and holds nothing else that changes with config", () => {
        const userData = renderCloudInit(seed);
        expect(userData).toMatch(/^#cloud-config\n/);
        expect(userData).toMatch(/- docker\.io/);
        // Nothing from the stack config beyond the admin user: a config change must never alter
        // (and so replace) the droplet; later keys and settings arrive over SSH.
        for (const value of [settings.domain, settings.ghostImage, ...settings.adminCidrs, ...settings.sshPublicKeys])
            expect(userData).not.toContain(value);
    });

    it("creates the admin user with the deploy key, turns root and password logins off, and seeds only the bootstrap host key", () => {
        const userData = parse(renderCloudInit(seed).replace(/^#cloud-config\n/, ""));
        expect(userData.users).toEqual([
            expect.objectContaining({ name: "site", lock_passwd: true, ssh_authorized_keys: ["ssh-ed25519 AAAAdeploy"] }),
        ]);
        expect(userData).toMatchObject({ disable_root: true, ssh_pwauth: false, ssh_deletekeys: true, ssh_genkeytypes: ["ed25519"] });
        expect(userData.ssh_keys).toEqual({ ed25519_private: seed.bootstrapHostKey.privateKey, ed25519_public: "ssh-ed25519 AAAAboot" });
    });
});

describe("host scripts", () => {
    const scripts = renderHostScripts(settings);

    it("are numbered in run order and stop at the first error", () => {
        const numbers = scripts.map((s) => Number(s.name.slice(0, 2)));
        expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
        for (const { script } of scripts) expect(script).toMatch(/^#!\/usr\/bin\/env bash\n[\s\S]*\nset -euo pipefail\n/);
    });

    it("create every data volume's directory owned by the container's user", () => {
        const dataDirs = scripts.find((s) => s.name === "40-data-dirs")!.script;
        for (const volume of containerTemplates.flatMap((c) => c.volumes)) {
            expect(dataDirs).toContain(
                `install -d -m ${dataDirectoryMode(volume)} -o ${volume.uid} -g ${volume.gid} ${dataRoot}/${volume.name}`,
            );
        }
    });

    it("limit SSH to the admin ranges and nothing else in UFW", () => {
        const firewall = scripts.find((s) => s.name === "30-firewall")!.script;
        const added = firewall.match(/^ufw (allow|limit) .*$/gm);
        expect(added).toEqual(settings.adminCidrs.map((cidr) => `ufw limit from ${cidr} to any port 22 proto tcp`));
    });
});

describe("firewall rules for Docker", () => {
    const rules = renderAfterRules().split("\n");
    const index = (pattern: RegExp) => rules.findIndex((line) => pattern.test(line));

    it("lets in only connections that came through the proxy's published ports", () => {
        const accepted = rules.filter((line) => /-A DOCKER-USER .*--ctorigdstport/.test(line));
        expect(accepted.map((line) => line.match(/--ctorigdstport (\d+)/)![1])).toEqual(["80", "443"]);
        for (const line of accepted) expect(line).toMatch(/--ctstate DNAT/);
        expect(rules.filter((line) => line.startsWith("-A DOCKER-USER")).pop()).toBe("-A DOCKER-USER -j site-docker-deny");
    });

    it("blocks containers from the metadata service before letting container traffic out", () => {
        expect(index(new RegExp(`-d ${metadataAddress}/32 -j site-docker-deny`))).toBeGreaterThan(-1);
        expect(index(new RegExp(`-d ${metadataAddress}`))).toBeLessThan(index(/-s 172\.30\.0\.0\/16 -j RETURN/));
    });
});

describe("nginx", () => {
    const conf = renderNginxSiteConfig(settings, { trustedProxyRanges: cloudflareRanges });
    const serverBlockFor = (hostname: string) => {
        const start = conf.indexOf(`server_name ${hostname};`);
        return conf.slice(start, conf.indexOf("\n}\n", start));
    };

    it("routes each hostname to its own service", () => {
        for (const name of routedServiceNames) {
            expect(serverBlockFor(settings.services[name].hostname)).toContain(`proxy_pass http://${name};`);
        }
    });

    it("passes websockets, with long timeouts, for the hosts that need them", () => {
        for (const name of routedServiceNames) {
            const block = serverBlockFor(settings.services[name].hostname);
            const upgrades = block.includes("proxy_set_header Upgrade $http_upgrade;") && block.includes("proxy_read_timeout 1h;");
            expect([name, upgrades]).toEqual([name, routedServices[name].websockets]);
        }
    });

    it("asks for the password on the management host only", () => {
        for (const name of routedServiceNames) {
            const block = serverBlockFor(settings.services[name].hostname);
            expect([name, block.includes("auth_basic ")]).toEqual([name, routedServices[name].requiresAuth]);
        }
    });

    it("closes connections for unknown hosts instead of serving a default site", () => {
        expect(conf).toMatch(/listen 80 default_server;\n\s+listen \[::\]:80 default_server;\n\s+return 444;/);
        expect(conf).toMatch(/listen 443 ssl default_server;[\s\S]*?ssl_reject_handshake on;/);
    });

    it("tells Ghost the visitor's scheme so it does not redirect forever", () => {
        expect(serverBlockFor(settings.services.ghost.hostname)).toContain("proxy_set_header X-Forwarded-Proto $scheme;");
    });
});

describe("certificates", () => {
    it("asks for a certificate for every host, by DNS challenge, with the configured account", () => {
        const command = renderCertbotCommand(settings);
        expect(command).toContain(
            `for host in ${Object.values(settings.services)
                .map((s) => s.hostname)
                .join(" ")}; do`,
        );
        expect(command).toMatch(/--dns-cloudflare --dns-cloudflare-credentials/);
        expect(command).toContain(`--email ${settings.acmeEmail}`);
        expect(command).not.toContain("--staging");
        const staging = renderCertbotCommand({ ...settings, acmeStaging: true, acmeEmail: "" });
        expect(staging).toContain("--staging");
        expect(staging).toContain("--register-unsafely-without-email");
    });

    it("reloads the proxy only when certbot renewed something", () => {
        expect(renderCertbotCommand(settings)).toMatch(/if \[ -e "\$flag" \]; then[\s\S]*docker kill --signal HUP site-proxy/);
    });
});

describe("Ghost's mail settings", () => {
    const mailEnv = (smtpPort: number) =>
        renderContainers({ ...settings, smtpPort }, placeholderSecrets(), []).find((c) => c.name === "ghost")!.env;

    it.each([587, 2525])("require STARTTLS on port %i, so the password never goes out in clear", (port) => {
        expect(mailEnv(port)).toMatchObject({
            mail__options__port: String(port),
            mail__options__secure: "false",
            mail__options__requireTLS: "true",
        });
    });

    it("speak TLS from the first byte on port 465", () => {
        expect(mailEnv(465)).toMatchObject({ mail__options__secure: "true", mail__options__requireTLS: "false" });
    });
});
