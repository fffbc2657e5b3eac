/**
 * `odoo-platform staging refresh | swap | cleanup`: a thin shell over refresh.ts and swap.ts.
 */
import { Command, Option } from "commander";
import * as fs from "node:fs";
import { Secret } from "../neutralize";
import { action, CommandResult, progress, UsageError } from "../cli/runtime";
import { connect, parseDatabaseUrl } from "../postgres/connect";
import { databaseExists, lockTarget, maintenanceUrl, unlockTarget } from "../postgres/databases";
import { parseJobs } from "../snapshot/cli";
import { platformDataRules } from "./dataRules";
import { runStamp } from "./names";
import { refreshStaging } from "./refresh";
import { renderStepTable } from "./report";
import { cleanupLeftovers, swapIn } from "./swap";
import { addSanitizeOptions, resolveSanitizeSeed } from "../sanitize/cli";

const collect = (value: string, previous: string[]) => [...previous, value];

/** The admin credentials neutralize reports (its password a Secret that prints as [secret]). */
function adminOf(neutralize: unknown): { login: string | null; password: Secret | null } | undefined {
    const admin = (neutralize as { admin?: { login: string | null; password: Secret | null } } | null)?.admin;
    return admin && (admin.password === null || admin.password instanceof Secret) ? admin : undefined;
}

function parsePort(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`--mail-port must be a TCP port (1–65535), got "${value}"`);
    return n;
}

/** Runs `fn` with a maintenance connection holding the target's lock. */
async function underTargetLock<T>(dbUrl: string, maintenanceDb: string, fn: (admin: Awaited<ReturnType<typeof connect>>, target: string, serverUrl: string) => Promise<T>): Promise<T> {
    const target = parseDatabaseUrl(dbUrl, "--db");
    const serverUrl = maintenanceUrl(dbUrl, maintenanceDb);
    const admin = await connect(parseDatabaseUrl(serverUrl, "--db (maintenance database)"));
    try {
        await lockTarget(admin, target.database);
        try {
            return await fn(admin, target.database, serverUrl);
        } finally {
            await unlockTarget(admin, target.database);
        }
    } finally {
        await admin.end().catch(() => undefined);
    }
}

