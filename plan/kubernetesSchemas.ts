/**
 * Every Kubernetes object of a plan checked against the Kubernetes OpenAPI schemas, with the
 * validators `kubernetes-models` generates from them (ajv): the object as the provider would send it
 * (inputs, secrets unwrapped, apiVersion and kind as the SDK sets them). A custom resource is checked
 * against the models kubernetes-models generates from its project's CRDs (`crdModels`: cert-manager's
 * ClusterIssuer and Certificate, prometheus-operator's PrometheusRule, ServiceMonitor, PodMonitor);
 * a type no model knows is reported, never skipped silently.
 */
import { isUnknownValue, RecordedResource, unwrapSecrets } from "./mockRuntime";

/** `kubernetes:apps/v1:Deployment` → the module of its model in kubernetes-models (`apps/v1/Deployment`). */
export function modelPath(type: string): string | undefined {
    const m = /^kubernetes:([a-z0-9.-]+)\/(v[0-9a-z]+):([A-Za-z]+)$/.exec(type);
    if (!m || m[1] === "helm.sh" || m[1] === "yaml" || m[1] === "kustomize") return undefined;
    const [, group, version, kind] = m;
    return group === "core" ? `${version}/${kind}` : `${group}/${version}/${kind}`;
}

/** Is the object a Kubernetes API object (not a provider, a Helm release or a component)? */
export const isKubernetesObject = (r: Pick<RecordedResource, "type" | "custom">): boolean => r.custom && modelPath(r.type) !== undefined;

const hasUnknown = (v: unknown): boolean =>
    isUnknownValue(v) || (Array.isArray(v) ? v.some(hasUnknown) : !!v && typeof v === "object" && Object.values(v).some(hasUnknown));

/** API groups of custom resources → the kubernetes-models package generated from their CRDs. */
export const crdModels: Readonly<Record<string, string>> = {
    "cert-manager.io": "@kubernetes-models/cert-manager",
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

/** The module a model is imported from: kubernetes-models for the built-in API, a CRD package for a custom resource. */
export function modelModule(path: string): string {
    const group = path.split("/")[0];
    return Object.hasOwn(crdModels, group) ? `${crdModels[group]}/${path}` : `kubernetes-models/${path}`;
}

type Model = new (data: unknown) => { validate(): void };
const models = new Map<string, Model | null>();

/**
 * kubernetes-models is ESM-only (its package exports have only an `import` condition): loaded with
 * a dynamic import, which CommonJS may do.
 */
async function model(path: string): Promise<Model | null> {
    if (!models.has(path)) {
        const kind = path.split("/").pop()!;
        try {
            const loaded = (await import(modelModule(path))) as Record<string, Model>;
            models.set(path, loaded[kind] ?? null);
        } catch {
            models.set(path, null);
        }
    }
    return models.get(path)!;
}

/** One problem per object that does not validate: its type, name and the validator's message. */
export async function kubernetesSchemaProblems(resources: readonly RecordedResource[]): Promise<string[]> {
    const problems: string[] = [];
    for (const r of resources.filter(isKubernetesObject)) {
        const path = modelPath(r.type)!;
        const Model = await model(path);
        if (!Model) {
            problems.push(`${r.type} ${r.name}: kubernetes-models has no schema for ${path} — add the CRD's model or do not create the type`);
            continue;
        }
        const object = unwrapSecrets(r.inputs) as Record<string, unknown>;
        if (hasUnknown(object)) {
            problems.push(`${r.type} ${r.name}: holds values unknown to this plan, which cannot be checked against the schema`);
            continue;
        }
        try {
            new Model(object).validate();
        } catch (err) {
            problems.push(`${r.type} ${r.name}: ${(err as Error).message}`);
        }
    }
    return problems;
}
