/**
 * One Odoo environment on a Docker host — what Odoo.sh calls a build, runbot a running instance:
 *   - the image, built from the repository's Dockerfile for the git SHA (dev/PR) or pulled by
 *     digest (staging/production);
 *   - a private network (internal when the stage isolates it: no route out), named volumes for the
 *     filestore and sessions;
 *   - a PostgreSQL container (dev/PR) or the stage's server reached through a TCP relay;
 *   - Mailpit in every non-production stage — Odoo's only SMTP server — with its UI routed at the
 *     sibling host behind basic auth;
 *   - the egress proxy (an isolated environment's egress): the only way out, for the allow-listed hosts;
 *   - a one-shot prepare container (volume ownership; install/update and admin password in dev/PR);
 *   - the build steps (components/odooSteps.ts): the selected modules' tests in a fresh database
 *     (dev/PR), the checksum-driven module update the new Odoo waits for (staging/production);
 *   - the Odoo container with a generated odoo.conf, ODOO_STAGE, health check, limits, restart policy
 *     and Traefik labels (host route, TLS, websocket route when workers > 0).
 *
 * What the stage decides (isolation, egress, dev mode, crons, demo data, image build, init) comes
 * in the arguments, from the stage profile table (config/stageProfile.ts); the stage's name is only
 * a label here (ODOO_STAGE, the `stage` output).
 *
 * Every container carries the stack's labels plus its `odoo-platform.role`, which the policy packs
 * and dashboards select on. Docker resources: https://www.pulumi.com/registry/packages/docker/api-docs/
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { containerLabels, containerRoles, dockerLabels, EnvironmentNames, stableLabels } from "../config/naming";
import type { Stage } from "../config/stage";
import type { EnvironmentDecisions } from "../config/stageProfile";
import { egressProxyAlias, proxyEnvironment, relayHopName, squidConfig, squidConfigPath, tcpRelayCommand } from "./egress";
import { odooCommandLine, OdooCommandLineInput, renderOdooConf } from "./odooConf";
import { OdooRole, odooRoles } from "./odooRoles";
import { postInitPython, PrepareModules, prepareScript } from "./odooInit";
import { stepFailure, stepLabel, stepScript, stepScriptPath, testDatabaseName, testStepCommand, testStepCreateTimeout, updateStepCommand } from "./odooSteps";
import {
    EdgeEndpoint,
    htpasswdLine,
    mailCatcherPasswordArgs,
    mailCatcherRoutingLabels,
    mailCatcherUser,
    odooGeventPort,
    odooHttpPort,
    odooRoutingLabels,
    publicUrl,
} from "./routing";

export { odooGeventPort, odooHttpPort };
/** Ports, paths and images of the services an environment runs. */
export const mailpitSmtpPort = 1025;
export const mailpitUiPort = 8025;
export const mailpitImage = "axllent/mailpit:v1.21";
export const egressProxyImage = "ubuntu/squid:6.6-24.04_edge";
export const tcpRelayImage = "alpine/socat:1.8.0.0";
export const odooDataDir = "/var/lib/odoo";
export const odooConfPath = "/etc/odoo/odoo.conf";
/** Where the database server's CA certificate is uploaded (libpq reads it through PGSSLROOTCERT). */
export const dbRootCertPath = "/etc/odoo-platform/db-root.crt";
/** The image's own CA bundle (Debian's ca-certificates, which the Odoo image installs). */
export const systemCaBundle = "/etc/ssl/certs/ca-certificates.crt";
/** Label carrying the prepare step's exit code: it makes Odoo wait for a successful prepare. */
export const preparedLabel = "odoo-platform.prepared";
/** Label carrying the database steps' result ("0"): the prepare step starts only on a ready database. */
export const databaseReadyLabel = "odoo-platform.database-ready";
/** Login of the administrator a dev/PR database is created with. */
export const adminLogin = "admin";
export { mailCatcherUser };

const prepareScriptPath = "/opt/odoo-platform/prepare.sh";
const postInitPath = "/opt/odoo-platform/post-init.py";
const adminPasswordPath = "/opt/odoo-platform/admin-password";

export type DatabaseTarget =
    /** A PostgreSQL container of the environment's own (dev and PR stacks). */
    | { kind: "container"; image: string; slowQueryMs: number }
    /** The stage's PostgreSQL server; `ready` must complete before Odoo starts (restore → neutralize → verify). */
    | {
          kind: "server";
          host: string;
          port: number;
          user: pulumi.Input<string>;
          /** The same role name as a plain string (it goes on Odoo's command line, known to a preview). */
          knownUser: string;
          password: pulumi.Input<string>;
          sslMode: string;
          /** CA of the server's certificate (verify-ca / verify-full): PEM, or "system" for the image's bundle. */
          sslRootCert?: string;
          ready?: pulumi.Input<pulumi.Resource>[];
          /** "0" once the database is ready (NeutralizedDatabase.gate): the prepare step waits for it. */
          readyGate?: pulumi.Input<string>;
      };

