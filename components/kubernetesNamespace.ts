/**
 * The namespace objects of a non-production stack on Kubernetes, as pure builders
 * (components/StackNamespace.ts creates them):
 *
 *   - a ResourceQuota and a LimitRange (PR namespaces) from the PR budget (prMaxCpus, prMaxMemoryMb);
 *   - a default-deny NetworkPolicy, then what may pass: DNS to kube-system, the database CIDRs on
 *     5432, the egress proxy and the mail catcher inside the namespace; the proxy alone reaches the
 *     internet (80/443, no private range); the ingress controller reaches Odoo and the Mailpit UI;
 *   - Mailpit (the only SMTP server Odoo can reach) and the squid egress proxy (components/egress.ts);
 *   - the Ingress of Mailpit's UI on the mail host the docker runtime routes (environmentNames().mailHost),
 *     behind ingress-nginx basic auth from an htpasswd Secret, as the docker runtime's Traefik route is.
 *     Annotations (auth-type, auth-secret, auth-realm) and the Secret's format (an htpasswd file under
 *     the key `auth`): https://kubernetes.github.io/ingress-nginx/examples/auth/basic
 */
import type * as Input from "@pulumi/kubernetes/types/input";
import type * as pulumi from "@pulumi/pulumi";
import { egressProxyAlias, egressProxyPort } from "./egress";
import { cpuQuantity, ingressAnnotations, ingressTls, memoryQuantity, restrictedContainer, selectorLabels } from "./kubernetesObjects";
import { htpasswdLine, mailCatcherUser, odooGeventPort, odooHttpPort } from "./routing";

export const mailpitService = "mailpit";
export const mailpitSmtpPort = 1025;
export const mailpitUiPort = 8025;
export const mailpitImage = "axllent/mailpit:v1.21";
export const squidImage = "ubuntu/squid:6.6-24.04_edge";
/** Namespace of the cluster's ingress controller (installed by the cluster stack). */
export const ingressControllerNamespace = "ingress-nginx";
/** Private and link-local ranges: the proxy never reaches them (no route into the VPC through it). */
export const privateRanges = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"];
/** Roles of the pods that run Odoo (HTTP, cron, init Job). */
export const odooPodRoles = ["odoo", "odoo-cron", "odoo-init"];

export interface QuotaInput {
    maxCpus: number;
    maxMemoryMb: number;
    storageGb: number;
}

/** The namespace's whole budget: one Odoo at the PR limit, its init Job, Mailpit and the proxy. */
export function resourceQuotaSpec(input: QuotaInput): Input.core.v1.ResourceQuotaSpec {
    const cpu = input.maxCpus * 2 + 1;
    const memory = input.maxMemoryMb * 2 + 1024;
    return {
        hard: {
            "requests.cpu": cpuQuantity(cpu),
            "limits.cpu": cpuQuantity(cpu),
            "requests.memory": memoryQuantity(memory),
            "limits.memory": memoryQuantity(memory),
            "requests.storage": `${input.storageGb}Gi`,
            persistentvolumeclaims: "2",
            pods: "10",
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        },
    };
}

/** Every container gets limits even when its spec has none; none may ask for more than the PR budget. */
export function limitRangeSpec(input: Omit<QuotaInput, "storageGb">): Input.core.v1.LimitRangeSpec {
    return {
        limits: [
            {
                type: "Container",
                default: { cpu: "500m", memory: "512Mi" },
                defaultRequest: { cpu: "50m", memory: "128Mi" },
                max: { cpu: cpuQuantity(input.maxCpus), memory: memoryQuantity(input.maxMemoryMb) },
            },
        ],
    };
}

export interface NetworkPolicyInput {
    stack: string;
    databaseCidrs: string[];
    databasePort: number;
}

