/**
 * The staging refresh on Kubernetes: the four data-plane steps of components/NeutralizedDatabase.ts
 * (restore, neutralize, verify, swap, the same command lines) as Jobs of the operations CLI image,
 * next to the database, each waiting for the previous one (Pulumi waits for a Job to complete and
 * fails the deploy when it fails, so nothing after a failed step runs and the live database is
 * unchanged).
 *
 * A Job's pod template is immutable, so any change to it replaces the Job, which runs it again: the
 * template carries only what should re-run the refresh — the snapshot, the CLI image and the
 * database — never the git SHA of the deployed code. Credentials come from a Secret as variables
 * (PGPASSWORD, AWS_*); the admin password neutralize generates goes to the pod's own memory-backed
 * volume and dies with it (the init Job then sets the stack's own admin password from its Secret).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsLabel, isDnsName, isPinnedByDigest, isPostgresIdentifier } from "../config/naming";
import { sslModes } from "../config/schema";
import { jobAwaitAnnotations, jobSpec, objectLabels, restrictedContainer } from "./kubernetesObjects";
import { adminPasswordFile, neutralizedDatabaseSteps, snapshotUriProblem, StepName, stepNames, stepSecretsDir } from "./NeutralizedDatabase";
import { pendingDatabaseName } from "../ops/generations/names";

export const refreshFilestoreRoot = "/filestore";

export interface RefreshServer {
    host: pulumi.Input<string>;
    port: number;
    adminUser: string;
    adminPassword: pulumi.Input<string>;
    sslMode: string;
}

export interface KubernetesRefreshArgs {
    namespace: pulumi.Input<string>;
    labels: Record<string, string>;
    image: string;
    server: RefreshServer;
    database: string;
    owner: string;
    /** A concrete snapshot (`s3://bucket/staging/<id>`), resolved from `latest`. */
    snapshotUri: pulumi.Input<string | undefined>;
    baseUrl: string;
    mailCatcher: { host: string; port: number };
    allowedDomains: string[];
    claim: pulumi.Input<string>;
    /** AWS credentials and settings the CLI reads (secret values stay secret). */
    env: Record<string, pulumi.Input<string>>;
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The pod of one step: the CLI image, root (the restored filestore is written as it), no privilege. */
export function refreshPodSpec(input: {
    image: string;
    args: pulumi.Input<pulumi.Input<string>[]>;
    secret: pulumi.Input<string>;
    envNames: string[];
    claim: pulumi.Input<string>;
    snapshot: pulumi.Input<string>;
}): k8s.types.input.core.v1.PodSpec {
    return {
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [
            {
                name: "step",
                image: input.image,
                args: input.args,
                // Every step names the snapshot: a new one changes every pod template and re-runs the whole chain.
                env: [
                    { name: "ODOO_PLATFORM_SNAPSHOT", value: input.snapshot },
                    ...input.envNames.map((name) => ({ name, valueFrom: { secretKeyRef: { name: input.secret, key: name } } })),
                ],
                resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1000m", memory: "1024Mi" } },
                securityContext: {
                    ...restrictedContainer,
                    runAsNonRoot: false,
                    runAsUser: 0,
                    runAsGroup: 0,
                    capabilities: { drop: ["ALL"], add: ["CHOWN", "FOWNER", "DAC_OVERRIDE"] },
                },
                volumeMounts: [
                    { name: "filestore", mountPath: refreshFilestoreRoot },
                    { name: "secrets", mountPath: stepSecretsDir },
                ],
            },
        ],
        volumes: [
            { name: "filestore", persistentVolumeClaim: { claimName: input.claim } },
            { name: "secrets", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
        ],
    };
}

/**
 * Refuses args that would fail a step Job hours into the refresh, or restore into the wrong
 * place: `KubernetesRefreshArgs.<field>: <why>; fix: <how>`. Values still Outputs (the namespace,
 * the server's host, the claim, the snapshot) are checked when they are already known. Pure; runs
 * before anything is registered.
 */
export function validateKubernetesRefreshArgs(args: KubernetesRefreshArgs): void {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`KubernetesRefreshArgs.${field}: ${why}; fix: ${fix}`);
    };
    // A namespace name is a lower-case DNS label (RFC 1123).
    if (typeof args.namespace === "string" && !(isDnsLabel(args.namespace) && args.namespace === args.namespace.toLowerCase()))
        fail("namespace", `must be a Kubernetes namespace name, got "${args.namespace}"`, "pass the StackNamespace's name");
    if (!args.labels?.["odoo-platform.stack"]) fail("labels", "must carry the stack label odoo-platform.stack", "pass the stack's resourceLabels()");
    // A tag would let the same template run another image: the pod template (and so the re-run) must follow the image.
    if (!isPinnedByDigest(args.image ?? ""))
        fail("image", `must be the CLI image pinned by digest, got "${args.image}"`, "set odoo-platform:opsImage to <repository>@sha256:<digest>");
    if (!args.server) fail("server", "is required", "pass the stack's database server");
    if (typeof args.server.host === "string" && !args.server.host)
        fail("server.host", "is required", "set odoo-platform:dbHost, or pass the stack's RDS instance endpoint");
    if (!(Number.isInteger(args.server.port) && args.server.port > 0 && args.server.port < 65536))
        fail("server.port", `must be a TCP port, got ${args.server.port}`, "set odoo-platform:dbPort");
    if (!args.server.adminUser) fail("server.adminUser", "is required", "set odoo-platform:dbAdminUser");
    if (!(sslModes as readonly string[]).includes(args.server.sslMode))
        fail("server.sslMode", `must be one of ${sslModes.join(", ")}, got "${args.server.sslMode}"`, "set odoo-platform:dbSslMode");
    for (const field of ["database", "owner"] as const) {
        if (!isPostgresIdentifier(args[field] ?? ""))
            fail(field, `must be a lower-case PostgreSQL identifier, got "${args[field]}"`, "pass the names environmentNames() derives (config/naming.ts)");
    }
    if (args.owner === args.server.adminUser)
        fail(
            "owner",
            `must not be the server's admin role "${args.server.adminUser}": the restored database belongs to Odoo's own role`,
            "pass environmentNames().databaseOwner",
        );
    const snapshotProblem = typeof args.snapshotUri === "string" ? snapshotUriProblem(args.snapshotUri) : undefined;
    if (snapshotProblem) fail("snapshotUri", snapshotProblem, "pass the snapshot resolveSnapshot returns");
    if (!/^https?:\/\/\S+$/.test(args.baseUrl ?? ""))
        fail("baseUrl", `must be an http(s) URL, got "${args.baseUrl}"`, "pass https://<environmentNames().host>");
    if (!args.mailCatcher?.host || !(Number.isInteger(args.mailCatcher.port) && args.mailCatcher.port > 0 && args.mailCatcher.port < 65536))
        fail("mailCatcher", "must name the environment's mail catcher host and TCP port", "pass the StackNamespace's mailCatcher");
    const badDomains = (args.allowedDomains ?? []).filter((d) => !isDnsName(d));
    if (!args.allowedDomains?.length || badDomains.length)
        fail(
            "allowedDomains",
            `must list the mail domains the restored data may keep, as DNS names, got ${JSON.stringify(args.allowedDomains ?? [])}`,
            "pass the environment's host and example.com",
        );
    // A claim name is a lower-case DNS subdomain.
    if (typeof args.claim === "string" && !(isDnsName(args.claim) && args.claim === args.claim.toLowerCase()))
        fail("claim", `must be a PersistentVolumeClaim name, got "${args.claim}"`, "pass the StackNamespace's claimName");
    const env = Object.keys(args.env ?? {});
    // The keys are Secret keys and variable names; PGPASSWORD and the snapshot are the component's own.
    const badEnv = env.filter((k) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || k === "PGPASSWORD" || k === "ODOO_PLATFORM_SNAPSHOT");
    if (badEnv.length)
        fail(
            "env",
            `keys must be variable names other than PGPASSWORD and ODOO_PLATFORM_SNAPSHOT (set from server.adminPassword and snapshotUri), got ${badEnv.map((k) => `"${k}"`).join(", ")}`,
            "pass only the runner's AWS_* and ODOO_PLATFORM_S3_ENDPOINT variables",
        );
}

