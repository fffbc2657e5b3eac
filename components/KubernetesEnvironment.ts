/**
 * One Odoo environment on an existing Kubernetes cluster (odoo-platform:runtime kubernetes): the
 * objects components/kubernetesObjects.ts builds, created in the stack's namespace in this order —
 * ConfigMap and Secret, the filestore claim, the init/update Job, then the Deployments (which wait
 * for the Job: Pulumi's await logic fails the deploy when the Job fails, and the previous pods keep
 * serving), the Service, the Ingress, and where the stage scales out (production) the
 * HorizontalPodAutoscaler and the PodDisruptionBudget. What the stage decides comes in the
 * arguments, from the stage profile (config/stageProfile.ts); the stage's name is only ODOO_STAGE.
 *
 * Provider: https://www.pulumi.com/registry/packages/kubernetes/
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { type EnvironmentNames, isDnsLabel, isPinnedByDigest, isPostgresIdentifier } from "../config/naming";
import type { Stage } from "../config/stage";
import type { EnvironmentDecisions } from "../config/stageProfile";
import {
    ContainerResources,
    confFile,
    dataDir,
    ingressAnnotations,
    jobAwaitAnnotations,
    jobSpec,
    kubernetesCronThreads,
    objectLabels,
    odooDeploymentSpec,
    odooHpaSpec,
    odooIngressSpec,
    odooPdbSpec,
    odooPodSpec,
    odooServiceSpec,
    resourceProblems,
    scriptsDir,
    secretOptionsText,
    secretPlaceholder,
    secretsDir,
    splitOdooConf,
} from "./kubernetesObjects";
import { odooCommandLine, renderOdooConf } from "./odooConf";
import { postInitPython, PrepareModules, prepareScript } from "./odooInit";
import { stepScript, stepScriptPath, updateStepCommand } from "./odooSteps";

export const adminLogin = "admin";
const adminPasswordFile = `${secretsDir}/admin-password`;

export interface KubernetesDatabase {
    host: pulumi.Input<string>;
    port: number;
    /** Odoo's role (a plain string: it goes on Odoo's command line). */
    user: string;
    password: pulumi.Input<string>;
    sslMode: string;
    /** CA of the server's certificate (PEM) for verify-ca / verify-full; `system` for the image's bundle. */
    sslRootCert?: string;
    name: string;
}

export interface KubernetesEnvironmentArgs {
    /** The stage's name: ODOO_STAGE. What the stage decides is in `decisions` and `scalesOut`. */
    stage: Stage;
    /** What the stage decides (config/stageProfile.ts): crons (the cron Deployment), noindex, image build, isolation, demo data. */
    decisions: EnvironmentDecisions;
    /** The HTTP Deployment gets a HorizontalPodAutoscaler and a PodDisruptionBudget (the profile's kubernetes.scalesOut). */
    scalesOut: boolean;
    names: EnvironmentNames;
    namespace: pulumi.Input<string>;
    /** Stage/stack/git-SHA labels. */
    labels: Record<string, string>;
    image: string;
    addonsPath: string[];
    workers: number;
    replicas: number;
    maxReplicas: number;
    resources: ContainerResources;
    database: KubernetesDatabase;
    /** Where mail goes: the namespace's Mailpit outside production, the real relay in production. */
    smtp: { host: string; port: number; user?: string; password?: pulumi.Input<string> };
    adminPassword?: pulumi.Input<string>;
    extraEnv?: Record<string, string>;
    secretEnv?: Record<string, pulumi.Input<string>>;
    /** Environment of a non-production pod: the egress proxy is its only way out. */
    proxyEnv?: Record<string, string>;
    conf?: {
        serverWideModules?: string[];
        extraOptions?: Record<string, string | number | boolean>;
        sections?: Record<string, Record<string, string | number | boolean>>;
    };
    cronThreads: number;
    ingress: { className: string; issuer?: string };
    /** The filestore and sessions claim (components/StackNamespace.ts). */
    claim: pulumi.Input<string>;
    /** install: a database of the environment's own (PR); update: the checksum-driven module update (staging/production). */
    init: { kind: "install"; modules: PrepareModules; baseUrl: string } | { kind: "update"; install: string[]; exclude: string[]; baseUrl: string };
    /** What must be done before the init Job runs (database created, refresh swapped). */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class KubernetesEnvironment extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;
    public readonly databaseName: pulumi.Output<string>;
    public readonly adminLoginPassword: pulumi.Output<string>;
    public readonly deploymentName: pulumi.Output<string>;
    public readonly claimName: pulumi.Output<string>;
    public readonly initJobName: pulumi.Output<string>;

