/**
 * A database restored from a production snapshot and made safe before anything can use it:
 * restore (into a new database, swapped in when complete) → neutralize → verify. The verify step is
 * the component's `ready` resource: the Odoo container depends on it, so traffic never reaches a
 * database that failed verification.
 *
 * The steps run the operations CLI (`odoo-platform`, see ops/) through `@pulumi/command`; they rerun
 * when the snapshot changes. Providers: https://www.pulumi.com/registry/packages/postgresql/ and
 * https://www.pulumi.com/registry/packages/command/
 */
import * as command from "@pulumi/command";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Stage } from "../config/stage";

export interface DatabaseServer {
    host: string;
    port: number;
    adminUser: string;
    /** Unset: the provider and the CLI read PGPASSWORD from the environment. */
    adminPassword?: pulumi.Input<string>;
    sslMode: string;
}

export interface NeutralizedDatabaseArgs {
    stage: Stage;
    server: DatabaseServer;
    database: string;
    owner: string;
    /** Where the snapshot comes from: `s3://bucket/prefix/<id>` or a directory. */
    snapshotUri: string;
    /** Public URL of the environment: becomes `web.base.url`. */
    baseUrl: string;
    /** The environment's mail catcher: every mail server is pointed here. */
    mailCatcher: { host: string; port: number };
    /** Domains whose e-mail addresses may remain (the environment's own domain). */
    allowedDomains: string[];
    sanitizeSeed?: string;
    /** Directory the CLI runs from (the project root). */
    workDir: string;
}

export class NeutralizedDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly ownerRole: pulumi.Output<string>;
    public readonly ownerPassword: pulumi.Output<string>;
    /** The verify step: depend on it before routing traffic to the database. */
    public readonly ready: command.local.Command;

    constructor(name: string, args: NeutralizedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:data:NeutralizedDatabase", name, {}, opts);
        validateArgs(args);
        if (args.stage === "production") {
            throw new Error("NeutralizedDatabase: args.stage must not be production — production serves its own data, never a neutralized copy");
        }
        const child = { parent: this };

        const provider = new postgresql.Provider(`${name}-server`, {
            host: args.server.host,
            port: args.server.port,
            username: args.server.adminUser,
            password: args.server.adminPassword,
            sslmode: args.server.sslMode,
            superuser: false,
        }, child);
        const onServer = { parent: this, provider };

        const ownerPassword = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, child);
        const owner = new postgresql.Role(`${name}-owner`, {
            name: args.owner,
            login: true,
            password: ownerPassword.result,
        }, onServer);
        const database = new postgresql.Database(`${name}-database`, {
            name: args.database,
            owner: owner.name,
            encoding: "UTF8",
            template: "template0",
        }, onServer);

        const target = `postgresql://${encodeURIComponent(args.server.adminUser)}@${args.server.host}:${args.server.port}/${args.database}?sslmode=${args.server.sslMode}`;
        const environment: Record<string, pulumi.Input<string>> = { TARGET_DB_URL: target, SNAPSHOT_URI: args.snapshotUri };
        if (args.server.adminPassword) environment.PGPASSWORD = pulumi.secret(args.server.adminPassword);
        const cli = "npx --no-install odoo-platform";
        const triggers = [args.snapshotUri, args.baseUrl];

        const restore = new command.local.Command(`${name}-restore`, {
            create: `${cli} snapshot restore --from "$SNAPSHOT_URI" --db "$TARGET_DB_URL" --owner ${args.owner}` +
                (args.sanitizeSeed ? ` --sanitize --seed ${shellWord(args.sanitizeSeed)}` : ""),
            environment,
            dir: args.workDir,
            triggers,
        }, { ...child, dependsOn: [database] });

        const neutralize = new command.local.Command(`${name}-neutralize`, {
            create: `${cli} db neutralize --db "$TARGET_DB_URL" --base-url ${shellWord(args.baseUrl)} ` +
                `--mail-host ${shellWord(args.mailCatcher.host)} --mail-port ${args.mailCatcher.port}`,
            environment,
            dir: args.workDir,
            triggers,
        }, { ...child, dependsOn: [restore] });

        const allow = args.allowedDomains.map((d) => `--allow-domain ${shellWord(d)}`).join(" ");
        this.ready = new command.local.Command(`${name}-verify`, {
            create: `${cli} db verify --db "$TARGET_DB_URL" ${allow}`.trim(),
            environment,
            dir: args.workDir,
            triggers,
        }, { ...child, dependsOn: [neutralize] });

        this.databaseName = database.name;
        this.ownerRole = owner.name;
        this.ownerPassword = pulumi.secret(ownerPassword.result);
        this.registerOutputs({ databaseName: this.databaseName, ownerRole: this.ownerRole, ownerPassword: this.ownerPassword });
    }
}

/** Quotes a value for a POSIX shell command line. */
export function shellWord(value: string): string {
    return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

function validateArgs(args: NeutralizedDatabaseArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`NeutralizedDatabase: args.${field} ${why}`);
    };
    if (!args.server?.host) fail("server.host", "is required");
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.database ?? "")) fail("database", `must be a lower-case PostgreSQL identifier, got "${args.database}"`);
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.owner ?? "")) fail("owner", `must be a lower-case PostgreSQL identifier, got "${args.owner}"`);
    if (!/^(s3:\/\/[a-z0-9.-]+\/\S*|\/\S+)$/.test(args.snapshotUri ?? "")) fail("snapshotUri", `must be s3://bucket/prefix or an absolute directory, got "${args.snapshotUri}"`);
    if (!/^https?:\/\/\S+$/.test(args.baseUrl ?? "")) fail("baseUrl", `must be an http(s) URL, got "${args.baseUrl}"`);
}
