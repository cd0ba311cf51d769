// The Cloudflare front under Pulumi's mocks: a websocket host works with its proxy toggle in
// either state, and only proxied hosts refuse visitors who go around Cloudflare.
import type * as pulumiType from "@pulumi/pulumi";

interface Evaluated {
    readonly warnings: string[];
    readonly proxied: Record<string, boolean>;
    readonly zoneSettings: Record<string, string>;
    readonly nginxSite: string;
}

/** Evaluates the whole program with the prod config, changed, in a fresh module registry. */
async function evaluate(change: (values: Record<string, unknown>) => void, extraLiveRange?: string): Promise<Evaluated> {
    let result: Evaluated | undefined;
    await jest.isolateModulesAsync(async () => {
        const pulumi: typeof pulumiType = await import("@pulumi/pulumi");
        const { all, liveCloudflareRanges, runWithMocks, promiseOf } = await import("./mocks");
        const { setStackConfig } = await import("./stackConfig");
        const warnings: string[] = [];
        jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
        if (extraLiveRange) liveCloudflareRanges.ipv4Cidrs = [...liveCloudflareRanges.ipv4Cidrs, extraLiveRange];
        setStackConfig("prod", change);
        await runWithMocks(() => import("../index"));
        const resolve = <T>(value: unknown) => promiseOf(pulumi.output(value as pulumiType.Input<T>));
        const records = all("cloudflare:index/dnsRecord:DnsRecord");
        const settings = all("cloudflare:index/zoneSetting:ZoneSetting");
        const proxy = all("docker:index/container:Container").find((c) => c.name === "site-proxy")!;
        const uploads = await resolve<{ file: string; content: string }[]>(proxy.inputs.uploads);
        result = {
            warnings,
            proxied: Object.fromEntries(await Promise.all(records.map(async (r) => [await resolve<string>(r.inputs.name), await resolve<boolean>(r.inputs.proxied)]))),
            zoneSettings: Object.fromEntries(await Promise.all(settings.map(async (s) => [await resolve<string>(s.inputs.settingId), await resolve<string>(s.inputs.value)]))),
            nginxSite: uploads.find((u) => u.file === "/etc/nginx/conf.d/default.conf")!.content,
        };
    });
    return result!;
}

const serverBlock = (conf: string, hostname: string) => {
    const start = conf.indexOf(`server_name ${hostname};`);
    return conf.slice(start, conf.indexOf("\n}\n", start));
};

const services = (values: Record<string, unknown>) => values.services as Record<string, { proxied?: boolean }>;

describe.each([
    ["DNS-only (grey cloud)", false],
    ["proxied (orange cloud)", true],
])("a websocket host %s", (_label, proxied) => {
    let evaluated: Evaluated;
    beforeAll(async () => {
        evaluated = await evaluate((values) => (services(values).jupyter.proxied = proxied));
    });

    it("gets a record with that proxy flag, and the zone keeps websockets on", () => {
        expect(evaluated.proxied["jupyter.example.com"]).toBe(proxied);
        expect(evaluated.zoneSettings.websockets).toBe("on");
    });

    it("still passes websocket upgrades with long timeouts at the origin", () => {
        const block = serverBlock(evaluated.nginxSite, "jupyter.example.com");
        expect(block).toContain("proxy_set_header Upgrade $http_upgrade;");
        expect(block).toContain("proxy_read_timeout 1h;");
    });

    it(`${proxied ? "accepts" : "does not restrict the host to"} only Cloudflare's addresses`, () => {
        expect(serverBlock(evaluated.nginxSite, "jupyter.example.com").includes("if ($from_cloudflare = 0)")).toBe(proxied);
    });
});

describe("proxied hosts and Cloudflare's ranges", () => {
    it("restrict every proxied host, and only those, to Cloudflare, whose published ranges the proxy trusts", async () => {
        const evaluated = await evaluate(() => undefined);
        for (const [hostname, proxied] of Object.entries(evaluated.proxied)) {
            expect([hostname, serverBlock(evaluated.nginxSite, hostname).includes("if ($from_cloudflare = 0)")]).toEqual([hostname, proxied]);
        }
        expect(evaluated.nginxSite).toContain("set_real_ip_from 173.245.48.0/20;");
        expect(evaluated.nginxSite).toContain("set_real_ip_from 2606:4700::/32;");
        expect(evaluated.zoneSettings).toMatchObject({ ssl: "strict", always_use_https: "on" });
    });
});

describe("Cloudflare's address ranges", () => {
    it("warns at deploy time when Cloudflare publishes ranges the proxy does not know yet", async () => {
        expect((await evaluate(() => undefined)).warnings).toEqual([]);
        const drifted = await evaluate(() => undefined, "104.32.0.0/12");
        expect(drifted.warnings).toEqual([expect.stringMatching(/Cloudflare's address ranges changed: update config\/cloudflareRanges\.ts/)]);
    });
});
