// Evaluates the whole program under mocks in a fresh module registry, with the prod config
// changed as a test needs, and returns every resource with its inputs resolved: two evaluations
// compared show what a `pulumi up` would change.
import type * as pulumiType from "@pulumi/pulumi";

export interface EvaluatedResource {
    readonly type: string;
    readonly name: string;
    /** Inputs with every Output resolved, as JSON: equal strings mean an unchanged resource. */
    readonly inputs: string;
    readonly plain: Record<string, unknown>;
    readonly opts: pulumiType.CustomResourceOptions;
    readonly dependsOn: string[];
}

export interface Evaluation {
    readonly resources: Map<string, EvaluatedResource>;
    readonly outputs: Record<string, unknown>;
    readonly warnings: string[];
}

export interface EvaluateOptions {
    /** The stack whose Pulumi.<stack>.yaml is evaluated; prod unless given. */
    readonly stack?: string;
    /** A Cloudflare range the live list has beyond ours. */
    readonly extraLiveRange?: string;
    /** Stands in for the themes folder's content hash. */
    readonly themesFingerprint?: string;
}

// Every evaluation loads a fresh Pulumi runtime, and each adds a process exit listener.
process.setMaxListeners(100);

export async function evaluate(
    change: (values: Record<string, unknown>) => void = () => undefined,
    options: EvaluateOptions = {},
): Promise<Evaluation> {
    let result: Evaluation | undefined;
    await jest.isolateModulesAsync(async () => {
        if (options.themesFingerprint) {
            jest.doMock("../config/themes", () => ({
                ...jest.requireActual("../config/themes"),
                themesFingerprint: () => options.themesFingerprint,
            }));
        }
        const pulumi: typeof pulumiType = await import("@pulumi/pulumi");
        const { liveCloudflareRanges, promiseOf, recorded, runWithMocks } = await import("./mocks");
        const { setStackConfig } = await import("./stackConfig");
        const warnings: string[] = [];
        jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => void warnings.push(message));
        if (options.extraLiveRange) liveCloudflareRanges.ipv4Cidrs = [...liveCloudflareRanges.ipv4Cidrs, options.extraLiveRange];
        const stack = options.stack ?? "prod";
        setStackConfig(stack, change);
        const program = await runWithMocks(() => import("../index"), stack);
        const names = new Map(recorded.map((r) => [r.resource, `${r.type}::${r.name}`]));
        const resources = new Map<string, EvaluatedResource>();
        for (const r of recorded) {
            const plain = (await promiseOf(pulumi.output(r.inputs as pulumiType.Inputs))) as Record<string, unknown>;
            const dependsOn = ([] as unknown[]).concat(r.opts.dependsOn ?? []).map((d) => names.get(d as pulumiType.Resource) ?? "?");
            resources.set(`${r.type}::${r.name}`, {
                type: r.type,
                name: r.name,
                inputs: JSON.stringify(plain),
                plain,
                opts: r.opts,
                dependsOn,
            });
        }
        const outputs: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(program))
            outputs[key] = await promiseOf(pulumi.output(value as pulumiType.Input<unknown>));
        result = { resources, outputs, warnings };
    });
    // Mock factories outlive the isolated registry: leave none behind for the next evaluation.
    if (options.themesFingerprint) jest.dontMock("../config/themes");
    return result!;
}

/** Resources a second evaluation adds, removes, or gives other inputs: what `pulumi up` would touch. */
export function changedBetween(before: Evaluation, after: Evaluation): string[] {
    const keys = new Set([...before.resources.keys(), ...after.resources.keys()]);
    return [...keys].filter((key) => before.resources.get(key)?.inputs !== after.resources.get(key)?.inputs).sort();
}
