/**
 * Resource type tokens the policies look for, spelled as the pinned providers register them.
 * Plain strings, not the provider classes: importing @pulumi/aws only to read a token costs seconds
 * on every policy run. tests/policy/types.test.ts checks each token against the installed class.
 */

export const dockerTypes = {
    container: "docker:index/container:Container",
    network: "docker:index/network:Network",
    volume: "docker:index/volume:Volume",
    remoteImage: "docker:index/remoteImage:RemoteImage",
    image: "docker:index/image:Image",
    service: "docker:index/service:Service",
} as const;

export const s3Types = {
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    encryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    versioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    publicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    policy: ["aws:s3/bucketPolicy:BucketPolicy"],
    acl: ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"],
} as const;

export const cloudflareTypes = {
    /** `cloudflare.DnsRecord` (v6) and the deprecated `cloudflare.Record`. */
    dnsRecord: ["cloudflare:index/dnsRecord:DnsRecord", "cloudflare:index/record:Record"],
} as const;

export const githubTypes = {
    repositoryEnvironment: "github:index/repositoryEnvironment:RepositoryEnvironment",
    branchProtection: "github:index/branchProtection:BranchProtection",
    branchProtectionV3: "github:index/branchProtectionV3:BranchProtectionV3",
    repositoryRuleset: "github:index/repositoryRuleset:RepositoryRuleset",
} as const;

export const otherTypes = {
    randomPassword: "random:index/randomPassword:RandomPassword",
    postgresRole: "postgresql:index/role:Role",
    postgresProvider: "pulumi:providers:postgresql",
    localCommand: "command:local:Command",
    remoteCommand: "command:remote:Command",
} as const;

/** Our own components (type tokens `odoo-platform:<module>:<Name>`). */
export const componentTypes = {
    odooEnvironment: "odoo-platform:environment:OdooEnvironment",
    neutralizedDatabase: "odoo-platform:data:NeutralizedDatabase",
    snapshotBucket: "odoo-platform:data:SnapshotBucket",
    kubernetesEnvironment: "odoo-platform:kubernetes:KubernetesEnvironment",
} as const;

/** Kubernetes objects the policies look into (@pulumi/kubernetes 4.34 type tokens). */
export const kubernetesTypes = {
    namespace: "kubernetes:core/v1:Namespace",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    daemonSet: "kubernetes:apps/v1:DaemonSet",
    job: "kubernetes:batch/v1:Job",
    cronJob: "kubernetes:batch/v1:CronJob",
    pod: "kubernetes:core/v1:Pod",
    configMap: "kubernetes:core/v1:ConfigMap",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
} as const;

export const commandTypes: readonly string[] = [otherTypes.localCommand, otherTypes.remoteCommand];

export const isOneOf = (type: string, tokens: readonly string[]): boolean => tokens.includes(type);

/** `docker:index/container:Container` → `Container`: how messages name a resource's kind. */
export const kindOf = (type: string): string => type.split(":").pop() ?? type;
