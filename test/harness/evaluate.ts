// Evaluates the whole program under Pulumi's mocks, as `pulumi preview` would run it for a stack,
// and describes every resource the way the engine receives it: its URN and the older URNs its
// aliases answer to, its inputs on the wire (secrets marked), which resources each input came
// from, its options and its dependencies. Every test of the program goes through here.
//
// Each evaluation loads a fresh module registry (a fresh Pulumi runtime, a fresh program), so one
// test file can compare evaluations: two of them show what a `pulumi up` would change. What a test
// changes (the stack's config, secrets, environment variables) lasts for that evaluation only.
import type * as pulumiType from "@pulumi/pulumi";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SecretName } from "../../config/schema";
import type { Registration, ReplaceOptions } from "./mockEngine";

/** One resource as the engine receives it. */
export interface Declared {
    readonly type: string;
    readonly name: string;
    /** The URN the engine gives it. */
    readonly urn: string;
    /** Older URNs it answers to: its own aliases and those it inherits from its parents. */
    readonly aliases: readonly string[];
    /** The parent's URN; undefined for a child of the stack. */
    readonly parent?: string;
    readonly custom: boolean;
    /** The id the mock provider gave it (undefined for a component). */
    readonly id?: string;
    /** Inputs with every Output resolved and secrets unwrapped. */
    readonly inputs: Record<string, unknown>;
    /** Inputs as serialized for the engine, secrets wrapped in Pulumi's secret signature. */
    readonly wire: Record<string, unknown>;
    /** Input keys whose value holds a secret, anywhere inside it. */
    readonly secretInputs: readonly string[];
    /** For each input key, the URNs of the resources its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    /** URNs of `dependsOn`, as written (components included). */
    readonly dependsOn: readonly string[];
    /** The provider reference sent with a custom resource (`urn::id`). */
    readonly provider?: string;
    readonly opts: {
        readonly protect: boolean;
        readonly retainOnDelete: boolean;
        readonly deleteBeforeReplace: boolean;
        readonly ignoreChanges: readonly string[];
        /** URNs of the resources whose replacement replaces this one. */
        readonly replaceWith: readonly string[];
    };
}

export class Evaluation {
    constructor(
        readonly stack: string,
        readonly resources: readonly Declared[],
        /** Stack outputs, resolved. */
        readonly outputs: Readonly<Record<string, unknown>>,
        /** Names of the stack outputs that are secrets. */
        readonly secretOutputs: readonly string[],
        /** What the program logged with pulumi.log.warn. */
        readonly warnings: readonly string[],
        /** What the engine received, in the order it did, with what it did (the stack's state after). */
        readonly registrations: readonly Registration[],
    ) {}