const byRole = (stack: string, role: string): Input.meta.v1.LabelSelector => ({ matchLabels: selectorLabels(stack, role) });
const odooPods = (stack: string): Input.meta.v1.LabelSelector => ({
    matchLabels: { "app.kubernetes.io/instance": selectorLabels(stack, "odoo")["app.kubernetes.io/instance"] },
    matchExpressions: [{ key: "odoo-platform.role", operator: "In", values: odooPodRoles }],
});

/** The namespace's NetworkPolicies by name: default-deny first, then each allowed path. */
export function networkPolicySpecs(input: NetworkPolicyInput): Record<string, Input.networking.v1.NetworkPolicySpec> {
    if (!input.databaseCidrs.length)
        throw new Error("the namespace's NetworkPolicy needs the database CIDRs (odoo-platform:databaseCidrs): without them Odoo could not reach its database");
    const dns: Input.networking.v1.NetworkPolicyEgressRule = {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };
    const fromIngress: Input.networking.v1.NetworkPolicyPeer = {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ingressControllerNamespace } },
    };
    return {
        "default-deny": { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        "allow-dns": { podSelector: {}, policyTypes: ["Egress"], egress: [dns] },
        "odoo-egress": {
            podSelector: odooPods(input.stack),
            policyTypes: ["Egress"],
            egress: [
                { to: input.databaseCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: input.databasePort }] },
                { to: [{ podSelector: byRole(input.stack, "egress-proxy") }], ports: [{ protocol: "TCP", port: egressProxyPort }] },
                { to: [{ podSelector: byRole(input.stack, "mail-catcher") }], ports: [{ protocol: "TCP", port: mailpitSmtpPort }] },
            ],
        },
        "odoo-ingress": {
            podSelector: byRole(input.stack, "odoo"),
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [fromIngress],
                    ports: [
                        { protocol: "TCP", port: odooHttpPort },
                        { protocol: "TCP", port: odooGeventPort },
                    ],
                },
            ],
        },
        "mail-catcher-ingress": {
            podSelector: byRole(input.stack, "mail-catcher"),
            policyTypes: ["Ingress"],
            ingress: [
                { from: [{ podSelector: odooPods(input.stack) }], ports: [{ protocol: "TCP", port: mailpitSmtpPort }] },
                { from: [fromIngress], ports: [{ protocol: "TCP", port: mailpitUiPort }] },
            ],
        },
        "egress-proxy": {
            podSelector: byRole(input.stack, "egress-proxy"),
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: odooPods(input.stack) }], ports: [{ protocol: "TCP", port: egressProxyPort }] }],
            egress: [
                {
                    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } }],
                    ports: [
                        { protocol: "TCP", port: 80 },
                        { protocol: "TCP", port: 443 },
                    ],
                },
            ],
        },
    };
}

/** Proxy variables of an Odoo pod in a namespace with an egress proxy. */
export function kubernetesProxyEnv(): Record<string, string> {
    const proxy = `http://${egressProxyAlias}:${egressProxyPort}`;
    const bypass = ["localhost", "127.0.0.1", mailpitService, ".svc", ".cluster.local"].join(",");
    return { HTTP_PROXY: proxy, HTTPS_PROXY: proxy, http_proxy: proxy, https_proxy: proxy, NO_PROXY: bypass, no_proxy: bypass };
}

export interface ServicePodInput {
    stack: string;
    role: "mail-catcher" | "egress-proxy";
    labels: Record<string, string>;
}

