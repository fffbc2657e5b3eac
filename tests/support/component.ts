/**
 * One component built from its own args under Pulumi's mock runtime (plan/mockRuntime.ts), without
 * a stack, its config or the program: what it registers, with which inputs, under which parent.
 * Read the result with the helpers of tests/support/plan.ts (one, ofType, withRole, labelsOf …).
 */
import * as assert from "node:assert/strict";
import { RecordedResource, runUnderMocks, unwrapSecrets } from "../../plan/mockRuntime";
import { Recording, Resource, resources } from "./plan";

export interface ComponentBuild<T> extends Recording {
    /** What `build` returned (the component). */
    component: T;
    /** Every resource registered, the component first, secrets unwrapped. */
    resources: Resource[];
    /** The values `exports` picked from the component, resolved, secrets unwrapped. */
    outputs: Record<string, unknown>;
}

const run = (program: () => unknown) => runUnderMocks({ project: "odoo-platform", stack: "unit", config: {}, secretKeys: [], program });

/**
 * Builds what `build` constructs under the mocks. `exports` picks outputs of the component to read
 * back resolved (they go through the runtime as stack outputs do).
 */
export async function buildUnderMocks<T>(build: () => T, exports?: (component: T) => Record<string, unknown>): Promise<ComponentBuild<T>> {
    let component: T | undefined;
    const result = await run(() => {
        component = build();
        return exports ? exports(component) : {};
    });
    return {
        component: component as T,
        recorded: result.resources,
        resources: resources({ recorded: result.resources }),
        outputs: unwrapSecrets(result.outputs) as Record<string, unknown>,
    };
}

export interface ComponentFailure {
    /** The error's message. */
    message: string;
    /**
     * `type name` of each resource registered before the error: none when the args are checked
     * first; null when the error came from an apply, after the program returned (not known then).
     */
    created: string[] | null;
}

/**
 * Builds `build` expecting it to throw; fails the test when it does not. The error is caught inside
 * the program (a constructor throws synchronously), so what was registered before it is reported.
 */
export async function failureOf(build: () => unknown): Promise<ComponentFailure> {
    let thrown: unknown;
    let recorded: RecordedResource[] | null;
    try {
        recorded = (
            await run(() => {
                try {
                    build();
                } catch (err) {
                    thrown = err;
                }
                return {};
            })
        ).resources;
    } catch (err) {
        // Thrown inside an apply: the runtime reports it after the program returned.
        thrown ??= err;
        recorded = null;
    }
    if (thrown === undefined) throw new Error("expected the build to fail, but it succeeded");
    return { message: thrown instanceof Error ? thrown.message : String(thrown), created: recorded?.map((r) => `${r.type} ${r.name}`) ?? null };
}

/** One bad field: its name, how to spoil good args with it, and the error expected. */
export type Refusal<A> = [field: string, spoil: (args: A) => void, message: RegExp];

/**
 * One mocha test per refusal: the component built from good args spoiled by it throws the expected
 * error, naming the field, before registering anything (its args are checked before super()).
 */
export function itRefusesEachBadField<A>(goodArgs: () => A, build: (args: A) => unknown, refusals: readonly Refusal<A>[]): void {
    for (const [field, spoil, message] of refusals) {
        it(`refuses a bad ${field} with an error naming it, before registering anything`, async () => {
            const args = goodArgs();
            spoil(args);
            const failure = await failureOf(() => build(args));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `nothing registered, got ${(failure.created ?? []).join(", ")}`);
        });
    }
}
