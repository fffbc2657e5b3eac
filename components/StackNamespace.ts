/**
 * The namespace a stack runs in on Kubernetes (components/kubernetesNamespace.ts builds its
 * objects): created by the stack, so `pr down` (the stack's destroy) deletes it with everything in
 * it. PR namespaces get their quota and limit range; every non-production namespace its
 * default-deny NetworkPolicy with the allowed paths, Mailpit (its UI on the mail host, behind basic
 * auth) and the egress proxy.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { isDnsLabel, isDnsName } from "../config/naming";
import { egressProxyAlias, egressProxyPort, isEgressHost, squidConfig } from "./egress";
import { filestoreClaimSpec, objectLabels } from "./kubernetesObjects";
import {
    egressProxyDeploymentSpec,
    limitRangeSpec,
    mailpitAuthData,
    mailpitAuthSecret,
    mailpitDeploymentSpec,
    mailpitIngressAnnotations,
    mailpitIngressSpec,
    mailpitService,
    mailpitSmtpPort,
    mailpitUiPort,
    networkPolicySpecs,
    podServiceSpec,
    resourceQuotaSpec,
} from "./kubernetesNamespace";
import type { DataRetention } from "./retention";
import { mailCatcherPasswordArgs } from "./routing";

export interface StackNamespaceArgs {
    /**
     * What the stage decides about its namespace (config/stageProfile.ts): a budgeted one (a PR's)
     * must have its quota and its isolation; one that is not isolated (production's) sends real
     * mail and has no egress proxy, so it gets neither.
     */
    decisions: { budgeted: boolean; isolated: boolean };
    namespace: string;
    labels: Record<string, string>;
    /** The PR budget: the quota and the largest container (decisions.budgeted). */
    budget?: { maxCpus: number; maxMemoryMb: number; storageGb: number };
    /** An isolated namespace's NetworkPolicies (database CIDRs and port) and egress allow-list. */
    isolation?: { databaseCidrs: string[]; databasePort: number; egressAllowlist: string[] };
    /**
     * The Mailpit UI's Ingress (isolation): the mail host the docker runtime routes (environmentNames().mailHost)
     * with Odoo's ingress class and issuer; no issuer: the controller's wildcard certificate (PR hosts).
     */
    mailUi?: { host: string; className: string; issuer?: string; tlsSecret?: string };
    /** The ReadWriteMany claim of the filestore and sessions, kept by the stage's retention. */
    filestore: { storageClass: string; sizeGb: number };
    retention?: DataRetention;
}

/** Name of the filestore claim in every namespace: fixed, so the data-plane Jobs and `pr down` find it. */
export const filestoreClaimName = "odoo-filestore";

