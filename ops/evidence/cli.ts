/**
 * CLI: `odoo-platform evidence {migrate,build,deployment,migrations,current}` and
 * `odoo-platform health`. Thin: parse, call the library, print the report.
 */
import { Command, Option } from "commander";
import { action, progress } from "../cli/runtime";
import { connect, parseDatabaseUrl } from "../postgres/connect";
import { loadHistory, provenImage, runningDeployment } from "../promotion/rollback";
import { recordBuild } from "./build";
import { recordDeployment } from "./deployment";
import { runHealth } from "./health";
import { migrateEvidence } from "./migrate";
import { recordMigrations } from "./modules";
import { parseEnvironment, parseGitSha } from "./schema";

export const evidenceDbVariable = "EVIDENCE_DB_URL";

const evidenceDbOption = (flag = "--db <url>") =>
    new Option(flag, "evidence database URL (ops schema); password from PGPASSWORD or the URL").env(evidenceDbVariable);

/** Options every emitter shares: where the evidence files go. */
function withEvidenceFiles(command: Command): Command {
    return command
        .option("--evidence-dir <dir>", "root of the evidence files", "evidence")
        .addOption(new Option("--stamp <stamp>", "evidence/<stamp>/… directory, e.g. 20261124T153012Z (default: now)").env("ODOO_PLATFORM_EVIDENCE_STAMP"))
        .option("--evidence-uri <uri>", "what the row's evidence_uri says (default: the local directory)")
        .option("--json", "print the report as JSON");
}

