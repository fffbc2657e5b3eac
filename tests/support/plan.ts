/**
 * Helpers for tests that plan a stack under the mock runtime and look at what it would create. The
 * readers (resources, one, ofType, withRole …) take any recording: a stack's plan or one component
 * built from its own args (tests/support/component.ts).
 */
import * as path from "node:path";
import { unwrapSecrets, RecordedResource } from "../../plan/mockRuntime";
import { planStack, PlanResult } from "../../plan/plan";

export const ciEnv = (extra: Record<string, string> = {}) => ({
    ...process.env,
    ODOO_PLATFORM_GIT_SHA: "abcdef1234567",
    ODOO_PLATFORM_GIT_BRANCH: "feature/x",
    ...extra,
});

/** Plans `stack` with CI-like values; fails loudly if the plan could not be made. */
export async function plan(
    stack: string,
    opts: { env?: Record<string, string | undefined>; configFile?: string; configOverrides?: Record<string, string> } = {},
): Promise<PlanResult> {
    const result = await planStack({ stack, env: opts.env ?? ciEnv(), configFile: opts.configFile, configOverrides: opts.configOverrides });
    if (result.errors.length) throw new Error(`plan of ${stack} failed:\n${result.errors.join("\n")}`);
    return result;
}

/** What the mock runtime recorded: a stack's plan, or one component's build. */
export interface Recording {
    recorded: RecordedResource[];
}

export interface Resource {
    type: string;
    name: string;
    urn: string;
    /** Name of the parent component; null at the top level. */
    parent: string | null;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, any>;
    /** Names of explicit dependencies. */
    dependsOn: string[];
}

export function resources(result: Recording): Resource[] {
    const nameOf = new Map(result.recorded.map((r: RecordedResource) => [r.urn, r.name]));
    return result.recorded.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        parent: r.parentUrn ? (nameOf.get(r.parentUrn) ?? r.parentUrn) : null,
        inputs: unwrapSecrets(r.inputs) as Record<string, any>,
        dependsOn: r.dependencies.map((d) => nameOf.get(d) ?? d),
    }));
}

export const ofType = (result: Recording, type: string) => resources(result).filter((r) => r.type === type);

export function one(result: Recording, type: string, name: string): Resource {
    const found = resources(result).find((r) => r.type === type && r.name === name);
    if (!found)
        throw new Error(
            `no ${type} named ${name}; have: ${resources(result)
                .map((r) => `${r.type} ${r.name}`)
                .join(", ")}`,
        );
    return found;
}

export const containerType = "docker:index/container:Container";
export const networkType = "docker:index/network:Network";

/** A container's Docker labels as a map. */
export function labelsOf(container: Resource): Record<string, string> {
    return Object.fromEntries(((container.inputs.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]));
}

/** Content of the file uploaded at `path` into a container. */
export function upload(container: Resource, path: string): string {
    const found = ((container.inputs.uploads ?? []) as { file: string; content: string }[]).find((u) => u.file === path);
    if (!found) throw new Error(`${container.name} has no upload ${path}`);
    return found.content;
}

/** The containers with a given `odoo-platform.role`. */
export function withRole(result: Recording, role: string): Resource[] {
    return ofType(result, containerType).filter((c) => labelsOf(c)["odoo-platform.role"] === role);
}

/** odoo.conf as a key → value map. */
export function odooConf(text: string): Record<string, string> {
    return Object.fromEntries(
        text
            .split("\n")
            .filter((l) => l.includes(" = "))
            .map((l) => [l.slice(0, l.indexOf(" = ")), l.slice(l.indexOf(" = ") + 3)]),
    );
}

/** A stack file of examples/kubernetes/. */
export const kubernetesExample = (file: string) => path.resolve(__dirname, "../../examples/kubernetes", file);

export interface KubernetesExamplePlans {
    production: PlanResult;
    staging: PlanResult;
    pr: PlanResult;
}

let kubernetesExamplePlans: Promise<KubernetesExamplePlans> | undefined;

/** The three Kubernetes example stacks, planned once for every test file that reads them (read-only: copy before changing). */
export function planKubernetesExamples(): Promise<KubernetesExamplePlans> {
    kubernetesExamplePlans ??= (async () => ({
        production: await plan("production", { configFile: kubernetesExample("Pulumi.production.yaml") }),
        staging: await plan("staging", { configFile: kubernetesExample("Pulumi.staging.yaml") }),
        pr: await plan("pr-7", { configFile: kubernetesExample("Pulumi.pr.yaml") }),
    }))();
    return kubernetesExamplePlans;
}
