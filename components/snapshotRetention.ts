/**
 * Snapshot key layout and retention, as data. Production backups follow Odoo.sh (7 daily, 4 weekly,
 * 3 monthly); staging snapshots and promotion backups expire after a configurable number of days.
 * The S3 lifecycle rules of SnapshotBucket and the backup job's key choice both come from here.
 */
export interface RetentionRule {
    id: string;
    /** Key prefix in the bucket. */
    prefix: string;
    /** Objects under the prefix expire this many days after creation. */
    expireAfterDays: number;
    description: string;
}

export interface RetentionOptions {
    dailyKeep?: number;
    weeklyKeep?: number;
    monthlyKeep?: number;
    stagingSnapshotDays?: number;
    promotionBackupDays?: number;
    /** Evidence archived by `evidence prune --to s3://<bucket>/evidence` at this age (days) … */
    evidenceCompressAfterDays?: number;
    /** … is gone at this age: the object expires (deleteAfter − compressAfter) days after upload. */
    evidenceDeleteAfterDays?: number;
    /** Days an overwritten or expired object stays recoverable as a noncurrent version. */
    noncurrentVersionDays?: number;
}

/** Key prefix of sanitized snapshots: the only part of the bucket staging may read. */
export const stagingPrefix = "staging/";

export function retentionRules(opts: RetentionOptions = {}): RetentionRule[] {
    for (const [key, value] of Object.entries(opts)) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
            throw new Error(`retention.${key} must be a whole number of at least 1, got ${value}`);
        }
    }
    const daily = opts.dailyKeep ?? 7;
    const weekly = opts.weeklyKeep ?? 4;
    const monthly = opts.monthlyKeep ?? 3;
    return [
        // Lifecycle expiry counts days since upload, so "keep N" becomes N periods plus a day of slack.
        { id: "production-daily", prefix: "production/daily/", expireAfterDays: daily + 1, description: `${daily} daily backups` },
        { id: "production-weekly", prefix: "production/weekly/", expireAfterDays: weekly * 7 + 1, description: `${weekly} weekly backups` },
        { id: "production-monthly", prefix: "production/monthly/", expireAfterDays: monthly * 31 + 1, description: `${monthly} monthly backups` },
        {
            id: "production-promotion",
            prefix: "production/promotion/",
            expireAfterDays: opts.promotionBackupDays ?? 14,
            description: "backups taken before a promotion that upgrades modules",
        },
        {
            id: "staging-snapshots",
            prefix: stagingPrefix,
            expireAfterDays: opts.stagingSnapshotDays ?? 30,
            description: "sanitized snapshots for staging refreshes",
        },
        {
            id: "evidence-archive",
            prefix: "evidence/",
            expireAfterDays: (opts.evidenceDeleteAfterDays ?? 90) - (opts.evidenceCompressAfterDays ?? 30),
            description: `deployment evidence moved here compressed by \`evidence prune\`, gone ${opts.evidenceDeleteAfterDays ?? 90} days after it was written`,
        },
    ];
}

/** Which backup tier a daily backup taken on `date` (UTC) belongs to. */
export function backupTier(date: Date): "monthly" | "weekly" | "daily" {
    if (date.getUTCDate() === 1) return "monthly";
    if (date.getUTCDay() === 0) return "weekly";
    return "daily";
}
