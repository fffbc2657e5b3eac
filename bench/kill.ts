/**
 * `npm run bench -- kill [--kills N] [--scale S]`: `kill -9` of `staging refresh` at N moments
 * spread over a whole run (prepare, schema, copy, indexes, neutralize, verify, swap),
 * on a throwaway PostgreSQL with the Odoo-shaped fixture as production.
 *
 * After every kill, staging must be intact: the database under the staging name is either the one
 * that served before (same OID) or the new verified copy (the kill came after the swap committed),
 * queryable, neutralized for the staging URL, and production holds none of the run's sessions once
 * its process group is gone (within 10 s: the server notices dead readers itself). The next run must clean up what the killed one left and succeed.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { Client } from "pg";
import { createOdooSchema, seedOdooFixture } from "../testing/odooFixture";
import { readMark } from "../ops/postgres/managed";
import { startThrowawayPostgres } from "../testing/throwawayPostgres";

export interface KillResult {
    atSeconds: number;
    /** The last progress step the CLI printed before the kill. */
    step: string;
    outcome: "old staging serves" | "new staging serves" | "BROKEN";
    /** Seconds from killing the run's process group until production held none of its sessions. */
    productionReleasedAfterSeconds?: number;
    detail?: string;
}

const projectDir = path.resolve(__dirname, "..");
const staging = ["--base-url", "https://staging.example.com", "--mail-host", "mailpit", "--mail-port", "1025", "--seed", "kill-bench", "--jobs", "2"];

async function q<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
    const c = new Client({ connectionString: url });
    c.on("error", () => undefined);
    await c.connect();
    try {
        return (await c.query(sql)).rows as T[];
    } finally {
        await c.end().catch(() => undefined);
    }
}

function refresh(
    fromDb: string,
    toDb: string,
): { pid: number; started: Promise<void>; done: Promise<{ code: number | null; stderr: string }>; lastStep: () => string } {
    const child = spawn(process.execPath, ["bin/odoo-platform.js", "staging", "refresh", "--from-db", fromDb, "--to-db", toDb, ...staging], {
        cwd: projectDir,
        detached: true,
        stdio: ["ignore", "ignore", "pipe"],
        env: { ...process.env, ODOO_PLATFORM_QUIET: "" },
    });
    let stderr = "";
    let began: () => void;
    const started = new Promise<void>((resolve) => (began = resolve));
    child.stderr!.on("data", (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes("staging refresh: ")) began();
    });
    const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
        child.on("close", (code) => {
            began();
            resolve({ code, stderr });
        }),
    );
    const lastStep = () => {
        const steps = [...stderr.matchAll(/staging refresh: ([^\n]+)/g)].map((m) => m[1].replace(/ \d+$/, ""));
        return steps.length ? steps[steps.length - 1] : "start-up";
    };
    return { pid: child.pid!, started, done, lastStep };
}

