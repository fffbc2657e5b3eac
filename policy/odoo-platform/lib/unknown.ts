/** Reading values that may not be known yet: during a preview, CrossGuard hands policies a proxy that throws for them. */

/**
 * During a real preview CrossGuard hands policies a proxy that throws UnknownValueError when a
 * value is not known yet (it depends on a resource still to be created). Such a value is computed
 * by the program, never a literal: `known` turns it into undefined for the checks where that matters.
 */
export const isUnknownValueError = (err: unknown): boolean => (err as { constructor?: { name?: string } })?.constructor?.name === "UnknownValueError";

export function known<T>(read: () => T): T | undefined {
    const result = readKnown(read);
    return result.known ? result.value : undefined;
}

/** Like `known`, but tells an unknown value apart from an absent one. */
export function readKnown<T>(read: () => T): { known: true; value: T } | { known: false } {
    try {
        return { known: true, value: read() };
    } catch (err) {
        if (isUnknownValueError(err)) return { known: false };
        throw err;
    }
}
