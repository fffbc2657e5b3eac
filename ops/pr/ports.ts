/**
 * The two outside systems the PR lifecycle talks to, as small interfaces: the Pulumi backend (via
 * the Automation API, ops/pr/automation.ts) and GitHub (via Octokit, ops/pr/github.ts). The
 * lifecycle (ops/pr/lifecycle.ts) only sees these, so tests drive it with in-memory fakes.
 */
import type { CommitStatuses } from "../build/status";
import type { CommentLike } from "./comment";
import type { PrStackInfo } from "./queue";

/** Values `pr up` sets as the stack's config (the rest comes from Pulumi.pr.yaml). */
export interface PrStackConfig {
    gitSha: string;
    gitBranch: string;
    /** Image CI built (by digest); unset → the stack pulls odooImage or builds odooBuildContext. */
    odooImage?: string;
}

/** The stack outputs the comment shows (secrets stay in the stack). */
export interface PrDeployment {
    url: string;
    mailCatcherUrl?: string;
    databaseName?: string;
    imageReference?: string;
    imageDigest?: string;
    /** The build's test step (stack output `tests`); absent when the build tests nothing. */
    tests?: { container: string; exitCode: number | null };
}

export interface PrStackBackend {
    /** Every `pr-*` stack of the project. */
    list(): Promise<PrStackInfo[]>;
    /** Creates the PR's stack if it does not exist (an empty reservation). */
    reserve(pr: number): Promise<void>;
    /** Removes the PR's stack if it holds no resources (a lost reservation race). */
    release(pr: number): Promise<void>;
    /** Sets the config and runs `up` with the policy packs. */
    deploy(pr: number, config: PrStackConfig): Promise<PrDeployment>;
    /** Destroys everything (containers, database, volumes) and removes the stack; "absent" if there was none. */
    destroy(pr: number): Promise<"destroyed" | "absent">;
    /** The output of a build's test container (stdout and stderr, in order). */
    testLog(pr: number, container: string): Promise<string>;
}

export interface PullRequest {
    number: number;
    state: "open" | "closed";
    merged: boolean;
    headSha: string;
    headRef: string;
    /** `owner/name` of the head repository: a fork when it differs from ours. */
    headRepository?: string;
    labels: string[];
}

export interface PrGitHub extends CommitStatuses {
    /** `https://github.com/<owner>/<repo>`. */
    readonly repositoryUrl: string;
    /** URL of the workflow run doing this (for the comment), when known. */
    readonly runUrl?: string;
    /** Login that writes the sticky comment when it is not a bot (a personal token). */
    readonly commentAuthor?: string;
    /** null when the PR does not exist. */
    getPull(pr: number): Promise<PullRequest | null>;
    listComments(pr: number): Promise<CommentLike[]>;
    /** Returns the new comment's id. */
    createComment(pr: number, body: string): Promise<number>;
    updateComment(commentId: number, body: string): Promise<void>;
    deleteComment(commentId: number): Promise<void>;
    /** Adds and removes labels (adding creates a missing label; removing an absent one is fine). */
    setLabels(pr: number, change: { add?: string[]; remove?: string[] }): Promise<void>;
    /** Open PRs carrying `label`. */
    listOpenPullsWithLabel(label: string): Promise<number[]>;
    /** Starts the deploy workflow for a queued PR whose turn has come. */
    dispatchDeploy(pr: number): Promise<void>;
}

export interface Clock {
    now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
