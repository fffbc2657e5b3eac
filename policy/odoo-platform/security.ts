/**
 * The `security` pack: snapshot buckets that cannot leak, database credentials that are generated,
 * containers that cannot take over their host, DNS behind Cloudflare's proxy, and a production
 * that only reviewed code reaches.
 *
 * Plain policy objects: index.ts serves them to `pulumi preview --policy-pack policy/odoo-platform`.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { containerRoles, encryptedPlaceholder, productionBranch } from "./platform";
import { describe, listing } from "./lib/describe";
import { envValue, hasUnknownEnv, hostMounts, odooOption, providesPath, roleOf, runsOdoo, uploadedContent } from "./lib/docker";
import type { PolicyPackDefinition } from "./lib/pack";
import { known, odooContainersOf, readKnown, resourceStage, stackStage, withConfigDefaults } from "./lib/policy";
import { cloudflareTypes, commandTypes, dockerTypes, githubTypes, isOneOf, otherTypes, s3Types } from "./lib/types";

// --- Snapshot buckets -------------------------------------------------------------------------

interface Statement {
    Effect?: string;
    Principal?: unknown;
    Action?: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The statements of an IAM policy document given as JSON text or as an object. */
export function policyStatements(document: unknown): Statement[] {
    let doc = document;
    if (typeof doc === "string") {
        try {
            doc = JSON.parse(doc);
        } catch {
            return [];
        }
    }
    return asList((doc as { Statement?: Statement | Statement[] })?.Statement);
}

const isEveryone = (principal: unknown): boolean => principal === "*" || asList((principal as { AWS?: string | string[] })?.AWS).includes("*");

/** `Deny * s3:* on the bucket and its objects when aws:SecureTransport is false`. */
export function isTlsOnlyStatement(st: Statement, bucketName?: string): boolean {
    if (st.Effect !== "Deny" || !isEveryone(st.Principal)) return false;
    if (!asList(st.Action).some((a) => a === "s3:*" || a === "*")) return false;
    if (String(st.Condition?.Bool?.["aws:SecureTransport"]) !== "false") return false;
    const resources = asList(st.Resource);
    if (!bucketName) return resources.length > 0;
    const arn = `arn:aws:s3:::${bucketName}`;
    return resources.some((r) => r === arn || r === "*") && resources.some((r) => r === `${arn}/*` || r === "*");
}

/** An Allow for everyone without a condition makes a bucket public. */
const isPublicGrant = (st: Statement): boolean => st.Effect === "Allow" && isEveryone(st.Principal) && !st.Condition;

const publicAcls = ["public-read", "public-read-write", "authenticated-read"];

/** The configuration resources of a bucket: by dependency on it, or by its name. */
function companionsOf(bucket: PolicyResource, resources: readonly PolicyResource[], types: readonly string[]): PolicyResource[] {
    const name = known(() => bucket.props.bucket);
    return resources.filter(
        (r) =>
            isOneOf(r.type, types) &&
            ((r.propertyDependencies?.bucket ?? []).includes(bucket) || (typeof name === "string" && known(() => r.props.bucket) === name)),
    );
}

type BucketCheck = (bucket: PolicyResource, resources: readonly PolicyResource[]) => string | undefined;

function bucketPolicy(name: string, description: string, check: BucketCheck): StackValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateStack: (args, report) => {
            stackStage(args);
            for (const bucket of args.resources.filter((r) => isOneOf(r.type, s3Types.bucket))) {
                const problem = check(bucket, args.resources);
                if (problem) report(`${describe(bucket)} (${known(() => bucket.props.bucket) ?? "unnamed"}) ${problem}`, bucket.urn);
            }
        },
    };
}

const sseAlgorithms = ["AES256", "aws:kms", "aws:kms:dsse"];

