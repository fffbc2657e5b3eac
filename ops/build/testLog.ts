/**
 * Reads the output of an Odoo test run (`--test-enable --stop-after-init --log-level=test`) and
 * turns it into a verdict, the way runbot and Odoo.sh colour a build: red on failed tests, test
 * errors, any other ERROR/CRITICAL record, a run that did not reach its summary line or a non-zero
 * exit; yellow on WARNING records (or when no test ran); green otherwise.
 *
 * The lines it relies on are Odoo's own (16.0–19.0):
 *   - odoo/tests/result.py `OdooTestResult.__str__`: "<F> failed, <E> error(s) of <T> tests", logged by
 *     odoo/service/server.py as "%s when loading database %r" (ERROR when unsuccessful, WARNING when
 *     no test ran, INFO otherwise);
 *   - odoo/tests/result.py `logError`: an ERROR record "FAIL: Class.method" / "ERROR: Class.method"
 *     followed by the traceback, preceded by an INFO "=====…" line;
 *   - odoo/modules/loading.py: "Module <m>: <F> failures, <E> errors of <T> tests" and "At least one
 *     test failed when loading the modules." (at_install phase);
 *   - odoo/service/server.py: "<N> post-tests in <s>s, <q> queries" (post_install phase);
 *   - odoo.tests.stats: "<module>: <N> tests <s>s <q> queries".
 * Record starts are recognised as checklog-odoo and OCA's maintainer-quality-tools do (date, time,
 * pid, level), so excerpts copied from Odoo.sh's log viewer without that prefix still parse.
 */

export type Verdict = "green" | "yellow" | "red";

export interface TestFailure {
    kind: "FAIL" | "ERROR";
    /** As Odoo names it: `Class.method`, `Subtest …` or `setUpClass (module.Class)`. */
    test: string;
    /** The logger that reported it, e.g. odoo.addons.sale.tests.test_sale. */
    logger?: string;
    traceback: string;
}

export interface ModuleStat {
    module: string;
    tests: number;
    seconds: number;
    queries: number;
}

export interface TestLogResult {
    verdict: Verdict;
    /** Why it is not green, for people (empty when green). */
    reasons: string[];
    tests: number;
    failed: number;
    errors: number;
    /** WARNING records not matched by an ignore pattern. */
    warnings: number;
    /** ERROR/CRITICAL records that are not a test's own failure report. */
    errorRecords: number;
    /** The run reached Odoo's final summary line. */
    finished: boolean;
    timedOut: boolean;
    exitCode?: number;
    /** Odoo's own summary line, when present. */
    summary?: string;
    firstFailure?: { test: string; traceback: string };
    failures: TestFailure[];
    /** First lines of the first WARNING and ERROR records (for the comment and the job summary). */
    warningSamples: string[];
    problemSamples: string[];
    modules: ModuleStat[];
    ignoredRecords: number;
}

export interface ParseOptions {
    /** Exit code of the test process, when known. */
    exitCode?: number;
    /** The run was stopped by its time limit. */
    timedOut?: boolean;
    /** Records matching one of these are neither warnings nor errors (checklog-odoo's --ignore). */
    ignore?: RegExp[];
}

/** Marker the test step prints when its time limit stopped Odoo (components/odooSteps.ts). */
export const timeLimitMarker = "odoo-platform: test run stopped by its time limit";

// Date, time, pid, level, then "<db> <logger>: <message>" (the db and logger may wrap to the next line).
const recordStart = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (\d+) ([A-Z]+) (.*)$/;
const dbAndLogger = /^(\S+) ([\w.]+): ?(.*)$/s;
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g;

const finalSummary = /(\d+) failed, (\d+) error\(s\) of (\d+) tests/;
const moduleSummary = /Module ([\w.]+): (\d+) failures, (\d+) errors(?: of (\d+) tests)?/;
const postTests = /^(\d+) post-tests in /;
const moduleStat = /^([\w.]+): (\d+) tests ([0-9.]+)s (\d+) queries$/;
const failureStart = /^(FAIL|ERROR): (.+)$/;
const startedTest = /^Starting .+ \.\.\.\s*$/;
const atLeastOne = /At least one test failed when loading the modules/;

