/**
 * Admission of PR environments under a concurrency limit, as pure decisions.
 *
 * Who holds a slot: every existing `pr-*` stack. The Pulumi backend is the durable, shared truth
 * of what runs (a stack exists from its reservation until `pr down`/`pr sweep` removes it), so two
 * runners never disagree about the count.
 *
 * Races: two PRs may ask for the last slot at once. Each first *reserves* (creates its empty stack),
 * then re-reads the stack list and applies `confirmReservation`: stacks that already hold resources
 * or are being updated keep their slots, and the remaining slots go to the reserved-but-empty
 * stacks in ascending PR number. Both runners see both reservations, so they reach the same
 * answer; the loser removes its empty stack and queues.
 *
 * Who waits: open PRs labeled `pr-env:queued`; their sticky comment records `queuedAt`, the queue
 * order (oldest first, then PR number). Branch environments (stacks `br-<slug>`) hold and wait for
 * the same slots; an environment is identified by its PR number or its `br-<slug>` id.
 */

import { compareEnvironments, describeEnvironment, EnvironmentId } from "./naming";

export interface PrStackInfo {
    /** The PR number, or br-<slug> for a branch environment. */
    pr: EnvironmentId;
    /** Stack name as the backend lists it. */
    name: string;
    /** Resources in the stack's last checkpoint (0 for a fresh reservation). */
    resourceCount: number;
    /** End of the last update, if any. */
    lastUpdate?: Date;
    /** An update is running right now. */
    updating: boolean;
    /** The routing network slot it holds (its `odoo-platform:prSlot`), once assigned. */
    slot?: number;
}

export type Admission = { admit: true; reason: "holds-slot" | "free-slot" | "won-reservation" } | { admit: false; holders: EnvironmentId[] };

const holdsResources = (s: PrStackInfo) => s.resourceCount > 0 || s.updating;
const sortIds = (ids: EnvironmentId[]) => [...new Set(ids)].sort(compareEnvironments);

function checkLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency limit must be a whole number ≥ 1, got ${limit}`);
}

/** Before reserving: may PR `pr` have an environment now? */
export function decideAdmission(input: { pr: EnvironmentId; stacks: PrStackInfo[]; limit: number }): Admission {
    checkLimit(input.limit);
    const own = input.stacks.find((s) => s.pr === input.pr);
    if (own && holdsResources(own)) return { admit: true, reason: "holds-slot" };
    const others = input.stacks.filter((s) => s.pr !== input.pr);
    if (others.length >= input.limit) return { admit: false, holders: sortIds(others.map((s) => s.pr)) };
    return { admit: true, reason: "free-slot" };
}

/** After reserving (own stack created, list re-read): does PR `pr` keep its reservation? */
export function confirmReservation(input: { pr: EnvironmentId; stacks: PrStackInfo[]; limit: number }): Admission {
    checkLimit(input.limit);
    const holding = input.stacks.filter((s) => holdsResources(s));
    if (holding.some((s) => s.pr === input.pr)) return { admit: true, reason: "holds-slot" };
    const reserved = input.stacks.filter((s) => !holdsResources(s)).sort((a, b) => compareEnvironments(a.pr, b.pr));
    const free = Math.max(0, input.limit - holding.length);
    const winners = reserved.slice(0, free).map((s) => s.pr);
    if (winners.includes(input.pr)) return { admit: true, reason: "won-reservation" };
    const holders = [...holding.map((s) => s.pr), ...winners].filter((n) => n !== input.pr);
    return { admit: false, holders: sortIds(holders) };
}

/**
 * The routing slot of environment `pr` (1…limit; PR and branch environments share the slots): each
 * running environment has its own network to the router, so none reaches another's Odoo or mail
 * catcher. A stack that has one keeps it; the free slots go to the stacks without one in
 * compareEnvironments order — two runners deciding at once reach
 * the same answer, as for admission. Pure.
 */
export function assignSlot(input: { pr: EnvironmentId; stacks: PrStackInfo[]; limit: number }): number {
    checkLimit(input.limit);
    const own = input.stacks.find((s) => s.pr === input.pr);
    const valid = (slot?: number) => slot !== undefined && Number.isInteger(slot) && slot >= 1 && slot <= input.limit;
    const taken = new Set(input.stacks.filter((s) => s.pr !== input.pr && valid(s.slot)).map((s) => s.slot!));
    if (own && valid(own.slot) && !taken.has(own.slot!)) return own.slot!;
    const free = Array.from({ length: input.limit }, (_, i) => i + 1).filter((n) => !taken.has(n));
    const waiting = sortIds([...input.stacks.filter((s) => !valid(s.slot) || s.pr === input.pr).map((s) => s.pr), input.pr]);
    const slot = free[waiting.indexOf(input.pr)];
    if (slot === undefined)
        throw new Error(
            `no routing slot is free for ${describeEnvironment(input.pr)}: ${input.limit} slots, held by ${input.stacks
                .filter((s) => valid(s.slot))
                .map((s) => describeEnvironment(s.pr))
                .join(", ")}`,
        );
    return slot;
}

export interface QueueEntry {
    pr: EnvironmentId;
    /** The branch of a branch environment (its deploy is dispatched by branch). */
    branch?: string;
    /** ISO time; a PR without one (a lost comment) queues after those with one. */
    queuedAt?: string;
}

/** The queue, first in line first. */
export function queueOrder(entries: QueueEntry[]): QueueEntry[] {
    const time = (e: QueueEntry) => (e.queuedAt && !Number.isNaN(Date.parse(e.queuedAt)) ? Date.parse(e.queuedAt) : Number.POSITIVE_INFINITY);
    return [...entries].sort((a, b) => time(a) - time(b) || compareEnvironments(a.pr, b.pr));
}

/** 1-based position of `pr` in the queue (with its own entry included) and the queue's length. */
export function queuePosition(entries: QueueEntry[], own: QueueEntry): { position: number; length: number } {
    const all = queueOrder([...entries.filter((e) => e.pr !== own.pr), own]);
    return { position: all.findIndex((e) => e.pr === own.pr) + 1, length: all.length };
}

/** Which queued PRs to deploy now that `freeSlots` slots are free: the first ones in line. */
export function choosePromotions(entries: QueueEntry[], freeSlots: number): EnvironmentId[] {
    if (freeSlots <= 0) return [];
    return queueOrder(entries)
        .slice(0, freeSlots)
        .map((e) => e.pr);
}