    constructor(name: string, args: KubernetesEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): refused args register nothing, not even the component.
        validateKubernetesEnvironmentArgs(args);
        super("odoo-platform:kubernetes:KubernetesEnvironment", name, {}, opts);
        const child = { parent: this };
        const stack = args.labels["odoo-platform.stack"];
        const meta = (role: string, extra: Record<string, pulumi.Input<string>> = {}) => ({
            namespace: args.namespace,
            labels: objectLabels(args.labels, role),
            annotations: Object.keys(extra).length ? extra : undefined,
        });

        const master = args.adminPassword ?? new random.RandomPassword(`${name}-master-password`, { length: 32, special: false }, child).result;
        const loginPassword = new random.RandomPassword(`${name}-admin-login-password`, { length: 24, special: false }, child).result;

        const smtpSsl = args.smtp.port === 465;
        const conf = pulumi.output(args.database.host).apply((host) =>
            splitOdooConf(
                renderOdooConf({
                    decisions: args.decisions,
                    addonsPath: args.addonsPath,
                    database: {
                        host,
                        port: args.database.port,
                        user: args.database.user,
                        password: secretPlaceholder,
                        name: args.database.name,
                        sslMode: args.database.sslMode,
                    },
                    adminPassword: secretPlaceholder,
                    workers: args.workers,
                    memoryMb: args.resources.memoryMb,
                    smtp: {
                        host: args.smtp.host,
                        port: args.smtp.port,
                        user: args.smtp.user,
                        password: args.smtp.password ? secretPlaceholder : undefined,
                        ssl: smtpSsl,
                    },
                    dataDir,
                    serverWideModules: args.conf?.serverWideModules,
                    extraOptions: args.conf?.extraOptions,
                    sections: args.conf?.sections,
                    roleOptions: { max_cron_threads: 0 },
                }),
            ),
        );
        const commandLine = (cronThreads: number) =>
            pulumi.output(args.database.host).apply((host) => [
                "odoo",
                `--config=${confFile}`,
                ...odooCommandLine({
                    addonsPath: args.addonsPath,
                    database: { host, port: args.database.port, user: args.database.user, name: args.database.name, sslMode: args.database.sslMode },
                    smtp: { host: args.smtp.host, port: args.smtp.port, user: args.smtp.user, ssl: smtpSsl },
                    cronThreads,
                }),
            ]);

        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-conf`,
            {
                metadata: meta("odoo"),
                data: {
                    "options.conf": conf.apply((c) => c.options),
                    "sections.conf": conf.apply((c) => c.sections),
                    ...(args.database.sslRootCert && args.database.sslRootCert !== "system" ? { "db-root.crt": args.database.sslRootCert } : {}),
                },
            },
            child,
        );
        const secretValues: Record<string, pulumi.Input<string>> = { admin_passwd: master, db_password: args.database.password };
        if (args.smtp.password) secretValues.smtp_password = args.smtp.password;
        const secret = new k8s.core.v1.Secret(
            `${name}-secrets`,
            {
                metadata: meta("odoo"),
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi
                        .all([pulumi.all(secretValues), loginPassword])
                        .apply(([values, login]) => ({ "options.conf": secretOptionsText(values as Record<string, string>), "admin-password": login })),
                ),
            },
            child,
        );
        const envSecret = Object.keys(args.secretEnv ?? {}).length
            ? new k8s.core.v1.Secret(`${name}-env`, { metadata: meta("odoo"), type: "Opaque", stringData: pulumi.secret(pulumi.all(args.secretEnv!)) }, child)
            : undefined;

        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "ODOO_STAGE", value: args.stage },
            ...Object.entries(args.extraEnv ?? {}).map(([n, value]) => ({ name: n, value })),
            ...Object.entries(args.proxyEnv ?? {}).map(([n, value]) => ({ name: n, value })),
            ...Object.keys(args.secretEnv ?? {}).map((n) => ({ name: n, valueFrom: { secretKeyRef: { name: envSecret!.metadata.name, key: n } } })),
        ];
        if (args.database.sslRootCert === "system") env.push({ name: "PGSSLROOTCERT", value: "/etc/ssl/certs/ca-certificates.crt" });
        else if (args.database.sslRootCert) env.push({ name: "PGSSLROOTCERT", value: `${scriptsDir}/db-root.crt` });

        // The scripts the init Job runs, and odoo_steps.py: a change to them re-runs it.
        const scripts = new k8s.core.v1.ConfigMap(
            `${name}-scripts`,
            {
                metadata: meta("odoo-init"),
                data: initScripts(args),
            },
            child,
        );
        const podBase = {
            stack,
            labels: args.labels,
            image: args.image,
            resources: args.resources,
            configMap: configMap.metadata.name,
            secret: secret.metadata.name,
            claim: args.claim,
            env,
        };
        const initCommand = commandLine(0).apply((odoo) => initJobCommand(args, odoo.slice(2)));
        const initJob = new k8s.batch.v1.Job(
            `${name}-init`,
            {
                metadata: meta("odoo-init", jobAwaitAnnotations),
                spec: jobSpec({
                    stack,
                    labels: args.labels,
                    role: "odoo-init",
                    timeoutSeconds: 3600,
                    pod: odooPodSpec({
                        ...podBase,
                        role: "init",
                        command: initCommand,
                        serves: false,
                        scripts: scripts.metadata.name,
                        asRoot: args.init.kind === "install",
                    }),
                }),
            },
            { ...child, dependsOn: args.dependsOn },
        );

        // The ConfigMap and the Secret are auto-named, so the provider replaces them when their data
        // changes: the new name reaches the pod templates and the Deployments roll.
        const http = new k8s.apps.v1.Deployment(
            `${name}-http`,
            {
                metadata: meta("odoo"),
                spec: odooDeploymentSpec({ ...podBase, role: "http", replicas: args.replicas, command: commandLine(0), serves: true }),
            },
            { ...child, dependsOn: [initJob] },
        );
        if (args.decisions.runsCrons) {
            new k8s.apps.v1.Deployment(
                `${name}-cron`,
                {
                    metadata: meta("odoo-cron"),
                    spec: odooDeploymentSpec({
                        ...podBase,
                        role: "cron",
                        replicas: 1,
                        command: commandLine(kubernetesCronThreads(args.decisions.runsCrons, args.cronThreads)).apply((c) => [
                            ...c,
                            "--no-http",
                            "--workers=0",
                        ]),
                        serves: false,
                    }),
                },
                { ...child, dependsOn: [initJob] },
            );
        }
        const service = new k8s.core.v1.Service(`${name}-http`, { metadata: meta("odoo"), spec: odooServiceSpec(stack) }, child);
        const tlsSecret = args.ingress.issuer ? `${args.names.prefix}-tls` : undefined;
        new k8s.networking.v1.Ingress(
            `${name}-ingress`,
            {
                metadata: { ...meta("odoo"), annotations: ingressAnnotations({ ...args.ingress, noIndex: args.decisions.noIndex }) },
                spec: odooIngressSpec({
                    className: args.ingress.className,
                    host: args.names.host,
                    service: service.metadata.name,
                    issuer: args.ingress.issuer,
                    tlsSecret,
                    noIndex: args.decisions.noIndex,
                }),
            },
            child,
        );
        if (args.scalesOut) {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-http`,
                {
                    metadata: meta("odoo"),
                    spec: odooHpaSpec({ deployment: http.metadata.name, min: args.replicas, max: args.maxReplicas }),
                },
                child,
            );
            new k8s.policy.v1.PodDisruptionBudget(`${name}-http`, { metadata: meta("odoo"), spec: odooPdbSpec(stack) }, child);
        }

        this.url = pulumi.output(`https://${args.names.host}`);
        this.databaseName = pulumi.output(args.database.name);
        this.adminLoginPassword = pulumi.secret(loginPassword);
        this.deploymentName = http.metadata.name;
        this.claimName = pulumi.output(args.claim);
        this.initJobName = initJob.metadata.name;
        this.registerOutputs({
            url: this.url,
            databaseName: this.databaseName,
            deploymentName: this.deploymentName,
            claimName: this.claimName,
            initJobName: this.initJobName,
        });
    }
}

