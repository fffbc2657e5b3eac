/**
 * The safe update sequence, each path driven for real except Pulumi and Odoo: a real evidence
 * database, a real Odoo database (the real Odoo 16.0 schema when ../shared/odoo-schemas is here), a
 * real pre-update backup (`snapshot create`) and its real restore (`snapshot restore` + swap), real
 * postmortem drafts. The deployer stands in for `pulumi up`: for the new image it does to the
 * database what a module update does (versions, checksums, data) and then fails or succeeds; the
 * probe answers for whichever image serves.
 *
 * Paths: the update fails; the update succeeds but the health window fails; success.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import type { CommitStatus } from "../../../ops/build/status";
import { planBundle } from "../../../ops/evidence/files";
import type { HealthResult } from "../../../ops/evidence/health";
import { generatePostmortems } from "../../../ops/postmortem/generate";
import { parseDatabaseUrl } from "../../../ops/postgres/connect";
import { checksumsParam } from "../../../ops/promotion/checksums";
import type { Deployer, RedeployRequest } from "../../../ops/promotion/deployer";
import { loadHistory, runningDeployment } from "../../../ops/promotion/rollback";
import { captureModuleChecksums, healthWindow, moduleUpdates, runSafeUpdate, SafeUpdatePorts, SafeUpdateReport } from "../../../ops/promotion/safeUpdate";
import { createSnapshot } from "../../../ops/snapshot/create";
import { restoreSnapshot } from "../../../ops/snapshot/restore";
import { connectTo, databaseChecksums } from "../../support/odoo";
import { digestOf } from "../../support/deployments";
import { evidenceDatabase, query } from "../../support/evidence";
import { odooDatabase } from "../../support/realOdoo";

const sha = (c: string) => c.repeat(40);
const image = (c: string) => `ghcr.io/example/odoo@${digestOf(c)}`;
const sum = (c: string) => `sha256:${c.repeat(64)}`;

class FakeClock {
    t = new Date("2026-11-24T10:00:00Z").getTime();
    now = () => new Date(this.t);
    sleep = async (ms: number) => {
        this.t += ms;
    };
}

function outputs(c: string): Record<string, unknown> {
    return {
        stackName: "production",
        stageName: "production",
        gitSha: sha(c),
        gitBranch: "production",
        url: "https://erp.example.com",
        databaseName: "odoo_production",
        imageReference: image(c),
        imageDigest: image(c),
        evidence: { stack: "production", gitSha: sha(c) },
    };
}

const probeResult = (ok: boolean, at: Date): HealthResult => ({
    ok,
    attempts: 1,
    http: { url: "https://erp.example.com/web/health", ok, status: ok ? 200 : 502, ms: 40, error: ok ? undefined : "HTTP 502" },
    database: { database: "odoo_production", ok: true, ms: 3 },
    checkedAt: at.toISOString(),
});

interface Scenario {
    name: string;
    update: "fails" | "succeeds";
    /** Probes of the new version that pass before they start failing (health path). */
    healthyProbes?: number;
    expect: SafeUpdateReport["outcome"];
    phase?: "update" | "health";
}

