/**
 * The state of one PR environment, as it is kept on GitHub: a JSON record inside a hidden HTML
 * marker at the top of the one sticky PR comment. The comment is both the reviewers' view and the
 * durable state the queue needs (since when a PR waits, which build it waits with), so the state
 * survives any runner and needs no database of its own.
 */

export const markerPrefix = "<!-- odoo-platform:pr-environment ";
const markerSuffix = " -->";

export type EnvironmentState = "deploying" | "deployed" | "failed" | "queued" | "removed";

/** The result of a build's test step, as the comment shows it (ops/build/testLog.ts). */
export interface TestSummary {
    verdict: "green" | "yellow" | "red";
    /** "35 tests, 0 failed, 2 warnings". */
    line: string;
    reasons: string[];
    /** The first failing test and the start of its traceback. */
    firstFailure?: { test: string; traceback: string };
    /** First WARNING/ERROR records, when no test failed. */
    samples?: string[];
    /** The container whose log is the test log. */
    container?: string;
}

export interface EnvironmentRecord {
    v: 1;
    state: EnvironmentState;
    pr: number;
    /** Pulumi stack (qualified). */
    stack: string;
    /** The build the environment runs (or will run, when queued). */
    sha: string;
    branch: string;
    /** Image reference CI built for `sha` (digest); absent when the stack builds it. */
    image?: string;
    /** ISO time the PR joined the queue; kept across pushes, so a push does not lose its place. */
    queuedAt?: string;
    /** Environments holding the slots when this one was queued (PR numbers, br-<slug>). */
    holders?: (number | string)[];
    /** ISO time of the last successful deploy. */
    deployedAt?: string;
    url?: string;
    mailCatcherUrl?: string;
    database?: string;
    /** Where the database lives (the PR's own container on docker, the staging server on kubernetes). */
    databaseHost?: string;
    /** odoo-platform:runtime of the stack; docker when absent. */
    runtime?: "docker" | "kubernetes";
    /** The PR's namespace (kubernetes). */
    namespace?: string;
    /** Why the environment failed or was removed. */
    reason?: string;
    /** The workflow run that wrote this state. */
    runUrl?: string;
    /** The build's tests (deployed state). */
    tests?: TestSummary;
}

/** JSON safe inside an HTML comment: `<`, `>` and `&` escaped (a branch may be named `a-->b`). */
export function encodeMarker(record: EnvironmentRecord): string {
    const json = JSON.stringify(record).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return `${markerPrefix}${json}${markerSuffix}`;
}

/** The record in a comment body, or undefined when the body has no (valid) marker. */
export function parseMarker(body: string | undefined | null): EnvironmentRecord | undefined {
    if (!body) return undefined;
    const start = body.indexOf(markerPrefix);
    if (start < 0) return undefined;
    const end = body.indexOf(markerSuffix, start + markerPrefix.length);
    if (end < 0) return undefined;
    try {
        const value = JSON.parse(body.slice(start + markerPrefix.length, end)) as EnvironmentRecord;
        return value && value.v === 1 && typeof value.pr === "number" && typeof value.state === "string" ? value : undefined;
    } catch {
        return undefined;
    }
}

export const hasMarker = (body: string | undefined | null): boolean => !!body && body.includes(markerPrefix);
