/**
 * A database restored from a sanitized snapshot and made safe before anything can use it. On the
 * stage's PostgreSQL server (postgresql provider): the owner role with a random password (secret)
 * and the database; then four one-shot containers on the Docker host — next to the database, never
 * on the CI runner, which would download production-sized data — running the operations CLI
 * (the ops image, ops.Dockerfile):
 *
 *   restore     snapshot restore --require-sanitized into <db>__pending, filestore included
 *   neutralize  db neutralize on <db>__pending; the new admin password goes to a file in the
 *               `<prefix>-refresh-secrets` volume on the host, never to a log or the state
 *   verify      db verify on <db>__pending — the deployment stops on any finding
 *   swap        staging swap: <db>__pending becomes <db> (and its filestore the live one)
 *
 * Each step runs again when the snapshot id changes: the id is in every step's inputs, and the
 * docker provider replaces a container when they change. Each step waits for the previous one's
 * exit code (a label computed from it), so a failed step stops the chain; Odoo waits for `gate`.
 * A `cleanup` command (on the runner: it only drops databases) removes a pending copy and kept
 * previous copies when the stack is destroyed. The live database itself is kept by the stage's
 * retention (components/retention.ts).
 *
 * Dev and PR stacks without a snapshot do not use this component: they get a fresh database with
 * demo data from OdooEnvironment's one-shot prepare container.
 *
 * Providers: https://www.pulumi.com/registry/packages/postgresql/ ,
 * https://www.pulumi.com/registry/packages/docker/api-docs/container/ ,
 * https://www.pulumi.com/registry/packages/command/
 */
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { containerLabels, containerRoles, isPostgresIdentifier } from "../config/naming";
import type { Stage } from "../config/stage";
import { stageProfiles } from "../config/stageProfile";
import { pendingDatabaseName } from "../ops/generations/names";
import { DatabaseServer, databaseServerProvider } from "./databaseServer";
import type { DataRetention } from "./retention";

export type { DatabaseServer } from "./databaseServer";

/** Where the step containers see the environment's filestore volume and the secrets volume. */
export const stepFilestoreRoot = "/filestore";
export const stepSecretsDir = "/run/odoo-platform/secrets";
export const adminPasswordFile = `${stepSecretsDir}/admin-password`;
/** Label carrying the previous step's exit code: a step starts only after its predecessor succeeded. */
export const afterLabel = "odoo-platform.after";
export const snapshotLabel = "odoo-platform.snapshot";

export const stepNames = ["restore", "neutralize", "verify", "swap"] as const;
export type StepName = (typeof stepNames)[number];

export interface NeutralizedDatabaseArgs {
    /** The stage's name; refused when the stage profile gives it production's own database. */
    stage: Stage;
    /** Prefix of the environment's Docker objects (`odoo-staging`). */
    prefix: string;
    labels: Record<string, string>;
    server: DatabaseServer;
    database: string;
    owner: string;
    /**
     * The sanitized snapshot: `s3://bucket/staging/<id>` or a directory, always a concrete id (never
     * `latest`). Undefined while no snapshot exists yet: the steps then only clean up, and the
     * database stays empty until the first snapshot is published.
     */
    snapshotUri: pulumi.Input<string | undefined>;
    /** Public URL of the environment: becomes `web.base.url`. */
    baseUrl: string;
    /** The environment's mail catcher: every mail server is pointed here. */
    mailCatcher: { host: string; port: number };
    /** Domains whose e-mail addresses may remain (the environment's own domain). */
    allowedDomains: string[];
    /** Where the steps run: the ops image on the Docker host, and the environment's filestore volume. */
    runner: {
        image: pulumi.Input<string>;
        filestoreVolume: pulumi.Input<string>;
        /** Credentials and settings the CLI reads (AWS_*, ODOO_PLATFORM_S3_ENDPOINT); secret values are kept secret. */
        env?: Record<string, pulumi.Input<string>>;
    };
    /** Directory the cleanup command runs from on the runner (the project root). */
    workDir: string;
    retention?: DataRetention;
}

