/**
 * What the pinned providers really do on a second deploy, read from their source (mocks never diff
 * anything): which plugin each package asks the engine for, and for every resource type the program
 * uses, which input changes force a replacement, which the provider applies in place, and whether the
 * provider deletes the old object first. tests/plan/secondDeploy.test.ts diffs two plans through
 * this table; docs/architecture/STACKS.md explains where each row comes from.
 *
 * Sources, as read for this table (the snapshot a row cites is the closest one that could be read;
 * where the installed package is newer than every snapshot, the row says so):
 *   docker      @pulumi/docker 5.2.0 → pulumi-docker 237b789 (after v5.1.0) pins upstream 5074970 =
 *               kreuzwerker/terraform-provider-docker v4.5.0; 5.2.0 itself (2026-09-03) is newer than
 *               both snapshots. The ForceNew flags of the properties below are identical in v4.3.0,
 *               v4.4.0, v4.5.0 and the upstream HEAD 83c00e0 (2026-07-22).
 *   cloudflare  @pulumi/cloudflare 6.22.1 → pulumi-cloudflare v6.17.0 snapshot pins upstream b2277b8 =
 *               cloudflare/terraform-provider-cloudflare v5.19.1; dns_record's plan modifiers are the
 *               same at v5.22.0 (the newest tag read).
 *   postgresql  @pulumi/postgresql 3.18.1 → pulumi-postgresql 346d9a0 (v3.18.0+9) pins upstream
 *               ff936b9 = cyrilgdn/terraform-provider-postgresql v1.26.0+3.
 *   github      @pulumi/github 6.15.0 → pulumi-github e46c2bb (v6.15.0) pins upstream 20728bb =
 *               integrations/terraform-provider-github v6.13.0.
 *   random      @pulumi/random 4.21.2 → pulumi-random f64d872 (v4.21.1); the resource is
 *               hashicorp/terraform-provider-random internal/provider/resource_password.go (ad788e2).
 *   command     @pulumi/command 1.2.1 → pulumi/pulumi-command v1.2.1 (a native provider).
 *   aws         @pulumi/aws 7.48.0 → hashicorp/terraform-provider-aws v6.x: the repository is too large
 *               to fetch here; its rows are read through the code search of hashicorp/terraform-provider-aws
 *               (internal/service/iam/policy.go, website/docs/r/s3_bucket*.html.markdown "Forces new resource").
 */

/** A provider package and the plugin its resources ask the engine for. */
export interface ProviderPlugin {
    /** npm package. */
    package: string;
    /** Plugin name the engine loads (`pulumi-resource-<name>`). */
    plugin: string;
    /** The version its resources request: must be a released plugin. */
    version: string;
    /** Releases of the plugin this version was checked against. */
    releases: string;
}

export const providerPlugins: readonly ProviderPlugin[] = [
    {
        package: "@pulumi/docker",
        plugin: "docker",
        version: "5.2.0",
        releases: "npm @pulumi/docker 5.2.0 (2026-09-03), released after pulumi/pulumi-docker tag v5.1.0",
    },
    {
        package: "@pulumi/cloudflare",
        plugin: "cloudflare",
        version: "6.22.1",
        releases: "npm @pulumi/cloudflare 6.22.1; pulumi/pulumi-cloudflare tags up to v6.17.0 in the snapshot read",
    },
    { package: "@pulumi/aws", plugin: "aws", version: "7.48.0", releases: "npm @pulumi/aws 7.48.0" },
    {
        package: "@pulumi/postgresql",
        plugin: "postgresql",
        version: "3.18.1",
        releases: "npm @pulumi/postgresql 3.18.1; pulumi/pulumi-postgresql tags up to v3.18.0 in the snapshot read",
    },
    { package: "@pulumi/github", plugin: "github", version: "6.15.0", releases: "pulumi/pulumi-github tag v6.15.0" },
    {
        package: "@pulumi/random",
        plugin: "random",
        version: "4.21.2",
        releases: "npm @pulumi/random 4.21.2; pulumi/pulumi-random tags up to v4.21.1 in the snapshot read",
    },
    // npm also carries a deprecated @pulumi/command 4.5.0 whose resources ask for plugin v4.5.0, which
    // was never released: pulumi/pulumi-command's tags end at v1.2.1 (npm dist-tag latest = 1.2.1).
    { package: "@pulumi/command", plugin: "command", version: "1.2.1", releases: "pulumi/pulumi-command tags v0.0.1 … v1.2.1 (latest)" },
    {
        package: "@pulumi/kubernetes",
        plugin: "kubernetes",
        version: "4.34.2",
        releases: "npm @pulumi/kubernetes 4.34.2 (dist-tag latest; engines node 20 || >=22, @pulumi/pulumi ^3.142)",
    },
];

