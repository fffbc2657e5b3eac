/**
 * Errors the library throws when an operation cannot go on, by what went wrong rather than by how
 * a command should exit: the CLI (ops/cli/runtime.ts, `exitCodeFor`) decides the exit code, so
 * library code never needs the CLI to report a failure. Each message says what is wrong and how to
 * fix it; each of these means nothing was changed.
 */

export type DomainErrorKind = "invalid-input" | "unavailable" | "refused";

export abstract class DomainError extends Error {
    abstract readonly kind: DomainErrorKind;
}

/** An argument, a file or a configuration value is wrong (malformed URL, unknown stage, missing field). */
export class InvalidInputError extends DomainError {
    readonly kind = "invalid-input";
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "InvalidInputError";
    }
}

/** Something the operation needs cannot be reached: a database server, a bucket, a tool not installed. */
export class UnavailableError extends DomainError {
    readonly kind = "unavailable";
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "UnavailableError";
    }
}

/** A safety check said no: the target is not the database it claims to be, a snapshot fails its checksum, a gate is closed. */
export class RefusedError extends DomainError {
    readonly kind = "refused";
    constructor(message: string, options?: ErrorOptions) {
        super(message, options);
        this.name = "RefusedError";
    }
}