export class NeutralizedDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly ownerRole: pulumi.Output<string>;
    public readonly ownerPassword: pulumi.Output<string>;
    /** The verify step: the copy passed the independent check (the neutralization policy looks for it). */
    public readonly verified: docker.Container;
    /** The swap step: the verified copy is live. Depend on it (and on `verified`) before routing traffic. */
    public readonly ready: docker.Container;
    /** "0" once every step succeeded; fails the deployment naming the step that did not. */
    public readonly gate: pulumi.Output<string>;
    /** Volume on the Docker host holding the admin password the neutralize step set. */
    public readonly secretsVolume: pulumi.Output<string>;

    constructor(name: string, args: NeutralizedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): refused args register nothing, not even the component.
        validateArgs(args);
        super("odoo-platform:data:NeutralizedDatabase", name, {}, opts);
        const child = { parent: this };
        const named = { parent: this, deleteBeforeReplace: true };

        const provider = databaseServerProvider(`${name}-server`, args.server, this);
        const onServer = { parent: this, provider, ...args.retention };

        const ownerPassword = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, child);
        const owner = new postgresql.Role(`${name}-owner`, { name: args.owner, login: true, password: ownerPassword.result }, onServer);
        const database = new postgresql.Database(
            `${name}-database`,
            {
                name: args.database,
                owner: owner.name,
                encoding: "UTF8",
                template: "template0",
                allowConnections: true,
            },
            onServer,
        );

        const secrets = new docker.Volume(
            `${name}-secrets`,
            { name: `${args.prefix}-refresh-secrets`, labels: containerLabels(args.labels, containerRoles.dataStep) },
            { ...named, ...args.retention },
        );

        const pending = pendingDatabaseName(args.database);
        const snapshotUri = pulumi.output(args.snapshotUri);
        const steps = snapshotUri.apply((uri) =>
            uri ? neutralizedDatabaseSteps({ ...args, snapshotUri: uri, pending, filestoreRoot: stepFilestoreRoot }) : idleSteps(args.server, args.database),
        );
        const env: pulumi.Input<string>[] = [];
        if (args.server.adminPassword) env.push(pulumi.secret(pulumi.interpolate`PGPASSWORD=${args.server.adminPassword}`));
        if (args.server.sslRootCert && args.server.sslRootCert !== "system") env.push(`PGSSLROOTCERT=${stepSecretsDir}/db-root.crt`);
        for (const [k, v] of Object.entries(args.runner.env ?? {})) env.push(pulumi.interpolate`${k}=${v}`);

        let previous: pulumi.Output<string> = pulumi.output("start");
        const containers = {} as Record<StepName, docker.Container>;
        const dependsOn: pulumi.Resource[] = [database, owner];
        for (const step of stepNames) {
            const after = previous;
            const container = new docker.Container(
                `${name}-${step}`,
                {
                    name: `${args.prefix}-refresh-${step}`,
                    image: args.runner.image,
                    command: steps.apply((all) => all[step]),
                    envs: [...env, snapshotUri.apply((uri) => `ODOO_PLATFORM_SNAPSHOT=${uri ?? "none"}`)],
                    uploads:
                        args.server.sslRootCert && args.server.sslRootCert !== "system"
                            ? [{ file: `${stepSecretsDir}/db-root.crt`, content: args.server.sslRootCert }]
                            : [],
                    volumes: [
                        { volumeName: args.runner.filestoreVolume, containerPath: stepFilestoreRoot },
                        { volumeName: secrets.name, containerPath: stepSecretsDir },
                    ],
                    // Root inside the container: the filestore volume is root-owned until the Odoo
                    // prepare step hands it (and what was restored into it) to the odoo user.
                    user: "root",
                    attach: true,
                    logs: true,
                    mustRun: false,
                    restart: "no",
                    memory: 1024,
                    cpus: "1",
                    securityOpts: ["no-new-privileges:true"],
                    labels: [
                        ...containerLabels(args.labels, containerRoles.dataStep),
                        { label: snapshotLabel, value: snapshotUri.apply((uri) => (uri ? (uri.split("/").pop() ?? uri) : "none")) },
                        { label: afterLabel, value: after },
                    ],
                },
                { ...named, dependsOn: [...dependsOn], additionalSecretOutputs: ["containerLogs"] },
            );
            containers[step] = container;
            previous = stepSucceeded(name, step, `${args.prefix}-refresh-${step}`, container.exitCode);
            dependsOn.splice(0, dependsOn.length, container);
        }

        // Destroying the stack drops what a refresh may have left: the pending copy and kept previous copies.
        const cleanupEnv: Record<string, pulumi.Input<string>> = { TARGET_DB_URL: serverUrl(args.server, args.database) };
        if (args.server.adminPassword) cleanupEnv.PGPASSWORD = pulumi.secret(args.server.adminPassword);
        new command.local.Command(
            `${name}-cleanup`,
            {
                create: "true",
                delete: `npx --no-install odoo-platform staging cleanup --db "$TARGET_DB_URL" --drop-pending --drop-previous`,
                environment: cleanupEnv,
                dir: args.workDir,
            },
            { ...child, dependsOn: [database] },
        );

        this.verified = containers.verify;
        this.ready = containers.swap;
        this.gate = previous;
        this.secretsVolume = secrets.name;
        this.databaseName = database.name;
        this.ownerRole = owner.name;
        this.ownerPassword = pulumi.secret(ownerPassword.result);
        this.registerOutputs({
            databaseName: this.databaseName,
            ownerRole: this.ownerRole,
            ownerPassword: this.ownerPassword,
            gate: this.gate,
            secretsVolume: this.secretsVolume,
        });
    }
}

/** The step's exit code as the next step's gate: "0", or the deployment fails naming the step. */
function stepSucceeded(component: string, step: StepName, container: string, exitCode: pulumi.Output<number | undefined>): pulumi.Output<string> {
    return exitCode.apply((code) => {
        if (code !== undefined && code !== null && code !== 0) {
            throw new Error(
                `NeutralizedDatabase ${component}: the ${step} step (${container}) exited with code ${code}; nothing after it ran and the live database is unchanged. ` +
                    `See \`docker logs ${container}\`, fix the cause, then run it again with \`pulumi up --replace <urn of ${container}>\` (or publish a new snapshot).`,
            );
        }
        return String(code ?? 0);
    });
}