export const snapshotBucketEncrypted = bucketPolicy(
    "snapshot-bucket-encrypted",
    "Every S3 bucket (snapshots hold production data) is encrypted at rest by default (SSE-S3 or SSE-KMS).",
    (bucket, resources) => {
        const rules = [
            ...companionsOf(bucket, resources, s3Types.encryption).flatMap((c) => asList(c.props.rules as unknown[])),
            ...asList((bucket.props.serverSideEncryptionConfiguration as { rule?: unknown })?.rule),
        ] as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string } }[];
        if (rules.some((r) => sseAlgorithms.includes(r?.applyServerSideEncryptionByDefault?.sseAlgorithm ?? ""))) return undefined;
        return "has no default encryption: add an aws.s3.BucketServerSideEncryptionConfiguration (AES256 or aws:kms) — SnapshotBucket does.";
    },
);

export const snapshotBucketVersioned = bucketPolicy(
    "snapshot-bucket-versioned",
    "Every S3 bucket keeps versions, so an overwritten or deleted snapshot can be recovered.",
    (bucket, resources) => {
        const enabled =
            companionsOf(bucket, resources, s3Types.versioning).some((v) => (v.props.versioningConfiguration as { status?: string })?.status === "Enabled") ||
            (bucket.props.versioning as { enabled?: boolean })?.enabled === true;
        return enabled ? undefined : "is not versioned: add an aws.s3.BucketVersioning with versioningConfiguration.status = Enabled.";
    },
);

const publicAccessFlags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

export const snapshotBucketPrivate = bucketPolicy(
    "snapshot-bucket-private",
    "Every S3 bucket has all four public-access blocks on, no public ACL and no bucket policy granting everyone access.",
    (bucket, resources) => {
        const problems: string[] = [];
        const blocks = companionsOf(bucket, resources, s3Types.publicAccessBlock);
        const off = publicAccessFlags.filter((flag) => !blocks.some((b) => b.props[flag] === true));
        if (blocks.length === 0) problems.push("has no aws.s3.BucketPublicAccessBlock");
        else if (off.length) problems.push(`has ${listing(off)} turned off`);
        const acls = [bucket.props.acl, ...companionsOf(bucket, resources, s3Types.acl).map((a) => a.props.acl)].filter(
            (a): a is string => typeof a === "string",
        );
        const publicAcl = acls.find((a) => publicAcls.includes(a));
        if (publicAcl) problems.push(`has the ${publicAcl} ACL`);
        const policies = [bucket.props.policy, ...companionsOf(bucket, resources, s3Types.policy).map((p) => known(() => p.props.policy))];
        if (policies.some((p) => policyStatements(p).some(isPublicGrant)))
            problems.push("has a bucket policy allowing everyone (Principal *) without a condition");
        return problems.length
            ? `${listing(problems)}: snapshots hold production data. Turn all four public-access blocks on (odoo-platform:snapshotBlockPublicAccess: true) and grant access through IAM only.`
            : undefined;
    },
);

export const snapshotBucketTlsOnly = bucketPolicy(
    "snapshot-bucket-tls-only",
    "Every S3 bucket's policy denies any request not made over TLS (aws:SecureTransport = false).",
    (bucket, resources) => {
        const name = known(() => bucket.props.bucket);
        const policies = [bucket.props.policy, ...companionsOf(bucket, resources, s3Types.policy).map((p) => known(() => p.props.policy))];
        if (policies.some((p) => policyStatements(p).some((st) => isTlsOnlyStatement(st, typeof name === "string" ? name : undefined)))) return undefined;
        return "does not deny plain-HTTP requests: add an aws.s3.BucketPolicy with Deny s3:* on the bucket and bucket/* when aws:SecureTransport is false (tlsOnlyPolicy in components/SnapshotBucket.ts).";
    },
);

// --- Database credentials ---------------------------------------------------------------------

/** Passwords nobody should ever deploy. */
export const weakPasswords: readonly string[] = ["postgres", "odoo", "admin", "password", "changeme", "secret", "root", "123456", "test"];
const minimumPasswordLength = 16;