interface LogRecord {
    level?: string;
    logger?: string;
    /** First line of the message. */
    head: string;
    /** Message and continuation lines. */
    lines: string[];
}

function* records(text: string): Generator<LogRecord> {
    let current: LogRecord | undefined;
    let pendingPrefix: { level: string } | undefined;
    // Once a line carries the record prefix, unprefixed lines are continuation (tracebacks, SQL).
    let prefixed = false;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.replace(ansi, "").replace(/\s+$/, "");
        const start = recordStart.exec(line);
        if (start) {
            prefixed = true;
            if (current) yield current;
            const rest = start[4];
            const parsed = dbAndLogger.exec(rest);
            current = parsed ? { level: start[3], logger: parsed[2], head: parsed[3], lines: [parsed[3]] } : { level: start[3], head: rest, lines: [rest] };
            // "2025-… 129 CRITICAL some-db" with the logger on the next line (a wrapped excerpt).
            pendingPrefix = parsed ? undefined : { level: start[3] };
            continue;
        }
        if (pendingPrefix && current) {
            const parsed = /^([\w.]+): ?(.*)$/.exec(line.trim());
            pendingPrefix = undefined;
            if (parsed) {
                current.logger = parsed[1];
                current.head = parsed[2];
                current.lines = [parsed[2]];
                continue;
            }
        }
        const bare = !prefixed && (failureStart.test(line) || moduleSummary.test(line) || atLeastOne.test(line) || finalSummary.test(line));
        if (bare) {
            // A line without the record prefix that is itself a report line (Odoo.sh's log viewer).
            if (current) yield current;
            current = { head: line, lines: [line] };
            continue;
        }
        if (current) current.lines.push(line);
        else if (line.trim()) current = { head: line, lines: [line] };
    }
    if (current) yield current;
}

const firstLine = (r: LogRecord) => `${r.level ? `${r.level} ` : ""}${r.logger ? `${r.logger}: ` : ""}${r.head}`.slice(0, 300);
const trimBlock = (lines: string[]) => {
    const out = [...lines];
    while (out.length && out[out.length - 1].trim() === "") out.pop();
    return out.join("\n");
};

