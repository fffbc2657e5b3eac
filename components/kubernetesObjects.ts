/**
 * The Kubernetes objects of one Odoo environment, as pure builders (components/KubernetesEnvironment.ts
 * only creates them): built from the same settings as the docker runtime's containers, so one stack
 * config describes both.
 *
 *   - odoo.conf without its secrets in a ConfigMap, the secret options (admin_passwd, db_password,
 *     smtp_password) in a Secret; an init container joins them into the pod's own odoo.conf;
 *   - the HTTP Deployment (workers, max_cron_threads = 0), probes on /web/health, requests and limits;
 *   - the cron Deployment (production: one replica, the only process running crons);
 *   - a Service with the HTTP and the gevent (websocket) port, and an Ingress routing /websocket to
 *     the gevent port and everything else to HTTP, TLS from cert-manager;
 *   - a HorizontalPodAutoscaler and a PodDisruptionBudget (production);
 *   - the filestore and sessions on one ReadWriteMany claim;
 *   - the one-shot init/update Job the Deployments wait for.
 *
 * Selectors carry only labels that never change (a Deployment's selector is immutable); the git SHA
 * is on what every deploy replaces anyway (the Deployments' pod templates), never on a Job's pod
 * template (spec.template is immutable: a changed label would re-run the Job).
 * API reference: https://kubernetes.io/docs/reference/kubernetes-api/
 */
import type * as Input from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { labelKeys, stableLabels } from "../config/naming";
import type { StackIdentity } from "../config/stage";
import { stageProfile } from "../config/stageProfile";
import { odooGeventPort, odooHttpPort, routerReadTimeoutSeconds } from "./routing";

export const odooUid = 101;
export const confDir = "/etc/odoo";
export const confFile = `${confDir}/odoo.conf`;
export const scriptsDir = "/opt/odoo-platform";
export const secretsDir = "/run/odoo-platform/secrets";
export const dataDir = "/var/lib/odoo";
/** Secret option names of odoo.conf: only ever in a Secret, never in the ConfigMap. */
export const secretConfOptions = ["admin_passwd", "db_password", "smtp_password"] as const;
/** Value the rendered odoo.conf carries for a secret option before it is split out. */
export const secretPlaceholder = "__odoo_platform_secret__";

/**
 * The namespace of a stack: the stack's name where the stage has one namespace per stack (PR stacks:
 * `pr-<n>`, `br-<slug>`), else the override or `odoo-<stage>` (config/stageProfile.ts kubernetes.namespace).
 */
export function kubernetesNamespace(identity: Pick<StackIdentity, "stage" | "stack">, override?: string): string {
    if (stageProfile(identity.stage).kubernetes?.namespace === "per-stack") return identity.stack;
    return override ?? `odoo-${identity.stage}`;
}

/** Kubernetes label values: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends. */
export function labelValue(value: string): string {
    const cleaned = value
        .replace(/[^A-Za-z0-9._-]+/g, "-")
        .slice(0, 63)
        .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
    return cleaned || "none";
}

/** What selects the pods of one role: never changes for the life of the stack. */
export function selectorLabels(stack: string, role: string): Record<string, string> {
    return { "app.kubernetes.io/name": "odoo", "app.kubernetes.io/instance": labelValue(stack), [labelKeys.role]: role };
}

/** Labels of an object: the stack's labels (without the git SHA unless `withSha`), as label values. */
export function objectLabels(labels: Record<string, string>, role: string, withSha = false): Record<string, string> {
    const base = withSha ? labels : stableLabels(labels);
    const out: Record<string, string> = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "odoo-platform" };
    for (const [k, v] of Object.entries(base)) out[k] = labelValue(v);
    out[labelKeys.role] = role;
    return out;
}

/** `1.5` CPUs → `1500m`; memory MiB → `1536Mi`. */
export const cpuQuantity = (cpus: number): string => `${Math.round(cpus * 1000)}m`;
export const memoryQuantity = (mb: number): string => `${Math.round(mb)}Mi`;

export interface ContainerResources {
    cpu: number;
    memoryMb: number;
    cpuRequest: number;
    memoryRequestMb: number;
}

export interface ResourceProblem {
    field: "cpuRequest" | "memoryRequestMb";
    why: string;
    fix: string;
}

/**
 * What is wrong with a container's resources: each request must be above 0 (the scheduler packs
 * pods by it) and at most its limit (the API server refuses a request above the limit). Pure.
 */
