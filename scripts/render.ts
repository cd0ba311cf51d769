// npm run render -- --stack prod --out DIR
// Writes every file a stack puts on the droplet, from Pulumi.yaml + Pulumi.<stack>.yaml, so a
// change can be reviewed before `pulumi up`. Secrets appear as <secret:name> placeholders.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkSecrets, ConfigError, parseSettings } from "../config/schema";
import { readStackFiles } from "../config/stackFiles";
import { renderSiteFiles } from "../render/siteFiles";

function main(): number {
    const { values } = parseArgs({ options: { stack: { type: "string" }, out: { type: "string" } } });
    if (!values.stack || !values.out) {
        console.error("usage: npm run render -- --stack <name> --out <dir>");
        return 2;
    }
    const stackConfig = readStackFiles(values.stack, resolve(__dirname, ".."));
    const settings = parseSettings(stackConfig.values);
    // Missing secrets do not stop a review, but one written in plain text into the file does.
    checkSecrets((name) => (stackConfig.secrets[name] === "plaintext" ? "plaintext" : "set"));

    const out = resolve(values.out);
    rmSync(out, { recursive: true, force: true });
    const files = renderSiteFiles(settings);
    for (const [path, file] of Object.entries(files)) {
        const target = join(out, path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, file.content);
        chmodSync(target, file.mode);
    }
    console.log(`rendered ${Object.keys(files).length} files for stack ${values.stack} into ${out}`);
    return 0;
}

try {
    process.exitCode = main();
} catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
}
