/** `odoo-platform db verify`: a thin shell over verifyDatabase; exit 1 on any finding. */
import type { Command } from "commander";
import { action, CommandResult, progress } from "../cli/runtime";
import { asUsage, collect, withClient } from "../db/options";
import { normalizeDomain } from "../pii/patterns";
import { connect } from "../postgres/connect";
import { recordVerified } from "../staging/targets";
import { verifyDatabase, VerifyReport } from "./verify";

interface VerifyCliOptions {
    db?: string;
    jobs: string;
    allowDomain?: string[];
    baseUrl?: string;
    mailHost?: string[];
    productionUrl?: string;
    productionUuid?: string;
    ignoreColumn?: string[];
    json?: boolean;
}

export function registerVerifyCommand(db: Command): void {
    db.command("verify")
        .description("independently check that a database is safe to serve: exit 1 naming table/column/count for every finding")
        .requiredOption("--db <url>", "PostgreSQL URL of the database to verify")
        .option("--allow-domain <domain>", "domain whose e-mail addresses may remain (repeatable; example.com always)", collect)
        .option("--base-url <url>", "the environment's URL: web.base.url must equal it; its host is an allowed domain")
        .option("--mail-host <host>", "host an outgoing mail server may point at: the mail catcher (repeatable)", collect)
        .option("--production-url <url>", "production's web.base.url (default: recorded by neutralize)")
        .option("--production-uuid <uuid>", "production's database.uuid (default: its hash recorded by neutralize)")
        .option("--ignore-column <table.column>", "leave a column (or table.*) out of the PII scan: a known false positive (repeatable)", collect)
        .option("--jobs <n>", "connections the PII scan runs over at once", "2")
        .option("--json", "print the report as JSON")
        .action(action<VerifyCliOptions>(async (opts) => {
            asUsage(() => {
                (opts.allowDomain ?? []).forEach(normalizeDomain);
                if (opts.baseUrl) new URL(opts.baseUrl);
                for (const c of opts.ignoreColumn ?? []) if (!/^[^.\s]+\.[^.\s]+$/.test(c)) throw new Error(`--ignore-column takes table.column or table.* (got "${c}")`);
                if (!/^[1-9][0-9]?$/.test(opts.jobs)) throw new Error(`--jobs takes a number of connections from 1 to 99 (got "${opts.jobs}")`);
            });
            const report = await withClient(opts.db, (client, db) => verifyDatabase(client, {
                allowDomains: opts.allowDomain, baseUrl: opts.baseUrl, mailHosts: opts.mailHost, productionUrl: opts.productionUrl,
                productionUuid: opts.productionUuid, ignore: opts.ignoreColumn, progress: progress("verify"),
                jobs: Number(opts.jobs), connect: () => connect(db),
            }));
            // A clean copy made by odoo-platform is marked verified: staging swap accepts only such a copy.
            const marked = report.ok ? await withClient(opts.db, (client) => recordVerified(client)) : false;
            return { exitCode: report.ok ? 0 : 1, report: { ...report, markedVerified: marked }, text: verifyText(report) } satisfies CommandResult<VerifyReport & { markedVerified: boolean }>;
        }));
}

export function verifyText(report: VerifyReport): string {
    const lines = [report.ok
        ? `verify: OK — ${report.checks.filter((c) => c.status === "passed").length} checks passed, ${report.scanned.tables} tables scanned ` +
          `(${report.scanned.rows} rows, ${report.scanned.columns} text columns; ${report.scanned.metadataTables} tables of Odoo metadata left out by rule) (${report.seconds.toFixed(1)}s)`
        : `verify: FAILED — ${report.findings.length} finding(s) (${report.seconds.toFixed(1)}s)`];
    for (const f of report.findings) {
        const where = f.column ? `${f.table}.${f.column}` : f.table;
        const samples = f.samples?.length ? `  [${f.samples.join(", ")}]` : "";
        lines.push(`  ${where}: ${f.message}${samples}`);
    }
    for (const c of report.checks.filter((x) => x.status === "skipped")) lines.push(`  (skipped ${c.name}: ${c.reason})`);
    return lines.join("\n");
}
