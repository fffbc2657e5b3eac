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

export class ServerDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly ownerRole: pulumi.Output<string>;
    public readonly ownerPassword: pulumi.Output<string>;
    public readonly database: postgresql.Database;

    constructor(name: string, args: ServerDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:data:ServerDatabase", name, {}, opts);
        if (!args.server?.host) throw new Error("ServerDatabase: args.server.host is required (config odoo-platform:dbHost, or the stack's RDS instance)");
        if (!isPostgresIdentifier(args.database ?? ""))
            throw new Error(`ServerDatabase: args.database must be a lower-case PostgreSQL identifier, got "${args.database}"`);
        if (!isPostgresIdentifier(args.owner ?? ""))
            throw new Error(`ServerDatabase: args.owner must be a lower-case PostgreSQL identifier, got "${args.owner}"`);
        if (args.owner === args.server.adminUser)
            throw new Error(`ServerDatabase: args.owner must not be the server's admin role "${args.server.adminUser}": Odoo needs its own role`);
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