export function mailpitDeploymentSpec(input: Omit<ServicePodInput, "role">): Input.apps.v1.DeploymentSpec {
    const selector = selectorLabels(input.stack, "mail-catcher");
    return {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
            metadata: { labels: { ...input.labels, ...selector } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "mailpit",
                        image: mailpitImage,
                        ports: [
                            { name: "smtp", containerPort: mailpitSmtpPort },
                            { name: "ui", containerPort: mailpitUiPort },
                        ],
                        env: [
                            { name: "MP_SMTP_AUTH_ACCEPT_ANY", value: "true" },
                            { name: "MP_SMTP_AUTH_ALLOW_INSECURE", value: "true" },
                            { name: "MP_MAX_MESSAGES", value: "5000" },
                        ],
                        resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                        securityContext: { ...restrictedContainer, runAsUser: 1000, runAsGroup: 1000, readOnlyRootFilesystem: true },
                        volumeMounts: [{ name: "data", mountPath: "/data" }],
                        readinessProbe: { httpGet: { path: "/livez", port: mailpitUiPort }, periodSeconds: 10 },
                    },
                ],
                volumes: [{ name: "data", emptyDir: { sizeLimit: "256Mi" } }],
            },
        },
    };
}

export function egressProxyDeploymentSpec(input: Omit<ServicePodInput, "role"> & { configMap: pulumi.Input<string> }): Input.apps.v1.DeploymentSpec {
    const selector = selectorLabels(input.stack, "egress-proxy");
    return {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
            metadata: { labels: { ...input.labels, ...selector } },
            spec: {
                automountServiceAccountToken: false,
                securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                containers: [
                    {
                        name: "squid",
                        image: squidImage,
                        ports: [{ name: "proxy", containerPort: egressProxyPort }],
                        resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
                        securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID"] } },
                        volumeMounts: [{ name: "conf", mountPath: "/etc/squid/squid.conf", subPath: "squid.conf", readOnly: true }],
                    },
                ],
                volumes: [{ name: "conf", configMap: { name: input.configMap } }],
            },
        },
    };
}

export function podServiceSpec(stack: string, role: string, ports: { name: string; port: number }[]): Input.core.v1.ServiceSpec {
    return { type: "ClusterIP", selector: selectorLabels(stack, role), ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })) };
}

/** Secret of the Mailpit UI's htpasswd entries; ingress-nginx reads them from the key `auth` (any other key: 503). */
export const mailpitAuthSecret = "mailpit-ui-auth";
export const mailpitAuthSecretKey = "auth";

/** The Secret's data: the mail catcher user's htpasswd line from the password's bcrypt hash, never the password. */
export function mailpitAuthData(bcryptHash: string): Record<string, string> {
    return { [mailpitAuthSecretKey]: `${htpasswdLine(mailCatcherUser, bcryptHash)}\n` };
}

export interface MailpitIngressInput {
    className: string;
    /** The mail host (environmentNames().mailHost). */
    host: string;
    /** cert-manager ClusterIssuer of the host's certificate, or none: the controller's wildcard certificate (PR hosts). */
    issuer?: string;
    tlsSecret?: string;
    /** Name of the htpasswd Secret (mailpitAuthSecret). */
    authSecret: string;
}

/**
 * The UI's annotations: those of Odoo's Ingress (issuer, noindex: the mail host is never indexed)
 * and basic auth. The auth annotations go on whatever the class is called: the cluster's controller
 * is ingress-nginx under the configured class name (components/clusterCharts.ts ingressNginxValues),
 * and without them the UI would show every captured mail to anyone.
 */
export function mailpitIngressAnnotations(input: Pick<MailpitIngressInput, "className" | "issuer" | "authSecret">): Record<string, string> {
    return {
        ...ingressAnnotations({ className: input.className, issuer: input.issuer, noIndex: true }),
        "nginx.ingress.kubernetes.io/auth-type": "basic",
        "nginx.ingress.kubernetes.io/auth-secret": input.authSecret,
        "nginx.ingress.kubernetes.io/auth-realm": "Mail catcher",
    };
}

/** Everything on the mail host goes to the Mailpit Service's UI port. */
export function mailpitIngressSpec(input: Omit<MailpitIngressInput, "authSecret">): Input.networking.v1.IngressSpec {
    return {
        ingressClassName: input.className,
        tls: ingressTls(input),
        rules: [
            {
                host: input.host,
                http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: mailpitService, port: { number: mailpitUiPort } } } }] },
            },
        ],
    };
}
