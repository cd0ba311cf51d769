// Every resource a deployed stack has keeps its identity across a refactor. test/urns/<stack>.txt
// lists the URN of every resource of the prod, staging and local stacks; each must still be a
// resource's URN or one of its aliases (what the engine matches old state by), or `pulumi up` would
// delete it and create a new one, which for the droplet and the data volume means data lost.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluate, Evaluation } from "../harness/evaluate";
import { outsideSecrets, repoRoot } from "../harness/fixtures";

const listed = (stack: string) =>
    readFileSync(join(repoRoot, "test/urns", `${stack}.txt`), "utf8")
        .split("\n")
        .filter((line) => line.startsWith("urn:"));

describe.each(["prod", "staging", "local"])("the %s stack", (stack) => {
    let site: Evaluation;
    beforeAll(async () => {
        // As a newcomer's stack has them: the generated secrets are resources too.
        site = await evaluate({ stack, secrets: outsideSecrets });
    });

    it("still answers to every URN it had: unchanged, or through an alias", () => {
        const answered = new Set(site.resources.flatMap((r) => [r.urn, ...r.aliases]));
        expect(listed(stack).filter((urn) => !answered.has(urn))).toEqual([]);
    });

    it("lists every resource it declares now (add a new one's URN to the list, so it is kept from then on)", () => {
        const known = new Set(listed(stack));
        expect(
            site.resources
                .filter((r) => r.type !== "pulumi:pulumi:Stack")
                .map((r) => r.urn)
                .filter((urn) => !known.has(urn)),
        ).toEqual([]);
    });
});
