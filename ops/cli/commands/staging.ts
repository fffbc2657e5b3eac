/**
 * `odoo-platform staging refresh | swap | cleanup`: a thin shell over refresh.ts and swap.ts.
 */
import { Command, Option } from "commander";
import { InvalidInputError } from "../../core/errors";
import { assertWritableSecretFile, writeSecretFile } from "../../core/secrets";
import { Secret } from "../../neutralize";
import { action, CommandResult, progress } from "../runtime";
import { connect, parseDatabaseUrl } from "../../postgres/connect";
import { acquireTargetLock, maintenanceUrl } from "../../postgres/databases";
import { platformDataRules } from "../../staging/dataRules";
import { runStamp } from "../../generations/names";
import { refreshStaging } from "../../staging/refresh";
import { renderStepTable } from "../../staging/report";
import { cleanupLeftovers, rollbackStaging, swapIn } from "../../generations/swap";
import { assertMayReplace, assertMaySwapIn, assertRoleMayReplace, assessDatabase } from "../../generations/targets";
import { addSanitizeOptions, odooDbOption, jobsOption, resolveSanitizeSeed, S3CliOptions, s3EndpointOption, s3OptionsOf, s3RegionOption } from "../options";

const collect = (value: string, previous: string[]) => [...previous, value];

/** The admin credentials neutralize reports (its password a Secret that prints as [secret]). */
function adminOf(neutralize: unknown): { login: string | null; password: Secret | null } | undefined {
    const admin = (neutralize as { admin?: { login: string | null; password: Secret | null } } | null)?.admin;
    return admin && (admin.password === null || admin.password instanceof Secret) ? admin : undefined;
}

function parsePort(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidInputError(`--mail-port must be a TCP port (1–65535), got "${value}"`);
    return n;
}

/** Runs `fn` with a maintenance connection while this run holds the target's lock on its server. */
async function underTargetLock<T>(
    dbUrl: string,
    maintenanceDb: string,
    fn: (admin: Awaited<ReturnType<typeof connect>>, target: string, serverUrl: string) => Promise<T>,
): Promise<T> {
    const target = parseDatabaseUrl(dbUrl, "--db");
    const serverUrl = maintenanceUrl(dbUrl, maintenanceDb);
    const admin = await connect(parseDatabaseUrl(serverUrl, "--db (maintenance database)"));
    try {
        const lock = await acquireTargetLock(admin, serverUrl, target.database);
        try {
            return await fn(admin, target.database, serverUrl);
        } finally {
            await lock.release();
        }
    } finally {
        await admin.end().catch(() => undefined);
    }
}

const confirmOption = () =>
    new Option(
        "--confirm <name>",
        "the target database's name, repeated: needed to replace a database odoo-platform did not create, or one that looks like production",
    );
const dropPreviousOption = () =>
    new Option("--drop-previous", "drop the replaced database after the swap instead of keeping it as the previous generation (for staging rollback)");