/** A credential read from a file the program does not upload (a mounted secret): not the program's to judge. */
const suppliedOutside = Symbol("supplied outside the program");

/** Where database credentials appear, and whether the stack must generate them itself. */
interface CredentialSource {
    what: string;
    matches: (r: PolicyResource) => boolean;
    read: (r: PolicyResource) => unknown;
    /** The property whose dependencies show a generated value. */
    property?: string;
    /** A role the stack creates: its password must be a RandomPassword's. */
    generated: boolean;
}

export const credentialSources: readonly CredentialSource[] = [
    {
        what: "password of the PostgreSQL role",
        matches: (r) => r.type === otherTypes.postgresRole && r.props.login !== false,
        read: (r) => r.props.password,
        property: "password",
        generated: true,
    },
    {
        what: "POSTGRES_PASSWORD of the PostgreSQL container",
        matches: (r) => r.type === dockerTypes.container && roleOf(r.props) === containerRoles.postgres,
        // The official image also takes POSTGRES_PASSWORD_FILE: read the uploaded file; a mounted one is supplied from outside.
        read: (r) => {
            const file = envValue(r.props, "POSTGRES_PASSWORD_FILE");
            if (envValue(r.props, "POSTGRES_PASSWORD") === undefined && file) return uploadedContent(r.props, file) ?? suppliedOutside;
            return envValue(r.props, "POSTGRES_PASSWORD");
        },
        generated: true,
    },
    {
        what: "db_password Odoo connects with",
        matches: (r) => r.type === dockerTypes.container && runsOdoo(r.props),
        read: (r) => odooOption(r.props, "db_password")?.value,
        generated: false,
    },
    {
        what: "admin password of the postgresql provider",
        matches: (r) => r.type === otherTypes.postgresProvider,
        read: (r) => r.props.password,
        property: "password",
        generated: false,
    },
    {
        what: "PGPASSWORD of the command",
        matches: (r) => isOneOf(r.type, commandTypes),
        read: (r) => (r.props.environment as Record<string, unknown> | undefined)?.PGPASSWORD,
        generated: false,
    },
    {
        what: "PGPASSWORD of the data step",
        matches: (r) => r.type === dockerTypes.container && roleOf(r.props) === containerRoles.dataStep,
        read: (r) => envValue(r.props, "PGPASSWORD"),
        generated: false,
    },
];

export const databasePasswordsGenerated: StackValidationPolicy = withConfigDefaults({
    name: "database-passwords-generated",
    description:
        "Database passwords come from generated secrets: roles the stack creates get a random.RandomPassword; credentials it passes on come from secret config or CI, never a literal.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            plainConfigValues: {
                type: "array",
                items: { type: "string" },
                default: [],
                description:
                    "The values the stack file holds in plain text (`npm run policy-config` writes them): a password among them was not set with --secret.",
            },
        },
    },
    validateStack: (args, report) => {
        stackStage(args);
        const generated = new Set(
            args.resources
                .filter((r) => r.type === otherTypes.randomPassword)
                .map((r) => known(() => r.props.result))
                .filter((v): v is string => typeof v === "string"),
        );
        const plainConfig = new Set(args.getConfig<{ plainConfigValues: string[] }>().plainConfigValues);
        for (const resource of args.resources) {
            for (const source of credentialSources) {
                if (!source.matches(resource)) continue;
                const read = readKnown(() => source.read(resource));
                if (!read.known || read.value === suppliedOutside) continue; // computed from another resource's output, or mounted: not a literal
                const text = typeof read.value === "string" ? read.value : read.value === undefined || read.value === null ? "" : String(read.value);
                const fromRandom =
                    generated.has(text) ||
                    (source.property ? (resource.propertyDependencies?.[source.property] ?? []).some((d) => d.type === otherTypes.randomPassword) : false);
                if (fromRandom || text === encryptedPlaceholder) continue;
                if (source.generated) {
                    report(
                        `${describe(resource)}: the ${source.what} ${text === "" ? "is empty" : "is not generated by the stack"}. ` +
                            `Create a random.RandomPassword and pass its result (as components/NeutralizedDatabase.ts and OdooEnvironment do).`,
                        resource.urn,
                    );
                    continue;
                }
                if (text === "") continue; // supplied by the environment (PGPASSWORD, .pgpass)
                const literal = weakPasswords.includes(text.toLowerCase())
                    ? "is a well-known default"
                    : plainConfig.has(text)
                      ? "is written in plain text in the stack file"
                      : text.length < minimumPasswordLength
                        ? `is shorter than ${minimumPasswordLength} characters`
                        : undefined;
                if (literal) {
                    report(
                        `${describe(resource)}: the ${source.what} ${literal}, so it is a literal rather than a generated secret. ` +
                            `Set it with \`pulumi config set --secret\` (or PGPASSWORD in CI), or generate it with random.RandomPassword.`,
                        resource.urn,
                    );
                }
            }
            if (resource.type === dockerTypes.container && /^trust$/i.test(envValue(resource.props, "POSTGRES_HOST_AUTH_METHOD") ?? "")) {
                report(
                    `${describe(resource)} sets POSTGRES_HOST_AUTH_METHOD=trust: anyone on its network logs in without a password. Remove it.`,
                    resource.urn,
                );
            }
        }
    },
});

