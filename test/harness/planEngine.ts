// What `pulumi up` (or `pulumi destroy`) would do to a stack, step by step, as the engine orders it:
// the plan that Pulumi's mocks cannot show, because they keep ids fixed and know nothing of order.
// The mock engine (./mockEngine.ts) decides each resource's fate against the previous evaluation
// (the state) and gives a replaced resource a new id; this orders the steps the way the engine's
// step generator does (pkg/resource/deploy/step_generator.go), in the order resources register,
// which the program's data flow and dependsOn make topological:
// - create, update and same in registration order;
// - a replacement creates the new resource first and deletes the old one after every other step
//   (create before delete), unless it or its provider says delete first: then, at its step, the
//   resources that depend on it and must be replaced with it are deleted first, dependents first
//   (calculateDependentReplacements: those with a replace-forcing input that comes from a resource
//   being replaced), then it, then its replacement is created;
// - resources gone from the program, and the old halves of create-before-delete replacements, are
//   deleted at the end, dependents first; `retainOnDelete` ones are only forgotten;
// - `protect` refuses: a replacement when the program and the state both protect the resource
//   (unprotecting and replacing in one update is allowed), a delete when the state protects it
//   (DeleteStep), a delete-first dependent when the state protects it.
import type { Declared, EvaluateOptions, Evaluation } from "./evaluate";
import { evaluate } from "./evaluate";
import { replacementOf } from "./resourceTypes";

export type StepOp = "create" | "update" | "create-replacement" | "delete-replaced" | "delete" | "forget";

export interface Step {
    readonly op: StepOp;
    readonly type: string;
    readonly name: string;
    /** The id the step creates, updates or deletes. */
    readonly id: string;
    /** Why, and what a command's delete runs where. */
    readonly detail: string;
}

export class Plan {
    constructor(
        readonly steps: readonly Step[],
        /** What the engine refuses; a plan with refusals changes nothing. */
        readonly refused: readonly string[],
        /** The program as it registered in this update (empty for a destroy). */
        readonly next?: Evaluation,
    ) {}

    /** Position of a step in the plan; throws when there is none. */
    at(op: StepOp, name: string): number {
        const index = this.steps.findIndex((s) => s.op === op && s.name === name);
        if (index < 0) throw new Error(`the plan has no ${op} of ${name}:\n${this.print()}`);
        return index;
    }

    has(op: StepOp, name: string): boolean {
        return this.steps.some((s) => s.op === op && s.name === name);
    }

    /** Names of the resources a step of one of these kinds touches. */
    touched(...ops: StepOp[]): string[] {
        return [...new Set(this.steps.filter((s) => ops.includes(s.op)).map((s) => s.name))].sort();
    }

    /** The plan as a person reads it: a numbered step a line, refusals first. */
    print(): string {
        const width = Math.max(0, ...this.steps.map((s) => s.op.length));
        return [
            ...this.refused.map((r) => `refused: ${r}`),
            ...this.steps.map(
                (s, i) =>
                    `${String(i + 1).padStart(2)}. ${s.op.padEnd(width)}  ${s.name} (${s.type.split(":").pop()})${s.detail ? `: ${s.detail}` : ""}`,
            ),
        ].join("\n");
    }
}

export interface PlanOptions extends EvaluateOptions {
    /** URNs `pulumi state unprotect` was run on before the update. */
    readonly unprotected?: readonly string[];
}