/**
 * How modules reach the database: the prepare step installs them on a database of the
 * environment's own (and sets the admin login), or the update step updates those whose checksum
 * changed on the stage's server before the new Odoo serves (components/odooSteps.ts).
 */
export type EnvironmentInit =
    /** Modules the prepare step installs; base only when unset. */
    { kind: "install"; modules?: PrepareModules } | { kind: "update"; install: string[]; exclude: string[] };

export interface OdooEnvironmentArgs {
    /** The stage's name: ODOO_STAGE and the `stage` output. What the stage decides is in `decisions`. */
    stage: Stage;
    /** What the stage decides (config/stageProfile.ts): isolation, egress, dev mode, crons, demo data, image build, noindex. */
    decisions: EnvironmentDecisions;
    names: EnvironmentNames;
    /** Stage/stack/git-SHA labels put on every Docker object. */
    labels: Record<string, string>;
    gitSha: string;
    /** Image to pull (by digest where the stage does not build images) … */
    image: string;
    /** … or a directory whose Dockerfile builds it, tagged with the git SHA (decisions.buildsImage). */
    buildContext?: string;
    addonsPath: string[];
    workers: number;
    memoryMb: number;
    cpus: number;
    extraEnv?: Record<string, string>;
    database: DatabaseTarget;
    /** Run Mailpit and send all mail there. Required outside production (policy `neutralization`). */
    mailCatcher: boolean;
    /** The real relay: production only. */
    smtp?: { host: string; port: number; user?: string; password?: pulumi.Input<string> };
    /** Master password (`admin_passwd`); generated when not given. */
    adminPassword?: pulumi.Input<string>;
    /** Dev mode only: host directory bind-mounted over the first addons path entry, with `--dev=all`. */
    devSourceDir?: string;
    /** The host's router: its edge network, entrypoint and certificate resolver (a StackReference output in PR stacks). */
    edge: pulumi.Input<EdgeEndpoint>;
    /**
     * The edge network as the Network resource's output when this stack owns it: joining it through
     * the output makes the containers depend on the network, so the engine removes them before it.
     */
    edgeNetwork?: pulumi.Input<string>;
    /**
     * Whether the edge terminates TLS: decides the Traefik label keys, which must be known during a
     * preview (policies find the containers by their labels) even when the edge is not.
     */
    edgeTls: boolean;
    /** The environment's filestore and sessions volumes (components/EnvironmentVolumes.ts). */
    volumes: { filestore: pulumi.Input<string>; sessions: pulumi.Input<string> };
    /** Hosts an isolated Odoo may reach through the egress proxy. */
    egressAllowlist: string[];
    /** Odoo series of the stack: a built image's probe (the Dockerfile's ODOO_SERIES) fails the build on another one. */
    odooVersion?: string;
    /** Install on a database of the environment's own (database.kind container), update on the stage's server. */
    init: EnvironmentInit;
    /** Module credentials (odoo-platform:odooSecretEnv): secret in state, never printed. */
    secretEnv?: Record<string, pulumi.Input<string>>;
    /** odoo.conf extensions: server_wide_modules, extra options and sections. */
    conf?: {
        serverWideModules?: string[];
        extraOptions?: Record<string, string | number | boolean>;
        sections?: Record<string, Record<string, string | number | boolean>>;
    };
    /** Separate containers for crons and the queue_job runner (components/odooRoles.ts). */
    roles?: { splitRoles: boolean; cronThreads: number; queueJobRunner: boolean };
    /** Run the selected modules' tests in a one-shot container (components/odooSteps.ts); none when no module. */
    tests?: { modules: string[]; tags: string[]; timeoutMinutes: number };
}

