/**
 * One Odoo environment on a Docker host: the image, a private network, named volumes for the
 * filestore and sessions, a PostgreSQL container (dev/PR; staging and production use the configured
 * server), a mail catcher (every non-production stage) and the Odoo container with a generated
 * odoo.conf, health check, limits and Traefik routing labels.
 *
 * Docker resources: https://www.pulumi.com/registry/packages/docker/api-docs/
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { containerLabels, containerRoles, dockerLabels, EnvironmentNames } from "../config/naming";
import { isNonProduction, Stage } from "../config/stage";
import { renderOdooConf } from "./odooConf";

/** Ports and paths of the official Odoo and Mailpit images. */
export const odooHttpPort = 8069;
export const odooGeventPort = 8072;
export const mailpitSmtpPort = 1025;
export const mailpitUiPort = 8025;
export const mailpitImage = "axllent/mailpit:v1.21";
export const odooDataDir = "/var/lib/odoo";
export const odooConfPath = "/etc/odoo/odoo.conf";

export type DatabaseTarget =
    /** A PostgreSQL container of the environment's own (dev and PR stacks). */
    | { kind: "container"; image: string; slowQueryMs: number }
    /** The stage's PostgreSQL server; `ready` must complete before Odoo starts (restore → neutralize → verify). */
    | {
          kind: "server";
          host: pulumi.Input<string>;
          port: number;
          user: pulumi.Input<string>;
          password: pulumi.Input<string>;
          sslMode: string;
          ready?: pulumi.Input<pulumi.Resource>[];
      };

export interface OdooEnvironmentArgs {
    stage: Stage;
    names: EnvironmentNames;
    /** Stage/stack/git-SHA labels put on every Docker object. */
    labels: Record<string, string>;
    gitSha: string;
    /** Image to pull (by digest in staging/production) … */
    image: string;
    /** … or a directory whose Dockerfile builds it, tagged with the git SHA (dev/PR). */
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
    /** Master password; generated when not given. */
    adminPassword?: pulumi.Input<string>;
    /** Dev only: host directory bind-mounted over the first addons path entry, with `--dev=all`. */
    devSourceDir?: string;
    /** Docker network shared with the router (Traefik) of this host. */
    edgeNetwork: string;
}

export class OdooEnvironment extends pulumi.ComponentResource {
    public readonly url: pulumi.Output<string>;
    public readonly mailCatcherUrl: pulumi.Output<string | null>;
    public readonly databaseName: pulumi.Output<string>;
    public readonly imageReference: pulumi.Output<string>;
    public readonly imageDigest: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: OdooEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:environment:OdooEnvironment", name, {}, opts);
        validateArgs(args);
        const { names, stage } = args;
        const labels = dockerLabels(args.labels);
        const child = { parent: this };

        const internalNetwork = new docker.Network(`${name}-internal`, {
            name: names.networks.internal,
            // Outside production the environment has no route out: whatever neutralization missed
            // still cannot reach a real API.
            internal: isNonProduction(stage),
            labels,
        }, child);

        const filestore = new docker.Volume(`${name}-filestore`, { name: names.volumes.filestore, labels }, child);
        const sessions = new docker.Volume(`${name}-sessions`, { name: names.volumes.sessions, labels }, child);

        let imageReference: pulumi.Output<string>;
        let imageDigest: pulumi.Output<string>;
        if (args.buildContext) {
            const built = new docker.Image(`${name}-image`, {
                imageName: `${names.prefix}:${args.gitSha}`,
                build: { context: args.buildContext, dockerfile: `${args.buildContext}/Dockerfile`, platform: "linux/amd64" },
                skipPush: true,
            }, child);
            imageReference = built.imageName;
            imageDigest = built.repoDigest;
        } else {
            const pulled = new docker.RemoteImage(`${name}-image`, { name: args.image, keepLocally: true }, child);
            imageReference = pulled.name;
            imageDigest = pulled.repoDigest;
        }

