/**
 * `odoo-platform promote`: the safe update of staging or production (ops/promotion/safeUpdate.ts):
 * module update while the previous Odoo serves, a health window, and on failure the pre-update backup
 * restored and the previous image redeployed.
 */
import { Command, Option } from "commander";
import { InvalidInputError } from "../../core/errors";
import { planBundle, resolveStamp } from "../../evidence/files";
import { checkHealth, healthUrl } from "../../evidence/health";
import { parseEnvironment, parseGitSha } from "../../evidence/schema";
import { generatePostmortems } from "../../postmortem/generate";
import { parseDatabaseUrl } from "../../postgres/connect";
import { githubFromEnvironment } from "../../pr/github";
import { automationDeployer, Deployer } from "../../promotion/deployer";
import { mergeFilestore } from "../../promotion/filestore";
import { captureModuleChecksums, describeSafeUpdate, runSafeUpdate, SafeUpdateReport } from "../../promotion/safeUpdate";
import { restoreSnapshot } from "../../snapshot/restore";
import { evidenceDb, evidenceDbOption, odooDbOption } from "../options";
import { action, progress } from "../runtime";
import { projectDir } from "../../../config/projectDir";

interface PromoteOptions {
    environment: string;
    stack?: string;
    workDir: string;
    sha: string;
    image: string;
    backup: string;
    /** The Odoo database. */
    db?: string;
    evidenceDb?: string;
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

export function register(program: Command, deps: { deployer: Deployer } = { deployer: automationDeployer }): void {
    program
        .command("promote")
        .description(
            "update staging or production safely: module update while the previous Odoo serves, a health window, and on failure the pre-update backup restored and the previous image redeployed",
        )
        .option("--environment <name>", "staging or production", "production")
        .option("--stack <name>", "Pulumi stack (default: the environment; org/project/stack accepted)")
        .option("--work-dir <dir>", "Pulumi project directory (a checkout of --sha)", projectDir)
        .requiredOption("--sha <sha>", "commit being deployed")
        .requiredOption("--image <ref>", "its image, pinned: repository@sha256:…")
        .requiredOption("--backup <location>", "the pre-update backup just taken (s3://… or a directory)")
        .addOption(odooDbOption("the environment's Odoo database (or ODOO_DB_URL)", "ODOO_DB_URL"))
        .addOption(evidenceDbOption())
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
        .action(
            action(async (opts: PromoteOptions) => {
                const environment = parseEnvironment(opts.environment, "--environment");
                if (environment !== "staging" && environment !== "production")
                    throw new InvalidInputError(`--environment must be staging or production, got "${environment}"`);
                const gitSha = parseGitSha(opts.sha, "--sha");
                const odooDb = parseDatabaseUrl(opts.db, "--db (or ODOO_DB_URL)");
                const evidence = evidenceDb(opts);
                const number = (value: string, option: string) => {
                    const n = Number(value);
                    if (!Number.isInteger(n) || n <= 0) throw new InvalidInputError(`${option} must be a whole number of seconds > 0, got "${value}"`);
                    return n;
                };
                const healthWindowSeconds = number(opts.healthWindow, "--health-window");
                const bundle = planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp), kind: "deploy", uri: opts.evidenceUri });
                const statuses = opts.status && process.env.GITHUB_TOKEN ? githubFromEnvironment(process.env) : undefined;
                const p = progress("promote");
                try {
                    const report = await runSafeUpdate(
                        {
                            environment,
                            stack: opts.stack ?? environment,
                            workDir: opts.workDir,
                            gitSha,
                            image: opts.image,
                            backup: opts.backup,
                            evidenceDb: evidence,
                            bundle,
                            healthWindowSeconds,
                            startupSeconds: number(opts.startup, "--startup"),
                            probeSeconds: number(opts.probe, "--probe"),
                        },
                        {
                            deployer: deps.deployer,
                            probe: (url) => checkHealth({ url: healthUrl(url), db: odooDb, timeoutMs: 10_000, waitMs: 0, intervalMs: 0 }),
                            restore: async (backup) => {
                                // The backup this run took of this very database: putting it back over production is
                                // the point, so the run confirms the target by name (restore refuses production otherwise).
                                await restoreSnapshot({ from: backup, dbUrl: odooDb.url, keepPrevious: true, confirm: odooDb.database, progress: p });
                                if (opts.filestoreVolume) await mergeFilestore(backup, opts.filestoreVolume, opts.image);
                            },
                            capture: () => captureModuleChecksums(odooDb),
                            postmortem: async (deploymentId) =>
                                (
                                    await generatePostmortems(
                                        {
                                            db: evidence,
                                            selection: { deploymentId },
                                            evidenceDir: opts.evidenceDir,
                                            outDir: opts.postmortemDir,
                                            cwd: opts.workDir,
                                        },
                                        p,
                                    )
                                ).postmortems.map((f) => f.file),
                            statuses,
                            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                            now: () => new Date(),
                            progress: p,
                        },
                    );
                    return { exitCode: 0, report, text: describeSafeUpdate(report) };
                } catch (err) {
                    const report = (err as { report?: SafeUpdateReport }).report;
                    if (report && !opts.json) process.stderr.write(`${describeSafeUpdate(report)}\n`);
                    throw err;
                }
            }),
        );
}
