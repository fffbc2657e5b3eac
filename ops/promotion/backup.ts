/**
 * Where production backups go in the SnapshotBucket, and which one is the newest. Keys follow the
 * retention rules of components/snapshotRetention.ts: `production/{daily,weekly,monthly}/<stamp>/`
 * for the scheduled backup (tier chosen by `backupTier`) and `production/promotion/<stamp>/` for the
 * extra backup taken before a promotion that upgrades modules (like Odoo.sh's "update" backup).
 */
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { backupTier } from "../../components/snapshotRetention";
import { InvalidInputError } from "../core/errors";
import { evidenceStamp } from "../evidence/files";

export const backupKinds = ["scheduled", "promotion"] as const;
export type BackupKind = (typeof backupKinds)[number];

const backupKey = /^production\/(daily|weekly|monthly|promotion)\/(\d{8}T\d{6}Z)\//;

/** Pure: the key prefix of a backup taken at `date`. */
export function backupPrefix(kind: BackupKind, date: Date): string {
    const folder = kind === "promotion" ? "promotion" : backupTier(date);
    return `production/${folder}/${evidenceStamp(date)}/`;
}

/** Pure: the newest backup prefix among object keys (any tier), or undefined. */
export function newestBackup(keys: string[]): string | undefined {
    let best: { stamp: string; prefix: string } | undefined;
    for (const key of keys) {
        const match = backupKey.exec(key);
        if (match && (!best || match[2] > best.stamp)) best = { stamp: match[2], prefix: match[0] };
    }
    return best?.prefix;
}

/** Lists `production/<tier>/<stamp>/` prefixes (one request per tier and page, not one per object). */
export async function latestBackup(client: S3Client, bucket: string): Promise<string | undefined> {
    const prefixes: string[] = [];
    for (const tier of ["daily", "weekly", "monthly", "promotion"]) {
        let token: string | undefined;
        do {
            const page = await client.send(
                new ListObjectsV2Command({ Bucket: bucket, Prefix: `production/${tier}/`, Delimiter: "/", ContinuationToken: token }),
            );
            for (const p of page.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
    }
    return newestBackup(prefixes);
}

export function parseBackupKind(value: string | undefined): BackupKind {
    if (!backupKinds.includes(value as BackupKind)) throw new InvalidInputError(`--kind must be one of ${backupKinds.join(", ")}, got "${value ?? ""}"`);
    return value as BackupKind;
}
