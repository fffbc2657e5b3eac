/**
 * CLI: `odoo-platform tests report` (judge an Odoo test log: green, yellow, red) and
 * `odoo-platform status set` (a commit status of an environment, for workflow steps).
 */
import type { Command } from "commander";
import * as fs from "node:fs";
import { action, UsageError } from "../cli/runtime";
import { githubFromEnvironment } from "../pr/github";
import { CommitStatus, statusContext, statusDescription, StatusState } from "./status";
import { compileIgnorePatterns, parseOdooTestLog, summaryLine } from "./testLog";

const states: StatusState[] = ["pending", "success", "failure", "error"];
const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerBuildCommands(program: Command): void {
    const tests = program.command("tests").description("Odoo test runs of a build");
    tests.command("report")
        .description("judge an Odoo test log (--test-enable … --log-level=test): green, yellow or red, the first failure and its traceback; exit 1 when red")
        .requiredOption("--log <file>", "the log (- for stdin)")
        .option("--exit-code <n>", "exit code of the Odoo process")
        .option("--ignore <regex>", "log records that are neither warnings nor errors (repeatable)", collect, [])
        .option("--json", "print the report as JSON")
        .action(action(async (opts: { log: string; exitCode?: string; ignore: string[]; json?: boolean }) => {
            let text: string;
            try {
                text = fs.readFileSync(opts.log === "-" ? 0 : opts.log, "utf8");
            } catch {
                throw new UsageError(`--log ${opts.log} cannot be read: give the file the test step's output was saved to`);
            }
            const exitCode = opts.exitCode === undefined ? undefined : Number(opts.exitCode);
            if (exitCode !== undefined && !Number.isInteger(exitCode)) throw new UsageError(`--exit-code must be a whole number, got "${opts.exitCode}"`);
            let ignore: RegExp[];
            try {
                ignore = compileIgnorePatterns(opts.ignore, "--ignore");
            } catch (err) {
                throw new UsageError((err as Error).message);
            }
            const result = parseOdooTestLog(text, { exitCode, ignore });
            const lines = [`${result.verdict}: ${summaryLine(result)}`];
            for (const reason of result.reasons) lines.push(`  - ${reason}`);
            if (result.firstFailure) lines.push("", `first failure: ${result.firstFailure.test}`, result.firstFailure.traceback);
            else for (const sample of [...result.problemSamples, ...result.warningSamples]) lines.push(`  ${sample}`);
            return { exitCode: result.verdict === "red" ? 1 : 0, report: result, text: lines.join("\n") };
        }));

    const status = program.command("status").description("commit statuses of the environments (odoo-platform/<environment>)");
    status.command("set")
        .description("set the commit status of an environment on a commit (GITHUB_TOKEN with statuses: write)")
        .requiredOption("--environment <name>", "staging, production, pr-<n> or br-<slug>")
        .requiredOption("--sha <sha>", "the commit")
        .requiredOption("--state <state>", states.join(", "))
        .requiredOption("--description <text>", "one line (cut at 140 characters)")
        .option("--target-url <url>", "where the details are (the run, the environment)")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print the status as JSON")
        .action(action(async (opts: { environment: string; sha: string; state: string; description: string; targetUrl?: string; repo?: string; json?: boolean }) => {
            if (!states.includes(opts.state as StatusState)) throw new UsageError(`--state must be one of ${states.join(", ")}, got "${opts.state}"`);
            if (!/^[0-9a-f]{7,40}$/.test(opts.sha)) throw new UsageError(`--sha must be a commit SHA (7–40 lower-case hex), got "${opts.sha}"`);
            let context: string;
            try {
                context = statusContext(/^pr-\d+$/.test(opts.environment) ? Number(opts.environment.slice(3)) : opts.environment);
            } catch (err) {
                throw new UsageError(`--environment: ${(err as Error).message}`);
            }
            const s: CommitStatus = { sha: opts.sha, context, state: opts.state as StatusState, description: statusDescription(opts.description), targetUrl: opts.targetUrl };
            await githubFromEnvironment(process.env, opts.repo).setCommitStatus(s);
            return { exitCode: 0, report: s, text: `${s.context} on ${s.sha.slice(0, 12)}: ${s.state} — ${s.description}` };
        }));
}
