// The engine under Pulumi's mocks: every resource registration reaches `newResource`, which answers
// with an id and the provider's computed outputs (test/harness/resourceTypes.ts), and every
// provider function reaches `call`, which throws for anything not modelled, so an unmocked lookup is
// noticed. Each evaluation gets its own engine.
//
// Given the registrations of a previous evaluation (the stack's state), it also does what the real
// engine does on `pulumi up`: it diffs each resource's inputs against its state (ignoring what
// `ignoreChanges` names), decides create, same, update or replace from the provider's replace rules,
// `replaceOnChanges` and `replaceWith`, and gives a replaced resource a new id, which then flows into
// every input that refers to it, as a real provider's new id does. ./planEngine.ts orders the steps.
import type * as pulumi from "@pulumi/pulumi";
import { cloudflareRanges } from "../../config/cloudflareRanges";
import { computedOutputs, mockId, replacementOf } from "./resourceTypes";

export type Operation = "create" | "same" | "update" | "replace";

/** What `pulumi up` does to a resource, and why. */
export interface Change {
    readonly op: Operation;
    /** Inputs that differ from the state. */
    readonly changed: readonly string[];
    /** Why it is replaced: the inputs that force it, or `replaceWith:` and the resource replaced. */
    readonly because: readonly string[];
    /** The provider deletes it before creating the replacement. */
    readonly deleteFirst: boolean;
}

/** One registration as the engine received it. */
export interface Registration {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly id: string;
    /** How many times it has been created: 1, then one more for every replacement. */
    readonly generation: number;
    /** The provider reference sent with it (`urn::id`), for a custom resource. */
    readonly provider?: string;
    /** Its inputs as the engine keeps them (with ignored changes left at their old values). */
    readonly inputs: Record<string, unknown>;
    readonly change: Change;
}

/** The options that decide a replacement, for a resource registered in this evaluation. */
export interface ReplaceOptions {
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    /** `type::name` of each resource whose replacement replaces this one. */
    readonly replaceWith: readonly string[];
}

export interface CloudflareRangeList {
    readonly ipv4Cidrs: string[];
    readonly ipv6Cidrs: string[];
}

const key = (type: string, name: string) => `${type}::${name}`;
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export class MockEngine implements pulumi.runtime.Mocks {
    readonly registrations: Registration[] = [];
    private readonly state: Map<string, Registration>;

    constructor(
        /** What cloudflare.getIpRanges answers: Cloudflare's live list. */
        private readonly liveCloudflareRanges: CloudflareRangeList,
        /** The stack's state: the registrations of a previous evaluation (none for a new stack). */
        state: readonly Registration[],
        private readonly optionsOf: (type: string, name: string) => ReplaceOptions,
    ) {
        this.state = new Map(state.map((r) => [key(r.type, r.name), r]));
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
        const custom = args.custom ?? true;
        const old = this.state.get(key(args.type, args.name));
        const options = this.optionsOf(args.type, args.name);
        const inputs: Record<string, unknown> = { ...(args.inputs as Record<string, unknown>) };
        for (const ignored of old ? options.ignoreChanges : []) inputs[ignored] = old!.inputs[ignored];
        const change = old
            ? this.diff(args.type, args.name, custom, old.inputs, inputs, options)
            : { op: "create" as const, changed: [], because: [], deleteFirst: false };
        const generation = !old ? 1 : change.op === "replace" ? old.generation + 1 : old.generation;
        const id = mockId(args.type, args.name, generation);
        this.registrations.push({ type: args.type, name: args.name, custom, id, generation, provider: args.provider, inputs, change });
        return { id, state: { ...inputs, ...computedOutputs(args.type, args.name, generation) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        if (args.token === "cloudflare:index/getZone:getZone") return { id: "zone-id", zoneId: "zone-id", name: "example.com" };
        if (args.token === "cloudflare:index/getIpRanges:getIpRanges") return { ...this.liveCloudflareRanges };
        throw new Error(`unmocked call ${args.token}`);
    }

    private diff(
        type: string,
        name: string,
        custom: boolean,
        was: Record<string, unknown>,
        is: Record<string, unknown>,
        options: ReplaceOptions,
    ): Change {
        const changed = [...new Set([...Object.keys(was), ...Object.keys(is)])].filter((k) => !same(was[k], is[k])).sort();
        if (!custom) return { op: changed.length > 0 ? "update" : "same", changed, because: [], deleteFirst: false };
        const { forcing, deleteFirst } = replacementOf(type, name, changed);
        const because = [
            ...new Set([...forcing, ...changed.filter((k) => options.replaceOnChanges.includes(k))]),
            ...options.replaceWith
                .filter((other) => this.registrations.some((r) => key(r.type, r.name) === other && r.change.op === "replace"))
                .map((other) => `replaceWith: ${other}`),
        ];
        return { op: because.length > 0 ? "replace" : changed.length > 0 ? "update" : "same", changed, because, deleteFirst };
    }
}

/** Cloudflare's ranges as the repo has them, as getIpRanges would answer, with extra ones if a test gives them. */
export function cloudflareRangeList(extra: readonly string[] = []): CloudflareRangeList {
    return {
        ipv4Cidrs: [...cloudflareRanges.filter((range) => !range.includes(":")), ...extra],
        ipv6Cidrs: cloudflareRanges.filter((range) => range.includes(":")),
    };
}