describe("safe production update (backup, update while the previous Odoo serves, health window, automatic revert)", function () {
    this.timeout(180_000);

    async function setUp() {
        const evidence = await evidenceDatabase("safe_update");
        await query(
            evidence.writerUrl,
            `INSERT INTO ops.deployments (environment, stack, git_sha, image_reference, image_digest, status, started_at, finished_at)
            VALUES ('production', 'production', $1, $2, $3, 'succeeded', $4, $4)`,
            [sha("a"), image("a"), digestOf("a"), new Date("2026-11-20T10:00:00Z")],
        );
        const odoo = await odooDatabase("safe_update_odoo");
        const c = await connectTo(odoo.url);
        try {
            await c.query("DELETE FROM ir_module_module");
            await c.query(
                "INSERT INTO ir_module_module (id, name, state, latest_version) VALUES (1, 'base', 'installed', '16.0.1.3'), (2, 'sale_custom', 'installed', '16.0.1.0.0'), (3, 'invoice_layout', 'installed', '16.0.1.0.0')",
            );
            await c.query("DELETE FROM ir_config_parameter WHERE key = $1", [checksumsParam]);
            await c.query("INSERT INTO ir_config_parameter (id, key, value) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM ir_config_parameter), $1, $2)", [
                checksumsParam,
                JSON.stringify({ base: sum("0"), sale_custom: sum("1"), invoice_layout: sum("2") }),
            ]);
            await c.query("CREATE TABLE customer_orders (id serial PRIMARY KEY, amount numeric NOT NULL)");
            await c.query("INSERT INTO customer_orders (amount) SELECT g * 10 FROM generate_series(1, 50) g");
        } finally {
            await c.end();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "safe-update-"));
        const backup = path.join(dir, "backup");
        await createSnapshot({ dbUrl: odoo.url, to: backup, jobs: 2 });
        const pre = await connectTo(odoo.url).then(async (cl) => {
            try {
                return await databaseChecksums(cl);
            } finally {
                await cl.end();
            }
        });
        return { evidence, odoo, dir, backup, pre };
    }

    /** What an update of sale_custom does to the database: version, checksum and data rewritten. */
    async function applyUpdate(url: string) {
        const c = await connectTo(url);
        try {
            await c.query("UPDATE ir_module_module SET latest_version = '16.0.2.0.0' WHERE name = 'sale_custom'");
            await c.query("UPDATE ir_config_parameter SET value = $2 WHERE key = $1", [
                checksumsParam,
                JSON.stringify({ base: sum("0"), sale_custom: sum("9"), invoice_layout: sum("2") }),
            ]);
            await c.query("ALTER TABLE customer_orders ADD COLUMN currency text DEFAULT 'EUR'");
            await c.query("UPDATE customer_orders SET amount = amount * 2");
        } finally {
            await c.end();
        }
    }

    async function run(s: Scenario) {
        const env = await setUp();
        const clock = new FakeClock();
        const calls: RedeployRequest[] = [];
        const statuses: CommitStatus[] = [];
        const restored: string[] = [];
        let serving = "a";
        let newProbes = 0;
        const deployer: Deployer = async (request) => {
            calls.push(request);
            clock.t += 60_000;
            if (request.image === image("b")) {
                await applyUpdate(env.odoo.url);
                if (s.update === "fails")
                    throw new Error("OdooEnvironment odoo: the module update (odoo-production-update) exited with code 1; the previous Odoo keeps serving");
                serving = "b";
                return { outputs: outputs("b"), summary: { result: "succeeded" } };
            }
            serving = request.gitSha[0];
            return { outputs: outputs(request.gitSha[0]), summary: { result: "succeeded" } };
        };
        const ports: SafeUpdatePorts = {
            deployer,
            probe: async () => {
                if (serving !== "b") return probeResult(true, clock.now());
                newProbes++;
                return probeResult(s.healthyProbes === undefined || newProbes <= s.healthyProbes, clock.now());
            },
            restore: async (backup) => {
                restored.push(backup);
                await restoreSnapshot({ from: backup, dbUrl: env.odoo.url, jobs: 2, keepPrevious: true, confirm: parseDatabaseUrl(env.odoo.url).database });
            },
            capture: () => captureModuleChecksums(parseDatabaseUrl(env.odoo.url)),
            postmortem: async (id) => {
                const report = await generatePostmortems({
                    db: parseDatabaseUrl(env.evidence.readerUrl),
                    selection: { deploymentId: id },
                    evidenceDir: path.join(env.dir, "evidence"),
                    outDir: path.join(env.dir, "postmortems"),
                    cwd: env.dir,
                });
                return report.postmortems.map((p) => p.file);
            },
            statuses: { setCommitStatus: async (st) => void statuses.push(st) },
            sleep: clock.sleep,
            now: clock.now,
        };
        const request = {
            environment: "production" as const,
            stack: "production",
            workDir: "/checkout",
            gitSha: sha("b"),
            image: image("b"),
            backup: env.backup,
            evidenceDb: parseDatabaseUrl(env.evidence.writerUrl),
            bundle: planBundle({ root: path.join(env.dir, "evidence"), stamp: "20261124T100000Z", kind: "deploy" }),
            healthWindowSeconds: 300,
            probeSeconds: 15,
        };
        const result = await runSafeUpdate(request, ports, {}).catch((err: Error & { report?: SafeUpdateReport }) => err);
        const post = await connectTo(env.odoo.url).then(async (cl) => {
            try {
                return await databaseChecksums(cl);
            } finally {
                await cl.end();
            }
        });
        return { env, result, calls, statuses, restored, post };
    }

    const scenarios: Scenario[] = [
        { name: "the update fails", update: "fails", expect: "reverted", phase: "update" },
        { name: "the health window fails", update: "succeeds", healthyProbes: 3, expect: "reverted", phase: "health" },
    ];
    for (const s of scenarios) {
        it(`${s.name}: the pre-update backup is restored and the previous image serves again, marked rolled back, with a postmortem draft`, async () => {
            const { env, result, calls, statuses, restored, post } = await run(s);
            assert.ok(result instanceof Error, "a reverted update exits non-zero");
            const report = (result as Error & { report?: SafeUpdateReport }).report!;
            assert.equal(report.outcome, s.expect);
            assert.equal(report.failedPhase, s.phase);
            assert.match(result.message, /reverted: backup .* restored and aaaaaaaaaaaa redeployed/);

            // The previous image serves, on the database as it was before the update.
            assert.deepEqual(
                calls.map((c) => c.image),
                [image("b"), image("a")],
            );
            assert.equal(calls[1].gitSha, sha("a"));
            assert.deepEqual(restored, [env.backup]);
            assert.deepEqual(post, env.pre, "every table is back to its pre-update content");
            const capture = await captureModuleChecksums(parseDatabaseUrl(env.odoo.url));
            assert.equal(capture.modules.find((m) => m.name === "sale_custom")?.version, "16.0.1.0.0");
            assert.equal(capture.checksums.sale_custom, sum("1"), "the checksums match the old code again");

            // Evidence: the update failed, the revert is a rolled_back deployment of the previous SHA.
            const rows = await query<Record<string, any>>(
                env.evidence.url,
                "SELECT id, git_sha, status, rollback_of_sha, image_reference FROM ops.deployments ORDER BY id",
            );
            assert.deepEqual(
                rows.map((r) => [r.git_sha[0], r.status, r.rollback_of_sha?.[0] ?? null]),
                [
                    ["a", "succeeded", null],
                    ["b", "failed", null],
                    ["a", "rolled_back", "b"],
                ],
            );
            const client = new Client({ connectionString: env.evidence.url });
            await client.connect();
            try {
                assert.equal(runningDeployment(await loadHistory(client, "production"))?.gitSha, sha("a"));
            } finally {
                await client.end();
            }
            const migrations = await query<Record<string, any>>(
                env.evidence.url,
                "SELECT module, version_before, version_after, checksum_before, checksum_after FROM ops.migrations WHERE deployment_id = $1",
                [report.deploymentId],
            );
            assert.deepEqual(migrations, [
                { module: "sale_custom", version_before: "16.0.1.0.0", version_after: "16.0.2.0.0", checksum_before: sum("1"), checksum_after: sum("9") },
            ]);

            // The postmortem draft of the failed deployment.
            assert.equal(report.postmortems.length, 1);
            const draft = fs.readFileSync(path.join(env.dir, report.postmortems[0].replace(/^.*postmortems\//, "postmortems/")), "utf8");
            assert.match(draft, new RegExp(sha("b").slice(0, 12)));
            assert.deepEqual(
                statuses.map((st) => [st.context, st.state]),
                [
                    ["odoo-platform/production", "pending"],
                    ["odoo-platform/production", "failure"],
                ],
            );
            assert.match(statuses[1].description, new RegExp(`update failed \\(${s.phase}\\): reverted to aaaaaaaaaaaa, backup restored`));
            if (s.phase === "health") {
                assert.match(report.failure!, /health check failed 45 s into the 300 s window: HTTP 502/);
                const [h] = await query<Record<string, any>>(
                    env.evidence.url,
                    "SELECT h.ok, h.attempts FROM ops.health_checks h JOIN ops.deployments d ON d.health_check_id = h.id WHERE d.id = $1",
                    [report.deploymentId],
                );
                assert.deepEqual(h, { ok: false, attempts: 4 });
            }
        });
    }

    it("success: the new image serves after a full health window; versions and checksums recorded; nothing restored", async () => {
        const { env, result, calls, statuses, restored } = await run({ name: "success", update: "succeeds", expect: "succeeded" });
        assert.ok(!(result instanceof Error), (result as Error).message);
        assert.equal(result.outcome, "succeeded");
        assert.deepEqual(
            calls.map((c) => c.image),
            [image("b")],
        );
        assert.deepEqual(restored, []);
        assert.equal(result.health?.probes, 21, "300 s of probes every 15 s after the first success");
        const rows = await query<Record<string, any>>(env.evidence.url, "SELECT git_sha, status, migrations_executed FROM ops.deployments ORDER BY id");
        assert.deepEqual(
            rows.map((r) => [r.git_sha[0], r.status, r.migrations_executed]),
            [
                ["a", "succeeded", []],
                ["b", "succeeded", ["sale_custom"]],
            ],
        );
        const [m] = await query<Record<string, any>>(env.evidence.url, "SELECT checksum_before, checksum_after FROM ops.migrations");
        assert.deepEqual(m, { checksum_before: sum("1"), checksum_after: sum("9") });
        assert.deepEqual(
            statuses.map((st) => st.state),
            ["pending", "success"],
        );
        assert.match(statuses[1].description, /production runs bbbbbbbbbbbb: 1 module\(s\) updated, healthy for 300 s/);
    });

    it("the health window: the first pass may come late, then every probe must pass", async () => {
        const clock = new FakeClock();
        const answers = [false, false, true, true, true, false];
        const probe = async () => probeResult(answers.shift() ?? true, clock.now());
        const late = await healthWindow({ probe, sleep: clock.sleep, now: clock.now }, "u", { windowSeconds: 30, startupSeconds: 60, probeSeconds: 10 });
        assert.equal(late.ok, false);
        assert.match(late.failure!, /health check failed 30 s into the 30 s window: HTTP 502/);
        const never = await healthWindow({ probe: async () => probeResult(false, clock.now()), sleep: clock.sleep, now: clock.now }, "u", {
            windowSeconds: 30,
            startupSeconds: 60,
            probeSeconds: 10,
        });
        assert.match(never.failure!, /not healthy within 60 s of the update: HTTP 502/);
        assert.deepEqual(
            moduleUpdates(
                { modules: [{ name: "x", version: "1", state: "installed" }], checksums: { x: sum("1") } },
                { modules: [{ name: "x", version: "1", state: "installed" }], checksums: { x: sum("2") } },
            ),
            [
                {
                    module: "x",
                    versionBefore: "1",
                    versionAfter: "1",
                    stateBefore: "installed",
                    stateAfter: "installed",
                    checksumBefore: sum("1"),
                    checksumAfter: sum("2"),
                },
            ],
            "a changed checksum with the same version is still an update",
        );
    });
});
