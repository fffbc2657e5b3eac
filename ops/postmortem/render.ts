/**
 * The postmortem document of a failed deployment, rendered by a pure function from what the
 * evidence says: a timeline, what changed (commit range since the previous succeeded deployment,
 * image, module migrations), health results and the evidence logs, with blank sections for the
 * people who write the cause and the actions.
 *
 * The first line is a marker with the deployment id and a hash of the generated text: the writer
 * regenerates a draft nobody touched and never overwrites one somebody edited.
 */
import { createHash } from "node:crypto";
import { branchSlug } from "../../config/naming";

export interface DeploymentRecord {
    id: number;
    environment: string;
    gitSha: string;
    gitBranch: string | null;
    imageReference: string | null;
    imageDigest: string | null;
    status: string;
    rollbackOfSha: string | null;
    startedAt: Date;
    finishedAt: Date;
    evidenceUri: string | null;
    runUrl: string | null;
    actor: string | null;
    migrationsExecuted: string[];
    /** ops.deployments.health: the health report recorded with the deployment. */
    health: unknown;
}

export interface HealthCheckRecord {
    id: number;
    url: string;
    httpStatus: number | null;
    httpOk: boolean;
    httpMs: number | null;
    databaseName: string | null;
    databaseOk: boolean;
    ok: boolean;
    detail: unknown;
    checkedAt: Date;
}

export interface MigrationRecord {
    module: string;
    versionBefore: string | null;
    versionAfter: string | null;
    scripts: string[];
    seconds: number | null;
    recordedAt: Date;
}

export interface LogLine {
    line: number;
    text: string;
    /** Time parsed from the line, when it carries one. */
    at?: Date;
}

export interface EvidenceLog {
    /** Where it is: a path relative to the project, or a URL that was not fetched. */
    location: string;
    remote: boolean;
    bytes?: number;
    lines?: number;
    /** Lines that look like errors (ERROR, CRITICAL, Traceback …), first ones. */
    errors: LogLine[];
    /** The end of the log. */
    tail: string[];
    unreadable?: string;
}

export interface PostmortemInput {
    deployment: DeploymentRecord;
    /** The last succeeded deployment of the environment before this one. */
    previousSucceeded?: DeploymentRecord;
    /** Later deployments of the environment, up to the first that succeeded or rolled back. */
    after: DeploymentRecord[];
    migrations: MigrationRecord[];
    healthCheck?: HealthCheckRecord;
    logs: EvidenceLog[];
    /** `git log --oneline previous..failed`, when the commits are in the checkout. */
    commits?: string[];
}

const markerPattern = /^<!-- odoo-platform postmortem deployment=(\d+) sha256=([0-9a-f]{64}) -->\n/;

export const short = (sha: string | null | undefined): string => (sha ? sha.slice(0, 12) : "—");
export const utc = (d: Date): string =>
    d
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d{3}Z$/, "");
const day = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, "");
const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function duration(ms: number): string {
    const s = Math.round(ms / 1000);
    if (s < 120) return `${s} s`;
    if (s < 7200) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
    return `${(s / 3600).toFixed(1)} h`;
}

/** `20261125-staging-deploy-3f2c1e9a4b5c.md`: the day it started, the environment, the commit. */
export function postmortemFileName(d: DeploymentRecord): string {
    return `${day(d.startedAt)}-${branchSlug(d.environment, 40)}-deploy-${d.gitSha.slice(0, 12)}.md`;
}

/** `https://github.com/o/r/actions/runs/1` → `https://github.com/o/r`. */
export function repositoryUrl(runUrl: string | null | undefined): string | undefined {
    const m = /^(https:\/\/[^/]+\/[^/]+\/[^/]+)\/actions\/runs\/\d+/.exec(runUrl ?? "");
    return m?.[1];
}

interface TimelineEvent {
    at: Date;
    text: string;
}

