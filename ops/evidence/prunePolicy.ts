/**
 * Evidence retention decisions, as a pure function: given each file's age, what happens to it.
 * - younger than `compressAfter`: keep;
 * - older: gzip it (in place, keeping its modification time so its age still counts from when it
 *   was written), and with a long-term store (`--to s3://…`) move the compressed file there;
 * - older than `deleteAfter`: delete it (the store's lifecycle rule expires its copy at the same age).
 * Files that cannot be read are reported as errors and left alone.
 */

export type PruneAction = "keep" | "compress" | "archive" | "delete" | "error";

export interface EvidenceFile {
    /** Path relative to the evidence directory, with `/` separators. */
    path: string;
    /** Last modification time (ms since epoch): the evidence's age counts from it. */
    mtimeMs: number;
    size: number;
    /** Set when the entry cannot be read as a regular file (broken symlink, FIFO, permission …). */
    unreadable?: string;
}

export interface RetentionPolicy {
    compressAfterDays: number;
    deleteAfterDays: number;
    /** A long-term store is configured (`--to`): compressed files move there. */
    archive: boolean;
}

export interface PruneDecision {
    path: string;
    ageDays: number;
    action: PruneAction;
    reason: string;
}

export const dayMs = 86_400_000;

export function isCompressed(path: string): boolean {
    return path.endsWith(".gz");
}

/** Parses `30d`, `12h` or `2w` into days. */
export function parseAge(text: string, option: string): number {
    const match = /^(\d+(?:\.\d+)?)([hdw])$/.exec(text.trim());
    if (!match) throw new Error(`${option} must be an age such as 30d, 12h or 2w (got "${text}")`);
    const value = Number(match[1]);
    return match[2] === "h" ? value / 24 : match[2] === "w" ? value * 7 : value;
}

export function validatePolicy(policy: RetentionPolicy): void {
    if (!(policy.compressAfterDays >= 0)) throw new Error(`--compress-after must be 0 days or more, got ${policy.compressAfterDays}`);
    if (!(policy.deleteAfterDays > policy.compressAfterDays)) {
        throw new Error(
            `--delete-after (${policy.deleteAfterDays}d) must be longer than --compress-after (${policy.compressAfterDays}d): evidence is compressed before it is deleted`,
        );
    }
}

export function decide(file: EvidenceFile, policy: RetentionPolicy, nowMs: number): PruneDecision {
    const ageDays = Math.max(0, (nowMs - file.mtimeMs) / dayMs);
    const rounded = Math.floor(ageDays * 10) / 10;
    const base = { path: file.path, ageDays: rounded };
    if (file.unreadable) return { ...base, action: "error", reason: file.unreadable };
    if (ageDays >= policy.deleteAfterDays) return { ...base, action: "delete", reason: `older than ${policy.deleteAfterDays} days` };
    if (ageDays >= policy.compressAfterDays) {
        if (policy.archive)
            return {
                ...base,
                action: "archive",
                reason: `older than ${policy.compressAfterDays} days: ${isCompressed(file.path) ? "" : "compress and "}move to long-term storage`,
            };
        if (!isCompressed(file.path)) return { ...base, action: "compress", reason: `older than ${policy.compressAfterDays} days` };
        return { ...base, action: "keep", reason: "already compressed" };
    }
    return { ...base, action: "keep", reason: `younger than ${policy.compressAfterDays} days` };
}

/** Decisions for every file, in path order. */
export function planPrune(files: EvidenceFile[], policy: RetentionPolicy, nowMs: number): PruneDecision[] {
    validatePolicy(policy);
    return [...files].sort((a, b) => a.path.localeCompare(b.path)).map((file) => decide(file, policy, nowMs));
}
