/**
 * The privilege check a refresh, restore or swap makes before anything is created
 * (ops/staging/targets.ts privilegeProblem) must agree with PostgreSQL's own checks: for each role
 * it calls able or unable, the test then runs the real `ALTER DATABASE … RENAME` and
 * `CREATE DATABASE … OWNER` as that role and expects the server to agree.
 */
import * as assert from "node:assert/strict";
import { Client } from "pg";
import { privilegeProblem, readRolePrivileges } from "../../../ops/generations/targets";
import { freshDatabase, testPostgres } from "../../support/postgres";
import { query } from "../../support/smallDb";

async function as<T>(url: string, role: string, fn: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url.replace("postgres@", `${role}@`) });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

/** null when the statement ran as `role` (then undone as the superuser), otherwise the server's message. */
async function serverSays(url: string, role: string, sql: string, undo: string): Promise<string | null> {
    const refused = await as(url, role, (client) =>
        client.query(sql).then(
            () => null,
            (err: Error) => err.message,
        ),
    );
    if (refused === null) await query(url, undo);
    return refused;
}

describe("the role's privileges, checked before a refresh starts", function () {
    this.timeout(120000);

    it("agrees with the server on who may rename a database away and give a copy to --owner", async () => {
        const pg = await testPostgres();
        const p = `priv_${process.pid}`;
        const roles = { owner: `${p}_owner`, member: `${p}_member`, noinherit: `${p}_noinherit`, stranger: `${p}_stranger`, nocreatedb: `${p}_nocreatedb` };
        await query(
            pg.url,
            [
                ...Object.values(roles).map((r) => `DROP ROLE IF EXISTS ${r}`),
                `CREATE ROLE ${roles.owner} LOGIN CREATEDB`,
                `CREATE ROLE ${roles.member} LOGIN CREATEDB IN ROLE ${roles.owner}`,
                `CREATE ROLE ${roles.noinherit} LOGIN CREATEDB NOINHERIT IN ROLE ${roles.owner}`,
                `CREATE ROLE ${roles.stranger} LOGIN CREATEDB`,
                `CREATE ROLE ${roles.nocreatedb} LOGIN IN ROLE ${roles.owner}`,
            ].join("; "),
        );
        const target = await freshDatabase(`${p}_stg`);
        await query(pg.url, `ALTER DATABASE "${target.name}" OWNER TO ${roles.owner}`);

        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        const able: string[] = [];
        try {
            for (const role of Object.values(roles)) {
                const privileges = await as(pg.url, role, (client) => readRolePrivileges(client, [target.name], roles.owner));
                const problem = privilegeProblem(privileges, "--to-db");
                const rename = await serverSays(
                    pg.url,
                    role,
                    `ALTER DATABASE "${target.name}" RENAME TO "${target.name}_x"`,
                    `ALTER DATABASE "${target.name}_x" RENAME TO "${target.name}"`,
                );
                const create = await serverSays(pg.url, role, `CREATE DATABASE "${p}_copy" OWNER ${roles.owner}`, `DROP DATABASE "${p}_copy"`);
                const serverAllows = rename === null && create === null;
                assert.equal(
                    problem === null,
                    serverAllows,
                    `${role}: the check says ${problem ?? "able"}; the server says rename: ${rename ?? "ok"}, create: ${create ?? "ok"}`,
                );
                if (serverAllows) able.push(role);
            }
            // The owner and a member that inherits its privileges; not a NOINHERIT member, a stranger or a role without CREATEDB.
            assert.deepEqual(able, [roles.owner, roles.member]);
            // And as the test's superuser: able, unless --owner names no role.
            assert.equal(privilegeProblem(await readRolePrivileges(admin, [target.name], roles.owner), "--to-db"), null);
            assert.match(
                privilegeProblem(await readRolePrivileges(admin, [target.name], `${p}_nobody`), "--to-db") ?? "",
                /--owner priv_\d+_nobody: no such role/,
            );
        } finally {
            await admin.end();
        }
    });
});
