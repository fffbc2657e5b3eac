/**
 * In-memory stand-ins for the Pulumi backend and GitHub, with the behaviour the lifecycle relies
 * on: stacks that exist until removed, comments with ids and authors, labels, dispatched runs.
 */
import type { CommitStatus } from "../../../ops/build/status";
import type { CommentLike } from "../../../ops/pr/comment";
import type { LifecycleDeps, PrPlatform } from "../../../ops/pr/lifecycle";
import type { Clock, PrDeployment, PrGitHub, PrStackBackend, PrStackConfig, PullRequest } from "../../../ops/pr/ports";
import type { PrStackInfo } from "../../../ops/pr/queue";
import type { EnvironmentId } from "../../../ops/pr/naming";
import { hasMarker } from "../../../ops/pr/record";
import type { Progress } from "../../../ops/cli/runtime";

export class FakeClock implements Clock {
    constructor(public current = new Date("2026-03-02T10:00:00Z")) {}
    now(): Date {
        return new Date(this.current);
    }
    advanceHours(hours: number): void {
        this.current = new Date(this.current.getTime() + hours * 3_600_000);
    }
}

/** Stack name of an environment in the fakes: pr-7, br-feature-x. */
const stackOf = (env: EnvironmentId) => (typeof env === "number" ? `pr-${env}` : env);
const hostLabel = (env: EnvironmentId, branch: string) => (typeof env === "number" ? `pr-${env}-${branch.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` : env);

export class FakeBackend implements PrStackBackend {
    readonly stacks = new Map<EnvironmentId, PrStackInfo>();
    readonly deploys: { pr: EnvironmentId; config: PrStackConfig }[] = [];
    readonly destroyed: EnvironmentId[] = [];
    failNextDeploy?: Error;
    /** The next destroy fails, as AutomationBackend's does when the state keeps or still holds something (ops/pr/destroyCheck.ts). */
    failNextDestroy?: Error;
    /** odoo-platform:runtime of the stacks: a kubernetes stack exports its namespace. */
    runtime: "docker" | "kubernetes" = "docker";
    /** The test step an environment's next deploys run: its log and exit code (none: the build tests nothing). */
    readonly testRuns = new Map<EnvironmentId, { log: string; exitCode: number }>();
    /** Runs between a reservation and the re-read: lets a test inject a racing reservation. */
    onReserve?: (pr: EnvironmentId) => void;

    constructor(private readonly clock: Clock) {}

    /** A stack that already holds an environment. */
    seed(pr: EnvironmentId, opts: Partial<PrStackInfo> = {}): void {
        this.stacks.set(pr, { pr, name: stackOf(pr), resourceCount: 19, lastUpdate: this.clock.now(), updating: false, ...opts });
    }

    async list(): Promise<PrStackInfo[]> {
        return [...this.stacks.values()].map((s) => ({ ...s }));
    }

    async reserve(pr: EnvironmentId): Promise<void> {
        if (!this.stacks.has(pr)) this.stacks.set(pr, { pr, name: stackOf(pr), resourceCount: 0, updating: false });
        this.onReserve?.(pr);
    }

    async release(pr: EnvironmentId): Promise<void> {
        const s = this.stacks.get(pr);
        if (s && s.resourceCount === 0 && !s.updating) this.stacks.delete(pr);
    }

    async deploy(pr: EnvironmentId, config: PrStackConfig): Promise<PrDeployment> {
        this.deploys.push({ pr, config });
        if (!this.stacks.has(pr)) throw new Error(`stack ${stackOf(pr)} was never reserved`);
        if (this.failNextDeploy) {
            const err = this.failNextDeploy;
            this.failNextDeploy = undefined;
            throw err;
        }
        this.stacks.set(pr, { pr, name: stackOf(pr), resourceCount: 19, lastUpdate: this.clock.now(), updating: false, slot: config.slot });
        const label = hostLabel(pr, config.gitBranch);
        return {
            url: `https://${label}.dev.example.com`,
            mailCatcherUrl: `https://${label}-mail.dev.example.com`,
            databaseName: `odoo_${stackOf(pr).replace(/-/g, "_")}`,
            imageDigest: config.odooImage ?? "ghcr.io/example/odoo@sha256:" + "a".repeat(64),
            namespace: this.runtime === "kubernetes" ? stackOf(pr) : undefined,
            tests: this.testRuns.has(pr) ? { container: `odoo-${stackOf(pr)}-tests`, exitCode: this.testRuns.get(pr)!.exitCode } : undefined,
        };
    }

    async testLog(pr: EnvironmentId, container: string): Promise<string> {
        const run = this.testRuns.get(pr);
        if (!run || container !== `odoo-${stackOf(pr)}-tests`) throw new Error(`no such container: ${container}`);
        return run.log;
    }

    async destroy(pr: EnvironmentId): Promise<"destroyed" | "absent"> {
        if (!this.stacks.has(pr)) return "absent";
        if (this.failNextDestroy) {
            const err = this.failNextDestroy;
            this.failNextDestroy = undefined;
            throw err;
        }
        this.stacks.delete(pr);
        this.destroyed.push(pr);
        return "destroyed";
    }
}

interface StoredComment extends CommentLike {
    pr: number;
    body: string;
}

export class FakeGitHub implements PrGitHub {
    readonly repositoryUrl = "https://github.com/example/odoo";
    readonly runUrl = "https://github.com/example/odoo/actions/runs/42";
    readonly commentAuthor = undefined;
    readonly pulls = new Map<number, PullRequest>();
    readonly comments: StoredComment[] = [];
    readonly dispatched: number[] = [];
    readonly statuses: (CommitStatus & { createdAt: string })[] = [];
    readonly branches = new Map<string, string>();
    readonly dispatchedBranches: string[] = [];
    readonly calls = { create: 0, update: 0, delete: 0 };
    private nextId = 100;
    private minute = 0;

