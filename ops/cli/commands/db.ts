/**
 * `odoo-platform db sanitize | neutralize | verify`: the data safety of one database, each a thin
 * shell over its capability (ops/sanitize, ops/neutralize, ops/verify).
 */
import type { Command } from "commander";
import { InvalidInputError, OperationFailedError } from "../../core/errors";
import { assertWritableSecretFile, writeSecretFile } from "../../core/secrets";
import { neutralizeContextInput, neutralizeDatabase, NeutralizeReport } from "../../neutralize/neutralize";
import { odooBinNeutralizeCommand, odooImageNeutralizeCommand, OdooNeutralizeResult, runOdooNeutralize } from "../../neutralize/odooBin";
import { normalizeDomain } from "../../pii/patterns";
import { connect } from "../../postgres/connect";
import { sanitizeDatabase, SanitizeReport } from "../../sanitize/sanitize";
import { assertMayRewriteInPlace, recordVerified } from "../../generations/targets";
import { verifyDatabase, VerifyReport } from "../../verify/verify";
import {
    addSanitizeOptions,
    asUsage,
    collect,
    confirmOption,
    databasePassword,
    integerOption,
    jobsOption,
    odooDbOption,
    seedEnv,
    withClient,
} from "../options";
import { action, CommandResult, progress } from "../runtime";

export function register(program: Command): void {
    const db = program.command("db").description("data safety of a database: sanitize personal data, neutralize integrations, verify");
    registerSanitize(db);
    registerNeutralize(db);
    registerVerify(db);
}

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

function registerSanitize(db: Command): void {
    addSanitizeOptions(
        db
            .command("sanitize")
            .description("replace personal data with consistent fakes and anonymize amounts, in one transaction")
            .addOption(odooDbOption("the database to sanitize (postgresql://user@host:5432/db or ?host=/socket/dir)")),
    )
        .option("--allow-domain <domain>", "domain whose addresses the scrub leaves alone (repeatable; example.com always)", collect)
        .option("--without <table.column>", "leave a column alone: neither its rule nor a declared rule touches it (repeatable; verify will name it)", collect)
        .addOption(confirmOption())
        .option("--json", "print the report as JSON")
        .action(
            action<SanitizeCliOptions>(async (opts) => {
                const allowDomains = asUsage(() => (opts.allowDomain ?? []).map(normalizeDomain));
                asUsage(() => {
                    for (const w of opts.without ?? []) if (!/^[^.\s]+\.[^.\s]+$/.test(w)) throw new Error(`--without takes table.column (got "${w}")`);
                });
                const seed = opts.seed ?? process.env[seedEnv];
                const report = await withClient(opts.db, async (client) => {
                    await assertMayRewriteInPlace(client, "db sanitize", opts.confirm);
                    if (!seed) process.stderr.write(`warning: no --seed and no $${seedEnv}: using a random seed, the output will not be repeatable\n`);
                    return sanitizeDatabase(client, {
                        seed,
                        strict: opts.strict,
                        keepCompanyNames: opts.keepCompanyNames,
                        allowDomains: ["example.com", ...allowDomains],
                        without: opts.without,
                        progress: progress("sanitize"),
                    });
                });
                return { exitCode: 0, report, text: sanitizeText(report) } satisfies CommandResult<SanitizeReport>;
            }),
        );
}

export function sanitizeText(report: SanitizeReport): string {
    const lines = [`sanitize: done in ${report.seconds.toFixed(1)}s (${report.seed} seed${report.strict ? ", strict" : ""})`];
    for (const t of report.tables)
        lines.push(`  ${t.table.padEnd(32)} ${String(t.rows).padStart(9)} rows  ${t.columns.length} columns  ${t.seconds.toFixed(2)}s`);
    lines.push(`  rules: ${report.applied} applied, ${report.skipped} skipped (table or column not in this database)`);
    const declared = report.rules.filter((r) => r.origin === "declared" && r.status === "applied");
    if (declared.length)
        lines.push(
            `  declared: ${declared.length} more columns named like personal data by Odoo's fields: ${declared.map((r) => `${r.table}.${r.column}`).join(", ")}`,
        );
    for (const r of report.rules.filter((x) => x.status === "skipped" && x.origin !== "declared")) lines.push(`    skipped ${r.rule}: ${r.reason}`);
    const strict = report.scrubbed.filter((s) => s.why === "strict");
    if (strict.length) lines.push(`  strict scrub: ${strict.map((s) => `${s.table}.${s.column}`).join(", ")}`);
    const f = report.financial;
    lines.push(
        f.applied
            ? `  amounts: anonymized (${f.moves ?? "?"} moves; rounding on reconciled lines: ${f.roundingOnReconciledLines ?? 0})`
            : `  amounts: not anonymized (${f.reason})`,
    );
    return lines.join("\n");
}

