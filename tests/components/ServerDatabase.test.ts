import * as assert from "node:assert/strict";
import { ServerDatabase, ServerDatabaseArgs } from "../../components/ServerDatabase";
import { environmentNames } from "../../config/naming";
import { stackIdentity } from "../../config/stage";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";

/** A PR database on the staging server, named as the program names it. */
function prArgs(): ServerDatabaseArgs {
    const names = environmentNames(stackIdentity("pr-7"), { domain: "example.com" });
    return {
        server: { host: "staging-db.internal", port: 5432, adminUser: "postgres", adminPassword: "admin-pw", sslMode: "require" },
        database: names.database,
        owner: names.databaseOwner,
    };
}

describe("ServerDatabase from its args", function () {
    this.timeout(60000);

    it("creates the owner role with a generated password and the database it owns, on the server's provider, all parented to it", async () => {
        const args = prArgs();
        const built = await buildUnderMocks(
            () => new ServerDatabase("database", args),
            (c) => ({ databaseName: c.databaseName, ownerRole: c.ownerRole }),
        );
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:data:ServerDatabase");
        const role = children.find((r) => r.type === "postgresql:index/role:Role");
        const database = children.find((r) => r.type === "postgresql:index/database:Database");
        const provider = children.find((r) => r.type === "pulumi:providers:postgresql");
        assert.ok(role && database && provider, children.map((r) => r.type).join(", "));
        assert.equal((role!.inputs as any).name, args.owner);
        assert.equal((role!.inputs as any).login, true);
        assert.deepEqual(
            [(database!.inputs as any).name, (database!.inputs as any).encoding, (database!.inputs as any).template],
            [args.database, "UTF8", "template0"],
        );
        assert.equal((provider!.inputs as any).host, "staging-db.internal");
        assert.equal((provider!.inputs as any).superuser, "false", "a managed server gives no superuser");
        assert.deepEqual(built.outputs, { databaseName: args.database, ownerRole: args.owner });
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
    });

    const refusals: Refusal<ServerDatabaseArgs>[] = [
        ["server.host", (a) => (a.server.host = ""), /ServerDatabaseArgs\.server\.host: is required; fix: set odoo-platform:dbHost/],
        ["server.port", (a) => (a.server.port = 70000), /ServerDatabaseArgs\.server\.port: must be a TCP port, got 70000/],
        ["database", (a) => (a.database = "odoo-pr-7"), /ServerDatabaseArgs\.database: must be a lower-case PostgreSQL identifier, got "odoo-pr-7"/],
        ["owner", (a) => (a.owner = "Odoo"), /ServerDatabaseArgs\.owner: must be a lower-case PostgreSQL identifier, got "Odoo"/],
        ["owner (the admin role)", (a) => (a.owner = "postgres"), /ServerDatabaseArgs\.owner: must not be the server's admin role "postgres"/],
    ];
    itRefusesEachBadField(prArgs, (args) => new ServerDatabase("database", args), refusals);
});
