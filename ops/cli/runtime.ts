/**
 * What every CLI command shares: exit codes, errors that say what to fix, the `--json` report and
 * progress on stderr.
 *
 * Exit codes: 0 success, 1 findings or failure, 2 bad usage or unreachable database.
 * `exitCodeFor` is the one place that maps an error to an exit code.
 */
import type { Command } from "commander";
import { DomainError } from "../core/errors";

export const exitCodes = { ok: 0, findings: 1, usage: 2 } as const;

/** An error for people: what is wrong and how to fix it, with the exit code it deserves. */
export class CliError extends Error {
    constructor(message: string, readonly exitCode: 1 | 2 = exitCodes.findings) {
        super(message);
        this.name = "CliError";
    }
}

/** Bad arguments, a malformed URL, an unreachable database: exit 2, nothing changed. */
export class UsageError extends CliError {
    constructor(message: string) {
        super(message, exitCodes.usage);
        this.name = "UsageError";
    }
}

/**
 * The exit code an error deserves. The library's domain errors (ops/core/errors.ts): invalid input
 * and an unavailable dependency exit 2 (fix the call or the environment, then rerun: nothing was
 * changed); a refusal exits 1, like a failed check. A CliError carries its own code; anything else
 * is an unexpected failure, 1.
 */
export function exitCodeFor(err: unknown): 1 | 2 {
    if (err instanceof CliError) return err.exitCode;
    if (err instanceof DomainError) {
        switch (err.kind) {
            case "invalid-input":
            case "unavailable":
                return exitCodes.usage;
            case "refused":
                return exitCodes.findings;
        }
    }
    return exitCodes.findings;
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
 * Wraps a command handler: runs it, prints its report (JSON with --json), maps errors to exit
 * codes and messages. The handler receives commander's parsed options.
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
            const exitCode = exitCodeFor(err);
            const message = err instanceof Error ? err.message : `${err}`;
            if (opts.json) io.stdout(`${JSON.stringify({ ok: false, error: message, exitCode }, null, 2)}\n`);
            io.stderr(`error: ${message}\n`);
            process.exitCode = exitCode;
        }
    };
}

// Progress lives in ops/core so the library can report it without importing the CLI.
export { progress } from "../core/progress";
export type { Progress } from "../core/progress";

/**
 * Exits with `code` once everything written to stdout and stderr has been handed to the OS. A plain
 * `process.exit` right after a large write to a pipe cuts the output short (at 64 KiB).
 */
export function exitWhenFlushed(code: number): void {
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}
