// Ghost's public pages at Cloudflare's edge, as the program registers them under Pulumi's mocks.
// The rules are Cloudflare's language, which nothing here evaluates: the test splits each registered
// expression into its clauses (joined by `and`) and knows what each clause means by its exact text.
// Every request of one table (test/harness/ghostRequests.ts, the real nginx's table too) must pass
// every clause if it may be cached, and fail the clause that excludes it if not; a clause the test
// does not know, or one it expects and does not find, fails the test.
import { execFile } from "node:child_process";
import { createServer, IncomingMessage, Server } from "node:http";
import { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { cloudflareApiVariable, renderEdgePurgeScript } from "../../render/edgeCache";
import { Declared, evaluate, Evaluation } from "../harness/evaluate";
import { GhostRequest, ghostRequests } from "../harness/ghostRequests";
import { types } from "../harness/resourceTypes";
import { planUpdate } from "../harness/planEngine";

interface Rule {
    readonly expression: string;
    readonly action: string;
    readonly actionParameters: Record<string, unknown>;
}

const rules = (evaluation: Evaluation, phase: string): Rule[] =>
    evaluation.all(types.ruleset).find((r: Declared) => r.inputs.phase === phase)?.inputs.rules as Rule[];

const clausesOf = (expression: string) => expression.split("\nand ");

const path = (request: GhostRequest) => request.path.split("?")[0].toLowerCase();
const cookie = (request: GhostRequest) => request.cookie ?? "";

/** What each clause of the cache rule means, by its exact text. */
const requestClauseMeaning: Record<string, (request: GhostRequest) => boolean> = {
    'http.host eq "example.com"': () => true,
    'http.request.method in {"GET" "HEAD"}': (r) => r.method === "GET" || r.method === "HEAD",
    'not starts_with(lower(http.request.uri.path), "/ghost/")': (r) => !path(r).startsWith("/ghost/"),
    'not starts_with(lower(http.request.uri.path), "/members/")': (r) => !path(r).startsWith("/members/"),
    'not starts_with(lower(http.request.uri.path), "/p/")': (r) => !path(r).startsWith("/p/"),
    'not starts_with(lower(http.request.uri.path), "/r/")': (r) => !path(r).startsWith("/r/"),
    'not starts_with(lower(http.request.uri.path), "/.ghost/")': (r) => !path(r).startsWith("/.ghost/"),
    'not http.cookie contains "ghost-admin-api-session"': (r) => !cookie(r).includes("ghost-admin-api-session"),
    'not http.cookie contains "ghost-members-ssr"': (r) => !cookie(r).includes("ghost-members-ssr"),
};

interface GhostAnswer {
    readonly status: number;
    readonly headers: Record<string, string>;
    readonly edgeTtl: boolean;
    readonly what: string;
}

/** Ghost's answers, and whether the edge keeps them for its own TTL. */
const answers: readonly GhostAnswer[] = [
    { status: 200, headers: { "cache-control": "public, max-age=0" }, edgeTtl: true, what: "a public page" },
    { status: 200, headers: { "cache-control": "Public, Max-Age=0" }, edgeTtl: true, what: "a public page, in capitals" },
    {
        status: 200,
        headers: { "cache-control": "private, no-cache, no-store, must-revalidate, max-age=0" },
        edgeTtl: false,
        what: "a private answer",
    },
    { status: 200, headers: { "cache-control": "no-store" }, edgeTtl: false, what: "a no-store answer" },
    { status: 200, headers: {}, edgeTtl: false, what: "an answer without Cache-Control" },
    {
        status: 200,
        headers: { "cache-control": "public, max-age=0", "set-cookie": "ghost-members-ssr=abc" },
        edgeTtl: false,
        what: "a public page that sets a cookie",
    },
    { status: 404, headers: { "cache-control": "public, max-age=0" }, edgeTtl: false, what: "a missing page" },
    { status: 500, headers: { "cache-control": "public, max-age=0" }, edgeTtl: false, what: "an error" },
];

const cacheControl = (a: GhostAnswer) => (a.headers["cache-control"] ?? "").toLowerCase();
const answerClauseMeaning: Record<string, (answer: GhostAnswer) => boolean> = {
    'http.host eq "example.com"': () => true,
    "http.response.code eq 200": (a) => a.status === 200,
    'any(lower(http.response.headers["cache-control"][*])[*] contains "public")': (a) => cacheControl(a).includes("public"),
    'not any(lower(http.response.headers["cache-control"][*])[*] contains "private")': (a) => !cacheControl(a).includes("private"),
    'not any(lower(http.response.headers["cache-control"][*])[*] contains "no-store")': (a) => !cacheControl(a).includes("no-store"),
    'not any(http.response.headers.names[*] eq "set-cookie")': (a) => !("set-cookie" in a.headers),
};

let prod: Evaluation;
beforeAll(async () => {
    prod = await evaluate();
});

describe("the cache rule: which requests the edge may answer", () => {
    let rule: Rule;
    beforeAll(() => {
        [rule] = rules(prod, "http_request_cache_settings");
    });

    it("makes them eligible and leaves Ghost's Cache-Control in charge, so a private answer is never stored", () => {
        expect(rule.action).toBe("set_cache_settings");
        expect(rule.actionParameters).toEqual({ cache: true, edgeTtl: { mode: "respect_origin" }, browserTtl: { mode: "respect_origin" } });
    });

    it("has exactly the clauses whose meaning the test knows", () => {
        expect(clausesOf(rule.expression).sort()).toEqual(Object.keys(requestClauseMeaning).sort());
    });

    it.each(ghostRequests.map((request) => [request.what, request] as const))("%s", (_what, request) => {
        const failed = clausesOf(rule.expression).filter((clause) => !requestClauseMeaning[clause](request));
        if (request.cached) expect(failed).toEqual([]);
        else expect(failed.length).toBeGreaterThan(0);
    });

    it("excludes every non-cached request of the table for a reason of its own: each clause is needed", () => {
        for (const clause of clausesOf(rule.expression).filter((c) => !c.startsWith("http.host"))) {
            const others = clausesOf(rule.expression).filter((c) => c !== clause);
            const onlyThisOne = ghostRequests.filter(
                (request) =>
                    !request.cached && !requestClauseMeaning[clause](request) && others.every((c) => requestClauseMeaning[c](request)),
            );
            expect([clause, onlyThisOne.length > 0]).toEqual([clause, true]);
        }
    });
});

describe("the cache response rule: how long Ghost's public answers stay at the edge", () => {
    let rule: Rule;
    beforeAll(() => {
        [rule] = rules(prod, "http_response_cache_settings");
    });

    it("sets s-maxage to site:edgeCacheSeconds for Cloudflare only: browsers still get Ghost's max-age=0", () => {
        expect(rule.action).toBe("set_cache_control");
        expect(rule.actionParameters).toEqual({ sMaxage: { operation: "set", value: 60, cloudflareOnly: true } });
    });

    it("has exactly the clauses whose meaning the test knows", () => {
        expect(clausesOf(rule.expression).sort()).toEqual(Object.keys(answerClauseMeaning).sort());
    });

    it.each(answers.map((answer) => [answer.what, answer] as const))("%s", (_what, answer) => {
        const failed = clausesOf(rule.expression).filter((clause) => !answerClauseMeaning[clause](answer));
        expect(failed.length === 0).toBe(answer.edgeTtl);
    });
});

describe("where there is an edge cache", () => {
    it("only for a proxied blog: a DNS-only blog registers no rules and no purge", async () => {
        const dnsOnly = await evaluate({ change: (v) => ((v.services as Record<string, { proxied?: boolean }>).ghost.proxied = false) });
        expect(dnsOnly.all(types.ruleset)).toEqual([]);
        expect(dnsOnly.all(types.localCommand)).toEqual([]);
    });

    it("not with site:edgeCacheSeconds 0", async () => {
        const off = await evaluate({ change: (v) => (v.edgeCacheSeconds = 0) });
        expect(off.all(types.ruleset)).toEqual([]);
    });

    it("with the stack's own TTL", async () => {
        const fiveMinutes = await evaluate({ change: (v) => (v.edgeCacheSeconds = 300) });
        expect(rules(fiveMinutes, "http_response_cache_settings")[0].actionParameters).toMatchObject({ sMaxage: { value: 300 } });
    });

    it("refuses a TTL Cloudflare would not take, naming the key", async () => {
        await expect(evaluate({ change: (v) => (v.edgeCacheSeconds = -5) })).rejects.toThrow(/site:edgeCacheSeconds/);
    });
});

describe("the purge on a theme change", () => {
    it("runs after the themes are in Ghost and the rules exist, with the deploy token as a secret", () => {
        const purge = prod.one(types.localCommand);
        expect(purge.inputs.interpreter).toEqual(["node", "-e"]);
        expect(purge.inputs.environment).toMatchObject({ SITE_PURGE_HOST: "example.com" });
        expect(purge.secretInputs).toContain("environment");
        const themes = prod.one(types.themes).urn;
        expect(purge.dependsOn).toEqual(expect.arrayContaining([themes, ...prod.all(types.ruleset).map((r) => r.urn)]));
    });

    it("runs again exactly when the theme changes", async () => {
        const changed = await planUpdate(prod, { themesFingerprint: "a-different-theme" });
        expect(changed.touched("create-replacement")).toContain("site-edge-purge");
        expect((await planUpdate(prod)).steps).toEqual([]);
    });
});

describe("the purge script (node -e, where pulumi up runs)", () => {
    let server: Server;
    let seen: { url?: string; authorization?: string; body: string }[];
    let answer: { status: number; body: unknown };
    beforeAll(async () => {
        server = createServer((request: IncomingMessage, response) => {
            let body = "";
            request.on("data", (chunk: Buffer) => (body += chunk.toString()));
            request.on("end", () => {
                seen.push({ url: request.url, authorization: request.headers.authorization, body });
                response.writeHead(answer.status, { "Content-Type": "application/json" }).end(JSON.stringify(answer.body));
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    beforeEach(() => (seen = []));

    const purge = (token: string | undefined) =>
        promisify(execFile)("node", ["-e", renderEdgePurgeScript()], {
            env: {
                PATH: process.env.PATH,
                [cloudflareApiVariable]: `http://127.0.0.1:${(server.address() as AddressInfo).port}/client/v4`,
                SITE_ZONE_ID: "zone123",
                SITE_PURGE_HOST: "example.com",
                ...(token ? { CLOUDFLARE_API_TOKEN: token } : {}),
            },
        }).then(
            ({ stdout }) => ({ code: 0, output: stdout }),
            (error: { code: number; stderr: string }) => ({ code: error.code, output: error.stderr }),
        );

    it("purges the blog's host with the token", async () => {
        answer = { status: 200, body: { success: true, errors: [], result: { id: "zone123" } } };
        const result = await purge("deploy-token");
        expect(result).toEqual({ code: 0, output: expect.stringContaining("purged Cloudflare's cache of example.com") });
        expect(seen).toEqual([
            { url: "/client/v4/zones/zone123/purge_cache", authorization: "Bearer deploy-token", body: '{"hosts":["example.com"]}' },
        ]);
    });

    it("fails the deploy with the missing permission and the way to purge by hand", async () => {
        answer = { status: 403, body: { success: false, errors: [{ code: 10000, message: "Authentication error" }] } };
        const result = await purge("deploy-token");
        expect(result.code).toBe(1);
        expect(result.output).toMatch(/Cloudflare answered 403 \(10000: Authentication error\)/);
        expect(result.output).toMatch(/"Zone \/ Cache Purge \/ Purge".*Custom Purge > Hostname: example\.com/);
    });

    it("fails without a token, saying where one goes, and asks nothing", async () => {
        const result = await purge(undefined);
        expect(result.code).toBe(1);
        expect(result.output).toMatch(/cloudflare:apiToken or CLOUDFLARE_API_TOKEN/);
        expect(seen).toEqual([]);
    });
});
