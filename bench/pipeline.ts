/**
 * The staging refresh against the plain copy, in the same run on the same throwaway server:
 *
 *   baseline  pg_dump -Fd -j<jobs> → pg_restore -j<jobs> into a new database (what copying
 *             production costs without any safety)
 *   refresh   staging refresh: streamed copy with the sanitizing expressions, indexes,
 *             neutralize, verify, swap (the whole pipeline, with the platform's data rules)
 *   engine    for reference, the streaming copy alone (no rules): what the plumbing costs
 *
 * The database is the Odoo-shaped fixture of ops/odoo at --scale (1 ≈ 100 k partners, 510 k move
 * lines, 300 k chatter messages), vacuumed and frozen first so that neither side pays for hint
 * bits. Runs alternate which side goes first.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { createOdooSchema, OdooVersion, seedOdooFixture } from "../testing/odooFixture";
import { copyDatabase } from "../ops/postgres/copyDatabase";
import { pgTools, runTool } from "../ops/postgres/tools";
import { startThrowawayPostgres } from "../testing/throwawayPostgres";
import { platformDataRules } from "../ops/staging/dataRules";
import { refreshStaging } from "../ops/staging/refresh";
import { renderStepTable, round, StepTiming } from "../ops/staging/report";
import { cpuMeter } from "./cpu";
import { loadRealShape, RealShapeReport } from "./realSchema";
import { measureSourceCosts, renderSourceCosts, TableSourceCost } from "./sourceCost";

export interface PipelineRun {
    order: "baseline-first" | "refresh-first";
    /** `cpuSeconds`: user + system of this process, the tools it ran and the server (bench/cpu.ts). */
    baseline: { steps: StepTiming[]; seconds: number; cpuSeconds: number; cpuByStep: Record<string, number> };
    refresh: { steps: StepTiming[]; seconds: number; cpuSeconds: number; cpuByStep: Record<string, number> };
    /** The streaming copy alone (schema, data, indexes; no sanitize, neutralize or verify): the engine's own cost. */
    engine: { steps: StepTiming[]; seconds: number; cpuSeconds: number; ratio: number; cpuRatio: number };
    ratio: number;
    /** refresh / baseline in CPU seconds: steadier than `ratio` on a shared machine. */
    cpuRatio: number;
    /**
     * How long each held production's snapshot (its vacuum horizon): the refresh's streaming copy,
     * from opening the snapshot to its last reader's end, against the baseline's pg_dump; target ≤ 1.2×.
     */
    sourceSnapshot: { refreshSeconds: number; pgDumpSeconds: number; ratio: number; target: number; tempBytes: number | null };
    verifyOk: boolean;
    verifyFindings: string[];
}

export interface PipelineBench {
    scale: number;
    jobs: number;
    odooVersion: string;
    database: { bytes: number; rows: number; tables: number; generateSeconds: number };
    fixture: Record<string, number>;
    runs: PipelineRun[];
    target: number;
    /** With `perTable`: each read's source CPU, with the rules and plain (bench/sourceCost.ts). */
    sourceCosts?: TableSourceCost[];
    /** With `realSchema`: the dump production's shape came from, and how the generated rows went in. */
    realSchema?: { file: string; tablesFilled: number; left: string[]; constraintsRelaxed: number; referencesCleared: number };
}

const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
        return (await c.query(text)).rows as T[];
    } finally {
        await c.end();
    }
}

