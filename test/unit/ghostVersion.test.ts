// The real Ghost the tests run is the Ghost the site deploys: the same version as every stack's
// `site:ghostImage` tag, and the one .ci/run installs.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseSettings } from "../../config/schema";
import { readStackFiles } from "../../config/stackFiles";
import { repoRoot } from "../harness/fixtures";

const tested = readFileSync(join(repoRoot, "test/sandbox/ghost/version"), "utf8").trim();
const stacks = readdirSync(repoRoot).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);

it.each(stacks)("the %s stack deploys the Ghost version the tests run", (stack) => {
    const image = parseSettings(readStackFiles(stack, repoRoot).values).ghostImage;
    expect(image.split(":").pop()!.split("@")[0]).toBe(tested);
});

it("is the version CI installs", () => {
    expect(readFileSync(join(repoRoot, ".ci/run"), "utf8")).toContain('fetch-ghost.sh "$(cat test/sandbox/ghost/version)"');
});