export function resourceProblems(r: ContainerResources): ResourceProblem[] {
    const problems: ResourceProblem[] = [];
    if (!(r.cpu > 0 && r.cpuRequest > 0 && r.cpuRequest <= r.cpu))
        problems.push({
            field: "cpuRequest",
            why: `the CPU request must be greater than 0 and at most the limit (${r.cpu}), got ${r.cpuRequest}`,
            fix: "lower odoo-platform:odooCpuRequest or raise odooCpus",
        });
    if (!(r.memoryMb > 0 && r.memoryRequestMb > 0 && r.memoryRequestMb <= r.memoryMb))
        problems.push({
            field: "memoryRequestMb",
            why: `the memory request must be greater than 0 and at most the limit (${r.memoryMb} MiB), got ${r.memoryRequestMb}`,
            fix: "lower odoo-platform:odooMemoryRequestMb or raise odooMemoryMb",
        });
    return problems;
}

export function resourceRequirements(r: ContainerResources): Input.core.v1.ResourceRequirements {
    const [problem] = resourceProblems(r);
    if (problem) throw new Error(`${problem.why}: ${problem.fix}`);
    return {
        requests: { cpu: cpuQuantity(r.cpuRequest), memory: memoryQuantity(r.memoryRequestMb) },
        limits: { cpu: cpuQuantity(r.cpu), memory: memoryQuantity(r.memoryMb) },
    };
}

/** A container that cannot gain privileges, with no capabilities, as a non-root user. */
export const restrictedContainer: Input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    privileged: false,
    runAsNonRoot: true,
    runAsUser: odooUid,
    runAsGroup: odooUid,
    capabilities: { drop: ["ALL"] },
};

/**
 * odoo.conf split in two: the ConfigMap's [options] lines and other sections (no secret in them),
 * and which secret options the Secret must carry. `text` is renderOdooConf's output with every
 * secret option set to `secretPlaceholder`.
 */
export function splitOdooConf(text: string): { options: string; sections: string; secretOptions: string[] } {
    const lines = text.split("\n");
    if (lines[0] !== "[options]") throw new Error("odoo.conf must start with its [options] section");
    const next = lines.findIndex((l, i) => i > 0 && /^\[.+\]$/.test(l));
    const optionLines = lines.slice(1, next < 0 ? undefined : next).filter((l) => l !== "");
    const secretOptions: string[] = [];
    const options = optionLines.filter((l) => {
        const name = l.slice(0, l.indexOf(" = "));
        if ((secretConfOptions as readonly string[]).includes(name)) {
            secretOptions.push(name);
            return false;
        }
        if (l.includes(secretPlaceholder)) throw new Error(`odoo.conf option ${name} holds a secret but is not one of ${secretConfOptions.join(", ")}`);
        return true;
    });
    const sections = next < 0 ? "" : lines.slice(next).join("\n");
    if (sections.includes(secretPlaceholder)) throw new Error("a section of odoo.conf holds a secret: secrets belong in [options]");
    return { options: `${options.join("\n")}\n`, sections, secretOptions };
}

/** The Secret's `options.conf`: the secret [options] lines (values given by the component). */
export function secretOptionsText(values: Record<string, string>): string {
    return (
        Object.entries(values)
            .map(([k, v]) => {
                if (/[\r\n]/.test(v)) throw new Error(`odoo.conf value of ${k} must not contain a line break`);
                return `${k} = ${v}`;
            })
            .join("\n") + "\n"
    );
}

/** The init container's shell: [options], the ConfigMap's options, the Secret's, then the other sections. */
export const assembleConfScript = `set -eu; { echo '[options]'; cat /config/options.conf; cat ${secretsDir}/options.conf; cat /config/sections.conf; } > ${confFile}`;

export interface OdooPodInput {
    stack: string;
    role: "http" | "cron" | "init";
    labels: Record<string, string>;
    image: string;
    /** Odoo's argument vector after the image's entrypoint (`odoo --config=… <command line>`). */
    command: pulumi.Input<pulumi.Input<string>[]>;
    resources: ContainerResources;
    configMap: pulumi.Input<string>;
    secret: pulumi.Input<string>;
    claim: pulumi.Input<string>;
    env: Input.core.v1.EnvVar[];
    /** Serve HTTP (probes on /web/health). */
    serves: boolean;
    /** Scripts ConfigMap (init Jobs): mounted at /opt/odoo-platform. */
    scripts?: pulumi.Input<string>;
    /** The container runs as root (the prepare script hands the volumes to odoo and drops to it with runuser). */
    asRoot?: boolean;
}

