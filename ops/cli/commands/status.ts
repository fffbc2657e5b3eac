/** `odoo-platform status set`: the commit status of an environment (odoo-platform/<environment>), for workflow steps. */
import type { Command } from "commander";
import { CommitStatus, statusContext, statusDescription, StatusState } from "../../build/status";
import { githubFromEnvironment } from "../../pr/github";
import { action, UsageError } from "../runtime";

const states: StatusState[] = ["pending", "success", "failure", "error"];

export function register(program: Command): void {
    const status = program.command("status").description("commit statuses of the environments (odoo-platform/<environment>)");
    status
        .command("set")
        .description("set the commit status of an environment on a commit (GITHUB_TOKEN with statuses: write)")
        .requiredOption("--environment <name>", "staging, production, pr-<n> or br-<slug>")
        .requiredOption("--sha <sha>", "the commit")
        .requiredOption("--state <state>", states.join(", "))
        .requiredOption("--description <text>", "one line (cut at 140 characters)")
        .option("--target-url <url>", "where the details are (the run, the environment)")
        .option("--repo <owner/name>", "repository (default: GITHUB_REPOSITORY)")
        .option("--json", "print the status as JSON")
        .action(
            action(
                async (opts: { environment: string; sha: string; state: string; description: string; targetUrl?: string; repo?: string; json?: boolean }) => {
                    if (!states.includes(opts.state as StatusState)) throw new UsageError(`--state must be one of ${states.join(", ")}, got "${opts.state}"`);
                    if (!/^[0-9a-f]{7,40}$/.test(opts.sha)) throw new UsageError(`--sha must be a commit SHA (7–40 lower-case hex), got "${opts.sha}"`);
                    let context: string;
                    try {
                        context = statusContext(/^pr-\d+$/.test(opts.environment) ? Number(opts.environment.slice(3)) : opts.environment);
                    } catch (err) {
                        throw new UsageError(`--environment: ${(err as Error).message}`);
                    }
                    const s: CommitStatus = {
                        sha: opts.sha,
                        context,
                        state: opts.state as StatusState,
                        description: statusDescription(opts.description),
                        targetUrl: opts.targetUrl,
                    };
                    await githubFromEnvironment(process.env, opts.repo).setCommitStatus(s);
                    return { exitCode: 0, report: s, text: `${s.context} on ${s.sha.slice(0, 12)}: ${s.state} — ${s.description}` };
                },
            ),
        );
}
