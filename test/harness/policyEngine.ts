// The engine's side of the policy pack: each resource goes to @pulumi/policy's own entry points,
// analyze, remediate and analyzeStack (its server.js, what `pulumi preview --policy-pack` reaches
// over gRPC), serialized as the engine sends it: the wire form of its inputs (secrets wrapped),
// its options, its property dependencies. So the policies meet the site exactly as a preview
// hands it to them, secrets and all. server.js has no typings (its exports are internal); the
// shapes used here are declared below.
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import type { Policy } from "@pulumi/policy";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { Declared } from "./evaluate";

type Callback<T> = (error: Error | null | undefined, response: T | undefined) => void;
type Rpc<Req, Res> = (call: { request: Req }, callback: Callback<Res>) => void;
type Factory<Req, Res> = (packName: string, packVersion: string, enforcementLevel: string, policies: Policy[]) => Rpc<Req, Res>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun: Factory<analyzerproto.AnalyzeRequest, analyzerproto.AnalyzeResponse>;
    makeRemediateRpcFun: Factory<analyzerproto.AnalyzeRequest, analyzerproto.RemediateResponse>;
    makeAnalyzeStackRpcFun: Factory<analyzerproto.AnalyzeStackRequest, analyzerproto.AnalyzeResponse>;
};

/** A resource as the engine describes it to a policy pack; a test may change its props or options. */
export type Sent = Pick<Declared, "type" | "name" | "urn" | "wire" | "propertyDependencies"> & {
    readonly opts: Pick<Declared["opts"], "protect">;
};

function call<Req, Res>(rpc: Rpc<Req, Res>, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => rpc({ request }, (error, response) => (error ? reject(error) : resolve(response!))));
}

/** What the engine says of every resource, in an analyze request or a stack's resource list alike. */
function described<M extends analyzerproto.AnalyzeRequest | analyzerproto.AnalyzerResource>(message: M, resource: Sent): M {
    message.setType(resource.type);
    message.setName(resource.name);
    message.setUrn(resource.urn);
    message.setProperties(Struct.fromJavaScript(resource.wire as Record<string, never>));
    message.setOptions(new analyzerproto.AnalyzerResourceOptions().setProtect(resource.opts.protect));
    return message;
}

const pack = (policies: Policy[]) => ["site", "0.0.1", "mandatory", policies] as const;

/** What resource validation reports for one resource. */
export async function analyze(policies: Policy[], resource: Sent): Promise<string[]> {
    const response = await call(server.makeAnalyzeRpcFun(...pack(policies)), described(new analyzerproto.AnalyzeRequest(), resource));
    return response.getDiagnosticsList().map((d) => d.getMessage());
}

/** What remediation reports for one resource: its diagnostics, or the error that fails the plan. */
export async function remediate(policies: Policy[], resource: Sent): Promise<string[]> {
    try {
        const response = await call(server.makeRemediateRpcFun(...pack(policies)), described(new analyzerproto.AnalyzeRequest(), resource));
        return response.getRemediationsList().flatMap((r) => r.getDiagnostic() || []);
    } catch (error) {
        return [(error as Error).message];
    }
}

/** What stack validation reports for a set of resources. */
export async function analyzeStack(policies: Policy[], resources: readonly Sent[]): Promise<string[]> {
    const request = new analyzerproto.AnalyzeStackRequest().setResourcesList(
        resources.map((resource) => {
            const sent = described(new analyzerproto.AnalyzerResource(), resource);
            for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
                sent.getPropertydependenciesMap().set(key, new analyzerproto.AnalyzerPropertyDependencies().setUrnsList([...urns]));
            }
            return sent;
        }),
    );
    const response = await call(server.makeAnalyzeStackRpcFun(...pack(policies)), request);
    return response.getDiagnosticsList().map((d) => d.getMessage());
}
