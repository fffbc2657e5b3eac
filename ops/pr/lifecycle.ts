/**
 * The PR environment lifecycle: `up`, `down` and `sweep`. Orchestration only — every decision is a
 * pure function (queue.ts, sweep.ts, comment.ts) and every side effect goes through the two ports
 * (ports.ts), so the tests run the whole lifecycle against in-memory fakes.
 *
 *   up     reserve a slot (or queue), write "deploying", run `pulumi up` with the policy packs (the
 *          build's test step runs inside it), read and judge the test log, write "deployed" (or
 *          "failed") in the one sticky comment and the same summary as the commit status
 *          `odoo-platform/pr-<n>` (pending, then success or failure).
 *   down   destroy and remove the stack (idempotent), mark the comment "removed", hand the freed
 *          slot to the first queued PR.
 *   sweep  remove the stacks of closed/merged/missing PRs and idle ones, then promote queued PRs.
 */
import { buildStatus, CommitStatus, failedStatus, pendingStatus } from "../build/status";
import { compileIgnorePatterns, parseOdooTestLog, summaryLine, TestLogResult } from "../build/testLog";
import { CommentContext, pickStickyComment, renderComment } from "./comment";
import { branchEnvironmentId, branchGetsEnvironment, describeEnvironment, EnvironmentId, prLabels, prStackName } from "./naming";
import type { Clock, PrDeployment, PrGitHub, PrStackBackend } from "./ports";
import { assignSlot, choosePromotions, confirmReservation, decideAdmission, QueueEntry, queuePosition } from "./queue";
import { EnvironmentRecord, parseMarker, TestSummary } from "./record";
import { BranchState, planSweep, PullState, SweepAction, SweepReason } from "./sweep";
import { statusContext } from "../build/status";
import type { Progress } from "../core/progress";
import { InvalidInputError, OperationFailedError } from "../core/errors";

/** Platform-wide PR settings (Pulumi.pr.yaml). */
export interface PrPlatform {
    limit: number;
    ttlHours: number;
    sharedStack?: string;
    /** odoo-platform:runtime of the PR stacks (docker when unset). */
    runtime?: "docker" | "kubernetes";
    /** Log records that are not warnings or errors in a test run (odoo-platform:testLogIgnore). */
    testLogIgnore?: string[];
    /** Branch name patterns that get an environment (odoo-platform:branchEnvironments). */
    branchEnvironments?: string[];
}

/** What a given build of a PR will look like (from the program's own naming). */
export interface PrView {
    url: string;
    mailCatcherUrl?: string;
    database: string;
    /** Where the database lives: the PR's PostgreSQL container (docker) or the staging server (kubernetes). */
    databaseHost?: string;
    /** The PR's namespace (kubernetes): `down` deletes it with everything in it. */
    namespace?: string;
}

export interface LifecycleDeps {
    backend: PrStackBackend;
    github: PrGitHub;
    clock: Clock;
    platform: () => PrPlatform;
    /** Host names and database of a build, before it is deployed (throws on invalid input). */
    view: (build: { pr: EnvironmentId; sha: string; branch: string; image?: string }) => PrView;
    progress: Progress;
    adminLogin: string;
    mailCatcherUser: string;
    /** Receives the build's full test log (the CLI writes it to --test-log for the workflow's artifact). */
    onTestLog?: (log: string) => void;
}

// --------------------------------------------------------------------------------------------
// Tests and commit statuses.

const maxTracebackChars = 4000;

/** What the comment keeps of a test result. */
export function testSummary(result: TestLogResult, container?: string): TestSummary {
    const first = result.firstFailure;
    return {
        verdict: result.verdict,
        line: summaryLine(result),
        reasons: result.reasons,
        firstFailure: first
            ? { test: first.test, traceback: first.traceback.length > maxTracebackChars ? `${first.traceback.slice(0, maxTracebackChars)}…` : first.traceback }
            : undefined,
        samples: [...result.problemSamples, ...result.warningSamples].slice(0, 5),
        container,
    };
}

/** Reads and judges the build's test log; undefined when the build tested nothing. */
export async function judgeTests(deps: LifecycleDeps, pr: EnvironmentId, deployment: PrDeployment): Promise<TestLogResult | undefined> {
    if (!deployment.tests) return undefined;
    deps.progress.step(`reading the test log of ${deployment.tests.container}`);
    const log = await deps.backend.testLog(pr, deployment.tests.container);
    deps.onTestLog?.(log);
    const ignore = compileIgnorePatterns(deps.platform().testLogIgnore ?? [], "odoo-platform:testLogIgnore");
    return parseOdooTestLog(log, { exitCode: deployment.tests.exitCode ?? undefined, ignore });
}

