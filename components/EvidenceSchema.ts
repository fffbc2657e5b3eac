/**
 * The `ops` evidence schema in PostgreSQL (Supabase or any server): the schema, an append-only
 * writer role (INSERT, never UPDATE/DELETE), a read-only reader role, their grants, and the
 * versioned migration run by the operations CLI (`odoo-platform evidence migrate`, see
 * ops/evidence/migrate.ts) that creates the tables, indexes, checks and append-only triggers.
 *
 * The grants are declared twice on purpose and must agree: here (so a plan and a policy can see
 * them, and Pulumi reverts drift) and in migration 0002 (so the database enforces them even where
 * the schema was migrated by hand). The table below is the single list both are checked against.
 *
 * Provider: https://www.pulumi.com/registry/packages/postgresql/ (Provider, Schema, Role, Grant);
 * the migration step: https://www.pulumi.com/registry/packages/command/api-docs/local/command/
 */
import * as command from "@pulumi/command";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { migrationsFingerprint } from "../ops/evidence/migrate";
import { evidenceColumns, evidenceSchemaName, readerRole, writerRole } from "../ops/evidence/schema";
import type { DataRetention } from "./retention";
import { isPostgresIdentifier } from "../config/naming";

export { evidenceSchemaName };

export type EvidenceSslMode = "disable" | "require" | "verify-ca" | "verify-full";

export interface EvidenceSchemaArgs {
    host: string;
    port: number;
    database: string;
    adminUser: string;
    /** Unset: read from PGPASSWORD by the provider and the CLI. */
    adminPassword?: pulumi.Input<string>;
    sslMode: EvidenceSslMode;
    /** Directory the CLI runs from (the project root). */
    workDir: string;
    /** Most concurrent sessions of the writer (CI jobs); default 10. */
    writerConnectionLimit?: number;
    /** How the roles are kept (components/retention.ts): they own the evidence history's grants. */
    retention?: DataRetention;
}

export interface EvidenceGrant {
    role: "writer" | "reader";
    objectType: "schema" | "table";
    privileges: string[];
    /** Tables the grant covers (objectType table). */
    objects?: string[];
}

const evidenceTables = Object.keys(evidenceColumns);

/**
 * Every privilege the two roles hold, as data. The writer gets INSERT plus SELECT (INSERT …
 * RETURNING and the rollback lookup read what they write) and nothing that rewrites: no UPDATE,
 * DELETE, TRUNCATE, REFERENCES or TRIGGER, and nothing at all on ops.schema_migrations.
 */
export const evidenceGrants: EvidenceGrant[] = [
    { role: "writer", objectType: "schema", privileges: ["USAGE"] },
    { role: "writer", objectType: "table", privileges: ["INSERT", "SELECT"], objects: evidenceTables },
    { role: "reader", objectType: "schema", privileges: ["USAGE"] },
    { role: "reader", objectType: "table", privileges: ["SELECT"], objects: [...evidenceTables, "schema_migrations"] },
];