/** One row of the table: how the provider treats a change of a resource of one type. */
export interface ReplacementRule {
    /** Input properties whose change makes the provider replace the resource ("*": any input). */
    replaceOn: readonly string[] | "*";
    /** Input properties the provider changes in place. */
    inPlace: readonly string[];
    /** The provider itself asks the engine to delete the old object before creating the new one. */
    deleteBeforeReplace?: boolean;
    /** The object holds data a deploy must never destroy (the second-deploy harness refuses its replacement or deletion). */
    holdsData?: boolean;
    /** Input naming the object where it must be unique (two objects with the same value cannot coexist). */
    uniqueName?: string;
    /**
     * Paths inside an input (`spec.selector`, `spec.template`) whose change forces the replacement,
     * for providers that diff nested fields (pulumi-kubernetes' forceNew table). A changed input
     * with none of its listed paths changed is in place only if `inPlace` names it.
     */
    replaceOnPaths?: readonly string[];
    /** The provider deletes the old object first when the object has a fixed name (`metadata.name` set). */
    deleteBeforeReplaceWhenNamed?: boolean;
    /** Where the row comes from: provider version, file, fields. */
    source: string;
}

const kw = "kreuzwerker/terraform-provider-docker v4.5.0 internal/provider";
const pg = "cyrilgdn/terraform-provider-postgresql v1.26.0+3 (ff936b9) postgresql";
const gh = "integrations/terraform-provider-github v6.13.0 (20728bb) github";
const awsDocs = "hashicorp/terraform-provider-aws website/docs/r";

/**
 * Every resource type the program creates, keyed by its type token, with its replacement semantics.
 * A new resource type is one more row (the harness refuses a type or a changed property it lacks).
 */
