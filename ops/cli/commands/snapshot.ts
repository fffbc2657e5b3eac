/**
 * `odoo-platform snapshot create | restore | verify`: a thin shell over create.ts and restore.ts.
 */
import type { Command } from "commander";
import { InvalidInputError } from "../../core/errors";
import { action, CommandResult, progress } from "../runtime";
import { Client } from "pg";
import { guardClient } from "../../postgres/connect";
import { platformDataRules, sanitizeSpec } from "../../staging/dataRules";
import { createSnapshot } from "../../snapshot/create";
import { openVerifiedSnapshot, restoreSnapshot } from "../../snapshot/restore";
import { addSanitizeOptions, odooDbOption, jobsOption, resolveSanitizeSeed, S3CliOptions, s3OptionsOf, s3EndpointOption, s3RegionOption } from "../options";

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

export function register(program: Command): void {
    const group = program.command("snapshot").description("Consistent snapshots of an Odoo database and filestore, to a directory or S3, checked by SHA-256");

    addSanitizeOptions(
        group
            .command("create")
            .description("pg_dump -Fd -j (+ filestore tar) with a checksummed manifest; --sanitize keeps personal data on the server")
            .addOption(odooDbOption("source database (libpq URL)"))
            .requiredOption("--to <location>", "new directory, or s3://bucket/prefix")
            .option("--filestore <dir>", "the database's filestore directory (<data_dir>/filestore/<db>)")
            .option("--sanitize", "dump sanitized data: personal data and credentials are replaced while they stream off the server"),
        "with --sanitize: ",
    )
        .addOption(jobsOption("parallel pg_dump jobs and streams"))
        .option("--latest", "point <parent>/latest.json at this snapshot (restore --from <parent>/latest)")
        .addOption(s3EndpointOption())
        .addOption(s3RegionOption())
        .option("--json", "print the report as JSON")
        .action(
            action(
                async (
                    opts: {
                        db: string;
                        to: string;
                        filestore?: string;
                        sanitize?: boolean;
                        seed?: string;
                        strict?: boolean;
                        keepCompanyNames: boolean;
                        jobs: number;
                        latest?: boolean;
                        json?: boolean;
                    } & S3CliOptions,
                ): Promise<CommandResult> => {
                    if (!opts.sanitize && (opts.strict || opts.seed)) throw new InvalidInputError("--strict and --seed only make sense with --sanitize");
                    const report = await createSnapshot({
                        dbUrl: opts.db,
                        to: opts.to,
                        filestore: opts.filestore,
                        sanitize: opts.sanitize
                            ? sanitizeSpec({ seed: resolveSanitizeSeed(opts.seed), strict: !!opts.strict, keepCompanyNames: opts.keepCompanyNames })
                            : undefined,
                        jobs: opts.jobs,
                        latest: opts.latest,
                        s3: s3OptionsOf(opts),
                        progress: progress("snapshot create"),
                    });
                    const { manifest } = report;
                    return {
                        exitCode: 0,
                        report: { ok: true, ...report },
                        text: [
                            `snapshot ${report.id} written to ${report.location}`,
                            `  source:    ${manifest.source.url} (PostgreSQL ${manifest.source.serverVersion}, Odoo ${manifest.odoo.version ?? "unknown"})`,
                            `  sanitized: ${report.sanitized ? `yes (seed fingerprint ${manifest.sanitize!.seedFingerprint}, ${manifest.sanitize!.tables.length} tables rewritten)` : "no — holds production personal data"}`,
                            `  files:     ${report.files} (${mib(report.bytes)}), SHA-256 in manifest.json`,
                            `  filestore: ${manifest.filestore ? `${manifest.filestore.files} files` : "not included"}`,
                            `  took:      ${report.seconds.toFixed(1)} s`,
                        ].join("\n"),
                    };
                },
            ),
        );

    group
        .command("restore")
        .description("check every checksum, restore into a new database, then swap it in under the target name")
        .requiredOption("--from <location>", "snapshot directory or s3://bucket/prefix (…/latest follows latest.json)")
        .addOption(odooDbOption("target database (libpq URL); it is replaced only when the restore succeeded"))
        .option("--filestore <dir>", "the target's filestore directory, swapped the same way")
        .option("--owner <role>", "role that owns the restored database and its objects (production roles are not carried over)")
        .addOption(jobsOption("parallel pg_restore jobs"))
        .option("--keep-previous", "keep the replaced database as <target>__previous_<stamp> (the default)")
        .option("--drop-previous", "drop the replaced database after the swap instead of keeping it as the previous generation")
        .option(
            "--confirm <name>",
            "the target database's name, repeated: needed to replace a database odoo-platform did not create, or one that looks like production",
        )
        .option(
            "--require-sanitized",
            "refuse a snapshot that is not sanitized: the manifest must say so and the restored data must hold no personal data (staging and PR stacks)",
        )
        .option(
            "--allow-domain <domain>",
            "with --require-sanitized: e-mail domain the personal-data check accepts (repeatable; example.com always)",
            (v: string, p: string[]) => [...p, v],
            [] as string[],
        )
        .option("--maintenance-db <name>", "database to connect to for CREATE/ALTER/DROP DATABASE", "postgres")
        .addOption(s3EndpointOption())
        .addOption(s3RegionOption())
        .option("--json", "print the report as JSON")
        .action(
            action(
                async (
                    opts: {
                        from: string;
                        db: string;
                        filestore?: string;
                        owner?: string;
                        jobs: number;
                        keepPrevious?: boolean;
                        dropPrevious?: boolean;
                        confirm?: string;
                        requireSanitized?: boolean;
                        allowDomain: string[];
                        maintenanceDb: string;
                        json?: boolean;
                    } & S3CliOptions,
                ): Promise<CommandResult> => {
                    if (opts.keepPrevious && opts.dropPrevious) throw new InvalidInputError("give --keep-previous or --drop-previous, not both");
                    const rules = platformDataRules();
                    if (opts.owner && !/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/.test(opts.owner))
                        throw new InvalidInputError(`--owner must be a role name, got "${opts.owner}"`);
                    const report = await restoreSnapshot({
                        from: opts.from,
                        dbUrl: opts.db,
                        filestore: opts.filestore,
                        owner: opts.owner,
                        jobs: opts.jobs,
                        keepPrevious: !opts.dropPrevious,
                        confirm: opts.confirm,
                        requireSanitized: opts.requireSanitized,
                        proveSanitized: async (url) => {
                            const client = guardClient(new Client({ connectionString: url, application_name: "odoo-platform verify" }));
                            await client.connect();
                            try {
                                return await rules.verify(client, {
                                    allowDomains: ["example.com", ...opts.allowDomain],
                                    databaseUrl: url,
                                    jobs: opts.jobs,
                                    scope: "personal-data",
                                });
                            } finally {
                                await client.end().catch(() => undefined);
                            }
                        },
                        maintenanceDb: opts.maintenanceDb,
                        s3: s3OptionsOf(opts),
                        onLoaded: async (url, manifest) => {
                            if (!manifest.sanitize) return;
                            const client = guardClient(new Client({ connectionString: url, application_name: "odoo-platform" }));
                            await client.connect();
                            try {
                                await rules.markSanitized(client, { financial: manifest.sanitize.financial });
                            } finally {
                                await client.end();
                            }
                        },
                        progress: progress("snapshot restore"),
                    });
                    return {
                        exitCode: 0,
                        report: { ok: true, ...report },
                        text: [
                            `restored ${report.snapshot.id} (${report.snapshot.sanitized ? "sanitized" : "NOT sanitized"}, ${report.snapshot.files} files checked) into ${report.target}`,
                            `  via:         ${report.restoredInto}, swapped in after the restore succeeded`,
                            `  previous:    ${report.swap.previous ? (report.swap.previousKept ? `kept as ${report.swap.previous}` : "dropped") : "none (new database)"}`,
                            `  unavailable: ${report.swap.unavailableSeconds.toFixed(3)} s during the swap`,
                            `  took:        verify ${report.seconds.verify.toFixed(1)} s, restore ${report.seconds.restore.toFixed(1)} s, swap ${report.seconds.swap.toFixed(2)} s`,
                            ...(report.cleanup.droppedDatabases.length ? [`  cleaned up:  ${report.cleanup.droppedDatabases.join(", ")}`] : []),
                        ].join("\n"),
                    };
                },
            ),
        );

    group
        .command("verify")
        .description("check every file of a snapshot against its manifest; changes nothing")
        .requiredOption("--from <location>", "snapshot directory or s3://bucket/prefix")
        .addOption(s3EndpointOption())
        .addOption(s3RegionOption())
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { from: string; json?: boolean } & S3CliOptions): Promise<CommandResult> => {
                const snapshot = await openVerifiedSnapshot(opts.from, { s3: s3OptionsOf(opts), progress: progress("snapshot verify") });
                snapshot.dispose();
                const { manifest } = snapshot;
                return {
                    exitCode: 0,
                    report: { ok: true, location: snapshot.location, id: manifest.id, files: manifest.files.length, sanitized: manifest.sanitized },
                    text: `snapshot ${manifest.id} at ${snapshot.location}: all ${manifest.files.length} files match the manifest`,
                };
            }),
        );
}
