/**
 * A database restored from a sanitized snapshot and made safe before anything can use it. On the
 * stage's PostgreSQL server (postgresql provider): the owner role with a random password (secret)
 * and the database (dropped when the stack deletes it); then four `@pulumi/command` steps running
 * the operations CLI, each rerun when the snapshot changes:
 *
 *   restore     snapshot restore --require-sanitized into <db>__pending (checksums first)
 *   neutralize  db neutralize on <db>__pending
 *   verify      db verify on <db>__pending — fails the deployment on any finding
 *   swap        staging swap: <db>__pending becomes <db> in one transaction
 *
 * The live database is replaced only by the swap, after verify passed, so traffic never reaches a
 * copy that failed verification. `ready` is the swap step: the Odoo container depends on it.
 * Dev and PR stacks without a snapshot do not use this component: they get a fresh database with
 * demo data from OdooEnvironment's one-shot init container.
 *
 * Providers: https://www.pulumi.com/registry/packages/postgresql/ and
 * https://www.pulumi.com/registry/packages/command/
 */
import * as command from "@pulumi/command";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Stage } from "../config/stage";
import { DatabaseServer, databaseServerProvider } from "./databaseServer";

export type { DatabaseServer } from "./databaseServer";
import { pendingDatabaseName } from "../ops/staging/names";

export interface NeutralizedDatabaseArgs {
    stage: Stage;
    server: DatabaseServer;
    database: string;
    owner: string;
    /** Where the sanitized snapshot is: `s3://bucket/staging/<id>` (…/latest follows latest.json) or a directory. */
    snapshotUri: string;
    /** Public URL of the environment: becomes `web.base.url`. */
    baseUrl: string;
    /** The environment's mail catcher: every mail server is pointed here. */
    mailCatcher: { host: string; port: number };
    /** Domains whose e-mail addresses may remain (the environment's own domain). */
    allowedDomains: string[];
    /** Directory the CLI runs from (the project root). */
    workDir: string;
    /** S3-compatible endpoint instead of AWS. */
    s3Endpoint?: string;
    /** Rerun the steps when this changes even if the URI does not (e.g. `latest` re-pointed). */
    refreshToken?: string;
}

export class NeutralizedDatabase extends pulumi.ComponentResource {
    public readonly databaseName: pulumi.Output<string>;
    public readonly ownerRole: pulumi.Output<string>;
    public readonly ownerPassword: pulumi.Output<string>;
    /** The verify step: the copy passed the independent check (the neutralization policy looks for it). */
    public readonly verified: command.local.Command;
    /** The swap step: the verified copy is live. Depend on it (and on `verified`) before routing traffic. */
    public readonly ready: command.local.Command;

    constructor(name: string, args: NeutralizedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:data:NeutralizedDatabase", name, {}, opts);
        validateArgs(args);
        if (args.stage === "production") {
            throw new Error("NeutralizedDatabase: args.stage must not be production — production serves its own data, never a neutralized copy");
        }
        const child = { parent: this };

        const provider = databaseServerProvider(`${name}-server`, args.server, this);
        const onServer = { parent: this, provider };

        const ownerPassword = new random.RandomPassword(`${name}-owner-password`, { length: 32, special: false }, child);
        const owner = new postgresql.Role(`${name}-owner`, {
            name: args.owner,
            login: true,
            password: ownerPassword.result,
        }, onServer);
        // Deleting the stack drops the database (the provider's delete); the swap keeps its name.
        const database = new postgresql.Database(`${name}-database`, {
            name: args.database,
            owner: owner.name,
            encoding: "UTF8",
            template: "template0",
            allowConnections: true,
        }, onServer);

        const pending = pendingDatabaseName(args.database);
        const environment: Record<string, pulumi.Input<string>> = {
            TARGET_DB_URL: serverUrl(args.server, args.database),
            PENDING_DB_URL: serverUrl(args.server, pending),
            SNAPSHOT_URI: args.snapshotUri,
        };
        if (args.server.adminPassword) environment.PGPASSWORD = pulumi.secret(args.server.adminPassword);
        if (args.s3Endpoint) environment.ODOO_PLATFORM_S3_ENDPOINT = args.s3Endpoint;
        const steps = neutralizedDatabaseCommands({ ...args, pending });
        const triggers = [args.snapshotUri, args.refreshToken ?? "", args.baseUrl];
        const step = (id: keyof typeof steps, dependsOn: pulumi.Resource[]) =>
            new command.local.Command(`${name}-${id}`, {
                create: steps[id].create,
                delete: steps[id].delete,
                environment,
                dir: args.workDir,
                triggers,
            }, { ...child, dependsOn });

        const restore = step("restore", [database, owner]);
        const neutralize = step("neutralize", [restore]);
        this.verified = step("verify", [neutralize]);
        this.ready = step("swap", [this.verified]);

        this.databaseName = database.name;
        this.ownerRole = owner.name;
        this.ownerPassword = pulumi.secret(ownerPassword.result);
        this.registerOutputs({ databaseName: this.databaseName, ownerRole: this.ownerRole, ownerPassword: this.ownerPassword });
    }
}

const cli = "npx --no-install odoo-platform";

/**
 * The command lines of the four steps (the URLs and the admin password come from the
 * environment, never the command line). Pure.
 */
export function neutralizedDatabaseCommands(args: Pick<NeutralizedDatabaseArgs, "owner" | "baseUrl" | "mailCatcher" | "allowedDomains"> & { pending: string }): Record<"restore" | "neutralize" | "verify" | "swap", { create: string; delete?: string }> {
    const allow = args.allowedDomains.map((d) => `--allow-domain ${shellWord(d)}`).join(" ");
    return {
        restore: {
            // --require-sanitized checks the restored data for personal data: the allowed domains are its too.
            create: `${cli} snapshot restore --from "$SNAPSHOT_URI" --db "$PENDING_DB_URL" --owner ${shellWord(args.owner)} --require-sanitized ${allow}`.trim(),
            // A half-built or unswapped candidate must not outlive the stack.
            delete: `${cli} staging cleanup --db "$PENDING_DB_URL" --drop-previous`,
        },
        neutralize: {
            create: `${cli} db neutralize --db "$PENDING_DB_URL" --base-url ${shellWord(args.baseUrl)} --mail-host ${shellWord(args.mailCatcher.host)} --mail-port ${args.mailCatcher.port}`,
        },
        // Verify knows the environment: its URL (web.base.url must equal it) and its mail catcher
        // (the only server mail may go to); without them every neutralized database would fail.
        verify: {
            create: `${cli} db verify --db "$PENDING_DB_URL" --base-url ${shellWord(args.baseUrl)} --mail-host ${shellWord(args.mailCatcher.host)} ${allow}`.trim(),
        },
        swap: {
            create: `${cli} staging swap --db "$TARGET_DB_URL" --candidate ${shellWord(args.pending)}`,
            delete: `${cli} staging cleanup --db "$TARGET_DB_URL" --drop-previous`,
        },
    };
}

/** libpq URL of a database on the server, without password (PGPASSWORD carries it). */
export function serverUrl(server: DatabaseServer, database: string): string {
    return `postgresql://${encodeURIComponent(server.adminUser)}@${server.host}:${server.port}/${database}?sslmode=${server.sslMode}`;
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
    if (!args.mailCatcher?.host || !(args.mailCatcher.port > 0)) fail("mailCatcher", "must name the environment's mail catcher host and port");
}
