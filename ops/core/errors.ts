/**
 * The operations library's errors, by what the caller can do about them. Each message says what
 * failed and how to recover, in one line; the CLI turns the class into an exit code in one place
 * (ops/cli/exitCodes.ts), so no exit code is ever decided by reading a message.
 *
 *   OperationFailedError  a step failed or found problems (a client program, a check, a corrupt
 *                         snapshot); what it half-built has been removed
 *   InvalidInputError     bad arguments or options; nothing was touched
 *   RefusedError          the command would touch a database (or data) it must not: the wrong
 *                         database, one it does not manage, one that looks like production.
 *                         Nothing was touched; `--confirm <name>` where the message offers it
 *   UnavailableError      something the command needs is not there right now: a server that is
 *                         down or went away, a lock held by another run, a full disk. Retry when
 *                         it is back
 */

import { redactText } from "./redact";

export type ErrorKind = "failed" | "invalid-input" | "refused" | "unavailable";

export class OpsError extends Error {
    readonly kind: ErrorKind;
    constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.kind = kind;
        this.name = "OpsError";
    }
}

export class OperationFailedError extends OpsError {
    constructor(message: string, options?: { cause?: unknown }) {
        super("failed", message, options);
        this.name = "OperationFailedError";
    }
}

export class InvalidInputError extends OpsError {
    constructor(message: string, options?: { cause?: unknown }) {
        super("invalid-input", message, options);
        this.name = "InvalidInputError";
    }
}

export class RefusedError extends OpsError {
    constructor(message: string, options?: { cause?: unknown }) {
        super("refused", message, options);
        this.name = "RefusedError";
    }
}

/** Refused because the database is not the one the command may touch (see ops/postgres/identity.ts). */
export class WrongDatabaseError extends RefusedError {
    constructor(
        readonly database: string,
        message: string,
    ) {
        super(message);
        this.name = "WrongDatabaseError";
    }
}

export class UnavailableError extends OpsError {
    constructor(message: string, options?: { cause?: unknown }) {
        super("unavailable", message, options);
        this.name = "UnavailableError";
    }
}

/** Node and libpq error codes that mean "a resource is not there right now", not "you did it wrong". */
const unavailableSystemCodes = new Set([
    "ENOSPC",
    "EDQUOT",
    "EFBIG",
    "EMFILE",
    "ENFILE",
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "EAI_AGAIN",
    "EPIPE",
]);

/**
 * The kind of any error: an OpsError says it; a Node system error or a PostgreSQL error is
 * classified by its code (SQLSTATE class 08 connection, 53 insufficient resources, 57P admin
 * shutdown / cannot connect now; 55P03 lock not available); anything else is a failure.
 */
export function errorKind(err: unknown): ErrorKind {
    if (err instanceof OpsError) return err.kind;
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string") {
        if (unavailableSystemCodes.has(code)) return "unavailable";
        if (/^(08|53|57P)/.test(code) || code === "55P03") return "unavailable";
    }
    return "failed";
}

/** The system error code (ENOSPC …) or SQLSTATE of an error or anything in its cause chain. */
export function errorCode(err: unknown): string | undefined {
    for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === "string") return code;
    }
    return undefined;
}

/** The same kind of error with more said about it (what was cleaned up, how to recover). */
export function withNote(err: unknown, note: string | undefined): unknown {
    if (!note) return err;
    const message = `${err instanceof Error ? err.message : String(err)}; ${note}`;
    const kind = errorKind(err);
    return new OpsError(kind, message, { cause: err });
}

/** An error as the one line a person reads: no stack, no second line, no secret. */
export function errorLine(err: unknown): string {
    const message = err instanceof Error ? err.message : String(err);
    const lines = message
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
    const text = lines.length <= 1 ? (lines[0] ?? "unknown error") : `${lines[0]} (${lines.slice(1).join("; ")})`;
    return redactText(text.length > 2000 ? `${text.slice(0, 2000)}…` : text);
}
