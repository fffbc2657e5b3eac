/**
 * The Odoo test-log parser on real Odoo output (tests/fixtures/odoo-logs/, each file's header says
 * where it was quoted from) and on the edge cases a build meets: a crash before the summary, the
 * time limit, ignore patterns, warnings.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { compileIgnorePatterns, parseOdooTestLog, summaryLine, timeLimitMarker } from "../../../ops/build/testLog";

const dir = path.join(__dirname, "../../fixtures/odoo-logs");

/** The fixture's body: its `#` header lines (the provenance) removed. */
export function odooLog(name: string): string {
    const lines = fs.readFileSync(path.join(dir, name), "utf8").split("\n");
    const start = lines.findIndex((l) => !l.startsWith("#"));
    assert.ok(start > 0, `${name} must start with a provenance header`);
    return lines.slice(start).join("\n");
}

describe("parseOdooTestLog on real Odoo logs", () => {
    it("every fixture names where it came from", () => {
        for (const file of fs.readdirSync(dir)) {
            const header = fs
                .readFileSync(path.join(dir, file), "utf8")
                .split("\n")
                .filter((l) => l.startsWith("#"))
                .join("\n");
            assert.match(header, /Source: |Composed, NOT captured/, `${file} has no provenance`);
            assert.match(header, /Expected: (red|yellow|green)/, `${file} has no expected verdict`);
        }
    });

    it("each fixture gets the verdict its header expects", () => {
        for (const file of fs.readdirSync(dir)) {
            const expected = /Expected: (red|yellow|green)/.exec(fs.readFileSync(path.join(dir, file), "utf8"))![1];
            assert.equal(parseOdooTestLog(odooLog(file)).verdict, expected, file);
        }
    });

    it("17.0 on Odoo.sh (log viewer, no record prefix): red, the failing test and its traceback", () => {
        const r = parseOdooTestLog(odooLog("odoo17-odoosh-bus-test-postcommit.log"));
        assert.equal(r.verdict, "red");
        assert.equal(r.failed, 1);
        assert.equal(r.errors, 0);
        assert.equal(r.tests, 8, "from 'Module bus: 1 failures, 0 errors of 8 tests'");
        assert.equal(r.firstFailure?.test, "NotifyTests.test_postcommit");
        assert.match(
            r.firstFailure!.traceback,
            /^Traceback \(most recent call last\):\n  File "\/home\/odoo\/src\/odoo\/addons\/bus\/tests\/test_notify.py", line 96/,
        );
        assert.match(r.firstFailure!.traceback, /channel 2'\]\]$/, "the traceback ends before Odoo's module summary");
        assert.ok(r.reasons.includes("1 test(s) failed"));
    });

    it("18.0 tour failure on Odoo.sh: red, the test named as Odoo names it", () => {
        const r = parseOdooTestLog(odooLog("odoo18-odoosh-project-tour.log"));
        assert.equal(r.verdict, "red");
        assert.equal(r.failures.length, 1);
        assert.equal(r.failures[0].kind, "FAIL");
        assert.equal(r.firstFailure?.test, "TestProjectUpdateUi.test_01_project_tour");
        assert.match(r.firstFailure!.traceback, /test_project_update_ui.py", line 18, in test_01_project_tour/);
    });

    it("18.0 under OCA CI with no test at all: yellow (Odoo logs its 0-tests summary at WARNING)", () => {
        const r = parseOdooTestLog(odooLog("odoo18-oca-ci-no-tests.log"), { exitCode: 0 });
        assert.equal(r.verdict, "yellow");
        assert.equal(r.finished, true);
        assert.equal(r.tests, 0);
        assert.equal(r.warnings, 1);
        assert.deepEqual(r.reasons, ["no test ran", "1 warning(s)"]);
        assert.equal(summaryLine(r), "0 tests, 0 failed, 1 warning");
    });

    it("15.0 under OCA CI (same format as 16-19): red, traceback from the same record", () => {
        const r = parseOdooTestLog(odooLog("odoo15-oca-ci-server-action-logging.log"));
        assert.equal(r.verdict, "red");
        assert.equal(r.firstFailure?.test, "TestServerActionLogging.test_01_log_action_sql_db");
        assert.equal(r.failures[0].logger, "odoo.addons.server_action_logging.tests.test_server_action_logging");
        assert.match(r.firstFailure!.traceback, /AssertionError: no logs of level DEBUG or higher triggered on odoo.sql_db$/);
        assert.equal(r.errorRecords, 0, "the FAIL record is the test's own report, not an extra error");
    });

    it("18.0 update that crashed before any test: red, the ERROR and CRITICAL records named", () => {
        const r = parseOdooTestLog(odooLog("odoo18-odoosh-update-critical.log"), { exitCode: 255 });
        assert.equal(r.verdict, "red");
        assert.equal(r.finished, false);
        assert.equal(r.errorRecords, 2);
        assert.deepEqual(r.problemSamples, [
            "ERROR odoo.modules.loading: Some modules are not loaded, some dependencies or manifest may be missing:",
            "CRITICAL odoo.service.server: Failed to initialize database",
        ]);
        assert.ok(r.reasons.some((x) => /did not reach Odoo's summary line/.test(x)));
        assert.ok(r.reasons.includes("Odoo exited with code 255"));
        assert.match(summaryLine(r), /^did not finish: /);
    });

    it("12.0's older per-module summary still makes it red", () => {
        const r = parseOdooTestLog(odooLog("odoo12-devel-tour-multiple-databases.log"));
        assert.equal(r.verdict, "red");
        assert.equal(r.failed, 1);
        assert.equal(r.errorRecords, 0, "the module summary and 'At least one test failed' are test reports");
    });

    it("composed 17.0 runs: green with stats per module, yellow with one warning", () => {
        const green = parseOdooTestLog(odooLog("composed-odoo17-green.log"), { exitCode: 0 });
        assert.equal(green.verdict, "green");
        assert.deepEqual(green.reasons, []);
        assert.equal(green.tests, 3);
        assert.equal(green.summary, "0 failed, 0 error(s) of 3 tests when loading database 'odoo_pr_7_tests'");
        assert.deepEqual(green.modules, [{ module: "platform_demo", tests: 3, seconds: 8.4, queries: 520 }]);
        assert.equal(summaryLine(green), "3 tests, 0 failed, 0 warnings");
        const yellow = parseOdooTestLog(odooLog("composed-odoo17-yellow.log"), { exitCode: 0 });
        assert.equal(yellow.verdict, "yellow");
        assert.equal(yellow.warnings, 1);
        assert.match(yellow.warningSamples[0], /^WARNING odoo.fields: Field platform.demo.name: unknown parameter 'tracking'/);
        assert.equal(summaryLine(yellow), "3 tests, 0 failed, 1 warning");
    });
});

describe("parseOdooTestLog edge cases", () => {
    const green = () => odooLog("composed-odoo17-green.log");

    it("an ignore pattern turns a known warning back to green (checklog-odoo's --ignore)", () => {
        const log = odooLog("composed-odoo17-yellow.log");
        const r = parseOdooTestLog(log, { ignore: compileIgnorePatterns(["unknown parameter 'tracking'"], "testLogIgnore") });
        assert.equal(r.verdict, "green");
        assert.equal(r.ignoredRecords, 1);
        assert.throws(
            () => compileIgnorePatterns(["(unclosed"], "odoo-platform:testLogIgnore"),
            /odoo-platform:testLogIgnore: "\(unclosed" is not a valid regular expression/,
        );
    });

    it("a non-zero exit is red even with a clean summary", () => {
        const r = parseOdooTestLog(green(), { exitCode: 1 });
        assert.equal(r.verdict, "red");
        assert.deepEqual(r.reasons, ["Odoo exited with code 1"]);
    });

    it("the time limit is red, counts the tests that started, and says so", () => {
        const cut = green().split("\n").slice(0, 5).join("\n") + `\n${timeLimitMarker} (30 min)\n`;
        const r = parseOdooTestLog(cut, { exitCode: 124 });
        assert.equal(r.verdict, "red");
        assert.equal(r.timedOut, true);
        assert.equal(r.tests, 3, "three 'Starting …' lines before the stop");
        assert.deepEqual(r.reasons, ["the run was stopped by its time limit"]);
        assert.equal(summaryLine(r), "stopped by the time limit: 3 tests, 0 failed, 0 warnings");
    });

    it("an ERROR record outside any test is red (runbot's rule), and an ERROR: test report counts as an error", () => {
        const stray =
            green().replace("Initiating shutdown", "Initiating shutdown") +
            "\n2024-06-01 10:00:31,000 1 ERROR odoo_pr_7_tests odoo.sql_db: bad query: SELECT 1/0\nERROR: division by zero\n";
        const r = parseOdooTestLog(stray);
        assert.equal(r.verdict, "red");
        assert.equal(r.errorRecords, 1);
        const setUp =
            "2024-06-01 10:00:20,100 1 ERROR db odoo.addons.x.tests.test_x: ERROR: setUpClass (odoo.addons.x.tests.test_x.TestX)\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: boom\n2024-06-01 10:00:30,002 1 ERROR db odoo.tests.result: 0 failed, 1 error(s) of 0 tests when loading database 'db'\n";
        const e = parseOdooTestLog(setUp);
        assert.equal(e.errors, 1);
        assert.equal(e.firstFailure?.test, "setUpClass (odoo.addons.x.tests.test_x.TestX)");
        assert.equal(e.errorRecords, 0);
    });

    it("colour codes from a terminal are ignored", () => {
        const coloured = green().replace(/ INFO /g, " \x1b[1;32m\x1b[1;49mINFO\x1b[0m ");
        assert.equal(parseOdooTestLog(coloured).tests, 3);
    });
});