/** `pulumi up` of the program, with `options`, on a stack whose state is `state`. */
export async function planUpdate(state: Evaluation, options: PlanOptions = {}): Promise<Plan> {
    const next = await evaluate({ stack: state.stack, ...options, previous: state });
    const unprotected = new Set(options.unprotected ?? []);
    const protectedInState = (r: Declared) => r.opts.protect && !unprotected.has(r.urn);
    const oldFor = (r: Declared) => state.resources.find((old) => old.urn === r.urn || r.aliases.includes(old.urn));
    const steps: Step[] = [];
    const refused: string[] = [];
    const deleted = new Set<string>();
    const deleteLater: Declared[] = [];
    const matched = new Set<string>();

    for (const registration of next.registrations) {
        const resource = next.resources.find((r) => r.type === registration.type && r.name === registration.name);
        if (!resource) continue; // the stack
        const old = oldFor(resource);
        if (old) matched.add(old.urn);
        const { op, changed, because, deleteFirst } = registration.change;
        const step = (kind: StepOp, detail: string): Step => ({
            op: kind,
            type: resource.type,
            name: resource.name,
            id: registration.id,
            detail,
        });
        if (!old || (op === "create" && !registration.custom)) {
            if (!old) steps.push(step("create", ""));
            continue;
        }
        if (op === "update") steps.push(step("update", changed.join(", ")));
        if (op !== "replace") continue;
        if (resource.opts.protect && protectedInState(old)) {
            refused.push(`unable to replace ${old.urn}: it is protected (${because.join(", ")} changed)`);
            continue;
        }
        const first = resource.opts.deleteBeforeReplace || deleteFirst;
        if (!first) {
            steps.push(step("create-replacement", `${because.join(", ")}; create before delete`));
            deleteLater.push(old);
            continue;
        }
        if (!deleted.has(old.urn)) {
            for (const dependent of dependentsReplacedWith(state, old).reverse()) {
                if (deleted.has(dependent.urn)) continue;
                if (protectedInState(dependent))
                    refused.push(`unable to replace ${dependent.urn} as part of replacing ${old.urn}: it is protected`);
                steps.push(deletion(dependent, "delete-replaced", `before ${old.name} is deleted, which it depends on`));
                deleted.add(dependent.urn);
            }
            steps.push(deletion(old, "delete-replaced", `${because.join(", ")}; delete before replace`));
            deleted.add(old.urn);
        }
        steps.push(step("create-replacement", because.join(", ")));
    }

    const gone = state.resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !matched.has(r.urn));
    for (const old of [...gone, ...deleteLater].sort((a, b) => state.resources.indexOf(b) - state.resources.indexOf(a))) {
        if (deleted.has(old.urn)) continue;
        const replaced = deleteLater.includes(old);
        if (!replaced && protectedInState(old)) refused.push(`unable to delete ${old.urn}: it is protected`);
        steps.push(
            deletion(
                old,
                replaced ? "delete-replaced" : "delete",
                replaced ? "the old one, after everything else" : "gone from the program",
            ),
        );
    }
    return new Plan(steps, refused, next);
}

/** `pulumi destroy` of a stack whose state is `state`: refused outright if anything is protected. */
export function planDestroy(state: Evaluation, unprotected: readonly string[] = []): Plan {
    const resources = state.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").reverse();
    const refused = resources
        .filter((r) => r.opts.protect && !unprotected.includes(r.urn))
        .map((r) => `unable to delete ${r.urn}: it is protected`);
    return new Plan(refused.length > 0 ? [] : resources.map((r) => deletion(r, "delete", "destroy")), refused);
}

/**
 * The resources the engine replaces, deleting them first, because `root` is replaced delete-first:
 * those with a replace-forcing input whose value comes from a resource in that set, which starts as
 * the root (or that name one in `replaceWith`). In state order, that is dependencies first.
 */
function dependentsReplacedWith(state: Evaluation, root: Declared): Declared[] {
    const replacing = new Set([root.urn]);
    const found: Declared[] = [];
    for (const candidate of state.resources.slice(state.resources.indexOf(root) + 1)) {
        if (!candidate.custom) continue;
        const forcedBy = Object.entries(candidate.propertyDependencies).filter(
            ([key, urns]) =>
                urns.some((urn) => replacing.has(urn)) && replacementOf(candidate.type, candidate.name, [key]).forcing.length > 0,
        );
        if (forcedBy.length > 0 || candidate.opts.replaceWith.some((urn) => replacing.has(urn))) {
            found.push(candidate);
            replacing.add(candidate.urn);
        }
    }
    return found;
}

/** A delete step; a remote command's delete says what it runs, and where. */
function deletion(old: Declared, op: "delete" | "delete-replaced", why: string): Step {
    const connection = old.inputs.connection as { host?: string } | undefined;
    const runs = typeof old.inputs.delete === "string" ? `; runs its delete on ${connection?.host}: ${scriptName(old.inputs.delete)}` : "";
    return {
        op: old.opts.retainOnDelete ? "forget" : op,
        type: old.type,
        name: old.name,
        id: old.id ?? "",
        detail: `${why}${runs}${old.opts.retainOnDelete ? "; kept in the account" : ""}`,
    };
}

/** The `NN-name` a rendered host script announces in its header. */
const scriptName = (command: string) => /# (\d\d-[a-z0-9-]+):/.exec(command)?.[1] ?? "a command";
