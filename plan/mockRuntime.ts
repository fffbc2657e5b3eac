/**
 * Runs the Pulumi program under Pulumi's own mock runtime and records every resource it registers:
 * type, name, parent, explicit dependencies and inputs (secrets kept marked). No CLI, no plugin, no
 * credentials, no network.
 *
 * The recording monitor extends the SDK's MockMonitor (an internal module of the pinned
 * @pulumi/pulumi 3.248) because the public `Mocks` callback does not see parents or dependencies.
 */
import * as pulumi from "@pulumi/pulumi";
import { mockResourceState, mockCall } from "./mockOutputs";

// Internal SDK modules, stable across 3.x: see the note above.
/* eslint-disable @typescript-eslint/no-require-imports */
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (mocks: pulumi.runtime.Mocks) => MonitorLike };
const settings = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean): void;
    waitForRPCs(): Promise<void>;
};
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
    deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown>;
    specialSigKey: string;
    specialSecretSig: string;
    unknownValue: string;
};
const stackModule = require("@pulumi/pulumi/runtime/stack") as { runInPulumiStack(init: () => Promise<unknown>): Promise<unknown> };
const outputModule = require("@pulumi/pulumi/output") as { unknown: unknown };
/* eslint-enable @typescript-eslint/no-require-imports */

interface MonitorLike {
    registerResource(req: RegisterRequest, callback: (err: unknown, res?: unknown) => void): Promise<void>;
    readResource(req: RegisterRequest, callback: (err: unknown, res?: unknown) => void): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, callback: (err: unknown, res?: unknown) => void): void;
    newUrn(parent: string, type: string, name: string): string;
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom?(): boolean;
    getObject?(): unknown;
    getProperties?(): unknown;
    getDependenciesList?(): string[];
    getPropertydependenciesMap?(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getProvider(): string;
    getProtect?(): boolean | undefined;
    getRetainondelete?(): boolean | undefined;
    getDeletebeforereplace?(): boolean;
    getIgnorechangesList?(): string[];
    getReplaceonchangesList?(): string[];
    getAdditionalsecretoutputsList?(): string[];
    getDeletedwith?(): string;
    getVersion?(): string;
}

/** A value marked secret, as the runtime hands it over. */
export interface SecretValue {
    readonly __secret: true;
    readonly value: unknown;
}

/** The resource options the engine acts on when it diffs, replaces and deletes a resource. */
export interface RecordedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace: boolean;
    ignoreChanges: string[];
    replaceOnChanges: string[];
    additionalSecretOutputs: string[];
    /** URN of the resource whose deletion also deletes this one. */
    deletedWith?: string;
}

/**
 * The engine's marker for a value not known during a preview (it depends on an output of a
 * resource still to be created or changed). CrossGuard's analyzer receives the same string.
 */
export const unknownValue: string = rpc.unknownValue;
export const isUnknownValue = (v: unknown): boolean => v === unknownValue;

export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parentUrn?: string;
    /** URNs of every direct dependency: explicit `dependsOn` plus the resources whose outputs feed an input. */
    dependencies: string[];
    /** Per input property, the URNs of the resources whose outputs it was computed from. */
    propertyDependencies: Record<string, string[]>;
    /** Inputs with secret values wrapped as SecretValue. */
    inputs: Record<string, unknown>;
    /** State the (mock) provider returned: inputs plus computed outputs, secrets wrapped. Unset for components. */
    outputs?: Record<string, unknown>;
    /** Provider reference (`urn::id`) when one was passed explicitly or inherited. */
    provider?: string;
    options: RecordedOptions;
    /** Version of the provider plugin the SDK asks the engine for (custom resources of a provider package). */
    pluginVersion?: string;
}

export interface MockRunResult {
    resources: RecordedResource[];
    /** Stack outputs with secret values wrapped as SecretValue. */
    outputs: Record<string, unknown>;
}

export const isSecretValue = (v: unknown): v is SecretValue => typeof v === "object" && v !== null && (v as SecretValue).__secret === true;

/** Replaces the runtime's secret signature objects with SecretValue wrappers (and unknowns with `unknownValue`), recursively. */
function markSecrets(value: unknown): unknown {
    if (value === outputModule.unknown) return unknownValue;
    if (Array.isArray(value)) return value.map(markSecrets);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[rpc.specialSigKey] === rpc.specialSecretSig) return { __secret: true, value: markSecrets(obj.value) };
        if (obj[rpc.specialSigKey]) return `[${describeSpecial(obj)}]`;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = markSecrets(v);
        return out;
    }
    return value;
}

function describeSpecial(obj: Record<string, unknown>): string {
    if (typeof obj.urn === "string") return `resource ${obj.urn.split("::").pop()}`;
    if (typeof obj.text === "string" || typeof obj.path === "string") return "asset";
    return "special value";
}

/** Drops the secret markers: what a policy sees (CrossGuard hands policies plain values too). */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecretValue(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = unwrapSecrets(v);
        return out;
    }
    return value;
}

function propertyDependenciesOf(req: RegisterRequest): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((deps, key) => {
        out[key] = deps.getUrnsList();
    });
    return out;
}

