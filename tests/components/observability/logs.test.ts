import * as assert from "node:assert/strict";
import { parse } from "yaml";
import {
    alloyBlocks,
    AlloyBlock,
    alloyConfig,
    dockerSdLabel,
    dockerSocketAllowList,
    grafanaDatasources,
    lokiConfig,
    lokiPaths,
    lokiRecordingRules,
    lokiRulesYaml,
    odooLogLevelRegex,
    slowQueryLineRegex,
    smtpOutsideCatcherMetric,
} from "../../../components/observability";
import { containerRoles, labelKeys } from "../../../config/naming";

/** Go's RE2 named groups `(?P<name>…)` in JavaScript's spelling. */
const re2 = (pattern: string) => new RegExp(pattern.replace(/\(\?P</g, "(?<"));

/**
 * Top-level blocks of the Loki 3.x configuration file
 * (https://grafana.com/docs/loki/latest/configure/#supported-contents-and-default-values-of-lokiyaml).
 */
const lokiTopLevel = new Set([
    "target",
    "auth_enabled",
    "ballast_bytes",
    "server",
    "ui",
    "distributor",
    "querier",
    "query_engine",
    "query_scheduler",
    "frontend",
    "query_range",
    "ruler",
    "ruler_storage",
    "ingester_client",
    "ingester",
    "pattern_ingester",
    "index_gateway",
    "bloom_build",
    "bloom_gateway",
    "storage_config",
    "chunk_store_config",
    "schema_config",
    "compactor",
    "compactor_grpc_client",
    "limits_config",
    "frontend_worker",
    "table_manager",
    "memberlist",
    "kafka_config",
    "dataobj",
    "runtime_config",
    "operational_config",
    "tracing",
    "analytics",
    "profiling",
    "common",
    "shutdown_delay",
    "metrics_namespace",
]);

const lokiInput = { retentionDays: 14, prometheusRemoteWriteUrl: "http://obs-staging-prometheus:9090/api/v1/write" };

describe("Loki configuration", () => {
    it("has the keys a single-binary Loki 3 with filesystem storage requires, and nothing unknown", () => {
        const doc = parse(lokiConfig(lokiInput));
        for (const key of Object.keys(doc)) assert.ok(lokiTopLevel.has(key), `unknown top-level key ${key}`);
        assert.equal(doc.auth_enabled, false);
        assert.equal(doc.server.http_listen_port, 3100);
        assert.equal(doc.common.replication_factor, 1);
        assert.equal(doc.common.ring.kvstore.store, "inmemory");
        assert.ok(doc.common.storage.filesystem.chunks_directory.startsWith(lokiPaths.data));
        const [schema] = doc.schema_config.configs;
        // Structured metadata and retention need the TSDB index with schema v13.
        assert.deepEqual(
            { store: schema.store, schema: schema.schema, object_store: schema.object_store },
            { store: "tsdb", schema: "v13", object_store: "filesystem" },
        );
        assert.match(schema.from, /^\d{4}-\d{2}-\d{2}$/);
        assert.equal(schema.index.period, "24h");
    });

    it("keeps logs logRetentionDays days: compactor retention on, retention a whole number of index periods", () => {
        for (const days of [3, 14, 31]) {
            const doc = parse(lokiConfig({ ...lokiInput, retentionDays: days }));
            assert.equal(doc.limits_config.retention_period, `${days * 24}h`);
            assert.equal(doc.compactor.retention_enabled, true);
            // Loki 3 refuses retention without a store for delete requests.
            assert.equal(doc.compactor.delete_request_store, "filesystem");
            assert.ok(doc.compactor.working_directory);
        }
        assert.throws(() => lokiConfig({ ...lokiInput, retentionDays: 0 }), /logRetentionDays/);
        assert.throws(() => lokiConfig({ ...lokiInput, retentionDays: 1.5 }), /whole number/);
    });

    it("runs the ruler on local rules (tenant `fake`) and remote-writes recorded series to Prometheus", () => {
        const doc = parse(lokiConfig(lokiInput));
        assert.equal(doc.ruler.storage.type, "local");
        assert.equal(`${doc.ruler.storage.local.directory}/fake/odoo-platform.yml`, lokiPaths.rulesFile);
        assert.equal(doc.ruler.remote_write.enabled, true);
        assert.equal(doc.ruler.remote_write.clients.prometheus.url, lokiInput.prometheusRemoteWriteUrl);
        assert.ok(doc.ruler.wal.dir);
    });
});

describe("Loki recording rules", () => {
    const rules = lokiRecordingRules();
    const alloyServices = new Set<string>(Object.values(containerRoles));
    const alloyLabels = new Set(["container", "service", "level", "log_type", "stage", "stack", "pr", "git_sha"]);

    it("are a valid rule file whose records are Prometheus metric names", () => {
        const doc = parse(lokiRulesYaml(rules));
        assert.equal(doc.groups.length, 1);
        for (const rule of doc.groups[0].rules) {
            assert.match(rule.record, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
            assert.match(rule.expr, /^sum by \(stage, stack, pr\) \(count_over_time\(\{[^}]+\}.* \[5m\]\)\)$/);
        }
        // Two sources feed the mail series; a label keeps their samples apart.
        const mail = rules.filter((r) => r.record === smtpOutsideCatcherMetric);
        assert.deepEqual(mail.map((r) => r.labels?.source).sort(), ["egress-proxy", "odoo-log"]);
    });

    it("select streams only by labels and services the shipper produces", () => {
        for (const rule of rules) {
            const selector = /\{([^}]*)\}/.exec(rule.expr)![1];
            for (const matcher of selector.split(",")) {
                const [, label, , value] = /^\s*([a-z_]+)\s*(=|!=|=~|!~)\s*"([^"]*)"\s*$/.exec(matcher)!;
                assert.ok(alloyLabels.has(label), `${rule.record}: label ${label}`);
                if (label === "service") assert.ok(alloyServices.has(value), `${rule.record}: service ${value}`);
            }
        }
    });

    it("count Odoo's failed deliveries to a real server, not to the mail catcher", () => {
        const odooRule = rules.find((r) => r.labels?.source === "odoo-log")!;
        const extract = re2(/regexp `([^`]+)`/.exec(odooRule.expr)![1]);
        const line = (server: string) =>
            `2026-11-25 10:00:00,123 42 INFO odoo_pr_7 odoo.addons.base.models.ir_mail_server: Mail delivery failed via SMTP server '${server}'.`;
        assert.ok(odooRule.expr.includes('|= "Mail delivery failed via SMTP server"'));
        assert.equal(extract.exec(line("smtp.gmail.com"))?.groups?.smtp_server, "smtp.gmail.com");
        assert.equal(extract.exec(line("mailpit"))?.groups?.smtp_server, "mailpit");
        assert.ok(odooRule.expr.includes('smtp_server != "mailpit"'));
        assert.ok(
            lokiRecordingRules("catcher")
                .find((r) => r.labels?.source === "odoo-log")!
                .expr.includes('smtp_server != "catcher"'),
        );
        assert.ok(odooRule.expr.includes('stage!="production"'));
    });

    it("count SMTP CONNECTs through the egress proxy, not HTTPS", () => {
        const egress = rules.find((r) => r.labels?.source === "egress-proxy")!;
        const pattern = re2(/\|~ `([^`]+)`/.exec(egress.expr)![1]);
        assert.ok(pattern.test("1732530000.123 5 172.20.0.5 TCP_TUNNEL/200 0 CONNECT smtp.gmail.com:587 - HIER_DIRECT/1.2.3.4 -"));
        assert.ok(pattern.test("CONNECT mail.example.com:25 HTTP/1.1"));
        assert.ok(!pattern.test("CONNECT apps.odoo.com:443 HTTP/1.1"));
        assert.ok(!pattern.test("CONNECT smtp.example.com:5870 HTTP/1.1"));
    });
});

