import * as assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import {
    alertRules,
    alertRulesYaml,
    cadvisorRelabel,
    defaultThresholds,
    prometheusConfig,
    PrometheusConfigInput,
    scrapeJobs,
    smtpOutsideCatcherMetric,
    traefikObservabilityFlags,
    traefikRouterRelabel,
} from "../../../components/observability";
import { promtool } from "../../support/prometheusTools";

const input: PrometheusConfigInput = {
    prefix: "obs-staging",
    scrapeIntervalSeconds: 10,
    traefikTarget: "traefik:8082",
    postgresExporter: true,
    externalLabels: { observability: "obs-staging" },
};

/** The generated config with its rule_files pointed at the temporary directory promtool runs in. */
function configWithLocalRules(cfg: string): string {
    const doc = parse(cfg);
    doc.rule_files = ["rules/*.yml"];
    return stringify(doc);
}

/** promtool test rules compares annotations too; the alert logic is what these cases test. */
function rulesWithoutAnnotations(): string {
    const doc = parse(alertRulesYaml());
    for (const group of doc.groups) for (const rule of group.rules) delete rule.annotations;
    return stringify(doc);
}

/** Applies Prometheus relabel rules (replace action, anchored RE2-compatible regexes) to a label set. */
function relabel(labels: Record<string, string>, rules: typeof traefikRouterRelabel): Record<string, string> | null {
    const out = { ...labels };
    for (const rule of rules) {
        const value = (rule.source_labels ?? []).map((l) => out[l] ?? "").join(rule.separator ?? ";");
        const re = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`);
        const m = re.exec(value);
        if ((rule.action ?? "replace") === "drop") {
            if (m) return null;
            continue;
        }
        if (!m || !rule.target_label) continue;
        out[rule.target_label] = (rule.replacement ?? "$1").replace(/\$(\d+)/g, (_, i) => m[Number(i)] ?? "");
    }
    return out;
}

describe("Prometheus configuration", () => {
    it("passes promtool check config, rules included", () => {
        const result = promtool((dir) => ["check", "config", `${dir}/prometheus.yml`], {
            "prometheus.yml": configWithLocalRules(prometheusConfig(input)),
            "rules/odoo-platform.yml": alertRulesYaml(),
        });
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /SUCCESS: 8 rules found/);
    });

    it("scrapes every target at the configured interval (≤ 10 s), with a timeout no longer than it", () => {
        for (const seconds of [1, 5, 10]) {
            const doc = parse(prometheusConfig({ ...input, scrapeIntervalSeconds: seconds }));
            assert.equal(doc.global.scrape_interval, `${seconds}s`);
            assert.equal(doc.global.scrape_timeout, `${seconds}s`);
            assert.equal(doc.global.evaluation_interval, `${seconds}s`);
        }
        const result = promtool((dir) => ["check", "config", `${dir}/p.yml`], { "p.yml": prometheusConfig({ ...input, scrapeIntervalSeconds: 5 }) });
        assert.equal(result.status, 0, result.output);
        assert.throws(() => prometheusConfig({ ...input, scrapeIntervalSeconds: 15 }), /metricsScrapeSeconds.*got 15/);
        assert.throws(() => prometheusConfig({ ...input, scrapeIntervalSeconds: 0 }), /from 1 to 10/);
    });

    it("scrapes Traefik, cAdvisor, node exporter, postgres-exporter, Loki and Alloy by container name", () => {
        const doc = parse(prometheusConfig(input));
        const targets = Object.fromEntries(
            doc.scrape_configs.map((c: { job_name: string; static_configs: { targets: string[] }[] }) => [c.job_name, c.static_configs[0].targets[0]]),
        );
        assert.deepEqual(targets, {
            prometheus: "localhost:9090",
            traefik: "traefik:8082",
            cadvisor: "obs-staging-cadvisor:8080",
            node: "obs-staging-node-exporter:9100",
            loki: "obs-staging-loki:3100",
            alloy: "obs-staging-alloy:12345",
            postgres: "obs-staging-postgres-exporter:9187",
        });
        assert.ok(!scrapeJobs({ ...input, postgresExporter: false }).some((j) => j.job === "postgres"), "no exporter job without a database server");
        assert.ok(traefikObservabilityFlags().includes("--metrics.prometheus.entryPoint=metrics"));
        assert.ok(traefikObservabilityFlags().includes("--entrypoints.metrics.address=:8082"));
        assert.ok(traefikObservabilityFlags().includes("--metrics.prometheus.addRoutersLabels=true"));
    });

    it("derives stack, stage, pr and app from Traefik router names (router = environment)", () => {
        assert.deepEqual(relabel({ router: "odoo-pr-7@docker" }, traefikRouterRelabel), {
            router: "odoo-pr-7@docker",
            stack: "pr-7",
            app: "odoo",
            stage: "pr",
            pr: "7",
        });
        assert.deepEqual(relabel({ router: "odoo-pr-7-mail@docker" }, traefikRouterRelabel), {
            router: "odoo-pr-7-mail@docker",
            stack: "pr-7",
            app: "mailpit",
            stage: "pr",
            pr: "7",
        });
        assert.deepEqual(relabel({ router: "odoo-staging@docker" }, traefikRouterRelabel), {
            router: "odoo-staging@docker",
            stack: "staging",
            app: "odoo",
            stage: "staging",
        });
        assert.deepEqual(relabel({ router: "odoo-production@docker" }, traefikRouterRelabel), {
            router: "odoo-production@docker",
            stack: "production",
            app: "odoo",
            stage: "production",
        });
        assert.deepEqual(relabel({ router: "obs-staging-grafana@docker" }, traefikRouterRelabel), { router: "obs-staging-grafana@docker" });
    });

    it("turns cAdvisor's Docker labels into stage / stack / pr and drops unnamed cgroups", () => {
        const labelled = relabel(
            {
                __name__: "container_memory_working_set_bytes",
                name: "odoo-pr-7-odoo",
                container_label_odoo_platform_stage: "pr",
                container_label_odoo_platform_stack: "pr-7",
                container_label_odoo_platform_pr: "7",
            },
            cadvisorRelabel,
        );
        assert.equal(labelled?.stage, "pr");
        assert.equal(labelled?.stack, "pr-7");
        assert.equal(labelled?.pr, "7");
        assert.equal(labelled?.container, "odoo-pr-7-odoo");
        assert.equal(relabel({ __name__: "container_memory_working_set_bytes", id: "/system.slice" }, cadvisorRelabel), null);
        assert.notEqual(relabel({ __name__: "machine_memory_bytes" }, cadvisorRelabel), null);
    });
});

describe("alert rules", () => {
    it("pass promtool check rules (templates included)", () => {
        const result = promtool((dir) => ["check", "rules", `${dir}/rules.yml`], { "rules.yml": alertRulesYaml() });
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /SUCCESS: 8 rules found/);
    });

    it("cover the five alerts the issue asks for, each with a severity", () => {
        const names = alertRules().map((r) => r.alert);
        for (const wanted of ["OdooHighErrorRate", "OdooSlowResponses", "PostgresConnectionsNearLimit", "HostDiskFilling", "NonProductionMailOutsideCatcher"]) {
            assert.ok(names.includes(wanted), `${wanted} missing`);
        }
    });

    it("fire exactly when they should (promtool test rules)", () => {
        const staging = 'stage="staging", stack="staging", app="odoo"';
        const pr = 'stage="pr", stack="pr-7", app="odoo"';
        const tests = {
            rule_files: ["rules.yml"],
            evaluation_interval: "1m",
            tests: [
                {
                    name: "Odoo 5xx ratio above 5% in staging, not in pr-7",
                    interval: "1m",
                    input_series: [
                        { series: `traefik_router_requests_total{${staging}, code="200"}`, values: "0+600x30" },
                        { series: `traefik_router_requests_total{${staging}, code="502"}`, values: "0+60x30" },
                        { series: `traefik_router_requests_total{${pr}, code="200"}`, values: "0+600x30" },
                        { series: `traefik_router_requests_total{${pr}, code="500"}`, values: "0+6x30" },
                    ],
                    alert_rule_test: [
                        { eval_time: "3m", alertname: "OdooHighErrorRate", exp_alerts: [] },
                        {
                            eval_time: "15m",
                            alertname: "OdooHighErrorRate",
                            exp_alerts: [{ exp_labels: { severity: "critical", stage: "staging", stack: "staging" } }],
                        },
                    ],
                },
                {
                    name: "errors on an idle environment do not page",
                    interval: "1m",
                    input_series: [{ series: `traefik_router_requests_total{${pr}, code="500"}`, values: "0+1x30" }],
                    alert_rule_test: [{ eval_time: "20m", alertname: "OdooHighErrorRate", exp_alerts: [] }],
                },
                {
                    name: "p95 latency above 2 s for 10 minutes",
                    interval: "1m",
                    input_series: [
                        { series: `traefik_router_request_duration_seconds_bucket{${staging}, le="0.5"}`, values: "0+1x40" },
                        { series: `traefik_router_request_duration_seconds_bucket{${staging}, le="2"}`, values: "0+2x40" },
                        { series: `traefik_router_request_duration_seconds_bucket{${staging}, le="5"}`, values: "0+10x40" },
                        { series: `traefik_router_request_duration_seconds_bucket{${staging}, le="+Inf"}`, values: "0+10x40" },
                        { series: `traefik_router_request_duration_seconds_bucket{${pr}, le="0.5"}`, values: "0+10x40" },
                        { series: `traefik_router_request_duration_seconds_bucket{${pr}, le="+Inf"}`, values: "0+10x40" },
                    ],
                    alert_rule_test: [
                        { eval_time: "8m", alertname: "OdooSlowResponses", exp_alerts: [] },
                        {
                            eval_time: "20m",
                            alertname: "OdooSlowResponses",
                            exp_alerts: [{ exp_labels: { severity: "warning", stage: "staging", stack: "staging" } }],
                        },
                    ],
                },
                {
                    name: "connections above 80% of max_connections",
                    interval: "1m",
                    input_series: [
                        { series: 'pg_stat_activity_count{instance="db:9187", datname="odoo_staging", state="active"}', values: "30x5 70x20" },
                        { series: 'pg_stat_activity_count{instance="db:9187", datname="odoo_staging", state="idle"}', values: "20x5 20x20" },
                        { series: 'pg_settings_max_connections{instance="db:9187"}', values: "100x25" },
                    ],
                    alert_rule_test: [
                        { eval_time: "4m", alertname: "PostgresConnectionsNearLimit", exp_alerts: [] },
                        {
                            eval_time: "15m",
                            alertname: "PostgresConnectionsNearLimit",
                            exp_alerts: [{ exp_labels: { severity: "warning", instance: "db:9187" } }],
                        },
                    ],
                },
                {
                    name: "disk under 10% free fires; a tmpfs does not",
                    interval: "1m",
                    input_series: [
                        { series: 'node_filesystem_avail_bytes{mountpoint="/", fstype="ext4", device="/dev/sda1"}', values: "50x5 5x20" },
                        { series: 'node_filesystem_size_bytes{mountpoint="/", fstype="ext4", device="/dev/sda1"}', values: "100x25" },
                        { series: 'node_filesystem_readonly{mountpoint="/", fstype="ext4", device="/dev/sda1"}', values: "0x25" },
                        { series: 'node_filesystem_avail_bytes{mountpoint="/dev/shm", fstype="tmpfs", device="shm"}', values: "1x25" },
                        { series: 'node_filesystem_size_bytes{mountpoint="/dev/shm", fstype="tmpfs", device="shm"}', values: "100x25" },
                        { series: 'node_filesystem_readonly{mountpoint="/dev/shm", fstype="tmpfs", device="shm"}', values: "0x25" },
                    ],
                    alert_rule_test: [
                        { eval_time: "4m", alertname: "HostDiskFilling", exp_alerts: [] },
                        {
                            eval_time: "15m",
                            alertname: "HostDiskFilling",
                            exp_alerts: [{ exp_labels: { severity: "critical", mountpoint: "/", fstype: "ext4", device: "/dev/sda1" } }],
                        },
                    ],
                },
                {
                    name: "a disk losing space fast is predicted full",
                    interval: "1m",
                    input_series: [
                        // 100 GB free, losing 100 MB a minute: empty in under 17 hours.
                        { series: 'node_filesystem_avail_bytes{mountpoint="/var", fstype="xfs", device="/dev/sdb1"}', values: "100000000000-100000000x600" },
                        { series: 'node_filesystem_readonly{mountpoint="/var", fstype="xfs", device="/dev/sdb1"}', values: "0x600" },
                        // A steady disk is not predicted to fill.
                        { series: 'node_filesystem_avail_bytes{mountpoint="/", fstype="ext4", device="/dev/sda1"}', values: "50000000000x600" },
                        { series: 'node_filesystem_readonly{mountpoint="/", fstype="ext4", device="/dev/sda1"}', values: "0x600" },
                    ],
                    alert_rule_test: [
                        {
                            eval_time: "8h",
                            alertname: "HostDiskWillFill",
                            exp_alerts: [{ exp_labels: { severity: "warning", mountpoint: "/var", fstype: "xfs", device: "/dev/sdb1" } }],
                        },
                    ],
                },
                {
                    name: "mail outside the catcher in a non-production environment; production is not watched",
                    interval: "1m",
                    input_series: [
                        { series: `${smtpOutsideCatcherMetric}{stage="pr", stack="pr-7", pr="7", source="odoo-log"}`, values: "0x3 1x5" },
                        { series: `${smtpOutsideCatcherMetric}{stage="production", stack="production", source="odoo-log"}`, values: "3x8" },
                    ],
                    alert_rule_test: [
                        { eval_time: "2m", alertname: "NonProductionMailOutsideCatcher", exp_alerts: [] },
                        {
                            eval_time: "5m",
                            alertname: "NonProductionMailOutsideCatcher",
                            exp_alerts: [{ exp_labels: { severity: "critical", stage: "pr", stack: "pr-7" } }],
                        },
                    ],
                },
                {
                    name: "a target down for two minutes",
                    interval: "1m",
                    input_series: [{ series: 'up{job="traefik", instance="traefik:8082"}', values: "1 1 0 0 0 0" }],
                    alert_rule_test: [
                        { eval_time: "3m", alertname: "ScrapeTargetDown", exp_alerts: [] },
                        {
                            eval_time: "5m",
                            alertname: "ScrapeTargetDown",
                            exp_alerts: [{ exp_labels: { severity: "warning", job: "traefik", instance: "traefik:8082" } }],
                        },
                    ],
                },
            ],
        };
        const result = promtool((dir) => ["test", "rules", `${dir}/tests.yml`], { "tests.yml": stringify(tests), "rules.yml": rulesWithoutAnnotations() });
        assert.equal(result.status, 0, result.output);
        assert.match(result.output, /SUCCESS/);
    });

    it("uses the thresholds it is given", () => {
        const strict = alertRules({ ...defaultThresholds, errorRatio: 0.01, p95Seconds: 0.5 });
        assert.match(strict.find((r) => r.alert === "OdooHighErrorRate")!.expr, /> 0\.01 and/);
        assert.match(strict.find((r) => r.alert === "OdooSlowResponses")!.expr, /> 0\.5$/);
    });
});
