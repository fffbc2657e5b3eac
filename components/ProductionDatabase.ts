/**
 * Production's own database on the production server: the application role Odoo connects as (never
 * the server's admin: Odoo refuses to run as `postgres`, and a superuser could read every database
 * on the server) and the database it owns. Both are protected and retained: Pulumi never drops
 * production data, not even on `pulumi destroy`.
 *
 * An existing production database is adopted, not recreated:
 *   pulumi import postgresql:index/role:Role <name>-owner <role>
 *   pulumi import postgresql:index/database:Database <name>-database <database>
 *
 * Provider: https://www.pulumi.com/registry/packages/postgresql/
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { databaseServerProvider, ServerConnection } from "./databaseServer";
import { isPostgresIdentifier } from "../config/naming";

export interface ProductionDatabaseArgs {
    server: ServerConnection;
    database: string;
    owner: string;
}

export class ProductionDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly ownerRole: pulumi.Output<string>;
    public readonly ownerPassword: pulumi.Output<string>;

    constructor(name: string, args: ProductionDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:data:ProductionDatabase", name, {}, opts);
        if (!args.server?.host) throw new Error("ProductionDatabase: args.server.host is required (config odoo-platform:dbHost)");
        if (!isPostgresIdentifier(args.database ?? ""))
            throw new Error(`ProductionDatabase: args.database must be a lower-case PostgreSQL identifier, got "${args.database}"`);
        if (!isPostgresIdentifier(args.owner ?? ""))
            throw new Error(`ProductionDatabase: args.owner must be a lower-case PostgreSQL identifier, got "${args.owner}"`);
        if (args.owner === args.server.adminUser) {
            throw new Error(`ProductionDatabase: args.owner must not be the server's admin role "${args.server.adminUser}": Odoo needs its own role`);
        }
        const child = { parent: this };

        const provider = databaseServerProvider(`${name}-server`, args.server, this);
        // Whatever the stage's retention says elsewhere: production's own database is never dropped.
        const keep = { parent: this, provider, protect: true, retainOnDelete: true };

        const password = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, child);
        const owner = new postgresql.Role(`${name}-owner`, { name: args.owner, login: true, password: password.result }, keep);
        const database = new postgresql.Database(
            `${name}-database`,
            {
                name: args.database,
                owner: owner.name,
                encoding: "UTF8",
                template: "template0",
            },
            keep,
        );

        this.databaseName = database.name;
        this.ownerRole = owner.name;
        this.ownerPassword = pulumi.secret(password.result);
        this.registerOutputs({ databaseName: this.databaseName, ownerRole: this.ownerRole, ownerPassword: this.ownerPassword });
    }
}
