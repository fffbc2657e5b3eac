/** `odoo-platform branch match | up | down`: branch environments, with the PR lifecycle (ops/pr/branch.ts). */
import type { Command } from "commander";
import { branchDown, BranchDownReport, branchUp, BranchUpReport } from "../../pr/branch";
import { branchEnvironmentId, branchGetsEnvironment } from "../../pr/naming";
import { prPlatformSettings } from "../../pr/settings";
import { CommonOptions, configured, guarded, realDeps } from "../environmentDeps";
import { action, CommandResult } from "../runtime";

export function renderBranchUp(report: BranchUpReport): string {
    switch (report.outcome) {
        case "deployed": {
            const tests = report.tests
                ? `${report.tests.verdict}: ${report.tests.line}${report.tests.firstFailure ? ` (first failure: ${report.tests.firstFailure.test})` : ""}`
                : "no module to test";
            return `branch ${report.branch} deployed as ${report.environment} (${report.stack}, ${report.sha.slice(0, 12)})\n  Odoo:         ${report.url}\n  Mail catcher: ${report.mailCatcherUrl ?? "-"}\n  Tests:        ${tests}`;
        }
        case "queued":
            return `branch ${report.branch} queued as ${report.environment} (position ${report.position?.position} of ${report.position?.length})`;
        case "skipped":
            return `branch ${report.branch} not deployed: ${report.reason}`;
    }
}

export function register(program: Command): void {
    const branch = program
        .command("branch")
        .description("Branch environments: pushed branches matching odoo-platform:branchEnvironments, with the PR lifecycle");

    branch
        .command("match")
        .description("does this branch get an environment (odoo-platform:branchEnvironments in Pulumi.pr.yaml)? prints true or false")
        .requiredOption("--branch <name>", "the branch")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: { branch: string; json?: boolean }): Promise<CommandResult> => {
                const patterns = configured(() => prPlatformSettings()).branchEnvironments;
                const matches = branchGetsEnvironment(opts.branch, patterns);
                return {
                    exitCode: 0,
                    report: { branch: opts.branch, matches, patterns, environment: matches ? branchEnvironmentId(opts.branch) : null },
                    text: String(matches),
                };
            }),
        );

    branch
        .command("up")
        .description("Deploy (or queue) the environment of a pushed branch, run its tests and set its commit status")
        .requiredOption("--branch <name>", "the pushed branch")
        .requiredOption("--sha <sha>", "its head commit")
        .option("--image <ref>", "image CI built for the commit, by digest (default: Pulumi.pr.yaml's odooImage)")
        .option("--test-log <file>", "write the build's full test log to this file")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { branch: string; sha: string; image?: string }): Promise<CommandResult> => {
                const report = await guarded(() => branchUp(realDeps("branch up", opts), { branch: opts.branch, sha: opts.sha, image: opts.image }));
                return { exitCode: report.tests?.verdict === "red" ? 1 : 0, report, text: renderBranchUp(report) };
            }),
        );

    branch
        .command("down")
        .description("Destroy a branch's environment (its branch was deleted) and hand its slot on (idempotent)")
        .requiredOption("--branch <name>", "the branch")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print a JSON report")
        .action(
            action(async (opts: CommonOptions & { branch: string }): Promise<CommandResult> => {
                const report: BranchDownReport = await guarded(() => branchDown(realDeps("branch down", opts), { branch: opts.branch }));
                return {
                    exitCode: 0,
                    report,
                    text: `${report.destroyed ? `${report.stack} destroyed` : `${report.stack} did not exist: nothing to destroy`}${report.promoted.length ? `; freed slot handed to ${report.promoted.join(", ")}` : ""}`,
                };
            }),
        );
}