interface NeutralizeCliOptions {
    db?: string;
    baseUrl?: string;
    mailHost?: string;
    mailPort?: string;
    odooBin?: string;
    odooImage?: string;
    dockerNetwork?: string;
    resetIdentity?: boolean;
    adminPasswordFile?: string;
    confirm?: string;
    json?: boolean;
}

export type NeutralizeCliReport = NeutralizeReport & { odooNeutralize?: OdooNeutralizeResult };

function registerNeutralize(db: Command): void {
    db.command("neutralize")
        .description("make a production copy safe: crons, mail, payments, integrations, keys, identity — in one transaction")
        .addOption(odooDbOption("the database to neutralize"))
        .requiredOption("--base-url <url>", "the environment's public URL (becomes web.base.url; its host becomes the mail domain)")
        .option("--mail-host <host>", "SMTP host of the environment's mail catcher (Mailpit); with --mail-port")
        .option("--mail-port <port>", "SMTP port of the mail catcher")
        .option("--odoo-bin <command>", "also run Odoo's own `neutralize` first with this odoo-bin (e.g. /opt/odoo/odoo-bin)")
        .option("--odoo-image <image>", "also run Odoo's own `neutralize` first in this Odoo image (docker run … odoo neutralize)")
        .option("--docker-network <name>", "Docker network for --odoo-image (where the database host resolves)")
        .option("--reset-identity", "renew passwords, database.uuid and database.secret even if neutralized before")
        .option("--admin-password-file <path>", "write the new admin password to this file (mode 600) instead of printing it")
        .addOption(confirmOption())
        .option("--json", "print the report as JSON (includes the new admin password: treat the output as a secret)")
        .action(
            action<NeutralizeCliOptions>(async (opts) => {
                const mailPort = integerOption("--mail-port", opts.mailPort);
                asUsage(() => neutralizeContextInput({ baseUrl: opts.baseUrl ?? "", mailHost: opts.mailHost, mailPort }));
                if (opts.odooBin && opts.odooImage) throw new InvalidInputError("give --odoo-bin or --odoo-image, not both");
                if (opts.adminPasswordFile) assertWritableSecretFile(opts.adminPasswordFile, "--admin-password-file");
                const report: NeutralizeCliReport = await withClient(opts.db, async (client, db) => {
                    await assertMayRewriteInPlace(client, "db neutralize", opts.confirm);
                    let odooNeutralize: OdooNeutralizeResult | undefined;
                    if (opts.odooBin || opts.odooImage) {
                        const password = databasePassword(db);
                        const command = asUsage(() =>
                            opts.odooImage
                                ? odooImageNeutralizeCommand({ image: opts.odooImage, db, password, network: opts.dockerNetwork })
                                : odooBinNeutralizeCommand({ command: opts.odooBin!, db, password }),
                        );
                        process.stderr.write(`neutralize: running Odoo's own neutralize: ${command.display}\n`);
                        odooNeutralize = await runOdooNeutralize(command);
                        if (odooNeutralize.exitCode !== 0) {
                            throw new OperationFailedError(
                                `Odoo's own neutralize failed (exit ${odooNeutralize.exitCode}); nothing else was changed. ` +
                                    `Check the image/odoo-bin and its addons path. Last output:\n${odooNeutralize.tail}`,
                            );
                        }
                    }
                    const result = await neutralizeDatabase(client, {
                        baseUrl: opts.baseUrl!,
                        mailHost: opts.mailHost,
                        mailPort,
                        resetIdentity: opts.resetIdentity,
                        progress: progress("neutralize"),
                    });
                    return { ...result, ...(odooNeutralize ? { odooNeutralize } : {}) };
                });
                if (opts.adminPasswordFile && report.admin.password) {
                    writeSecretFile(opts.adminPasswordFile, `${report.admin.password.reveal()}\n`);
                }
                return { exitCode: 0, report, text: neutralizeText(report, opts.adminPasswordFile) } satisfies CommandResult<NeutralizeCliReport>;
            }),
        );
}

