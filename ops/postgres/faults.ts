/**
 * After a step failed: was it the step, or the world around it? A client program exits 1 whether
 * its query was wrong or its server went away, and `pg_dump` says "could not write" whether the
 * disk is full or the path is wrong. The answer is read from the facts — the error's system code,
 * the free space left where we wrote, whether each server still answers — never from the wording
 * of a message, and decides the error's class (and so the exit code).
 */
import * as fs from "node:fs";
import { Client } from "pg";
import { errorCode, errorKind, errorLine, UnavailableError } from "../core/errors";
import { redactUrl } from "../core/secrets";
import { ToolFailedError } from "./tools";

export interface FailureContext {
    /** Servers the run used, each with what it is to the operator ("production (--from-db)"). */
    servers?: { label: string; url: string }[];
    /** Local directories the run wrote to, each with the option that chose it. */
    directories?: { label: string; dir: string }[];
}

/** Free bytes for unprivileged writers under `dir`'s file system, or null when unknown. */
export function freeBytes(dir: string): number | null {
    let probe = dir;
    while (!fs.existsSync(probe) && probe !== "/") probe = probe.replace(/\/[^/]*\/?$/, "") || "/";
    try {
        const s = fs.statfsSync(probe);
        return s.bavail * s.bsize;
    } catch {
        return null;
    }
}

async function answers(url: string): Promise<boolean> {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: "odoo-platform probe" });
    client.on("error", () => undefined);
    try {
        await client.connect();
        await client.query("SELECT 1");
        return true;
    } catch {
        return false;
    } finally {
        await client.end().catch(() => undefined);
    }
}

export async function explainFailure(err: unknown, ctx: FailureContext): Promise<unknown> {
    const kind = errorKind(err);
    if (kind === "invalid-input" || kind === "refused") return err;
    const code = errorCode(err);
    const what = errorLine(err);
    const dirs = ctx.directories ?? [];
    const full = dirs.find((d) => {
        const free = freeBytes(d.dir);
        return free !== null && free < 1024 * 1024;
    });
    if (code === "ENOSPC" || code === "EDQUOT" || full) {
        const where = full ?? dirs[0];
        return new UnavailableError(
            `no space left on device${where ? ` in ${where.dir}` : ""} (${what}): free space there${where ? ` or choose another ${where.label}` : ""}`,
            { cause: err },
        );
    }
    if (code === "EFBIG" || (err instanceof ToolFailedError && err.signal === "SIGXFSZ")) {
        return new UnavailableError(`a file grew past the file-size limit (ulimit -f) (${what}): raise the limit or write elsewhere`, { cause: err });
    }
    for (const server of ctx.servers ?? []) {
        if (!(await answers(server.url))) {
            return new UnavailableError(`${server.label} ${redactUrl(server.url)} stopped answering (${what}): retry when it is back`, { cause: err });
        }
    }
    return err;
}
