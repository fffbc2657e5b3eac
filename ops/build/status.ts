/**
 * Commit statuses of the platform, one context per environment — what runbot and Odoo.sh show on a
 * commit: `odoo-platform/pr-<n>`, `odoo-platform/branch-<slug>`, `odoo-platform/staging`,
 * `odoo-platform/production`. Pending when a build starts, then success or failure with one line
 * ("35 tests, 0 failed, 2 warnings · pr-7-x.dev.example.com") and a link to the run that has the log.
 * GitHub REST: POST /repos/{owner}/{repo}/statuses/{sha} (state error|failure|pending|success,
 * description of at most 140 characters, target_url, context).
 */
import { summaryLine, TestLogResult } from "./testLog";

export const statusContextPrefix = "odoo-platform/";
export const maxDescription = 140;

export type StatusState = "pending" | "success" | "failure" | "error";

export interface CommitStatus {
    sha: string;
    context: string;
    state: StatusState;
    description: string;
    targetUrl?: string;
}

/** The context of an environment: a PR number, a branch environment id (br-<slug>) or a stage. */
export function statusContext(environment: number | string): string {
    if (typeof environment === "number") return `${statusContextPrefix}pr-${environment}`;
    if (environment.startsWith("br-")) return `${statusContextPrefix}branch-${environment.slice(3)}`;
    if (/^pr-\d+$/.test(environment) || environment === "staging" || environment === "production" || environment === "dev")
        return `${statusContextPrefix}${environment}`;
    throw new Error(`no commit status context for environment "${environment}": use a PR number, br-<slug>, staging or production`);
}

/** GitHub refuses descriptions over 140 characters: cut with an ellipsis. */
export function statusDescription(text: string): string {
    const line = text.replace(/\s+/g, " ").trim();
    return line.length <= maxDescription ? line : `${line.slice(0, maxDescription - 1)}…`;
}

const hostOf = (url?: string) => {
    if (!url) return undefined;
    try {
        return new URL(url).host;
    } catch {
        return undefined;
    }
};

/** The status of a deployed build from its test result (yellow is success, with its warnings in the line). */
export function buildStatus(input: { sha: string; environment: number | string; tests?: TestLogResult; url?: string; runUrl?: string }): CommitStatus {
    const host = hostOf(input.url);
    const where = host ? ` · ${host}` : "";
    const base = { sha: input.sha, context: statusContext(input.environment), targetUrl: input.runUrl ?? input.url };
    if (!input.tests) return { ...base, state: "success", description: statusDescription(`deployed, no module to test${where}`) };
    const state: StatusState = input.tests.verdict === "red" ? "failure" : "success";
    return { ...base, state, description: statusDescription(`${summaryLine(input.tests)}${where}`) };
}

export const pendingStatus = (input: { sha: string; environment: number | string; what: string; runUrl?: string }): CommitStatus => ({
    sha: input.sha,
    context: statusContext(input.environment),
    state: "pending",
    description: statusDescription(input.what),
    targetUrl: input.runUrl,
});

export const failedStatus = (input: {
    sha: string;
    environment: number | string;
    what: string;
    runUrl?: string;
    state?: "failure" | "error";
}): CommitStatus => ({
    sha: input.sha,
    context: statusContext(input.environment),
    state: input.state ?? "failure",
    description: statusDescription(input.what),
    targetUrl: input.runUrl,
});

/** Where commit statuses go (Octokit in real runs, a fake GitHub API in tests). */
export interface CommitStatuses {
    setCommitStatus(status: CommitStatus): Promise<void>;
}