export async function benchKill(opts: { kills: number; scale: number; log: (line: string) => void }): Promise<{ results: KillResult[]; runSeconds: number }> {
    const pg = await startThrowawayPostgres();
    try {
        await q(pg.url, "CREATE DATABASE prod");
        const prodUrl = pg.urlFor("prod");
        const c = new Client({ connectionString: prodUrl });
        await c.connect();
        await createOdooSchema(c, { version: "17.0" });
        await seedOdooFixture(c, { scale: opts.scale, seed: "kill-bench", version: "17.0" });
        await c.end();
        const target = "stg";
        const targetUrl = pg.urlFor(target);

        // Kill moments are spread over the work itself, from the first step the CLI prints (node's
        // start-up before it touches nothing) to its exit.
        opts.log("first refresh (creates staging, and measures a whole run)");
        const measured = refresh(prodUrl, targetUrl);
        await measured.started;
        const t0 = Date.now();
        const first = await measured.done;
        if (first.code !== 0) throw new Error(`the first refresh failed: ${first.stderr}`);
        const runSeconds = (Date.now() - t0) / 1000;

        const results: KillResult[] = [];
        for (let i = 0; i < opts.kills; i++) {
            const before = (await q<{ oid: string }>(pg.url, `SELECT oid::text FROM pg_database WHERE datname = '${target}'`))[0].oid;
            const at = ((i + 0.5) / opts.kills) * runSeconds;
            const run = refresh(prodUrl, targetUrl);
            await run.started;
            await new Promise((r) => setTimeout(r, at * 1000));
            const step = run.lastStep();
            // The CLI alone first (its children outlive it, as after a crash), then its group.
            try {
                process.kill(run.pid, "SIGKILL");
            } catch {
                // it had finished
            }
            await run.done;
            let outcome: KillResult["outcome"];
            let detail: string | undefined;
            try {
                const [now] = await q<{ oid: string }>(pg.url, `SELECT oid::text FROM pg_database WHERE datname = '${target}'`);
                const [url] = await q<{ value: string }>(targetUrl, "SELECT value FROM ir_config_parameter WHERE key = 'web.base.url'");
                await q(targetUrl, "SELECT count(*) FROM res_partner");
                const admin = new Client({ connectionString: pg.url });
                await admin.connect();
                const mark = await readMark(admin, target);
                await admin.end();
                if (url?.value !== "https://staging.example.com") throw new Error(`web.base.url is ${url?.value}`);
                if (mark?.mark?.state !== "verified") throw new Error("staging is not a verified copy");
                outcome = now.oid === before ? "old staging serves" : "new staging serves";
            } catch (err) {
                outcome = "BROKEN";
                detail = (err as Error).message;
            }
            try {
                process.kill(-run.pid, "SIGKILL");
            } catch {
                // the group is gone
            }
            // With the whole group killed nothing of ours can end production's sessions: the server
            // notices the dead readers itself (client_connection_check_interval, 2 s, or at its next send).
            const killedAt = Date.now();
            let left = 1;
            while (Date.now() - killedAt < 10_000) {
                left = (
                    await q(
                        prodUrl,
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'odoo-platform%' AND pid <> pg_backend_pid()",
                    )
                ).length;
                if (!left) break;
                await new Promise((r) => setTimeout(r, 100));
            }
            const releasedAfterSeconds = (Date.now() - killedAt) / 1000;
            if (left && outcome !== "BROKEN") {
                outcome = "BROKEN";
                detail = `${left} sessions still on production 10 s after the kill`;
            }
            results.push({
                atSeconds: Math.round(at * 100) / 100,
                step,
                outcome,
                productionReleasedAfterSeconds: Math.round(releasedAfterSeconds * 10) / 10,
                ...(detail ? { detail } : {}),
            });
            opts.log(
                `kill ${i + 1}/${opts.kills} at ${at.toFixed(2)} s (${step}): ${outcome}, production released after ${releasedAfterSeconds.toFixed(1)} s${detail ? ` — ${detail}` : ""}`,
            );
        }

        opts.log("last refresh: cleans up what the killed runs left, and succeeds");
        const last = await refresh(prodUrl, targetUrl).done;
        if (last.code !== 0) results.push({ atSeconds: -1, step: "final refresh", outcome: "BROKEN", detail: last.stderr.trim().split("\n").pop() });
        const leftovers = (await q<{ datname: string }>(pg.url, `SELECT datname FROM pg_database WHERE datname LIKE '${target}\\_\\_%' ORDER BY 1`)).map(
            (r) => r.datname,
        );
        if (leftovers.some((d) => d.includes("__restore_")) || leftovers.length > 1) {
            results.push({ atSeconds: -1, step: "final refresh", outcome: "BROKEN", detail: `left behind: ${leftovers.join(", ")}` });
        }
        return { results, runSeconds };
    } finally {
        pg.stop();
    }
}
