// The Cloudflare front under Pulumi's mocks: a websocket host works with its proxy toggle in
// either state, and only proxied hosts refuse visitors who go around Cloudflare.
import { evaluate, Evaluation } from "../harness/evaluate";
import { types } from "../harness/resourceTypes";

interface Front {
    readonly proxied: Record<string, boolean>;
    readonly zoneSettings: Record<string, string>;
    readonly nginxSite: string;
}

function front(evaluation: Evaluation): Front {
    const uploads = evaluation.one(types.container, "site-proxy").inputs.uploads as { file: string; content: string }[];
    return {
        proxied: Object.fromEntries(evaluation.all(types.dnsRecord).map((r) => [r.inputs.name, r.inputs.proxied])) as Record<
            string,
            boolean
        >,
        zoneSettings: Object.fromEntries(evaluation.all(types.zoneSetting).map((r) => [r.inputs.settingId, r.inputs.value])) as Record<
            string,
            string
        >,
        nginxSite: uploads.find((u) => u.file === "/etc/nginx/conf.d/default.conf")!.content,
    };
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
    let evaluated: Front;
    beforeAll(async () => {
        evaluated = front(await evaluate({ change: (values) => (services(values).jupyter.proxied = proxied) }));
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
        const evaluated = front(await evaluate());
        for (const [hostname, proxied] of Object.entries(evaluated.proxied)) {
            expect([hostname, serverBlock(evaluated.nginxSite, hostname).includes("if ($from_cloudflare = 0)")]).toEqual([
                hostname,
                proxied,
            ]);
        }
        expect(evaluated.nginxSite).toContain("set_real_ip_from 173.245.48.0/20;");
        expect(evaluated.nginxSite).toContain("set_real_ip_from 2606:4700::/32;");
        expect(evaluated.zoneSettings).toMatchObject({ ssl: "strict", always_use_https: "on" });
    });
});

describe("Cloudflare's address ranges", () => {
    it("warns at deploy time when Cloudflare publishes ranges the proxy does not know yet", async () => {
        const aboutRanges = (warnings: readonly string[]) => warnings.filter((w) => /Cloudflare's address ranges/.test(w));
        expect(aboutRanges((await evaluate()).warnings)).toEqual([]);
        const drifted = await evaluate({ extraLiveRange: "104.32.0.0/12" });
        expect(aboutRanges(drifted.warnings)).toEqual([
            expect.stringMatching(/Cloudflare's address ranges changed: update config\/cloudflareRanges\.ts/),
        ]);
    });
});