export const odooDbUserNotAdmin: StackValidationPolicy = {
    name: "odoo-db-user-not-admin",
    description:
        "Every Odoo connects with its own database role: never `postgres` (Odoo aborts at start-up: \"Using the database user 'postgres' is a security risk\") " +
        "and never the admin role the stack manages the server with.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        stackStage(args);
        const adminUsers = new Set(
            args.resources
                .filter((r) => r.type === otherTypes.postgresProvider)
                .map((r) => known(() => r.props.username))
                .filter((u): u is string => typeof u === "string" && u !== ""),
        );
        for (const odoo of odooContainersOf(args.resources)) {
            const user = known(() => odooOption(odoo.props, "db_user"));
            const name = user?.value ?? envValue(odoo.props, "PGUSER");
            if (name === undefined) continue;
            if (name === "postgres") {
                report(
                    `${describe(odoo)} connects to PostgreSQL as postgres (${user?.source ?? "PGUSER"}): Odoo refuses to start with it ("Using the database user 'postgres' is a security risk, aborting."), ` +
                        `and a superuser can read every database on the server. Create a role for the environment (postgresql.Role with a RandomPassword) and connect as it.`,
                    odoo.urn,
                );
            } else if (adminUsers.has(name)) {
                report(
                    `${describe(odoo)} connects as ${name}, the admin role the stack manages the server with: connect with the environment's own role instead.`,
                    odoo.urn,
                );
            }
        }
    },
};

/** The CA bundle Debian's ca-certificates installs in the Odoo image (`dbSslRootCert: system`). */
export const systemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

export const databaseTlsVerifiable: ResourceValidationPolicy = {
    name: "database-tls-verifiable",
    description:
        "An Odoo that checks its database server's certificate (db_sslmode verify-ca / verify-full) is given the CA to check it against (PGSSLROOTCERT naming an uploaded file " +
        "or the image's CA bundle): libpq otherwise refuses every connection and Odoo never starts.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container || !runsOdoo(args.props)) return;
        resourceStage(args);
        const mode = odooOption(args.props, "db_sslmode");
        if (!mode || !/^verify-(ca|full)$/.test(mode.value)) return;
        const rootCert = envValue(args.props, "PGSSLROOTCERT");
        if (rootCert === undefined && hasUnknownEnv(args.props)) {
            report(
                `${describe(args)} runs with db_sslmode ${mode.value}, and its environment is not known during this preview: build PGSSLROOTCERT from configuration.`,
            );
            return;
        }
        if (rootCert === undefined) {
            report(
                `${describe(args)} runs with db_sslmode ${mode.value} (${mode.source}) but no CA reaches it: libpq looks for ~/.postgresql/root.crt, which the image does not have, ` +
                    `and refuses the connection. Set odoo-platform:dbSslRootCert (the CA's PEM, or \`system\` for a publicly issued certificate).`,
            );
        } else if (rootCert !== systemCaBundle && !providesPath(args.props, rootCert)) {
            report(
                `${describe(args)}: PGSSLROOTCERT names ${rootCert}, which is neither uploaded nor mounted into the container: upload the CA certificate there.`,
            );
        }
    },
};

