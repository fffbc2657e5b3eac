/**
 * Which sanitized snapshot a staging (or PR) database is restored from, resolved at deploy time.
 * `latest` is a pointer (`staging/latest.json`, written by `snapshot create --latest`); the program
 * reads it and restores the concrete snapshot it names, so the id is part of the restore steps'
 * inputs and a new snapshot re-runs them. The pointer is read with the aws provider's getObject
 * data source, which runs in previews too.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { stagingPrefix } from "./snapshotRetention";

export const latestPointerKey = `${stagingPrefix}latest.json`;

/** `s3://bucket/staging/<id>`. */
export const snapshotUri = (bucket: string, id: string): string => `s3://${bucket}/${stagingPrefix}${id}`;

/** The snapshot id `latest.json` names; throws naming the file when it is not a pointer. */
export function parseLatestPointer(body: string, where: string): string {
    let pointer: unknown;
    try {
        pointer = JSON.parse(body);
    } catch {
        throw new Error(`${where} is not JSON: it should be written by \`odoo-platform snapshot create --latest\``);
    }
    const id = (pointer as { id?: unknown })?.id;
    if (typeof id !== "string" || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id) || id === "latest")
        throw new Error(`${where} names no snapshot id (got ${JSON.stringify(id)})`);
    if ((pointer as { sanitized?: unknown }).sanitized !== true)
        throw new Error(`${where} points at ${id}, which is not sanitized: staging restores sanitized snapshots only`);
    return id;
}

/** Errors of the data source that mean "no pointer yet" rather than a broken configuration. */
const absent = (err: unknown): boolean => /NoSuchKey|NoSuchBucket|not found|404/i.test(String((err as Error)?.message ?? err));

/**
 * The snapshot to restore: the configured id, or the one `latest.json` names. Undefined when the
 * pointer does not exist yet — the first deploy of staging creates the bucket the snapshot workflow
 * fills (`.github/workflows/staging-snapshot.yml`).
 */
export function resolveSnapshot(input: { bucket: string; id: string; provider?: pulumi.ProviderResource }): pulumi.Output<string | undefined> {
    if (input.id !== "latest") return pulumi.output(snapshotUri(input.bucket, input.id));
    const where = `s3://${input.bucket}/${latestPointerKey}`;
    return pulumi.output(
        aws.s3.getObject({ bucket: input.bucket, key: latestPointerKey }, { provider: input.provider }).then(
            (object) => snapshotUri(input.bucket, parseLatestPointer(object.body, where)),
            (err) => {
                if (!absent(err)) throw err;
                pulumi.log.warn(`${where} does not exist yet: the database starts empty until the staging-snapshot workflow publishes a sanitized snapshot`);
                return undefined;
            },
        ),
    );
}
