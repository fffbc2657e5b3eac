/**
 * `npm run bench -- <benchmark> [options]`: timings as ratios against a baseline measured in the
 * same run, on a throwaway PostgreSQL. Not part of `npm test`.
 *
 *   pipeline --scale N [--runs R] [--jobs J] [--odoo-version 16|17|18|19] [--per-table] [--real-schema FILE] [--json]   staging refresh vs pg_dump -Fd -j → pg_restore -j
 *   swap [--runs R] [--clients C] [--json]               how long the swap makes the database unavailable
 *   startup [--runs R] [--json]                          CLI start: compiled bundle vs sources through tsx
 *   kill [--kills N] [--scale S] [--json]                 kill -9 of staging refresh at N moments: staging intact every time
 */
import * as fs from "node:fs";
import { Command } from "commander";
import { parseOdooVersion } from "../testing/odooFixture";
import { benchPipeline, renderPipelineBench } from "./pipeline";
import { benchStartup, renderStartupBench } from "./startup";
import { benchKill } from "./kill";
import { benchSwap } from "./swap";
import { exitWhenFlushed } from "../ops/core/exit";

async function main(argv: string[]): Promise<number> {
    const program = new Command("bench").exitOverride();
    program
        .command("pipeline")
        .description("generate the Odoo-shaped database at --scale, then time the plain copy and the full staging refresh")
        .option("--scale <n>", "1 ≈ 100 k partners, 510 k move lines, 300 k messages", "1")
        .option("--runs <n>", "repetitions (baseline and refresh alternate which goes first)", "2")
        .option("--jobs <n>", "parallel jobs for pg_dump/pg_restore and for the refresh", "2")
        .option("--odoo-version <v>", "shape of the Odoo database: 16, 17, 18 or 19 (ops/odoo/versions.ts)", "17")
        .option("--per-table", "also each table's read on the source, with the rules and plain, in CPU seconds")
        .option(
            "--real-schema <file>",
            "take production's shape from a real Odoo schema dump (e.g. ../shared/odoo-schemas/odoo16-maaranodoo.sql, with --odoo-version 16), filled with the generated rows",
        )
        .option("--json", "print the JSON document only")
        .action(async (opts: { scale: string; runs: string; jobs: string; odooVersion: string; perTable?: boolean; realSchema?: string; json?: boolean }) => {
            if (opts.realSchema && !fs.existsSync(opts.realSchema))
                throw new Error(`--real-schema: no file ${opts.realSchema}; the dumps are in ../shared/odoo-schemas`);
            const result = await benchPipeline({
                realSchema: opts.realSchema,
                scale: Number(opts.scale),
                runs: Number(opts.runs),
                jobs: Number(opts.jobs),
                odooVersion: parseOdooVersion(opts.odooVersion),
                perTable: opts.perTable,
                log: (l) => process.stderr.write(`${l}\n`),
            });
            process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderPipelineBench(result)}\n\n${JSON.stringify(result)}\n`);
            process.exitCode = result.runs.every((r) => r.verifyOk) ? 0 : 1;
        });
    program
        .command("swap")
        .description("swap a copy in under busy clients and measure how long the database is unavailable")
        .option("--runs <n>", "repetitions", "10")
        .option("--clients <n>", "clients querying (and reconnecting) every 5 ms", "8")
        .option("--json", "print the JSON document only")
        .action(async (opts: { runs: string; clients: string; json?: boolean }) => {
            const runs = await benchSwap({ runs: Number(opts.runs), clients: Number(opts.clients) });
            const max = (k: "serverSeconds" | "worstClientGapSeconds") => Math.max(...runs.map((r) => r[k]));
            const median = (k: "serverSeconds" | "worstClientGapSeconds") => [...runs.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(runs.length / 2)];
            const summary = {
                runs: runs.length,
                clients: Number(opts.clients),
                serverSeconds: { median: median("serverSeconds"), max: max("serverSeconds") },
                worstClientGapSeconds: { median: median("worstClientGapSeconds"), max: max("worstClientGapSeconds") },
                perRun: runs,
            };
            if (opts.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
            else {
                process.stdout.write(
                    `swap under ${summary.clients} busy clients, ${summary.runs} runs\n` +
                        `  terminate → commit (server):      median ${summary.serverSeconds.median.toFixed(3)} s, max ${summary.serverSeconds.max.toFixed(3)} s\n` +
                        `  longest gap without a reply (client): median ${summary.worstClientGapSeconds.median.toFixed(3)} s, max ${summary.worstClientGapSeconds.max.toFixed(3)} s\n\n` +
                        `${JSON.stringify(summary)}\n`,
                );
            }
        });
    program
        .command("startup")
        .description("time `odoo-platform --version` from the compiled bundle and from the TypeScript sources")
        .option("--runs <n>", "repetitions of each variant", "5")
        .option("--json", "print the JSON document only")
        .action((opts: { runs: string; json?: boolean }) => {
            const result = benchStartup(Number(opts.runs));
            process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderStartupBench(result)}\n\n${JSON.stringify(result)}\n`);
        });
    program
        .command("kill")
        .description("kill -9 staging refresh at N moments spread over a run; staging must be intact after each, and the next run clean")
        .option("--kills <n>", "how many kills", "32")
        .option("--scale <n>", "size of the Odoo-shaped production", "0.05")
        .option("--json", "print the JSON document only")
        .action(async (opts: { kills: string; scale: string; json?: boolean }) => {
            const { results, runSeconds } = await benchKill({
                kills: Number(opts.kills),
                scale: Number(opts.scale),
                log: (l) => process.stderr.write(`${l}\n`),
            });
            const clean = results.filter((r) => r.outcome !== "BROKEN").length;
            const summary = {
                kills: Number(opts.kills),
                clean,
                broken: results.length - clean,
                runSeconds,
                byOutcome: Object.fromEntries(
                    ["old staging serves", "new staging serves", "BROKEN"].map((o) => [o, results.filter((r) => r.outcome === o).length]),
                ),
                results,
            };
            process.stdout.write(
                opts.json
                    ? `${JSON.stringify(summary, null, 2)}\n`
                    : `kill -9 of staging refresh: ${clean} of ${results.length} clean (a whole run takes ${runSeconds.toFixed(1)} s)\n${JSON.stringify(summary)}\n`,
            );
            process.exitCode = clean === results.length ? 0 : 1;
        });
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
}

main(process.argv).then(
    (code) => exitWhenFlushed(code),
    (err) => {
        process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
        exitWhenFlushed(1);
    },
);
