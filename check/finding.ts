// What the preflight (`npm run check`) reports: each finding says what is wrong, why it matters
// and the exact command that fixes it. A blocker makes the check exit non-zero.
export type Severity = "blocker" | "warning" | "info";

export interface Finding {
    readonly severity: Severity;
    /** The config key, token or check the finding is about, e.g. `site:adminCidrs`. */
    readonly subject: string;
    readonly what: string;
    readonly why: string;
    /** The exact command (or edit) that fixes it; empty for an info line. */
    readonly fix: string;
}

/** One finding as the terminal shows it: severity and subject, then what, why and the fix. */
export function formatFinding(finding: Finding): string {
    const lines = [`${finding.severity.toUpperCase()} ${finding.subject}: ${finding.what}`, `  why: ${finding.why}`];
    if (finding.fix) lines.push(`  fix: ${finding.fix}`);
    return lines.join("\n");
}

/** A config problem (`key: what; fix: command`, as ConfigError lists them) as a blocker. */
export function blockerFromProblem(problem: string, why: string): Finding {
    const [subject, rest = ""] = problem.split(/: (.*)/s);
    const [what, fix = ""] = rest.split("; fix: ");
    return { severity: "blocker", subject, what, why, fix };
}