export const replacementRules: Readonly<Record<string, ReplacementRule>> = {
    "docker:index/container:Container": {
        replaceOn: [
            "name",
            "image",
            "hostname",
            "domainname",
            "command",
            "entrypoints",
            "user",
            "dns",
            "dnsOpts",
            "dnsSearches",
            "publishAllPorts",
            "workingDir",
            "capabilities",
            "securityOpts",
            "runtime",
            "platform",
            "stopSignal",
            "stopTimeout",
            "mounts",
            "volumes",
            "ports",
            "hosts",
            "ulimits",
            "envs",
            "privileged",
            "devices",
            "deviceRequests",
            "labels",
            "shmSize",
            "logDriver",
            "logOpts",
            "networkMode",
            "networksAdvanced",
            "pidMode",
            "usernsMode",
            "uploads",
            "sysctls",
            "ipcMode",
            "groupAdds",
            "tty",
            "stdinOpen",
            "storageOpts",
            "gpus",
            "cpus",
            "cgroupnsMode",
            "cgroupParent",
            "readOnly",
        ],
        inPlace: [
            "restart",
            "maxRetryCount",
            "memory",
            "memoryReservation",
            "memorySwap",
            "cpuShares",
            "cpuSet",
            "cpuPeriod",
            "cpuQuota",
            "healthcheck",
            "attach",
            "logs",
            "mustRun",
            "wait",
            "waitTimeout",
            "start",
            "rm",
            "destroyGraceSeconds",
            "removeVolumes",
            "containerReadRefreshTimeoutMilliseconds",
            "init",
            "tmpfs",
        ],
        // pulumi-docker provider/resources.go:114 (docker_container: DeleteBeforeReplace: true).
        deleteBeforeReplace: true,
        uniqueName: "name",
        source:
            `${kw}/resource_docker_container.go: ForceNew on name (L50), image (L141), command (L163), entrypoint (L172), user (L181), ` +
            `capabilities (L262), security_opts (L291), stop_timeout (L321), volumes (L434), ports (L487), host (L537), env (L590), ` +
            `labels (L833), shm_size (L863), networks_advanced (L909), pid_mode (L974), upload (L987), cpus (L1158); memory (L842), ` +
            `restart (L230) and healthcheck (L1045) are not ForceNew (resourceDockerContainerUpdate); ` +
            `pulumi-docker 237b789 provider/resources.go:114 sets DeleteBeforeReplace for docker_container`,
    },
    "docker:index/network:Network": {
        replaceOn: "*",
        inPlace: [],
        uniqueName: "name",
        source: `${kw}/resource_docker_network.go: no Update function; ForceNew on name (L25), labels (L32), driver (L40), options (L48), internal (L56), attachable (L64), ipam_config (L99)`,
    },
    "docker:index/volume:Volume": {
        holdsData: true,
        replaceOn: ["name", "labels", "driver", "driverOpts"],
        inPlace: ["cluster"],
        uniqueName: "name",
        source: `${kw}/resource_docker_volume.go: ForceNew on name (L41), labels (L48), driver (L55), driver_opts (L62)`,
    },
    "docker:index/remoteImage:RemoteImage": {
        replaceOn: ["name", "pullTriggers", "triggers", "platform"],
        inPlace: ["keepLocally", "forceRemove", "build"],
        source: `${kw}/resource_docker_image.go (docker_image, RemoteImage in Pulumi): ForceNew on name (L36), pull_triggers (L61), triggers (L84), platform (L90)`,
    },
    "docker:index/image:Image": {
        replaceOn: [],
        inPlace: ["imageName", "build", "skipPush", "buildOnPreview", "registry"],
        source: "pulumi-docker 237b789 provider/provider.go:271 Diff: a native resource that never asks for a replacement (every change rebuilds in place)",
    },
    "cloudflare:index/dnsRecord:DnsRecord": {
        holdsData: true,
        replaceOn: ["zoneId", "type"],
        inPlace: ["name", "content", "proxied", "ttl", "comment", "priority", "data", "settings", "tags"],
        source: "cloudflare/terraform-provider-cloudflare v5.19.1 internal/services/dns_record/schema.go: RequiresReplace on zone_id (L47) and type (L98) only",
    },
    "postgresql:index/role:Role": {
        holdsData: true,
        replaceOn: [],
        inPlace: [
            "name",
            "login",
            "password",
            "connectionLimit",
            "createDatabase",
            "createRole",
            "superuser",
            "statementTimeout",
            "inherit",
            "replication",
            "bypassRowLevelSecurity",
            "validUntil",
            "roles",
            "searchPaths",
            "encryptedPassword",
            "skipDropRole",
            "skipReassignOwned",
            "idleInTransactionSessionTimeout",
            "assumeRole",
        ],
        uniqueName: "name",
        source: `${pg}/resource_postgresql_role.go: no ForceNew attribute (the name is renamed in place, resourcePostgreSQLRoleUpdate)`,
    },
    "postgresql:index/database:Database": {
        holdsData: true,
        replaceOn: ["template", "encoding", "lcCollate", "lcCtype"],
        inPlace: ["name", "owner", "tablespaceName", "connectionLimit", "allowConnections", "isTemplate", "alterObjectOwnership"],
        uniqueName: "name",
        source: `${pg}/resource_postgresql_database.go: ForceNew on template (L56), encoding (L64), lc_collate (L71), lc_ctype (L78); name and owner are altered in place`,
    },
    "postgresql:index/schema:Schema": {
        holdsData: true,
        replaceOn: ["database"],
        inPlace: ["name", "owner", "ifNotExists", "dropCascade", "policies"],
        uniqueName: "name",
        source: `${pg}/resource_postgresql_schema.go: ForceNew on database (L49) only`,
    },
    "postgresql:index/grant:Grant": {
        replaceOn: ["role", "database", "schema", "objectType", "objects", "columns", "withGrantOption"],
        inPlace: ["privileges"],
        // pulumi-postgresql 346d9a0 provider/resources.go:98 (postgresql_grant: DeleteBeforeReplace: true).
        deleteBeforeReplace: true,
        source: `${pg}/resource_postgresql_grant.go: ForceNew on role (L48), database (L54), schema (L60), object_type (L66), objects (L73), columns (L81), with_grant_option (L96); pulumi-postgresql provider/resources.go:98 DeleteBeforeReplace`,
    },
    "aws:s3/bucket:Bucket": {
        holdsData: true,
        replaceOn: ["bucket", "bucketPrefix", "objectLockEnabled"],
        inPlace: ["forceDestroy", "tags"],
        uniqueName: "bucket",
        source: `${awsDocs}/s3_bucket.html.markdown: bucket, bucket_prefix and object_lock_enabled "Forces new resource"; tags and force_destroy are updated in place`,
    },
    ...Object.fromEntries(
        (
            [
                ["bucketOwnershipControls:BucketOwnershipControls", "s3_bucket_ownership_controls"],
                ["bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "s3_bucket_server_side_encryption_configuration"],
                ["bucketVersioning:BucketVersioning", "s3_bucket_versioning"],
                ["bucketPublicAccessBlock:BucketPublicAccessBlock", "s3_bucket_public_access_block"],
                ["bucketPolicy:BucketPolicy", "s3_bucket_policy"],
                ["bucketLifecycleConfiguration:BucketLifecycleConfiguration", "s3_bucket_lifecycle_configuration"],
            ] as const
        ).map(([token, doc]): [string, ReplacementRule] => [
            `aws:s3/${token}`,
            {
                replaceOn: ["bucket", "expectedBucketOwner"],
                inPlace: [
                    "rule",
                    "rules",
                    "versioningConfiguration",
                    "mfa",
                    "blockPublicAcls",
                    "blockPublicPolicy",
                    "ignorePublicAcls",
                    "restrictPublicBuckets",
                    "policy",
                    "transitionDefaultMinimumObjectSize",
                ],
                source: `${awsDocs}/${doc}.html.markdown: bucket (and expected_bucket_owner) "Forces new resource"; the configuration itself is updated in place`,
            },
        ]),
    ),
    "aws:iam/policy:Policy": {
        replaceOn: ["name", "namePrefix", "path", "description"],
        inPlace: ["policy", "tags"],
        source: "hashicorp/terraform-provider-aws internal/service/iam/policy.go (code search, commit 01ccd9a): ForceNew on description, name, name_prefix, path; policy and tags are updated in place",
    },
    "github:index/repositoryEnvironment:RepositoryEnvironment": {
        replaceOn: ["environment"],
        inPlace: ["repository", "canAdminsBypass", "deploymentBranchPolicy", "preventSelfReview", "reviewers", "waitTimer"],
        source: `${gh}/resource_github_repository_environment.go: ForceNew on environment (L43)`,
    },
    "github:index/repositoryEnvironmentDeploymentPolicy:RepositoryEnvironmentDeploymentPolicy": {
        replaceOn: ["environment"],
        inPlace: ["repository", "branchPattern", "tagPattern"],
        source: `${gh}/resource_github_repository_environment_deployment_policy.go: ForceNew on environment (L45); branch_pattern/tag_pattern are ForceNew only when both change (CustomizeDiff L91-94)`,
    },
    "github:index/branchProtection:BranchProtection": {
        replaceOn: ["repositoryId"],
        inPlace: [
            "pattern",
            "enforceAdmins",
            "allowsDeletions",
            "allowsForcePushes",
            "requireConversationResolution",
            "requiredLinearHistory",
            "requireSignedCommits",
            "lockBranch",
            "requiredPullRequestReviews",
            "requiredStatusChecks",
            "restrictPushes",
            "forcePushBypassers",
        ],
        source: `${gh}/resource_github_branch_protection.go: ForceNew on repository_id (L23) only`,
    },
    "github:index/actionsVariable:ActionsVariable": {
        replaceOn: ["variableName"],
        inPlace: ["repository", "value"],
        source: `${gh}/resource_github_actions_variable.go: ForceNew on variable_name (L40)`,
    },
    "github:index/actionsSecret:ActionsSecret": {
        replaceOn: ["secretName"],
        inPlace: ["repository", "value", "valueEncrypted", "plaintextValue", "encryptedValue", "keyId", "destroyOnDrift"],
        source: `${gh}/resource_github_actions_secret.go: ForceNew on secret_name (L50)`,
    },
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": {
        replaceOn: ["environment", "secretName"],
        inPlace: ["repository", "value", "valueEncrypted", "plaintextValue", "encryptedValue", "keyId"],
        // pulumi-github e46c2bb provider/resources.go:110 (github_actions_environment_secret: DeleteBeforeReplace).
        deleteBeforeReplace: true,
        source: `${gh}/resource_github_actions_environment_secret.go: ForceNew on environment (L44), secret_name (L50); pulumi-github provider/resources.go:110 DeleteBeforeReplace`,
    },
    "github:index/actionsEnvironmentVariable:ActionsEnvironmentVariable": {
        replaceOn: ["environment", "variableName"],
        inPlace: ["repository", "value"],
        source: `${gh}/resource_github_actions_environment_variable.go: ForceNew on environment (L41), variable_name (L47)`,
    },
    "random:index/randomPassword:RandomPassword": {
        replaceOn: "*",
        inPlace: [],
        source: "hashicorp/terraform-provider-random internal/provider/resource_password.go (ad788e2): RequiresReplace on keepers (L576), length (L585), special (L604), upper, lower, number, numeric, min_* and override_special (L614-L715)",
    },
    "command:local:Command": {
        replaceOn: ["triggers"],
        inPlace: [
            "create",
            "update",
            "delete",
            "dir",
            "environment",
            "interpreter",
            "stdin",
            "logging",
            "addPreviousOutputInEnv",
            "assetPaths",
            "archivePaths",
        ],
        source: 'pulumi/pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go:10 (triggers `provider:"replaceOnChanges"`); any other change runs Update, which runs `update` or else `create` again (local/commandController.go:67)',
    },
    "command:remote:Command": {
        replaceOn: ["triggers"],
        inPlace: ["connection", "create", "update", "delete", "environment", "stdin", "logging", "addPreviousOutputInEnv"],
        source: "pulumi/pulumi-command v1.2.1 provider/pkg/provider/common/inputs.go:10 (triggers replaceOnChanges), remote/command.go",
    },
};

