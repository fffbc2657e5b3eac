/**
 * Branch environments: a push to a branch matching odoo-platform:branchEnvironments gets an
 * environment with the PR lifecycle — its own URL (`br-<slug>.dev.<domain>`), the build's tests, a
 * commit status `odoo-platform/branch-<slug>`, the TTL sweep and the same slots and queue as PRs.
 *
 * There is no pull request to hold a sticky comment, so the commit status is the record: pending
 * "queued: …" while the branch waits (its time is the queue order), pending "deploying …", then
 * success or failure with the tests' summary and the environment's host. `pr sweep` removes a branch
 * environment when its branch is deleted, no longer matches the patterns, or idles past the TTL.
 */
import { buildStatus, failedStatus, pendingStatus } from "../build/status";
import { summaryLine, TestLogResult } from "../build/testLog";
import { firstLine, judgeTests, LifecycleDeps, postStatus, PrView, promoteQueued, queueEntries, runtimeOf, testSummary } from "./lifecycle";
import { branchEnvironmentId, branchGetsEnvironment, describeEnvironment, EnvironmentId, environmentStackName } from "./naming";
import type { PrDeployment } from "./ports";
import { assignSlot, confirmReservation, decideAdmission, queuePosition } from "./queue";
import type { TestSummary } from "./record";
import { InvalidInputError, OperationFailedError } from "../core/errors";

export interface BranchUpInput {
    branch: string;
    sha: string;
    image?: string;
}

export interface BranchUpReport {
    branch: string;
    environment: `br-${string}`;
    stack: string;
    outcome: "deployed" | "queued" | "skipped";
    reason?: string;
    sha: string;
    url?: string;
    mailCatcherUrl?: string;
    database?: string;
    holders?: EnvironmentId[];
    position?: { position: number; length: number };
    tests?: TestSummary & { tests: number; failed: number; errors: number; warnings: number };
}

export async function branchUp(deps: LifecycleDeps, input: BranchUpInput): Promise<BranchUpReport> {
    const { github, backend, progress } = deps;
    const platform = deps.platform();
    if (!/^[0-9a-f]{7,40}$/.test(input.sha)) throw new InvalidInputError(`--sha must be the commit to deploy (7–40 lower-case hex), got "${input.sha}"`);
    const id = branchEnvironmentId(input.branch);
    const stack = environmentStackName(id, platform.sharedStack);
    const patterns = platform.branchEnvironments ?? [];
    const base = { branch: input.branch, environment: id, stack, sha: input.sha };
    if (!branchGetsEnvironment(input.branch, patterns)) {
        const which = patterns.length ? patterns.join(", ") : "(none configured)";
        return { ...base, outcome: "skipped", reason: `branch ${input.branch} matches none of odoo-platform:branchEnvironments: ${which}` };
    }
    let view: PrView;
    try {
        view = deps.view({ pr: id, sha: input.sha, branch: input.branch, image: input.image });
    } catch (err) {
        throw new InvalidInputError(`branch ${input.branch}: ${(err as Error).message}`);
    }

    progress.step(`checking the ${platform.limit} environment slots`);
    let admission = decideAdmission({ pr: id, stacks: await backend.list(), limit: platform.limit });
    if (admission.admit && admission.reason === "free-slot") {
        await backend.reserve(id);
        admission = confirmReservation({ pr: id, stacks: await backend.list(), limit: platform.limit });
        if (!admission.admit) await backend.release(id);
    }
    if (!admission.admit) {
        const position = queuePosition(await queueEntries(deps, id), { pr: id, queuedAt: deps.clock.now().toISOString() });
        await postStatus(
            deps,
            pendingStatus({
                sha: input.sha,
                environment: id,
                what: `queued: all ${platform.limit} environment slots are in use (held by ${admission.holders.map(describeEnvironment).join(", ")})`,
                runUrl: github.runUrl,
            }),
        );
        progress.done(`${id} queued (position ${position.position})`);
        return { ...base, outcome: "queued", holders: admission.holders, position };
    }

    await postStatus(
        deps,
        pendingStatus({
            sha: input.sha,
            environment: id,
            what: `deploying and testing ${input.sha.slice(0, 12)} · ${new URL(view.url).host}`,
            runUrl: github.runUrl,
        }),
    );
    progress.step(`pulumi up ${stack} (${input.sha.slice(0, 12)})`);
    let deployment: PrDeployment;
    try {
        // As a PR's: routing slots are the docker host's, a namespace needs none.
        const slot = runtimeOf(platform) === "docker" ? assignSlot({ pr: id, stacks: await backend.list(), limit: platform.limit }) : undefined;
        deployment = await backend.deploy(id, { gitSha: input.sha, gitBranch: input.branch, odooImage: input.image, slot });
    } catch (err) {
        await postStatus(
            deps,
            failedStatus({ sha: input.sha, environment: id, what: `deploy failed: ${firstLine((err as Error).message)}`, runUrl: github.runUrl }),
        );
        throw new OperationFailedError(`deploy of branch ${input.branch} (${stack}) failed: ${(err as Error).message}`);
    }
    let tests: TestLogResult | undefined;
    try {
        tests = await judgeTests(deps, id, deployment);
    } catch (err) {
        const reason = `the tests ran but their log could not be read: ${firstLine((err as Error).message)}`;
        await postStatus(deps, failedStatus({ sha: input.sha, environment: id, what: reason, runUrl: github.runUrl, state: "error" }));
        throw new OperationFailedError(`branch ${input.branch} (${stack}) deployed, but ${reason}`);
    }
    await postStatus(deps, buildStatus({ sha: input.sha, environment: id, tests, url: deployment.url, runUrl: github.runUrl }));
    progress.done(`${id} deployed at ${deployment.url}${tests ? `; tests ${tests.verdict}: ${summaryLine(tests)}` : ""}`);
    const summary = tests ? testSummary(tests, deployment.tests?.container) : undefined;
    return {
        ...base,
        outcome: "deployed",
        url: deployment.url,
        mailCatcherUrl: deployment.mailCatcherUrl ?? view.mailCatcherUrl,
        database: deployment.databaseName ?? view.database,
        tests: tests && summary ? { ...summary, tests: tests.tests, failed: tests.failed, errors: tests.errors, warnings: tests.warnings } : undefined,
    };
}

export interface BranchDownReport {
    branch: string;
    environment: `br-${string}`;
    stack: string;
    destroyed: boolean;
    promoted: EnvironmentId[];
}

/** Removes a branch's environment (a deleted branch; idempotent) and hands its slot on. */
export async function branchDown(deps: LifecycleDeps, input: { branch: string }): Promise<BranchDownReport> {
    const id = branchEnvironmentId(input.branch);
    const stack = environmentStackName(id, deps.platform().sharedStack);
    deps.progress.step(`destroying ${stack}`);
    const result = await deps.backend.destroy(id);
    const promoted = await promoteQueued(deps, id);
    deps.progress.done(result === "destroyed" ? `${stack} destroyed` : `${stack} did not exist (nothing to destroy)`);
    return { branch: input.branch, environment: id, stack, destroyed: result === "destroyed", promoted };
}
