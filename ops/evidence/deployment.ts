/**
 * `odoo-platform evidence deployment`: one ops.deployments row from the stack outputs of the
 * deployment just made, plus its health check, the modules it upgraded and its log.
 */
import * as fs from "node:fs";
import type { Client } from "pg";
import { stripUrlCredentials } from "../core/secrets";
import { InvalidInputError } from "../core/errors";
import { parseDatabaseUrl } from "../postgres/connect";
import { EvidenceFile, planBundle, resolveStamp } from "./files";
import { DeploymentOutputs, parseDeploymentOutputs, readOutputsFile } from "./outputs";
import { DeploymentStatus, deploymentStatuses, EvidenceRow, parseEnvironment, parseGitSha, parsePinnedImage } from "./schema";
import { insertRow, json, recordEvidence } from "./store";

/** Clock skew between a CI runner and the evidence database that is not "the future" (as in migration 0003). */
const futureToleranceMs = 5 * 60_000;

/** What `health --json` printed: the fields a deployment keeps. */
export interface HealthSummary {
    id: number | null;
    ok: boolean;
    report: Record<string, unknown>;
}

export function readHealthReport(file: string): HealthSummary {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `is not valid JSON (${(err as Error).message})`;
        throw new InvalidInputError(`health report ${file} ${why}: write it with \`odoo-platform health … --json > ${file}\``);
    }
    const r = raw as Record<string, unknown>;
    if (!r || typeof r !== "object" || typeof r.ok !== "boolean") {
        throw new InvalidInputError(`health report ${file} has no boolean "ok": write it with \`odoo-platform health … --json > ${file}\``);
    }
    return { id: typeof r.id === "number" ? r.id : null, ok: r.ok, report: r };
}

export function parseStatus(value: string | undefined): DeploymentStatus {
    if (!deploymentStatuses.includes(value as DeploymentStatus)) {
        throw new InvalidInputError(`--status must be one of ${deploymentStatuses.join(", ")}, got ${JSON.stringify(value ?? "")}`);
    }
    return value as DeploymentStatus;
}

export function parseTime(value: string | undefined, option: string, fallback: Date): Date {
    if (value === undefined) return fallback;
    const date = new Date(/^\d+$/.test(value) ? Number(value) * 1000 : value);
    if (Number.isNaN(date.getTime())) throw new InvalidInputError(`${option} must be an ISO 8601 time or Unix seconds, got "${value}"`);
    return date;
}

export function parseList(value: string | undefined): string[] {
    return (value ?? "")
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean);
}

export interface DeploymentInput {
    outputs: DeploymentOutputs;
    status: DeploymentStatus;
    /** The SHA the pipeline meant to deploy: a succeeded deployment's outputs must say the same. */
    expectSha?: string;
    /** Image attempted by a failed deployment (its outputs may still describe the previous one). */
    image?: string;
    environment?: string;
    startedAt: Date;
    finishedAt: Date;
    health?: HealthSummary;
    migrationsExecuted: string[];
    rollbackOfSha?: string;
    runUrl?: string;
    actor?: string;
}

/** Pure: the row, or why the input does not describe a deployment that can be recorded. */
export function deploymentRow(input: DeploymentInput): EvidenceRow<"deployments"> {
    const { outputs, status } = input;
    const problems: string[] = [];
    if (input.environment && input.environment !== outputs.environment) {
        problems.push(`--environment ${input.environment} but the outputs are from stack ${outputs.stack}: pass the outputs of the ${input.environment} stack`);
    }
    let gitSha = outputs.gitSha;
    let image: { reference: string; digest: string } | null = outputs.image;
    if (input.expectSha) {
        const sameCommit = gitSha.startsWith(input.expectSha) || input.expectSha.startsWith(gitSha);
        if (status === "failed") {
            // A failed update may leave the previous outputs: record what was attempted.
            gitSha = input.expectSha;
            if (!sameCommit) image = null;
        } else if (!sameCommit) {
            problems.push(
                `the outputs say gitSha ${outputs.gitSha} but this deployment was of ${input.expectSha}: did pulumi up run on this stack, with ODOO_PLATFORM_GIT_SHA set?`,
            );
        }
    }
    if (input.image) image = parsePinnedImage(input.image, "--image");
    if (input.finishedAt < input.startedAt) problems.push("--finished-at is before --started-at");
    // The database refuses it too (a deployment "finishing" in 2099 would stay the current one for ever).
    if (input.finishedAt.getTime() > Date.now() + futureToleranceMs) problems.push("--finished-at is in the future");
    if (status === "rolled_back" && !input.rollbackOfSha) problems.push("--status rolled_back needs --rollback-of <sha>: the SHA that was rolled back");
    if (status === "succeeded" && input.health && !input.health.ok) {
        problems.push("--status succeeded but the health check failed: record the deployment with --status failed");
    }
    if (problems.length) throw new InvalidInputError(problems.join("; "));
    return {
        environment: outputs.environment,
        stack: outputs.stack,
        git_sha: gitSha,
        git_branch: outputs.gitBranch,
        image_reference: image?.reference ?? null,
        image_digest: image?.digest ?? null,
        url: outputs.url ? stripUrlCredentials(outputs.url) : outputs.url,
        database_name: outputs.databaseName,
        status,
        rollback_of_sha: input.rollbackOfSha ?? null,
        migrations_executed: input.migrationsExecuted,
        health_check_id: input.health?.id ?? null,
        health: input.health?.report ?? null,
        started_at: input.startedAt,
        finished_at: input.finishedAt,
        outputs: outputs.recorded,
        run_url: input.runUrl ? stripUrlCredentials(input.runUrl) : null,
        actor: input.actor ?? null,
    };
}