export class OdooEnvironment extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;
    public readonly mailCatcherUrl: pulumi.Output<string | null>;
    public readonly databaseName: pulumi.Output<string>;
    public readonly imageReference: pulumi.Output<string>;
    public readonly imageDigest: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;
    public readonly stage: pulumi.Output<Stage>;
    public readonly gitSha: pulumi.Output<string>;
    /** Login of the administrator (dev/PR: the database is ours); null where users are real. */
    public readonly adminLogin: pulumi.Output<string | null>;
    /** Its password (secret); null outside dev/PR. */
    public readonly adminLoginPassword: pulumi.Output<string | null>;
    /** Password of the mail catcher UI (secret, user `mail`); null without a mail catcher. */
    public readonly mailCatcherPassword: pulumi.Output<string | null>;
    /** The build's test step: its container (whose log is the test log), exit code and database; null without one. */
    public readonly tests: pulumi.Output<{ container: string; exitCode: number | null; database: string; modules: string[]; tags: string } | null>;
    /** Container of the module update step; null without one. */
    public readonly updateContainerName: pulumi.Output<string | null>;

    constructor(name: string, args: OdooEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        validateArgs(args);
        super("odoo-platform:environment:OdooEnvironment", name, {}, opts);
        const { names, stage, decisions } = args;
        const isolated = decisions.isolated;
        const labels = dockerLabels(stableLabels(args.labels));
        const child = { parent: this };
        // Docker names are fixed per stack: a replacement must delete the old object first.
        const named = { parent: this, deleteBeforeReplace: true };
        const roleLabels = (role: Parameters<typeof containerLabels>[1], extra?: Record<string, string>) => containerLabels(args.labels, role, extra);
        const edge = pulumi.output(args.edge);
        const edgeNetwork = args.edgeNetwork ?? edge.network;
        const baseUrl = edge.apply((e) => publicUrl(names.host, e));

        // --- Networks and volumes.
        const internalNetwork = new docker.Network(
            `${name}-internal`,
            {
                name: names.networks.internal,
                // An isolated environment has no route out: whatever neutralization missed still cannot
                // reach a real API. Otherwise (production) the network is an ordinary bridge.
                internal: isolated,
                labels,
            },
            named,
        );
        // The isolated network's way out: the egress proxy's and the database relay's other network.
        const egressNetwork =
            isolated && (decisions.egress === "allowlist-proxy" || args.database.kind === "server")
                ? new docker.Network(`${name}-egress`, { name: names.networks.egress, internal: false, labels }, named)
                : undefined;

        // --- The image.
        let imageReference: pulumi.Output<string>;
        let imageDigest: pulumi.Output<string>;
        if (args.buildContext) {
            const built = new docker.Image(
                `${name}-image`,
                {
                    imageName: `odoo-platform/${names.prefix}:${args.gitSha}`,
                    build: {
                        context: args.buildContext,
                        dockerfile: `${args.buildContext}/Dockerfile`,
                        platform: "linux/amd64",
                        builderVersion: "BuilderBuildKit",
                        args: { GIT_SHA: args.gitSha, ...(args.odooVersion ? { ODOO_SERIES: args.odooVersion } : {}) },
                    },
                    skipPush: true,
                    buildOnPreview: false,
                },
                child,
            );
            imageReference = built.imageName;
            // For a local build, the image ID (sha256:…): unique per build.
            imageDigest = built.repoDigest;
        } else {
            const pulled = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true, platform: "linux/amd64" }, child);
            imageReference = pulled.name;
            imageDigest = pulled.repoDigest;
        }
        const runImage = imageDigest.apply((digest) => digest || args.image);

        const masterPassword = args.adminPassword ?? new random.RandomPassword(`${name}-master-password`, { length: 32, special: false }, child).result;

        // --- Database.
        const odooDependsOn: pulumi.Input<pulumi.Resource>[] = [];
        const noProxy = ["odoo", "mailpit"];
        let db: {
            host: pulumi.Input<string>;
            port: number;
            user: pulumi.Input<string>;
            password: pulumi.Input<string>;
            sslMode: string;
            knownHost: string;
            knownUser: string;
        };
        if (args.database.kind === "container") {
            const ownerPassword = new random.RandomPassword(`${name}-db-password`, { length: 32, special: false }, child);
            const pgData = new docker.Volume(`${name}-pgdata`, { name: names.volumes.postgresData, labels }, named);
            const postgres = new docker.Container(
                `${name}-postgres`,
                {
                    name: names.containers.postgres,
                    image: args.database.image,
                    // The password reaches the server as a file, so `docker inspect` does not show it.
                    envs: [
                        `POSTGRES_DB=${names.database}`,
                        `POSTGRES_USER=${names.databaseOwner}`,
                        "POSTGRES_PASSWORD_FILE=/run/odoo-platform/postgres-password",
                    ],
                    uploads: [{ file: "/run/odoo-platform/postgres-password", content: ownerPassword.result, permissions: "0444" }],
                    command: ["postgres", "-c", `log_min_duration_statement=${args.database.slowQueryMs}`],
                    volumes: [{ volumeName: pgData.name, containerPath: "/var/lib/postgresql/data" }],
                    networksAdvanced: [{ name: internalNetwork.name, aliases: ["db"] }],
                    healthcheck: {
                        tests: ["CMD-SHELL", `pg_isready -U ${names.databaseOwner} -d ${names.database}`],
                        interval: "5s",
                        timeout: "3s",
                        retries: 10,
                    },
                    memory: 1024,
                    cpus: "1",
                    shmSize: 256,
                    restart: "unless-stopped",
                    wait: true,
                    labels: roleLabels(containerRoles.postgres),
                },
                named,
            );
            db = {
                host: "db",
                port: 5432,
                user: names.databaseOwner,
                password: ownerPassword.result,
                sslMode: "disable",
                knownHost: "db",
                knownUser: names.databaseOwner,
            };
            noProxy.push("db");
            odooDependsOn.push(postgres);
        } else {
            const target = args.database;
            db = {
                host: target.host,
                port: target.port,
                user: target.user,
                password: target.password,
                sslMode: target.sslMode,
                knownHost: target.host,
                knownUser: target.knownUser,
            };
            odooDependsOn.push(...(target.ready ?? []));
            if (egressNetwork) {
                // Odoo has no route out: the database server is reached through a relay answering to
                // the server's own name on the internal network (TLS verification still holds). That
                // alias would also answer the relay's own lookup of the server — Docker's DNS resolves
                // aliases on every network a container is on — so the relay forwards to a second hop
                // on the egress network only, which resolves the name through the host's DNS.
                const hop = relayHopName(names.prefix);
                const outbound = new docker.Container(
                    `${name}-db-egress`,
                    {
                        name: hop,
                        image: tcpRelayImage,
                        command: tcpRelayCommand(target.host, target.port),
                        networksAdvanced: [{ name: egressNetwork.name }],
                        memory: 64,
                        cpus: "0.25",
                        restart: "unless-stopped",
                        securityOpts: ["no-new-privileges:true"],
                        labels: roleLabels(containerRoles.egressProxy),
                    },
                    named,
                );
                const relay = new docker.Container(
                    `${name}-db-relay`,
                    {
                        name: `${names.prefix}-db-relay`,
                        image: tcpRelayImage,
                        command: tcpRelayCommand(hop, target.port),
                        networksAdvanced: [{ name: internalNetwork.name, aliases: [target.host] }, { name: egressNetwork.name }],
                        memory: 64,
                        cpus: "0.25",
                        restart: "unless-stopped",
                        securityOpts: ["no-new-privileges:true"],
                        labels: roleLabels(containerRoles.egressProxy),
                    },
                    { ...named, dependsOn: [outbound] },
                );
                noProxy.push(target.host);
                odooDependsOn.push(relay);
            }
        }

        // --- Mail: Mailpit outside production, the real relay in production.
        let mailCatcherUrl: pulumi.Output<string | null> = pulumi.output(null);
        let mailCatcherPassword: pulumi.Output<string | null> = pulumi.output(null);
        let smtp: { host: string; port: number; user?: string; password?: pulumi.Input<string>; ssl: boolean };
        if (args.mailCatcher) {
            const uiPassword = new random.RandomPassword(`${name}-mail-ui-password`, { ...mailCatcherPasswordArgs }, child);
            const mailRoute = { name: `${names.prefix}-mail`, host: names.mailHost, port: mailpitUiPort };
            const mailRouting = knownKeyLabels(
                roleLabels(containerRoles.mailCatcher),
                mailCatcherRoutingLabels({ ...mailRoute, basicAuthUsers: "-" }, edgeTemplate(args.edgeTls)),
                pulumi
                    .all([edge, pulumi.unsecret(uiPassword.bcryptHash)])
                    .apply(([e, hash]) => mailCatcherRoutingLabels({ ...mailRoute, basicAuthUsers: htpasswdLine(mailCatcherUser, hash) }, e)),
            );
            const mailpit = new docker.Container(
                `${name}-mailpit`,
                {
                    name: names.containers.mailCatcher,
                    image: mailpitImage,
                    // Accepts any SMTP login so Odoo's configured credentials (if any) never bounce; relays nothing.
                    envs: ["MP_SMTP_AUTH_ACCEPT_ANY=1", "MP_SMTP_AUTH_ALLOW_INSECURE=1", "MP_MAX_MESSAGES=5000"],
                    networksAdvanced: [{ name: internalNetwork.name, aliases: ["mailpit"] }, { name: edgeNetwork }],
                    healthcheck: { tests: ["CMD", "/mailpit", "readyz"], interval: "15s", timeout: "5s", retries: 3 },
                    memory: 128,
                    cpus: "0.25",
                    restart: "unless-stopped",
                    securityOpts: ["no-new-privileges:true"],
                    labels: mailRouting,
                },
                named,
            );
            odooDependsOn.push(mailpit);
            smtp = { host: "mailpit", port: mailpitSmtpPort, ssl: false };
            mailCatcherUrl = edge.apply((e) => publicUrl(names.mailHost, e));
            mailCatcherPassword = pulumi.secret(uiPassword.result);
        } else {
            // Without a relay Odoo falls back to its own default, localhost:25 (which the policies flag).
            smtp = args.smtp ? { ...args.smtp, ssl: args.smtp.port === 465 } : { host: "localhost", port: 25, ssl: false };
        }

        // --- Egress: the allow-list proxy is an isolated Odoo's only way out.
        const proxyEnv: string[] = [];
        if (decisions.egress === "allowlist-proxy" && egressNetwork) {
            const proxy = new docker.Container(
                `${name}-egress-proxy`,
                {
                    name: names.containers.egressProxy,
                    image: egressProxyImage,
                    uploads: [{ file: squidConfigPath, content: squidConfig(args.egressAllowlist) }],
                    networksAdvanced: [{ name: internalNetwork.name, aliases: [egressProxyAlias] }, { name: egressNetwork.name }],
                    memory: 128,
                    cpus: "0.25",
                    restart: "unless-stopped",
                    securityOpts: ["no-new-privileges:true"],
                    labels: roleLabels(containerRoles.egressProxy),
                },
                named,
            );
            proxyEnv.push(...proxyEnvironment(noProxy));
            odooDependsOn.push(proxy);
        }

        // --- odoo.conf (secret: it holds the database and master passwords).
        const roles = odooRoles({
            runsCrons: decisions.runsCrons,
            devMode: decisions.devMode,
            confPath: odooConfPath,
            workers: args.workers,
            splitRoles: args.roles?.splitRoles ?? false,
            cronThreads: args.roles?.cronThreads ?? 2,
            queueJobRunner: args.roles?.queueJobRunner ?? false,
        });
        const confFor = (role: (typeof roles)[number]) =>
            pulumi.all([db.host, db.user, db.password, masterPassword, smtp.password]).apply(([host, user, password, master, smtpPassword]) =>
                renderOdooConf({
                    decisions,
                    addonsPath: args.addonsPath,
                    database: { host, port: db.port, user, password, name: names.database, sslMode: db.sslMode },
                    adminPassword: master,
                    workers: args.workers,
                    memoryMb: args.memoryMb,
                    smtp: { host: smtp.host, port: smtp.port, user: smtp.user, password: smtpPassword, ssl: smtp.ssl },
                    dataDir: odooDataDir,
                    serverWideModules: args.conf?.serverWideModules,
                    extraOptions: args.conf?.extraOptions,
                    sections: mergeSections(args.conf?.sections ?? {}, role.sections),
                    roleOptions: role.options,
                }),
            );
        const confUpload: docker.types.input.ContainerUpload = { file: odooConfPath, content: pulumi.secret(confFor(roles[0])) };
        const dataVolumes: docker.types.input.ContainerVolume[] = [
            { volumeName: args.volumes.filestore, containerPath: `${odooDataDir}/filestore` },
            { volumeName: args.volumes.sessions, containerPath: `${odooDataDir}/sessions` },
        ];
        // The options the policies judge, known to every preview (see odooCommandLine), per process.
        const cliInput: Omit<OdooCommandLineInput, "cronThreads"> = {
            addonsPath: args.addonsPath,
            database: { host: db.knownHost, port: db.port, user: db.knownUser, name: names.database, sslMode: db.sslMode },
            smtp: { host: smtp.host, port: smtp.port, user: smtp.user, ssl: smtp.ssl },
        };
        const optionsFor = (role: OdooRole) => odooCommandLine({ ...cliInput, cronThreads: Number(role.options.max_cron_threads ?? 0) });
        const odooOptions = optionsFor(roles[0]);
        // libpq checks the server's certificate against this CA (verify-ca / verify-full).
        const tlsEnv: string[] = [];
        const tlsUploads: docker.types.input.ContainerUpload[] = [];
        // Set exactly when the server is verified: validateArgs refuses verify-* without it.
        const cert = args.database.kind === "server" && /^verify-/.test(args.database.sslMode) ? args.database.sslRootCert : undefined;
        if (cert) {
            if (cert === "system") tlsEnv.push(`PGSSLROOTCERT=${systemCaBundle}`);
            else {
                tlsEnv.push(`PGSSLROOTCERT=${dbRootCertPath}`);
                tlsUploads.push({ file: dbRootCertPath, content: cert, permissions: "0444" });
            }
        }
        const sourceVolumes: docker.types.input.ContainerVolume[] =
            decisions.devMode && args.devSourceDir ? [{ hostPath: args.devSourceDir, containerPath: args.addonsPath[0] }] : [];

        // --- Prepare: volume ownership in every stage; install + admin password on a database of its own.
        let adminLoginPassword: pulumi.Output<string | null> = pulumi.output(null);
        const prepareUploads: pulumi.Input<docker.types.input.ContainerUpload>[] = [];
        let initialize: Parameters<typeof prepareScript>[0]["initialize"];
        if (args.init.kind === "install") {
            const loginPassword = new random.RandomPassword(`${name}-admin-login-password`, { length: 24, special: false }, child);
            adminLoginPassword = pulumi.secret(loginPassword.result);
            initialize = {
                confPath: odooConfPath,
                database: names.database,
                addonsDirs: args.addonsPath,
                modules: args.init.modules ?? { install: [], unverified: {}, excluded: [], missingDependencies: "exclude" },
                passwordFile: adminPasswordPath,
                postInitScript: postInitPath,
            };
            prepareUploads.push(
                confUpload,
                { file: adminPasswordPath, content: pulumi.secret(loginPassword.result), permissions: "0400" },
                { file: postInitPath, content: baseUrl.apply((url) => postInitPython({ baseUrl: url })) },
            );
        }
        prepareUploads.push({ file: prepareScriptPath, content: prepareScript({ dataDir: odooDataDir, initialize }), executable: true });
        const prepare = new docker.Container(
            `${name}-prepare`,
            {
                name: `${names.prefix}-prepare`,
                image: runImage,
                // Root only to hand the volumes to `odoo`; Odoo itself runs as `odoo` (runuser).
                user: "root",
                entrypoints: ["/bin/bash"],
                command: [prepareScriptPath, ...odooOptions],
                envs: [...proxyEnv, ...tlsEnv],
                uploads: [...prepareUploads, ...tlsUploads],
                volumes: [...dataVolumes, ...sourceVolumes],
                networksAdvanced: [{ name: internalNetwork.name }],
                mustRun: false,
                attach: true,
                logs: true,
                restart: "no",
                memory: args.memoryMb,
                cpus: String(args.cpus),
                labels: [
                    ...roleLabels(containerRoles.odooInit),
                    ...(args.database.kind === "server" && args.database.readyGate !== undefined
                        ? [{ label: databaseReadyLabel, value: args.database.readyGate }]
                        : []),
                ],
            },
            { ...named, dependsOn: odooDependsOn },
        );

        // --- Build steps (components/odooSteps.ts): the selected modules' tests, and the module
        // --- update the new Odoo waits for.
        // Like the prepare step: the CA for the database's TLS, and the options the policies judge
        // (no crons: a step runs Odoo only until it stops).
        const stepUploads = [confUpload, { file: stepScriptPath, content: stepScript() }, ...tlsUploads];
        const stepOdooOptions = (database: string) => odooCommandLine({ ...cliInput, database: { ...cliInput.database, name: database }, cronThreads: 0 });
        const stepContainer = (step: string, command: string[]): docker.ContainerArgs => ({
            name: `${names.prefix}-${step}`,
            image: runImage,
            command,
            envs: [...proxyEnv, ...tlsEnv],
            uploads: stepUploads,
            networksAdvanced: [{ name: internalNetwork.name }],
            mustRun: false,
            attach: true,
            logs: false,
            restart: "no",
            memory: args.memoryMb,
            cpus: String(args.cpus),
            securityOpts: ["no-new-privileges:true"],
            labels: roleLabels(containerRoles.odooInit, { [stepLabel]: step }),
        });
        let tests: pulumi.Output<{ container: string; exitCode: number | null; database: string; modules: string[]; tags: string } | null> =
            pulumi.output(null);
        if (args.tests && args.tests.modules.length) {
            const command = testStepCommand({
                confPath: odooConfPath,
                database: names.database,
                ...args.tests,
                odooOptions: stepOdooOptions(testDatabaseName(names.database)),
            });
            const testRun = new docker.Container(`${name}-tests`, stepContainer("tests", command), {
                ...named,
                dependsOn: [...odooDependsOn, prepare],
                customTimeouts: { create: testStepCreateTimeout(args.tests.timeoutMinutes) },
            });
            // A red build is the test result, not a failed deployment: the exit code is reported, not thrown.
            tests = pulumi.all([testRun.name, testRun.exitCode]).apply(([container, exitCode]) => ({
                container,
                exitCode: exitCode ?? null,
                database: testDatabaseName(names.database),
                modules: [...args.tests!.modules].sort(),
                tags: command[command.indexOf("--tags") + 1],
            }));
        }
        let updateContainerName: pulumi.Output<string | null> = pulumi.output(null);
        let updated: pulumi.Output<number> = pulumi.output(0);
        const updateDependsOn: pulumi.Resource[] = [];
        if (args.init.kind === "update") {
            const update = new docker.Container(
                `${name}-update`,
                stepContainer(
                    "update",
                    updateStepCommand({
                        confPath: odooConfPath,
                        database: names.database,
                        install: args.init.install,
                        exclude: args.init.exclude,
                        odooOptions: stepOdooOptions(names.database),
                    }),
                ),
                {
                    ...named,
                    dependsOn: [...odooDependsOn, prepare],
                },
            );
            updated = update.exitCode.apply((code) => {
                if (code !== undefined && code !== null && code !== 0) throw new Error(stepFailure(name, "update", `${names.prefix}-update`, code));
                return code ?? 0;
            });
            updateContainerName = update.name;
            updateDependsOn.push(update);
        }

        // --- Odoo.
        const command = [...roles[0].command, ...odooOptions];
        const env: pulumi.Input<string>[] = [`ODOO_STAGE=${stage}`, ...proxyEnv, ...tlsEnv];
        for (const [k, v] of Object.entries(args.extraEnv ?? {})) env.push(`${k}=${v}`);
        for (const [k, v] of Object.entries(args.secretEnv ?? {})) env.push(pulumi.secret(pulumi.interpolate`${k}=${v}`));
        // The Docker provider records a one-shot container's exit code but does not fail on it:
        // a failed install/update stops the deployment here, before the new Odoo starts.
        const prepared = prepare.exitCode.apply((code) => {
            if (code !== undefined && code !== null && code !== 0) {
                throw new Error(
                    `OdooEnvironment ${name}: the prepare step (${names.prefix}-prepare) exited with code ${code}; see \`docker logs ${names.prefix}-prepare\``,
                );
            }
            return code ?? 0;
        });
        // The new Odoo starts only after the prepare step and the module update exited 0: both exit
        // codes feed this label, so a failure stops the deployment before Odoo is replaced.
        const stepsPassed = pulumi.all([prepared, updated]).apply(([code]) => String(code));
        const odooRoute = { name: names.prefix, host: names.host, workers: args.workers, noIndex: decisions.noIndex };
        const odooLabels = [
            ...knownKeyLabels(
                roleLabels(containerRoles.odoo),
                odooRoutingLabels(odooRoute, edgeTemplate(args.edgeTls)),
                edge.apply((e) => odooRoutingLabels(odooRoute, e)),
            ),
            { label: preparedLabel, value: stepsPassed },
        ];
        const odoo = new docker.Container(
            `${name}-odoo`,
            {
                name: names.containers.odoo,
                image: runImage,
                command,
                envs: env,
                uploads: [confUpload, ...tlsUploads],
                volumes: [...dataVolumes, ...sourceVolumes],
                networksAdvanced: [{ name: internalNetwork.name, aliases: ["odoo"] }, { name: edgeNetwork }],
                healthcheck: {
                    tests: ["CMD-SHELL", `curl -fsS --noproxy '*' http://localhost:${odooHttpPort}/web/health || exit 1`],
                    interval: "15s",
                    timeout: "5s",
                    retries: 5,
                    startPeriod: "120s",
                },
                memory: args.memoryMb,
                cpus: String(args.cpus),
                restart: "unless-stopped",
                stopTimeout: 30,
                securityOpts: ["no-new-privileges:true"],
                labels: odooLabels,
            },
            { ...named, dependsOn: [...odooDependsOn, prepare, ...updateDependsOn] },
        );

        // Cron runner and queue_job runner (production, when asked): same image, data and network, not routed.
        for (const role of roles.slice(1)) {
            new docker.Container(
                `${name}-odoo${role.suffix}`,
                {
                    name: `${names.containers.odoo}${role.suffix}`,
                    image: runImage,
                    command: [...role.command, ...optionsFor(role)],
                    envs: env,
                    uploads: [{ file: odooConfPath, content: pulumi.secret(confFor(role)) }, ...tlsUploads],
                    volumes: [...dataVolumes, ...sourceVolumes],
                    networksAdvanced: [{ name: internalNetwork.name }],
                    memory: args.memoryMb,
                    cpus: String(args.cpus),
                    restart: "unless-stopped",
                    stopTimeout: 30,
                    securityOpts: ["no-new-privileges:true"],
                    labels: [...roleLabels(containerRoles.odoo, { "odoo-platform.process": role.role }), { label: preparedLabel, value: stepsPassed }],
                },
                { ...named, dependsOn: [...odooDependsOn, prepare, odoo] },
            );
        }

        this.url = baseUrl;
        this.mailCatcherUrl = mailCatcherUrl;
        this.databaseName = pulumi.output(names.database);
        this.imageReference = imageReference;
        this.imageDigest = imageDigest;
        this.containerName = odoo.name;
        this.stage = pulumi.output(stage);
        this.gitSha = pulumi.output(args.gitSha);
        this.adminLogin = pulumi.output(args.init.kind === "install" ? adminLogin : null);
        this.adminLoginPassword = adminLoginPassword;
        this.mailCatcherPassword = mailCatcherPassword;
        this.tests = tests;
        this.updateContainerName = updateContainerName;
        this.registerOutputs({
            url: this.url,
            mailCatcherUrl: this.mailCatcherUrl,
            databaseName: this.databaseName,
            imageReference: this.imageReference,
            imageDigest: this.imageDigest,
            containerName: this.containerName,
            stage: this.stage,
            gitSha: this.gitSha,
            adminLogin: this.adminLogin,
            adminLoginPassword: this.adminLoginPassword,
            mailCatcherPassword: this.mailCatcherPassword,
            tests: this.tests,
            updateContainerName: this.updateContainerName,
        });
    }
}