        const adminPassword = args.adminPassword ?? new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, child).result;

        let dbHost: pulumi.Input<string>;
        let dbPort: number;
        let dbUser: pulumi.Input<string>;
        let dbPassword: pulumi.Input<string>;
        let dbSslMode: string;
        const odooDependsOn: pulumi.Input<pulumi.Resource>[] = [];
        if (args.database.kind === "container") {
            const ownerPassword = new random.RandomPassword(`${name}-db-password`, { length: 32, special: false }, child);
            const pgData = new docker.Volume(`${name}-pgdata`, { name: names.volumes.postgresData, labels }, child);
            const postgres = new docker.Container(`${name}-postgres`, {
                name: names.containers.postgres,
                image: args.database.image,
                envs: [`POSTGRES_DB=${names.database}`, `POSTGRES_USER=${names.databaseOwner}`, pulumi.interpolate`POSTGRES_PASSWORD=${ownerPassword.result}`],
                command: ["postgres", "-c", `log_min_duration_statement=${args.database.slowQueryMs}`],
                volumes: [{ volumeName: pgData.name, containerPath: "/var/lib/postgresql/data" }],
                networksAdvanced: [{ name: internalNetwork.name, aliases: ["db"] }],
                healthcheck: { tests: ["CMD-SHELL", `pg_isready -U ${names.databaseOwner} -d ${names.database}`], interval: "5s", timeout: "3s", retries: 10 },
                memory: 1024,
                cpus: "1",
                restart: "unless-stopped",
                wait: true,
                labels: containerLabels(args.labels, containerRoles.postgres),
            }, child);
            dbHost = "db";
            dbPort = 5432;
            dbUser = names.databaseOwner;
            dbPassword = ownerPassword.result;
            dbSslMode = "disable";
            odooDependsOn.push(postgres);
        } else {
            dbHost = args.database.host;
            dbPort = args.database.port;
            dbUser = args.database.user;
            dbPassword = args.database.password;
            dbSslMode = args.database.sslMode;
            odooDependsOn.push(...(args.database.ready ?? []));
        }

        let mailCatcherUrl: pulumi.Output<string | null> = pulumi.output(null);
        let smtp: { host: string; port: number; user?: string; password?: pulumi.Input<string>; ssl: boolean };
        if (args.mailCatcher) {
            const mailpit = new docker.Container(`${name}-mailpit`, {
                name: names.containers.mailCatcher,
                image: mailpitImage,
                envs: ["MP_SMTP_AUTH_ACCEPT_ANY=1", "MP_SMTP_AUTH_ALLOW_INSECURE=1", "MP_MAX_MESSAGES=5000"],
                networksAdvanced: [{ name: internalNetwork.name, aliases: ["mailpit"] }, { name: args.edgeNetwork }],
                memory: 128,
                cpus: "0.25",
                restart: "unless-stopped",
                labels: containerLabels(args.labels, containerRoles.mailCatcher, routerLabels(`${names.prefix}-mail`, names.mailHost, mailpitUiPort, args.edgeNetwork)),
            }, child);
            odooDependsOn.push(mailpit);
            smtp = { host: "mailpit", port: mailpitSmtpPort, ssl: false };
            mailCatcherUrl = pulumi.output(`https://${names.mailHost}`);
        } else {
            // Without a relay Odoo falls back to its own default, localhost:25 (which the policies flag).
            smtp = args.smtp ? { ...args.smtp, ssl: args.smtp.port === 465 } : { host: "localhost", port: 25, ssl: false };
        }

        const odooConf = pulumi
            .all([dbHost, dbUser, dbPassword, adminPassword, smtp.password])
            .apply(([host, user, password, admin, smtpPassword]) =>
                renderOdooConf({
                    stage,
                    addonsPath: args.addonsPath,
                    database: { host, port: dbPort, user, password, name: names.database, sslMode: dbSslMode },
                    adminPassword: admin,
                    workers: args.workers,
                    memoryMb: args.memoryMb,
                    smtp: { host: smtp.host, port: smtp.port, user: smtp.user, password: smtpPassword, ssl: smtp.ssl },
                    dataDir: odooDataDir,
                }),
            );

        const command = ["odoo", `--config=${odooConfPath}`];
        const volumes: docker.types.input.ContainerVolume[] = [
            { volumeName: filestore.name, containerPath: odooDataDir },
            { volumeName: sessions.name, containerPath: `${odooDataDir}/sessions` },
        ];
        if (stage === "dev") {
            command.push("--dev=all");
            if (args.devSourceDir) volumes.push({ hostPath: args.devSourceDir, containerPath: args.addonsPath[0] });
        }

        if (args.database.kind === "container") {
            // A fresh database with demo data, initialised once by a one-shot container that exits.
            const init = new docker.Container(`${name}-db-init`, {
                name: `${names.prefix}-db-init`,
                image: imageDigest.apply((digest) => digest || args.image),
                command: ["odoo", `--config=${odooConfPath}`, "-d", names.database, "-i", "base", "--stop-after-init"],
                uploads: [{ file: odooConfPath, content: pulumi.secret(odooConf) }],
                volumes: [{ volumeName: filestore.name, containerPath: odooDataDir }],
                networksAdvanced: [{ name: internalNetwork.name }],
                mustRun: false,
                attach: true,
                logs: true,
                restart: "no",
                memory: args.memoryMb,
                cpus: String(args.cpus),
                labels: containerLabels(args.labels, containerRoles.odooInit),
            }, { ...child, dependsOn: odooDependsOn });
            odooDependsOn.push(init);
        }

        const env: pulumi.Input<string>[] = [`ODOO_STAGE=${stage}`];
        for (const [k, v] of Object.entries(args.extraEnv ?? {})) env.push(`${k}=${v}`);

        const routing = routerLabels(names.prefix, names.host, odooHttpPort, args.edgeNetwork);
        const odoo = new docker.Container(`${name}-odoo`, {
            name: names.containers.odoo,
            image: imageDigest.apply((digest) => digest || args.image),
            command,
            envs: env,
            uploads: [{ file: odooConfPath, content: pulumi.secret(odooConf) }],
            volumes,
            networksAdvanced: [{ name: internalNetwork.name, aliases: ["odoo"] }, { name: args.edgeNetwork }],
            healthcheck: {
                tests: ["CMD-SHELL", `curl -fsS http://localhost:${odooHttpPort}/web/health || exit 1`],
                interval: "15s",
                timeout: "5s",
                retries: 5,
                startPeriod: "60s",
            },
            memory: args.memoryMb,
            cpus: String(args.cpus),
            restart: "unless-stopped",
            labels: containerLabels(args.labels, containerRoles.odoo, routing),
        }, { ...child, dependsOn: odooDependsOn });

        this.url = pulumi.output(`https://${names.host}`);
        this.mailCatcherUrl = mailCatcherUrl;
        this.databaseName = pulumi.output(names.database);
        this.imageReference = imageReference;
        this.imageDigest = imageDigest;
        this.containerName = odoo.name;
        this.registerOutputs({
            url: this.url,
            mailCatcherUrl: this.mailCatcherUrl,
            databaseName: this.databaseName,
            imageReference: this.imageReference,
            imageDigest: this.imageDigest,
            containerName: this.containerName,
        });
    }
}

