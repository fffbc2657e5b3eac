/**
 * `odoo-platform postmortem --evidence-db URL (--deployment ID | --since DATE)`: drafts a postmortem for
 * each failed deployment recorded in ops.deployments.
 */
import { Command } from "commander";
import { evidenceDb, evidenceDbOption, misplacedDbOption } from "../options";
import { action, progress, UsageError } from "../runtime";
import { generatePostmortems, renderPostmortemReport } from "../../postmortem/generate";
import type { Selection } from "../../postmortem/query";

interface PostmortemCliOptions {
    evidenceDb?: string;
    deployment?: string;
    since?: string;
    evidenceDir: string;
    out: string;
    json?: boolean;
}

export function parseSelection(opts: { deployment?: string; since?: string }): Selection {
    if ((opts.deployment === undefined) === (opts.since === undefined)) {
        throw new UsageError(
            "give exactly one of --deployment <id> (one failed deployment) or --since <date> (every failed deployment since, e.g. 2026-11-01)",
        );
    }
    if (opts.deployment !== undefined) {
        if (!/^[1-9][0-9]{0,17}$/.test(opts.deployment))
            throw new UsageError(`--deployment must be a deployment id (a positive whole number from ops.deployments), got "${opts.deployment}"`);
        return { deploymentId: Number(opts.deployment) };
    }
    const since = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(opts.since!)
        ? new Date(opts.since!.length === 10 ? `${opts.since}T00:00:00Z` : opts.since!)
        : new Date(NaN);
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since must be a date such as 2026-11-01 or 2026-11-01T08:00:00Z, got "${opts.since}"`);
    return { since };
}

export function register(program: Command): void {
    program
        .command("postmortem")
        .description("Draft docs/postmortems/<YYYYMMDD>-<environment>-deploy-<sha>.md for failed deployments: timeline, what changed, health, evidence logs")
        .addOption(evidenceDbOption())
        .addOption(misplacedDbOption("postmortem"))
        .option("--deployment <id>", "the failed deployment (ops.deployments.id)")
        .option("--since <date>", "every failed deployment finished since this date (UTC)")
        .option("--evidence-dir <dir>", "evidence files root", "evidence")
        .option("--out <dir>", "where postmortems are written", "docs/postmortems")
        .option("--json", "print the report as JSON")
        .action(
            action<PostmortemCliOptions>(async (opts) => {
                const selection = parseSelection(opts);
                const report = await generatePostmortems(
                    { db: evidenceDb(opts), selection, evidenceDir: opts.evidenceDir, outDir: opts.out },
                    progress("postmortem"),
                );
                return { exitCode: 0, report, text: renderPostmortemReport(report) };
            }),
        );
}
