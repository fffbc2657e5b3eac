/**
 * CLI: `odoo-platform promote` (the safe update), `odoo-platform rollback`,
 * `odoo-platform modules {changed,plan}`, `odoo-platform backup {prefix,latest}`.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { Command, Option } from "commander";
import * as path from "node:path";
import { action, CliError, progress, UsageError } from "../cli/runtime";
import { checkHealth, healthUrl } from "../evidence/health";
import { planBundle, resolveStamp } from "../evidence/files";
import { parseEnvironment, parseGitSha } from "../evidence/schema";
import { githubFromEnvironment } from "../pr/github";
import { generatePostmortems } from "../postmortem/generate";
import { connect, parseDatabaseUrl } from "../postgres/connect";
import { openVerifiedSnapshot, restoreSnapshot } from "../snapshot/restore";
import { decideUpdates, moduleChecksum } from "./checksums";
import { captureModuleChecksums, describeSafeUpdate, runSafeUpdate, SafeUpdateReport } from "./safeUpdate";
import { parseTime } from "../evidence/deployment";
import { backupPrefix, latestBackup, parseBackupKind } from "./backup";
import { automationDeployer, Deployer } from "./deployer";
import { changedModules, defaultAddonsRoots, moduleLocations } from "./modules";
import { assertRollbackUsage, describeRollback, RollbackOptions, runRollback } from "./rollback";

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Puts the backup's filestore files back into the Docker volume (adding what the update removed, keeping newer files). */
async function mergeFilestore(backup: string, volume: string, image: string): Promise<void> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(volume)) throw new UsageError(`--filestore-volume "${volume}" is not a Docker volume name`);
    const snapshot = await openVerifiedSnapshot(backup);
    try {
        if (!snapshot.manifest.filestore) return;
        const tar = path.join(snapshot.dir, snapshot.manifest.filestore.path);
        await new Promise<void>((resolve, reject) => {
            const child = spawn("docker", ["run", "--rm", "-i", "--entrypoint", "tar", "-v", `${volume}:/data`, image, "-C", "/data", "-xf", "-"], { stdio: ["pipe", "inherit", "inherit"] });
            fs.createReadStream(tar).pipe(child.stdin);
            child.on("error", reject);
            child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`restoring the filestore into volume ${volume} exited with code ${code}`))));
        });
    } finally {
        snapshot.dispose();
    }
}

interface PromoteOptions {
    environment: string;
    stack?: string;
    workDir: string;
    sha: string;
    image: string;
    backup: string;
    odooDb?: string;
    db?: string;
    healthWindow: string;
    startup: string;
    probe: string;
    filestoreVolume?: string;
    evidenceDir: string;
    stamp?: string;
    evidenceUri?: string;
    postmortemDir: string;
    status: boolean;
    json?: boolean;
}