/** Traefik labels routing `host` to `port` of a container, with a Let's Encrypt certificate. */
export function routerLabels(router: string, host: string, port: number, edgeNetwork: string): Record<string, string> {
    return {
        "traefik.enable": "true",
        "traefik.docker.network": edgeNetwork,
        [`traefik.http.routers.${router}.rule`]: `Host(\`${host}\`)`,
        [`traefik.http.routers.${router}.entrypoints`]: "websecure",
        [`traefik.http.routers.${router}.tls.certresolver`]: "letsencrypt",
        [`traefik.http.services.${router}.loadbalancer.server.port`]: String(port),
    };
}

function validateArgs(args: OdooEnvironmentArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`OdooEnvironment: args.${field} ${why}`);
    };
    if (!args.image && !args.buildContext) fail("image", "is required (or set args.buildContext to build one)");
    if (!args.addonsPath?.length) fail("addonsPath", "must list at least one directory");
    if (!(args.memoryMb > 0)) fail("memoryMb", `must be greater than 0, got ${args.memoryMb}`);
    if (!(args.cpus > 0)) fail("cpus", `must be greater than 0, got ${args.cpus}`);
    if (!Number.isInteger(args.workers) || args.workers < 0) fail("workers", `must be a whole number ≥ 0, got ${args.workers}`);
    if (args.devSourceDir && args.stage !== "dev") fail("devSourceDir", `is only for the dev stage, not ${args.stage}`);
}
