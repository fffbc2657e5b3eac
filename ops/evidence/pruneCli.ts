/**
 * `odoo-platform evidence prune`: registers itself on the `evidence` command group (shared with
 * `evidence migrate/build/deployment/migrations`, found or created by `evidenceCommand`).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { Command } from "commander";
import { action, progress, UsageError } from "../cli/runtime";
import { evidenceCommand } from "./cli";
import { parseS3Url, pruneEvidence, renderPruneReport, S3Location } from "./prune";
import { parseAge, validatePolicy } from "./prunePolicy";

interface PruneCliOptions {
    dir: string;
    compressAfter: string;
    deleteAfter: string;
    to?: string;
    s3Endpoint?: string;
    dryRun?: boolean;
    json?: boolean;
}

export function registerEvidencePrune(program: Command): void {
    evidenceCommand(program)
        .command("prune")
        .description("Apply the evidence retention policy: gzip files older than --compress-after (moving them to --to when given), delete files older than --delete-after")
        .option("--dir <dir>", "evidence directory", "evidence")
        .option("--compress-after <age>", "compress files older than this (30d, 12h, 2w)", "30d")
        .option("--delete-after <age>", "delete files older than this", "90d")
        .option("--to <s3url>", "long-term storage for compressed files, e.g. s3://my-bucket/evidence")
        .option("--s3-endpoint <url>", "S3-compatible endpoint (Supabase Storage, MinIO); default: AWS")
        .option("--dry-run", "report what would happen, change nothing")
        .option("--json", "print the report as JSON")
        .action(
            action<PruneCliOptions>(async (opts) => {
                let compressAfterDays: number;
                let deleteAfterDays: number;
                let to: S3Location | undefined;
                try {
                    compressAfterDays = parseAge(opts.compressAfter, "--compress-after");
                    deleteAfterDays = parseAge(opts.deleteAfter, "--delete-after");
                    validatePolicy({ compressAfterDays, deleteAfterDays, archive: false });
                    to = opts.to ? parseS3Url(opts.to) : undefined;
                } catch (err) {
                    throw new UsageError((err as Error).message);
                }
                const s3 = opts.s3Endpoint ? new S3Client({ endpoint: opts.s3Endpoint, forcePathStyle: true }) : undefined;
                let report;
                try {
                    report = await pruneEvidence(
                        { dir: opts.dir, policy: { compressAfterDays, deleteAfterDays }, to, dryRun: !!opts.dryRun },
                        { s3, progress: progress("evidence prune") },
                    );
                } catch (err) {
                    if (/^--dir /.test((err as Error).message)) throw new UsageError((err as Error).message);
                    throw err;
                }
                return { exitCode: report.ok ? 0 : 1, report, text: renderPruneReport(report) };
            }),
        );
}