/** The `evidence` command, shared with other groups that add subcommands to it (e.g. `evidence prune`). */
export function evidenceCommand(program: Command): Command {
    return program.commands.find((c) => c.name() === "evidence")
        ?? program.command("evidence").description("deployment evidence in the ops schema: migrate it, record builds, deployments, module upgrades");
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerEvidence(program: Command): void {
    const evidence = evidenceCommand(program);

    evidence.command("migrate")
        .description("create or upgrade the ops schema (versioned, checksummed, safe to run twice)")
        .addOption(evidenceDbOption())
        .option("--dry-run", "list pending migrations, change nothing")
        .option("--lock-timeout <ms>", "wait this long for another migrate run", "60000")
        .addOption(new Option("--schema <name>", "schema of the evidence tables (when the database has an ops schema of its own)").env("EVIDENCE_SCHEMA").default("ops"))
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { db?: string; dryRun?: boolean; lockTimeout: string; schema: string; json?: boolean }) => {
            const report = await migrateEvidence(parseDatabaseUrl(opts.db, "--db (or EVIDENCE_DB_URL)"), {
                dryRun: opts.dryRun, lockTimeoutMs: Number(opts.lockTimeout), progress: progress("evidence migrate"), schema: opts.schema,
            });
            const text = opts.dryRun
                ? `ops schema at version ${report.version}; pending: ${report.pending.map((p) => `${p.version} ${p.name}`).join(", ") || "none"}`
                : report.applied.length
                    ? `applied ${report.applied.map((a) => `${a.version} ${a.name} (${a.ms} ms)`).join(", ")}; ops schema at version ${report.version}`
                    : `ops schema already at version ${report.version}: nothing to do`;
            return { exitCode: 0, report, text };
        }));

    withEvidenceFiles(evidence.command("build")
        .description("record one build: commit, branch, author, time, dependency lock hash, image digest")
        .addOption(evidenceDbOption())
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
        .option("--log-file <file>", "build log, kept as logs/build.log"))
        .action(action(async (opts: Parameters<typeof recordBuild>[0] & { json?: boolean }) => {
            const report = await recordBuild({ ...opts, lockFile: opts.lockFile.length ? opts.lockFile : ["package-lock.json"] });
            return { exitCode: 0, report, text: `recorded build #${report.id}: ${report.gitSha.slice(0, 12)} on ${report.branch}, ${report.imageReference}, lock ${report.lockHash.slice(0, 19)}…; evidence in ${report.evidenceUri}` };
        }));

    withEvidenceFiles(evidence.command("deployment")
        .description("record one deployment from `pulumi stack output --json` (the outputs are the evidence)")
        .addOption(evidenceDbOption())
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
        .option("--log-file <file>", "deployment log, kept as logs/deploy.log"))
        .action(action(async (opts: Parameters<typeof recordDeployment>[0] & { json?: boolean }) => {
            const report = await recordDeployment(opts);
            return { exitCode: 0, report, text: `recorded deployment #${report.id}: ${report.environment} ${report.gitSha.slice(0, 12)} ${report.status}${report.buildId ? ` (build #${report.buildId})` : ""}; evidence in ${report.evidenceUri}` };
        }));

    withEvidenceFiles(evidence.command("migrations")
        .description("record module upgrades (ir_module_module before/after, scripts and seconds from the update log)")
        .requiredOption("--db <url>", "the Odoo database")
        .addOption(evidenceDbOption("--evidence-db <url>"))
        .option("--capture <file>", "only save the current module versions to <file> (run before the upgrade)")
        .option("--before <file>", "module versions saved with --capture before the upgrade")
        .option("--deployment <id>", "the ops.deployments id these upgrades belong to")
        .option("--environment <name>", "environment (read from the deployment when --deployment is given)")
        .option("--dry-run", "a promotion's migration dry run on a throwaway copy")
        .option("--log-file <file>", "the Odoo update log, parsed and kept as logs/update.log"))
        .action(action(async (opts: Parameters<typeof recordMigrations>[0] & { json?: boolean }) => {
            const report = await recordMigrations(opts);
            const text = report.captured
                ? `saved module versions of ${report.database} to ${report.captured}`
                : report.changes.length
                    ? [`recorded ${report.changes.length} module change(s) of ${report.database}:`,
                        ...report.changes.map((c) => `  ${c.module} ${c.versionBefore ?? "-"} → ${c.versionAfter ?? "-"}${c.scripts.length ? ` (${c.scripts.join(", ")})` : ""}${c.seconds !== undefined ? ` ${c.seconds}s` : ""}`)].join("\n")
                    : `no module of ${report.database} changed: nothing recorded`;
            return { exitCode: 0, report, text };
        }));

    evidence.command("current")
        .description("the deployment running now in an environment (newest succeeded or rolled_back)")
        .addOption(evidenceDbOption())
        .requiredOption("--environment <name>", "dev, staging, production or pr-<n>")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { db?: string; environment: string; json?: boolean }) => {
            const environment = parseEnvironment(opts.environment, "--environment");
            const client = await connect(parseDatabaseUrl(opts.db, "--db (or EVIDENCE_DB_URL)"));
            try {
                const running = runningDeployment(await loadHistory(client, environment));
                return { exitCode: 0, report: { environment, deployment: running ?? null }, text: running?.gitSha ?? "" };
            } finally {
                await client.end();
            }
        }));

    evidence.command("image")
        .description("the pinned image a commit ran with when it succeeded in an environment (what promotion deploys)")
        .addOption(evidenceDbOption())
        .requiredOption("--environment <name>", "where the commit must have succeeded (staging for a promotion)")
        .requiredOption("--sha <sha>", "the commit")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { db?: string; environment: string; sha: string; json?: boolean }) => {
            const environment = parseEnvironment(opts.environment, "--environment");
            const sha = parseGitSha(opts.sha, "--sha");
            const client = await connect(parseDatabaseUrl(opts.db, "--db (or EVIDENCE_DB_URL)"));
            try {
                const proven = provenImage(environment, await loadHistory(client, environment), sha);
                return { exitCode: 0, report: { environment, deployment: proven }, text: proven.imageReference };
            } finally {
                await client.end();
            }
        }));

    withEvidenceFiles(program.command("health")
        .description("HTTP 200 from Odoo's /web/health and a working database connection; the result is recorded")
        .requiredOption("--url <url>", "the environment's URL (…/web/health is appended)")
        .requiredOption("--db <url>", "the Odoo database")
        .option("--environment <name>", "environment the result is recorded for")
        .option("--git-sha <sha>", "commit expected to be running")
        .option("--timeout <duration>", "per-attempt timeout", "10s")
        .option("--wait <duration>", "retry until healthy for this long", "0s")
        .option("--interval <duration>", "pause between attempts", "5s")
        .addOption(evidenceDbOption("--evidence-db <url>"))
        .option("--no-record", "only check, record nothing"))
        .action(action(async (opts: Parameters<typeof runHealth>[0] & { json?: boolean }) => {
            const report = await runHealth(opts, process.env, progress("health"));
            const line = (name: string, ok: boolean, detail: string) => `  ${ok ? "ok  " : "FAIL"} ${name} ${detail}`;
            const text = [
                `${report.ok ? "healthy" : "UNHEALTHY"} after ${report.attempts} attempt(s)${report.id ? ` (recorded as health check #${report.id})` : ""}`,
                line("http", report.http.ok, `${report.http.url} ${report.http.status ?? "-"} ${report.http.ms} ms${report.http.error ? `: ${report.http.error}` : ""}`),
                line("database", report.database.ok, `${report.database.database} ${report.database.ms} ms${report.database.error ? `: ${report.database.error}` : ""}`),
            ].join("\n");
            return { exitCode: report.ok ? 0 : 1, report, text };
        }));
}