export function registerPromotion(program: Command, deps: { deployer: Deployer } = { deployer: automationDeployer }): void {
    program.command("promote")
        .description("update staging or production safely: module update while the previous Odoo serves, a health window, and on failure the pre-update backup restored and the previous image redeployed")
        .option("--environment <name>", "staging or production", "production")
        .option("--stack <name>", "Pulumi stack (default: the environment; org/project/stack accepted)")
        .option("--work-dir <dir>", "Pulumi project directory (a checkout of --sha)", path.resolve(__dirname, "../.."))
        .requiredOption("--sha <sha>", "commit being deployed")
        .requiredOption("--image <ref>", "its image, pinned: repository@sha256:…")
        .requiredOption("--backup <location>", "the pre-update backup just taken (s3://… or a directory)")
        .addOption(new Option("--odoo-db <url>", "the environment's Odoo database").env("ODOO_DB_URL"))
        .addOption(new Option("--db <url>", "evidence database URL").env("EVIDENCE_DB_URL"))
        .option("--health-window <seconds>", "the new version must pass every health check this long (odoo-platform:healthWindowSeconds)", "300")
        .option("--startup <seconds>", "time the new Odoo has to answer at all", "180")
        .option("--probe <seconds>", "time between health checks", "15")
        .option("--filestore-volume <name>", "Docker volume of the filestore: on a revert the backup's files are put back (DOCKER_HOST)")
        .option("--evidence-dir <dir>", "root of the evidence files", "evidence")
        .addOption(new Option("--stamp <stamp>", "evidence/<stamp>/… directory").env("ODOO_PLATFORM_EVIDENCE_STAMP"))
        .option("--evidence-uri <uri>", "what the rows' evidence_uri says")
        .option("--postmortem-dir <dir>", "where a failed update's postmortem draft is written", "docs/postmortems")
        .option("--no-status", "do not set the commit status odoo-platform/<environment>")
        .option("--json", "print the report as JSON")
        .action(action(async (opts: PromoteOptions) => {
            const environment = parseEnvironment(opts.environment, "--environment");
            if (environment !== "staging" && environment !== "production") throw new UsageError(`--environment must be staging or production, got "${environment}"`);
            const gitSha = parseGitSha(opts.sha, "--sha");
            const odooDb = parseDatabaseUrl(opts.odooDb, "--odoo-db (or ODOO_DB_URL)");
            const evidenceDb = parseDatabaseUrl(opts.db, "--db (or EVIDENCE_DB_URL)");
            const number = (value: string, option: string) => {
                const n = Number(value);
                if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${option} must be a whole number of seconds > 0, got "${value}"`);
                return n;
            };
            const healthWindowSeconds = number(opts.healthWindow, "--health-window");
            const bundle = planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp), kind: "deploy", uri: opts.evidenceUri });
            const statuses = opts.status && process.env.GITHUB_TOKEN ? githubFromEnvironment(process.env) : undefined;
            const p = progress("promote");
            try {
                const report = await runSafeUpdate({
                    environment,
                    stack: opts.stack ?? environment,
                    workDir: opts.workDir,
                    gitSha,
                    image: opts.image,
                    backup: opts.backup,
                    evidenceDb,
                    bundle,
                    healthWindowSeconds,
                    startupSeconds: number(opts.startup, "--startup"),
                    probeSeconds: number(opts.probe, "--probe"),
                }, {
                    deployer: deps.deployer,
                    probe: (url) => checkHealth({ url: healthUrl(url), db: odooDb, timeoutMs: 10_000, waitMs: 0, intervalMs: 0 }),
                    restore: async (backup) => {
                        // The backup this run took of this very database: putting it back over production is
                        // the point, so the run confirms the target by name (restore refuses production otherwise).
                        await restoreSnapshot({ from: backup, dbUrl: odooDb.url, keepPrevious: true, confirm: odooDb.database, progress: p });
                        if (opts.filestoreVolume) await mergeFilestore(backup, opts.filestoreVolume, opts.image);
                    },
                    capture: () => captureModuleChecksums(odooDb),
                    postmortem: async (deploymentId) => (await generatePostmortems({ db: evidenceDb, selection: { deploymentId }, evidenceDir: opts.evidenceDir, outDir: opts.postmortemDir, cwd: opts.workDir }, p)).postmortems.map((f) => f.file),
                    statuses,
                    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                    now: () => new Date(),
                    progress: p,
                });
                return { exitCode: 0, report, text: describeSafeUpdate(report) };
            } catch (err) {
                const report = (err as { report?: SafeUpdateReport }).report;
                if (report && !opts.json) process.stderr.write(`${describeSafeUpdate(report)}\n`);
                throw err;
            }
        }));

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

    modules.command("plan")
        .description("modules a deploy would update (checksum changed) and install (selected, missing), from this checkout and the database's stored checksums")
        .addOption(new Option("--db <url>", "the environment's Odoo database").env("ODOO_DB_URL"))
        .option("--addons-dir <dir>", "addons root in the repository (repeatable)", collect, [])
        .option("--repo-dir <dir>", "the checkout", ".")
        .option("--exclude <pattern>", "extra checksum exclusion (fnmatch, relative to a module; repeatable)", collect, [])
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { db?: string; addonsDir: string[]; repoDir: string; exclude: string[]; json?: boolean }) => {
            const db = parseDatabaseUrl(opts.db, "--db (or ODOO_DB_URL)");
            const locations = moduleLocations(opts.repoDir, opts.addonsDir.length ? opts.addonsDir : defaultAddonsRoots);
            const captured = await captureModuleChecksums(db);
            const client = await connect(db);
            let languages: string[] = [];
            try {
                languages = (await client.query("SELECT code FROM res_lang WHERE active").catch(() => ({ rows: [] as { code: string }[] }))).rows.map((r) => r.code);
            } finally {
                await client.end();
            }
            const current = Object.fromEntries(locations.map((m) => [m.name, moduleChecksum(path.join(opts.repoDir, m.path), { exclude: opts.exclude, languages })]));
            const installed = captured.modules.filter((m) => m.state === "installed" || m.state === "to upgrade").map((m) => m.name);
            const decision = decideUpdates({ installed, selected: locations.map((m) => m.name), stored: captured.checksums, current });
            const text = `update: ${decision.update.join(",") || "nothing"}\ninstall: ${decision.install.join(",") || "nothing"}${decision.baseline ? "\n(no checksum stored yet: the first deploy updates the selected modules and stores a baseline)" : ""}`;
            return { exitCode: 0, report: { ...decision, checksums: current }, text };
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
