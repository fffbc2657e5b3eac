/**
 * `odoo-platform evidence migrate | build | deployment | migrations | current | image | prune`: the
 * evidence in the ops schema and its files. Thin: parse, call the library, print the report.
 */
import { Command, Option } from "commander";
import { recordBuild } from "../../evidence/build";
import { recordDeployment } from "../../evidence/deployment";
import { migrateEvidence } from "../../evidence/migrate";
import { recordMigrations } from "../../evidence/modules";
import { pruneEvidence, renderPruneReport } from "../../evidence/prune";
import { parseAge, validatePolicy } from "../../evidence/prunePolicy";
import { parseEnvironment, parseGitSha } from "../../evidence/schema";
import { connect } from "../../postgres/connect";
import { loadHistory, provenImage, runningDeployment } from "../../promotion/rollback";
import { parseS3Url, s3Client } from "../../s3";
import {
    asUsage,
    collect,
    evidenceDb,
    evidenceDbOption,
    odooDbOption,
    misplacedDbOption,
    S3CliOptions,
    s3OptionsOf,
    withEvidenceFiles,
    withS3Options,
} from "../options";
import { action, progress } from "../runtime";

export function register(program: Command): void {
    const evidence = program
        .command("evidence")
        .description("deployment evidence in the ops schema: migrate it, record builds, deployments, module upgrades, prune its files");

    evidence
        .command("migrate")
        .description("create or upgrade the ops schema (versioned, checksummed, safe to run twice)")
        .addOption(evidenceDbOption())
        .addOption(misplacedDbOption("evidence migrate"))
        .option("--dry-run", "list pending migrations, change nothing")
        .option("--lock-timeout <ms>", "wait this long for another migrate run", "60000")
        .addOption(
            new Option("--schema <name>", "schema of the evidence tables (when the database has an ops schema of its own)")
                .env("EVIDENCE_SCHEMA")
                .default("ops"),
        )
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { evidenceDb?: string; dryRun?: boolean; lockTimeout: string; schema: string; json?: boolean }) => {
                const report = await migrateEvidence(evidenceDb(opts), {
                    dryRun: opts.dryRun,
                    lockTimeoutMs: Number(opts.lockTimeout),
                    progress: progress("evidence migrate"),
                    schema: opts.schema,
                });
                const text = opts.dryRun
                    ? `ops schema at version ${report.version}; pending: ${report.pending.map((p) => `${p.version} ${p.name}`).join(", ") || "none"}`
                    : report.applied.length
                      ? `applied ${report.applied.map((a) => `${a.version} ${a.name} (${a.ms} ms)`).join(", ")}; ops schema at version ${report.version}`
                      : `ops schema already at version ${report.version}: nothing to do`;
                return { exitCode: 0, report, text };
            }),
        );

    withEvidenceFiles(
        evidence
            .command("build")
            .description("record one build: commit, branch, author, time, dependency lock hash, image digest")
            .addOption(evidenceDbOption())
            .addOption(misplacedDbOption("evidence build"))
            .requiredOption("--image <ref>", "pushed image, pinned: registry/repo@sha256:<digest>")
            .option("--sha <sha>", "commit (default: GITHUB_SHA or HEAD)")
            .option("--branch <name>", "branch (default: GITHUB_REF_NAME or the checkout's)")
            .option("--message <text>", "commit message (default: from git)")
            .option("--author <name>", "commit author (default: from git)")
            .option("--committed-at <time>", "commit time (default: from git)")
            .option("--built-at <time>", "build time (default: now)")
            .option("--lock-file <file>", "dependency lock file to hash (repeatable)", collect, [])
            .option("--repo-dir <dir>", "the git checkout", ".")
            .option("--run-url <url>", "CI run (default: from GITHUB_* variables)")
            .option("--log-file <file>", "build log, kept as logs/build.log"),
    ).action(
        action(async (opts: Parameters<typeof recordBuild>[0] & { json?: boolean }) => {
            const report = await recordBuild({ ...opts, lockFile: opts.lockFile.length ? opts.lockFile : ["package-lock.json"] });
            return {
                exitCode: 0,
                report,
                text: `recorded build #${report.id}: ${report.gitSha.slice(0, 12)} on ${report.branch}, ${report.imageReference}, lock ${report.lockHash.slice(0, 19)}…; evidence in ${report.evidenceUri}`,
            };
        }),
    );

    withEvidenceFiles(
        evidence
            .command("deployment")
            .description("record one deployment from `pulumi stack output --json` (the outputs are the evidence)")
            .addOption(evidenceDbOption())
            .addOption(misplacedDbOption("evidence deployment"))
            .requiredOption("--outputs <file>", "file written by `pulumi stack output --json`")
            .requiredOption("--status <status>", "succeeded, failed or rolled_back")
            .option("--environment <name>", "refuse outputs of another stack")
            .option("--expect-sha <sha>", "the commit this pipeline deployed (checked against the outputs)")
            .option("--image <ref>", "image a failed deployment attempted (pinned)")
            .option("--started-at <time>", "when the deployment started (ISO 8601 or Unix seconds; default now)")
            .option("--finished-at <time>", "when it finished (default now)")
            .option("--health <file>", "report of `odoo-platform health --json`")
            .option("--upgraded-modules <list>", "modules upgraded with -u (comma-separated)")
            .option("--rollback-of <sha>", "for --status rolled_back: the SHA rolled back")
            .option("--run-url <url>", "CI run (default: from GITHUB_* variables)")
            .option("--actor <name>", "who deployed or approved (default: GITHUB_ACTOR)")
            .option("--log-file <file>", "deployment log, kept as logs/deploy.log"),
    ).action(
        action(async (opts: Parameters<typeof recordDeployment>[0] & { json?: boolean }) => {
            const report = await recordDeployment(opts);
            return {
                exitCode: 0,
                report,
                text: `recorded deployment #${report.id}: ${report.environment} ${report.gitSha.slice(0, 12)} ${report.status}${report.buildId ? ` (build #${report.buildId})` : ""}; evidence in ${report.evidenceUri}`,
            };
        }),
    );

    withEvidenceFiles(
        evidence
            .command("migrations")
            .description("record module upgrades (ir_module_module before/after, scripts and seconds from the update log)")
            .addOption(odooDbOption())
            .addOption(evidenceDbOption())
            .option("--capture <file>", "only save the current module versions to <file> (run before the upgrade)")
            .option("--before <file>", "module versions saved with --capture before the upgrade")
            .option("--deployment <id>", "the ops.deployments id these upgrades belong to")
            .option("--environment <name>", "environment (read from the deployment when --deployment is given)")
            .option("--dry-run", "a promotion's migration dry run on a throwaway copy")
            .option("--log-file <file>", "the Odoo update log, parsed and kept as logs/update.log"),
    ).action(
        action(async (opts: Parameters<typeof recordMigrations>[0] & { json?: boolean }) => {
            const report = await recordMigrations(opts);
            const text = report.captured
                ? `saved module versions of ${report.database} to ${report.captured}`
                : report.changes.length
                  ? [
                        `recorded ${report.changes.length} module change(s) of ${report.database}:`,
                        ...report.changes.map(
                            (c) =>
                                `  ${c.module} ${c.versionBefore ?? "-"} → ${c.versionAfter ?? "-"}${c.scripts.length ? ` (${c.scripts.join(", ")})` : ""}${c.seconds !== undefined ? ` ${c.seconds}s` : ""}`,
                        ),
                    ].join("\n")
                  : `no module of ${report.database} changed: nothing recorded`;
            return { exitCode: 0, report, text };
        }),
    );

    evidence
        .command("current")
        .description("the deployment running now in an environment (newest succeeded or rolled_back)")
        .addOption(evidenceDbOption())
        .addOption(misplacedDbOption("evidence current"))
        .requiredOption("--environment <name>", "dev, staging, production or pr-<n>")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { evidenceDb?: string; environment: string; json?: boolean }) => {
                const environment = parseEnvironment(opts.environment, "--environment");
                const client = await connect(evidenceDb(opts));
                try {
                    const running = runningDeployment(await loadHistory(client, environment));
                    return { exitCode: 0, report: { environment, deployment: running ?? null }, text: running?.gitSha ?? "" };
                } finally {
                    await client.end();
                }
            }),
        );

    evidence
        .command("image")
        .description("the pinned image a commit ran with when it succeeded in an environment (what promotion deploys)")
        .addOption(evidenceDbOption())
        .addOption(misplacedDbOption("evidence image"))
        .requiredOption("--environment <name>", "where the commit must have succeeded (staging for a promotion)")
        .requiredOption("--sha <sha>", "the commit")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { evidenceDb?: string; environment: string; sha: string; json?: boolean }) => {
                const environment = parseEnvironment(opts.environment, "--environment");
                const sha = parseGitSha(opts.sha, "--sha");
                const client = await connect(evidenceDb(opts));
                try {
                    const proven = provenImage(environment, await loadHistory(client, environment), sha);
                    return { exitCode: 0, report: { environment, deployment: proven }, text: proven.imageReference };
                } finally {
                    await client.end();
                }
            }),
        );

    registerPrune(evidence);
}