/** A status is a report, not a step of the deploy: failing to post it is said, not fatal. */
export async function postStatus(deps: LifecycleDeps, status: CommitStatus): Promise<void> {
    try {
        await deps.github.setCommitStatus(status);
    } catch (err) {
        deps.progress.step(`could not set the commit status ${status.context} (${(err as Error).message}); the sticky comment has the result`);
    }
}

// --------------------------------------------------------------------------------------------
// The sticky comment.

interface Sticky {
    commentId?: number;
    duplicates: number[];
    record?: EnvironmentRecord;
}

async function readSticky(deps: LifecycleDeps, pr: number): Promise<Sticky> {
    const choice = pickStickyComment(await deps.github.listComments(pr), deps.github.commentAuthor);
    return { commentId: choice.keep?.id, duplicates: choice.duplicates.map((c) => c.id), record: parseMarker(choice.keep?.body) };
}

async function writeSticky(deps: LifecycleDeps, sticky: Sticky, record: EnvironmentRecord, extra: Partial<CommentContext> = {}): Promise<void> {
    const platform = deps.platform();
    const body = renderComment(record, {
        ttlHours: platform.ttlHours,
        limit: platform.limit,
        adminLogin: deps.adminLogin,
        mailCatcherUser: deps.mailCatcherUser,
        repositoryUrl: deps.github.repositoryUrl,
        ...extra,
    });
    if (sticky.commentId !== undefined) await deps.github.updateComment(sticky.commentId, body);
    else sticky.commentId = await deps.github.createComment(record.pr, body);
    for (const id of sticky.duplicates) await deps.github.deleteComment(id);
    sticky.duplicates = [];
    sticky.record = record;
}

// --------------------------------------------------------------------------------------------
// The queue.

/** Description of a queued branch environment's pending status: it is the queue's record. */
export const queuedStatusPrefix = "queued:";

/**
 * Branches waiting for a slot: pushed branches matching the patterns whose head carries a pending
 * `queued:` status of their environment (queued since that status was written).
 */
export async function queuedBranches(deps: LifecycleDeps, exclude?: EnvironmentId): Promise<QueueEntry[]> {
    const patterns = deps.platform().branchEnvironments ?? [];
    if (!patterns.length) return [];
    const entries: QueueEntry[] = [];
    for (const branch of await deps.github.listBranches()) {
        if (!branchGetsEnvironment(branch.name, patterns)) continue;
        const id = branchEnvironmentId(branch.name);
        if (id === exclude || entries.some((e) => e.pr === id)) continue;
        const status = await deps.github.latestStatus(branch.sha, statusContext(id));
        if (status?.state === "pending" && status.description.startsWith(queuedStatusPrefix))
            entries.push({ pr: id, branch: branch.name, queuedAt: status.createdAt });
    }
    return entries;
}

export async function queueEntries(deps: LifecycleDeps, exclude?: EnvironmentId): Promise<QueueEntry[]> {
    const entries: QueueEntry[] = [];
    for (const pr of await deps.github.listOpenPullsWithLabel(prLabels.queued)) {
        if (pr === exclude) continue;
        const { record } = await readSticky(deps, pr);
        if (!record || record.state === "queued") entries.push({ pr, queuedAt: record?.queuedAt });
    }
    return [...entries, ...(await queuedBranches(deps, exclude))];
}

/** Hands free slots to the environments first in line, by dispatching their deploy workflow. */
export async function promoteQueued(deps: LifecycleDeps, exclude?: EnvironmentId): Promise<EnvironmentId[]> {
    const free = deps.platform().limit - (await deps.backend.list()).length;
    if (free <= 0) return [];
    const entries = await queueEntries(deps, exclude);
    const chosen = choosePromotions(entries, free);
    for (const id of chosen) {
        deps.progress.step(`slot free: dispatching the deploy of queued ${describeEnvironment(id)}`);
        if (typeof id === "number") await deps.github.dispatchDeploy(id);
        else await deps.github.dispatchBranchDeploy(entries.find((e) => e.pr === id)!.branch!);
    }
    return chosen;
}

// --------------------------------------------------------------------------------------------
// up

export interface UpInput {
    pr: number;
    branch?: string;
    sha?: string;
    image?: string;
    /** Deploy the build recorded in the PR's queued comment (the dispatched promotion). */
    fromQueue?: boolean;
}