/**
 * The command lines of the four steps, as argument vectors for the ops image's entrypoint
 * (`odoo-platform`). The admin password comes from the environment (PGPASSWORD), never a command
 * line; URLs carry no password. Pure.
 */
export function neutralizedDatabaseSteps(
    args: Pick<NeutralizedDatabaseArgs, "server" | "database" | "owner" | "baseUrl" | "mailCatcher" | "allowedDomains"> & {
        pending: string;
        snapshotUri: string;
        filestoreRoot: string;
    },
): Record<StepName, string[]> {
    const target = serverUrl(args.server, args.database);
    const pendingUrl = serverUrl(args.server, args.pending);
    const allow = args.allowedDomains.flatMap((d) => ["--allow-domain", d]);
    return {
        // --require-sanitized checks the restored data for personal data: the allowed domains are its too.
        restore: [
            "snapshot",
            "restore",
            "--from",
            args.snapshotUri,
            "--db",
            pendingUrl,
            "--owner",
            args.owner,
            "--require-sanitized",
            ...allow,
            "--filestore",
            `${args.filestoreRoot}/${args.pending}`,
        ],
        neutralize: [
            "db",
            "neutralize",
            "--db",
            pendingUrl,
            "--base-url",
            args.baseUrl,
            "--mail-host",
            args.mailCatcher.host,
            "--mail-port",
            String(args.mailCatcher.port),
            "--admin-password-file",
            adminPasswordFile,
        ],
        // Verify knows the environment: its URL (web.base.url must equal it) and its mail catcher
        // (the only server mail may go to); without them every neutralized database would fail.
        verify: ["db", "verify", "--db", pendingUrl, "--base-url", args.baseUrl, "--mail-host", args.mailCatcher.host, ...allow],
        swap: [
            "staging",
            "swap",
            "--db",
            target,
            "--candidate",
            args.pending,
            "--filestore",
            `${args.filestoreRoot}/${args.database}`,
            "--candidate-filestore",
            `${args.filestoreRoot}/${args.pending}`,
        ],
    };
}

/** The steps while no snapshot exists: each only removes what an interrupted refresh left. */
export function idleSteps(server: Pick<DatabaseServer, "adminUser" | "host" | "port" | "sslMode">, database: string): Record<StepName, string[]> {
    const idle = ["staging", "cleanup", "--db", serverUrl(server, database)];
    return { restore: idle, neutralize: idle, verify: idle, swap: idle };
}

/** libpq URL of a database on the server, without password (PGPASSWORD carries it). */
export function serverUrl(server: Pick<DatabaseServer, "adminUser" | "host" | "port" | "sslMode">, database: string): string {
    return `postgresql://${encodeURIComponent(server.adminUser)}@${server.host}:${server.port}/${database}?sslmode=${server.sslMode}`;
}

/** What is wrong with `uri` as the snapshot a refresh restores, or undefined: shared with components/KubernetesRefresh.ts. Pure. */
export function snapshotUriProblem(uri: string): string | undefined {
    if (!/^(s3:\/\/[a-z0-9.-]+\/\S*|\/\S+)$/.test(uri)) return `must be s3://bucket/prefix or an absolute directory, got "${uri}"`;
    if (/\/latest\/?$/.test(uri))
        return "must name a concrete snapshot, not latest: resolve the pointer first (resolveSnapshot), so a new snapshot changes the steps' inputs";
    return undefined;
}

function validateArgs(args: NeutralizedDatabaseArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`NeutralizedDatabase: args.${field} ${why}`);
    };
    const profile = stageProfiles[args.stage];
    if (!profile) fail("stage", `must be a stage (${Object.keys(stageProfiles).join(", ")}), got "${args.stage}"`);
    if (profile.database === "production") {
        fail(
            "stage",
            `must not be ${args.stage}, whose database is production's own (config/stageProfile.ts) — production serves its own data, never a neutralized copy`,
        );
    }
    if (!args.server?.host) fail("server.host", "is required");
    if (!/^[a-z0-9][a-z0-9-]*$/.test(args.prefix ?? "")) fail("prefix", `must be the environment's Docker prefix (odoo-<stack>), got "${args.prefix}"`);
    if (!isPostgresIdentifier(args.database ?? "")) fail("database", `must be a lower-case PostgreSQL identifier, got "${args.database}"`);
    if (!isPostgresIdentifier(args.owner ?? "")) fail("owner", `must be a lower-case PostgreSQL identifier, got "${args.owner}"`);
    const snapshotProblem = typeof args.snapshotUri === "string" ? snapshotUriProblem(args.snapshotUri) : undefined;
    if (snapshotProblem) fail("snapshotUri", snapshotProblem);
    if (!/^https?:\/\/\S+$/.test(args.baseUrl ?? "")) fail("baseUrl", `must be an http(s) URL, got "${args.baseUrl}"`);
    if (!args.mailCatcher?.host || !(args.mailCatcher.port > 0)) fail("mailCatcher", "must name the environment's mail catcher host and port");
}
