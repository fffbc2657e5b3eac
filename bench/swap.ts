/**
 * How long is the environment unavailable while a restored copy is swapped in?
 *
 * A throwaway server holds a live database with N busy clients (like Odoo workers: a query every
 * few milliseconds, reconnecting when their session is ended) and a finished copy. `swapIn` ends
 * the sessions and renames both databases in one transaction. Measured per run:
 * - server side: from ending the sessions to the commit (what `staging refresh` reports);
 * - client side: the longest time any client went without a successful query.
 */
import { Client } from "pg";
import { startThrowawayPostgres } from "../testing/throwawayPostgres";
import { swapIn } from "../ops/generations/swap";

export interface SwapRun {
    serverSeconds: number;
    worstClientGapSeconds: number;
    clientErrors: number;
}

async function setup(url: string, name: string, note: string): Promise<void> {
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const c = new Client({ connectionString: url.replace(/\/postgres$/, `/${name}`) });
    await c.connect();
    await c.query(
        `CREATE TABLE marker (note text); INSERT INTO marker VALUES ('${note}'); CREATE TABLE filler AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 200000) g`,
    );
    await c.end();
}

export async function benchSwap(opts: { runs: number; clients: number }): Promise<SwapRun[]> {
    const pg = await startThrowawayPostgres();
    const runs: SwapRun[] = [];
    try {
        for (let run = 0; run < opts.runs; run++) {
            const target = `live_${run}`;
            const stamp = `202601010${String(run).padStart(5, "0")}`;
            const candidate = `${target}__restore_${stamp}`;
            await setup(pg.url, target, "old");
            await setup(pg.url, candidate, "new");
            let stop = false;
            let errors = 0;
            const gaps: number[] = [];
            const client = async () => {
                let lastOk = process.hrtime.bigint();
                let c: Client | undefined;
                while (!stop) {
                    try {
                        if (!c) {
                            c = new Client({ connectionString: pg.urlFor(target) });
                            c.on("error", () => undefined);
                            await c.connect();
                        }
                        await c.query("SELECT note FROM marker");
                        const now = process.hrtime.bigint();
                        gaps.push(Number(now - lastOk) / 1e9);
                        lastOk = now;
                    } catch {
                        errors++;
                        await c?.end().catch(() => undefined);
                        c = undefined;
                    }
                    await new Promise((r) => setTimeout(r, 5));
                }
                await c?.end().catch(() => undefined);
            };
            const workers = Array.from({ length: opts.clients }, client);
            await new Promise((r) => setTimeout(r, 300));
            const admin = new Client({ connectionString: pg.url });
            await admin.connect();
            const report = await swapIn(admin, { serverUrl: pg.url, target, candidate, stamp });
            await admin.end();
            await new Promise((r) => setTimeout(r, 300));
            stop = true;
            await Promise.all(workers);
            runs.push({ serverSeconds: report.unavailableSeconds, worstClientGapSeconds: Math.max(...gaps), clientErrors: errors });
        }
    } finally {
        pg.stop();
    }
    return runs;
}