type ConfSections = Record<string, Record<string, string | number | boolean>>;
/** The stack's sections with a role's own options added (a role's value wins). */
const mergeSections = (stack: ConfSections, role: ConfSections): ConfSections => {
    const out: ConfSections = { ...stack };
    for (const [name, values] of Object.entries(role)) out[name] = { ...(stack[name] ?? {}), ...values };
    return out;
};

function validateArgs(args: OdooEnvironmentArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`OdooEnvironment: args.${field} ${why}`);
    };
    if (!args.image && !args.buildContext) fail("image", "is required (or set args.buildContext to build one)");
    if (!args.addonsPath?.length) fail("addonsPath", "must list at least one directory");
    if (!(args.memoryMb > 0)) fail("memoryMb", `must be greater than 0, got ${args.memoryMb}`);
    if (!(args.cpus > 0)) fail("cpus", `must be greater than 0, got ${args.cpus}`);
    if (!Number.isInteger(args.workers) || args.workers < 0) fail("workers", `must be a whole number ≥ 0, got ${args.workers}`);
    const { decisions } = args;
    if (!decisions) fail("decisions", "is required: what the stage decides (config/stageProfile.ts)");
    if (decisions.isolated !== (decisions.egress !== "direct")) {
        fail(
            "decisions.egress",
            decisions.isolated
                ? `must be allowlist-proxy or none on an isolated network, got ${decisions.egress}`
                : `must be direct on a network that is not isolated, got ${decisions.egress}`,
        );
    }
    if (args.devSourceDir && !decisions.devMode) fail("devSourceDir", `is only for an environment in dev mode (the dev stage), not ${args.stage}`);
    // Mail catcher, real relays and unpinned images outside their stage are the policy packs' call
    // (neutralization, contracts): they report them by name instead of failing the program here.
    if (args.tests && !(Number.isInteger(args.tests.timeoutMinutes) && args.tests.timeoutMinutes > 0))
        fail("tests.timeoutMinutes", `must be a whole number > 0, got ${args.tests.timeoutMinutes}`);
    if (args.tests && !args.tests.tags.length) fail("tests.tags", "must list at least one tag");
    if (args.database?.kind === "server" && /^verify-/.test(args.database.sslMode) && !args.database.sslRootCert) {
        fail(
            "database.sslRootCert",
            `is required with sslMode ${args.database.sslMode}: the server's CA in PEM, or "system" (config odoo-platform:dbSslRootCert)`,
        );
    }
    if (args.init?.kind === "update" && args.database.kind !== "server")
        fail("init", "update is for environments on the stage's database server; a database of the environment's own is installed by the prepare step");
    if (args.init?.kind === "install" && args.database.kind !== "container")
        fail("init", "install is for a database of the environment's own; one on the stage's server is updated (kind update)");
    if (!args.init) fail("init", "is required: install (a database of its own) or update (the stage's server)");
    if (args.buildContext && !decisions.buildsImage) {
        fail("buildContext", `is for stages that build their image (dev and PR stacks); ${args.stage} pulls an image pinned by digest`);
    }
}

/** An edge with placeholder values: only the label keys it produces matter (they depend on TLS alone). */
const edgeTemplate = (tls: boolean): EdgeEndpoint => ({ network: "-", entrypoint: "-", certResolver: tls ? "-" : undefined });

/**
 * Docker labels whose keys are known now and whose values may wait for outputs (the edge of a
 * StackReference, a generated password's hash): one list entry per label, so during a preview
 * only the values still to come are unknown — never the role and stack labels policies select on.
 */
export function knownKeyLabels(
    known: { label: string; value: string }[],
    template: Record<string, string>,
    values: pulumi.Output<Record<string, string>>,
): pulumi.Input<docker.types.input.ContainerLabel>[] {
    const keys = Object.keys(template).sort();
    const checked = values.apply((v) => {
        const actual = Object.keys(v).sort();
        if (actual.join("\n") !== keys.join("\n"))
            throw new Error(`routing labels ${actual.join(", ")} differ from the expected ${keys.join(", ")}: is the edge's TLS setting (edgeTls) right?`);
        return v;
    });
    const seen = new Set(known.map((l) => l.label));
    return [...known, ...keys.filter((k) => !seen.has(k)).map((label) => ({ label, value: checked.apply((v) => v[label]) }))];
}
