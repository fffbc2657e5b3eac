/**
 * ObservabilityStack in the staging and production plans, then built from its own args under the
 * mock runtime.
 */
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { dockerSocketAllowList, dockerSocketPath, hostAccess } from "../../components/observability";
import { ObservabilityStack, ObservabilityStackArgs } from "../../components/ObservabilityStack";
import { resourceLabels } from "../../config/naming";
import { isSecretValue } from "../../plan/mockRuntime";
import { planStack, PlanResult, PlannedResource } from "../../plan/plan";
import { buildUnderMocks, failureOf } from "../support/component";
import { labelsOf, networkType, ofType, one, Recording, Resource } from "../support/plan";

const env = { ...process.env, ODOO_PLATFORM_GIT_SHA: "abcdef1" };
const containerType = "docker:index/container:Container";

type Upload = { file: string; content: string };
type Volume = { hostPath?: string; containerPath: string; readOnly?: boolean; volumeName?: string };

const observabilityContainers = (plan: PlanResult) => plan.resources.filter((r) => r.type === containerType && r.parent === "observability");
const byName = (plan: PlanResult, name: string): PlannedResource => {
    const found = plan.resources.find((r) => r.type === containerType && r.inputs.name === name);
    assert.ok(found, `container ${name} planned`);
    return found;
};
const uploads = (c: PlannedResource) => (c.inputs.uploads ?? []) as Upload[];
const upload = (c: PlannedResource, file: string) => {
    const found = uploads(c).find((u) => u.file === file);
    assert.ok(found, `${c.inputs.name} uploads ${file}`);
    return found.content;
};
const labelMap = (c: PlannedResource) => Object.fromEntries((c.inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));

