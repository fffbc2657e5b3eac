/**
 * The `kubernetes` group: what every Kubernetes object of a stack on the Kubernetes runtime must
 * obey — the same rules the docker runtime's containers follow, in Kubernetes terms.
 *
 *   kubernetes-pod-security        no privileged container, no privilege escalation, no host network,
 *                                  PID, IPC, port or path
 *   kubernetes-container-limits    every container (init containers too) has CPU and memory limits
 *   kubernetes-images-pinned       staging/production: Odoo and data-plane images by digest
 *   kubernetes-mail-catcher-only   non-production: Odoo's SMTP server is the namespace's Mailpit
 *   kubernetes-jobs-keyed          a Job's pod template never carries the git SHA (it would re-run the Job every deploy)
 *   kubernetes-pr-namespace-isolated PR stacks: a Namespace with a ResourceQuota, a LimitRange and a default-deny NetworkPolicy
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { labelKeys } from "./platform";
import { describe, listing } from "./lib/describe";
import { asObject, metadataOf, pathIn, podContainers, podLabels, podTemplateOf } from "./lib/kubernetes";
import type { PolicyPackDefinition } from "./lib/pack";
import { resourceStage, stackStage } from "./lib/policy";
import { isDigestPinned, parseImageRef } from "./lib/docker";
import { kubernetesTypes } from "./lib/types";

/** Roles of the pods that run Odoo or the data plane (components/kubernetesObjects.ts, KubernetesRefresh.ts). */
const odooRoles = ["odoo", "odoo-cron", "odoo-init"];
const pinnedRoles = [...odooRoles, "data-step"];
/** The mail catcher's Service in every non-production namespace (components/kubernetesNamespace.ts). */
const mailCatcherHost = "mailpit";

const roleOfPod = (type: string, props: Record<string, unknown>): string | undefined => podLabels(type, props)[labelKeys.role];

export const kubernetesPodSecurity: ResourceValidationPolicy = {
    name: "kubernetes-pod-security",
    description:
        "No Kubernetes pod runs a privileged container, lets a container gain privileges, or uses the node's network, PID or IPC namespace, a host port or a host path.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        resourceStage(args);
        const template = podTemplateOf(args.type, args.props);
        if (!template) return;
        const spec = template.spec ?? {};
        for (const key of ["hostNetwork", "hostPID", "hostIPC"])
            if (spec[key] === true) report(`${describe(args)} sets ${key}: pods share nothing with the node — remove it.`);
        for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
            if (asObject(v)?.hostPath)
                report(
                    `${describe(args)} mounts the node's path ${String(pathIn(v, "hostPath", "path"))} (volume ${String(asObject(v)?.name)}): use a PersistentVolumeClaim or an emptyDir.`,
                );
        }
        for (const { kind, name, container } of podContainers(spec)) {
            const security = asObject(container.securityContext) ?? {};
            if (security.privileged === true) report(`${describe(args)} runs ${kind} ${name} privileged: remove securityContext.privileged.`);
            if (security.allowPrivilegeEscalation !== false)
                report(`${describe(args)} lets ${kind} ${name} gain privileges: set securityContext.allowPrivilegeEscalation to false.`);
            for (const port of Array.isArray(container.ports) ? container.ports : []) {
                if (asObject(port)?.hostPort !== undefined)
                    report(
                        `${describe(args)} binds ${kind} ${name} to host port ${String(asObject(port)?.hostPort)}: route through a Service and the Ingress.`,
                    );
            }
        }
    },
};

export const kubernetesContainerLimits: ResourceValidationPolicy = {
    name: "kubernetes-container-limits",
    description: "Every container of a Kubernetes pod, init containers included, has a CPU and a memory limit.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        resourceStage(args);
        const template = podTemplateOf(args.type, args.props);
        if (!template) return;
        for (const { kind, name, container } of podContainers(template.spec)) {
            const limits = asObject(pathIn(container, "resources", "limits")) ?? {};
            const missing = ["cpu", "memory"].filter((k) => limits[k] === undefined || limits[k] === "");
            if (missing.length)
                report(`${describe(args)} has no ${listing(missing)} limit on ${kind} ${name}: set resources.limits (one container must not starve the node).`);
        }
    },
};

export const kubernetesImagesPinned: ResourceValidationPolicy = {
    name: "kubernetes-images-pinned",
    description:
        "In staging and production, the pods that run Odoo or the data plane use images pinned by digest (<image>@sha256:<digest>), as the docker runtime's do.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        resourceStage(args, ["staging", "production"]);
        const template = podTemplateOf(args.type, args.props);
        const role = template ? roleOfPod(args.type, args.props) : undefined;
        if (!template || !role || !pinnedRoles.includes(role)) return;
        for (const { kind, name, container } of podContainers(template.spec)) {
            const image = container.image;
            if (typeof image !== "string" || !isDigestPinned(parseImageRef(image))) {
                report(
                    `${describe(args)} runs ${kind} ${name} from ${String(image)}, not pinned by digest: set odoo-platform:${role === "data-step" ? "opsImage" : "odooImage"} to <image>@sha256:<digest>.`,
                );
            }
        }
    },
};

