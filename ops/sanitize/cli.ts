/** `odoo-platform db sanitize`: a thin shell over sanitizeDatabase. */
import type { Command } from "commander";
import { action, CommandResult, progress } from "../cli/runtime";
import { asUsage, collect, withClient } from "../db/options";
import { normalizeDomain } from "../pii/patterns";
import { sanitizeDatabase, SanitizeReport } from "./sanitize";

interface SanitizeCliOptions {
    db?: string;
    seed?: string;
    strict?: boolean;
    keepCompanyNames: boolean;
    allowDomain?: string[];
    json?: boolean;
}

/** Environment variable read when --seed is not given (keeps the seed out of the process list). */
export const seedEnv = "ODOO_PLATFORM_SANITIZE_SEED";

export function registerSanitizeCommand(db: Command): void {
    db.command("sanitize")
        .description("replace personal data with consistent fakes and anonymize amounts, in one transaction")
        .requiredOption("--db <url>", "PostgreSQL URL of the database to sanitize (postgresql://user@host:5432/db or ?host=/socket/dir)")
        .option("--seed <seed>", `seed for deterministic output (default: $${seedEnv}, else random); keep it secret: it unlocks the original amounts`)
        .option("--strict", "also scrub e-mail addresses and phone numbers from every text column of every table")
        .option("--keep-company-names", "keep company names (default)", true)
        .option("--no-keep-company-names", "replace company names too")
        .option("--allow-domain <domain>", "domain whose addresses the scrub leaves alone (repeatable; example.com always)", collect)
        .option("--json", "print the report as JSON")
        .action(action<SanitizeCliOptions>(async (opts) => {
            const allowDomains = asUsage(() => (opts.allowDomain ?? []).map(normalizeDomain));
            const seed = opts.seed ?? process.env[seedEnv];
            const report = await withClient(opts.db, async (client) => {
                if (!seed) process.stderr.write(`warning: no --seed and no $${seedEnv}: using a random seed, the output will not be repeatable\n`);
                return sanitizeDatabase(client, {
                    seed, strict: opts.strict, keepCompanyNames: opts.keepCompanyNames, allowDomains: ["example.com", ...allowDomains],
                    progress: progress("sanitize"),
                });
            });
            return { exitCode: 0, report, text: sanitizeText(report) } satisfies CommandResult<SanitizeReport>;
        }));
}

export function sanitizeText(report: SanitizeReport): string {
    const lines = [`sanitize: done in ${report.seconds.toFixed(1)}s (${report.seed} seed${report.strict ? ", strict" : ""})`];
    for (const t of report.tables) lines.push(`  ${t.table.padEnd(32)} ${String(t.rows).padStart(9)} rows  ${t.columns.length} columns  ${t.seconds.toFixed(2)}s`);
    lines.push(`  rules: ${report.applied} applied, ${report.skipped} skipped (table or column not in this database)`);
    for (const r of report.rules.filter((x) => x.status === "skipped")) lines.push(`    skipped ${r.rule}: ${r.reason}`);
    const strict = report.scrubbed.filter((s) => s.why === "strict");
    if (strict.length) lines.push(`  strict scrub: ${strict.map((s) => `${s.table}.${s.column}`).join(", ")}`);
    const f = report.financial;
    lines.push(f.applied
        ? `  amounts: anonymized (${f.moves ?? "?"} moves; rounding on reconciled lines: ${f.roundingOnReconciledLines ?? 0})`
        : `  amounts: not anonymized (${f.reason})`);
    return lines.join("\n");
}