// --- Containers -------------------------------------------------------------------------------

export const dangerousCapabilities: readonly string[] = [
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "DAC_READ_SEARCH",
    "BPF",
];
export const unconfinedSecurityOpts: readonly RegExp[] = [
    /^seccomp[=:]unconfined$/,
    /^apparmor[=:]unconfined$/,
    /^label[=:]disable$/,
    /^systempaths[=:]unconfined$/,
];

export const noPrivilegedContainers: ResourceValidationPolicy = {
    name: "no-privileged-containers",
    description: "No container runs privileged, adds host-level capabilities, drops its seccomp/AppArmor confinement or maps host devices.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container) return;
        resourceStage(args);
        const problems: string[] = [];
        if (args.props.privileged === true) problems.push("runs privileged");
        const caps = asList((args.props.capabilities as { adds?: string[] })?.adds).map((c) => String(c).toUpperCase().replace(/^CAP_/, ""));
        const dangerous = caps.filter((c) => dangerousCapabilities.includes(c));
        if (dangerous.length) problems.push(`adds ${listing(dangerous)}`);
        const opts = asList(args.props.securityOpts as string[]).filter((o) => unconfinedSecurityOpts.some((p) => p.test(String(o))));
        if (opts.length) problems.push(`sets ${listing(opts)}`);
        if (asList(args.props.devices as unknown[]).length) problems.push("maps host devices");
        if (problems.length)
            report(
                `${describe(args)} ${listing(problems)}: it could take over its Docker host. Remove ${problems.length === 1 ? "it" : "them"} from the container.`,
            );
    },
};

/** Host namespaces a container can share, and what sharing each one gives away. */
export const hostNamespaces: Readonly<Record<string, string>> = {
    networkMode: "it would bypass the environment's internal network and egress allow-list",
    pidMode: "it sees (and may signal) every process of the host",
    ipcMode: "it shares the host's shared memory",
    usernsMode: "its root would be the host's root",
    cgroupnsMode: "it sees the host's cgroups",
};

export const noHostNetwork: ResourceValidationPolicy = withConfigDefaults({
    name: "no-host-network",
    description:
        "No container shares the host's network; the host's PID, IPC, user and cgroup namespaces only where allowed by role " +
        "(observability may read host processes with pidMode: host). Environments stay on their own Docker networks.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedHostNamespaces: {
                type: "object",
                default: { [containerRoles.observability]: ["pidMode"] },
                description: "Per container role, the host namespaces it may share (networkMode is never allowed unless listed here).",
            },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container) return;
        resourceStage(args);
        const allowed = args.getConfig<{ allowedHostNamespaces: Record<string, string[]> }>().allowedHostNamespaces[roleOf(args.props) ?? ""] ?? [];
        const shared = Object.keys(hostNamespaces).filter((mode) => args.props[mode] === "host" && !allowed.includes(mode));
        if (shared.length) {
            report(
                `${describe(args)} sets ${listing(shared.map((m) => `${m}: host`))}: ${listing(shared.map((m) => hostNamespaces[m]))}. ` +
                    `Remove ${shared.length === 1 ? "it" : "them"}; attach the container to Docker networks with networksAdvanced.`,
            );
        }
    },
});

/** Host paths that expose the Docker daemon's API. */
export const dockerSocketPattern = /(^|\/)(docker|podman|containerd)\.sock$|^\/(var\/)?run\/?$/;

