/**
 * `odoo-platform pr up|down|sweep`: the CLI shell over ops/pr/lifecycle.ts, wired to the real
 * Pulumi backend (Automation API) and GitHub (Octokit) by ops/cli/environmentDeps.ts. CI runs these; so can a person with the
 * same credentials (PULUMI_ACCESS_TOKEN, GITHUB_TOKEN, GITHUB_REPOSITORY).
 */
import type { Command } from "commander";
import { DownReport, prDown, prSweep, prUp, SweepReport, UpReport } from "../../pr/lifecycle";
import { describeEnvironment, prNumber } from "../../pr/naming";
import { CommonOptions, guarded, realDeps } from "../environmentDeps";
import { action, CommandResult, UsageError } from "../runtime";

export function renderUp(report: UpReport): string {
    switch (report.outcome) {
        case "deployed": {
            const tests = report.tests
                ? `${report.tests.verdict}: ${report.tests.line}${report.tests.firstFailure ? ` (first failure: ${report.tests.firstFailure.test})` : ""}`
                : "no module to test";
            return `PR #${report.pr} deployed (${report.stack}, ${report.sha?.slice(0, 12)})\n  Odoo:         ${report.url}\n  Mail catcher: ${report.mailCatcherUrl ?? "-"}\n  Database:     ${report.database ?? "-"}\n  Tests:        ${tests}`;
        }
        case "queued":
            return `PR #${report.pr} queued (position ${report.position?.position} of ${report.position?.length}); slots held by ${(report.holders ?? []).map(describeEnvironment).join(", ")}`;
        case "skipped":
            return `PR #${report.pr} not deployed: ${report.reason}`;
    }
}

export function renderDown(report: DownReport): string {
    const promoted = report.promoted.length ? `\n  freed slot handed to ${report.promoted.map(describeEnvironment).join(", ")}` : "";
    return `${report.destroyed ? `${report.stack} destroyed` : `${report.stack} did not exist: nothing to destroy`} (${report.reason})${promoted}`;
}

export function renderSweep(report: SweepReport): string {
    const lines = [`${report.dryRun ? "Would remove" : "Removed"} ${report.actions.length} of ${report.stacks} PR stack(s):`];
    for (const a of report.actions) lines.push(`  ${a.stack}: ${a.reason} — ${a.detail}`);
    if (report.promoted.length)
        lines.push(`${report.dryRun ? "Would dispatch" : "Dispatched"} queued environment(s): ${report.promoted.map(describeEnvironment).join(", ")}`);
    for (const f of report.failures) lines.push(`  ✗ ${describeEnvironment(f.pr)}: ${f.error}`);
    return lines.join("\n");
}

export function register(program: Command): void {
    const pr = program.command("pr").description("Per-pull-request environments: deploy, remove, sweep (Pulumi Automation API + GitHub)");

    pr.command("up")
        .description("Deploy (or queue) the environment of a pull request and update its sticky comment")
        .requiredOption("--pr <number>", "pull request number")
        .option("--branch <name>", "head branch (names the host pr-<n>-<slug>)")
        .option("--sha <sha>", "commit to deploy")
        .option("--image <ref>", "image CI built for the commit, by digest (default: Pulumi.pr.yaml's odooImage)")
        .option("--from-queue", "deploy the build recorded in the PR's queued comment (dispatched when a slot frees)")
        .option("--test-log <file>", "write the build's full test log to this file")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { pr: string; branch?: string; sha?: string; image?: string; fromQueue?: boolean }): Promise<CommandResult> => {
                const number = parsePr(opts.pr);
                const report = await guarded(() =>
                    prUp(realDeps("pr up", opts), { pr: number, branch: opts.branch, sha: opts.sha, image: opts.image, fromQueue: opts.fromQueue }),
                );
                // A red build fails the job too, so the run's own check agrees with the commit status.
                return { exitCode: report.tests?.verdict === "red" ? 1 : 0, report, text: renderUp(report) };
            }),
        );

    pr.command("down")
        .description("Destroy a pull request's environment and remove its stack (idempotent)")
        .requiredOption("--pr <number>", "pull request number")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { pr: string }): Promise<CommandResult> => {
                const report = await guarded(() => prDown(realDeps("pr down", opts), { pr: parsePr(opts.pr) }));
                return { exitCode: 0, report, text: renderDown(report) };
            }),
        );

    pr.command("sweep")
        .description("Remove environments of closed/merged PRs and idle ones past the TTL; deploy queued PRs into freed slots")
        .option("--dry-run", "only report what would be removed and promoted")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { dryRun?: boolean }): Promise<CommandResult> => {
                const report = await guarded(() => prSweep(realDeps("pr sweep", opts), { dryRun: !!opts.dryRun }));
                return { exitCode: report.failures.length ? 1 : 0, report, text: renderSweep(report) };
            }),
        );
}

function parsePr(value: string): number {
    try {
        return prNumber(value);
    } catch (err) {
        throw new UsageError(`--pr: ${(err as Error).message}`);
    }
}