/** `7d`, `12h`, `30m` → milliseconds. */
export function parseRetention(value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    const match = /^(\d+)(d|h|m)$/.exec(value.trim());
    if (!match) throw new InvalidInputError(`--retention must be a duration such as 7d, 12h or 30m, got "${value}"`);
    return Number(match[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as "d" | "h" | "m"];
}

export function register(program: Command): void {
    const group = program.command("staging").description("The staging data pipeline: refresh from production, swap, clean up");

    addSanitizeOptions(
        group
            .command("refresh")
            .description("copy production with personal data replaced, neutralize, verify, then swap it in — the live staging database is untouched until then")
            .requiredOption("--from-db <url>", "production database (read only: nothing is written there)")
            .requiredOption("--to-db <url>", "staging database to replace")
            .requiredOption("--base-url <url>", "the staging environment's URL (web.base.url)"),
    )
        .option("--mail-host <host>", "mail catcher every mail server is pointed at", "mailpit")
        .option("--mail-port <port>", "mail catcher SMTP port", "1025")
        .option("--allow-domain <domain>", "e-mail domain verify accepts (repeatable; example.com always)", collect, [])
        .option("--via <location>", "go through a sanitized snapshot in this directory or s3://bucket/prefix instead of streaming")
        .option("--from-filestore <dir>", "production filestore directory")
        .option("--to-filestore <dir>", "staging filestore directory (swapped with the database)")
        .option("--owner <role>", "role that owns the staging database and its objects")
        .addOption(jobsOption("parallel streams and index builds"))
        .option("--keep-previous", "keep the replaced database as <target>__previous_<stamp> (the default; see --drop-previous)")
        .addOption(dropPreviousOption())
        .addOption(confirmOption())
        .option("--retention <duration>", "also drop previous generations older than this (e.g. 7d)")
        .option("--admin-password-file <path>", "write the new admin password there (mode 600) instead of printing it once")
        .option("--maintenance-db <name>", "database for CREATE/ALTER/DROP DATABASE on the staging server", "postgres")
        .addOption(s3EndpointOption())
        .addOption(s3RegionOption())
        .option("--json", "print the report as JSON")
        .action(
            action(
                async (
                    opts: {
                        fromDb: string;
                        toDb: string;
                        baseUrl: string;
                        seed?: string;
                        strict?: boolean;
                        keepCompanyNames: boolean;
                        mailHost: string;
                        mailPort: string;
                        allowDomain: string[];
                        via?: string;
                        fromFilestore?: string;
                        toFilestore?: string;
                        owner?: string;
                        jobs: number;
                        keepPrevious?: boolean;
                        dropPrevious?: boolean;
                        confirm?: string;
                        retention?: string;
                        adminPasswordFile?: string;
                        maintenanceDb: string;
                        json?: boolean;
                    } & S3CliOptions,
                ): Promise<CommandResult> => {
                    // Checked before the copy: a password that cannot be stored after the swap is lost.
                    if (opts.adminPasswordFile) assertWritableSecretFile(opts.adminPasswordFile, "--admin-password-file");
                    if (opts.keepPrevious && opts.dropPrevious) throw new InvalidInputError("give --keep-previous or --drop-previous, not both");
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
                        s3: s3OptionsOf(opts),
                        fromFilestore: opts.fromFilestore,
                        toFilestore: opts.toFilestore,
                        owner: opts.owner,
                        jobs: opts.jobs,
                        keepPrevious: !opts.dropPrevious,
                        confirm: opts.confirm,
                        retentionMs: parseRetention(opts.retention),
                        maintenanceDb: opts.maintenanceDb,
                        rules: platformDataRules(),
                        progress: progress("staging refresh"),
                    });
                    const admin = adminOf(report.neutralize);
                    let adminLine = "";
                    if (report.ok && admin?.password) {
                        if (opts.adminPasswordFile) {
                            writeSecretFile(opts.adminPasswordFile, `${admin.password.reveal()}\n`);
                            adminLine = `admin login "${admin.login}": new password written to ${opts.adminPasswordFile}`;
                        } else {
                            adminLine = `admin login "${admin.login}", new password (shown once, store it now): ${admin.password.reveal()}`;
                        }
                    }
                    const verdict = report.ok
                        ? `verify: clean — ${report.candidate} swapped in as ${parseDatabaseUrl(opts.toDb).database} (unavailable ${report.swap!.unavailableSeconds.toFixed(3)} s)` +
                          (report.swap!.previousKept ? `; the replaced database is kept as ${report.swap!.previous} (staging rollback puts it back)` : "")
                        : `verify: ${report.verify.findings.length} findings — NOTHING swapped, the live staging database is unchanged:\n${report.verify.findings.map((f) => `  - ${f}`).join("\n")}`;
                    return {
                        exitCode: report.exitCode,
                        report,
                        text: [
                            renderStepTable(report.steps, report.totalSeconds, {
                                title: `staging refresh (${report.mode}) ${report.source} → ${report.target}`,
                            }),
                            "",
                            verdict,
                            ...(adminLine ? [adminLine] : []),
                        ].join("\n"),
                    };
                },
            ),
        );

    group
        .command("swap")
        .description("put a verified candidate database under the target name (one transaction); the replaced one is kept as the previous generation")
        .addOption(odooDbOption("target database (libpq URL)"))
        .requiredOption("--candidate <name>", "database to swap in: a copy made by snapshot restore or staging refresh that passed db verify")
        .option("--keep-previous", "keep the replaced database as <target>__previous_<stamp> (the default)")
        .addOption(dropPreviousOption())
        .addOption(confirmOption())
        .option("--filestore <dir>", "the target's live filestore directory, swapped with --candidate-filestore")
        .option("--candidate-filestore <dir>", "the candidate's filestore directory (what `snapshot restore --filestore` wrote)")
        .option("--maintenance-db <name>", "database for ALTER/DROP DATABASE", "postgres")
        .option("--json", "print the report as JSON")
        .action(
            action(
                async (opts: {
                    db: string;
                    candidate: string;
                    keepPrevious?: boolean;
                    dropPrevious?: boolean;
                    confirm?: string;
                    filestore?: string;
                    candidateFilestore?: string;
                    maintenanceDb: string;
                    json?: boolean;
                }): Promise<CommandResult> => {
                    if (!!opts.filestore !== !!opts.candidateFilestore)
                        throw new InvalidInputError("--filestore and --candidate-filestore go together: the live directory and the one to put in its place");
                    const filestore = opts.filestore && opts.candidateFilestore ? { live: opts.filestore, candidate: opts.candidateFilestore } : undefined;
                    const report = await underTargetLock(opts.db, opts.maintenanceDb, async (admin, target, serverUrl) => {
                        if (opts.candidate === target) throw new InvalidInputError("--candidate is the target itself");
                        await assertRoleMayReplace(admin, [target, opts.candidate], { option: "--db" });
                        assertMaySwapIn(await assessDatabase(admin, serverUrl, opts.candidate, { maintenanceDb: opts.maintenanceDb }));
                        assertMayReplace(await assessDatabase(admin, serverUrl, target, { maintenanceDb: opts.maintenanceDb }), "swap away", opts.confirm);
                        return swapIn(admin, {
                            serverUrl,
                            target,
                            candidate: opts.candidate,
                            stamp: runStamp(new Date()),
                            keepPrevious: !opts.dropPrevious,
                            filestore,
                        });
                    });
                    return {
                        exitCode: 0,
                        report: { ok: true, ...report },
                        text: `${opts.candidate} is now ${report.target} (unavailable ${report.unavailableSeconds.toFixed(3)} s); previous: ${report.previous ? (report.previousKept ? `kept as ${report.previous} (staging rollback puts it back)` : "dropped") : "none"}`,
                    };
                },
            ),
        );

    group
        .command("rollback")
        .description(
            "put the previous generation (kept by the last refresh, restore or swap) back under the target name; what serves now becomes the previous generation",
        )
        .addOption(odooDbOption("target database (libpq URL)"))
        .option("--filestore <dir>", "the target's filestore directory, rolled back with the database")
        .option("--maintenance-db <name>", "database for ALTER DATABASE", "postgres")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { db: string; filestore?: string; maintenanceDb: string; json?: boolean }): Promise<CommandResult> => {
                const report = await underTargetLock(opts.db, opts.maintenanceDb, (admin, target, serverUrl) =>
                    rollbackStaging(admin, { serverUrl, target, filestore: opts.filestore }),
                );
                return {
                    exitCode: 0,
                    report: { ok: true, ...report },
                    text: `${report.restored} serves again as ${report.target} (unavailable ${report.unavailableSeconds.toFixed(3)} s); what served until now is kept as ${report.previous}`,
                };
            }),
        );

    group
        .command("cleanup")
        .description("drop what interrupted restores/refreshes of a target left behind (and, asked, the kept previous copies)")
        .addOption(odooDbOption("target database (libpq URL)"))
        .option("--filestore <dir>", "the target's filestore directory")
        .option("--drop-previous", "also drop <target>__previous_* databases and directories")
        .option("--drop-pending", "also drop <target>__pending, a candidate never swapped in (only if odoo-platform made it)")
        .option("--retention <duration>", "drop previous generations older than this (e.g. 7d)")
        .option("--maintenance-db <name>", "database for DROP DATABASE", "postgres")
        .option("--json", "print the report as JSON")
        .action(
            action(
                async (opts: {
                    db: string;
                    filestore?: string;
                    dropPrevious?: boolean;
                    dropPending?: boolean;
                    retention?: string;
                    maintenanceDb: string;
                    json?: boolean;
                }): Promise<CommandResult> => {
                    const retentionMs = parseRetention(opts.retention);
                    const report = await underTargetLock(opts.db, opts.maintenanceDb, (admin, target, serverUrl) =>
                        cleanupLeftovers(admin, {
                            target,
                            serverUrl,
                            filestore: opts.filestore,
                            dropPrevious: opts.dropPrevious,
                            dropPending: opts.dropPending,
                            retentionMs,
                        }),
                    );
                    const lines = [
                        `dropped: ${report.droppedDatabases.join(", ") || "nothing"}`,
                        ...(report.removedDirectories.length ? [`removed: ${report.removedDirectories.join(", ")}`] : []),
                        ...(report.completedFilestoreSwaps.length ? [`completed filestore swaps: ${report.completedFilestoreSwaps.join(", ")}`] : []),
                        ...(report.previousDatabases.length
                            ? [`kept previous copies: ${report.previousDatabases.join(", ")} (--drop-previous drops them)`]
                            : []),
                        ...(report.leftAlone.length ? [`left alone (not made by odoo-platform, or not empty): ${report.leftAlone.join(", ")}`] : []),
                    ];
                    return { exitCode: 0, report: { ok: true, ...report }, text: lines.join("\n") };
                },
            ),
        );
}