/**
 * pulumi-kubernetes' replacement rules (provider/pkg/provider/diff.go, commit 00302be: forceNew
 * table; provider.go Diff): `.metadata.name` and `.metadata.namespace` replace every kind; the
 * kind's own paths below; every other change is a server-side-apply patch in place. An object with
 * a fixed name is deleted before its replacement (provider.go: deleteBeforeReplace when not
 * autonamed and the name is unchanged); an auto-named one gets a new name, created first.
 */
const k8sDiff = "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go (00302be) forceNew";
const k8sInPlace = ["apiVersion", "kind", "metadata", "spec"];
const k8sRule = (replaceOnPaths: string[], extra: Partial<ReplacementRule> & { source: string }): ReplacementRule => ({
    replaceOn: [],
    inPlace: k8sInPlace,
    replaceOnPaths: ["metadata.name", "metadata.namespace", ...replaceOnPaths],
    deleteBeforeReplaceWhenNamed: true,
    ...extra,
});
const kubernetesRules: Record<string, ReplacementRule> = {
    "kubernetes:core/v1:Namespace": k8sRule([], { holdsData: true, source: `${k8sDiff}: metadata only (deleting a namespace deletes every object in it)` }),
    "kubernetes:core/v1:ConfigMap": k8sRule(["data", "binaryData"], {
        inPlace: [...k8sInPlace, "immutable"],
        source: `${k8sDiff} core/v1 ConfigMap: .binaryData, .data (the provider's enableConfigMapMutable is off)`,
    }),
    "kubernetes:core/v1:Secret": k8sRule(["type", "stringData", "data"], {
        inPlace: [...k8sInPlace, "immutable"],
        source: `${k8sDiff} core/v1 Secret: .type, .stringData, .data`,
    }),
    "kubernetes:core/v1:PersistentVolumeClaim": k8sRule(["spec"], {
        holdsData: true,
        source: `${k8sDiff} core/v1 PersistentVolumeClaim: .spec (accessModes, resources, storageClassName, selector, volumeName): even a larger size replaces the claim`,
    }),
    "kubernetes:core/v1:Service": k8sRule(["spec.clusterIP"], { source: `${k8sDiff} core/v1 Service: .spec.clusterIP` }),
    "kubernetes:core/v1:ResourceQuota": k8sRule(["spec.scopes"], { source: `${k8sDiff} core/v1 ResourceQuota: .spec.scopes` }),
    "kubernetes:core/v1:LimitRange": k8sRule([], { source: `${k8sDiff}: no core/v1 LimitRange entry` }),
    "kubernetes:apps/v1:Deployment": k8sRule(["spec.selector"], { source: `${k8sDiff} apps/v1 Deployment: .spec.selector (matchLabels, matchExpressions)` }),
    "kubernetes:batch/v1:Job": k8sRule(["spec.completions", "spec.parallelism", "spec.selector", "spec.template"], {
        source: `${k8sDiff} batch/v1 Job: .spec.completions, .spec.parallelism, .spec.selector, .spec.template`,
    }),
    "kubernetes:networking.k8s.io/v1:Ingress": k8sRule([], { source: `${k8sDiff}: no networking.k8s.io entry` }),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8sRule([], { source: `${k8sDiff}: no networking.k8s.io entry` }),
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": k8sRule([], { source: `${k8sDiff}: no autoscaling entry` }),
    // Only policy/v1beta1 PodDisruptionBudget replaces on .spec; policy/v1 is patched.
    "kubernetes:policy/v1:PodDisruptionBudget": k8sRule([], { source: `${k8sDiff}: policy lists v1beta1 PodDisruptionBudget (.spec) only, not v1` }),
    // Custom resources: the table has no entry for their groups, so only metadata.name/namespace replace.
    "kubernetes:cert-manager.io/v1:ClusterIssuer": k8sRule([], { source: `${k8sDiff}: no cert-manager.io entry (custom resources are patched in place)` }),
    "kubernetes:cert-manager.io/v1:Certificate": k8sRule([], { source: `${k8sDiff}: no cert-manager.io entry (custom resources are patched in place)` }),
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule": k8sRule([], {
        source: `${k8sDiff}: no monitoring.coreos.com entry (custom resources are patched in place)`,
    }),
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor": k8sRule([], {
        source: `${k8sDiff}: no monitoring.coreos.com entry (custom resources are patched in place)`,
    }),
    "kubernetes:monitoring.coreos.com/v1:PodMonitor": k8sRule([], {
        source: `${k8sDiff}: no monitoring.coreos.com entry (custom resources are patched in place)`,
    }),
    /**
     * pulumi-kubernetes provider/pkg/provider/helm_release.go (01799d5) Diff: forceNewFields
     * `.name`, `.namespace` — a new chart version, repository or values is a `helm upgrade` in place;
     * DeleteBeforeReplace false, so a release keeping its fixed name across a replacement (a new
     * namespace) is installed before the old one is uninstalled. An unset name is auto-named
     * `<resource name>-<hex>` (assignNameIfAutonameable) and kept across updates (adoptOldNameIfUnnamed).
     */
    "kubernetes:helm.sh/v3:Release": {
        replaceOn: ["name", "namespace"],
        inPlace: [
            "chart",
            "version",
            "repositoryOpts",
            "values",
            "valueYamlFiles",
            "atomic",
            "cleanupOnFail",
            "createNamespace",
            "dependencyUpdate",
            "description",
            "devel",
            "disableCRDHooks",
            "disableOpenapiValidation",
            "disableWebhooks",
            "forceUpdate",
            "lint",
            "maxHistory",
            "postrender",
            "recreatePods",
            "resetValues",
            "reuseValues",
            "skipAwait",
            "skipCrds",
            "timeout",
            "waitForJobs",
            "allowNullValues",
        ],
        source: "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go (01799d5): Diff forceNewFields .name, .namespace; every other input is a helm upgrade (helmUpdate); DeleteBeforeReplace false",
    },
};