/** The build of this commit and image, when CI recorded one (links the two tables). */
export async function findBuildId(client: Client, gitSha: string, imageDigest: string | null): Promise<number | null> {
    if (!imageDigest) return null;
    const { rows } = await client.query(
        `SELECT id FROM ops.builds WHERE image_digest = $2 AND (git_sha LIKE $1 || '%' OR $1 LIKE git_sha || '%') ORDER BY id DESC LIMIT 1`,
        [gitSha, imageDigest],
    );
    return rows.length ? Number(rows[0].id) : null;
}

export interface DeploymentOptions {
    /** The evidence database (ops schema). */
    evidenceDb?: string;
    outputs?: string;
    status?: string;
    environment?: string;
    expectSha?: string;
    image?: string;
    startedAt?: string;
    finishedAt?: string;
    health?: string;
    upgradedModules?: string;
    rollbackOf?: string;
    runUrl?: string;
    actor?: string;
    logFile?: string;
    evidenceDir: string;
    stamp?: string;
    evidenceUri?: string;
}

export interface DeploymentReport {
    id: number;
    environment: string;
    gitSha: string;
    status: DeploymentStatus;
    imageReference: string | null;
    buildId: number | null;
    evidenceUri: string;
    files: string[];
}

export async function recordDeployment(opts: DeploymentOptions, env: Record<string, string | undefined> = process.env): Promise<DeploymentReport> {
    // Everything is validated before the database or the disk is touched.
    const db = parseDatabaseUrl(opts.evidenceDb, "--evidence-db (or EVIDENCE_DB_URL)");
    const outputs = parseDeploymentOutputs(readOutputsFile(opts.outputs), opts.outputs!);
    const now = new Date();
    const row = deploymentRow({
        outputs,
        status: parseStatus(opts.status),
        expectSha: opts.expectSha ? parseGitSha(opts.expectSha, "--expect-sha") : undefined,
        image: opts.image,
        environment: opts.environment ? parseEnvironment(opts.environment, "--environment") : undefined,
        startedAt: parseTime(opts.startedAt, "--started-at", now),
        finishedAt: parseTime(opts.finishedAt, "--finished-at", now),
        health: opts.health ? readHealthReport(opts.health) : undefined,
        migrationsExecuted: parseList(opts.upgradedModules),
        rollbackOfSha: opts.rollbackOf ? parseGitSha(opts.rollbackOf, "--rollback-of") : undefined,
        runUrl: opts.runUrl ?? ciRunUrl(env),
        actor: opts.actor ?? env.GITHUB_ACTOR,
    });
    const files: EvidenceFile[] = [{ name: "outputs.json", content: json(outputs.recorded) }];
    if (opts.logFile) files.push({ name: "logs/deploy.log", source: opts.logFile });
    const bundle = planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp, env), kind: "deploy", uri: opts.evidenceUri, files });
    row.evidence_uri = bundle.uri;

    let buildId: number | null = null;
    const recorded = await recordEvidence(
        db,
        bundle,
        async (client) => {
            buildId = await findBuildId(client, row.git_sha as string, row.image_digest as string | null);
            row.build_id = buildId;
            return [await insertRow(client, "deployments", row)];
        },
        ([id]) => [{ name: `deployment-${id}.json`, content: json({ id, ...row }) }],
    );
    return {
        id: recorded.ids[0],
        environment: row.environment as string,
        gitSha: row.git_sha as string,
        status: row.status as DeploymentStatus,
        imageReference: row.image_reference as string | null,
        buildId,
        evidenceUri: recorded.evidenceUri,
        files: recorded.files,
    };
}

/** The GitHub Actions run that is recording, when there is one. */
export function ciRunUrl(env: Record<string, string | undefined>): string | undefined {
    const { GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID } = env;
    return GITHUB_SERVER_URL && GITHUB_REPOSITORY && GITHUB_RUN_ID ? `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` : undefined;
}