export const dockerSocketAllowlist: ResourceValidationPolicy = withConfigDefaults({
    name: "docker-socket-allowlist",
    description: "The Docker socket (root on the host) is mounted only into allow-listed routing and observability containers.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedRoles: {
                type: "array",
                items: { type: "string" },
                default: [containerRoles.router, containerRoles.observability],
                description: "Container roles allowed to mount the Docker socket.",
            },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container) return;
        resourceStage(args);
        const { allowedRoles } = args.getConfig<{ allowedRoles: string[] }>();
        const sockets = hostMounts(args.props).filter((m) => dockerSocketPattern.test(m.hostPath));
        const role = roleOf(args.props);
        if (sockets.length && !(role && allowedRoles.includes(role))) {
            report(
                `${describe(args)} mounts ${listing(sockets.map((s) => s.hostPath))}: whoever controls this container controls the Docker host. ` +
                    `Only ${listing(allowedRoles)} containers may mount it; give this container what it needs another way.`,
            );
        }
    },
});

// --- DNS and GitHub ---------------------------------------------------------------------------

const proxiableRecordTypes = ["A", "AAAA", "CNAME"];

export const cloudflareRecordsProxied: ResourceValidationPolicy = withConfigDefaults({
    name: "cloudflare-records-proxied",
    description: "Every Cloudflare A/AAAA/CNAME record is proxied, so the Docker hosts' addresses stay hidden behind Cloudflare.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            unproxiedNames: { type: "array", items: { type: "string" }, default: [], description: "Record names allowed to be DNS-only (e.g. a mail host)." },
        },
    },
    validateResource: (args, report) => {
        if (!isOneOf(args.type, cloudflareTypes.dnsRecord)) return;
        resourceStage(args);
        const type = String(args.props.type ?? "").toUpperCase();
        if (!proxiableRecordTypes.includes(type) || args.props.proxied === true) return;
        const name = String(args.props.name ?? "");
        if (args.getConfig<{ unproxiedNames: string[] }>().unproxiedNames.includes(name)) return;
        report(`${describe(args)} (${type} ${name}) is not proxied: it would publish the Docker host's address. Set proxied: true.`);
    },
});