const tfRds = "hashicorp/terraform-provider-aws internal/service/rds/instance.go (00e4b23)";
const awsDatabaseRules: Record<string, ReplacementRule> = {
    "aws:rds/instance:Instance": {
        holdsData: true,
        replaceOn: [
            "identifier",
            "identifierPrefix",
            "engine",
            "dbName",
            "username",
            "storageEncrypted",
            "kmsKeyId",
            "availabilityZone",
            "characterSetName",
            "ncharCharacterSetName",
            "timezone",
            "snapshotIdentifier",
            "restoreToPointInTime",
            "customIamInstanceProfile",
        ],
        inPlace: [
            "engineVersion",
            "instanceClass",
            "allocatedStorage",
            "maxAllocatedStorage",
            "storageType",
            "multiAz",
            "port",
            "publiclyAccessible",
            "backupRetentionPeriod",
            "backupWindow",
            "maintenanceWindow",
            "copyTagsToSnapshot",
            "deletionProtection",
            "skipFinalSnapshot",
            "finalSnapshotIdentifier",
            "autoMinorVersionUpgrade",
            "allowMajorVersionUpgrade",
            "applyImmediately",
            "performanceInsightsEnabled",
            "caCertIdentifier",
            "enabledCloudwatchLogsExports",
            "tags",
            "password",
            "dbSubnetGroupName",
            "vpcSecurityGroupIds",
            "parameterGroupName",
        ],
        uniqueName: "identifier",
        source: `${tfRds}: ForceNew on identifier, identifier_prefix, engine, db_name, username, storage_encrypted, kms_key_id, availability_zone, character_set_name, nchar_character_set_name, timezone, snapshot_identifier, restore_to_point_in_time, custom_iam_instance_profile; the rest is ModifyDBInstance`,
    },
    "aws:rds/subnetGroup:SubnetGroup": {
        replaceOn: ["name", "namePrefix"],
        inPlace: ["subnetIds", "description", "tags"],
        uniqueName: "name",
        source: "hashicorp/terraform-provider-aws internal/service/rds/subnet_group.go: ForceNew on name, name_prefix; subnet_ids and description are modified in place",
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        replaceOn: ["name", "namePrefix", "family", "description"],
        inPlace: ["parameters", "tags", "skipDestroy"],
        uniqueName: "name",
        source: "hashicorp/terraform-provider-aws internal/service/rds/parameter_group.go: ForceNew on name, name_prefix, family, description; parameters are modified in place",
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        replaceOn: ["name", "namePrefix", "description", "vpcId"],
        inPlace: ["ingress", "egress", "tags", "revokeRulesOnDelete"],
        uniqueName: "name",
        source: "hashicorp/terraform-provider-aws internal/service/ec2/vpc_security_group.go: ForceNew on name, name_prefix, description, vpc_id; inline rules are authorized and revoked in place",
    },
};

export const providerTypePrefix = "pulumi:providers:";

const allRules: Readonly<Record<string, ReplacementRule>> = { ...replacementRules, ...kubernetesRules, ...awsDatabaseRules };

/** The rule for a resource type, or undefined when the table does not know it. */
export const replacementRuleFor = (type: string): ReplacementRule | undefined => (Object.hasOwn(allRules, type) ? allRules[type] : undefined);

/**
 * Resource types holding data a deploy must never destroy (`holdsData` rows). A network holds no
 * data but every container attached to it by name: replacing one that has members fails ("has
 * active endpoints"), which the harness checks separately.
 */
export const statefulTypes: readonly string[] = Object.entries(allRules)
    .filter(([, r]) => r.holdsData)
    .map(([type]) => type);
export const networkType = "docker:index/network:Network";