    openPull(pr: number, opts: Partial<PullRequest> = {}): PullRequest {
        const pull: PullRequest = {
            number: pr,
            state: "open",
            merged: false,
            headSha: `${pr}`.padStart(7, "0") + "abcdef",
            headRef: `feature/pr-${pr}`,
            labels: [],
            ...opts,
        };
        this.pulls.set(pr, pull);
        return pull;
    }

    close(pr: number, merged = false): void {
        const pull = this.pulls.get(pr)!;
        pull.state = "closed";
        pull.merged = merged;
    }

    /** A comment written by someone (a person quoting the marker, or a racing bot). */
    addComment(pr: number, body: string, user: { login: string; type: string }): number {
        const id = this.nextId++;
        this.comments.push({ id, pr, body, user, created_at: this.stamp() });
        return id;
    }

    markerComments(pr: number): StoredComment[] {
        return this.comments.filter((c) => c.pr === pr && hasMarker(c.body));
    }

    labelsOf(pr: number): string[] {
        return [...(this.pulls.get(pr)?.labels ?? [])].sort();
    }

    private stamp(): string {
        return new Date(Date.UTC(2026, 2, 2, 9, this.minute++)).toISOString();
    }

    async getPull(pr: number): Promise<PullRequest | null> {
        const pull = this.pulls.get(pr);
        return pull ? { ...pull, labels: [...pull.labels] } : null;
    }

    async listComments(pr: number): Promise<CommentLike[]> {
        return this.comments.filter((c) => c.pr === pr).map((c) => ({ ...c }));
    }

    async createComment(pr: number, body: string): Promise<number> {
        this.calls.create++;
        return this.addComment(pr, body, { login: "github-actions[bot]", type: "Bot" });
    }

    async updateComment(commentId: number, body: string): Promise<void> {
        this.calls.update++;
        const comment = this.comments.find((c) => c.id === commentId);
        if (!comment) throw Object.assign(new Error("Not Found"), { status: 404 });
        comment.body = body;
    }

    async deleteComment(commentId: number): Promise<void> {
        this.calls.delete++;
        const i = this.comments.findIndex((c) => c.id === commentId);
        if (i >= 0) this.comments.splice(i, 1);
    }

    async setLabels(pr: number, change: { add?: string[]; remove?: string[] }): Promise<void> {
        const pull = this.pulls.get(pr);
        if (!pull) throw Object.assign(new Error("Not Found"), { status: 404 });
        pull.labels = [...new Set([...pull.labels.filter((l) => !(change.remove ?? []).includes(l)), ...(change.add ?? [])])];
    }

    async listOpenPullsWithLabel(label: string): Promise<number[]> {
        return [...this.pulls.values()]
            .filter((p) => p.state === "open" && p.labels.includes(label))
            .map((p) => p.number)
            .sort((a, b) => a - b);
    }

    async dispatchDeploy(pr: number): Promise<void> {
        this.dispatched.push(pr);
    }

    /** Time GitHub stamps statuses with (the world's clock). */
    now: () => Date = () => new Date(this.stamp());

    async setCommitStatus(status: CommitStatus): Promise<void> {
        this.statuses.push({ ...status, createdAt: this.now().toISOString() });
    }

    async listBranches(): Promise<{ name: string; sha: string }[]> {
        return [...this.branches.entries()].map(([name, sha]) => ({ name, sha }));
    }

    async latestStatus(sha: string, context: string): Promise<{ state: string; description: string; createdAt: string } | undefined> {
        const found = this.statuses.filter((s) => s.sha === sha && s.context === context).at(-1);
        return found ? { state: found.state, description: found.description, createdAt: found.createdAt } : undefined;
    }

    async dispatchBranchDeploy(branch: string): Promise<void> {
        this.dispatchedBranches.push(branch);
    }

    /** The statuses of one context, oldest first. */
    statusesOf(context: string): CommitStatus[] {
        return this.statuses.filter((s) => s.context === context);
    }
}

export const quietProgress: Progress = { step: () => undefined, update: () => undefined, done: () => undefined };

export interface World {
    clock: FakeClock;
    backend: FakeBackend;
    github: FakeGitHub;
    deps: LifecycleDeps;
}

export function world(platform: Partial<PrPlatform> = {}): World {
    const clock = new FakeClock();
    const backend = new FakeBackend(clock);
    const github = new FakeGitHub();
    github.now = () => clock.now();
    const settings: PrPlatform = { limit: 5, ttlHours: 72, sharedStack: "example/odoo-platform/staging", ...platform };
    backend.runtime = settings.runtime ?? "docker";
    const kubernetes = settings.runtime === "kubernetes";
    const deps: LifecycleDeps = {
        backend,
        github,
        clock,
        platform: () => settings,
        view: ({ pr, branch }) => ({
            url: `https://${hostLabel(pr, branch)}.dev.example.com`,
            mailCatcherUrl: `https://${hostLabel(pr, branch)}-mail.dev.example.com`,
            database: `odoo_${stackOf(pr).replace(/-/g, "_")}`,
            // As ops/pr/settings.ts prView: the staging server and the namespace on Kubernetes, the PR's own container on Docker.
            databaseHost: kubernetes ? "odoo-staging-db.example.rds.amazonaws.com" : `odoo-${stackOf(pr)}-db`,
            namespace: kubernetes ? stackOf(pr) : undefined,
        }),
        progress: quietProgress,
        adminLogin: "admin",
        mailCatcherUser: "mail",
    };
    return { clock, backend, github, deps };
}