export class KubernetesRefresh extends pulumi.ComponentResource {
    /** The swap Job: the verified copy is live. */
    public readonly ready: k8s.batch.v1.Job;

    constructor(name: string, args: KubernetesRefreshArgs, opts?: pulumi.ComponentResourceOptions) {
        validateKubernetesRefreshArgs(args);
        super("odoo-platform:data:KubernetesRefresh", name, {}, opts);
        const child = { parent: this };
        const meta = { namespace: args.namespace, labels: objectLabels(args.labels, "data-step"), annotations: jobAwaitAnnotations };
        const env: Record<string, pulumi.Input<string>> = { PGPASSWORD: args.server.adminPassword, ...args.env };
        const secret = new k8s.core.v1.Secret(
            `${name}-env`,
            {
                metadata: { namespace: args.namespace, labels: objectLabels(args.labels, "data-step") },
                type: "Opaque",
                stringData: pulumi.secret(pulumi.all(env)),
            },
            child,
        );
        const pending = pendingDatabaseName(args.database);
        const steps = pulumi
            .all([args.server.host, args.snapshotUri])
            .apply(([host, uri]) =>
                uri
                    ? neutralizedDatabaseSteps({ ...args, server: { ...args.server, host }, snapshotUri: uri, pending, filestoreRoot: refreshFilestoreRoot })
                    : (Object.fromEntries(
                          stepNames.map((s) => [
                              s,
                              [
                                  "staging",
                                  "cleanup",
                                  "--db",
                                  `postgresql://${encodeURIComponent(args.server.adminUser)}@${host}:${args.server.port}/${args.database}?sslmode=${args.server.sslMode}`,
                              ],
                          ]),
                      ) as Record<StepName, string[]>),
            );
        let previous: pulumi.Input<pulumi.Resource>[] = args.dependsOn ?? [];
        let last: k8s.batch.v1.Job | undefined;
        for (const step of stepNames) {
            last = new k8s.batch.v1.Job(
                `${name}-${step}`,
                {
                    metadata: meta,
                    spec: jobSpec({
                        stack: args.labels["odoo-platform.stack"],
                        labels: args.labels,
                        role: "data-step",
                        timeoutSeconds: 6 * 3600,
                        pod: refreshPodSpec({
                            image: args.image,
                            args: steps.apply((all) => all[step]),
                            secret: secret.metadata.name,
                            envNames: Object.keys(env).sort(),
                            claim: args.claim,
                            snapshot: pulumi.output(args.snapshotUri).apply((uri) => uri ?? "none"),
                        }),
                    }),
                },
                { ...child, dependsOn: previous },
            );
            previous = [last];
        }
        this.ready = last!;
        this.registerOutputs({});
    }
}

export { adminPasswordFile };