class RecordingMonitor extends (MockMonitor as unknown as new (mocks: pulumi.runtime.Mocks) => MonitorLike) {
    readonly recorded: RecordedResource[] = [];
    /** URN of the resource whose registration is being handed to the mocks (read synchronously by them). */
    registering?: string;
    stackOutputs: Record<string, unknown> = {};
    private stackUrn?: string;

    private record(req: RegisterRequest, custom: boolean, struct: unknown): RecordedResource | undefined {
        const type = req.getType();
        const urn = this.newUrn(req.getParent(), type, req.getName());
        if (type === "pulumi:pulumi:Stack") {
            this.stackUrn = urn;
            return undefined;
        }
        const parent = req.getParent();
        const recorded: RecordedResource = {
            urn,
            type,
            name: req.getName(),
            custom,
            parentUrn: parent && parent !== this.stackUrn ? parent : undefined,
            dependencies: req.getDependenciesList?.() ?? [],
            propertyDependencies: propertyDependenciesOf(req),
            inputs: markSecrets(rpc.deserializeProperties(struct, true)) as Record<string, unknown>,
            provider: req.getProvider() || undefined,
            options: {
                protect: req.getProtect?.() === true,
                retainOnDelete: req.getRetainondelete?.() === true,
                deleteBeforeReplace: req.getDeletebeforereplace?.() === true,
                ignoreChanges: req.getIgnorechangesList?.() ?? [],
                replaceOnChanges: req.getReplaceonchangesList?.() ?? [],
                additionalSecretOutputs: req.getAdditionalsecretoutputsList?.() ?? [],
                deletedWith: req.getDeletedwith?.() || undefined,
            },
            pluginVersion: req.getVersion?.() || undefined,
        };
        this.recorded.push(recorded);
        return recorded;
    }

    /** Wraps the engine's callback to keep the state the mock provider returned. */
    private keepOutputs(recorded: RecordedResource | undefined, callback: (err: unknown, res?: unknown) => void) {
        return (err: unknown, res?: unknown) => {
            const object = res as { getObject?(): unknown; getProperties?(): unknown } | undefined;
            const struct = object?.getObject?.() ?? object?.getProperties?.();
            if (!err && recorded && recorded.custom && struct)
                recorded.outputs = markSecrets(rpc.deserializeProperties(struct, true)) as Record<string, unknown>;
            callback(err, res);
        };
    }

    override async registerResource(req: RegisterRequest, callback: (err: unknown, res?: unknown) => void): Promise<void> {
        const recorded = this.record(req, req.getCustom?.() ?? true, req.getObject!());
        // The mock's newResource runs synchronously at the start of the call below.
        this.registering = recorded?.urn;
        const done = super.registerResource(req, this.keepOutputs(recorded, callback));
        this.registering = undefined;
        return done;
    }

    override async readResource(req: RegisterRequest, callback: (err: unknown, res?: unknown) => void): Promise<void> {
        const recorded = this.record(req, true, req.getProperties!());
        return super.readResource(req, this.keepOutputs(recorded, callback));
    }

    override registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, callback: (err: unknown, res?: unknown) => void): void {
        if (req.getUrn() === this.stackUrn && req.getOutputs()) {
            this.stackOutputs = markSecrets(rpc.deserializeProperties(req.getOutputs(), true)) as Record<string, unknown>;
        }
        super.registerResourceOutputs(req, callback);
    }
}

export interface MockRunOptions {
    project: string;
    stack: string;
    /** Full config map (`odoo-platform:domain` → string) and which keys are secret. */
    config: Record<string, string>;
    secretKeys: string[];
    /** Loads the program; its exports become the stack outputs. */
    program: () => unknown;
    /** Run as `pulumi preview` does: outputs the mocks leave out are unknown to the program. */
    preview?: boolean;
    /**
     * In a preview, the resources (by URN) whose every output is unknown, as for a resource the
     * engine is about to create, replace or update.
     */
    unknownOutputs?: (urn: string) => boolean;
}

/** Evaluates `program` under mocks and returns everything it registered. Not re-entrant. */
export async function runUnderMocks(options: MockRunOptions): Promise<MockRunResult> {
    let monitor: RecordingMonitor | undefined;
    const mocks: pulumi.runtime.Mocks = {
        newResource: (args) => {
            const urn = monitor?.registering;
            // No id and no state: in a preview every output of the resource is unknown.
            if (options.preview && urn && options.unknownOutputs?.(urn)) return { id: undefined as unknown as string, state: {} };
            return mockResourceState(args);
        },
        call: (args) => mockCall(args),
    };
    monitor = new RecordingMonitor(mocks);
    settings.setMockOptions(monitor, options.project, options.stack, !!options.preview);
    // The same feature switches pulumi.runtime.setMocks turns on.
    Object.assign(state.getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
    });
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);

    // A program that throws inside an `apply` fails the deployment in a real run; here the rejection
    // may reach no handler (one error fans out to many Outputs), so it is collected and reported as
    // the plan's error instead of crashing the process.
    const stray: unknown[] = [];
    const collect = (reason: unknown) => stray.push(reason);
    process.on("unhandledRejection", collect);
    try {
        await stackModule.runInPulumiStack(async () => options.program());
        await settings.waitForRPCs();
    } finally {
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
        process.off("unhandledRejection", collect);
    }
    if (stray.length) throw stray[0];
    return { resources: monitor.recorded, outputs: monitor.stackOutputs };
}
