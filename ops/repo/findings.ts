/**
 * A problem found in a repository's own files: where (file relative to the repository, 1-based
 * line), what is wrong and how to fix it. `repo check` prints them as `file:line: message — fix`.
 */
export interface Finding {
    /** Short id of the check that found it (e.g. `addons-path-unmounted`). */
    rule: string;
    file: string;
    line: number;
    message: string;
    fix: string;
    /** Errors fail `repo check`; warnings are printed and do not. */
    severity: "error" | "warning";
}

export const finding = (rule: string, file: string, line: number, message: string, fix: string, severity: Finding["severity"] = "error"): Finding => ({
    rule,
    file,
    line: Math.max(1, line),
    message,
    fix,
    severity,
});

export const formatFinding = (f: Finding): string => `${f.file}:${f.line}: ${f.severity === "warning" ? "warning: " : ""}${f.message} — ${f.fix} [${f.rule}]`;

/** Stable order: by file, then line, then rule. */
export const sortFindings = (findings: Finding[]): Finding[] =>
    [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));

/** An input file that cannot be read or parsed at all: `repo check` exits 2 on it. */
export class UnreadableInputError extends Error {
    constructor(
        readonly file: string,
        readonly line: number,
        reason: string,
    ) {
        super(`${file}:${line}: ${reason}`);
        this.name = "UnreadableInputError";
    }
}