/** Every component `a.b "label"` declared at the top level, as `a.b.label`. */
function declared(blocks: AlloyBlock[]): Set<string> {
    return new Set(blocks.filter((b) => b.label !== undefined).map((b) => `${b.name}.${b.label}`));
}

describe("Alloy configuration", () => {
    const input = { lokiPushUrl: "http://obs-staging-loki:3100/loki/api/v1/push", traefikContainer: "traefik" };
    const text = alloyConfig(input);
    const blocks = alloyBlocks(input);

    it("renders balanced blocks of attributes, every line well formed", () => {
        let depth = 0;
        for (const raw of text.split("\n")) {
            const line = raw.trim();
            if (!line) continue;
            if (line === "}" || line === "},") {
                depth--;
                assert.ok(depth >= 0, "no closing brace without an opening one");
                continue;
            }
            assert.match(line, /^([a-z_.]+( "[a-z_]+")? \{|[a-z_]+ = .+|[a-z_"]+ = .*,)$/, `malformed line: ${line}`);
            if (line.endsWith("{")) depth++;
        }
        assert.equal(depth, 0, "every block closed");
    });

    it("wires components that exist: discovery → relabel → docker source → process → write", () => {
        const components = declared(blocks);
        const refs = [...text.matchAll(/= \[?((?:discovery|loki)\.[a-z_.]+)\]?$/gm)].map((m) => m[1]);
        assert.ok(refs.length >= 4);
        for (const r of refs) {
            const component = r.split(".").slice(0, 3).join(".");
            assert.ok(components.has(component), `${r} refers to ${component}, which is not declared`);
        }
        assert.ok(text.includes(`url = "${input.lokiPushUrl}"`));
        assert.ok(text.includes('host = "unix:///var/run/docker.sock"'));
    });

    it("labels every stream with stage, stack, pr and git_sha from our Docker labels", () => {
        for (const [dockerLabel, lokiLabel] of [
            [labelKeys.stage, "stage"],
            [labelKeys.stack, "stack"],
            [labelKeys.pr, "pr"],
            [labelKeys.gitSha, "git_sha"],
        ]) {
            assert.ok(text.includes(`source_labels = ["${dockerSdLabel(dockerLabel)}"]`), dockerLabel);
            assert.ok(text.includes(`target_label = "${lokiLabel}"`), lokiLabel);
        }
        assert.equal(dockerSdLabel("odoo-platform.git-sha"), "__meta_docker_container_label_odoo_platform_git_sha");
        // Only our containers (and the shared Traefik) are shipped.
        assert.ok(text.includes(`regex = "pulumi;.*|.*;/traefik"`));
        assert.ok(text.includes('action = "keep"'));
    });

    it("names each stream's service after the container's role label; the shared Traefik is the router", () => {
        const rules = blocks.find((b) => b.name === "discovery.relabel")!.blocks!.map((b) => Object.fromEntries(b.attributes!));
        const service = rules.filter((r) => r.target_label === "service");
        assert.deepEqual(
            service.map((r) => r.source_labels),
            [["__meta_docker_container_name"], [dockerSdLabel(labelKeys.role)]],
        );
        assert.equal(service[0].regex, "/traefik");
        assert.equal(service[0].replacement, "router");
        assert.equal(dockerSdLabel(labelKeys.role), "__meta_docker_container_label_odoo_platform_role");
    });

    it("recognises Odoo log levels, PostgreSQL slow queries and Traefik access logs", () => {
        const level = re2(odooLogLevelRegex);
        assert.equal(level.exec("2026-11-25 10:00:00,123 42 ERROR odoo_staging odoo.http: Exception during request handling.")?.groups?.level, "ERROR");
        assert.equal(level.exec("2026-11-25 10:00:00,123 1 INFO ? odoo.service.server: HTTP service (werkzeug) running")?.groups?.level, "INFO");
        assert.equal(level.exec("Traceback (most recent call last):"), null);
        const slow = new RegExp(slowQueryLineRegex);
        assert.ok(slow.test('2026-11-25 10:00:00.123 UTC [77] LOG:  duration: 1012.345 ms  statement: SELECT "res_partner".id FROM "res_partner"'));
        assert.ok(!slow.test("2026-11-25 10:00:00.123 UTC [77] LOG:  checkpoint starting: time"));
        assert.ok(text.includes('selector = "{service=\\"router\\"} |= \\"RouterName\\""'));
        assert.ok(text.includes('log_type = "slow_query",'));
    });
});

describe("Docker socket allow-list", () => {
    it("allows the log shipper and cAdvisor only", () => {
        assert.deepEqual([...dockerSocketAllowList.roles].sort(), ["alloy", "cadvisor"]);
        assert.deepEqual(dockerSocketAllowList.names("obs-staging"), ["obs-staging-alloy", "obs-staging-cadvisor"]);
        assert.ok(dockerSocketAllowList.matches("obs-pr-7-alloy"));
        assert.ok(!dockerSocketAllowList.matches("obs-staging-grafana"));
        assert.ok(!dockerSocketAllowList.matches("odoo-staging-odoo"));
        assert.ok(!dockerSocketAllowList.matches("evil-alloy"));
    });
});

describe("Grafana data sources", () => {
    it("provision Prometheus (default), Loki and the evidence database read-only, password from the environment", () => {
        const doc = parse(
            grafanaDatasources({
                prometheusUrl: "http://obs-production-prometheus:9090",
                lokiUrl: "http://obs-production-loki:3100",
                evidence: { host: "db.example.supabase.co", port: 5432, database: "postgres", user: "ops_reader", sslMode: "require" },
            }),
        );
        assert.equal(doc.apiVersion, 1);
        const [prom, loki, evidence] = doc.datasources;
        assert.deepEqual([prom.type, prom.uid, prom.isDefault, prom.url], ["prometheus", "prometheus", true, "http://obs-production-prometheus:9090"]);
        assert.deepEqual([loki.type, loki.uid, loki.url], ["loki", "loki", "http://obs-production-loki:3100"]);
        assert.equal(evidence.type, "grafana-postgresql-datasource");
        assert.equal(evidence.user, "ops_reader");
        assert.equal(evidence.url, "db.example.supabase.co:5432");
        assert.equal(evidence.jsonData.database, "postgres");
        assert.equal(evidence.jsonData.sslmode, "require");
        assert.equal(evidence.secureJsonData.password, "$ODOO_PLATFORM_EVIDENCE_READER_PASSWORD");
        for (const d of doc.datasources) assert.equal(d.editable, false);
        assert.equal(parse(grafanaDatasources({ prometheusUrl: "p", lokiUrl: "l" })).datasources.length, 2);
    });
});