function timeline(input: PostmortemInput): TimelineEvent[] {
    const { deployment: d, previousSucceeded: prev } = input;
    const events: TimelineEvent[] = [];
    if (prev) events.push({ at: prev.finishedAt, text: `Previous succeeded deployment #${prev.id} of \`${short(prev.gitSha)}\` to ${prev.environment}` });
    events.push({
        at: d.startedAt,
        text: `Deployment #${d.id} of \`${short(d.gitSha)}\` to ${d.environment} started${d.actor ? ` by ${d.actor}` : ""}${d.runUrl ? ` ([run](${d.runUrl}))` : ""}`,
    });
    // ops.migrations.recorded_at is stamped by the database when the upgrade is recorded: it belongs
    // on the timeline when that happened during the run (always, in CI), not when recorded later.
    const during = (at: Date) => at >= d.startedAt && at.getTime() <= d.finishedAt.getTime() + 15 * 60_000;
    for (const m of input.migrations.filter((x) => during(x.recordedAt))) {
        events.push({
            at: m.recordedAt,
            text: `Module \`${m.module}\` upgraded ${m.versionBefore ?? "(new)"} → ${m.versionAfter ?? "(removed)"}${m.seconds !== null ? ` in ${m.seconds} s` : ""}`,
        });
    }
    if (input.healthCheck) {
        const h = input.healthCheck;
        events.push({
            at: h.checkedAt,
            text: `Health check ${h.ok ? "passed" : "FAILED"}: HTTP ${h.httpStatus ?? "no answer"}${h.httpOk ? "" : " (not OK)"}, database ${h.databaseOk ? "reachable" : "NOT reachable"}`,
        });
    }
    for (const log of input.logs) {
        for (const e of log.errors.filter((x) => x.at).slice(0, 3))
            events.push({ at: e.at!, text: `\`${log.location.split("/").pop()}\`: ${cell(e.text.slice(0, 160))}` });
    }
    events.push({ at: d.finishedAt, text: `Deployment #${d.id} finished: **${d.status}** after ${duration(d.finishedAt.getTime() - d.startedAt.getTime())}` });
    for (const a of input.after) {
        const what =
            a.status === "rolled_back"
                ? `Rollback #${a.id} to \`${short(a.gitSha)}\` (undoing \`${short(a.rollbackOfSha)}\`)`
                : `Deployment #${a.id} of \`${short(a.gitSha)}\``;
        events.push({ at: a.finishedAt, text: `${what}: ${a.status}` });
    }
    return events.sort((x, y) => x.at.getTime() - y.at.getTime());
}

function recovery(input: PostmortemInput): string {
    const recovered = input.after.find((a) => a.status === "succeeded" || a.status === "rolled_back");
    if (!recovered) return "not recovered yet (no later succeeded deployment or rollback recorded)";
    return `${duration(recovered.finishedAt.getTime() - input.deployment.finishedAt.getTime())} (${recovered.status === "rolled_back" ? "rollback" : "deployment"} #${recovered.id} at ${utc(recovered.finishedAt)} UTC)`;
}

function whatChanged(input: PostmortemInput): string[] {
    const { deployment: d, previousSucceeded: prev } = input;
    const lines: string[] = [];
    if (prev) {
        const repo = repositoryUrl(d.runUrl) ?? repositoryUrl(prev.runUrl);
        const range = `${prev.gitSha.slice(0, 12)}..${d.gitSha.slice(0, 12)}`;
        lines.push(`- Commits: \`${range}\`${repo ? ` ([compare](${repo}/compare/${prev.gitSha}...${d.gitSha}))` : ""} — \`git log --oneline ${range}\``);
        if (input.commits?.length) for (const c of input.commits.slice(0, 50)) lines.push(`  - ${cell(c)}`);
        else if (input.commits) lines.push("  - (no commits in the range: the same commit was redeployed)");
        lines.push(`- Image: \`${prev.imageDigest ?? "—"}\` → \`${d.imageDigest ?? "not recorded (the deployment failed before its image was known)"}\``);
    } else {
        lines.push(`- Commit: \`${short(d.gitSha)}\` — no earlier succeeded deployment of ${d.environment} is recorded, so there is no range to compare.`);
        lines.push(`- Image: \`${d.imageDigest ?? "not recorded"}\``);
    }
    if (d.gitBranch) lines.push(`- Branch: \`${d.gitBranch}\``);
    lines.push("");
    if (input.migrations.length) {
        lines.push("| Module | Before | After | Seconds | Scripts |", "| --- | --- | --- | --- | --- |");
        for (const m of input.migrations) {
            lines.push(
                `| \`${m.module}\` | ${m.versionBefore ?? "(new)"} | ${m.versionAfter ?? "(removed)"} | ${m.seconds ?? "—"} | ${m.scripts.map((s) => `\`${cell(s)}\``).join(", ") || "—"} |`,
            );
        }
    } else if (d.migrationsExecuted.length) {
        lines.push(`Modules upgraded (no per-module record): ${d.migrationsExecuted.map((m) => `\`${m}\``).join(", ")}`);
    } else {
        lines.push("No module migration was recorded for this deployment.");
    }
    return lines;
}

function healthSection(input: PostmortemInput): string[] {
    const h = input.healthCheck;
    const lines: string[] = [];
    if (h) {
        lines.push("| Check | Result |", "| --- | --- |");
        lines.push(`| HTTP ${cell(h.url)} | ${h.httpOk ? "OK" : "FAILED"} (${h.httpStatus ?? "no answer"}${h.httpMs !== null ? `, ${h.httpMs} ms` : ""}) |`);
        lines.push(`| Database ${h.databaseName ?? ""} | ${h.databaseOk ? "OK" : "FAILED"} |`);
        lines.push(`| Overall (at ${utc(h.checkedAt)} UTC) | ${h.ok ? "passed" : "**failed**"} |`);
        if (h.detail && typeof h.detail === "object" && Object.keys(h.detail).length) lines.push("", "```json", JSON.stringify(h.detail, null, 2), "```");
    } else if (input.deployment.health !== null && input.deployment.health !== undefined) {
        lines.push("```json", JSON.stringify(input.deployment.health, null, 2), "```");
    } else {
        lines.push("No health check was recorded with this deployment.");
    }
    return lines;
}

function logsSection(input: PostmortemInput): string[] {
    if (!input.logs.length) return ["No evidence files were found for this deployment."];
    const lines: string[] = [];
    for (const log of input.logs) {
        if (log.remote) {
            lines.push(`- <${log.location}> (stored remotely: not fetched)`);
            continue;
        }
        if (log.unreadable) {
            lines.push(`- \`${log.location}\`: could not be read (${log.unreadable})`);
            continue;
        }
        if (log.lines === undefined) {
            lines.push(`- \`${log.location}\`${log.bytes !== undefined ? ` (${log.bytes} bytes)` : ""}`);
            continue;
        }
        lines.push(`### \`${log.location}\``, "", `${log.lines ?? 0} lines, ${log.bytes ?? 0} bytes.`, "");
        if (log.errors.length) {
            lines.push("Error lines:", "", "```text", ...log.errors.map((e) => `${String(e.line).padStart(5)}: ${e.text}`), "```", "");
        }
        if (log.tail.length) lines.push("Last lines:", "", "```text", ...log.tail, "```", "");
    }
    return lines;
}

