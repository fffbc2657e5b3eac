/** `odoo-platform db sanitize`: a thin shell over sanitizeDatabase. */
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { action, CommandResult, progress } from "../cli/runtime";
import { asUsage, collect, confirmOption, withClient } from "../db/options";
import { assertMayRewriteInPlace } from "../staging/targets";
import { normalizeDomain } from "../pii/patterns";
import { sanitizeDatabase, SanitizeReport } from "./sanitize";

interface SanitizeCliOptions {
    db?: string;
    seed?: string;
    strict?: boolean;
    keepCompanyNames: boolean;
    allowDomain?: string[];
    without?: string[];
    confirm?: string;
    json?: boolean;
}

/** Environment variable read when --seed is not given (keeps the seed out of the process list). */
export const seedEnv = "ODOO_PLATFORM_SANITIZE_SEED";

/**
 * The sanitize options every command that sanitizes shares (`db sanitize`, `snapshot create
 * --sanitize`, `staging refresh`), so they cannot drift apart. `scope` prefixes the help text.
 */
export function addSanitizeOptions(command: Command, scope = ""): Command {
    return command
        .option("--seed <seed>", `${scope}seed of the deterministic fake data (default: $${seedEnv}, else random); keep it secret: it unlocks the original amounts`)
        .option("--strict", `${scope}also scrub e-mail addresses and phone numbers from every text column of every table`)
        .option("--keep-company-names", `${scope}keep company names (default; people's names are always replaced)`, true)
        .option("--no-keep-company-names", `${scope}replace company names too`);
}

/**
 * The seed to use: --seed, else $ODOO_PLATFORM_SANITIZE_SEED, else a random one (the output is then
 * not repeatable, and a warning says so). There is deliberately no fixed default: a seed anyone can
 * read would let them divide the anonymized amounts back into the real ones.
 */
export function resolveSanitizeSeed(given: string | undefined, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
    const seed = given ?? process.env[seedEnv];
    if (seed) return seed;
    warn(`warning: no --seed and no $${seedEnv}: using a random seed, the output will not be repeatable`);
    return randomBytes(16).toString("hex");
}

/** A slow, salted fingerprint of a seed (ops/core/secrets.ts): checkable with the seed, never reversible by guessing cheaply. */
export { seedFingerprint } from "../core/secrets";

export function registerSanitizeCommand(db: Command): void {
    addSanitizeOptions(db.command("sanitize")
        .description("replace personal data with consistent fakes and anonymize amounts, in one transaction")
        .requiredOption("--db <url>", "PostgreSQL URL of the database to sanitize (postgresql://user@host:5432/db or ?host=/socket/dir)"))
        .option("--allow-domain <domain>", "domain whose addresses the scrub leaves alone (repeatable; example.com always)", collect)
        .option("--without <table.column>", "leave a column alone: neither its rule nor a declared rule touches it (repeatable; verify will name it)", collect)
        .addOption(confirmOption())
        .option("--json", "print the report as JSON")
        .action(action<SanitizeCliOptions>(async (opts) => {
            const allowDomains = asUsage(() => (opts.allowDomain ?? []).map(normalizeDomain));
            asUsage(() => {
                for (const w of opts.without ?? []) if (!/^[^.\s]+\.[^.\s]+$/.test(w)) throw new Error(`--without takes table.column (got "${w}")`);
            });
            const seed = opts.seed ?? process.env[seedEnv];
            const report = await withClient(opts.db, async (client) => {
                await assertMayRewriteInPlace(client, "db sanitize", opts.confirm);
                if (!seed) process.stderr.write(`warning: no --seed and no $${seedEnv}: using a random seed, the output will not be repeatable\n`);
                return sanitizeDatabase(client, {
                    seed, strict: opts.strict, keepCompanyNames: opts.keepCompanyNames, allowDomains: ["example.com", ...allowDomains], without: opts.without,
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
    const declared = report.rules.filter((r) => r.origin === "declared" && r.status === "applied");
    if (declared.length) lines.push(`  declared: ${declared.length} more columns named like personal data by Odoo's fields: ${declared.map((r) => `${r.table}.${r.column}`).join(", ")}`);
    for (const r of report.rules.filter((x) => x.status === "skipped" && x.origin !== "declared")) lines.push(`    skipped ${r.rule}: ${r.reason}`);
    const strict = report.scrubbed.filter((s) => s.why === "strict");
    if (strict.length) lines.push(`  strict scrub: ${strict.map((s) => `${s.table}.${s.column}`).join(", ")}`);
    const f = report.financial;
    lines.push(f.applied
        ? `  amounts: anonymized (${f.moves ?? "?"} moves; rounding on reconciled lines: ${f.roundingOnReconciledLines ?? 0})`
        : `  amounts: not anonymized (${f.reason})`);
    return lines.join("\n");
}
