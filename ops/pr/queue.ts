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
 * order (oldest first, then PR number).
 */

export interface PrStackInfo {
    pr: number;
    /** Stack name as the backend lists it. */
    name: string;
    /** Resources in the stack's last checkpoint (0 for a fresh reservation). */
    resourceCount: number;
    /** End of the last update, if any. */
    lastUpdate?: Date;
    /** An update is running right now. */
    updating: boolean;
}

export type Admission =
    | { admit: true; reason: "holds-slot" | "free-slot" | "won-reservation" }
    | { admit: false; holders: number[] };

const holdsResources = (s: PrStackInfo) => s.resourceCount > 0 || s.updating;
const sortNumbers = (ns: number[]) => [...new Set(ns)].sort((a, b) => a - b);

function checkLimit(limit: number): void {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency limit must be a whole number ≥ 1, got ${limit}`);
}

/** Before reserving: may PR `pr` have an environment now? */
export function decideAdmission(input: { pr: number; stacks: PrStackInfo[]; limit: number }): Admission {
    checkLimit(input.limit);
    const own = input.stacks.find((s) => s.pr === input.pr);
    if (own && holdsResources(own)) return { admit: true, reason: "holds-slot" };
    const others = input.stacks.filter((s) => s.pr !== input.pr);
    if (others.length >= input.limit) return { admit: false, holders: sortNumbers(others.map((s) => s.pr)) };
    return { admit: true, reason: "free-slot" };
}

/** After reserving (own stack created, list re-read): does PR `pr` keep its reservation? */
export function confirmReservation(input: { pr: number; stacks: PrStackInfo[]; limit: number }): Admission {
    checkLimit(input.limit);
    const holding = input.stacks.filter((s) => holdsResources(s));
    if (holding.some((s) => s.pr === input.pr)) return { admit: true, reason: "holds-slot" };
    const reserved = input.stacks.filter((s) => !holdsResources(s)).sort((a, b) => a.pr - b.pr);
    const free = Math.max(0, input.limit - holding.length);
    const winners = reserved.slice(0, free).map((s) => s.pr);
    if (winners.includes(input.pr)) return { admit: true, reason: "won-reservation" };
    const holders = [...holding.map((s) => s.pr), ...winners].filter((n) => n !== input.pr);
    return { admit: false, holders: sortNumbers(holders) };
}

export interface QueueEntry {
    pr: number;
    /** ISO time; a PR without one (a lost comment) queues after those with one. */
    queuedAt?: string;
}

/** The queue, first in line first. */
export function queueOrder(entries: QueueEntry[]): QueueEntry[] {
    const time = (e: QueueEntry) => (e.queuedAt && !Number.isNaN(Date.parse(e.queuedAt)) ? Date.parse(e.queuedAt) : Number.POSITIVE_INFINITY);
    return [...entries].sort((a, b) => time(a) - time(b) || a.pr - b.pr);
}

/** 1-based position of `pr` in the queue (with its own entry included) and the queue's length. */
export function queuePosition(entries: QueueEntry[], own: QueueEntry): { position: number; length: number } {
    const all = queueOrder([...entries.filter((e) => e.pr !== own.pr), own]);
    return { position: all.findIndex((e) => e.pr === own.pr) + 1, length: all.length };
}

/** Which queued PRs to deploy now that `freeSlots` slots are free: the first ones in line. */
export function choosePromotions(entries: QueueEntry[], freeSlots: number): number[] {
    if (freeSlots <= 0) return [];
    return queueOrder(entries).slice(0, freeSlots).map((e) => e.pr);
}