export async function benchPipeline(opts: {
    scale: number;
    runs: number;
    jobs: number;
    odooVersion?: OdooVersion;
    /** Also measure every table's read on the source, with the rules and plain, one at a time. */
    perTable?: boolean;
    /**
     * A real Odoo schema dump (../shared/odoo-schemas) to take production's shape from, filled with
     * the generator's rows of the same version (bench/realSchema.ts).
     */
    realSchema?: string;
    log: (line: string) => void;
}): Promise<PipelineBench> {
    if (!(opts.scale > 0)) throw new Error(`--scale must be a positive number, got ${opts.scale}`);
    if (!Number.isInteger(opts.runs) || opts.runs < 1) throw new Error(`--runs must be a whole number ≥ 1, got ${opts.runs}`);
    const tools = pgTools();
    // Autovacuum off: after each bulk load it vacuums and analyzes the new database's every table at
    // a moment of its own choosing, so its CPU lands in whichever step runs next (the baseline's
    // restore was charged to the refresh's first steps). Both copies leave it the same work.
    const pg = await startThrowawayPostgres({ settings: { max_wal_size: "4GB", checkpoint_timeout: "30min", autovacuum: "off" } });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-bench-"));
    try {
        const prod = pg.urlFor("odoo_production");
        await sql(pg.url, "CREATE DATABASE odoo_production");
        opts.log(`generating the Odoo-shaped database at scale ${opts.scale} …`);
        let t = process.hrtime.bigint();
        const client = new Client({ connectionString: prod });
        await client.connect();
        let fixture: Record<string, number>;
        let realShape: RealShapeReport | undefined;
        try {
            if (opts.realSchema) {
                realShape = await loadRealShape({
                    binDir: pg.binDir,
                    serverUrl: pg.url,
                    urlFor: (db) => pg.urlFor(db),
                    database: "odoo_production",
                    file: opts.realSchema,
                    version: opts.odooVersion ?? "16.0",
                    scale: opts.scale,
                    seed: "bench",
                });
                fixture = realShape.fixture;
                opts.log(
                    `  real schema ${path.basename(opts.realSchema)}: ${realShape.filled.length} tables filled, ` +
                        `${realShape.left.length} generated tables or columns it does not take, ${realShape.relaxed} NOT NULL and CHECK constraints relaxed, ` +
                        `${realShape.cleared} dangling references cleared`,
                );
            } else {
                await createOdooSchema(client, { version: opts.odooVersion });
                fixture = { ...(await seedOdooFixture(client, { scale: opts.scale, seed: "bench", version: opts.odooVersion })) };
                await client.query("VACUUM (FREEZE, ANALYZE)");
            }
        } finally {
            await client.end();
        }
        const generateSeconds = seconds(t);
        const [facts] = await sql<{ bytes: string; rows: string; tables: string }>(
            prod,
            `SELECT pg_database_size(current_database())::text AS bytes, sum(n_live_tup)::text AS rows, count(*)::text AS tables FROM pg_stat_user_tables`,
        );
        const rows = Number(facts.rows);
        opts.log(
            `  ${Number(facts.tables)} tables, ${rows.toLocaleString("en-US")} rows, ${(Number(facts.bytes) / 1048576).toFixed(0)} MiB in ${generateSeconds.toFixed(1)} s`,
        );

        const cpu = await cpuMeter(pg.url);
        if (!cpu.available) opts.log("  (CPU seconds unavailable: no /proc; they read 0)");
        const measured = async <T extends { seconds: number }>(step: () => Promise<T>): Promise<T & { cpuSeconds: number }> => {
            const before = cpu.seconds();
            const result = await step();
            // A backend that has just exited shows no CPU until the postmaster has reaped it.
            await new Promise((resolve) => setTimeout(resolve, 150));
            return { ...result, cpuSeconds: round(cpu.seconds() - before, 2) };
        };

        /** CPU seconds per step, attributed from one step's start to the next (summed when a label repeats). */
        const cpuSteps = () => {
            const byStep: Record<string, number> = {};
            let current: { label: string; at: number } | undefined;
            const close = () => {
                if (current) byStep[current.label] = round((byStep[current.label] ?? 0) + cpu.seconds() - current.at, 2);
            };
            return {
                step(label: string) {
                    close();
                    current = { label, at: cpu.seconds() };
                },
                finish() {
                    close();
                    current = undefined;
                    return byStep;
                },
            };
        };

        const baseline = async (run: number) => {
            const dir = path.join(work, `dump-${run}`);
            const copy = `baseline_${run}`;
            await sql(pg.url, `CREATE DATABASE ${copy}`);
            const steps: StepTiming[] = [];
            const stepCpu = cpuSteps();
            stepCpu.step(`pg_dump -Fd -j${opts.jobs}`);
            t = process.hrtime.bigint();
            await runTool(tools.binDir, "pg_dump", ["-Fd", `--jobs=${opts.jobs}`, "-f", dir], { url: prod, what: "baseline pg_dump" });
            const dump = seconds(t);
            steps.push({ step: `pg_dump -Fd -j${opts.jobs}`, seconds: round(dump), rows, rowsPerSecond: Math.round(rows / dump) });
            stepCpu.step(`pg_restore -j${opts.jobs}`);
            t = process.hrtime.bigint();
            await runTool(tools.binDir, "pg_restore", [`--jobs=${opts.jobs}`, "--exit-on-error", dir], { url: pg.urlFor(copy), what: "baseline pg_restore" });
            const restore = seconds(t);
            steps.push({ step: `pg_restore -j${opts.jobs}`, seconds: round(restore), rows, rowsPerSecond: Math.round(rows / restore) });
            const cpuByStep = stepCpu.finish();
            fs.rmSync(dir, { recursive: true, force: true });
            await sql(pg.url, `DROP DATABASE ${copy}`);
            return { steps, seconds: round(dump + restore), cpuByStep };
        };

        const allowDomains = ["example.com", "bench.example.com"];
        const refresh = async (run: number) => {
            const target = `odoo_staging_${run}`;
            await sql(pg.url, `CREATE DATABASE ${target}`);
            const stepCpu = cpuSteps();
            const report = await refreshStaging({
                progress: { step: (label) => stepCpu.step(label), update: () => undefined, done: () => undefined },
                fromDb: prod,
                toDb: pg.urlFor(target),
                baseUrl: "https://staging.bench.example.com",
                seed: "bench",
                mailHost: "mailpit",
                mailPort: 1025,
                allowDomains,
                jobs: opts.jobs,
                rules: platformDataRules(),
            });
            const cpuByStep = stepCpu.finish();
            await sql(pg.url, `DROP DATABASE ${target}`);
            return {
                steps: report.steps,
                cpuByStep,
                seconds: report.totalSeconds,
                sourceSnapshotSeconds: report.sourceSnapshotSeconds ?? 0,
                sourceTempBytes: report.sourceTempFiles?.bytes ?? null,
                verifyOk: report.ok,
                findings: report.verify.findings,
            };
        };

        const engine = async (run: number) => {
            const copy = `engine_${run}`;
            await sql(pg.url, `CREATE DATABASE ${copy}`);
            const report = await copyDatabase({ tools, sourceUrl: prod, targetUrl: pg.urlFor(copy), jobs: opts.jobs });
            await sql(pg.url, `DROP DATABASE ${copy}`);
            const steps: StepTiming[] = [
                { step: "schema", seconds: round(report.phases.schema) },
                { step: "copy (no rules)", seconds: round(report.phases.data), rows: report.rows, rowsPerSecond: Math.round(report.rows / report.phases.data) },
                { step: "indexes", seconds: round(report.phases.indexes) },
            ];
            return { steps, seconds: round(report.phases.schema + report.phases.data + report.phases.indexes) };
        };

        const runs: PipelineRun[] = [];
        for (let run = 1; run <= opts.runs; run++) {
            const baselineFirst = run % 2 === 1;
            opts.log(`run ${run}/${opts.runs} (${baselineFirst ? "baseline first" : "refresh first"}) …`);
            let b: Awaited<ReturnType<typeof baseline>> & { cpuSeconds: number };
            let r: Awaited<ReturnType<typeof refresh>> & { cpuSeconds: number };
            if (baselineFirst) {
                b = await measured(() => baseline(run));
                r = await measured(() => refresh(run));
            } else {
                r = await measured(() => refresh(run));
                b = await measured(() => baseline(run));
            }
            const e = await measured(() => engine(run));
            const cpuRatio = (x: number) => (b.cpuSeconds > 0 ? round(x / b.cpuSeconds, 2) : 0);
            runs.push({
                order: baselineFirst ? "baseline-first" : "refresh-first",
                baseline: b,
                engine: { ...e, ratio: round(e.seconds / b.seconds, 2), cpuRatio: cpuRatio(e.cpuSeconds) },
                refresh: { steps: r.steps, seconds: r.seconds, cpuSeconds: r.cpuSeconds, cpuByStep: r.cpuByStep },
                ratio: round(r.seconds / b.seconds, 2),
                sourceSnapshot: {
                    refreshSeconds: round(r.sourceSnapshotSeconds, 2),
                    pgDumpSeconds: b.steps[0].seconds,
                    ratio: round(r.sourceSnapshotSeconds / b.steps[0].seconds, 2),
                    target: 1.2,
                    tempBytes: r.sourceTempBytes,
                },
                cpuRatio: cpuRatio(r.cpuSeconds),
                verifyOk: r.verifyOk,
                verifyFindings: r.findings,
            });
            opts.log(
                `  baseline ${b.seconds.toFixed(2)} s (${b.cpuSeconds.toFixed(1)} CPU s), refresh ${r.seconds.toFixed(2)} s (${r.cpuSeconds.toFixed(1)} CPU s)` +
                    ` → ${(r.seconds / b.seconds).toFixed(2)}× wall, ${cpuRatio(r.cpuSeconds).toFixed(2)}× CPU`,
            );
        }
        const sourceCosts = opts.perTable
            ? await measureSourceCosts({
                  url: prod,
                  binDir: tools.binDir,
                  cpu,
                  rules: platformDataRules(),
                  // What refreshStaging plans with the options above.
                  sanitize: { seed: "bench", strict: false, allowDomains },
                  log: opts.log,
              })
            : undefined;
        return {
            sourceCosts,
            realSchema: realShape
                ? {
                      file: path.basename(realShape.file),
                      tablesFilled: realShape.filled.length,
                      left: realShape.left,
                      constraintsRelaxed: realShape.relaxed,
                      referencesCleared: realShape.cleared,
                  }
                : undefined,
            scale: opts.scale,
            odooVersion: opts.odooVersion ?? "17.0",
            jobs: opts.jobs,
            database: { bytes: Number(facts.bytes), rows, tables: Number(facts.tables), generateSeconds: round(generateSeconds) },
            fixture,
            runs,
            target: 1.3,
        };
    } finally {
        pg.stop();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

export function renderPipelineBench(result: PipelineBench): string {
    const out = [
        `staging refresh vs plain copy — scale ${result.scale}${result.realSchema ? ` on the real schema of ${result.realSchema.file}` : ""}: ${result.database.rows.toLocaleString("en-US")} rows in ${result.database.tables} tables, ` +
            `${(result.database.bytes / 1048576).toFixed(0)} MiB (generated in ${result.database.generateSeconds.toFixed(1)} s), jobs ${result.jobs}`,
    ];
    result.runs.forEach((run, i) => {
        out.push("", renderStepTable(run.baseline.steps, run.baseline.seconds, { title: `run ${i + 1} (${run.order}) — baseline: plain copy` }));
        out.push("", renderStepTable(run.refresh.steps, run.refresh.seconds, { title: `run ${i + 1} — staging refresh`, baseline: run.baseline.seconds }));
        if (!run.verifyOk) out.push(`verify FAILED (nothing swapped): ${run.verifyFindings.join("; ")}`);
        out.push(
            "",
            renderStepTable(run.engine.steps, run.engine.seconds, {
                title: `run ${i + 1} — reference: the streaming copy alone, without data rules`,
                baseline: run.baseline.seconds,
            }),
        );
    });
    const cpu = (x: { cpuSeconds: number }) => `${x.cpuSeconds.toFixed(1)} CPU s`;
    out.push(
        "",
        `ratio refresh / plain copy: ${result.runs.map((r) => `${r.ratio.toFixed(2)}×`).join(", ")} (target ≤ ${result.target}×); ` +
            `streaming copy alone: ${result.runs.map((r) => `${r.engine.ratio.toFixed(2)}×`).join(", ")}`,
    );
    out.push(
        `CPU seconds (this process, its tools and the server): ` +
            result.runs
                .map(
                    (r, i) =>
                        `run ${i + 1}: baseline ${cpu(r.baseline)}, refresh ${cpu(r.refresh)} (${r.cpuRatio.toFixed(2)}×), copy alone ${cpu(r.engine)} (${r.engine.cpuRatio.toFixed(2)}×)`,
                )
                .join("; "),
    );
    const perStep = (byStep: Record<string, number>) =>
        Object.entries(byStep)
            .map(([step, s]) => `${step} ${s.toFixed(1)}`)
            .join(", ");
    result.runs.forEach((r, i) => {
        out.push(`CPU seconds per step, run ${i + 1}: baseline ${perStep(r.baseline.cpuByStep)}; refresh ${perStep(r.refresh.cpuByStep)}`);
    });
    out.push(
        `production's snapshot held (its vacuum horizon): ` +
            result.runs
                .map(
                    (r, i) =>
                        `run ${i + 1}: refresh ${r.sourceSnapshot.refreshSeconds.toFixed(1)} s, pg_dump ${r.sourceSnapshot.pgDumpSeconds.toFixed(1)} s (${r.sourceSnapshot.ratio.toFixed(2)}×)` +
                        (r.sourceSnapshot.tempBytes === null ? "" : `, temporary files there ${(r.sourceSnapshot.tempBytes / 1048576).toFixed(1)} MiB`),
                )
                .join("; ") +
            ` (target ≤ ${result.runs[0]?.sourceSnapshot.target ?? 1.2}×)`,
    );
    if (result.sourceCosts) out.push(renderSourceCosts(result.sourceCosts));
    return out.join("\n");
}