/** Privileges no evidence role may ever hold (the component refuses a grant table that lists one). */
export const forbiddenEvidencePrivileges = ["UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "ALL"];

/**
 * The user name a role logs in with. Supabase's pooler (Supavisor) routes by tenant: every role of
 * project <ref> logs in as `<role>.<ref>`, the suffix the admin user already carries.
 */
export function loginName(role: string, server: Pick<EvidenceSchemaArgs, "host" | "adminUser">): string {
    const tenant = /\.pooler\.supabase\.com$/.test(server.host) ? /^[^.]+\.(.+)$/.exec(server.adminUser)?.[1] : undefined;
    return tenant ? `${role}.${tenant}` : role;
}

/** libpq URL of the evidence database for a role (password supplied separately). */
export function evidenceDbUrl(args: Pick<EvidenceSchemaArgs, "host" | "port" | "database" | "sslMode">, user: string): string {
    return `postgresql://${encodeURIComponent(user)}@${args.host}:${args.port}/${args.database}?sslmode=${args.sslMode}`;
}

export class EvidenceSchema extends pulumi.ComponentResource {
    public readonly schemaName: pulumi.Output<string>;
    public readonly writerRole: pulumi.Output<string>;
    public readonly writerPassword: pulumi.Output<string>;
    /** postgresql://ops_writer:…@host/db: what CI stores as the EVIDENCE_DB_URL secret. Secret. */
    public readonly writerUrl: pulumi.Output<string>;
    public readonly readerRole: pulumi.Output<string>;
    /** The name ops_reader logs in with (`ops_reader.<ref>` through Supabase's pooler). */
    public readonly readerLogin: pulumi.Output<string>;
    public readonly readerPassword: pulumi.Output<string>;
    /** Schema version the migration step brought the database to (its fingerprint). */
    public readonly migrationsFingerprint: pulumi.Output<string>;

    constructor(name: string, args: EvidenceSchemaArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): refused args register nothing.
        if (!args.host) throw new Error("EvidenceSchema: args.host is required (config odoo-platform:evidenceDbHost)");
        if (!isPostgresIdentifier(args.database ?? ""))
            throw new Error(`EvidenceSchema: args.database must be a PostgreSQL identifier, got "${args.database}"`);
        const limit = args.writerConnectionLimit;
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1))
            throw new Error(`EvidenceSchema: args.writerConnectionLimit must be a whole number of at least 1 (PostgreSQL reads -1 as no limit), got ${limit}`);
        for (const grant of evidenceGrants) {
            const bad = grant.privileges.filter((p) => forbiddenEvidencePrivileges.includes(p));
            if (bad.length)
                throw new Error(`EvidenceSchema: the ${grant.role} role may not hold ${bad.join(", ")} on the evidence schema (evidence is append-only)`);
        }
        super("odoo-platform:evidence:EvidenceSchema", name, {}, opts);
        const child = { parent: this };

        const provider = new postgresql.Provider(
            `${name}-server`,
            {
                host: args.host,
                port: args.port,
                database: args.database,
                username: args.adminUser,
                password: args.adminPassword,
                sslmode: args.sslMode,
                superuser: false,
            },
            child,
        );
        const onServer = { parent: this, provider };

        // Evidence outlives the stack: destroying it must not drop the history it exists to keep.
        const schema = new postgresql.Schema(
            `${name}-schema`,
            {
                name: evidenceSchemaName,
                database: args.database,
                owner: args.adminUser,
                ifNotExists: true,
                dropCascade: false,
            },
            { ...onServer, retainOnDelete: true },
        );
        const writerPassword = new random.RandomPassword(`${name}-writer-password`, { length: 32, special: false }, child);
        const readerPassword = new random.RandomPassword(`${name}-reader-password`, { length: 32, special: false }, child);
        const roles = {
            writer: new postgresql.Role(
                `${name}-writer`,
                {
                    name: writerRole,
                    login: true,
                    password: writerPassword.result,
                    connectionLimit: args.writerConnectionLimit ?? 10,
                    createDatabase: false,
                    createRole: false,
                    superuser: false,
                    statementTimeout: 60_000,
                },
                { ...onServer, ...args.retention },
            ),
            reader: new postgresql.Role(
                `${name}-reader`,
                {
                    name: readerRole,
                    login: true,
                    password: readerPassword.result,
                    createDatabase: false,
                    createRole: false,
                    superuser: false,
                    statementTimeout: 60_000,
                },
                { ...onServer, ...args.retention },
            ),
        };

        const fingerprint = migrationsFingerprint();
        const environment: Record<string, pulumi.Input<string>> = { EVIDENCE_DB_URL: evidenceDbUrl(args, args.adminUser) };
        if (args.adminPassword) environment.PGPASSWORD = pulumi.secret(args.adminPassword);
        // Versioned and idempotent: rerun whenever the set of migrations changes (a new file).
        const migrate = new command.local.Command(
            `${name}-migrate`,
            {
                create: `npx --no-install odoo-platform evidence migrate --evidence-db "$EVIDENCE_DB_URL"`,
                environment,
                dir: args.workDir,
                triggers: [schema.name, roles.writer.name, roles.reader.name, fingerprint],
            },
            { ...child, dependsOn: [schema, roles.writer, roles.reader] },
        );

        evidenceGrants.forEach((grant) => {
            new postgresql.Grant(
                `${name}-${grant.role}-${grant.objectType}`,
                {
                    database: args.database,
                    schema: evidenceSchemaName,
                    role: roles[grant.role].name,
                    objectType: grant.objectType,
                    objects: grant.objects,
                    privileges: grant.privileges,
                    withGrantOption: false,
                },
                { ...onServer, dependsOn: [migrate] },
            );
        });

        this.schemaName = schema.name;
        this.writerRole = roles.writer.name;
        this.writerPassword = pulumi.secret(writerPassword.result);
        this.writerUrl = pulumi.secret(
            pulumi.interpolate`postgresql://${loginName(writerRole, args)}:${writerPassword.result}@${args.host}:${args.port}/${args.database}?sslmode=${args.sslMode}`,
        );
        this.readerRole = roles.reader.name;
        this.readerLogin = roles.reader.name.apply((role) => loginName(role, args));
        this.readerPassword = pulumi.secret(readerPassword.result);
        this.migrationsFingerprint = pulumi.output(fingerprint);
        this.registerOutputs({
            schemaName: this.schemaName,
            writerRole: this.writerRole,
            writerPassword: this.writerPassword,
            writerUrl: this.writerUrl,
            readerRole: this.readerRole,
            readerLogin: this.readerLogin,
            readerPassword: this.readerPassword,
            migrationsFingerprint: this.migrationsFingerprint,
        });
    }
}
