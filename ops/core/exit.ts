/** Ending a program (the CLI, the guard, the demo) once what it printed has reached its reader. */

/**
 * Exits with `code` once everything written to stdout and stderr has been handed to the OS, even if a
 * socket is still open. A plain `process.exit` right after a large write to a pipe cuts the output
 * short (at 64 KiB).
 */
export function exitWhenFlushed(code: number): void {
    let pending = 2;
    const done = () => {
        if (--pending === 0) process.exit(code);
    };
    process.stdout.write("", done);
    process.stderr.write("", done);
}
