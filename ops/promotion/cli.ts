/**
 * CLI: `odoo-platform rollback`, `odoo-platform modules changed`, `odoo-platform backup {prefix,latest}`.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { Command, Option } from "commander";
import * as path from "node:path";
import { action, CliError, progress } from "../cli/runtime";
import { parseTime } from "../evidence/deployment";
import { backupPrefix, latestBackup, parseBackupKind } from "./backup";
import { automationDeployer, Deployer } from "./deployer";
import { changedModules } from "./modules";
import { assertRollbackUsage, describeRollback, RollbackOptions, runRollback } from "./rollback";

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerPromotion(program: Command, deps: { deployer: Deployer } = { deployer: automationDeployer }): void {
    program.command("rollback")
        .description("redeploy the last version that worked (recorded in ops.deployments) and record the rollback")
        .addOption(new Option("--db <url>", "evidence database URL").env("EVIDENCE_DB_URL"))
        .option("--to <target>", "previous, or a commit SHA that succeeded in this environment", "previous")
        .option("--environment <name>", "environment to roll back", "production")
        .option("--stack <name>", "Pulumi stack (default: the environment; org/project/stack accepted)")
        .option("--work-dir <dir>", "Pulumi project directory (a checkout of the target SHA)", path.resolve(__dirname, "../.."))
        .option("--dry-run", "only print the SHA and image that would be redeployed")
        .option("--force", "with --to <sha>: allow a SHA that was rolled back before")
        .option("--actor <name>", "who asked (default: GITHUB_ACTOR)")
        .option("--run-url <url>", "CI run (default: from GITHUB_* variables)")
        .option("--evidence-dir <dir>", "root of the evidence files", "evidence")
        .addOption(new Option("--stamp <stamp>", "evidence/<stamp>/… directory").env("ODOO_PLATFORM_EVIDENCE_STAMP"))
        .option("--evidence-uri <uri>", "what the row's evidence_uri says")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: RollbackOptions & { json?: boolean }) => {
            assertRollbackUsage(opts);
            const report = await runRollback(opts, { deployer: deps.deployer, progress: progress("rollback") });
            return { exitCode: 0, report, text: describeRollback(report) };
        }));

    const modules = program.commands.find((c) => c.name() === "modules") ?? program.command("modules").description("Odoo modules of the repository");
    modules.command("changed")
        .description("modules whose files changed between two commits: the list for `odoo -u`")
        .option("--from <sha>", "commit running now (empty: every module)")
        .option("--to <sha>", "commit being deployed", "HEAD")
        .option("--addons-dir <dir>", "addons directory in the repository (repeatable)", collect, [])
        .option("--repo-dir <dir>", "the git checkout", ".")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { from?: string; to: string; addonsDir: string[]; repoDir: string; json?: boolean }) => {
            const report = changedModules({ from: opts.from || undefined, to: opts.to, addonsDirs: opts.addonsDir.length ? opts.addonsDir : ["addons"], repoDir: opts.repoDir });
            return { exitCode: 0, report, text: report.modules.join(",") };
        }));

    const backup = program.commands.find((c) => c.name() === "backup") ?? program.command("backup").description("production backups in the snapshot bucket");
    backup.command("prefix")
        .description("key prefix of a production backup: production/{daily,weekly,monthly}/<stamp>/ or production/promotion/<stamp>/")
        .requiredOption("--kind <kind>", "scheduled or promotion")
        .option("--date <time>", "time of the backup (default now)")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { kind: string; date?: string; json?: boolean }) => {
            const prefix = backupPrefix(parseBackupKind(opts.kind), parseTime(opts.date, "--date", new Date()));
            return { exitCode: 0, report: { prefix }, text: prefix };
        }));
    backup.command("latest")
        .description("s3:// URI of the newest production backup (any tier, promotion backups included)")
        .requiredOption("--bucket <name>", "the snapshot bucket")
        .option("--region <region>", "AWS region", process.env.AWS_REGION ?? "eu-west-1")
        .option("--endpoint <url>", "S3-compatible endpoint (tests, MinIO)")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { bucket: string; region: string; endpoint?: string; json?: boolean }) => {
            const client = new S3Client({ region: opts.region, endpoint: opts.endpoint, forcePathStyle: !!opts.endpoint });
            try {
                const prefix = await latestBackup(client, opts.bucket);
                if (!prefix) throw new CliError(`no production backup under s3://${opts.bucket}/production/: run the production-backup workflow first`);
                const uri = `s3://${opts.bucket}/${prefix}`;
                return { exitCode: 0, report: { uri, prefix }, text: uri };
            } finally {
                client.destroy();
            }
        }));
}
