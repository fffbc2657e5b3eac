/**
 * Sanitize benchmark: on a throwaway server, generates the Odoo-shaped fixture at `--scale`, then
 * times in the same run
 *   - the plain copy baseline: `pg_dump -Fd -j2` → `pg_restore -j2` into a new database;
 *   - `sanitizeDatabase` in place on a copy (one transaction);
 *   - the read side of the streaming pipeline: every table COPYed out plain vs through its
 *     sanitize transform (what `staging refresh` pays on the source);
 *   - `verifyDatabase` on the sanitized copy;
 * and prints each step's seconds and its ratio to the baseline, as a table and as JSON.
 *
 *     npx tsx bench/sanitize.ts --scale 1 [--json]
 *
 * Not part of `npm test`: timings are reported, never asserted.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { readCatalog } from "../ops/odoo/catalog";
import { createOdooSchema, seedOdooFixture } from "../testing/odooFixture";
import { qualifiedTable } from "../ops/odoo/sql";
import { startThrowawayPostgres } from "../testing/throwawayPostgres";
import { sanitizeDatabase, sanitizeTransforms, transformSelectSql, transformSessionSettings } from "../ops/sanitize";
import { verifyDatabase } from "../ops/verify";

const args = process.argv.slice(2);
const scale = Number(args[args.indexOf("--scale") + 1] ?? 1) || 1;
const asJson = args.includes("--json");

const seconds = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
    const started = process.hrtime.bigint();
    const result = await fn();
    return [Number(process.hrtime.bigint() - started) / 1e9, result];
};

function run(binDir: string, tool: string, toolArgs: string[]): void {
    const result = spawnSync(path.join(binDir, tool), toolArgs, { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
}

/** Streams `COPY (<query>) TO STDOUT` through psql into nothing; resolves with the bytes read. */
function copyOut(binDir: string, url: string, query: string, settings: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
        const sets = Object.entries(settings)
            .map(([k, v]) => `SET ${k} = '${v}';`)
            .join(" ");
        const child = spawn(
            path.join(binDir, "psql"),
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", sets || "SELECT 1", "-c", `COPY (${query}) TO STDOUT`],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        let bytes = 0;
        let err = "";
        child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
        child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
        child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(err))));
    });
}

async function main(): Promise<void> {
    const pg = await startThrowawayPostgres({ settings: { shared_buffers: "256MB", max_wal_size: "4GB", checkpoint_timeout: "30min" } });
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    const results: { step: string; seconds: number; rows?: number; note?: string }[] = [];
    try {
        await admin.query("CREATE DATABASE prod");
        const prod = new Client({ connectionString: pg.urlFor("prod") });
        await prod.connect();
        const [fixtureSeconds, counts] = await seconds(async () => {
            await createOdooSchema(prod);
            return seedOdooFixture(prod, { scale, seed: "bench" });
        });
        await prod.query("VACUUM ANALYZE");
        const size = (await prod.query("SELECT pg_size_pretty(pg_database_size('prod')) AS s")).rows[0].s;
        results.push({
            step: "fixture (generate, not compared)",
            seconds: fixtureSeconds,
            rows: counts.moveLines,
            note: `${size}, ${counts.partners} partners, ${counts.moveLines} move lines, ${counts.messages} messages`,
        });

        // Baseline: the plain copy.
        const dumpDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-dump-"));
        fs.rmSync(dumpDir, { recursive: true });
        await admin.query("CREATE DATABASE copy_plain");
        const [baseline] = await seconds(async () => {
            run(pg.binDir, "pg_dump", ["-Fd", "-j2", "-f", dumpDir, pg.urlFor("prod")]);
            run(pg.binDir, "pg_restore", ["-j2", "-d", pg.urlFor("copy_plain"), dumpDir]);
        });
        fs.rmSync(dumpDir, { recursive: true, force: true });
        results.push({ step: "baseline: pg_dump -Fd -j2 → pg_restore -j2", seconds: baseline });

        // In place.
        await prod.end();
        await admin.query("CREATE DATABASE inplace TEMPLATE prod");
        const inplace = new Client({ connectionString: pg.urlFor("inplace") });
        await inplace.connect();
        const [sanitizeSeconds, report] = await seconds(() => sanitizeDatabase(inplace, { seed: "bench" }));
        results.push({ step: "sanitize in place (one transaction)", seconds: sanitizeSeconds, rows: report.tables.reduce((n, t) => n + t.rows, 0) });
        for (const t of report.tables.filter((x) => x.seconds >= 0.05)) results.push({ step: `  ${t.table}`, seconds: t.seconds, rows: t.rows });
        const [verifySeconds, verify] = await seconds(() => verifyDatabase(inplace, { skipPiiScan: false, productionUrl: "https://erp.acme-industries.com" }));
        results.push({
            step: "verify (checks + PII scan of every text column)",
            seconds: verifySeconds,
            note: `${verify.findings.length} findings (no neutralize in this bench)`,
        });
        await inplace.end();

        // Streaming read side: plain COPY of every table vs COPY through its transform.
        const source = new Client({ connectionString: pg.urlFor("prod") });
        await source.connect();
        const catalog = await readCatalog(source);
        const transforms = new Map((await sanitizeTransforms(source, { seed: "bench" })).map((t) => [t.table, t]));
        await source.end();
        let plainTotal = 0;
        let transformedTotal = 0;
        for (const table of catalog.tables.values()) {
            const columns = [...table.columns.keys()];
            const transform = transforms.get(table.key);
            const plainQuery = `SELECT * FROM ONLY ${qualifiedTable(table.key)}`;
            const [plain] = await seconds(() => copyOut(pg.binDir, pg.urlFor("prod"), plainQuery, {}));
            plainTotal += plain;
            if (!transform) {
                transformedTotal += plain;
                continue;
            }
            const [transformed] = await seconds(() => copyOut(pg.binDir, pg.urlFor("prod"), transformSelectSql(transform, columns), transformSessionSettings));
            transformedTotal += transformed;
            if (transformed - plain >= 0.1) results.push({ step: `  COPY out ${table.key}: transformed (plain ${plain.toFixed(2)}s)`, seconds: transformed });
        }
        results.push({ step: "COPY out every table, plain (sequential)", seconds: plainTotal });
        results.push({ step: "COPY out every table through its transform (sequential)", seconds: transformedTotal });
    } finally {
        await admin.end();
        pg.stop();
    }
    const baseline = results.find((r) => r.step.startsWith("baseline"))!.seconds;
    const rows = results.map((r) => ({ ...r, ratio: r.seconds / baseline }));
    if (asJson) {
        process.stdout.write(`${JSON.stringify({ scale, baselineSeconds: baseline, steps: rows }, null, 2)}\n`);
    } else {
        process.stdout.write(`sanitize bench, scale ${scale} (${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)})\n`);
        process.stdout.write(`${"step".padEnd(70)} ${"seconds".padStart(8)} ${"× copy".padStart(7)} ${"rows/s".padStart(10)}\n`);
        for (const r of rows) {
            const rate = r.rows ? Math.round(r.rows / r.seconds).toString() : "";
            process.stdout.write(
                `${r.step.padEnd(70)} ${r.seconds.toFixed(2).padStart(8)} ${r.ratio.toFixed(2).padStart(7)} ${rate.padStart(10)}${r.note ? `  ${r.note}` : ""}\n`,
            );
        }
        process.stdout.write(`${JSON.stringify({ scale, baselineSeconds: baseline, steps: rows })}\n`);
    }
}

main().catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
});
