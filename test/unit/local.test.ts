// The local target under mocks: the same apps as prod on this machine's Docker engine, nothing
// from any cloud, certificates from a CA made for this machine, the repo's themes live in Ghost.
import { themeFolders } from "../../config/themes";
import { evaluate, Evaluation } from "../harness/evaluate";
import { types } from "../harness/resourceTypes";

const container = (e: Evaluation, name: string) => e.one(types.container, name).inputs;
const uploads = (e: Evaluation) => container(e, "site-proxy").uploads as { file: string; content: string }[];

let local: Evaluation;
let prod: Evaluation;
beforeAll(async () => {
    local = await evaluate({ stack: "local" });
    prod = await evaluate({ stack: "prod" });
});

it("registers nothing from DigitalOcean or Cloudflare, and no remote command", () => {
    const clouds = local.resources
        .map((r) => r.type)
        .filter((t) => /^(digitalocean|cloudflare|command):|pulumi:providers:(digitalocean|cloudflare|command)/.test(t));
    expect(clouds).toEqual([]);
});

it("runs the same containers as prod, from the same images, on the same private network", () => {
    const summary = (e: Evaluation) =>
        e
            .all(types.container)
            .map(({ name, inputs }) => ({
                name,
                image: inputs.image,
                memory: inputs.memory,
                restart: inputs.restart,
                network: inputs.networksAdvanced,
            }))
            .sort((a, b) => a.name.localeCompare(b.name));
    expect(summary(local)).toEqual(summary(prod));
    const images = (e: Evaluation) =>
        e
            .all(types.remoteImage)
            .map((r) => r.inputs.name as string)
            .sort();
    expect(images(local)).toEqual(images(prod));
});

it("talks to this machine's engine (its socket, or DOCKER_HOST)", () => {
    expect(local.one(types.dockerProvider).inputs.host).toBeUndefined();
});

it("gives the proxy the same nginx and login configuration code as prod, on 127.0.0.1 and unprivileged ports", () => {
    const file = (e: Evaluation, path: string) => uploads(e).find((u) => u.file === path)?.content;
    expect(file(local, "/etc/nginx/nginx.conf")).toBe(file(prod, "/etc/nginx/nginx.conf"));
    expect(file(local, "/etc/nginx/auth/management.htpasswd")).toBe(file(prod, "/etc/nginx/auth/management.htpasswd"));
    expect(file(local, "/etc/nginx/conf.d/default.conf")).toContain("return 301 https://$host:8443$request_uri;");
    expect(container(local, "site-proxy").ports).toEqual([
        { ip: "127.0.0.1", external: 8080, internal: 80, protocol: "tcp" },
        { ip: "127.0.0.1", external: 8443, internal: 443, protocol: "tcp" },
    ]);
});

it("serves every *.localhost host a certificate from the local CA, where the nginx configuration expects it", () => {
    const files = uploads(local).map((u) => u.file);
    for (const host of ["blog.localhost", "jupyter.localhost", "portainer.localhost"]) {
        expect(files).toEqual(
            expect.arrayContaining([`/etc/letsencrypt/live/${host}/fullchain.pem`, `/etc/letsencrypt/live/${host}/privkey.pem`]),
        );
    }
    expect(local.one(types.selfSignedCert).inputs).toMatchObject({ isCaCertificate: true, allowedUses: ["cert_signing", "crl_signing"] });
    expect(local.all(types.locallySignedCert)).toHaveLength(3);
    expect(local.outputs).toHaveProperty("caCertificate");
});

it("mounts the repo's themes into Ghost, read-only, so an edit shows on reload", () => {
    const volumes = container(local, "site-ghost").volumes as { hostPath?: string; containerPath: string; readOnly: boolean }[];
    for (const [name, folder] of Object.entries(themeFolders())) {
        expect(volumes).toContainEqual({ hostPath: folder, containerPath: `/var/lib/ghost/content/themes/${name}`, readOnly: true });
    }
    expect(Object.keys(themeFolders()).length).toBeGreaterThan(0);
});

it("keeps data in named Docker volumes, and publishes https URLs with the local port", () => {
    expect(container(local, "site-mysql").volumes).toEqual([expect.objectContaining({ volumeName: "site-mysql-data" })]);
    expect(local.outputs.urls).toEqual({
        ghost: "https://blog.localhost:8443",
        jupyter: "https://jupyter.localhost:8443",
        portainer: "https://portainer.localhost:8443",
    });
    const ghostEnv = container(local, "site-ghost").envs as string[];
    expect(ghostEnv).toContain("url=https://blog.localhost:8443");
    // Development mode re-reads theme templates, so an edit shows on reload; prod caches them.
    expect(ghostEnv).toContain("NODE_ENV=development");
    expect(container(prod, "site-ghost").envs).toContain("NODE_ENV=production");
});

it("starts Ghost as its own user with its themes folder in memory, so the read-only theme mounts cannot stop it", () => {
    // Proven with the real Ghost in test/sandbox/local.test.ts; here, the wiring.
    const ghost = container(local, "site-ghost");
    expect(ghost.user).toBe("1000:1000");
    expect(ghost.tmpfs).toEqual({ "/var/lib/ghost/content/themes": "mode=1777" });
    expect(container(prod, "site-ghost").user).toBe("1000:1000");
    expect(container(prod, "site-ghost").tmpfs).toBeUndefined();
    // The image configures these for production only; development mode would listen on 127.0.0.1.
    expect(ghost.envs).toEqual(
        expect.arrayContaining(["server__host=::", "server__port=2368", "paths__contentPath=/var/lib/ghost/content"]),
    );
});

it("never caches Ghost's pages in the local proxy, so a template edit shows on the next reload", () => {
    const site = (e: Evaluation) => uploads(e).find((u) => u.file === "/etc/nginx/conf.d/default.conf")!.content;
    expect(site(prod)).toContain("proxy_cache ghost;");
    expect(site(local)).not.toContain("proxy_cache");
});