/** Volumes and the conf-assembling init container every Odoo pod has. */
export function odooPodSpec(input: OdooPodInput): Input.core.v1.PodSpec {
    const security = input.asRoot
        ? {
              allowPrivilegeEscalation: false,
              privileged: false,
              runAsNonRoot: false,
              runAsUser: 0,
              capabilities: { drop: ["ALL"], add: ["CHOWN", "FOWNER", "DAC_OVERRIDE", "SETUID", "SETGID"] },
          }
        : restrictedContainer;
    const mounts: Input.core.v1.VolumeMount[] = [
        { name: "conf", mountPath: confDir },
        { name: "data", mountPath: dataDir },
    ];
    if (input.scripts) mounts.push({ name: "scripts", mountPath: scriptsDir, readOnly: true });
    if (input.role === "init") mounts.push({ name: "secrets", mountPath: secretsDir, readOnly: true });
    const probe = (path: string, initialDelaySeconds: number, failureThreshold: number): Input.core.v1.Probe => ({
        httpGet: { path, port: odooHttpPort },
        initialDelaySeconds,
        periodSeconds: 10,
        timeoutSeconds: 5,
        failureThreshold,
    });
    const volumes: Input.core.v1.Volume[] = [
        { name: "conf", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
        {
            name: "config",
            configMap: {
                name: input.configMap,
                items: [
                    { key: "options.conf", path: "options.conf" },
                    { key: "sections.conf", path: "sections.conf" },
                ],
            },
        },
        { name: "secrets", secret: { secretName: input.secret, defaultMode: 0o400 } },
        { name: "data", persistentVolumeClaim: { claimName: input.claim } },
    ];
    if (input.scripts) volumes.push({ name: "scripts", configMap: { name: input.scripts, defaultMode: 0o555 } });
    return {
        securityContext: { fsGroup: odooUid, runAsNonRoot: input.asRoot ? undefined : true, seccompProfile: { type: "RuntimeDefault" } },
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        restartPolicy: input.role === "init" ? "Never" : "Always",
        terminationGracePeriodSeconds: input.role === "init" ? undefined : 60,
        initContainers: [
            {
                name: "odoo-conf",
                image: input.image,
                command: ["sh", "-c", assembleConfScript],
                securityContext: restrictedContainer,
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                volumeMounts: [
                    { name: "conf", mountPath: confDir },
                    { name: "config", mountPath: "/config", readOnly: true },
                    { name: "secrets", mountPath: secretsDir, readOnly: true },
                ],
            },
        ],
        containers: [
            {
                name: "odoo",
                image: input.image,
                command: input.command,
                env: input.env,
                ports: input.serves
                    ? [
                          { name: "http", containerPort: odooHttpPort },
                          { name: "websocket", containerPort: odooGeventPort },
                      ]
                    : undefined,
                readinessProbe: input.serves ? probe("/web/health", 10, 3) : undefined,
                livenessProbe: input.serves ? probe("/web/health", 60, 6) : undefined,
                resources: resourceRequirements(input.resources),
                securityContext: security,
                volumeMounts: mounts,
            },
        ],
        volumes,
    };
}

export interface DeploymentInput extends OdooPodInput {
    replicas: number;
    /** Pod-template annotations that roll the pods when a configuration changes (ConfigMap/Secret checksums). */
    annotations?: Record<string, pulumi.Input<string>>;
}

export function odooDeploymentSpec(input: DeploymentInput): Input.apps.v1.DeploymentSpec {
    const selector = selectorLabels(input.stack, input.role === "cron" ? "odoo-cron" : "odoo");
    return {
        replicas: input.replicas,
        selector: { matchLabels: selector },
        // The cron runner must never run twice: the old pod stops before the new one starts.
        strategy: input.role === "cron" ? { type: "Recreate" } : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        revisionHistoryLimit: 5,
        template: {
            metadata: { labels: { ...objectLabels(input.labels, selector[labelKeys.role], true), ...selector }, annotations: input.annotations },
            spec: odooPodSpec(input),
        },
    };
}

export function odooServiceSpec(stack: string): Input.core.v1.ServiceSpec {
    return {
        type: "ClusterIP",
        selector: selectorLabels(stack, "odoo"),
        ports: [
            { name: "http", port: odooHttpPort, targetPort: "http" },
            { name: "websocket", port: odooGeventPort, targetPort: "websocket" },
        ],
    };
}

export interface IngressInput {
    className: string;
    host: string;
    service: pulumi.Input<string>;
    /** cert-manager ClusterIssuer issuing the host's certificate, or none: the controller's wildcard certificate (PR hosts). */
    issuer?: string;
    /** Secret the issued certificate is stored in (with an issuer). */
    tlsSecret?: string;
    /** Keep search engines out (every non-production host). */
    noIndex: boolean;
}

export function ingressAnnotations(input: Pick<IngressInput, "issuer" | "noIndex" | "className">): Record<string, string> {
    const a: Record<string, string> = {};
    if (input.issuer) a["cert-manager.io/cluster-issuer"] = input.issuer;
    if (input.className === "nginx") {
        // Long reports and imports, and the websocket's long-lived connection (as the Traefik routes).
        a["nginx.ingress.kubernetes.io/proxy-read-timeout"] = String(routerReadTimeoutSeconds);
        a["nginx.ingress.kubernetes.io/proxy-send-timeout"] = String(routerReadTimeoutSeconds);
        a["nginx.ingress.kubernetes.io/proxy-body-size"] = "128m";
        a["nginx.ingress.kubernetes.io/ssl-redirect"] = "true";
        if (input.noIndex) a["nginx.ingress.kubernetes.io/configuration-snippet"] = 'more_set_headers "X-Robots-Tag: noindex, nofollow";';
    }
    return a;
}

/** The host's TLS: the issued certificate's Secret with an issuer, else the controller's wildcard certificate (PR hosts). */
export function ingressTls(input: Pick<IngressInput, "host" | "issuer" | "tlsSecret">): Input.networking.v1.IngressTLS[] {
    return [input.issuer ? { hosts: [input.host], secretName: input.tlsSecret } : { hosts: [input.host] }];
}

export function odooIngressSpec(input: IngressInput): Input.networking.v1.IngressSpec {
    const backend = (port: string) => ({ service: { name: input.service, port: { name: port } } });
    return {
        ingressClassName: input.className,
        tls: ingressTls(input),
        rules: [
            {
                host: input.host,
                http: {
                    paths: [
                        // Odoo 16+: the bus runs on the gevent port.
                        { path: "/websocket", pathType: "Prefix", backend: backend("websocket") },
                        { path: "/", pathType: "Prefix", backend: backend("http") },
                    ],
                },
            },
        ],
    };
}

export function odooHpaSpec(input: { deployment: pulumi.Input<string>; min: number; max: number }): Input.autoscaling.v2.HorizontalPodAutoscalerSpec {
    if (input.max < input.min) throw new Error(`odoo-platform:odooMaxReplicas (${input.max}) must be at least odoo-platform:odooReplicas (${input.min})`);
    return {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: input.deployment },
        minReplicas: input.min,
        maxReplicas: input.max,
        metrics: [
            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
            { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
        ],
        // Odoo workers warm up slowly: scale down only after 5 minutes of low load.
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    };
}

export function odooPdbSpec(stack: string): Input.policy.v1.PodDisruptionBudgetSpec {
    return { minAvailable: 1, selector: { matchLabels: selectorLabels(stack, "odoo") } };
}

export function filestoreClaimSpec(input: { storageClass: string; sizeGb: number }): Input.core.v1.PersistentVolumeClaimSpec {
    return { accessModes: ["ReadWriteMany"], storageClassName: input.storageClass, resources: { requests: { storage: `${input.sizeGb}Gi` } } };
}

export interface JobInput {
    /** Pod spec of the job (restartPolicy Never). */
    pod: Input.core.v1.PodSpec;
    labels: Record<string, string>;
    role: string;
    stack: string;
    timeoutSeconds: number;
}

/** A one-shot Job: no retry (a failed step stops the deploy), kept a day for its log. */
export function jobSpec(input: JobInput): Input.batch.v1.JobSpec {
    return {
        backoffLimit: 0,
        activeDeadlineSeconds: input.timeoutSeconds,
        ttlSecondsAfterFinished: 86400,
        template: {
            metadata: { labels: { ...objectLabels(input.labels, input.role), ...selectorLabels(input.stack, input.role) } },
            spec: { ...input.pod, restartPolicy: "Never" },
        },
    };
}

/** Pulumi's await logic for a Job waits for it to complete; a failed Job fails the deploy. */
export const jobAwaitAnnotations: Record<string, string> = { "pulumi.com/timeoutSeconds": "3600" };

/** Odoo's cron threads on Kubernetes: the cron Deployment where the stage runs crons (production), nothing anywhere else. */
export function kubernetesCronThreads(runsCrons: boolean, configured: number): number {
    return runsCrons ? configured : 0;
}
