import * as assert from "node:assert/strict";
import { Client } from "pg";
import { parse } from "yaml";
import {
    alertRules,
    cadvisorMetrics,
    Dashboard,
    dashboards,
    deploymentSql,
    grafanaDashboardProvider,
    grafanaDatasources,
    lokiRecordedMetrics,
    metricNamesInPromQL,
    prometheusBuiltinMetrics,
    streamLabelsFromPlatformLabels,
    traefikMetrics,
} from "../../../components/observability";
import { testPostgres } from "../../support/postgres";
import { recordDeployments } from "../../support/deployments";
import { evidenceDatabase } from "../../support/evidence";
import { scrapeExporter } from "../../support/prometheusTools";

const all = dashboards({ evidence: true, slowQueryMs: 500 });
const panels = (d: Dashboard) => d.panels;

/** Labels the Alloy pipeline puts on log streams (see alloy.ts). */
const lokiStreamLabels = new Set(["container", "service", "level", "log_type", ...streamLabelsFromPlatformLabels.map(([, l]) => l)]);

/** Grafana's SQL macros and variables, expanded the way Grafana does for a 30-day range. */
function expandGrafanaSql(sql: string, environments: string[]): string {
    return sql
        .replace(/\$__timeFilter\(([^)]+)\)/g, "$1 BETWEEN now() - interval '30 days' AND now()")
        .replace(/\$environment/g, environments.map((e) => `'${e}'`).join(","));
}

describe("metric names in PromQL", () => {
    it("lists selected metrics, not functions, labels, keywords or durations", () => {
        assert.deepEqual(
            metricNamesInPromQL('sum by (stack) (rate(traefik_router_requests_total{app="odoo", code=~"5.."}[5m])) / on (stack) group_left max(up)'),
            ["traefik_router_requests_total", "up"],
        );
        assert.deepEqual(metricNamesInPromQL("histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) > 2"), ["x_bucket"]);
        assert.deepEqual(metricNamesInPromQL("predict_linear(a[6h], 24 * 3600) < 0 and b == 0"), ["a", "b"]);
        assert.deepEqual(metricNamesInPromQL('odoo_platform:pg_slow_queries:count5m{stack=~"$stack"}'), ["odoo_platform:pg_slow_queries:count5m"]);
        assert.deepEqual(metricNamesInPromQL('1 - avg(rate(node_cpu_seconds_total{mode="idle"}[1m]))'), ["node_cpu_seconds_total"]);
    });
});

