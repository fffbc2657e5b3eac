/**
 * The stage's PostgreSQL server as the `postgresql` provider sees it, shared by the components that
 * create databases and roles on it (NeutralizedDatabase, ProductionDatabase).
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";

export interface DatabaseServer {
    host: string;
    port: number;
    adminUser: string;
    /** Unset: the provider and the CLI read PGPASSWORD from the environment. */
    adminPassword?: pulumi.Input<string>;
    sslMode: string;
    /** CA of the server's certificate for verify-ca / verify-full: PEM text, or "system". */
    sslRootCert?: string;
}

/** A server whose address may be another resource's output (an RDS instance's endpoint). */
export type ServerConnection = Omit<DatabaseServer, "host"> & { host: pulumi.Input<string> };

/** A `postgresql` provider connected to `server` as its admin role, parented to `parent`. */
export function databaseServerProvider(name: string, server: ServerConnection, parent: pulumi.Resource): postgresql.Provider {
    return new postgresql.Provider(
        name,
        {
            host: server.host,
            port: server.port,
            username: server.adminUser,
            password: server.adminPassword,
            sslmode: server.sslMode,
            // Managed servers (RDS, Supabase) give no superuser: never assume one.
            superuser: false,
        },
        { parent },
    );
}