    /** Every resource of a type. */
    all(type: string): Declared[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of a type (with that name); throws unless there is exactly one. */
    one(type: string, name?: string): Declared {
        const found = this.all(type).filter((r) => name === undefined || r.name === name);
        if (found.length !== 1) throw new Error(`expected one ${type} ${name ?? ""}, found ${found.length}`);
        return found[0];
    }

    get(urn: string): Declared {
        const found = this.resources.find((r) => r.urn === urn);
        if (!found) throw new Error(`no resource ${urn}`);
        return found;
    }

    /** A resource's custom descendants, or itself for a custom resource: what depending on it waits for. */
    customResourcesOf(urn: string): string[] {
        const resource = this.get(urn);
        if (resource.custom) return [urn];
        return this.resources.filter((r) => r.parent === urn).flatMap((child) => this.customResourcesOf(child.urn));
    }
}

/** The program threw before it finished; `registered` is what had reached the engine by then. */
export class ProgramFailed extends Error {
    constructor(
        readonly cause: unknown,
        readonly registered: readonly Registration[],
    ) {
        super(cause instanceof Error ? cause.message : String(cause));
        this.name = "ProgramFailed";
    }
}

export interface EvaluateOptions {
    /** The stack whose Pulumi.<stack>.yaml is evaluated; prod unless given. */
    readonly stack?: string;
    /** Changes the stack's plain config values before the program sees them. */
    readonly change?: (values: Record<string, unknown>) => void;
    /** The secrets set in config; every one, with test values, unless given. */
    readonly secrets?: Partial<Record<SecretName, string>>;
    /** Entries of site:appSecrets (secret), for the declared apps; none unless given. */
    readonly appSecrets?: Readonly<Record<string, string>>;
    /** Environment variables during the evaluation; provider tokens are unset unless given here. */
    readonly env?: Readonly<Record<string, string | undefined>>;
    /** A Cloudflare range the live list has beyond ours. */
    readonly extraLiveRange?: string;
    /** Stands in for the themes folder's content hash. */
    readonly themesFingerprint?: string;
    /** The stack's state: a previous evaluation, which this one is a `pulumi up` of (see ./planEngine.ts). */
    readonly previous?: Evaluation;
}

// Every evaluation loads a fresh Pulumi runtime, and each adds a process exit listener.
process.setMaxListeners(100);

/**
 * The program writes the deploy key for the system ssh (components/dockerEndpoint.ts): under
 * test, into a temporary folder of this process, never into the checkout. One folder per stack
 * for the whole process, because its path is part of the docker provider's inputs: evaluations
 * compared must see the same path.
 */
let sshFiles: string | undefined;
function sshFilesRoot(): string {
    if (!sshFiles) {
        const folder = mkdtempSync(join(tmpdir(), "site-ssh-"));
        process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
        sshFiles = folder;
    }
    return sshFiles;
}

export async function evaluate(options: EvaluateOptions = {}): Promise<Evaluation> {
    const env = {
        DIGITALOCEAN_TOKEN: undefined,
        CLOUDFLARE_API_TOKEN: undefined,
        SITE_SSH_DIR: join(sshFilesRoot(), options.stack ?? "prod"),
        ...options.env,
    };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    setEnv(env);
    try {
        let result: Evaluation | undefined;
        await jest.isolateModulesAsync(async () => {
            if (options.themesFingerprint) {
                jest.doMock("../../config/themes", () => ({
                    ...jest.requireActual<object>("../../config/themes"),
                    themesFingerprint: () => options.themesFingerprint,
                }));
            }
            result = await evaluateInThisRegistry(options);
        });
        return result!;
    } finally {
        // Mock factories outlive the isolated registry: leave none behind for the next evaluation.
        if (options.themesFingerprint) jest.dontMock("../../config/themes");
        setEnv(saved);
    }
}

function setEnv(values: Readonly<Record<string, string | undefined>>): void {
    for (const [key, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
}

/** Evaluates a program that must fail; resolves with how it failed. */
export async function evaluateFailing(options: EvaluateOptions): Promise<ProgramFailed> {
    const outcome = await evaluate(options).catch((error: unknown) => error);
    if (outcome instanceof ProgramFailed) return outcome;
    throw new Error(`expected the program to fail, but it ${outcome instanceof Evaluation ? "ran" : `threw ${String(outcome)}`}`);
}

/**
 * Runs the program with the Pulumi runtime of the current module registry. Outside jest (the
 * benchmark) that is the process's one registry, good for one evaluation.
 */
export async function evaluateInThisRegistry(options: EvaluateOptions = {}): Promise<Evaluation> {
    const pulumi: typeof pulumiType = await import("@pulumi/pulumi");
    const { MockEngine, cloudflareRangeList } = await import("./mockEngine");
    const { setStackConfig } = await import("./stackConfig");
    const { testSecrets } = await import("./fixtures");
    const { project } = await import("../../config/schema");
    const stack = options.stack ?? "prod";

    const registered: pulumiType.ResourceTransformationArgs[] = [];
    // The stack registers before the transformation that records the rest: it has no options.
    const optionsOf = (type: string, name: string): ReplaceOptions => {
        const opts = (registered.find((r) => r.type === type && r.name === name)?.opts ?? {}) as pulumiType.CustomResourceOptions;
        return {
            ignoreChanges: opts.ignoreChanges ?? [],
            replaceOnChanges: opts.replaceOnChanges ?? [],
            replaceWith: (opts.replaceWith ?? []).map((resource) => {
                const other = registered.find((r) => r.resource === resource)!;
                return `${other.type}::${other.name}`;
            }),
        };
    };
    const engine = new MockEngine(
        cloudflareRangeList(options.extraLiveRange ? [options.extraLiveRange] : []),
        options.previous?.registrations ?? [],
        optionsOf,
    );
    await pulumi.runtime.setMocks(engine, project, stack, false);
    setStackConfig(stack, options.change, options.secrets ?? testSecrets, options.appSecrets);
    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = (message: string) => {
        warnings.push(message);
        return Promise.resolve();
    };

    let program: Record<string, unknown> = {};
    let failure: unknown;
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation((args) => {
                registered.push(args);
                return undefined;
            });
            try {
                program = await runProgram();
            } catch (error) {
                // Thrown out of the stack's initialization, it would escape as an unhandled rejection.
                failure = error;
            }
            return program;
        });
    } finally {
        pulumi.log.warn = warn;
    }
    if (failure !== undefined) throw new ProgramFailed(failure, engine.registrations);

