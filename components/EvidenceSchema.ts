/**
 * The `ops` evidence schema in PostgreSQL (Supabase or any server): the schema, an append-only
 * writer role (INSERT, never UPDATE/DELETE), a read-only reader role, and the versioned migration
 * run by the operations CLI (`odoo-platform evidence migrate`).
 *
 * Provider: https://www.pulumi.com/registry/packages/postgresql/
 */
import * as command from "@pulumi/command";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

export interface EvidenceSchemaArgs {
    host: string;
    port: number;
    database: string;
    adminUser: string;
    /** Unset: read from PGPASSWORD by the provider and the CLI. */
    adminPassword?: pulumi.Input<string>;
    sslMode: string;
    /** Directory the CLI runs from (the project root). */
    workDir: string;
}

export const evidenceSchemaName = "ops";

export class EvidenceSchema extends pulumi.ComponentResource {
    public readonly schemaName: pulumi.Output<string>;
    public readonly writerRole: pulumi.Output<string>;
    public readonly writerPassword: pulumi.Output<string>;
    public readonly readerRole: pulumi.Output<string>;
    public readonly readerPassword: pulumi.Output<string>;

    constructor(name: string, args: EvidenceSchemaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:evidence:EvidenceSchema", name, {}, opts);
        if (!args.host) throw new Error("EvidenceSchema: args.host is required (config odoo-platform:evidenceDbHost)");
        if (!/^[a-z_][a-z0-9_]{0,62}$/.test(args.database ?? "")) throw new Error(`EvidenceSchema: args.database must be a PostgreSQL identifier, got "${args.database}"`);
        const child = { parent: this };

        const provider = new postgresql.Provider(`${name}-server`, {
            host: args.host,
            port: args.port,
            database: args.database,
            username: args.adminUser,
            password: args.adminPassword,
            sslmode: args.sslMode,
            superuser: false,
        }, child);
        const onServer = { parent: this, provider };

        const schema = new postgresql.Schema(`${name}-schema`, { name: evidenceSchemaName, database: args.database, ifNotExists: true }, onServer);
        const writerPassword = new random.RandomPassword(`${name}-writer-password`, { length: 32, special: false }, child);
        const readerPassword = new random.RandomPassword(`${name}-reader-password`, { length: 32, special: false }, child);
        const writer = new postgresql.Role(`${name}-writer`, { name: "ops_writer", login: true, password: writerPassword.result }, onServer);
        const reader = new postgresql.Role(`${name}-reader`, { name: "ops_reader", login: true, password: readerPassword.result }, onServer);

        const environment: Record<string, pulumi.Input<string>> = {
            EVIDENCE_DB_URL: `postgresql://${encodeURIComponent(args.adminUser)}@${args.host}:${args.port}/${args.database}?sslmode=${args.sslMode}`,
        };
        if (args.adminPassword) environment.PGPASSWORD = pulumi.secret(args.adminPassword);
        // The migration creates the tables and their grants: versioned and idempotent, so it may rerun.
        const migrate = new command.local.Command(`${name}-migrate`, {
            create: `npx --no-install odoo-platform evidence migrate --db "$EVIDENCE_DB_URL"`,
            environment,
            dir: args.workDir,
            triggers: [schema.name, writer.name, reader.name],
        }, { ...child, dependsOn: [schema, writer, reader] });

        new postgresql.Grant(`${name}-writer-usage`, {
            database: args.database, schema: evidenceSchemaName, role: writer.name, objectType: "schema", privileges: ["USAGE"],
        }, { ...onServer, dependsOn: [migrate] });
        new postgresql.Grant(`${name}-writer-insert`, {
            database: args.database, schema: evidenceSchemaName, role: writer.name, objectType: "table", privileges: ["INSERT", "SELECT"],
        }, { ...onServer, dependsOn: [migrate] });
        new postgresql.Grant(`${name}-reader-usage`, {
            database: args.database, schema: evidenceSchemaName, role: reader.name, objectType: "schema", privileges: ["USAGE"],
        }, { ...onServer, dependsOn: [migrate] });
        new postgresql.Grant(`${name}-reader-select`, {
            database: args.database, schema: evidenceSchemaName, role: reader.name, objectType: "table", privileges: ["SELECT"],
        }, { ...onServer, dependsOn: [migrate] });

        this.schemaName = schema.name;
        this.writerRole = writer.name;
        this.writerPassword = pulumi.secret(writerPassword.result);
        this.readerRole = reader.name;
        this.readerPassword = pulumi.secret(readerPassword.result);
        this.registerOutputs({
            schemaName: this.schemaName, writerRole: this.writerRole, writerPassword: this.writerPassword,
            readerRole: this.readerRole, readerPassword: this.readerPassword,
        });
    }
}