/** The scripts ConfigMap's data: prepare.sh and post-init.py (install) or odoo_steps.py (update). */
export function initScripts(args: Pick<KubernetesEnvironmentArgs, "init" | "database" | "addonsPath">): Record<string, string> {
    const data: Record<string, string> = { "post-init.py": postInitPython({ baseUrl: args.init.baseUrl }) };
    if (args.database.sslRootCert && args.database.sslRootCert !== "system") data["db-root.crt"] = args.database.sslRootCert;
    if (args.init.kind === "install") {
        data["prepare.sh"] = prepareScript({
            dataDir,
            initialize: {
                confPath: confFile,
                database: args.database.name,
                addonsDirs: args.addonsPath,
                modules: args.init.modules,
                // A copy of the Secret's file: the prepare script removes it after use.
                passwordFile: "/tmp/admin-password",
                postInitScript: `${scriptsDir}/post-init.py`,
            },
        });
    } else {
        data["odoo_steps.py"] = stepScript();
    }
    return data;
}

/**
 * The init Job's argument vector. Install: the prepare script (volumes handed to odoo, base and the
 * selection installed, the admin login password set from the Secret's file). Update: the module
 * update, then the admin login password set from the same file — never an argument or a variable
 * of the pod spec.
 */
export function initJobCommand(args: Pick<KubernetesEnvironmentArgs, "init" | "database">, odooOptions: string[]): string[] {
    const quoted = odooOptions.map((o) => `'${o.replace(/'/g, `'\\''`)}'`).join(" ");
    if (args.init.kind === "install") {
        return [
            "bash",
            "-c",
            `set -euo pipefail; mkdir -p ${dataDir}/filestore ${dataDir}/sessions; install -m 600 ${adminPasswordFile} /tmp/admin-password; exec bash ${scriptsDir}/prepare.sh ${quoted}`,
        ];
    }
    const update = updateStepCommand({
        confPath: confFile,
        database: args.database.name,
        install: args.init.install,
        exclude: args.init.exclude,
        odooOptions,
    }).map((a) => (a === stepScriptPath ? `${scriptsDir}/odoo_steps.py` : a));
    const updateLine = update.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    return [
        "bash",
        "-c",
        `set -euo pipefail; ${updateLine}; ODOO_ADMIN_LOGIN_PASSWORD="$(cat ${adminPasswordFile})" odoo shell --config=${confFile} ${quoted} -d '${args.database.name}' --no-http < ${scriptsDir}/post-init.py`,
    ];
}

/**
 * Throws on args the environment cannot be built from, naming the field and its fix. Pure: the
 * constructor calls it before super(). A namespace that is an Output (the StackNamespace's) is
 * checked by that component.
 */
export function validateKubernetesEnvironmentArgs(args: KubernetesEnvironmentArgs): void {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`KubernetesEnvironmentArgs.${field}: ${why}; fix: ${fix}`);
    };
    if (!args.decisions) fail("decisions", "is required", "pass the stage profile's environment decisions (config/stageProfile.ts)");
    if (!args.labels?.["odoo-platform.stack"])
        fail("labels", "must carry the stack label odoo-platform.stack (it selects the pods)", "build them with resourceLabels() (config/naming.ts)");
    // A namespace name is a lower-case DNS label (RFC 1123).
    if (typeof args.namespace === "string" && !(isDnsLabel(args.namespace) && args.namespace === args.namespace.toLowerCase()))
        fail("namespace", `must be a Kubernetes namespace name, got "${args.namespace}"`, "set odoo-platform:kubernetesNamespace to a DNS label (a-z, 0-9, -)");
    if (!args.namespace) fail("namespace", "is required", "pass the StackNamespace's name");
    if (!args.names?.host) fail("names.host", "is required (the Ingress routes it)", "pass environmentNames() of the stack (config/naming.ts)");
    // A stage that does not build its image runs one pulled by digest (config/stageProfile.ts buildsImage).
    if (!args.decisions.buildsImage && !isPinnedByDigest(args.image ?? ""))
        fail("image", `must be pinned by digest in ${args.stage}, got "${args.image}"`, "set odoo-platform:odooImage to <repository>@sha256:<digest>");
    if (!args.addonsPath?.length) fail("addonsPath", "must list at least one directory", "set odoo-platform:addonsPath");
    if (!Number.isInteger(args.workers) || args.workers < 0)
        fail("workers", `must be a whole number of at least 0, got ${args.workers}`, "set odoo-platform:odooWorkers");
    if (!Number.isInteger(args.replicas) || args.replicas < 1)
        fail("replicas", `must be a whole number of at least 1, got ${args.replicas}`, "set odoo-platform:odooReplicas");
    // The autoscaler's maximum below its minimum is refused by the API server at deploy time.
    if (args.scalesOut && !(Number.isInteger(args.maxReplicas) && args.maxReplicas >= args.replicas))
        fail(
            "maxReplicas",
            `must be a whole number of at least replicas (${args.replicas}), got ${args.maxReplicas}`,
            "raise odoo-platform:odooMaxReplicas or lower odooReplicas",
        );
    if (!Number.isInteger(args.cronThreads) || args.cronThreads < 0)
        fail("cronThreads", `must be a whole number of at least 0, got ${args.cronThreads}`, "set odoo-platform:odooCronThreads");
    if (!args.resources) fail("resources", "is required", "pass the stage profile's container resources");
    for (const problem of resourceProblems(args.resources)) fail(`resources.${problem.field}`, problem.why, problem.fix);
    if (!args.claim)
        fail(
            "claim",
            "is required: the filestore and sessions live on a ReadWriteMany claim",
            "pass the StackNamespace's claimName (odoo-platform:storageClass)",
        );
    if (!args.database?.host) fail("database.host", "is required", "pass the stage's database server (odoo-platform:dbHost, or the RDS instance's address)");
    if (!isPostgresIdentifier(args.database.name ?? ""))
        fail("database.name", `must be a lower-case PostgreSQL identifier, got "${args.database.name}"`, "pass environmentNames().database");
    if (!Number.isInteger(args.database.port) || args.database.port < 1 || args.database.port > 65535)
        fail("database.port", `must be a TCP port, got ${args.database.port}`, "set odoo-platform:dbPort");
    if (!args.smtp?.host || !Number.isInteger(args.smtp.port) || args.smtp.port < 1 || args.smtp.port > 65535)
        fail(
            "smtp",
            `must name a host and a TCP port, got ${JSON.stringify(args.smtp)}`,
            "set odoo-platform:smtpHost and smtpPort (the namespace's Mailpit outside production)",
        );
    if (args.decisions.isolated && args.smtp.password !== undefined)
        fail(
            "smtp.password",
            "must be unset in an isolated (non-production) environment: its mail goes to the namespace's mail catcher, not a relay",
            "drop the relay settings; pass the StackNamespace's mailCatcher",
        );
    if (!args.ingress?.className) fail("ingress.className", "is required", "set odoo-platform:ingressClass");
}
