/**
 * What every CLI command shares: errors turned into one line and an exit code (ops/cli/exitCodes.ts),
 * the `--json` report and progress on stderr.
 */
import type { Command } from "commander";
import { OpsError } from "../core/errors";
import { errorLine, exitCodeOf, exitCodes } from "./exitCodes";

export { exitCodes } from "./exitCodes";
export type { Progress } from "../core/progress";

/**
 * An error for people with the exit code it deserves (1 failed, 2 invalid input). Kept for the
 * command groups that still throw it; new code throws the classes of ops/core/errors.ts.
 */
export class CliError extends OpsError {
    constructor(
        message: string,
        readonly exitCode: 1 | 2 = exitCodes.findings,
    ) {
        super(exitCode === exitCodes.usage ? "invalid-input" : "failed", message);
        this.name = "CliError";
    }
}

/** Bad arguments, a malformed URL, an unreachable service: exit 2, nothing changed. */
export class UsageError extends CliError {
    constructor(message: string) {
        super(message, exitCodes.usage);
        this.name = "UsageError";
    }
}

export interface CommandResult<T = unknown> {
    /** 0, or 1 when the command found problems (verify findings, a failed health check …). */
    exitCode: 0 | 1;
    /** The machine-readable report printed with --json. */
    report: T;
    /** The human-readable report printed otherwise. */
    text: string;
}

export interface Io {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

export const processIo: Io = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/**
 * Wraps a command handler: runs it, prints its report (JSON with --json), turns an error into one
 * line on stderr (and `{ ok: false, error, exitCode }` with --json) and the exit code of its class.
 */
export function action<O extends { json?: boolean }>(
    run: (opts: O, command: Command) => Promise<CommandResult>,
    io: Io = processIo,
): (opts: O, command: Command) => Promise<void> {
    return async (opts, command) => {
        try {
            const result = await run(opts, command);
            if (opts.json) io.stdout(`${JSON.stringify(result.report, null, 2)}\n`);
            else if (result.text) io.stdout(result.text.endsWith("\n") ? result.text : `${result.text}\n`);
            process.exitCode = result.exitCode;
        } catch (err) {
            const exitCode = exitCodeOf(err);
            const message = errorLine(err);
            if (opts.json) io.stdout(`${JSON.stringify({ ok: false, error: message, exitCode }, null, 2)}\n`);
            io.stderr(`error: ${message}\n`);
            process.exitCode = exitCode;
        }
    };
}

// Progress lives in ops/core so the library can report it without importing the CLI.
export { progress } from "../core/progress";
