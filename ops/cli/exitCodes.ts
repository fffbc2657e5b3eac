/**
 * Exit codes of every `odoo-platform` command, decided here and only here, by the class of the
 * error (ops/core/errors.ts), never by its message:
 *
 *   0  success
 *   1  failed: a step failed, or the command found problems (verify findings, a corrupt snapshot)
 *   2  invalid input: bad arguments or options; nothing was touched
 *   3  refused: the database is not one this command may touch (the source itself, one it did not
 *      create, one that looks like production); nothing was touched
 *   4  unavailable: a server down or gone mid-run, a lock held by another run, a full disk;
 *      what was half-built is removed where the server still answers; retry when it is back
 */
import { errorKind, ErrorKind } from "../core/errors";

export { errorLine } from "../core/errors";

export const exitCodes = { ok: 0, findings: 1, failed: 1, usage: 2, refused: 3, unavailable: 4 } as const;

const byKind: Record<ErrorKind, number> = {
    failed: exitCodes.failed,
    "invalid-input": exitCodes.usage,
    refused: exitCodes.refused,
    unavailable: exitCodes.unavailable,
};

export function exitCodeOf(err: unknown): number {
    return byKind[errorKind(err)];
}
