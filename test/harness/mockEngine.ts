// The engine under Pulumi's mocks: every resource registration reaches `newResource`, which answers
// with an id and the provider's computed outputs (test/harness/resourceTypes.ts), and every
// provider function reaches `call`, which throws for anything not modelled, so an unmocked lookup is
// noticed. Each evaluation gets its own engine.
import type * as pulumi from "@pulumi/pulumi";
import { cloudflareRanges } from "../../config/cloudflareRanges";
import { computedOutputs } from "./resourceTypes";

/** One registration as the engine received it. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly id: string;
    /** The provider reference sent with it (`urn::id`), for a custom resource. */
    readonly provider?: string;
}

export interface CloudflareRangeList {
    readonly ipv4Cidrs: string[];
    readonly ipv6Cidrs: string[];
}

export class MockEngine implements pulumi.runtime.Mocks {
    readonly registrations: Registration[] = [];

    constructor(
        /** What cloudflare.getIpRanges answers: Cloudflare's live list. */
        private readonly liveCloudflareRanges: CloudflareRangeList = {
            ipv4Cidrs: cloudflareRanges.filter((range) => !range.includes(":")),
            ipv6Cidrs: cloudflareRanges.filter((range) => range.includes(":")),
        },
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const computed = computedOutputs(args.type, args.name);
        const id = this.idFor(args);
        this.registrations.push({ type: args.type, name: args.name, custom: args.custom ?? true, id, provider: args.provider });
        return { id, state: { ...(args.inputs as Record<string, unknown>), ...computed } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        if (args.token === "cloudflare:index/getZone:getZone") return { id: "zone-id", zoneId: "zone-id", name: "example.com" };
        if (args.token === "cloudflare:index/getIpRanges:getIpRanges") return { ...this.liveCloudflareRanges };
        throw new Error(`unmocked call ${args.token}`);
    }

    /** The id the provider gives a new resource: fixed, as Pulumi's mocks give it. */
    protected idFor(args: pulumi.runtime.MockResourceArgs): string {
        return `${args.name}-id`;
    }
}