export class StackNamespace extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    public readonly claimName: pulumi.Output<string>;
    /** Host:port of the namespace's mail catcher (non-production). */
    public readonly mailCatcher?: { host: string; port: number };
    /** URL of the Mailpit UI and its basic-auth password (user routing.ts mailCatcherUser; secret). */
    public readonly mailCatcherUrl?: pulumi.Output<string>;
    public readonly mailCatcherPassword?: pulumi.Output<string>;

    constructor(name: string, args: StackNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        validateStackNamespaceArgs(args);
        super("odoo-platform:kubernetes:StackNamespace", name, {}, opts);
        const stack = args.labels["odoo-platform.stack"];
        const ns = new k8s.core.v1.Namespace(
            `${name}`,
            { metadata: { name: args.namespace, labels: objectLabels(args.labels, "namespace") } },
            { parent: this, ...args.retention },
        );
        const child = { parent: this, dependsOn: [ns] };
        const meta = (role: string, objectName?: string) => ({ name: objectName, namespace: ns.metadata.name, labels: objectLabels(args.labels, role) });
        if (args.budget) {
            new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: meta("namespace"), spec: resourceQuotaSpec(args.budget) }, child);
            new k8s.core.v1.LimitRange(`${name}-limits`, { metadata: meta("namespace"), spec: limitRangeSpec(args.budget) }, child);
        }
        if (args.isolation) {
            for (const [policy, spec] of Object.entries(
                networkPolicySpecs({ stack, databaseCidrs: args.isolation.databaseCidrs, databasePort: args.isolation.databasePort }),
            )) {
                new k8s.networking.v1.NetworkPolicy(`${name}-${policy}`, { metadata: meta("namespace", policy), spec }, child);
            }
            const podLabels = (role: string) => objectLabels(args.labels, role);
            new k8s.apps.v1.Deployment(
                `${name}-mailpit`,
                { metadata: meta("mail-catcher"), spec: mailpitDeploymentSpec({ stack, labels: podLabels("mail-catcher") }) },
                child,
            );
            const mailpit = new k8s.core.v1.Service(
                `${name}-mailpit`,
                {
                    metadata: meta("mail-catcher", mailpitService),
                    spec: podServiceSpec(stack, "mail-catcher", [
                        { name: "smtp", port: mailpitSmtpPort },
                        { name: "ui", port: mailpitUiPort },
                    ]),
                },
                child,
            );
            const squid = new k8s.core.v1.ConfigMap(
                `${name}-egress-proxy`,
                { metadata: meta("egress-proxy"), data: { "squid.conf": squidConfig(args.isolation.egressAllowlist) } },
                child,
            );
            new k8s.apps.v1.Deployment(
                `${name}-egress-proxy`,
                {
                    metadata: meta("egress-proxy"),
                    spec: egressProxyDeploymentSpec({ stack, labels: podLabels("egress-proxy"), configMap: squid.metadata.name }),
                },
                child,
            );
            new k8s.core.v1.Service(
                `${name}-egress-proxy`,
                { metadata: meta("egress-proxy", egressProxyAlias), spec: podServiceSpec(stack, "egress-proxy", [{ name: "proxy", port: egressProxyPort }]) },
                child,
            );
            // The UI shows every captured mail: routed only behind basic auth, the password's bcrypt
            // hash in a Secret (the password itself is a secret output, never an annotation).
            const ui = args.mailUi!;
            const uiPassword = new random.RandomPassword(`${name}-mail-ui-password`, { ...mailCatcherPasswordArgs }, { parent: this });
            const auth = new k8s.core.v1.Secret(
                `${name}-mail-ui-auth`,
                {
                    metadata: meta("mail-catcher", mailpitAuthSecret),
                    type: "Opaque",
                    stringData: pulumi.secret(uiPassword.bcryptHash.apply(mailpitAuthData)),
                },
                child,
            );
            new k8s.networking.v1.Ingress(
                `${name}-mail-ui`,
                {
                    metadata: {
                        ...meta("mail-catcher"),
                        annotations: auth.metadata.name.apply((authSecret) => mailpitIngressAnnotations({ ...ui, authSecret })),
                    },
                    spec: mailpitIngressSpec(ui),
                },
                { ...child, dependsOn: [ns, auth, mailpit] },
            );
            this.mailCatcher = { host: mailpitService, port: mailpitSmtpPort };
            this.mailCatcherUrl = pulumi.output(`https://${ui.host}`);
            this.mailCatcherPassword = pulumi.secret(uiPassword.result);
        }
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-filestore`,
            {
                metadata: meta("odoo", filestoreClaimName),
                spec: filestoreClaimSpec(args.filestore),
            },
            { ...child, ...args.retention },
        );
        this.claimName = claim.metadata.name;
        this.name = ns.metadata.name;
        this.registerOutputs({ name: this.name, claimName: this.claimName, mailCatcherUrl: this.mailCatcherUrl });
    }
}

/**
 * Refuses args the cluster would refuse half-way (a namespace name it does not accept, a quota
 * without its policies, an egress proxy whose configuration squid rejects):
 * `StackNamespaceArgs.<field>: <why>; fix: <how>`. Pure; runs before anything is registered.
 */
export function validateStackNamespaceArgs(args: StackNamespaceArgs): void {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`StackNamespaceArgs.${field}: ${why}; fix: ${fix}`);
    };
    if (!args.decisions) fail("decisions", "is required", "pass the stage profile's decisions (config/stageProfile.ts)");
    // A namespace name is a lower-case DNS label (RFC 1123).
    if (!(isDnsLabel(args.namespace ?? "") && args.namespace === args.namespace.toLowerCase()))
        fail("namespace", `must be a Kubernetes namespace name, got "${args.namespace}"`, "set odoo-platform:kubernetesNamespace to a DNS label (a-z, 0-9, -)");
    if (!args.labels?.["odoo-platform.stack"]) fail("labels", "must carry the stack label odoo-platform.stack", "pass the stack's resourceLabels()");
    if (args.decisions.budgeted && (!args.budget || !args.isolation))
        fail(
            args.budget ? "isolation" : "budget",
            "is required for a budgeted (PR) namespace (quota, limit range and NetworkPolicy)",
            "pass the PR budget and isolation the program derives",
        );
    if (!args.decisions.isolated && args.isolation)
        fail("isolation", "is for isolated (non-production) namespaces: production sends real mail and has no egress proxy", "leave it unset");
    if (args.budget) {
        for (const field of ["maxCpus", "maxMemoryMb", "storageGb"] as const) {
            if (!(args.budget[field] > 0))
                fail(`budget.${field}`, `must be greater than 0, got ${args.budget[field]}`, "set the odoo-platform:pr* budget keys");
        }
    }
    if (args.isolation) {
        const port = args.isolation.databasePort;
        if (!(Number.isInteger(port) && port > 0 && port < 65536))
            fail("isolation.databasePort", `must be a TCP port, got ${port}`, "set odoo-platform:dbPort");
        if (!args.isolation.databaseCidrs?.length)
            fail("isolation.databaseCidrs", "must name where the database is (the only egress besides DNS and the proxy)", "set odoo-platform:databaseCidrs");
        const bad = args.isolation.egressAllowlist.filter((host) => !isEgressHost(host));
        if (bad.length)
            fail(
                "isolation.egressAllowlist",
                `entries must be host names (no scheme, port, path or wildcard), got ${bad.map((h) => `"${h}"`).join(", ")}`,
                "fix odoo-platform:egressAllowlist",
            );
    }
    if (args.isolation) {
        const ui = args.mailUi;
        if (!ui) fail("mailUi", "is required with isolation: Mailpit's UI needs its Ingress", "pass the stack's mailHost and its ingress class");
        else {
            if (!isDnsName(ui.host ?? "")) fail("mailUi.host", `must be a DNS name, got "${ui.host}"`, "pass environmentNames().mailHost (config/naming.ts)");
            if (!ui.className) fail("mailUi.className", "is required", "set odoo-platform:ingressClass");
            if (ui.issuer && !ui.tlsSecret)
                fail(
                    "mailUi.tlsSecret",
                    "is required with an issuer (cert-manager stores the certificate there)",
                    "pass a Secret name for the mail host's certificate",
                );
        }
    }
    if (!args.filestore?.storageClass) fail("filestore.storageClass", "is required (a ReadWriteMany class)", "set odoo-platform:storageClass");
    if (!(Number.isInteger(args.filestore.sizeGb) && args.filestore.sizeGb > 0))
        fail("filestore.sizeGb", `must be a whole number of GiB above 0, got ${args.filestore.sizeGb}`, "set odoo-platform:filestoreGb");
}
