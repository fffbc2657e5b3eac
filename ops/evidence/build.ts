/**
 * `odoo-platform evidence build`: one ops.builds row per image built — commit, branch, author,
 * time, the hash of the dependency lock files and the pushed image digest — and the build log.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../core/errors";
import { parseDatabaseUrl } from "../postgres/connect";
import { ciRunUrl, parseTime } from "./deployment";
import { EvidenceFile, planBundle, resolveStamp } from "./files";
import { EvidenceRow, parseGitSha, parsePinnedImage } from "./schema";
import { insertRow, json, recordEvidence } from "./store";

export interface CommitInfo {
    sha: string;
    author: string;
    committedAt: string;
    message: string;
}

const fieldSeparator = "\x1f";
export const gitShowFormat = ["%H", "%an <%ae>", "%cI", "%B"].join("%x1f");

/** Pure: parses `git show -s --format=<gitShowFormat>`. */
export function parseGitShow(output: string): CommitInfo {
    const [sha, author, committedAt, ...message] = output.split(fieldSeparator);
    if (!sha || !/^[0-9a-f]{40}$/.test(sha.trim()) || author === undefined || committedAt === undefined) {
        throw new Error(`unexpected git show output: ${JSON.stringify(output.slice(0, 200))}`);
    }
    return { sha: sha.trim(), author, committedAt, message: message.join(fieldSeparator).trim() };
}

function git(args: string[], cwd: string): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function readCommit(ref: string, cwd: string): CommitInfo {
    try {
        return parseGitShow(git(["show", "-s", `--format=${gitShowFormat}`, `${ref}^{commit}`], cwd));
    } catch (err) {
        throw new InvalidInputError(
            `cannot read commit ${ref} in ${cwd} (${((err as { stderr?: string }).stderr || (err as Error).message).trim()}): run inside the checkout, or give --sha, --message, --author and --committed-at`,
        );
    }
}

/** The branch CI builds (GITHUB_HEAD_REF for pull requests, GITHUB_REF_NAME otherwise), or the checkout's. */
export function currentBranch(cwd: string, env: Record<string, string | undefined>): string | undefined {
    if (env.GITHUB_HEAD_REF) return env.GITHUB_HEAD_REF;
    if (env.GITHUB_REF_NAME) return env.GITHUB_REF_NAME;
    try {
        const branch = git(["rev-parse", "--abbrev-ref", "HEAD"], cwd).trim();
        return branch && branch !== "HEAD" ? branch : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The dependency lock hash. One file: its SHA-256 (what `sha256sum package-lock.json` prints).
 * Several: the SHA-256 of their `sha256sum` listing sorted by path, so adding requirements.txt to
 * package-lock.json gives one value that changes when either does.
 */
export function lockHash(files: string[], cwd: string): { hash: string; files: string[] } {
    if (files.length === 0) throw new InvalidInputError("--lock-file: give at least one dependency lock file (package-lock.json, requirements.txt …)");
    const entries = files.map((file) => {
        let content: Buffer;
        try {
            content = fs.readFileSync(path.resolve(cwd, file));
        } catch {
            throw new InvalidInputError(`lock file ${file} does not exist (relative to ${cwd}): give the dependency lock file with --lock-file`);
        }
        return { file, sha: createHash("sha256").update(content).digest("hex") };
    });
    entries.sort((a, b) => a.file.localeCompare(b.file));
    const hex =
        entries.length === 1
            ? entries[0].sha
            : createHash("sha256")
                  .update(entries.map((e) => `${e.sha}  ${e.file}\n`).join(""))
                  .digest("hex");
    return { hash: `sha256:${hex}`, files: entries.map((e) => e.file) };
}

export interface BuildOptions {
    /** The evidence database (ops schema). */
    evidenceDb?: string;
    sha?: string;
    branch?: string;
    message?: string;
    author?: string;
    committedAt?: string;
    builtAt?: string;
    lockFile: string[];
    image?: string;
    runUrl?: string;
    repoDir: string;
    logFile?: string;
    evidenceDir: string;
    stamp?: string;
    evidenceUri?: string;
}

export interface BuildReport {
    id: number;
    gitSha: string;
    branch: string;
    imageReference: string;
    lockHash: string;
    evidenceUri: string;
    files: string[];
}

export async function recordBuild(opts: BuildOptions, env: Record<string, string | undefined> = process.env): Promise<BuildReport> {
    const db = parseDatabaseUrl(opts.evidenceDb, "--evidence-db (or EVIDENCE_DB_URL)");
    const image = parsePinnedImage(opts.image, "--image");
    const needGit = !(opts.sha && opts.message !== undefined && opts.author && opts.committedAt);
    const commit = needGit ? readCommit(opts.sha ?? env.GITHUB_SHA ?? "HEAD", opts.repoDir) : undefined;
    const sha = parseGitSha(opts.sha ?? commit!.sha, "--sha");
    const branch = opts.branch ?? currentBranch(opts.repoDir, env);
    if (!branch) throw new InvalidInputError("--branch is required: the checkout is detached and GITHUB_REF_NAME is not set");
    const lock = lockHash(opts.lockFile, opts.repoDir);
    const now = new Date();
    const row: EvidenceRow<"builds"> = {
        git_sha: sha,
        branch,
        commit_message: opts.message ?? commit!.message,
        author: opts.author ?? commit!.author,
        committed_at: parseTime(opts.committedAt ?? commit!.committedAt, "--committed-at", now),
        built_at: parseTime(opts.builtAt, "--built-at", now),
        lock_hash: lock.hash,
        lock_files: lock.files,
        image_reference: image.reference,
        image_digest: image.digest,
        run_url: opts.runUrl ?? ciRunUrl(env) ?? null,
    };
    const files: EvidenceFile[] = opts.logFile ? [{ name: "logs/build.log", source: opts.logFile }] : [];
    const bundle = planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp, env), kind: "build", uri: opts.evidenceUri, files });
    row.evidence_uri = bundle.uri;
    const recorded = await recordEvidence(
        db,
        bundle,
        async (client) => [await insertRow(client, "builds", row)],
        ([id]) => [{ name: `build-${id}.json`, content: json({ id, ...row }) }],
    );
    return {
        id: recorded.ids[0],
        gitSha: sha,
        branch,
        imageReference: image.reference,
        lockHash: lock.hash,
        evidenceUri: recorded.evidenceUri,
        files: recorded.files,
    };
}