export function registerStagingCommands(program: Command): void {
    const group = program.command("staging").description("The staging data pipeline: refresh from production, swap, clean up");

    addSanitizeOptions(group
        .command("refresh")
        .description("copy production with personal data replaced, neutralize, verify, then swap it in — the live staging database is untouched until then")
        .requiredOption("--from-db <url>", "production database (read only: nothing is written there)")
        .requiredOption("--to-db <url>", "staging database to replace")
        .requiredOption("--base-url <url>", "the staging environment's URL (web.base.url)"))
        .option("--mail-host <host>", "mail catcher every mail server is pointed at", "mailpit")
        .option("--mail-port <port>", "mail catcher SMTP port", "1025")
        .option("--allow-domain <domain>", "e-mail domain verify accepts (repeatable; example.com always)", collect, [])
        .option("--via <location>", "go through a sanitized snapshot in this directory or s3://bucket/prefix instead of streaming")
        .option("--from-filestore <dir>", "production filestore directory")
        .option("--to-filestore <dir>", "staging filestore directory (swapped with the database)")
        .option("--owner <role>", "role that owns the staging database and its objects")
        .option("--jobs <n>", "parallel streams and index builds", "2")
        .option("--keep-previous", "keep the replaced database as <target>__previous_<stamp>")
        .option("--admin-password-file <path>", "write the new admin password there (mode 600) instead of printing it once")
        .option("--maintenance-db <name>", "database for CREATE/ALTER/DROP DATABASE on the staging server", "postgres")
        .addOption(new Option("--s3-endpoint <url>", "S3-compatible server for --via s3://… (or ODOO_PLATFORM_S3_ENDPOINT)"))
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: {
                fromDb: string; toDb: string; baseUrl: string; seed?: string; strict?: boolean; keepCompanyNames: boolean; mailHost: string; mailPort: string;
                allowDomain: string[]; via?: string; fromFilestore?: string; toFilestore?: string; owner?: string; jobs: string;
                keepPrevious?: boolean; adminPasswordFile?: string; maintenanceDb: string; s3Endpoint?: string; json?: boolean;
            }): Promise<CommandResult> => {
                const report = await refreshStaging({
                    fromDb: opts.fromDb,
                    toDb: opts.toDb,
                    baseUrl: opts.baseUrl,
                    seed: resolveSanitizeSeed(opts.seed),
                    strict: opts.strict,
                    keepCompanyNames: opts.keepCompanyNames,
                    mailHost: opts.mailHost,
                    mailPort: parsePort(opts.mailPort),
                    allowDomains: ["example.com", ...opts.allowDomain],
                    via: opts.via,
                    s3: { endpoint: opts.s3Endpoint },
                    fromFilestore: opts.fromFilestore,
                    toFilestore: opts.toFilestore,
                    owner: opts.owner,
                    jobs: parseJobs(opts.jobs),
                    keepPrevious: opts.keepPrevious,
                    maintenanceDb: opts.maintenanceDb,
                    rules: platformDataRules(),
                    progress: progress("staging refresh"),
                });
                const admin = adminOf(report.neutralize);
                let adminLine = "";
                if (report.ok && admin?.password) {
                    if (opts.adminPasswordFile) {
                        fs.writeFileSync(opts.adminPasswordFile, `${admin.password.reveal()}\n`, { mode: 0o600 });
                        adminLine = `admin login "${admin.login}": new password written to ${opts.adminPasswordFile}`;
                    } else {
                        adminLine = `admin login "${admin.login}", new password (shown once, store it now): ${admin.password.reveal()}`;
                    }
                }
                const verdict = report.ok
                    ? `verify: clean — ${report.candidate} swapped in as ${parseDatabaseUrl(opts.toDb).database} (unavailable ${report.swap!.unavailableSeconds.toFixed(3)} s)`
                    : `verify: ${report.verify.findings.length} findings — NOTHING swapped, the live staging database is unchanged:\n${report.verify.findings.map((f) => `  - ${f}`).join("\n")}`;
                return {
                    exitCode: report.exitCode,
                    report,
                    text: [renderStepTable(report.steps, report.totalSeconds, { title: `staging refresh (${report.mode}) ${report.source} → ${report.target}` }), "", verdict, ...(adminLine ? [adminLine] : [])].join("\n"),
                };
            }),
        );

    group
        .command("swap")
        .description("put a verified candidate database under the target name (one transaction); the replaced one is dropped unless kept")
        .requiredOption("--db <url>", "target database (libpq URL)")
        .requiredOption("--candidate <name>", "database to swap in (e.g. <target>__pending)")
        .option("--keep-previous", "keep the replaced database as <target>__previous_<stamp>")
        .option("--filestore <dir>", "the target's live filestore directory, swapped with --candidate-filestore")
        .option("--candidate-filestore <dir>", "the candidate's filestore directory (what `snapshot restore --filestore` wrote)")
        .option("--maintenance-db <name>", "database for ALTER/DROP DATABASE", "postgres")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { db: string; candidate: string; keepPrevious?: boolean; filestore?: string; candidateFilestore?: string; maintenanceDb: string; json?: boolean }): Promise<CommandResult> => {
                if (!!opts.filestore !== !!opts.candidateFilestore) throw new UsageError("--filestore and --candidate-filestore go together: the live directory and the one to put in its place");
                const filestore = opts.filestore && opts.candidateFilestore ? { live: opts.filestore, candidate: opts.candidateFilestore } : undefined;
                const report = await underTargetLock(opts.db, opts.maintenanceDb, async (admin, target, serverUrl) => {
                    if (!(await databaseExists(admin, opts.candidate))) throw new UsageError(`--candidate ${opts.candidate} does not exist on the server`);
                    if (opts.candidate === target) throw new UsageError("--candidate is the target itself");
                    return swapIn(admin, { serverUrl, target, candidate: opts.candidate, stamp: runStamp(new Date()), keepPrevious: opts.keepPrevious, filestore });
                });
                return {
                    exitCode: 0,
                    report: { ok: true, ...report },
                    text: `${opts.candidate} is now ${report.target} (unavailable ${report.unavailableSeconds.toFixed(3)} s); previous: ${report.previous ? (report.previousKept ? `kept as ${report.previous}` : "dropped") : "none"}`,
                };
            }),
        );

    group
        .command("cleanup")
        .description("drop what interrupted restores/refreshes of a target left behind (and, asked, the kept previous copies)")
        .requiredOption("--db <url>", "target database (libpq URL)")
        .option("--filestore <dir>", "the target's filestore directory")
        .option("--drop-previous", "also drop <target>__previous_* databases and directories")
        .option("--drop-pending", "also drop <target>__pending, a candidate never swapped in")
        .option("--maintenance-db <name>", "database for DROP DATABASE", "postgres")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { db: string; filestore?: string; dropPrevious?: boolean; dropPending?: boolean; maintenanceDb: string; json?: boolean }): Promise<CommandResult> => {
                const report = await underTargetLock(opts.db, opts.maintenanceDb, (admin, target) =>
                    cleanupLeftovers(admin, { target, filestore: opts.filestore, dropPrevious: opts.dropPrevious, dropPending: opts.dropPending }),
                );
                const lines = [
                    `dropped: ${report.droppedDatabases.join(", ") || "nothing"}`,
                    ...(report.removedDirectories.length ? [`removed: ${report.removedDirectories.join(", ")}`] : []),
                    ...(report.completedFilestoreSwaps.length ? [`completed filestore swaps: ${report.completedFilestoreSwaps.join(", ")}`] : []),
                    ...(report.previousDatabases.length ? [`kept previous copies: ${report.previousDatabases.join(", ")} (--drop-previous drops them)`] : []),
                ];
                return { exitCode: 0, report: { ok: true, ...report }, text: lines.join("\n") };
            }),
        );
}