export interface UpReport {
    pr: number;
    stack: string;
    outcome: "deployed" | "queued" | "skipped";
    reason?: string;
    sha?: string;
    url?: string;
    mailCatcherUrl?: string;
    database?: string;
    /** docker or kubernetes (deployed outcome). */
    runtime?: "docker" | "kubernetes";
    databaseHost?: string;
    namespace?: string;
    /** Environments holding the slots (queued outcome). */
    holders?: EnvironmentId[];
    position?: { position: number; length: number };
    /** The build's tests (deployed outcome). */
    tests?: TestSummary & { tests: number; failed: number; errors: number; warnings: number };
}

export async function prUp(deps: LifecycleDeps, input: UpInput): Promise<UpReport> {
    const { github, backend, progress } = deps;
    const platform = deps.platform();
    const stack = prStackName(input.pr, platform.sharedStack);
    const pull = await github.getPull(input.pr);
    if (!pull) throw new InvalidInputError(`pull request #${input.pr} does not exist in ${github.repositoryUrl}: check --pr`);
    if (pull.state !== "open") return { pr: input.pr, stack, outcome: "skipped", reason: `pull request #${input.pr} is ${pull.merged ? "merged" : "closed"}` };

    const sticky = await readSticky(deps, input.pr);
    let build: { sha: string; branch: string; image?: string };
    if (input.fromQueue) {
        const queued = sticky.record;
        if (!queued || queued.state !== "queued") {
            return { pr: input.pr, stack, outcome: "skipped", reason: `PR #${input.pr} is not queued (state: ${queued?.state ?? "no environment comment"})` };
        }
        build = { sha: queued.sha, branch: queued.branch, image: queued.image };
    } else {
        if (!input.sha || !/^[0-9a-f]{7,40}$/.test(input.sha))
            throw new InvalidInputError(`--sha must be the commit to deploy (7–40 lower-case hex), got "${input.sha ?? ""}"`);
        if (!input.branch) throw new InvalidInputError("--branch is required: the PR's head branch (it names the host)");
        build = { sha: input.sha, branch: input.branch, image: input.image };
    }
    let view: PrView;
    try {
        view = deps.view({ pr: input.pr, ...build });
    } catch (err) {
        throw new InvalidInputError(`PR #${input.pr}: ${(err as Error).message}`);
    }
    const now = deps.clock.now().toISOString();
    const base = { v: 1 as const, pr: input.pr, stack, sha: build.sha, branch: build.branch, image: build.image, runUrl: github.runUrl };

    // Admission: reserve a slot or join the queue.
    progress.step(`checking the ${platform.limit} PR environment slots`);
    let admission = decideAdmission({ pr: input.pr, stacks: await backend.list(), limit: platform.limit });
    if (admission.admit && admission.reason === "free-slot") {
        await backend.reserve(input.pr);
        admission = confirmReservation({ pr: input.pr, stacks: await backend.list(), limit: platform.limit });
        if (!admission.admit) await backend.release(input.pr);
    }
    if (!admission.admit) {
        const queuedAt = sticky.record?.state === "queued" && sticky.record.queuedAt ? sticky.record.queuedAt : now;
        const record: EnvironmentRecord = { ...base, state: "queued", queuedAt, holders: admission.holders };
        const position = queuePosition(await queueEntries(deps, input.pr), { pr: input.pr, queuedAt });
        await writeSticky(deps, sticky, record, { queue: position });
        await github.setLabels(input.pr, { add: [prLabels.queued], remove: [prLabels.deployed] });
        await postStatus(
            deps,
            pendingStatus({
                sha: build.sha,
                environment: input.pr,
                what: `queued: all ${platform.limit} environment slots are in use (position ${position.position} of ${position.length})`,
                runUrl: github.runUrl,
            }),
        );
        progress.done(`PR #${input.pr} queued (position ${position.position}); slots held by ${admission.holders.map((n) => `#${n}`).join(", ")}`);
        return { pr: input.pr, stack, outcome: "queued", sha: build.sha, holders: admission.holders, position };
    }

    // Deploy.
    const previous = sticky.record?.state === "deployed" || sticky.record?.state === "deploying" ? sticky.record.deployedAt : undefined;
    const planned = { url: view.url, mailCatcherUrl: view.mailCatcherUrl, database: view.database };
    await writeSticky(deps, sticky, { ...base, ...planned, state: "deploying", deployedAt: previous });
    await github.setLabels(input.pr, { add: [prLabels.deployed], remove: [prLabels.queued] });
    await postStatus(
        deps,
        pendingStatus({ sha: build.sha, environment: input.pr, what: `deploying and testing ${build.sha.slice(0, 12)}`, runUrl: github.runUrl }),
    );
    progress.step(`pulumi up ${stack} (${build.sha.slice(0, 12)})`);
    let deployment: PrDeployment;
    try {
        // Routing slots are the docker host's PR networks (components/EdgeRouter.ts); a namespace needs none.
        const slot = runtimeOf(platform) === "docker" ? assignSlot({ pr: input.pr, stacks: await backend.list(), limit: platform.limit }) : undefined;
        deployment = await backend.deploy(input.pr, { gitSha: build.sha, gitBranch: build.branch, odooImage: build.image, slot });
    } catch (err) {
        const reason = firstLine((err as Error).message);
        await writeSticky(deps, sticky, { ...base, ...planned, state: "failed", reason, deployedAt: previous });
        await postStatus(deps, failedStatus({ sha: build.sha, environment: input.pr, what: `deploy failed: ${reason}`, runUrl: github.runUrl }));
        throw new OperationFailedError(`deploy of PR #${input.pr} (${stack}) failed: ${(err as Error).message}`);
    }
    let tests: TestLogResult | undefined;
    try {
        tests = await judgeTests(deps, input.pr, deployment);
    } catch (err) {
        const reason = `the tests ran but their log could not be read: ${firstLine((err as Error).message)}`;
        await writeSticky(deps, sticky, { ...base, ...planned, state: "failed", reason, deployedAt: previous });
        await postStatus(deps, failedStatus({ sha: build.sha, environment: input.pr, what: reason, runUrl: github.runUrl, state: "error" }));
        throw new OperationFailedError(`PR #${input.pr} (${stack}) deployed, but ${reason}`);
    }
    const record: EnvironmentRecord = {
        ...base,
        state: "deployed",
        url: deployment.url,
        mailCatcherUrl: deployment.mailCatcherUrl ?? view.mailCatcherUrl,
        database: deployment.databaseName ?? view.database,
        databaseHost: view.databaseHost,
        runtime: runtimeOf(platform),
        namespace: deployment.namespace ?? view.namespace,
        image: build.image ?? deployment.imageDigest ?? deployment.imageReference,
        deployedAt: deps.clock.now().toISOString(),
        tests: tests ? testSummary(tests, deployment.tests?.container) : undefined,
    };
    await writeSticky(deps, sticky, record);
    await postStatus(deps, buildStatus({ sha: build.sha, environment: input.pr, tests, url: record.url, runUrl: github.runUrl }));
    progress.done(`PR #${input.pr} deployed at ${record.url}${tests ? `; tests ${tests.verdict}: ${summaryLine(tests)}` : ""}`);
    return {
        pr: input.pr,
        stack,
        outcome: "deployed",
        sha: build.sha,
        url: record.url,
        mailCatcherUrl: record.mailCatcherUrl,
        database: record.database,
        runtime: runtimeOf(platform),
        databaseHost: record.databaseHost,
        namespace: record.namespace,
        tests:
            tests && record.tests ? { ...record.tests, tests: tests.tests, failed: tests.failed, errors: tests.errors, warnings: tests.warnings } : undefined,
    };
}

export const runtimeOf = (platform: PrPlatform): "docker" | "kubernetes" => platform.runtime ?? "docker";

export function firstLine(text: string): string {
    const line =
        text
            .split("\n")
            .map((l) => l.trim())
            .find((l) => l.length > 0) ?? "unknown error";
    return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

// --------------------------------------------------------------------------------------------
// down

export interface DownReport {
    pr: number;
    stack: string;
    destroyed: boolean;
    reason: string;
    /** Queued environments whose deploy was dispatched into the freed slot. */
    promoted: EnvironmentId[];
    runtime: "docker" | "kubernetes";
}

const reasonText: Record<SweepReason, (ttlHours: number) => string> = {
    merged: () => "the pull request was merged",
    closed: () => "the pull request was closed",
    "no-such-pr": () => "the pull request no longer exists",
    idle: (ttl) => `no push for ${ttl} h`,
    "abandoned-reservation": () => "an abandoned reservation was cleaned up",
    "branch-deleted": () => "the branch was deleted",
    "branch-unmatched": () => "the branch no longer matches odoo-platform:branchEnvironments",
};

/** Removes PR `pr`'s environment (idempotent) and hands its slot on. */
export async function prDown(deps: LifecycleDeps, input: { pr: number; reason?: string }): Promise<DownReport> {
    const platform = deps.platform();
    const stack = prStackName(input.pr, platform.sharedStack);
    const pull = await deps.github.getPull(input.pr);
    const reason = input.reason ?? (pull?.merged ? reasonText.merged(0) : pull?.state === "closed" ? reasonText.closed(0) : "removed on request");
    deps.progress.step(`destroying ${stack}`);
    const result = await deps.backend.destroy(input.pr);
    const destroyed = result === "destroyed";
    if (pull) await markRemoved(deps, pull.number, stack, reason, { headSha: pull.headSha, headRef: pull.headRef }, destroyed);
    const promoted = await promoteQueued(deps, input.pr);
    deps.progress.done(destroyed ? `${stack} destroyed` : `${stack} did not exist (nothing to destroy)`);
    return { pr: input.pr, stack, destroyed, reason, promoted, runtime: runtimeOf(platform) };
}

async function markRemoved(
    deps: LifecycleDeps,
    pr: number,
    stack: string,
    reason: string,
    head: { headSha: string; headRef: string },
    destroyed: boolean,
): Promise<void> {
    const sticky = await readSticky(deps, pr);
    if (sticky.record || destroyed) {
        if (sticky.record?.state !== "removed" || destroyed) {
            const last = sticky.record ?? { sha: head.headSha, branch: head.headRef };
            const where = sticky.record ? { runtime: sticky.record.runtime, namespace: sticky.record.namespace } : {};
            await writeSticky(deps, sticky, {
                v: 1,
                pr,
                stack,
                state: "removed",
                sha: last.sha,
                branch: last.branch,
                reason,
                runUrl: deps.github.runUrl,
                ...where,
            });
        }
    }
    await deps.github.setLabels(pr, { remove: [prLabels.deployed, prLabels.queued] });
}

// --------------------------------------------------------------------------------------------
// sweep

export interface SweepReport {
    dryRun: boolean;
    stacks: number;
    actions: SweepAction[];
    /** Queued environments dispatched (or, in a dry run, that would be). */
    promoted: EnvironmentId[];
    failures: { pr: EnvironmentId; error: string }[];
}

export async function prSweep(deps: LifecycleDeps, input: { dryRun: boolean }): Promise<SweepReport> {
    const platform = deps.platform();
    deps.progress.step("listing PR and branch environment stacks");
    const stacks = await deps.backend.list();
    const pulls = new Map<EnvironmentId, PullState | null>();
    const branches = new Map<EnvironmentId, BranchState>();
    const failures: SweepReport["failures"] = [];
    const heads = new Map<EnvironmentId, { headSha: string; headRef: string }>();
    if (stacks.some((s) => typeof s.pr === "string")) {
        try {
            const patterns = platform.branchEnvironments ?? [];
            const slugs = new Map<EnvironmentId, BranchState>();
            for (const branch of await deps.github.listBranches()) {
                const id = branchEnvironmentId(branch.name);
                if (slugs.get(id) !== "active") slugs.set(id, branchGetsEnvironment(branch.name, patterns) ? "active" : "unmatched");
            }
            for (const stack of stacks) if (typeof stack.pr === "string") branches.set(stack.pr, slugs.get(stack.pr) ?? "deleted");
        } catch (err) {
            for (const stack of stacks)
                if (typeof stack.pr === "string") failures.push({ pr: stack.pr, error: `could not list the branches: ${(err as Error).message}` });
        }
    }
    for (const stack of stacks) {
        if (typeof stack.pr === "string") continue;
        try {
            const pull = await deps.github.getPull(stack.pr);
            pulls.set(stack.pr, pull ? { state: pull.state, merged: pull.merged } : null);
            if (pull) heads.set(stack.pr, { headSha: pull.headSha, headRef: pull.headRef });
        } catch (err) {
            failures.push({ pr: stack.pr, error: `could not read the pull request: ${(err as Error).message}` });
        }
    }
    const actions = planSweep({ stacks, pulls, branches, now: deps.clock.now(), ttlHours: platform.ttlHours });
    if (input.dryRun) {
        const free = platform.limit - (stacks.length - actions.length);
        const promoted = choosePromotions(await queueEntries(deps), free);
        return { dryRun: true, stacks: stacks.length, actions, promoted, failures };
    }
    for (const action of actions) {
        try {
            deps.progress.step(`removing ${action.stack}: ${action.detail}`);
            const result = await deps.backend.destroy(action.pr);
            const head = heads.get(action.pr);
            if (head && typeof action.pr === "number")
                await markRemoved(deps, action.pr, action.stack, reasonText[action.reason](platform.ttlHours), head, result === "destroyed");
        } catch (err) {
            failures.push({ pr: action.pr, error: (err as Error).message });
        }
    }
    const promoted = await promoteQueued(deps);
    deps.progress.done(`${actions.length} removed, ${promoted.length} promoted, ${failures.length} failed`);
    return { dryRun: false, stacks: stacks.length, actions, promoted, failures };
}