export const kubernetesMailCatcherOnly: ResourceValidationPolicy = {
    name: "kubernetes-mail-catcher-only",
    description:
        "Outside production, every Kubernetes pod running Odoo sends mail only to the namespace's mail catcher (--smtp=mailpit): no route to a real SMTP relay.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        resourceStage(args, ["dev", "pr", "staging"]);
        const template = podTemplateOf(args.type, args.props);
        const role = template ? roleOfPod(args.type, args.props) : undefined;
        if (!template || !role || !odooRoles.includes(role)) return;
        for (const { kind, name, container } of podContainers(template.spec)) {
            if (kind === "initContainers") continue;
            const argv = [...(Array.isArray(container.command) ? container.command : []), ...(Array.isArray(container.args) ? container.args : [])].map(String);
            const text = argv.join(" ");
            const smtp = [...text.matchAll(/--smtp=(\S+?)['"\s]|--smtp=(\S+)$/g)].map((m) => m[1] ?? m[2]);
            if (!smtp.length)
                report(
                    `${describe(args)} runs ${kind} ${name} without --smtp=${mailCatcherHost}: outside production Odoo must name its mail catcher on the command line (odooCommandLine in components/odooConf.ts).`,
                );
            for (const host of smtp)
                if (host !== mailCatcherHost)
                    report(
                        `${describe(args)} points ${kind} ${name} at SMTP server ${host}: outside production the only SMTP server is the namespace's ${mailCatcherHost}.`,
                    );
            if (/--smtp-user=/.test(text)) report(`${describe(args)} gives ${kind} ${name} an SMTP user: the mail catcher needs none, a real relay does.`);
        }
    },
};

export const kubernetesJobsKeyed: ResourceValidationPolicy = {
    name: "kubernetes-jobs-keyed",
    description:
        "A Job's pod template carries no git-SHA label: the template is immutable, so a label that changes with every commit would replace and re-run the Job (a staging refresh) on every deploy.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        resourceStage(args);
        if (args.type !== kubernetesTypes.job && args.type !== kubernetesTypes.cronJob) return;
        const labels = podLabels(args.type, args.props);
        if (labels[labelKeys.gitSha] !== undefined) {
            report(
                `${describe(args)} carries ${labelKeys.gitSha} in its pod template: every commit would replace the Job and run it again — label it with stableLabels() (config/naming.ts).`,
            );
        }
    },
};

export const kubernetesPrNamespaceIsolated: StackValidationPolicy = {
    name: "kubernetes-pr-namespace-isolated",
    description:
        "A PR stack on Kubernetes creates its Namespace with a ResourceQuota, a LimitRange and a default-deny NetworkPolicy (every ingress and egress denied unless another policy allows it).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const { stack } = stackStage(args, ["pr"]);
        const k8s = args.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm"));
        if (!k8s.length) return;
        const namespaces = k8s.filter((r) => r.type === kubernetesTypes.namespace);
        if (namespaces.length !== 1) {
            report(
                `stack ${stack} creates ${namespaces.length} Namespaces: a PR stack on Kubernetes creates exactly one, its own (${stack}), so \`pr down\` deletes everything with it.`,
            );
            return;
        }
        const name = String(metadataOf(namespaces[0].props).name);
        const inNamespace = (type: string) => k8s.filter((r) => r.type === type && String(metadataOf(r.props).namespace) === name);
        const denyAll = inNamespace(kubernetesTypes.networkPolicy).some((p) => {
            const spec = asObject(p.props.spec) ?? {};
            const selector = asObject(spec.podSelector) ?? {};
            const selectsAll = Object.keys(selector).every((k) =>
                Array.isArray(selector[k]) ? (selector[k] as unknown[]).length === 0 : Object.keys(asObject(selector[k]) ?? {}).length === 0,
            );
            const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
            const empty = (k: string) => !Array.isArray(spec[k]) || (spec[k] as unknown[]).length === 0;
            return selectsAll && types.includes("Ingress") && types.includes("Egress") && empty("ingress") && empty("egress");
        });
        const missing: string[] = [];
        if (!inNamespace(kubernetesTypes.resourceQuota).length) missing.push("a ResourceQuota");
        if (!inNamespace(kubernetesTypes.limitRange).length) missing.push("a LimitRange");
        if (!denyAll) missing.push("a default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)");
        if (missing.length)
            report(`namespace ${name} of stack ${stack} lacks ${listing(missing)}: components/StackNamespace.ts creates them for every PR namespace.`);
    },
};

export const kubernetesPack: PolicyPackDefinition = {
    name: "kubernetes",
    description:
        "Kubernetes objects: pod security, limits, pinned images, mail only to the catcher, Jobs keyed on what should re-run them, isolated PR namespaces.",
    enforcementLevel: "mandatory",
    policies: [
        kubernetesPodSecurity,
        kubernetesContainerLimits,
        kubernetesImagesPinned,
        kubernetesMailCatcherOnly,
        kubernetesJobsKeyed,
        kubernetesPrNamespaceIsolated,
    ],
};