describe("dashboards", function () {
    this.timeout(60_000);
    let known: Map<string, string>;

    before(async () => {
        // What the scrape targets really expose: the two Debian exporters run here, against the test
        // PostgreSQL; Traefik and cAdvisor from their documented lists.
        const pg = await testPostgres();
        const postgres = await scrapeExporter("prometheus-postgres-exporter", "prometheus-postgres-exporter", (listen) => [`--web.listen-address=${listen}`], {
            DATA_SOURCE_NAME: `${pg.url}?sslmode=disable`,
        });
        const node = await scrapeExporter("prometheus-node-exporter", "prometheus-node-exporter", (listen) => [`--web.listen-address=${listen}`]);
        assert.ok(postgres.has("pg_up") && postgres.has("pg_stat_activity_count"), "postgres-exporter answered with its metrics");
        known = new Map();
        const add = (names: Iterable<string>, source: string) => {
            for (const n of names) if (!known.has(n)) known.set(n, source);
        };
        add(prometheusBuiltinMetrics, "prometheus");
        add(traefikMetrics, "traefik (documented)");
        add(cadvisorMetrics, "cadvisor (documented)");
        add(postgres, "postgres-exporter (live)");
        add(node, "node-exporter (live)");
        add(lokiRecordedMetrics, "loki ruler");
    });

    it("are valid JSON with unique ids, a uid and panels inside the 24-column grid", () => {
        const uids = new Set<string>();
        for (const [file, d] of Object.entries(all)) {
            const reparsed = JSON.parse(JSON.stringify(d)) as Dashboard;
            assert.equal(reparsed.uid, d.uid);
            assert.ok(!uids.has(d.uid), `duplicate uid ${d.uid}`);
            uids.add(d.uid);
            assert.ok(d.panels.length >= 4, `${file} has panels`);
            const ids = d.panels.map((p) => p.id);
            assert.equal(new Set(ids).size, ids.length, `${file}: panel ids unique`);
            for (const p of d.panels) {
                assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${file} ${p.title}: inside the grid`);
                assert.ok(p.targets.length > 0, `${file} ${p.title}: has a query`);
            }
        }
        assert.deepEqual(Object.keys(all).sort(), ["containers.json", "database.json", "deployments.json", "environments.json"]);
        assert.ok(!("deployments.json" in dashboards({ evidence: false, slowQueryMs: 500 })), "no deployments dashboard without the evidence database");
    });

    it("use only provisioned data sources", () => {
        const provisioned = parse(
            grafanaDatasources({
                prometheusUrl: "http://p:9090",
                lokiUrl: "http://l:3100",
                evidence: { host: "db", port: 5432, database: "postgres", user: "ops_reader", sslMode: "require" },
            }),
        );
        const byUid = new Map(provisioned.datasources.map((d: { uid: string; type: string }) => [d.uid, d.type]));
        for (const d of Object.values(all)) {
            for (const p of d.panels) assert.equal(byUid.get(p.datasource.uid), p.datasource.type, `${d.uid} ${p.title}: data source ${p.datasource.uid}`);
            for (const v of d.templating.list) assert.equal(byUid.get(v.datasource.uid), v.datasource.type);
            for (const a of d.annotations.list as { datasource: { uid: string; type: string }; builtIn?: number }[]) {
                if (!a.builtIn) assert.equal(byUid.get(a.datasource.uid), a.datasource.type);
            }
        }
        const provider = parse(grafanaDashboardProvider());
        assert.equal(provider.providers[0].type, "file");
        assert.equal(provider.providers[0].options.path, "/var/lib/grafana/dashboards/odoo-platform");
    });

    it("query only metrics the scrape targets expose (every PromQL panel, variable and alert)", () => {
        const checked: string[] = [];
        const check = (where: string, expr: string) => {
            const names = metricNamesInPromQL(expr);
            assert.ok(names.length > 0, `${where}: names no metric: ${expr}`);
            for (const name of names) {
                assert.ok(known.has(name), `${where}: ${name} is not exposed by any scrape target (${expr})`);
                checked.push(name);
            }
        };
        for (const d of Object.values(all)) {
            for (const p of panels(d)) if (p.datasource.type === "prometheus") for (const t of p.targets) check(`${d.uid} / ${p.title}`, t.expr!);
            for (const v of d.templating.list) {
                if (v.datasource.type !== "prometheus") continue;
                const m = /^label_values\((.+), *([a-z_]+)\)$/.exec(v.definition);
                assert.ok(m, `${d.uid} variable ${v.name}: label_values(metric, label)`);
                check(`${d.uid} variable ${v.name}`, m[1]);
            }
        }
        for (const rule of alertRules()) check(`alert ${rule.alert}`, rule.expr);
        const sources = new Set(checked.map((n) => known.get(n)));
        for (const source of ["traefik (documented)", "cadvisor (documented)", "postgres-exporter (live)", "node-exporter (live)", "loki ruler"]) {
            assert.ok(sources.has(source), `some panel or alert uses ${source}`);
        }
    });

    it("select log streams by labels the log shipper sets", () => {
        let lokiQueries = 0;
        for (const d of Object.values(all)) {
            for (const p of panels(d)) {
                if (p.datasource.type !== "loki") continue;
                for (const t of p.targets) {
                    const selector = /^\{([^}]*)\}/.exec(t.expr!);
                    assert.ok(selector, `${p.title}: starts with a stream selector`);
                    for (const matcher of selector[1].split(",")) {
                        const label = matcher.trim().split(/[=!~]/)[0];
                        assert.ok(lokiStreamLabels.has(label), `${p.title}: label ${label} is not set by Alloy`);
                    }
                    lokiQueries++;
                }
            }
        }
        assert.ok(lokiQueries >= 3);
    });

    it("deployment panels, variable and annotations run on the evidence schema and give the right numbers", async () => {
        const { url, readerUrl } = await evidenceDatabase("dash");
        const day = 86_400_000;
        const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
        await recordDeployments(url, [
            { environment: "staging", git_sha: "a".repeat(40), status: "succeeded", started_at: at(20), finished_at: at(20) },
            { environment: "staging", git_sha: "b".repeat(40), status: "failed", started_at: at(10), finished_at: at(10) },
            { environment: "production", git_sha: "a".repeat(40), status: "succeeded", started_at: at(9), finished_at: at(9) },
            { environment: "production", git_sha: "c".repeat(40), status: "succeeded", started_at: at(3), finished_at: at(3) },
            {
                environment: "production",
                git_sha: "a".repeat(40),
                status: "rolled_back",
                rollback_of_sha: "c".repeat(40),
                started_at: at(2),
                finished_at: at(2),
            },
            { environment: "production", git_sha: "d".repeat(40), status: "succeeded", started_at: at(60), finished_at: at(60) },
        ]);
        // As Grafana does: logged in as ops_reader.
        const client = new Client({ connectionString: readerUrl });
        await client.connect();
        try {
            const envs = (await client.query(deploymentSql.environments)).rows.map((r) => r.environment);
            assert.deepEqual(envs, ["production", "staging"]);
            const run = async (sql: string) => (await client.query(expandGrafanaSql(sql, envs))).rows;

            const perWeek = await run(deploymentSql.perWeek);
            assert.equal(
                perWeek.reduce((n, r) => n + Number(r.deployments), 0),
                5,
                "five deployments in the last 30 days",
            );
            assert.ok(perWeek.every((r) => r.time instanceof Date && typeof r.metric === "string"));

            const rate = Object.fromEntries((await run(deploymentSql.successRate)).map((r) => [r.environment, Number(r.success_rate)]));
            assert.deepEqual(rate, { production: 100, staging: 50 });
            assert.equal(Number((await run(deploymentSql.rollbacks))[0].rollbacks), 1);
            const recent = await run(deploymentSql.recent);
            assert.equal(recent.length, 5);
            assert.equal(recent[0].status, "rolled_back", "newest first");

            const annotations = await run(deploymentSql.annotations);
            assert.equal(annotations.length, 5);
            assert.deepEqual(Object.keys(annotations[0]).sort(), ["tags", "text", "time", "timeend"]);
            assert.match(annotations[0].text, /^staging succeeded a{12}$/);
            assert.equal(annotations[4].tags, "production,rolled_back");
        } finally {
            await client.end();
        }
    });

    it("annotate every time-series dashboard with deployments when the evidence database is there", () => {
        for (const d of Object.values(all)) {
            const names = (d.annotations.list as { name: string }[]).map((a) => a.name);
            assert.ok(names.includes("Deployments"), `${d.uid} has deployment annotations`);
        }
        for (const d of Object.values(dashboards({ evidence: false, slowQueryMs: 500 }))) {
            assert.ok(!(d.annotations.list as { name: string }[]).some((a) => a.name === "Deployments"));
        }
    });
});
