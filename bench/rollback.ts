/**
 * What a rollback costs on our side, measured (run: `npx tsx bench/rollback.ts [--deployments N]`).
 * Starts a throwaway PostgreSQL, records N production deployments (a realistic history has a few
 * hundred; the default 10 000 is years of daily deploys), then times, in the same run:
 *   - baseline: `odoo-platform --version` (process start, the floor of any CLI step);
 *   - `odoo-platform rollback --dry-run` as the workflow runs it (decision from ops.deployments);
 *   - runRollback with an instant fake deployer (decision + recording + evidence files).
 * The Pulumi update itself (pull by digest + container replacement + Odoo start) cannot run here;
 * docs/deployment/ROLLBACK_PROCEDURE.md adds it to the budget.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { migrateEvidence } from "../ops/evidence/migrate";
import { parseDatabaseUrl } from "../ops/postgres/connect";
import { startThrowawayPostgres } from "../testing/throwawayPostgres";
import { runRollback } from "../ops/promotion/rollback";

const count = Number(process.argv[process.argv.indexOf("--deployments") + 1]) || 10_000;
const cli = path.resolve(__dirname, "../bin/odoo-platform.js");

function timeCli(args: string[], runs = 3): number {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
        const started = process.hrtime.bigint();
        execFileSync(process.execPath, [cli, ...args], { stdio: "pipe", env: { ...process.env, ODOO_PLATFORM_QUIET: "1" } });
        times.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function main(): Promise<void> {
    const pg = await startThrowawayPostgres();
    try {
        const admin = new Client({ connectionString: pg.url });
        await admin.connect();
        await admin.query("CREATE DATABASE bench_evidence");
        await admin.end();
        const url = pg.urlFor("bench_evidence");
        await migrateEvidence(parseDatabaseUrl(url));
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query(
            `
            INSERT INTO ops.deployments (environment, stack, git_sha, image_reference, image_digest, status, started_at, finished_at)
            SELECT 'production', 'production', lpad(to_hex(i), 40, '0'),
                   CASE WHEN i % 10 = 0 THEN NULL ELSE 'ghcr.io/o/odoo@sha256:' || lpad(to_hex(i), 64, '0') END,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE 'sha256:' || lpad(to_hex(i), 64, '0') END,
                   CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'succeeded' END,
                   timestamptz '2020-01-01' + i * interval '1 hour', timestamptz '2020-01-01' + i * interval '1 hour' + interval '5 minutes'
              FROM generate_series(1, $1) AS i`,
            [count],
        );
        await client.end();

        const baseline = timeCli(["--version"]);
        const dryRun = timeCli(["rollback", "--dry-run", "--db", url]);
        const evidenceDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-rollback-"));
        const started = process.hrtime.bigint();
        await runRollback(
            { evidenceDb: url, workDir: ".", evidenceDir },
            {
                env: {},
                deployer: async (request) => ({
                    outputs: {
                        stackName: "production",
                        stageName: "production",
                        gitSha: request.gitSha,
                        url: "https://erp.example.com",
                        databaseName: "odoo_production",
                        imageReference: request.image,
                        imageDigest: request.image,
                        evidence: { stack: "production", gitSha: request.gitSha },
                    },
                    summary: { result: "succeeded" },
                }),
            },
        );
        const recordSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        fs.rmSync(evidenceDir, { recursive: true, force: true });

        const rows = [
            ["baseline: odoo-platform --version", baseline],
            [`rollback --dry-run (${count} deployments)`, dryRun],
            ["decision + record (fake deployer, in process)", recordSeconds],
        ] as const;
        console.log("| step | seconds | vs baseline |\n|---|---|---|");
        for (const [name, s] of rows) console.log(`| ${name} | ${s.toFixed(3)} | ${(s / baseline).toFixed(2)}× |`);
        console.log(JSON.stringify({ deployments: count, baselineSeconds: baseline, dryRunSeconds: dryRun, recordSeconds, dryRunRatio: dryRun / baseline }));
    } finally {
        pg.stop();
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
