/** `odoo-platform backup prefix | latest`: production backups in the snapshot bucket. */
import type { Command } from "commander";
import { OperationFailedError } from "../../core/errors";
import { parseTime } from "../../evidence/deployment";
import { backupPrefix, latestBackup, parseBackupKind } from "../../promotion/backup";
import { s3Client } from "../../s3";
import { S3CliOptions, s3OptionsOf, withS3Options } from "../options";
import { action } from "../runtime";

export function register(program: Command): void {
    const backup = program.command("backup").description("production backups in the snapshot bucket");
    backup
        .command("prefix")
        .description("key prefix of a production backup: production/{daily,weekly,monthly}/<stamp>/ or production/promotion/<stamp>/")
        .requiredOption("--kind <kind>", "scheduled or promotion")
        .option("--date <time>", "time of the backup (default now)")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { kind: string; date?: string; json?: boolean }) => {
                const prefix = backupPrefix(parseBackupKind(opts.kind), parseTime(opts.date, "--date", new Date()));
                return { exitCode: 0, report: { prefix }, text: prefix };
            }),
        );
    withS3Options(
        backup
            .command("latest")
            .description("s3:// URI of the newest production backup (any tier, promotion backups included)")
            .requiredOption("--bucket <name>", "the snapshot bucket"),
    )
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: S3CliOptions & { bucket: string; json?: boolean }) => {
                const client = s3Client(s3OptionsOf(opts));
                try {
                    const prefix = await latestBackup(client, opts.bucket);
                    if (!prefix)
                        throw new OperationFailedError(`no production backup under s3://${opts.bucket}/production/: run the production-backup workflow first`);
                    const uri = `s3://${opts.bucket}/${prefix}`;
                    return { exitCode: 0, report: { uri, prefix }, text: uri };
                } finally {
                    client.destroy();
                }
            }),
        );
}