    const describe = new Describer(pulumi, project, stack, engine.registrations);
    const resources: Declared[] = [];
    for (const args of registered) resources.push(await describe.resource(args));
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [key, value] of Object.entries(program)) {
        const output = pulumi.output(value);
        outputs[key] = await promiseOf(output);
        if (await pulumi.isSecret(output)) secretOutputs.push(key);
    }
    return new Evaluation(stack, resources, outputs, secretOutputs, warnings, engine.registrations);
}

/**
 * Runs the program and resolves with its stack outputs, taking them as Pulumi's language host
 * takes a CommonJS program's (runProgram in @pulumi/pulumi's cmd/run/run.ts): require() it, call
 * what it exports if that is a function, await the result. Not import(): that hands a CommonJS
 * module over through the loader's own interop (`export =` under `default` beside whatever names
 * the loader detects), so what the harness got would depend on what runs it, jest or tsx.
 */
async function runProgram(): Promise<Record<string, unknown>> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- as the engine loads the program, see above
    const exported: unknown = require("../../index");
    const outputs: unknown = await (typeof exported === "function" ? (exported as () => unknown)() : exported);
    return (outputs ?? {}) as Record<string, unknown>;
}

export function promiseOf<T>(output: pulumiType.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

const secretSignature = { key: "4dabf18193072939515e22adb298388d", secret: "1b47061264138c4ac30d75fd1eb44270" };

const isSecretValue = (value: unknown): value is { value: unknown } =>
    typeof value === "object" && value !== null && (value as Record<string, unknown>)[secretSignature.key] === secretSignature.secret;

/** The wire value with every secret wrapper replaced by what it wraps. */
function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null)
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    return value;
}

const holdsSecret = (value: unknown): boolean =>
    isSecretValue(value) || (typeof value === "object" && value !== null && Object.values(value).some(holdsSecret));

/** Turns the runtime's view of each registered resource into the engine's. */
class Describer {
    private readonly known = new Map<pulumiType.Resource, { urn: string; qualifiedType: string; name: string; aliases: string[] }>();

    constructor(
        private readonly pulumi: typeof pulumiType,
        private readonly project: string,
        private readonly stack: string,
        private readonly registrations: readonly Registration[],
    ) {}

    async resource(args: pulumiType.ResourceTransformationArgs): Promise<Declared> {
        const { pulumi } = this;
        const parent = args.opts.parent ? this.known.get(args.opts.parent) : undefined;
        // The engine qualifies a type with its ancestors' types, leaving out the root stack's
        // (createUrn in @pulumi/pulumi's resource.ts; NewURN in the engine).
        const qualifiedType = parent ? `${parent.qualifiedType}$${args.type}` : args.type;
        const urn = `urn:pulumi:${this.stack}::${this.project}::${qualifiedType}::${args.name}`;
        const aliases = await this.aliasesOf(args, parent);
        this.known.set(args.resource, { urn, qualifiedType, name: args.name, aliases });

        const [wire, propertyResources] = await pulumi.runtime.serializeResourceProperties(`${args.type}::${args.name}`, args.props);
        const propertyDependencies = Object.fromEntries(
            [...propertyResources].map(([key, resources]) => [key, [...resources].flatMap((r) => this.known.get(r)?.urn ?? [])]),
        );
        const registration = this.registrations.find((r) => r.type === args.type && r.name === args.name);
        const custom = pulumi.CustomResource.isInstance(args.resource) || pulumi.ProviderResource.isInstance(args.resource);
        const opts = args.opts as pulumiType.CustomResourceOptions;
        return {
            type: args.type,
            name: args.name,
            urn,
            aliases,
            parent: parent?.urn,
            custom,
            id: custom ? registration?.id : undefined,
            inputs: unwrapSecrets(wire) as Record<string, unknown>,
            wire,
            secretInputs: Object.keys(wire).filter((key) => holdsSecret(wire[key])),
            propertyDependencies,
            dependsOn: (await this.resources(opts.dependsOn)).map((r) => this.known.get(r)?.urn ?? "(unknown)"),
            provider: registration?.provider,
            opts: {
                protect: opts.protect === true,
                retainOnDelete: opts.retainOnDelete === true,
                deleteBeforeReplace: opts.deleteBeforeReplace === true,
                ignoreChanges: opts.ignoreChanges ?? [],
                replaceWith: (opts.replaceWith ?? []).map((r) => this.known.get(r)?.urn ?? "(unknown)"),
            },
        };
    }