export function parseOdooTestLog(text: string, options: ParseOptions = {}): TestLogResult {
    const ignore = options.ignore ?? [];
    let final: { failed: number; errors: number; tests: number; line: string } | undefined;
    const perModule = { failed: 0, errors: 0, tests: 0, seen: false };
    let postInstall = 0;
    let started = 0;
    let warnings = 0;
    let errorRecords = 0;
    let ignoredRecords = 0;
    let atLeastOneFailed = false;
    let timedOut = options.timedOut ?? false;
    const failures: TestFailure[] = [];
    const warningSamples: string[] = [];
    const problemSamples: string[] = [];
    const modules: ModuleStat[] = [];
    let openFailure: { failure: TestFailure; logger?: string } | undefined;

    for (const record of records(text)) {
        const head = record.head.trim();
        const whole = record.lines.join("\n");
        if (whole.includes(timeLimitMarker)) timedOut = true;
        if (head.includes(timeLimitMarker)) continue;
        // Odoo ≤ 12 logged each traceback line as its own record, prefixed with "` ".
        if (
            openFailure &&
            record.logger === openFailure.logger &&
            record.level === "ERROR" &&
            (/^` /.test(record.head) || head === "Traceback (most recent call last):")
        ) {
            openFailure.failure.traceback += `\n${record.head.replace(/^` /, "")}`;
            continue;
        }
        openFailure = undefined;

        const summary = finalSummary.exec(head);
        if (summary) {
            final = { failed: Number(summary[1]), errors: Number(summary[2]), tests: Number(summary[3]), line: head };
            if (record.level === "WARNING" && Number(summary[3]) === 0) warnings += 1;
            continue;
        }
        const module = moduleSummary.exec(head);
        if (module) {
            perModule.seen = true;
            perModule.failed += Number(module[2]);
            perModule.errors += Number(module[3]);
            perModule.tests += Number(module[4] ?? 0);
            continue;
        }
        if (atLeastOne.test(head)) {
            atLeastOneFailed = true;
            continue;
        }
        const post = postTests.exec(head);
        if (post) {
            postInstall += Number(post[1]);
            continue;
        }
        const stat = record.logger === "odoo.tests.stats" ? moduleStat.exec(head) : null;
        if (stat) {
            modules.push({ module: stat[1], tests: Number(stat[2]), seconds: Number(stat[3]), queries: Number(stat[4]) });
            continue;
        }
        if (startedTest.test(head)) started += 1;

        const failure = failureStart.exec(head);
        if (failure && (record.level === undefined || record.level === "ERROR")) {
            const entry: TestFailure = {
                kind: failure[1] as "FAIL" | "ERROR",
                test: failure[2].trim(),
                logger: record.logger,
                traceback: trimBlock(record.lines.slice(1)),
            };
            failures.push(entry);
            openFailure = { failure: entry, logger: record.logger };
            continue;
        }
        if (record.level === "WARNING" || record.level === "ERROR" || record.level === "CRITICAL") {
            if (ignore.some((pattern) => pattern.test(whole))) {
                ignoredRecords += 1;
                continue;
            }
            if (record.level === "WARNING") {
                warnings += 1;
                if (warningSamples.length < 5) warningSamples.push(firstLine(record));
            } else {
                errorRecords += 1;
                if (problemSamples.length < 5) problemSamples.push(firstLine(record));
            }
        }
    }

    const failedFromBlocks = failures.filter((f) => f.kind === "FAIL").length;
    const erroredFromBlocks = failures.filter((f) => f.kind === "ERROR").length;
    const failed = final?.failed ?? Math.max(perModule.failed, failedFromBlocks);
    const errors = final?.errors ?? Math.max(perModule.errors, erroredFromBlocks);
    const tests =
        final?.tests ??
        Math.max(
            perModule.tests + postInstall,
            started,
            modules.reduce((n, m) => n + m.tests, 0),
        );
    const finished = final !== undefined;

    const reasons: string[] = [];
    if (timedOut) reasons.push("the run was stopped by its time limit");
    if (failed > 0) reasons.push(`${failed} test(s) failed`);
    if (errors > 0) reasons.push(`${errors} test error(s)`);
    if (failed === 0 && errors === 0 && (failures.length > 0 || atLeastOneFailed)) reasons.push("Odoo reported a failing test");
    if (errorRecords > 0) reasons.push(`${errorRecords} ERROR/CRITICAL log record(s) outside the tests`);
    if (options.exitCode !== undefined && options.exitCode !== 0 && !timedOut) reasons.push(`Odoo exited with code ${options.exitCode}`);
    if (!finished && !timedOut) reasons.push("the run did not reach Odoo's summary line (it crashed or was stopped)");
    const red = reasons.length > 0;
    if (!red) {
        if (tests === 0) reasons.push("no test ran");
        if (warnings > 0) reasons.push(`${warnings} warning(s)`);
    }
    const verdict: Verdict = red ? "red" : reasons.length ? "yellow" : "green";
    const first = failures[0];
    return {
        verdict,
        reasons,
        tests,
        failed,
        errors,
        warnings,
        errorRecords,
        finished,
        timedOut,
        exitCode: options.exitCode,
        summary: final?.line,
        firstFailure: first ? { test: first.test, traceback: first.traceback } : undefined,
        failures: failures.slice(0, 50),
        warningSamples,
        problemSamples,
        modules,
        ignoredRecords,
    };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line for a commit status or a comment: "35 tests, 0 failed, 2 warnings". */
export function summaryLine(r: TestLogResult): string {
    const parts = [plural(r.tests, "test"), `${r.failed} failed`];
    if (r.errors) parts.push(plural(r.errors, "error"));
    parts.push(plural(r.warnings, "warning"));
    let line = parts.join(", ");
    if (r.timedOut) line = `stopped by the time limit: ${line}`;
    else if (!r.finished) line = `did not finish: ${line}`;
    else if (r.errorRecords && !r.failed && !r.errors) line += `, ${plural(r.errorRecords, "error record")}`;
    return line;
}

/** Compiles ignore patterns from configuration, naming the bad one. */
export function compileIgnorePatterns(patterns: string[], where: string): RegExp[] {
    return patterns.map((p) => {
        try {
            return new RegExp(p, "m");
        } catch (err) {
            throw new Error(`${where}: "${p}" is not a valid regular expression (${(err as Error).message})`);
        }
    });
}
