// What every online check shares: the inputs with their defaults filled in, the info line, an
// error on one line, and the blocker for a token that is not given.
import { SecretName, secretSources } from "../../config/schema";
import type { Finding } from "../finding";
import type { OnlineInputs } from "./index";

export interface Context extends Required<Omit<OnlineInputs, "smtpCa">> {
    smtpCa?: string;
}

export const info = (subject: string, what: string, why: string): Finding => ({ severity: "info", subject, what, why, fix: "" });
/** An error on one line, with the cause fetch hides behind "fetch failed". */
export const message = (error: unknown): string => {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const own = oneLine(error instanceof Error ? error.message : String(error));
    return cause?.message ? `${own} (${oneLine(cause.code ?? cause.message)})` : own;
};
export const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

/** One blocker for a token that is not given: its config key, its variable, and that its checks are skipped. */
export function missingToken(name: SecretName, usedFor: string): Finding {
    const { key, env } = secretSources[name];
    return {
        severity: "blocker",
        subject: key,
        what: `the token is not set${env ? ` (neither ${key} nor ${env})` : ""}, so its online checks were skipped`,
        why: `${usedFor}; without it \`pulumi up\` fails`,
        fix: `pulumi config set --secret ${key} <token>${env ? ` (or export ${env}=<token>)` : ""}`,
    };
}
