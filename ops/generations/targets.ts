/**
 * Which databases a command may replace, rename away or put live, decided from what the server
 * says (identity, the odoo-platform mark, the database's own tables), before anything changes:
 *
 *   replace or rename away   a database that does not exist, that is empty, or that odoo-platform
 *                            created and that does not look like production; any other only when
 *                            the operator repeats its name with `--confirm <name>`
 *   put live (swap in)       only a copy odoo-platform created and that passed verify; no
 *                            `--confirm` makes another database a staging candidate
 *   never                    template databases, databases that refuse connections, the server's
 *                            maintenance database and the source of the run
 */
import type { Client } from "pg";
import { InvalidInputError, WrongDatabaseError } from "../core/errors";
import { connect, parseDatabaseUrl, withDatabase } from "../postgres/connect";
import { DatabaseIdentity, describeServer, sameServer, ServerIdentity } from "../postgres/identity";
import { ManagedMark, markVerified, readMark } from "../postgres/managed";
import { probeProductionSigns, ProductionSigns } from "./odooChecks";

export interface DatabaseAssessment {
    name: string;
    exists: boolean;
    identity?: DatabaseIdentity;
    /** A valid odoo-platform mark, or null. */
    mark: ManagedMark | null;
    markProblem?: string;
    /** Holds no table outside the system schemas. */
    empty: boolean;
    production: ProductionSigns | null;
    /** Why this database may never be replaced or put live (template, no connections, maintenance). */
    untouchable?: string;
}

/** Reads everything the decisions need about database `name` on `admin`'s server. */
export async function assessDatabase(
    admin: Client,
    serverUrl: string,
    name: string,
    opts: { server?: ServerIdentity; maintenanceDb?: string } = {},
): Promise<DatabaseAssessment> {
    const reading = await readMark(admin, name, opts.server);
    if (!reading) return { name, exists: false, mark: null, empty: true, production: null };
    const { rows } = await admin.query<{ datistemplate: boolean; datallowconn: boolean }>(
        `SELECT datistemplate, datallowconn FROM pg_database WHERE datname = $1`,
        [name],
    );
    const assessment: DatabaseAssessment = {
        name,
        exists: true,
        identity: reading.identity,
        mark: reading.mark,
        markProblem: reading.problem,
        empty: false,
        production: null,
    };
    const current = (await admin.query<{ db: string }>("SELECT current_database() AS db")).rows[0].db;
    if (rows[0].datistemplate) assessment.untouchable = `${name} is a template database (CREATE DATABASE copies it)`;
    else if (!rows[0].datallowconn) assessment.untouchable = `${name} does not allow connections`;
    else if (name === current || name === opts.maintenanceDb || name === "postgres") assessment.untouchable = `${name} is the server's maintenance database`;
    if (assessment.untouchable) return assessment;
    const client = await connect(parseDatabaseUrl(withDatabase(serverUrl, name), `database ${name}`), { application_name: "odoo-platform check" });
    try {
        const tables = await client.query<{ n: string }>(`
            SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`);
        assessment.empty = Number(tables.rows[0].n) === 0;
        if (!assessment.empty) assessment.production = await probeProductionSigns(client);
    } finally {
        await client.end().catch(() => undefined);
    }
    return assessment;
}

const confirmHint = (name: string) => `repeat its name with --confirm ${name} if you mean it`;

/** Why `a` may not be replaced or renamed away without --confirm (null: it may). Pure. */
export function replaceRisk(a: DatabaseAssessment): string | null {
    if (!a.exists || (a.empty && !a.production?.looksLikeProduction)) return null;
    const reasons: string[] = [];
    if (!a.mark) reasons.push(`it was not created by odoo-platform${a.markProblem ? ` (${a.markProblem})` : ""}`);
    if (a.production?.looksLikeProduction) reasons.push(`it looks like production (${a.production.reasons.join(", ")})`);
    return reasons.length ? reasons.join(" and ") : null;
}

/**
 * Refuses (exit 3) to replace, drop or rename away `a` unless it is safe or the operator named it
 * in --confirm. `what` says what would happen to it ("replace", "swap away").
 */
export function assertMayReplace(a: DatabaseAssessment, what: string, confirm?: string): { confirmed: boolean } {
    if (a.untouchable) throw new WrongDatabaseError(a.name, `refused to ${what} database ${a.name}: ${a.untouchable}; nothing was changed`);
    const risk = replaceRisk(a);
    if (!risk) return { confirmed: false };
    if (confirm === a.name) return { confirmed: true };
    const mismatch = confirm !== undefined ? ` (--confirm ${confirm} names another database)` : "";
    throw new WrongDatabaseError(a.name, `refused to ${what} database ${a.name}: ${risk}; nothing was changed${mismatch}: ${confirmHint(a.name)}`);
}

export interface RolePrivileges {
    role: string;
    superuser: boolean;
    createdb: boolean;
    /**
     * The existing databases the run renames (the target, a swap's candidate), their owners, and
     * whether the role has the owner's privileges (pg_has_role USAGE: the ownership check RENAME makes).
     */
    renamed: { name: string; owner: string; owned: boolean }[];
    /** `--owner`: null when not given; whether it exists and whether the role has its privileges (USAGE, for CREATE DATABASE … OWNER). */
    owner: { name: string; exists: boolean; member: boolean } | null;
}