/** The document without its marker line. */
function body(input: PostmortemInput): string {
    const d = input.deployment;
    const lines = [
        `# Postmortem: ${d.environment} deployment #${d.id} of ${short(d.gitSha)} failed (${d.startedAt.toISOString().slice(0, 10)})`,
        "",
        "> Draft generated by `odoo-platform postmortem` from the evidence schema and the evidence logs.",
        "> Fill in the summary, impact, root cause and actions; the generator never overwrites an edited file.",
        "",
        "| | |",
        "| --- | --- |",
        `| Environment | ${d.environment} |`,
        `| Deployment | #${d.id} (${d.status}) |`,
        `| Commit | \`${d.gitSha}\` |`,
        `| Image | ${d.imageReference ? `\`${d.imageReference}\`` : "not recorded"} |`,
        `| Started | ${utc(d.startedAt)} UTC |`,
        `| Finished | ${utc(d.finishedAt)} UTC (${duration(d.finishedAt.getTime() - d.startedAt.getTime())}) |`,
        `| Time to recovery | ${recovery(input)} |`,
        `| Evidence | ${d.evidenceUri ? `\`${d.evidenceUri}\`` : "not recorded"} |`,
        `| CI run | ${d.runUrl ?? "not recorded"} |`,
        "",
        "## Summary",
        "",
        "_What happened and who noticed, in two or three sentences._",
        "",
        "## Timeline (UTC)",
        "",
        "| Time | Event |",
        "| --- | --- |",
        ...timeline(input).map((e) => `| ${utc(e.at)} | ${e.text} |`),
        "",
        "## What changed",
        "",
        ...whatChanged(input),
        "",
        "## Health checks",
        "",
        ...healthSection(input),
        "",
        "## Evidence logs",
        "",
        ...logsSection(input),
        "",
        "## Impact",
        "",
        "_Users, data or integrations affected, and for how long._",
        "",
        "## Root cause",
        "",
        "_Why it failed, and why the gates (tests, migration dry-run, policies) did not catch it._",
        "",
        "## Actions",
        "",
        "| Action | Owner | Issue |",
        "| --- | --- | --- |",
        "| | | |",
        "",
    ];
    return lines.join("\n");
}

const hash = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

export function renderPostmortem(input: PostmortemInput): string {
    const text = body(input);
    return `<!-- odoo-platform postmortem deployment=${input.deployment.id} sha256=${hash(text)} -->\n${text}`;
}

export interface PostmortemMarker {
    deploymentId: number;
    /** The text is still exactly what the generator wrote. */
    untouched: boolean;
}

/** Reads the marker of an existing file; undefined when it is not a generated postmortem. */
export function readMarker(content: string): PostmortemMarker | undefined {
    const m = markerPattern.exec(content);
    if (!m) return undefined;
    return { deploymentId: Number(m[1]), untouched: hash(content.slice(m[0].length)) === m[2] };
}

export type WriteOutcome = "created" | "updated" | "unchanged";

export interface WritePlan {
    file: string;
    outcome: WriteOutcome;
    /** Files about this deployment that somebody edited: left alone. */
    keptEdited: string[];
}

/**
 * Where a postmortem goes, given the files already in the folder: the draft of this deployment
 * nobody edited (rewritten, or left when identical), else the next free `-2`, `-3` … name.
 */
export function planWrite(fileName: string, deploymentId: number, rendered: string, existing: Map<string, string>): WritePlan {
    const stem = fileName.replace(/\.md$/, "");
    const keptEdited: string[] = [];
    for (let n = 1; ; n++) {
        const candidate = n === 1 ? fileName : `${stem}-${n}.md`;
        const content = existing.get(candidate);
        if (content === undefined) return { file: candidate, outcome: "created", keptEdited };
        const marker = readMarker(content);
        if (marker?.deploymentId === deploymentId && marker.untouched) {
            return { file: candidate, outcome: content === rendered ? "unchanged" : "updated", keptEdited };
        }
        if (marker?.deploymentId === deploymentId || !marker) keptEdited.push(candidate);
    }
}