describe("ObservabilityStack under the mock runtime", function () {
    this.timeout(60_000);
    let staging: PlanResult;
    let production: PlanResult;

    before(async () => {
        staging = await planStack({ stack: "staging", env });
        production = await planStack({ stack: "production", env });
        assert.deepEqual(staging.errors, []);
        assert.deepEqual(production.errors, []);
    });

    it("declares one component with Prometheus, Loki, Alloy, Grafana, cAdvisor, node exporter and postgres-exporter", () => {
        const component = staging.resources.filter((r) => r.type === "odoo-platform:observability:ObservabilityStack");
        assert.equal(component.length, 1);
        assert.deepEqual(
            observabilityContainers(staging)
                .map((c) => c.inputs.name)
                .sort(),
            [
                "obs-staging-alloy",
                "obs-staging-cadvisor",
                "obs-staging-grafana",
                "obs-staging-loki",
                "obs-staging-node-exporter",
                "obs-staging-postgres-exporter",
                "obs-staging-prometheus",
            ],
        );
        const volumes = staging.resources
            .filter((r) => r.type === "docker:index/volume:Volume" && r.parent === "observability")
            .map((v) => v.inputs.name)
            .sort();
        assert.deepEqual(volumes, ["obs-staging-alloy-data", "obs-staging-grafana-data", "obs-staging-loki-data", "obs-staging-prometheus-data"]);
    });

    it("is not deployed on dev or PR stacks (they share the staging host's stack)", async () => {
        const pr = await planStack({ stack: "pr-7", env: { ...env, ODOO_PLATFORM_GIT_BRANCH: "feature/x" } });
        assert.deepEqual(pr.errors, []);
        assert.equal(observabilityContainers(pr).length, 0);
    });

    it("labels every container with stage and stack but no per-commit label, publishes no host port, and keeps the services on their own network", () => {
        // Which networks each service joins: its own internal one always; a route out only for
        // what reads a database server; Traefik's metrics network only for Prometheus; the route
        // network (where Traefik reaches it) only for Grafana. None joins odoo-edge, where PR
        // environments are.
        const expected: Record<string, string[]> = {
            "obs-staging-prometheus": ["obs-staging", "odoo-edge-metrics"],
            "obs-staging-postgres-exporter": ["obs-staging", "obs-staging-egress"],
            "obs-staging-grafana": ["obs-staging", "obs-staging-egress", "odoo-edge-observability"],
        };
        for (const c of observabilityContainers(staging)) {
            const labels = labelMap(c);
            assert.equal(labels["odoo-platform.stage"], "staging", `${c.inputs.name}`);
            assert.equal(labels["odoo-platform.stack"], "staging");
            assert.equal(labels["odoo-platform.git-sha"], undefined, `${c.inputs.name}: a per-commit label would replace it on every deploy`);
            assert.equal(labels["odoo-platform.role"], "observability");
            assert.equal(c.inputs.ports, undefined, `${c.inputs.name} publishes no port`);
            const name = String(c.inputs.name);
            assert.deepEqual(
                (c.inputs.networksAdvanced as { name: string }[]).map((n) => n.name),
                expected[name] ?? ["obs-staging"],
                name,
            );
            assert.equal(c.inputs.restart, "unless-stopped");
            assert.ok(Number(c.inputs.memory) > 0, `${c.inputs.name} has a memory limit`);
        }
        const networks = Object.fromEntries(
            staging.resources
                .filter((r) => r.type === "docker:index/network:Network" && r.parent === "observability")
                .map((n) => [n.inputs.name, n.inputs.internal]),
        );
        assert.deepEqual(networks, { "obs-staging": true, "obs-staging-egress": false });
        assert.ok(!(byName(staging, "obs-staging-prometheus").inputs.command as string[]).includes("--web.enable-lifecycle"), "no /-/quit or /-/reload");
        const grafana = labelMap(byName(staging, "obs-staging-grafana"));
        assert.equal(grafana["traefik.http.routers.obs-staging-grafana.rule"], "Host(`grafana-staging.insightpulseai.com`)");
        assert.equal(grafana["traefik.http.services.obs-staging-grafana.loadbalancer.server.port"], "3000");
    });

    it("mounts the Docker socket only into the allow-listed containers, every host path read-only", () => {
        for (const c of observabilityContainers(staging)) {
            const hostMounts = ((c.inputs.volumes ?? []) as Volume[]).filter((v) => v.hostPath);
            const socket = hostMounts.some((v) => v.hostPath === dockerSocketPath);
            assert.equal(socket, dockerSocketAllowList.matches(String(c.inputs.name)), `${c.inputs.name}: Docker socket ${socket ? "mounted" : "absent"}`);
            for (const m of hostMounts) assert.equal(m.readOnly, true, `${c.inputs.name}: ${m.hostPath} read-only`);
            const role = String(c.inputs.name).replace("obs-staging-", "");
            const declared = hostAccess.find((a) => a.role === role)?.mounts.map((m) => m.hostPath) ?? [];
            assert.deepEqual(
                hostMounts.map((m) => m.hostPath),
                declared,
                `${c.inputs.name}: exactly the host paths of the table`,
            );
        }
        // No other container of the stack sees the Docker socket either, except the router's read-only
        // socket proxy (EdgeRouter, role `router`: the one other allow-listed mount).
        for (const c of staging.resources.filter((r) => r.type === containerType && r.parent !== "observability" && r.parent !== "edge")) {
            assert.ok(!((c.inputs.volumes ?? []) as Volume[]).some((v) => v.hostPath === dockerSocketPath), `${c.inputs.name}`);
        }
        assert.equal(byName(staging, "obs-staging-node-exporter").inputs.pidMode, "host");
    });

    it("uploads generated configuration: scrape interval and retention from the stack config", () => {
        const prometheus = byName(staging, "obs-staging-prometheus");
        const cfg = parse(upload(prometheus, "/etc/prometheus/prometheus.yml"));
        assert.equal(cfg.global.scrape_interval, "10s");
        assert.ok(cfg.scrape_configs.some((j: { job_name: string }) => j.job_name === "postgres"));
        assert.ok(upload(prometheus, "/etc/prometheus/rules/odoo-platform.yml").includes("NonProductionMailOutsideCatcher"));
        assert.ok((prometheus.inputs.command as string[]).includes("--storage.tsdb.retention.time=14d"));
        assert.ok((prometheus.inputs.command as string[]).includes("--web.enable-remote-write-receiver"));

        const loki = byName(staging, "obs-staging-loki");
        assert.equal(parse(upload(loki, "/etc/loki/config.yml")).limits_config.retention_period, `${14 * 24}h`);
        assert.ok(upload(loki, "/etc/loki/rules/fake/odoo-platform.yml").includes("odoo_platform:smtp_outside_catcher:count5m"));
        assert.ok(upload(byName(staging, "obs-staging-alloy"), "/etc/alloy/config.alloy").includes('url = "http://obs-staging-loki:3100/loki/api/v1/push"'));

        const productionLoki = byName(production, "obs-production-loki");
        assert.equal(parse(upload(productionLoki, "/etc/loki/config.yml")).limits_config.retention_period, `${31 * 24}h`);
    });

    it("keeps the exporter and Grafana credentials secret", () => {
        for (const plan of [staging, production]) {
            for (const name of [`obs-${plan.stack}-postgres-exporter`, `obs-${plan.stack}-grafana`]) {
                const raw = plan.recorded.find((r) => r.type === containerType && r.name.endsWith(name.replace(`obs-${plan.stack}-`, "observability-")));
                assert.ok(raw, name);
                const envs = raw.inputs.envs;
                const hasSecret = isSecretValue(envs) || (Array.isArray(envs) && envs.some(isSecretValue));
                assert.ok(hasSecret, `${name}: password env is marked secret`);
            }
        }
    });

    it("provisions the evidence database read-only and the deployments dashboard in production only", () => {
        const grafana = byName(production, "obs-production-grafana");
        const ds = parse(upload(grafana, "/etc/grafana/provisioning/datasources/odoo-platform.yml"));
        const evidence = ds.datasources.find((d: { uid: string }) => d.uid === "evidence");
        assert.ok(evidence, "evidence data source");
        // Supabase's session pooler (its direct host is IPv6-only), where ops_reader logs in as ops_reader.<ref>.
        assert.equal(evidence.url, "aws-0-eu-west-1.pooler.supabase.com:5432");
        assert.equal(evidence.user, "ops_reader.abcdefghijklmnop");
        assert.equal(evidence.secureJsonData.password, "$ODOO_PLATFORM_EVIDENCE_READER_PASSWORD");
        const files = uploads(grafana)
            .map((u) => u.file)
            .filter((f) => f.endsWith(".json"))
            .sort();
        assert.deepEqual(
            files.map((f) => f.split("/").pop()),
            ["containers.json", "database.json", "deployments.json", "environments.json"],
        );
        for (const f of files) JSON.parse(upload(grafana, f));

        assert.equal(production.outputs.grafanaAdminPassword, "[secret]", "the admin password is a secret stack output");

        const stagingGrafana = byName(staging, "obs-staging-grafana");
        assert.ok(
            !parse(upload(stagingGrafana, "/etc/grafana/provisioning/datasources/odoo-platform.yml")).datasources.some(
                (d: { uid: string }) => d.uid === "evidence",
            ),
        );
        assert.ok(!uploads(stagingGrafana).some((u) => u.file.endsWith("deployments.json")));
    });
});