/** What the role connected to the target's server may do there, as the server reports it. */
export async function readRolePrivileges(admin: Client, renamed: string[], owner?: string): Promise<RolePrivileges> {
    const role = (
        await admin.query<{ role: string; superuser: boolean; createdb: boolean }>(
            `SELECT rolname AS role, rolsuper AS superuser, rolcreatedb AS createdb FROM pg_roles WHERE rolname = current_user`,
        )
    ).rows[0];
    const databases = await admin.query<{ name: string; owner: string; owned: boolean }>(
        `
        SELECT datname AS name, pg_get_userbyid(datdba) AS owner, pg_has_role(current_user, datdba, 'USAGE') AS owned
          FROM pg_database WHERE datname = ANY($1::text[]) ORDER BY datname`,
        [renamed],
    );
    let ownerInfo: RolePrivileges["owner"] = null;
    if (owner) {
        const found = await admin.query<{ oid: string }>(`SELECT oid::text FROM pg_roles WHERE rolname = $1`, [owner]);
        const member = found.rows.length
            ? (await admin.query<{ m: boolean }>(`SELECT pg_has_role(current_user, $1::oid, 'USAGE') AS m`, [found.rows[0].oid])).rows[0].m
            : false;
        ownerInfo = { name: owner, exists: found.rows.length > 0, member };
    }
    return { ...role, renamed: databases.rows, owner: ownerInfo };
}

/**
 * Why the role cannot finish a refresh, restore or swap (null: it can). The run ends with
 * CREATE DATABASE (needs CREATEDB), `ALTER DATABASE … RENAME` of the target and the copy (needs
 * CREATEDB and ownership of each) and, with --owner, giving the copy to that role (needs its
 * privileges): checked before anything is created, so that a role short of a privilege fails
 * before the copy, not at the swap after it. Pure.
 */
export function privilegeProblem(p: RolePrivileges, option: string): string | null {
    const problems: string[] = [];
    if (p.owner && !p.owner.exists) problems.push(`--owner ${p.owner.name}: no such role on the target server (create it first)`);
    if (p.superuser) return problems.length ? problems.join("; ") : null;
    if (!p.createdb)
        problems.push(`the role ${p.role} in ${option} cannot create or rename databases (ALTER ROLE ${p.role} CREATEDB, or connect as a role that can)`);
    for (const d of p.renamed.filter((r) => !r.owned)) {
        problems.push(
            `the role ${p.role} in ${option} does not own database ${d.name} (its owner is ${d.owner}), so it cannot rename it at the swap: connect as ${d.owner}, or GRANT ${d.owner} TO ${p.role}`,
        );
    }
    if (p.owner?.exists && !p.owner.member)
        problems.push(`the role ${p.role} cannot give databases to --owner ${p.owner.name} (GRANT ${p.owner.name} TO ${p.role})`);
    return problems.length ? problems.join("; ") : null;
}

/** Refuses, as bad input (exit 2), a role that could not finish the run; before anything is created. */
export async function assertRoleMayReplace(admin: Client, renamed: string[], opts: { owner?: string; option: string }): Promise<void> {
    const problem = privilegeProblem(await readRolePrivileges(admin, renamed, opts.owner), opts.option);
    if (problem) throw new InvalidInputError(`${problem}; nothing was changed`);
}

/** Refuses (exit 3) a swap candidate that is not a verified copy odoo-platform made. No --confirm. */
export function assertMaySwapIn(a: DatabaseAssessment): void {
    const refuse = (why: string) =>
        new WrongDatabaseError(
            a.name,
            `refused to swap in ${a.name}: ${why}; nothing was changed. Only a copy made by snapshot restore or staging refresh and passed by db verify can go live`,
        );
    if (!a.exists) throw refuse("it does not exist");
    if (a.untouchable) throw refuse(a.untouchable);
    if (!a.mark) throw refuse(`it was not created by odoo-platform${a.markProblem ? ` (${a.markProblem})` : ""}`);
    if (a.mark.state !== "verified") throw refuse("it has not passed verify (run db verify on it first)");
    if (a.production?.looksLikeProduction) throw refuse(`it looks like production (${a.production.reasons.join(", ")})`);
}

/**
 * `db sanitize` / `db neutralize` rewrite a database in place: on one that is not an odoo-platform
 * copy and still looks like production, only with --confirm <its name>.
 */
export async function assertMayRewriteInPlace(client: Client, command: string, confirm?: string): Promise<void> {
    const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db");
    const name = rows[0].db;
    const reading = await readMark(client, name);
    if (reading?.mark) return;
    const signs = await probeProductionSigns(client);
    if (!signs.looksLikeProduction || confirm === name) return;
    const mismatch = confirm !== undefined ? ` (--confirm ${confirm} names another database)` : "";
    throw new WrongDatabaseError(
        name,
        `refused to run ${command} on ${name}: it looks like production (${signs.reasons.join(", ")}) and is not a copy made by odoo-platform; nothing was changed${mismatch}: ${confirmHint(name)}`,
    );
}

/** Refuses a target that is the source database itself, however the two URLs spell it. */
export function assertNotSource(source: DatabaseIdentity, targetServer: ServerIdentity, targetName: string, option: string): void {
    if (sameServer(source.server, targetServer) && source.name === targetName) {
        throw new WrongDatabaseError(
            targetName,
            `refused: ${option} ${targetName} is the source database (OID ${source.oid} on ${describeServer(source.server)}); staging must be a separate database, nothing was changed`,
        );
    }
}

/**
 * After a clean `db verify`: marks the database verified when it is a copy odoo-platform made (a
 * database it did not make stays unmarked). A role that cannot comment on it leaves it unmarked:
 * `staging swap` will then refuse it, which is the safe side.
 */
export async function recordVerified(client: Client): Promise<boolean> {
    const { rows } = await client.query<{ db: string }>("SELECT current_database() AS db");
    return markVerified(client, rows[0].db).catch(() => false);
}
