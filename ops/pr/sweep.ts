/**
 * What `pr sweep` removes, as a pure decision over the stacks that exist and the state of their
 * pull requests. It is the safety net behind the close event: run every 30 minutes, it removes a
 * closed PR's environment within the hour even when the `closed` workflow never ran.
 */
import { compareEnvironments, EnvironmentId } from "./naming";
import type { PrStackInfo } from "./queue";

export interface PullState {
    state: "open" | "closed";
    merged: boolean;
}

export type SweepReason = "merged" | "closed" | "no-such-pr" | "idle" | "abandoned-reservation" | "branch-deleted" | "branch-unmatched";

/** What became of a branch environment's branch: still pushed and matching, deleted, or no longer matching the patterns. */
export type BranchState = "active" | "deleted" | "unmatched";

export interface SweepAction {
    pr: EnvironmentId;
    stack: string;
    reason: SweepReason;
    /** For people: why, with the numbers. */
    detail: string;
}

/** An empty stack with no update for this long is a reservation whose runner died. */
export const abandonedReservationHours = 1;

export function planSweep(input: {
    stacks: PrStackInfo[];
    /** State of each stack's PR; null when GitHub says the PR does not exist. */
    pulls: Map<EnvironmentId, PullState | null>;
    /** State of each branch environment's branch (absent: not looked up). */
    branches?: Map<EnvironmentId, BranchState>;
    now: Date;
    ttlHours: number;
}): SweepAction[] {
    const actions: SweepAction[] = [];
    const hoursSince = (date: Date) => (input.now.getTime() - date.getTime()) / 3_600_000;
    for (const stack of [...input.stacks].sort((a, b) => compareEnvironments(a.pr, b.pr))) {
        const base = { pr: stack.pr, stack: stack.name };
        let pull: PullState | null | undefined;
        if (typeof stack.pr === "string") {
            const branch = input.branches?.get(stack.pr);
            if (branch === undefined) continue; // not looked up: never guess
            if (branch === "deleted") {
                actions.push({ ...base, reason: "branch-deleted", detail: `no branch of ${stack.pr} exists any more` });
                continue;
            }
            if (branch === "unmatched") {
                actions.push({ ...base, reason: "branch-unmatched", detail: `the branch of ${stack.pr} no longer matches odoo-platform:branchEnvironments` });
                continue;
            }
            pull = { state: "open", merged: false };
        } else {
            pull = input.pulls.get(stack.pr);
        }
        if (pull === undefined) continue; // not looked up (GitHub unreachable for it): never guess
        if (pull === null) {
            actions.push({ ...base, reason: "no-such-pr", detail: `pull request #${stack.pr} does not exist` });
        } else if (pull.state === "closed") {
            actions.push({ ...base, reason: pull.merged ? "merged" : "closed", detail: `pull request #${stack.pr} is ${pull.merged ? "merged" : "closed"}` });
        } else if (stack.updating) {
            continue; // a deploy is running: it is not idle
        } else if (stack.resourceCount === 0) {
            const age = stack.lastUpdate ? hoursSince(stack.lastUpdate) : Number.POSITIVE_INFINITY;
            if (age >= abandonedReservationHours) {
                actions.push({
                    ...base,
                    reason: "abandoned-reservation",
                    detail: `stack ${stack.name} holds no resources and has not been updated for over ${abandonedReservationHours} h`,
                });
            }
        } else if (stack.lastUpdate && hoursSince(stack.lastUpdate) > input.ttlHours) {
            const idle = Math.floor(hoursSince(stack.lastUpdate));
            actions.push({ ...base, reason: "idle", detail: `no deploy for ${idle} h (TTL ${input.ttlHours} h)` });
        }
    }
    return actions;
}