describe("ObservabilityStack from its own args", function () {
    this.timeout(60_000);
    const args = (over: Partial<ObservabilityStackArgs> = {}): ObservabilityStackArgs => ({
        prefix: "obs-unit",
        labels: resourceLabels({ stage: "staging", stack: "unit", gitSha: "abcdef1" }),
        scrapeIntervalSeconds: 5,
        logRetentionDays: 7,
        slowQueryMs: 250,
        edge: {
            routeNetworkName: "odoo-edge-observability",
            routeNetwork: "odoo-edge-observability",
            metricsNetwork: "odoo-edge-metrics",
            entrypoint: "websecure",
            certResolver: "letsencrypt",
        },
        grafanaHost: "grafana.example.com",
        retention: { retainOnDelete: true },
        ...over,
    });
    const build = (a: ObservabilityStackArgs) =>
        buildUnderMocks(
            () => new ObservabilityStack("observability", a),
            (o) => ({ grafanaUrl: o.grafanaUrl, prometheusUrl: o.prometheusUrl, lokiUrl: o.lokiUrl }),
        );
    const container = (built: Recording, role: string) => one(built, containerType, `observability-${role}`);
    const uploaded = (c: Resource, file: string) => {
        const found = ((c.inputs.uploads ?? []) as Upload[]).find((u) => u.file === file);
        assert.ok(found, `${c.name} uploads ${file}`);
        return found.content;
    };
    const networkNames = (c: Resource) => (c.inputs.networksAdvanced as { name: string }[]).map((n) => n.name);
    const datasourcesFile = "/etc/grafana/provisioning/datasources/odoo-platform.yml";

    it("without a database server or evidence: no postgres-exporter or postgres job, Grafana without the evidence source", async () => {
        const built = await build(args());
        assert.deepEqual(
            ofType(built, containerType)
                .map((c) => c.inputs.name)
                .sort(),
            ["obs-unit-alloy", "obs-unit-cadvisor", "obs-unit-grafana", "obs-unit-loki", "obs-unit-node-exporter", "obs-unit-prometheus"],
        );
        const prometheus = container(built, "prometheus");
        const cfg = parse(uploaded(prometheus, "/etc/prometheus/prometheus.yml"));
        assert.equal(cfg.global.scrape_interval, "5s");
        assert.deepEqual(
            cfg.scrape_configs.map((j: { job_name: string }) => j.job_name),
            ["prometheus", "traefik", "cadvisor", "node", "loki", "alloy"],
        );
        assert.deepEqual(cfg.scrape_configs[1].static_configs[0].targets, ["traefik:8082"]);
        assert.ok((prometheus.inputs.command as string[]).includes("--storage.tsdb.retention.time=7d"));
        assert.deepEqual(networkNames(prometheus), ["obs-unit", "odoo-edge-metrics"]);
        assert.ok((container(built, "cadvisor").inputs.command as string[]).includes("--housekeeping_interval=5s"));
        assert.equal(parse(uploaded(container(built, "loki"), "/etc/loki/config.yml")).limits_config.retention_period, "168h");
        const grafana = container(built, "grafana");
        assert.deepEqual(networkNames(grafana), ["obs-unit", "obs-unit-egress", "odoo-edge-observability"]);
        assert.ok(!parse(uploaded(grafana, datasourcesFile)).datasources.some((d: { uid: string }) => d.uid === "evidence"));
        assert.ok(!(grafana.inputs.envs as string[]).some((e) => e.startsWith("ODOO_PLATFORM_EVIDENCE_READER_PASSWORD=")));
        assert.ok((grafana.inputs.envs as string[]).includes("GF_SERVER_ROOT_URL=https://grafana.example.com"));
        const labels = labelsOf(grafana);
        assert.equal(labels["traefik.http.routers.obs-unit-grafana.rule"], "Host(`grafana.example.com`)");
        assert.equal(labels["traefik.http.routers.obs-unit-grafana.tls.certresolver"], "letsencrypt");
        assert.equal(labels["traefik.docker.network"], "odoo-edge-observability");
        const networks = Object.fromEntries(ofType(built, networkType).map((n) => [n.inputs.name, n.inputs.internal]));
        assert.deepEqual(networks, { "obs-unit": true, "obs-unit-egress": false });
        for (const v of built.recorded.filter((r) => r.type === "docker:index/volume:Volume")) assert.equal(v.options.retainOnDelete, true, v.name);
        assert.deepEqual(built.outputs, {
            grafanaUrl: "https://grafana.example.com",
            prometheusUrl: "http://obs-unit-prometheus:9090",
            lokiUrl: "http://obs-unit-loki:3100",
        });
    });

    it("with a database server and the evidence database: the exporter (CA as a file, password secret), the postgres job, Grafana's evidence source", async () => {
        const pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
        const built = await build(
            args({
                database: {
                    host: "db.internal.example.com",
                    port: 5432,
                    database: "postgres",
                    user: "monitor",
                    password: "monitor-secret",
                    sslMode: "verify-full",
                    sslRootCert: pem,
                },
                evidence: {
                    host: "evidence.example.com",
                    port: 6543,
                    database: "postgres",
                    user: "ops_reader.ref",
                    password: "reader-secret",
                    sslMode: "require",
                },
            }),
        );
        const exporter = container(built, "postgres-exporter");
        assert.deepEqual(exporter.inputs.envs, [
            "DATA_SOURCE_URI=db.internal.example.com:5432/postgres?sslmode=verify-full&sslrootcert=/etc/odoo-platform/db-root.crt",
            "DATA_SOURCE_USER=monitor",
            "DATA_SOURCE_PASS=monitor-secret",
        ]);
        assert.equal(uploaded(exporter, "/etc/odoo-platform/db-root.crt"), pem);
        assert.deepEqual(networkNames(exporter), ["obs-unit", "obs-unit-egress"]);
        const rawEnvs = built.recorded.find((r) => r.name === "observability-postgres-exporter")!.inputs.envs;
        assert.ok(isSecretValue(rawEnvs) || (Array.isArray(rawEnvs) && isSecretValue(rawEnvs[2])), "the exporter's password is secret");
        const cfg = parse(uploaded(container(built, "prometheus"), "/etc/prometheus/prometheus.yml"));
        assert.deepEqual(cfg.scrape_configs.find((j: { job_name: string }) => j.job_name === "postgres").static_configs[0].targets, [
            "obs-unit-postgres-exporter:9187",
        ]);
        const grafana = container(built, "grafana");
        const evidence = parse(uploaded(grafana, datasourcesFile)).datasources.find((d: { uid: string }) => d.uid === "evidence");
        assert.deepEqual([evidence.url, evidence.user], ["evidence.example.com:6543", "ops_reader.ref"]);
        assert.ok((grafana.inputs.envs as string[]).includes("ODOO_PLATFORM_EVIDENCE_READER_PASSWORD=reader-secret"));
        assert.ok(
            ((grafana.inputs.uploads ?? []) as Upload[]).some((u) => u.file.endsWith("/deployments.json")),
            "the deployments dashboard comes with the evidence",
        );
    });

    it("scrapes the named Traefik container and alerts on mail to anything but the given mail catcher", async () => {
        const built = await build(args({ traefikContainer: "edge-traefik", mailCatcherHost: "catcher" }));
        const cfg = parse(uploaded(container(built, "prometheus"), "/etc/prometheus/prometheus.yml"));
        assert.deepEqual(cfg.scrape_configs.find((j: { job_name: string }) => j.job_name === "traefik").static_configs[0].targets, ["edge-traefik:8082"]);
        assert.match(uploaded(container(built, "loki"), "/etc/loki/rules/fake/odoo-platform.yml"), /smtp_server != \\?"catcher\\?"/);
    });

    it("refuses bad args before creating anything (not even the component), naming the field", async () => {
        const cases: [ObservabilityStackArgs, RegExp][] = [
            [args({ prefix: "Obs_Unit" }), /args\.prefix must be lower-case letters, digits and dashes/],
            [args({ scrapeIntervalSeconds: 0 }), /args\.scrapeIntervalSeconds must be a whole number from 1 to 10 .* got 0/],
            [args({ scrapeIntervalSeconds: 11 }), /args\.scrapeIntervalSeconds .* got 11/],
            [args({ scrapeIntervalSeconds: 2.5 }), /args\.scrapeIntervalSeconds .* got 2\.5/],
            [args({ logRetentionDays: 0 }), /args\.logRetentionDays must be a whole number greater than 0 .* got 0/],
            [args({ slowQueryMs: 0 }), /args\.slowQueryMs must be greater than 0 .* got 0/],
            [args({ grafanaHost: "" }), /args\.grafanaHost is required/],
        ];
        for (const [bad, message] of cases) {
            const failure = await failureOf(() => new ObservabilityStack("observability", bad));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
