/**
 * How each resource type carries the stage/stack/git-SHA labels — Docker labels, AWS tags — or why
 * it cannot. Rules are data: the first matching row decides; a type no row matches is reported by
 * the `resource-labels` policy so that nobody adds an unlabelled kind of resource by accident.
 */
import { labelKeys } from "../platform";
import { labelMap } from "./docker";

export type LabelCarrier = { kind: "docker-labels" } | { kind: "aws-tags" } | { kind: "kubernetes-labels" } | { kind: "exempt"; reason: string };

export interface LabelRule {
    /** A type token, a prefix ending in `:` or `/`, or a pattern. */
    match: string | RegExp;
    carrier: LabelCarrier;
}

const exempt = (reason: string): LabelCarrier => ({ kind: "exempt", reason });
const dockerLabels: LabelCarrier = { kind: "docker-labels" };
const awsTags: LabelCarrier = { kind: "aws-tags" };
const kubernetesLabels: LabelCarrier = { kind: "kubernetes-labels" };

export const labelRules: readonly LabelRule[] = [
    { match: "pulumi:providers:", carrier: exempt("a provider is configuration of the deployment, not a deployed object") },
    { match: "pulumi:pulumi:", carrier: exempt("the stack itself and stack references are not deployed objects") },
    { match: "odoo-platform:", carrier: exempt("our components are groupings; the objects inside them carry the labels") },
    { match: "random:", carrier: exempt("generated values (passwords, ids) live only in Pulumi state") },
    { match: "command:", carrier: exempt("commands are actions, not objects") },
    { match: "postgresql:", carrier: exempt("PostgreSQL roles, databases, grants and schemas have no labels") },
    { match: "github:", carrier: exempt("GitHub repository settings have no labels") },
    { match: "cloudflare:", carrier: exempt("Cloudflare record tags need a paid plan; each record is named after its stack's own host") },
    { match: "tls:", carrier: exempt("keys and certificates live only in Pulumi state") },
    { match: "time:", carrier: exempt("time resources live only in Pulumi state") },
    {
        match: "docker:index/remoteImage:RemoteImage",
        carrier: exempt("an image pull is not a Docker object with labels; the image's labels come from its build"),
    },
    { match: "docker:index/image:Image", carrier: exempt("a built image is tagged with the git SHA instead") },
    { match: "docker:index/tag:Tag", carrier: exempt("an image tag is a name, not an object") },
    { match: "docker:index/registryImage:RegistryImage", carrier: exempt("a pushed image lives in the registry, not on the Docker host") },
    { match: "docker:", carrier: dockerLabels },
    { match: "aws:s3/bucket:Bucket", carrier: awsTags },
    { match: "aws:s3/bucketV2:BucketV2", carrier: awsTags },
    { match: "aws:s3/bucketObject:BucketObject", carrier: awsTags },
    { match: "aws:s3/bucketObjectv2:BucketObjectv2", carrier: awsTags },
    // BucketVersioning, BucketPolicy, BucketPublicAccessBlock, BucketLifecycleConfiguration, …
    { match: /^aws:s3\/bucket[A-Z][A-Za-z0-9]*:/, carrier: exempt("S3 bucket configuration resources cannot be tagged; the bucket itself carries the tags") },
    { match: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", carrier: exempt("account-wide settings cannot be tagged") },
    {
        match: /^aws:iam\/(rolePolicyAttachment|userPolicyAttachment|groupPolicyAttachment|policyAttachment|rolePolicy|userPolicy|groupPolicy|accessKey|userLoginProfile):/,
        carrier: exempt("IAM attachments, inline policies and access keys cannot be tagged; the role, user or policy they belong to carries the tags"),
    },
    { match: "aws:", carrier: awsTags },
    // metadata.labels of every Kubernetes object (Helm releases label what their charts create, not themselves).
    { match: /^kubernetes:helm\.sh\//, carrier: exempt("a Helm release is a record of what a chart installed; the chart's objects carry its labels") },
    { match: "kubernetes:", carrier: kubernetesLabels },
];

export function labelCarrier(type: string, rules: readonly LabelRule[] = labelRules): LabelCarrier | undefined {
    for (const rule of rules) {
        if (typeof rule.match === "string" ? (/[:/]$/.test(rule.match) ? type.startsWith(rule.match) : type === rule.match) : rule.match.test(type)) {
            return rule.carrier;
        }
    }
    return undefined;
}

const asObject = (v: unknown): Record<string, unknown> | undefined => {
    if (typeof v === "string") {
        try {
            v = JSON.parse(v);
        } catch {
            return undefined;
        }
    }
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
};

/** Tags an AWS resource ends up with: the provider's `defaultTags`, then `tagsAll`, then its own `tags`. */
export function awsTagMap(props: Record<string, unknown>, providerProps?: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    const add = (source: unknown) => {
        for (const [k, v] of Object.entries(asObject(source) ?? {})) if (typeof v === "string") out[k] = v;
    };
    // Provider inputs reach the engine JSON-encoded; accept both shapes.
    add(asObject(providerProps?.defaultTags)?.tags);
    add(props.tagsAll);
    add(props.tags);
    return out;
}

/** The labels a resource carries, or undefined when its type carries none. */
export function labelsOf(type: string, props: Record<string, unknown>, providerProps?: Record<string, unknown>): Record<string, string> | undefined {
    const carrier = labelCarrier(type);
    if (carrier?.kind === "docker-labels") return labelMap(props);
    if (carrier?.kind === "aws-tags") return awsTagMap(props, providerProps);
    if (carrier?.kind === "kubernetes-labels") {
        const metadata = asObject(props.metadata);
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(asObject(metadata?.labels) ?? {})) if (typeof v === "string") out[k] = v;
        return out;
    }
    return undefined;
}

/** The labels every labelled resource of a stack must carry (the git SHA only what runs the commit: resource-labels). */
export const requiredLabelKeys = [labelKeys.stage, labelKeys.stack] as const;