/** Does a branch-protection pattern (fnmatch-style) cover `branch`? */
export function patternCovers(pattern: string, branch: string): boolean {
    const regex = pattern
        .split(/(\*\*|\*|\?)/)
        .map((part) => (part === "**" ? ".*" : part === "*" ? "[^/]*" : part === "?" ? "[^/]" : part.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${regex}$`).test(branch);
}

/**
 * What is missing for a rule to protect `branch`, or undefined when the rule does not cover it.
 * Protected means: no force push, no deletion, and a gate in front of every change — reviewed pull
 * requests or required status checks (a branch fast-forwarded by an approved workflow has checks).
 */
function protectionProblems(r: PolicyResource, branch: string): string[] | undefined {
    const p = r.props;
    const problems: string[] = [];
    const gate = (reviews: boolean, checks: boolean) => {
        if (!reviews && !checks) problems.push("requires neither an approving review nor status checks");
    };
    if (r.type === githubTypes.branchProtection) {
        if (!patternCovers(String(p.pattern ?? ""), branch)) return undefined;
        const reviews = asList(p.requiredPullRequestReviews as { requiredApprovingReviewCount?: number }[]);
        const checks = asList(p.requiredStatusChecks as { contexts?: string[] }[]);
        gate(
            reviews.some((rv) => rv?.requiredApprovingReviewCount !== 0),
            checks.some((c) => asList(c?.contexts).length > 0),
        );
        if (p.allowsForcePushes === true) problems.push("allows force pushes");
        if (p.allowsDeletions === true) problems.push("allows deleting the branch");
        return problems;
    }
    if (r.type === githubTypes.branchProtectionV3) {
        if (p.branch !== branch) return undefined;
        const reviews = p.requiredPullRequestReviews as { requiredApprovingReviewCount?: number } | undefined;
        const checks = p.requiredStatusChecks as { contexts?: string[]; checks?: string[] } | undefined;
        gate(!!reviews && reviews.requiredApprovingReviewCount !== 0, asList(checks?.contexts).length + asList(checks?.checks).length > 0);
        return problems;
    }
    if (r.type === githubTypes.repositoryRuleset) {
        const includes = asList((p.conditions as { refName?: { includes?: string[] } })?.refName?.includes);
        if (p.target !== "branch" || !includes.some((i) => i === "~ALL" || patternCovers(i.replace(/^refs\/heads\//, ""), branch))) return undefined;
        const rules = (p.rules ?? {}) as { pullRequest?: unknown; requiredStatusChecks?: unknown; nonFastForward?: boolean; deletion?: boolean };
        if (p.enforcement !== "active") problems.push(`is ${String(p.enforcement)}, not active`);
        gate(!!rules.pullRequest, !!rules.requiredStatusChecks);
        if (rules.nonFastForward !== true) problems.push("allows force pushes");
        if (rules.deletion !== true) problems.push("allows deleting the branch");
        return problems;
    }
    return undefined;
}

export const githubProductionProtected: StackValidationPolicy = withConfigDefaults({
    name: "github-production-protected",
    description:
        "When the stack manages GitHub, the `production` environment requires reviewers and the production branch is protected (reviews or status checks, no force push, no deletion).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            environment: { type: "string", default: "production", description: "GitHub environment production deployments run in." },
            branch: { type: "string", default: productionBranch, description: "Branch production deploys from." },
        },
    },
    validateStack: (args, report) => {
        stackStage(args);
        const github = args.resources.filter((r) => r.type.startsWith("github:"));
        if (github.length === 0) return;
        const { environment, branch } = args.getConfig<{ environment: string; branch: string }>();
        const environments = github.filter((r) => r.type === githubTypes.repositoryEnvironment && r.props.environment === environment);
        if (environments.length === 0) {
            report(
                `the stack manages GitHub but declares no \`${environment}\` environment: add a github.RepositoryEnvironment "${environment}" with reviewers (odoo-platform:githubProductionReviewers).`,
            );
        }
        for (const env of environments) {
            const reviewers = asList(env.props.reviewers as { users?: number[]; teams?: number[] }[]);
            if (!reviewers.some((r) => asList(r?.users).length + asList(r?.teams).length > 0)) {
                report(
                    `${describe(env)}: the \`${environment}\` environment requires no reviewer, so any workflow can deploy production. Set reviewers (odoo-platform:githubProductionReviewers).`,
                    env.urn,
                );
            }
        }
        const protections = github.map((r) => ({ r, problems: protectionProblems(r, branch) })).filter((p) => p.problems !== undefined);
        if (protections.length === 0) {
            report(
                `the stack manages GitHub but does not protect the \`${branch}\` branch: add a github.BranchProtection with pattern "${branch}" (status checks or reviews, no force push, no deletion).`,
            );
        } else if (protections.every((p) => p.problems!.length > 0)) {
            for (const { r, problems } of protections)
                report(
                    `${describe(r)} protects \`${branch}\` but ${listing(problems!)}: require status checks or reviews, and forbid force pushes and deletion.`,
                    r.urn,
                );
        }
    },
});

export const securityPack: PolicyPackDefinition = {
    name: "security",
    description: "Private encrypted snapshot buckets, generated database credentials, confined containers, proxied DNS and a reviewed production.",
    enforcementLevel: "mandatory",
    policies: [
        snapshotBucketEncrypted,
        snapshotBucketVersioned,
        snapshotBucketPrivate,
        snapshotBucketTlsOnly,
        databasePasswordsGenerated,
        odooDbUserNotAdmin,
        databaseTlsVerifiable,
        noPrivilegedContainers,
        noHostNetwork,
        dockerSocketAllowlist,
        cloudflareRecordsProxied,
        githubProductionProtected,
    ],
};
