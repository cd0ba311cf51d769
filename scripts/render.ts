// npm run render -- --stack prod --out DIR
// Writes every file a stack puts on the droplet, from Pulumi.yaml + Pulumi.<stack>.yaml, so a
// change can be reviewed before `pulumi up`. Secrets appear as <secret:name> placeholders.
// It deletes nothing it did not write: into DIR goes a manifest of what it wrote, and a later render
// into DIR removes only that; any other folder with content, the repository and `.git` are refused
// (./renderFolder.ts).
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkSecrets, ConfigError, parseSettings } from "../config/schema";
import { readStackFiles } from "../config/stackFiles";
import { renderSiteFiles } from "../render/siteFiles";
import { decideFolder, writeRender } from "./renderFolder";

const repoRoot = resolve(__dirname, "..");

function main(): number {
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
    if (!values.stack || !values.out) {
        console.error("usage: npm run render -- --stack <name> --out <dir>");
        return 2;
    }
    const stackConfig = readStackFiles(values.stack, repoRoot);
    const settings = parseSettings(stackConfig.values, Object.keys(stackConfig.appSecrets));
    // Missing secrets do not stop a review, but one written in plain text into the file does.
    checkSecrets((name) => (stackConfig.secrets[name] === "plaintext" ? "plaintext" : "set"), settings.target, stackConfig.appSecrets);

    const files = renderSiteFiles(settings);
    const folder = decideFolder(values.out, repoRoot, Object.keys(files));
    if (!folder.ok) {
        console.error(folder.reason);
        return 1;
    }
    writeRender(folder, values.stack, files);
    const replaced = folder.previous ? `, replacing the render of stack ${folder.previous.stack} there` : "";
    console.log(`rendered ${Object.keys(files).length} files for stack ${values.stack} into ${folder.out}${replaced}`);
    return 0;
}

try {
    process.exitCode = main();
} catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
}
