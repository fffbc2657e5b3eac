/**
 * Names of the databases and filestore directories a refresh or restore works with, derived from
 * the target's name and the run's timestamp. Pure: the swap, the cleanup of interrupted runs and
 * the tests all use the same functions, so they cannot disagree about what a leftover is.
 *
 *   odoo_staging__restore_20260101120000   the copy being built (dropped if the run dies)
 *   odoo_staging__previous_20260101120000  the database it replaced (kept until the swap succeeded)
 *   odoo_staging__pending                  a verified candidate waiting for `staging swap`
 */
import { createHash } from "node:crypto";

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
export const maxIdentifierBytes = 63;

export type WorkKind = "restore" | "previous";

/** `2026-01-01T12:00:00.123Z` → `20260101120000`. */
export function runStamp(date: Date): string {
    return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}

/**
 * The part of the target's name used as prefix: the name itself, or — when name plus the longest
 * suffix would pass 63 bytes — a shortened name with a hash of the full one, so that two long
 * targets never share leftovers.
 */
export function namePrefix(target: string): string {
    const longestSuffix = "__previous_".length + 14;
    if (Buffer.byteLength(target) + longestSuffix <= maxIdentifierBytes) return target;
    const hash = createHash("sha256").update(target).digest("hex").slice(0, 6);
    let head = target;
    while (Buffer.byteLength(head) + 1 + hash.length + longestSuffix > maxIdentifierBytes) head = head.slice(0, -1);
    return `${head}_${hash}`;
}

export function workDatabaseName(target: string, kind: WorkKind, stamp: string): string {
    if (!/^\d{14}$/.test(stamp)) throw new Error(`workDatabaseName: stamp must be 14 digits (YYYYMMDDHHMMSS), got "${stamp}"`);
    return `${namePrefix(target)}__${kind}_${stamp}`;
}

export function pendingDatabaseName(target: string): string {
    return `${namePrefix(target)}__pending`;
}

export interface WorkName {
    kind: WorkKind;
    stamp: string;
}

/** Is `name` a work database of `target`? Returns its kind and stamp, or null. */
export function parseWorkName(target: string, name: string): WorkName | null {
    const prefix = `${namePrefix(target)}__`;
    if (!name.startsWith(prefix)) return null;
    const match = /^(restore|previous)_(\d{14})$/.exec(name.slice(prefix.length));
    return match ? { kind: match[1] as WorkKind, stamp: match[2] } : null;
}

/** Filestore directories follow the same scheme, beside the live directory. */
export function workDirectoryName(dir: string, kind: WorkKind, stamp: string): string {
    return `${dir.replace(/\/+$/, "")}__${kind}_${stamp}`;
}

export function parseWorkDirectory(dir: string, candidate: string): WorkName | null {
    const prefix = `${dir.replace(/\/+$/, "")}__`;
    if (!candidate.startsWith(prefix)) return null;
    const match = /^(restore|previous)_(\d{14})$/.exec(candidate.slice(prefix.length));
    return match ? { kind: match[1] as WorkKind, stamp: match[2] } : null;
}
