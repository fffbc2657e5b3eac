/**
 * The mark odoo-platform leaves on every database it creates (refresh and restore copies, and so
 * staging and PR databases): a `COMMENT ON DATABASE` holding a small JSON tag.
 *
 * Why a database comment: the server holds it (pg_shdescription, a shared catalog), any role can
 * read it, only the database's owner or a superuser can set it, and it follows the database
 * through `ALTER DATABASE … RENAME` (it belongs to the OID), so a copy stays marked when it is
 * swapped in as staging and when it is renamed away as the previous generation. A marker table
 * inside the database would be weaker: it travels with every pg_dump (a dump of staging restored
 * by hand elsewhere would claim to be ours) and any role that can create a table can forge it.
 *
 * What stops a mark from being carried to another database: it records the cluster's
 * system_identifier and the database's OID when it was written, and is valid only while both
 * match. pg_dump writes database comments only with --create (PostgreSQL 11 and later); even then
 * the restored database has another OID, so the copied mark is void. A person who owns a database
 * can still write a valid-looking mark by hand: the mark guards against mistakes, not against a
 * database owner set on pretending.
 */
import type { Client } from "pg";
import { quoteIdent, quoteLiteral } from "./catalog";
import { DatabaseIdentity, databaseIdentityByName, readServerIdentity, ServerIdentity } from "./identity";

export const managedTag = "odoo-platform:managed";

export interface ManagedMark {
    v: 1;
    /** system_identifier and OID of the database when the mark was written. */
    system: string;
    oid: number;
    createdAt: string;
    /** The command that created it: "staging refresh", "snapshot restore". */
    createdBy: string;
    /** building: being filled; verified: passed verify (a refresh's own, or `db verify`). */
    state: "building" | "verified";
    /** Personal data replaced: streamed through the sanitizing rules, or restored with proof. */
    sanitized: boolean;
    verifiedAt?: string;
    /** Where the data came from. */
    source?: { system: string; oid: number; name: string } | { snapshot: string };
}

export interface MarkReading {
    identity: DatabaseIdentity;
    /** The mark, when the comment holds one that is valid for this database. */
    mark: ManagedMark | null;
    /** Why a comment that looks like a mark is not valid here (copied from elsewhere, garbled). */
    problem?: string;
}

/** The comment text of a mark. Pure. */
export function markText(mark: ManagedMark): string {
    return `${managedTag} ${JSON.stringify(mark)}`;
}

/** Reads a comment as a mark of the database `identity`. Pure. */
export function parseMark(comment: string | null, identity: DatabaseIdentity): { mark: ManagedMark | null; problem?: string } {
    if (!comment || !comment.startsWith(`${managedTag} `)) return { mark: null };
    let mark: ManagedMark;
    try {
        mark = JSON.parse(comment.slice(managedTag.length + 1));
    } catch {
        return { mark: null, problem: "its odoo-platform mark is not valid JSON" };
    }
    if (mark?.v !== 1 || typeof mark.system !== "string" || typeof mark.oid !== "number" || !["building", "verified"].includes(mark.state)) {
        return { mark: null, problem: "its odoo-platform mark is not one this version writes" };
    }
    if (mark.system !== identity.server.systemIdentifier || mark.oid !== identity.oid) {
        return {
            mark: null,
            problem: `its odoo-platform mark was written for database OID ${mark.oid} of cluster ${mark.system}, not for this one (OID ${identity.oid}): it was copied here`,
        };
    }
    return { mark };
}

export async function readMark(client: Client, name: string, server?: ServerIdentity): Promise<MarkReading | null> {
    const identity = await databaseIdentityByName(client, name, server);
    if (!identity) return null;
    const { rows } = await client.query<{ comment: string | null }>(`SELECT shobj_description($1::oid, 'pg_database') AS comment`, [identity.oid]);
    return { identity, ...parseMark(rows[0]?.comment ?? null, identity) };
}

/** Writes (or replaces) the mark of database `name`, bound to its current OID. */
export async function writeMark(
    client: Client,
    name: string,
    fields: Omit<ManagedMark, "v" | "system" | "oid" | "createdAt"> & { createdAt?: string },
): Promise<ManagedMark> {
    const identity = await databaseIdentityByName(client, name);
    if (!identity) throw new Error(`cannot mark database ${name}: it does not exist`);
    const mark: ManagedMark = {
        v: 1,
        system: identity.server.systemIdentifier,
        oid: identity.oid,
        createdAt: fields.createdAt ?? new Date().toISOString(),
        ...fields,
    };
    await client.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(markText(mark))}`);
    return mark;
}

/** Records that a managed database passed verify. Returns false (and changes nothing) for one we do not manage. */
export async function markVerified(client: Client, name: string, at = new Date()): Promise<boolean> {
    const reading = await readMark(client, name, await readServerIdentity(client));
    if (!reading?.mark) return false;
    const mark: ManagedMark = { ...reading.mark, state: "verified", verifiedAt: at.toISOString() };
    await client.query(`COMMENT ON DATABASE ${quoteIdent(name)} IS ${quoteLiteral(markText(mark))}`);
    return true;
}
