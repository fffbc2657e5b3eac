/**
 * A database of the environment's own on a shared PostgreSQL server, with its owner role and a
 * generated password: a PR database on the staging server, or staging's database on its RDS
 * instance (runtime kubernetes). Kept by the stage's retention; production's own database is
 * components/ProductionDatabase.ts, which is always protected.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { databaseServerProvider, ServerConnection } from "./databaseServer";
import type { DataRetention } from "./retention";
import { isPostgresIdentifier } from "../config/naming";

export interface ServerDatabaseArgs {
    server: ServerConnection;
    database: string;
    owner: string;
    retention?: DataRetention;
}

/**
 * Refuses args the provider would fail on half-way (after the role exists) or that would hand Odoo
 * the server's admin role: `ServerDatabaseArgs.<field>: <why>; fix: <how>`. Pure; runs before
 * anything is registered.
 */
export function validateServerDatabaseArgs(args: ServerDatabaseArgs): void {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`ServerDatabaseArgs.${field}: ${why}; fix: ${fix}`);
    };
    if (!args.server?.host) fail("server.host", "is required", "set odoo-platform:dbHost, or pass the stack's RDS instance endpoint");
    if (!(Number.isInteger(args.server.port) && args.server.port > 0 && args.server.port < 65536))
        fail("server.port", `must be a TCP port, got ${args.server.port}`, "set odoo-platform:dbPort");
    if (!args.server.adminUser) fail("server.adminUser", "is required", "set odoo-platform:dbAdminUser");
    for (const field of ["database", "owner"] as const) {
        if (!isPostgresIdentifier(args[field] ?? ""))
            fail(field, `must be a lower-case PostgreSQL identifier, got "${args[field]}"`, "pass the names environmentNames() derives (config/naming.ts)");
    }
    if (args.owner === args.server.adminUser)
        fail("owner", `must not be the server's admin role "${args.server.adminUser}": Odoo needs a role of its own`, "pass environmentNames().databaseOwner");
}

export class ServerDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly ownerRole: pulumi.Output<string>;
    public readonly ownerPassword: pulumi.Output<string>;
    public readonly database: postgresql.Database;

    constructor(name: string, args: ServerDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        validateServerDatabaseArgs(args);
        super("odoo-platform:data:ServerDatabase", name, {}, opts);
        const provider = databaseServerProvider(`${name}-server`, args.server, this);
        const onServer = { parent: this, provider, ...args.retention };
        const password = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, { parent: this });
        const owner = new postgresql.Role(`${name}-owner`, { name: args.owner, login: true, password: password.result }, onServer);
        this.database = new postgresql.Database(
            `${name}-database`,
            { name: args.database, owner: owner.name, encoding: "UTF8", template: "template0", allowConnections: true },
            onServer,
        );
        this.databaseName = this.database.name;
        this.ownerRole = owner.name;
        this.ownerPassword = pulumi.secret(password.result);
        this.registerOutputs({ databaseName: this.databaseName, ownerRole: this.ownerRole, ownerPassword: this.ownerPassword });
    }
}