export function neutralizeText(report: NeutralizeCliReport, passwordFile?: string): string {
    const lines = [`neutralize: done in ${report.seconds.toFixed(1)}s — base URL ${report.baseUrl}, outgoing mail → ${report.mailServer}`];
    if (report.odooNeutralize) lines.push(`  Odoo's own neutralize: ok (${report.odooNeutralize.seconds.toFixed(1)}s)`);
    lines.push(`  rules: ${report.applied} applied, ${report.skipped} skipped`);
    for (const r of report.rules.filter((x) => x.status === "applied" && (x.rows ?? 0) > 0))
        lines.push(`    ${r.rule.padEnd(72)} ${String(r.rows).padStart(7)} row(s)`);
    for (const r of report.rules.filter((x) => x.status === "skipped")) lines.push(`    skipped ${r.rule}: ${r.reason}`);
    if (report.admin.password) {
        lines.push(
            passwordFile
                ? `  admin login "${report.admin.login}": new password written to ${passwordFile}`
                : `  admin login "${report.admin.login}", new password (shown once, store it now): ${report.admin.password.reveal()}`,
        );
    } else {
        lines.push(`  admin login "${report.admin.login ?? "?"}": password unchanged since the first neutralization`);
    }
    return lines.join("\n");
}

interface VerifyCliOptions {
    db?: string;
    jobs: number;
    allowDomain?: string[];
    baseUrl?: string;
    mailHost?: string[];
    productionUrl?: string;
    productionUuid?: string;
    ignoreColumn?: string[];
    json?: boolean;
}

function registerVerify(db: Command): void {
    db.command("verify")
        .description("independently check that a database is safe to serve: exit 1 naming table/column/count for every finding")
        .addOption(odooDbOption("the database to verify"))
        .option("--allow-domain <domain>", "domain whose e-mail addresses may remain (repeatable; example.com always)", collect)
        .option("--base-url <url>", "the environment's URL: web.base.url must equal it; its host is an allowed domain")
        .option("--mail-host <host>", "host an outgoing mail server may point at: the mail catcher (repeatable)", collect)
        .option("--production-url <url>", "production's web.base.url (default: recorded by neutralize)")
        .option("--production-uuid <uuid>", "production's database.uuid (default: its hash recorded by neutralize)")
        .option("--ignore-column <table.column>", "leave a column (or table.*) out of the PII scan: a known false positive (repeatable)", collect)
        .addOption(jobsOption("connections the PII scan runs over at once"))
        .option("--json", "print the report as JSON")
        .action(
            action<VerifyCliOptions>(async (opts) => {
                asUsage(() => {
                    (opts.allowDomain ?? []).forEach(normalizeDomain);
                    if (opts.baseUrl) new URL(opts.baseUrl);
                    for (const c of opts.ignoreColumn ?? [])
                        if (!/^[^.\s]+\.[^.\s]+$/.test(c)) throw new Error(`--ignore-column takes table.column or table.* (got "${c}")`);
                });
                const report = await withClient(opts.db, (client, db) =>
                    verifyDatabase(client, {
                        allowDomains: opts.allowDomain,
                        baseUrl: opts.baseUrl,
                        mailHosts: opts.mailHost,
                        productionUrl: opts.productionUrl,
                        productionUuid: opts.productionUuid,
                        ignore: opts.ignoreColumn,
                        progress: progress("verify"),
                        jobs: opts.jobs,
                        connect: () => connect(db),
                    }),
                );
                // A clean copy made by odoo-platform is marked verified: staging swap accepts only such a copy.
                const marked = report.ok ? await withClient(opts.db, (client) => recordVerified(client)) : false;
                return { exitCode: report.ok ? 0 : 1, report: { ...report, markedVerified: marked }, text: verifyText(report) } satisfies CommandResult<
                    VerifyReport & { markedVerified: boolean }
                >;
            }),
        );
}

export function verifyText(report: VerifyReport): string {
    const lines = [
        report.ok
            ? `verify: OK — ${report.checks.filter((c) => c.status === "passed").length} checks passed, ${report.scanned.tables} tables scanned ` +
              `(${report.scanned.rows} rows, ${report.scanned.columns} text columns; ${report.scanned.metadataTables} tables of Odoo metadata left out by rule) (${report.seconds.toFixed(1)}s)`
            : `verify: FAILED — ${report.findings.length} finding(s) (${report.seconds.toFixed(1)}s)`,
    ];
    for (const f of report.findings) {
        const where = f.column ? `${f.table}.${f.column}` : f.table;
        const samples = f.samples?.length ? `  [${f.samples.join(", ")}]` : "";
        lines.push(`  ${where}: ${f.message}${samples}`);
    }
    for (const c of report.checks.filter((x) => x.status === "skipped")) lines.push(`  (skipped ${c.name}: ${c.reason})`);
    return lines.join("\n");
}
