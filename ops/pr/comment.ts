/**
 * The one sticky comment per pull request: rendering (pure) and the decision of which comment to
 * edit. Found by its hidden marker and edited on every push — never a second comment; if a race
 * ever left two, the newest extra ones are deleted.
 *
 * Never in the comment: any password. It says where to read them (a Pulumi stack output that
 * needs access to the stack's secrets).
 */
import { encodeMarker, EnvironmentRecord, hasMarker, TestSummary } from "./record";

export interface CommentContext {
    /** A PR environment idle this long is removed. */
    ttlHours: number;
    /** Concurrent PR environments allowed. */
    limit: number;
    /** Login of the admin user (dev/PR databases). */
    adminLogin: string;
    /** User of the mail catcher's basic auth. */
    mailCatcherUser: string;
    /** `https://github.com/<owner>/<repo>`, for commit links. */
    repositoryUrl?: string;
    /** Position in the queue (1-based) and its length, for queued PRs. */
    queue?: { position: number; length: number };
}

/** Markdown-escapes text that comes from users (branch names): no links, no formatting. */
export function escapeMarkdown(text: string): string {
    return text.replace(/[\\`*_{}[\]()#+!|<>~-]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
const short = (sha: string) => sha.slice(0, 12);

function commitLink(record: EnvironmentRecord, ctx: CommentContext): string {
    return ctx.repositoryUrl ? `[${code(short(record.sha))}](${ctx.repositoryUrl}/commit/${record.sha})` : code(short(record.sha));
}

function secretCommand(output: string, stack: string): string {
    return code(`pulumi stack output ${output} --show-secrets -s ${stack}`);
}

const verdictIcon = { green: "🟢", yellow: "🟡", red: "🔴" } as const;
/** Longest traceback quoted in the comment (the whole log is in the workflow run). */
export const maxTracebackLines = 25;

/** A fenced block that no backtick run inside the text can close. */
function fenced(text: string): string {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = "`".repeat(longest + 1);
    return `${fence}text\n${text}\n${fence}`;
}

/** The tests row of the table and, on a red build, the first failure with its traceback. */
export function renderTests(
    tests: TestSummary | undefined,
    runUrl?: string,
    runtime: EnvironmentRecord["runtime"] = "docker",
): { row: string; details: string[] } {
    if (!tests && runtime === "kubernetes")
        return { row: "| **Tests** | not run: PR stacks on the kubernetes runtime have no test step yet (on docker they run in the build) |", details: [] };
    if (!tests) return { row: "| **Tests** | no module of this repository to test |", details: [] };
    const row = `| **Tests** | ${verdictIcon[tests.verdict]} ${escapeMarkdown(tests.line)}${runUrl ? ` — [log](${runUrl})` : ""} |`;
    const details: string[] = [];
    if (tests.firstFailure) {
        const lines = tests.firstFailure.traceback.split("\n");
        const shown =
            lines.length > maxTracebackLines ? [...lines.slice(0, maxTracebackLines), `… ${lines.length - maxTracebackLines} more line(s) in the log`] : lines;
        details.push("", `**First failure:** ${code(tests.firstFailure.test)}`, "", fenced(shown.join("\n")));
    } else if (tests.verdict !== "green" && tests.samples?.length) {
        details.push(
            "",
            `**${tests.verdict === "red" ? "Why it is red" : "Warnings"}:** ${escapeMarkdown(tests.reasons.join("; "))}`,
            "",
            fenced(tests.samples.join("\n")),
        );
    }
    if (tests.verdict !== "green") details.push("", "How to read and rerun a red build: docs/deployment/BUILDS.md.");
    return { row, details };
}

/** The full comment body: marker first, then what a reviewer needs. */
export function renderComment(record: EnvironmentRecord, ctx: CommentContext): string {
    const lines: string[] = [encodeMarker(record)];
    const branch = escapeMarkdown(record.branch);
    const run = record.runUrl ? ` ([workflow run](${record.runUrl}))` : "";
    switch (record.state) {
        case "deployed": {
            const tests = renderTests(record.tests, record.runUrl, record.runtime);
            const where = record.databaseHost ? ` on ${code(record.databaseHost)}` : "";
            lines.push(
                record.tests?.verdict === "red"
                    ? `### 🔴 PR environment for #${record.pr} is up, and its tests fail`
                    : `### ${verdictIcon[record.tests?.verdict ?? "green"]} PR environment for #${record.pr} is up`,
                "",
                "| | |",
                "|---|---|",
                `| **Odoo** | ${record.url ?? "(unknown)"} |`,
                `| **Mail catcher** | ${record.mailCatcherUrl ?? "(none)"} — every e-mail this environment sends lands here, none leaves |`,
                `| **Login** | ${code(ctx.adminLogin)} — password: ${secretCommand("adminLoginPassword", record.stack)} |`,
                `| **Mail catcher login** | ${code(ctx.mailCatcherUser)} — password: ${secretCommand("mailCatcherPassword", record.stack)} |`,
                `| **Database** | ${code(record.database ?? "?")}${where} (fresh, with demo data; no production data) |`,
                ...(record.namespace
                    ? [
                          `| **Namespace** | ${code(record.namespace)} — its pods: ${code(`kubectl -n ${record.namespace} get pods`)}; removed with the environment |`,
                      ]
                    : []),
                `| **Build** | ${commitLink(record, ctx)} on ${branch}${record.image ? ` — image ${code(record.image)}` : ""} |`,
                `| **Last deploy** | ${record.deployedAt ?? "?"}${run} |`,
                tests.row,
                ...tests.details,
                "",
                `Every push redeploys this environment. It is removed when the PR is closed or merged, or after ${ctx.ttlHours} h without a push.`,
                "Outbound internet is blocked except for the configured allow-list; see docs/architecture/PR_RUNTIME_CONTRACT.md.",
            );
            break;
        }
        case "deploying":
            lines.push(
                `### 🟡 Deploying and testing ${commitLink(record, ctx)} (${branch})${run}`,
                "",
                record.url ? `The environment will be at ${record.url} (mail catcher: ${record.mailCatcherUrl ?? "none"}).` : "",
                record.deployedAt ? `The previous build (deployed ${record.deployedAt}) keeps serving until this one is ready.` : "",
            );
            break;
        case "failed":
            lines.push(
                `### 🔴 Deploy of ${commitLink(record, ctx)} failed${run}`,
                "",
                record.reason ? `> ${escapeMarkdown(record.reason).slice(0, 500)}` : "",
                "",
                "Push a fix or re-run the workflow. Troubleshooting: docs/architecture/PR_RUNTIME_CONTRACT.md.",
            );
            break;
        case "queued": {
            const holders = (record.holders ?? []).map((n) => (typeof n === "number" ? `#${n}` : code(n))).join(", ") || "(none)";
            const position = ctx.queue ? ` — position ${ctx.queue.position} of ${ctx.queue.length}` : "";
            lines.push(
                `### ⏳ Queued: all ${ctx.limit} PR environment slots are in use${position}`,
                "",
                `Slots are held by ${holders}. This PR (build ${commitLink(record, ctx)} on ${branch}, queued since ${record.queuedAt ?? "?"}) is deployed automatically when a slot frees — when one of them is closed, merged, or idle for ${ctx.ttlHours} h.`,
                "Pushing again keeps the place in the queue.",
            );
            break;
        }
        case "removed":
            lines.push(
                `### ⚪ PR environment removed${record.reason ? `: ${escapeMarkdown(record.reason)}` : ""}`,
                "",
                record.runtime === "kubernetes"
                    ? `The stack, its namespace${record.namespace ? ` ${code(record.namespace)}` : ""} and its database are gone. Last build: ${commitLink(record, ctx)}.`
                    : `The stack, its containers, database and volumes are gone. Last build: ${commitLink(record, ctx)}.`,
                "Reopen the PR or push a commit to get a new environment.",
            );
            break;
    }
    return `${lines
        .filter((line, i, all) => !(line === "" && all[i - 1] === ""))
        .join("\n")
        .trimEnd()}\n`;
}

export interface CommentLike {
    id: number;
    body?: string | null;
    /** Author; comments by people are never treated as ours even if they quote the marker. */
    user?: { login?: string; type?: string } | null;
    created_at?: string;
}

export interface StickyChoice<C extends CommentLike> {
    /** The comment to edit, or undefined: create one. */
    keep?: C;
    /** Extra marker comments to delete (a race left more than one). */
    duplicates: C[];
}

/**
 * Which comment is the sticky one: marker comments written by a bot (or by `author`, when the
 * workflow runs with a personal token), oldest first. The oldest is kept so its position in the
 * conversation stays stable.
 */
export function pickStickyComment<C extends CommentLike>(comments: C[], author?: string): StickyChoice<C> {
    const ours = comments
        .filter((c) => hasMarker(c.body) && (c.user?.type === "Bot" || (author !== undefined && c.user?.login === author)))
        .sort((a, b) => (a.created_at ?? "").localeCompare(b.created_at ?? "") || a.id - b.id);
    return { keep: ours[0], duplicates: ours.slice(1) };
}
