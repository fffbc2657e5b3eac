/** Where a Kubernetes object keeps its pods' spec, and the containers in it (init containers included). */
import { kubernetesTypes } from "./types";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined);
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => obj(o)?.[k], v);

const templated: readonly string[] = [kubernetesTypes.deployment, kubernetesTypes.statefulSet, kubernetesTypes.daemonSet, kubernetesTypes.job];

/** The pod template of a workload (`spec.template`), a CronJob's (`spec.jobTemplate.spec.template`), or a Pod itself. */
export function podTemplateOf(type: string, props: Obj): { metadata?: Obj; spec?: Obj } | undefined {
    if (templated.includes(type)) return obj(at(props, "spec", "template")) as { metadata?: Obj; spec?: Obj } | undefined;
    if (type === kubernetesTypes.cronJob) return obj(at(props, "spec", "jobTemplate", "spec", "template")) as { metadata?: Obj; spec?: Obj } | undefined;
    if (type === kubernetesTypes.pod) return { metadata: obj(props.metadata), spec: obj(props.spec) };
    return undefined;
}

export interface PodContainer {
    kind: "initContainers" | "containers" | "ephemeralContainers";
    name: string;
    container: Obj;
}

export function podContainers(spec: Obj | undefined): PodContainer[] {
    const out: PodContainer[] = [];
    for (const kind of ["initContainers", "containers", "ephemeralContainers"] as const) {
        const list = spec?.[kind];
        if (!Array.isArray(list)) continue;
        for (const c of list) if (obj(c)) out.push({ kind, name: String((c as Obj).name ?? "?"), container: c as Obj });
    }
    return out;
}

/** The pod template's labels. */
export function podLabels(type: string, props: Obj): Record<string, string> {
    const labels = obj(podTemplateOf(type, props)?.metadata?.labels) ?? {};
    return Object.fromEntries(Object.entries(labels).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

export const metadataOf = (props: Obj): Obj => obj(props.metadata) ?? {};
export { at as pathIn, obj as asObject };
