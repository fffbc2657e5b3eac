import * as assert from "node:assert/strict";
import { Command } from "commander";
import { InvalidInputError, RefusedError, UnavailableError } from "../../../ops/core/errors";
import { exitCodeOf } from "../../../ops/cli/exitCodes";
import { action, CliError, exitCodes, Io, UsageError } from "../../../ops/cli/runtime";

/** Runs one command whose handler throws `err` through the real `action` wrapper and commander. */
async function runThrowing(err: unknown, json: boolean): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
    const out: string[] = [];
    const errOut: string[] = [];
    const io: Io = { stdout: (t) => out.push(t), stderr: (t) => errOut.push(t) };
    const program = new Command("t").exitOverride();
    program
        .command("go")
        .option("--json")
        .action(
            action(async () => {
                throw err;
            }, io),
        );
    const saved = process.exitCode;
    try {
        process.exitCode = undefined;
        await program.parseAsync(["node", "t", "go", ...(json ? ["--json"] : [])]);
        return { exitCode: process.exitCode as number | undefined, stdout: out.join(""), stderr: errOut.join("") };
    } finally {
        process.exitCode = saved;
    }
}

describe("exit codes of the library's errors (ops/cli/exitCodes exitCodeOf)", () => {
    const cases: [string, unknown, number][] = [
        ["invalid input", new InvalidInputError("--to must be s3://bucket/prefix or a directory, got ftp://x"), exitCodes.usage],
        ["an unavailable dependency", new UnavailableError("cannot reach postgresql://db:5432/odoo: connection refused"), exitCodes.unavailable],
        ["a refusal", new RefusedError("the target database is production (its dbuuid matches the live one): refusing to overwrite it"), exitCodes.refused],
        ["a CliError with its own code", new CliError("verify found 2 problems", 1), exitCodes.findings],
        ["a UsageError", new UsageError("--jobs must be 1–64"), exitCodes.usage],
        ["an unexpected error", new TypeError("cannot read properties of undefined"), exitCodes.findings],
        ["something thrown that is not an Error", "boom", exitCodes.findings],
    ];

    for (const [what, err, code] of cases) {
        it(`${what} exits ${code} with its message on stderr and in the --json report`, async () => {
            assert.equal(exitCodeOf(err), code);
            const text = await runThrowing(err, false);
            assert.equal(text.exitCode, code);
            const message = err instanceof Error ? err.message : String(err);
            assert.equal(text.stderr, `error: ${message}\n`);
            assert.equal(text.stdout, "");
            const json = await runThrowing(err, true);
            assert.equal(json.exitCode, code);
            assert.deepEqual(JSON.parse(json.stdout), { ok: false, error: message, exitCode: code });
        });
    }

    it("names each domain error's kind, so a caller can tell them apart without matching messages", () => {
        assert.equal(new InvalidInputError("x").kind, "invalid-input");
        assert.equal(new UnavailableError("x").kind, "unavailable");
        assert.equal(new RefusedError("x").kind, "refused");
        const cause = new Error("ECONNREFUSED");
        assert.equal(new UnavailableError("cannot reach the evidence database", { cause }).cause, cause);
    });
});