interface PruneCliOptions extends S3CliOptions {
    dir: string;
    compressAfter: string;
    deleteAfter: string;
    to?: string;
    dryRun?: boolean;
    json?: boolean;
}

function registerPrune(evidence: Command): void {
    withS3Options(
        evidence
            .command("prune")
            .description(
                "Apply the evidence retention policy: gzip files older than --compress-after (moving them to --to when given), delete files older than --delete-after",
            )
            .option("--dir <dir>", "evidence directory", "evidence")
            .option("--compress-after <age>", "compress files older than this (30d, 12h, 2w)", "30d")
            .option("--delete-after <age>", "delete files older than this", "90d")
            .option("--to <s3url>", "long-term storage for compressed files, e.g. s3://my-bucket/evidence"),
    )
        .option("--dry-run", "report what would happen, change nothing")
        .option("--json", "print the report as JSON")
        .action(
            action<PruneCliOptions>(async (opts) => {
                const { compressAfterDays, deleteAfterDays } = asUsage(() => {
                    const policy = {
                        compressAfterDays: parseAge(opts.compressAfter, "--compress-after"),
                        deleteAfterDays: parseAge(opts.deleteAfter, "--delete-after"),
                    };
                    validatePolicy({ ...policy, archive: false });
                    return policy;
                });
                const to = opts.to ? parseS3Url(opts.to, "--to") : undefined;
                const s3 = to && !opts.dryRun ? s3Client(s3OptionsOf(opts)) : undefined;
                try {
                    const report = await pruneEvidence(
                        { dir: opts.dir, policy: { compressAfterDays, deleteAfterDays }, to, dryRun: !!opts.dryRun },
                        { s3, progress: progress("evidence prune") },
                    );
                    return { exitCode: report.ok ? 0 : 1, report, text: renderPruneReport(report) };
                } finally {
                    s3?.destroy();
                }
            }),
        );
}
