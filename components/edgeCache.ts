import * as cloudflare from "@pulumi/cloudflare";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { allOf, type EdgeCacheRule, type EdgeCacheSpec } from "../render/edgeCache";

const ruleText = ({ ref, description, clauses }: EdgeCacheRule) => ({ ref, description, expression: allOf(clauses) });

export interface EdgeCacheArgs {
    readonly zoneId: pulumi.Input<string>;
    /** The rules (render/edgeCache.ts). */
    readonly spec: EdgeCacheSpec;
    /** The themes' content hash: a new one purges the blog's pages from the edge. */
    readonly themesFingerprint: string;
    /** The purge, run by `node -e` where `pulumi up` runs (render/edgeCache.ts). */
    readonly purgeScript: string;
    /** The deploy token, when the stack sets it; otherwise the purge finds CLOUDFLARE_API_TOKEN in the environment, as the provider does. */
    readonly apiToken?: pulumi.Input<string>;
    /** What must be done before a purge means anything: the themes installed in Ghost. */
    readonly purgeAfter: readonly pulumi.Resource[];
}

/**
 * Ghost's public pages cached at Cloudflare's edge (a proxied blog only): a cache rule for which
 * requests may be cached, a cache response rule for how long Ghost's public answers stay, and a
 * purge of the blog's host whenever the theme changes, once Ghost has loaded it.
 */
export class EdgeCache extends pulumi.ComponentResource {
    constructor(name: string, args: EdgeCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("site:edge:EdgeCache", name, {}, opts);
        const { spec } = args;
        const owner = `managed by Pulumi (${pulumi.getProject()}/${pulumi.getStack()})`;
        // Each is its zone's entry point for its phase: a zone has one per phase, so cache rules made
        // in the dashboard must go first (`npm run check -- --online` says so).
        const entryPoint = (child: string, phase: string, title: string, what: string, rule: cloudflare.types.input.RulesetRule) =>
            new cloudflare.Ruleset(
                `${name}-${child}`,
                { zoneId: args.zoneId, kind: "zone", phase, name: title, description: `${what}, ${owner}`, rules: [rule] },
                { parent: this },
            );
        const requests = entryPoint(
            "edge-cache-rules",
            "http_request_cache_settings",
            "Cache rules",
            "The blog's public pages at the edge",
            {
                ...ruleText(spec.eligible),
                action: "set_cache_settings",
                // Ghost's Cache-Control decides: private and no-store are never stored.
                actionParameters: { cache: true, edgeTtl: { mode: "respect_origin" }, browserTtl: { mode: "respect_origin" } },
            },
        );
        const responses = entryPoint(
            "edge-cache-ttl",
            "http_response_cache_settings",
            "Cache response rules",
            "How long the blog's public pages stay at the edge",
            {
                ...ruleText(spec.publicAnswers),
                action: "set_cache_control",
                actionParameters: { sMaxage: { operation: "set", value: spec.edgeTtlSeconds, cloudflareOnly: true } },
            },
        );
        new command.local.Command(
            `${name}-edge-purge`,
            {
                interpreter: ["node", "-e"],
                create: args.purgeScript,
                environment: {
                    SITE_ZONE_ID: args.zoneId,
                    SITE_PURGE_HOST: spec.hostname,
                    ...(args.apiToken ? { CLOUDFLARE_API_TOKEN: pulumi.secret(args.apiToken) } : {}),
                },
                triggers: [args.themesFingerprint],
            },
            { parent: this, dependsOn: [...args.purgeAfter, requests, responses] },
        );
        this.registerOutputs({});
    }
}
