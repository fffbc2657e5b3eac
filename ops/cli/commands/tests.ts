/** `odoo-platform tests report`: judge an Odoo test log (green, yellow, red). */
import type { Command } from "commander";
import * as fs from "node:fs";
import { collect } from "../options";
import { action, UsageError } from "../runtime";
import { compileIgnorePatterns, parseOdooTestLog, summaryLine } from "../../build/testLog";

export function register(program: Command): void {
    const tests = program.command("tests").description("Odoo test runs of a build");
    tests
        .command("report")
        .description("judge an Odoo test log (--test-enable … --log-level=test): green, yellow or red, the first failure and its traceback; exit 1 when red")
        .requiredOption("--log <file>", "the log (- for stdin)")
        .option("--exit-code <n>", "exit code of the Odoo process")
        .option("--ignore <regex>", "log records that are neither warnings nor errors (repeatable)", collect, [])
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { log: string; exitCode?: string; ignore: string[]; json?: boolean }) => {
                let text: string;
                try {
                    text = fs.readFileSync(opts.log === "-" ? 0 : opts.log, "utf8");
                } catch {
                    throw new UsageError(`--log ${opts.log} cannot be read: give the file the test step's output was saved to`);
                }
                const exitCode = opts.exitCode === undefined ? undefined : Number(opts.exitCode);
                if (exitCode !== undefined && !Number.isInteger(exitCode)) throw new UsageError(`--exit-code must be a whole number, got "${opts.exitCode}"`);
                let ignore: RegExp[];
                try {
                    ignore = compileIgnorePatterns(opts.ignore, "--ignore");
                } catch (err) {
                    throw new UsageError((err as Error).message);
                }
                const result = parseOdooTestLog(text, { exitCode, ignore });
                const lines = [`${result.verdict}: ${summaryLine(result)}`];
                for (const reason of result.reasons) lines.push(`  - ${reason}`);
                if (result.firstFailure) lines.push("", `first failure: ${result.firstFailure.test}`, result.firstFailure.traceback);
                else for (const sample of [...result.problemSamples, ...result.warningSamples]) lines.push(`  ${sample}`);
                return { exitCode: result.verdict === "red" ? 1 : 0, report: result, text: lines.join("\n") };
            }),
        );
}
