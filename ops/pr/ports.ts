/**
 * The two outside systems the PR lifecycle talks to, as small interfaces: the Pulumi backend (via
 * the Automation API, ops/pr/automation.ts) and GitHub (via Octokit, ops/pr/github.ts). The
 * lifecycle (ops/pr/lifecycle.ts) only sees these, so tests drive it with in-memory fakes.
 */
import type { CommitStatuses } from "../build/status";
import type { CommentLike } from "./comment";
import type { EnvironmentId } from "./naming";
import type { PrStackInfo } from "./queue";

/** Values `pr up` sets as the stack's config (the rest comes from Pulumi.pr.yaml). */
export interface PrStackConfig {
    gitSha: string;
    gitBranch: string;
    /** Image CI built (by digest); unset → the stack pulls odooImage or builds odooBuildContext. */
    odooImage?: string;
    /** Its routing slot on the Docker host (queue.ts assignSlot). */
    slot?: number;
}

/** The stack outputs the comment shows (secrets stay in the stack). */
export interface PrDeployment {
    url: string;
    mailCatcherUrl?: string;
    databaseName?: string;
    imageReference?: string;
    imageDigest?: string;
    /** The stack's namespace (stack output kubernetesNamespace; runtime kubernetes). */
    namespace?: string;
    /** The build's test step (stack output `tests`); absent when the build tests nothing. */
    tests?: { container: string; exitCode: number | null };
}

/** Environments are PR stacks (`pr-<n>`, by number) and branch environments (`br-<slug>`). */
export interface PrStackBackend {
    /** Every `pr-*` and `br-*` stack of the project. */
    list(): Promise<PrStackInfo[]>;
    /** Creates the environment's stack if it does not exist (an empty reservation). */
    reserve(env: EnvironmentId): Promise<void>;
    /** Removes the stack if it holds no resources (a lost reservation race). */
    release(env: EnvironmentId): Promise<void>;
    /** Sets the config and runs `up` with the policy packs. */
    deploy(env: EnvironmentId, config: PrStackConfig): Promise<PrDeployment>;
    /**
     * Destroys everything (docker: containers, database, volumes; kubernetes: the namespace with
     * everything in it and the database on the staging server) and removes the stack, after checking
     * that the state keeps nothing and holds nothing afterwards (destroyCheck.ts); "absent" if there was none.
     */
    destroy(env: EnvironmentId): Promise<"destroyed" | "absent">;
    /** The output of a build's test container (stdout and stderr, in order). */
    testLog(env: EnvironmentId, container: string): Promise<string>;
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
    /** Every branch of the repository and its head commit. */
    listBranches(): Promise<{ name: string; sha: string }[]>;
    /** The newest status of `context` on a commit, if any. */
    latestStatus(sha: string, context: string): Promise<{ state: string; description: string; createdAt: string } | undefined>;
    /** Starts the branch-environment workflow on `branch` (a queued branch whose turn has come). */
    dispatchBranchDeploy(branch: string): Promise<void>;
}

export interface Clock {
    now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
