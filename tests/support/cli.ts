/**
 * Runs the real CLI in-process (`main(argv)`), capturing what it prints, so tests exercise the
 * same argument parsing, error messages and exit codes a person gets.
 */
import { main } from "../../ops/cli/main";

export interface CliRun {
    code: number;
    stdout: string;
    stderr: string;
    /** stdout parsed as JSON, when it is. */
    json?: any;
}

export async function runCli(args: string[]): Promise<CliRun> {
    const out: string[] = [];
    const err: string[] = [];
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
    const quiet = process.env.ODOO_PLATFORM_QUIET;
    process.env.ODOO_PLATFORM_QUIET = "1";
    process.exitCode = undefined;
    let code: number;
    try {
        code = await main(["node", "odoo-platform", ...args]);
    } finally {
        process.stdout.write = write.stdout;
        process.stderr.write = write.stderr;
        process.exitCode = undefined;
        if (quiet === undefined) delete process.env.ODOO_PLATFORM_QUIET;
        else process.env.ODOO_PLATFORM_QUIET = quiet;
    }
    const stdout = out.join("");
    let json: unknown;
    try {
        json = JSON.parse(stdout);
    } catch {
        json = undefined;
    }
    return { code, stdout, stderr: err.join(""), json };
}
