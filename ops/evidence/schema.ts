/**
 * The evidence schema as data: table and column names (a contract other tools read — postmortems,
 * dashboards, rollback), the enums the database checks, and the validators the emitters run before
 * they write anything. docs/deployment/EVIDENCE.md documents the same names; a test keeps this
 * table, the migrations and the database in agreement.
 */
import { imageDigestPattern } from "../../config/naming";
import { stackIdentity, StackNameError } from "../../config/stage";
import { InvalidInputError } from "../core/errors";

export const evidenceSchemaName = "ops";
export const writerRole = "ops_writer";
export const readerRole = "ops_reader";

export const deploymentStatuses = ["succeeded", "failed", "rolled_back"] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** Columns each emitter may set (ids, recorded_at and recorded_by are the database's). */
export const evidenceColumns = {
    builds: [
        "git_sha",
        "branch",
        "commit_message",
        "author",
        "committed_at",
        "built_at",
        "lock_hash",
        "lock_files",
        "image_reference",
        "image_digest",
        "run_url",
        "evidence_uri",
    ],
    health_checks: [
        "environment",
        "git_sha",
        "url",
        "http_status",
        "http_ok",
        "http_ms",
        "database_name",
        "database_ok",
        "database_ms",
        "ok",
        "attempts",
        "detail",
        "checked_at",
    ],
    deployments: [
        "environment",
        "stack",
        "git_sha",
        "git_branch",
        "image_reference",
        "image_digest",
        "url",
        "database_name",
        "status",
        "rollback_of_sha",
        "migrations_executed",
        "health_check_id",
        "health",
        "build_id",
        "started_at",
        "finished_at",
        "evidence_uri",
        "outputs",
        "run_url",
        "actor",
    ],
    migrations: [
        "deployment_id",
        "environment",
        "database_name",
        "module",
        "version_before",
        "version_after",
        "state_before",
        "state_after",
        "scripts",
        "seconds",
        "dry_run",
        "checksum_before",
        "checksum_after",
    ],
} as const;

export type EvidenceTable = keyof typeof evidenceColumns;
export type EvidenceRow<T extends EvidenceTable> = Partial<Record<(typeof evidenceColumns)[T][number], unknown>>;

/** Columns every evidence table has besides the writable ones. */
export const stampColumns = ["id", "recorded_at", "recorded_by"] as const;

const gitShaFormat = /^[0-9a-f]{7,40}$/;

/** An environment is a stack name: dev, staging, production or pr-<n> (config/stage.ts decides). */
export function parseEnvironment(name: string | undefined, where: string): string {
    if (!name) throw new InvalidInputError(`${where}: no environment given: use dev, staging, production or pr-<number>`);
    try {
        return stackIdentity(name).stack;
    } catch (err) {
        if (err instanceof StackNameError) {
            throw new InvalidInputError(`${where}: unknown environment "${name}": use dev, staging, production or pr-<number> (the stack name)`);
        }
        throw err;
    }
}

export function isGitSha(value: unknown): value is string {
    return typeof value === "string" && gitShaFormat.test(value);
}

export function parseGitSha(value: string | undefined, where: string): string {
    const sha = value?.trim().toLowerCase();
    if (!sha || !gitShaFormat.test(sha)) {
        throw new InvalidInputError(`${where} must be a git commit SHA (7–40 hex characters), got ${JSON.stringify(value ?? "")}`);
    }
    return sha;
}

export interface PinnedImage {
    /** Repository without tag or digest: ghcr.io/org/odoo. */
    repository: string;
    /** sha256:<64 hex>. */
    digest: string;
    /** repository@digest: what a redeploy pulls. */
    reference: string;
}

/**
 * Reads a pinned image: `repo[:tag]@sha256:<hex>` (Docker's repoDigest, what the stack exports as
 * imageDigest). A bare `sha256:…` is refused: a digest without its repository cannot be redeployed.
 */
export function parsePinnedImage(value: string | undefined, where: string): PinnedImage {
    const text = value?.trim() ?? "";
    const at = text.lastIndexOf("@");
    const digest = at >= 0 ? text.slice(at + 1) : text;
    const name = at >= 0 ? text.slice(0, at) : "";
    if (!imageDigestPattern.test(digest) || !name) {
        throw new InvalidInputError(`${where} must be a pinned image reference such as ghcr.io/org/odoo@sha256:<64 hex>, got ${JSON.stringify(value ?? "")}`);
    }
    // Drop a tag (`:17.0`) but not a registry port (`host:5000/...`).
    const repository = name.replace(/:[^/:]+$/, "");
    return { repository, digest, reference: `${repository}@${digest}` };
}
