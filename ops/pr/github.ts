/**
 * The GitHub side of the PR lifecycle on Octokit (@octokit/rest): pull requests, the sticky
 * comment, the queue labels, commit statuses and the dispatch of a queued PR's deploy. Thin: one
 * REST call per method. Token: GITHUB_TOKEN (the workflow's, with pull-requests/issues write,
 * statuses write and, to dispatch, actions write).
 */
import { Octokit } from "@octokit/rest";
import type { CommitStatus } from "../build/status";
import type { CommentLike } from "./comment";
import { branchDeployWorkflowFile, deployWorkflowFile } from "./naming";
import type { PrGitHub, PullRequest } from "./ports";
import { InvalidInputError } from "../core/errors";

const isStatus = (err: unknown, status: number) => (err as { status?: number }).status === status;

export interface OctokitGitHubOptions {
    owner: string;
    repo: string;
    serverUrl?: string;
    runUrl?: string;
    commentAuthor?: string;
}

export class OctokitGitHub implements PrGitHub {
    readonly repositoryUrl: string;
    readonly runUrl?: string;
    readonly commentAuthor?: string;
    private defaultBranch?: string;

    constructor(
        private readonly octokit: Octokit,
        private readonly options: OctokitGitHubOptions,
    ) {
        this.repositoryUrl = `${options.serverUrl ?? "https://github.com"}/${options.owner}/${options.repo}`;
        this.runUrl = options.runUrl;
        this.commentAuthor = options.commentAuthor;
    }

    private get repo() {
        return { owner: this.options.owner, repo: this.options.repo };
    }

    async getPull(pr: number): Promise<PullRequest | null> {
        try {
            const { data } = await this.octokit.rest.pulls.get({ ...this.repo, pull_number: pr });
            return {
                number: data.number,
                state: data.state === "open" ? "open" : "closed",
                merged: data.merged === true || !!data.merged_at,
                headSha: data.head.sha,
                headRef: data.head.ref,
                headRepository: data.head.repo?.full_name,
                labels: data.labels.map((l) => l.name ?? "").filter(Boolean),
            };
        } catch (err) {
            if (isStatus(err, 404)) return null;
            throw err;
        }
    }

    async listComments(pr: number): Promise<CommentLike[]> {
        const comments = await this.octokit.paginate(this.octokit.rest.issues.listComments, { ...this.repo, issue_number: pr, per_page: 100 });
        return comments.map((c) => ({ id: c.id, body: c.body, user: c.user ? { login: c.user.login, type: c.user.type } : null, created_at: c.created_at }));
    }

    async createComment(pr: number, body: string): Promise<number> {
        const { data } = await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: pr, body });
        return data.id;
    }

    async updateComment(commentId: number, body: string): Promise<void> {
        await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: commentId, body });
    }

    async deleteComment(commentId: number): Promise<void> {
        try {
            await this.octokit.rest.issues.deleteComment({ ...this.repo, comment_id: commentId });
        } catch (err) {
            if (!isStatus(err, 404)) throw err;
        }
    }

    async setLabels(pr: number, change: { add?: string[]; remove?: string[] }): Promise<void> {
        if (change.add?.length) await this.octokit.rest.issues.addLabels({ ...this.repo, issue_number: pr, labels: change.add });
        for (const name of change.remove ?? []) {
            try {
                await this.octokit.rest.issues.removeLabel({ ...this.repo, issue_number: pr, name });
            } catch (err) {
                if (!isStatus(err, 404)) throw err;
            }
        }
    }

    async listOpenPullsWithLabel(label: string): Promise<number[]> {
        const issues = await this.octokit.paginate(this.octokit.rest.issues.listForRepo, { ...this.repo, state: "open", labels: label, per_page: 100 });
        return issues.filter((i) => i.pull_request).map((i) => i.number);
    }

    /** POST /repos/{owner}/{repo}/statuses/{sha}. */
    async setCommitStatus(status: CommitStatus): Promise<void> {
        await this.octokit.rest.repos.createCommitStatus({
            ...this.repo,
            sha: status.sha,
            state: status.state,
            context: status.context,
            description: status.description,
            target_url: status.targetUrl,
        });
    }

    async listBranches(): Promise<{ name: string; sha: string }[]> {
        const branches = await this.octokit.paginate(this.octokit.rest.repos.listBranches, { ...this.repo, per_page: 100 });
        return branches.map((b) => ({ name: b.name, sha: b.commit.sha }));
    }

    /** GET /repos/{owner}/{repo}/commits/{ref}/statuses lists the newest first. */
    async latestStatus(sha: string, context: string): Promise<{ state: string; description: string; createdAt: string } | undefined> {
        const { data } = await this.octokit.rest.repos.listCommitStatusesForRef({ ...this.repo, ref: sha, per_page: 100 });
        const found = data.find((s) => s.context === context);
        return found ? { state: found.state, description: found.description ?? "", createdAt: found.created_at } : undefined;
    }

    async dispatchBranchDeploy(branch: string): Promise<void> {
        await this.octokit.rest.actions.createWorkflowDispatch({ ...this.repo, workflow_id: branchDeployWorkflowFile, ref: branch });
    }

    async dispatchDeploy(pr: number): Promise<void> {
        this.defaultBranch ??= (await this.octokit.rest.repos.get(this.repo)).data.default_branch;
        await this.octokit.rest.actions.createWorkflowDispatch({
            ...this.repo,
            workflow_id: deployWorkflowFile,
            ref: this.defaultBranch,
            inputs: { pr: String(pr) },
        });
    }
}

/** The adapter for the repository and token CI provides (GITHUB_REPOSITORY, GITHUB_TOKEN). */
export function githubFromEnvironment(env: Record<string, string | undefined>, repository?: string, fetchImpl?: typeof fetch): OctokitGitHub {
    const full = repository ?? env.GITHUB_REPOSITORY;
    const match = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(full ?? "");
    if (!match) throw new InvalidInputError(`the repository is unknown: pass --repo owner/name or set GITHUB_REPOSITORY (got "${full ?? ""}")`);
    const token = env.GITHUB_TOKEN ?? env.GH_TOKEN;
    if (!token) throw new InvalidInputError("GITHUB_TOKEN is not set: the PR lifecycle writes the PR comment and labels with it");
    const serverUrl = env.GITHUB_SERVER_URL ?? "https://github.com";
    const runUrl = env.GITHUB_RUN_ID ? `${serverUrl}/${full}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    const octokit = new Octokit({
        auth: token,
        baseUrl: env.GITHUB_API_URL,
        userAgent: "odoo-platform",
        request: fetchImpl ? { fetch: fetchImpl } : undefined,
    });
    return new OctokitGitHub(octokit, { owner: match[1], repo: match[2], serverUrl, runUrl, commentAuthor: env.ODOO_PLATFORM_COMMENT_AUTHOR });
}