    /** Flattens a dependsOn value (a resource, an array, a promise or an output of them). */
    private async resources(value: unknown): Promise<pulumiType.Resource[]> {
        if (value === undefined || value === null) return [];
        if (Array.isArray(value)) return (await Promise.all(value.map((v) => this.resources(v)))).flat();
        if (this.pulumi.Resource.isInstance(value)) return [value];
        if (this.pulumi.Output.isInstance(value)) return this.resources(await promiseOf(value));
        if (value instanceof Promise) return this.resources(await value);
        throw new Error(`dependsOn holds something that is not a resource: ${JSON.stringify(value)}`);
    }

    /**
     * The URNs a resource answers to besides its own, as the engine works them out from the alias
     * specs the SDK sends (mocks support them): each alias of its own, collapsed with its name, type
     * and parent as defaults, and, for each URN its parent answers to, the same name and type (and
     * each own alias) under that parent, a name that starts with the parent's name taking the
     * parent alias's name instead (allAliases and inheritedChildAlias in @pulumi/pulumi's
     * resource.ts, which SDKs used before alias specs).
     */
    private async aliasesOf(
        args: pulumiType.ResourceTransformationArgs,
        parent: { urn: string; name: string; aliases: string[] } | undefined,
    ): Promise<string[]> {
        const own: string[] = [];
        for (const given of args.opts.aliases ?? []) {
            const alias = this.pulumi.Output.isInstance(given) ? await promiseOf(given) : await given;
            if (typeof alias === "string") {
                own.push(alias);
                continue;
            }
            // An alias names what changed; the rest defaults to the resource's own (collapseAliasToUrn).
            const aliasParent = "parent" in alias ? (alias.parent === undefined ? undefined : await this.urnOf(alias.parent)) : parent?.urn;
            own.push(this.urn(await this.text(alias.name, args.name), await this.text(alias.type, args.type), aliasParent));
        }
        const urns = [...own];
        for (const parentAlias of parent?.aliases ?? []) {
            const parentAliasName = nameOf(parentAlias);
            const renamed = (name: string) => (name.startsWith(parent!.name) ? parentAliasName + name.slice(parent!.name.length) : name);
            urns.push(this.urn(renamed(args.name), args.type, parentAlias));
            for (const alias of own) urns.push(this.urn(renamed(nameOf(alias)), typeOf(alias), parentAlias));
        }
        return [...new Set(urns)];
    }

    private async urnOf(parent: pulumiType.Resource | pulumiType.Input<string>): Promise<string> {
        if (this.pulumi.Resource.isInstance(parent)) return this.known.get(parent)!.urn;
        return promiseOf(this.pulumi.output(parent));
    }

    private async text(value: pulumiType.Input<string> | undefined, fallback: string): Promise<string> {
        return value === undefined ? fallback : promiseOf(this.pulumi.output(value));
    }

    /** A URN under a given parent URN (or the stack), as the SDK's createUrn builds it. */
    private urn(name: string, type: string, parentUrn: string | undefined): string {
        const prefix = parentUrn ? `${parentUrn.split("::")[2]}$` : "";
        return `urn:pulumi:${this.stack}::${this.project}::${prefix}${type}::${name}`;
    }
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;
