/**
 * The Kubernetes runtime, planned from the example stack files (examples/kubernetes/): what each
 * stage gets, that every Kubernetes object validates against the Kubernetes OpenAPI schemas, and
 * that the policies pass them.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { kubernetesSchemaProblems } from "../../plan/kubernetesSchemas";
import { scrapeJobs } from "../../components/observability/prometheus";
import { environmentNames } from "../../config/naming";
import { keptByDestroy } from "../../ops/pr/destroyCheck";
import { RecordedResource, unwrapSecrets } from "../../plan/mockRuntime";
import type { PlanResult } from "../../plan/plan";
import { ciEnv, ofType, one, planKubernetesExamples, resources } from "../support/plan";

const root = path.resolve(__dirname, "../..");
const k8s = (kind: string) => `kubernetes:${kind}`;
const deployment = k8s("apps/v1:Deployment");

function roleOf(r: { inputs: Record<string, any> }): string | undefined {
    return r.inputs.spec?.template?.metadata?.labels?.["odoo-platform.role"];
}

describe("runtime kubernetes (examples/kubernetes)", function () {
    this.timeout(300_000);
    let production: PlanResult;
    let staging: PlanResult;
    let pr: PlanResult;
    before(async () => {
        ({ production, staging, pr } = await planKubernetesExamples());
    });

    it("plans every example clean: no error, every policy passes", () => {
        for (const result of [production, staging, pr]) {
            assert.equal(
                result.exitCode,
                0,
                `${result.stack}: ${JSON.stringify(
                    result.policies.filter((p) => p.violations.length),
                    null,
                    1,
                )}`,
            );
        }
    });

    it("every Kubernetes object of the three plans validates against the Kubernetes OpenAPI schemas", async () => {
        for (const result of [production, staging, pr]) {
            const objects = result.recorded.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !r.type.startsWith("kubernetes:helm"));
            assert.ok(objects.length >= 10, `${result.stack}: only ${objects.length} Kubernetes objects`);
            assert.deepEqual(await kubernetesSchemaProblems(result.recorded), [], result.stack);
        }
    });

    it("the schema check fails an object the API server would refuse, naming it and the field", async () => {
        const http = production.recorded.find((r) => r.name === "odoo-http" && r.type === deployment);
        assert.ok(http, "no Deployment odoo-http");
        const broken: RecordedResource = JSON.parse(JSON.stringify(http));
        (broken.inputs as any).spec.template.spec.containers[0].ports[0].containerPort = "eighty";
        const [problem] = await kubernetesSchemaProblems([broken]);
        assert.match(problem, /kubernetes:apps\/v1:Deployment odoo-http: .*containerPort must be integer/);
        const noSelector: RecordedResource = JSON.parse(JSON.stringify(http));
        delete (noSelector.inputs as any).spec.selector;
        assert.match((await kubernetesSchemaProblems([noSelector]))[0], /data\/spec must have required property selector/);
    });

    it("production: HTTP and cron Deployments, an HPA, a PDB, a ReadWriteMany claim, an Ingress and an RDS instance with deletion protection", () => {
        const deployments = ofType(production, deployment);
        const http = deployments.find((d) => roleOf(d) === "odoo")!;
        const cron = deployments.find((d) => roleOf(d) === "odoo-cron")!;
        assert.equal(http.inputs.spec.replicas, 2);
        assert.ok(http.inputs.spec.template.spec.containers[0].command.includes("--max-cron-threads=0"));
        assert.equal(cron.inputs.spec.replicas, 1);
        assert.equal(cron.inputs.spec.strategy.type, "Recreate");
        assert.ok(cron.inputs.spec.template.spec.containers[0].command.includes("--max-cron-threads=2"));
        const probe = http.inputs.spec.template.spec.containers[0].readinessProbe;
        assert.deepEqual(probe.httpGet, { path: "/web/health", port: 8069 });
        assert.deepEqual(http.inputs.spec.template.spec.containers[0].resources, {
            requests: { cpu: "2000m", memory: "6144Mi" },
            limits: { cpu: "4000m", memory: "8192Mi" },
        });
        const hpa = ofType(production, k8s("autoscaling/v2:HorizontalPodAutoscaler"))[0];
        assert.deepEqual([hpa.inputs.spec.minReplicas, hpa.inputs.spec.maxReplicas], [2, 8]);
        assert.equal(ofType(production, k8s("policy/v1:PodDisruptionBudget"))[0].inputs.spec.minAvailable, 1);
        const claim = ofType(production, k8s("core/v1:PersistentVolumeClaim"))[0];
        assert.deepEqual(claim.inputs.spec.accessModes, ["ReadWriteMany"]);
        assert.equal(claim.inputs.spec.storageClassName, "efs-sc");
        const ingress = ofType(production, k8s("networking.k8s.io/v1:Ingress"))[0];
        assert.equal(ingress.inputs.spec.ingressClassName, "nginx");
        assert.equal(ingress.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-cloudflare");
        const paths = ingress.inputs.spec.rules[0].http.paths.map((p: any) => `${p.path}→${p.backend.service.port.name}`);
        assert.deepEqual(paths, ["/websocket→websocket", "/→http"]);
        const rds = ofType(production, "aws:rds/instance:Instance")[0];
        assert.equal(rds.inputs.deletionProtection, true);
        assert.equal(rds.inputs.storageEncrypted, true);
        assert.equal(rds.inputs.multiAz, true);
        assert.equal(rds.inputs.backupRetentionPeriod, 14);
        const recorded = production.recorded.find((r) => r.type === "aws:rds/instance:Instance")!;
        assert.equal(recorded.options.protect, true);
        assert.ok(!Object.keys(rds.inputs.tags).some((k) => k.includes("git-sha")), "a per-deploy tag would update the instance on every deploy");
        const params = ofType(production, "aws:rds/parameterGroup:ParameterGroup")[0];
        assert.deepEqual(
            params.inputs.parameters.find((p: any) => p.name === "rds.force_ssl"),
            { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        );
        const sg = ofType(production, "aws:ec2/securityGroup:SecurityGroup")[0];
        assert.deepEqual(
            sg.inputs.ingress.map((i: any) => [i.fromPort, i.securityGroups]),
            [[5432, ["sg-0a1b2c3d4e5f60718"]]],
        );
        assert.ok(!sg.inputs.ingress.some((i: any) => i.cidrBlocks?.length));
    });

    it("odoo.conf's ConfigMap holds no secret; its secrets are in a Secret", () => {
        const conf = one(production, k8s("core/v1:ConfigMap"), "odoo-conf");
        const text = conf.inputs.data["options.conf"] as string;
        assert.match(text, /^db_host = /m);
        for (const name of ["admin_passwd", "db_password", "smtp_password"]) assert.ok(!text.includes(name), `${name} in the ConfigMap`);
        const shown = production.resources.find((r) => r.name === "odoo-secrets")!;
        assert.equal((shown.inputs as any).stringData, "[secret]");
        const secret = one(production, k8s("core/v1:Secret"), "odoo-secrets");
        assert.match(secret.inputs.stringData["options.conf"], /^admin_passwd = .+\ndb_password = .+\n/);
    });

    it("the Odoo Deployments wait for the init/update Job", () => {
        const job = resources(production).find((r) => r.type === k8s("batch/v1:Job"))!;
        const odoo = ofType(production, deployment).filter((d) => ["odoo", "odoo-cron"].includes(roleOf(d)!));
        assert.equal(odoo.length, 2);
        for (const d of odoo) assert.ok(d.dependsOn.includes(job.name), `${d.name} does not wait for ${job.name}`);
        assert.equal(job.inputs.spec.backoffLimit, 0);
    });

    it("pr-7: namespace pr-7 with its ResourceQuota, LimitRange, default-deny NetworkPolicy and Mailpit; no HPA, no RDS", () => {
        const ns = ofType(pr, k8s("core/v1:Namespace"))[0];
        assert.equal(ns.inputs.metadata.name, "pr-7");
        assert.equal(ns.inputs.metadata.labels["odoo-platform.ttl-hours"], "72");
        assert.equal(ofType(pr, k8s("core/v1:ResourceQuota")).length, 1);
        assert.equal(ofType(pr, k8s("core/v1:LimitRange")).length, 1);
        const deny = ofType(pr, k8s("networking.k8s.io/v1:NetworkPolicy")).find((p) => p.inputs.metadata.name === "default-deny")!;
        assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const egress = ofType(pr, k8s("networking.k8s.io/v1:NetworkPolicy")).find((p) => p.inputs.metadata.name === "odoo-egress")!;
        assert.deepEqual(egress.inputs.spec.egress[0].to, [{ ipBlock: { cidr: "10.20.32.0/20" } }, { ipBlock: { cidr: "10.20.48.0/20" } }]);
        assert.ok(ofType(pr, deployment).some((d) => roleOf(d) === "mail-catcher"));
        const http = ofType(pr, deployment).find((d) => roleOf(d) === "odoo")!;
        assert.ok(http.inputs.spec.template.spec.containers[0].command.includes("--smtp=mailpit"));
        assert.equal(ofType(pr, k8s("autoscaling/v2:HorizontalPodAutoscaler")).length, 0);
        assert.equal(ofType(pr, "aws:rds/instance:Instance").length, 0);
        assert.equal(ofType(pr, "postgresql:index/database:Database")[0].inputs.name, "odoo_pr_7");
        // The wildcard certificate of the controller serves PR hosts: no per-PR issuer.
        const ingress = ofType(pr, k8s("networking.k8s.io/v1:Ingress")).find((i) => i.inputs.metadata.labels["odoo-platform.role"] === "odoo")!;
        assert.equal(ingress.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], undefined);
        assert.equal(pr.outputs.kubernetesNamespace, "pr-7");
    });

    it("pr-7 and staging: Mailpit's UI has an Ingress on the docker runtime's mail host, Odoo's class and TLS, behind basic auth from an htpasswd Secret", () => {
        for (const result of [pr, staging]) {
            const names = environmentNames(
                { stage: result.stage as "pr" | "staging", stack: result.stack, prNumber: result.stage === "pr" ? 7 : undefined },
                { domain: "insightpulseai.com", branch: String(result.outputs.gitBranch) },
            );
            const ingresses = ofType(result, k8s("networking.k8s.io/v1:Ingress"));
            const odoo = ingresses.find((i) => i.inputs.metadata.labels["odoo-platform.role"] === "odoo")!;
            const ui = ingresses.find((i) => i.inputs.metadata.labels["odoo-platform.role"] === "mail-catcher");
            assert.ok(ui, `${result.stack}: no Ingress for the mail catcher`);
            assert.equal(ui.inputs.metadata.namespace, odoo.inputs.metadata.namespace);
            assert.deepEqual(ui.inputs.spec.rules, [
                {
                    host: names.mailHost,
                    http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "mailpit", port: { number: 8025 } } } }] },
                },
            ]);
            assert.equal(ui.inputs.spec.ingressClassName, odoo.inputs.spec.ingressClassName);
            const issuer = odoo.inputs.metadata.annotations["cert-manager.io/cluster-issuer"];
            assert.equal(ui.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], issuer, result.stack);
            // PR: the controller's wildcard certificate (no secret); staging: the issuer's certificate of the mail host.
            assert.deepEqual(ui.inputs.spec.tls, [issuer ? { hosts: [names.mailHost], secretName: `${names.prefix}-mail-tls` } : { hosts: [names.mailHost] }]);
            const annotations = ui.inputs.metadata.annotations;
            assert.equal(annotations["nginx.ingress.kubernetes.io/auth-type"], "basic");
            assert.equal(annotations["nginx.ingress.kubernetes.io/auth-realm"], "Mail catcher");
            const secret = ofType(result, k8s("core/v1:Secret")).find((x) => x.inputs.metadata.name === annotations["nginx.ingress.kubernetes.io/auth-secret"]);
            assert.ok(secret, `${result.stack}: no Secret ${annotations["nginx.ingress.kubernetes.io/auth-secret"]}`);
            assert.equal(secret.inputs.metadata.namespace, ui.inputs.metadata.namespace);
            assert.ok(ui.dependsOn.includes(secret.name), "the Ingress waits for its auth Secret");
            // One htpasswd line of the docker runtime's user with a bcrypt hash, under the key ingress-nginx reads.
            assert.deepEqual(Object.keys(secret.inputs.stringData), ["auth"]);
            assert.match(secret.inputs.stringData.auth, /^mail:\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}\n$/);
            assert.equal(result.resources.find((r) => r.name === secret.name)!.inputs.stringData, "[secret]");
            const password = unwrapSecrets(result.recorded.find((r) => r.name === "namespace-mail-ui-password")!.outputs!.result) as string;
            assert.ok(password.length >= 24);
            const holders = result.recorded.filter((r) => JSON.stringify(unwrapSecrets(r.inputs)).includes(password)).map((r) => r.name);
            assert.deepEqual(holders, [], `${result.stack}: the plain password is in an input`);
            assert.equal(result.outputs.mailCatcherUrl, `https://${names.mailHost}`);
            assert.equal(result.outputs.mailCatcherPassword, "[secret]");
        }
        // Staging's mail host gets its record (PR hosts are under the wildcard).
        const records = ofType(staging, "cloudflare:index/dnsRecord:DnsRecord").map((r) => r.inputs.name);
        assert.ok(records.includes(staging.outputs.mailCatcherUrl!.toString().replace("https://", "")), records.join(", "));
        assert.equal(ofType(production, k8s("networking.k8s.io/v1:Ingress")).length, 1, "production has no mail catcher");
    });

    it("production and staging: postgres-exporter for the RDS instance, scraped as the docker runtime's postgres job; none in a PR", () => {
        for (const result of [production, staging]) {
            const exporter = ofType(result, deployment).find((d) => roleOf(d) === "postgres-exporter");
            assert.ok(exporter, `${result.stack}: no postgres-exporter`);
            const namespace = ofType(result, k8s("core/v1:Namespace"))[0].inputs.metadata.name;
            assert.equal(exporter.inputs.metadata.namespace, namespace);
            const env = Object.fromEntries(exporter.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e]));
            const rds = ofType(result, "aws:rds/instance:Instance")[0];
            assert.equal(env.DATA_SOURCE_URI.value, `${rds.inputs.identifier}.c0ffee123456.eu-west-1.rds.amazonaws.com:5432/postgres?sslmode=require`);
            assert.equal(env.DATA_SOURCE_USER.value, "odoo_platform_monitor");
            assert.equal(env.DATA_SOURCE_PASS.valueFrom.secretKeyRef.key, "password");
            const role = ofType(result, "postgresql:index/role:Role").find((r) => r.inputs.name === "odoo_platform_monitor")!;
            assert.deepEqual(role.inputs.roles, ["pg_monitor"]);
            const monitor = ofType(result, k8s("monitoring.coreos.com/v1:ServiceMonitor")).find((m) => m.inputs.metadata.namespace === namespace)!;
            const docker = scrapeJobs({
                prefix: `obs-${result.stack}`,
                scrapeIntervalSeconds: 10,
                traefikTarget: "traefik:8082",
                postgresExporter: true,
                externalLabels: {},
            }).find((j) => j.source === "postgres-exporter")!;
            const labels = Object.fromEntries(monitor.inputs.spec.endpoints[0].relabelings.map((r: any) => [r.targetLabel, r.replacement]));
            assert.deepEqual([labels.job, labels.instance], [docker.job, docker.targets[0]]);
            const service = ofType(result, k8s("core/v1:Service")).find((x) => x.inputs.metadata.name === "postgres-exporter")!;
            assert.deepEqual(monitor.inputs.spec.selector.matchLabels, service.inputs.spec.selector);
        }
        // Staging's namespace denies by default: the exporter reaches the database only, and Prometheus reaches it.
        const policies = ofType(staging, k8s("networking.k8s.io/v1:NetworkPolicy"));
        const egress = policies.find((p) => p.inputs.metadata.name === "postgres-exporter-egress")!;
        assert.deepEqual(egress.inputs.spec.egress, [
            { to: [{ ipBlock: { cidr: "10.20.32.0/20" } }, { ipBlock: { cidr: "10.20.48.0/20" } }], ports: [{ protocol: "TCP", port: 5432 }] },
        ]);
        assert.ok(policies.some((p) => p.inputs.metadata.name === "postgres-exporter-ingress"));
        assert.equal(ofType(production, k8s("networking.k8s.io/v1:NetworkPolicy")).length, 0);
        assert.equal(ofType(pr, deployment).filter((d) => roleOf(d) === "postgres-exporter").length, 0);
    });

    it("pr-7: `pr down` can remove everything: no resource of the plan is retained or protected (ops/pr/destroyCheck.ts)", () => {
        const state = pr.recorded.map((r) => ({ urn: r.urn, type: r.type, protect: r.options.protect, retainOnDelete: r.options.retainOnDelete }));
        assert.ok(state.some((r) => r.type === "kubernetes:core/v1:Namespace") && state.some((r) => r.type === "postgresql:index/database:Database"));
        assert.deepEqual(keptByDestroy({ resources: state }), []);
        // Staging's namespace and RDS instance are kept (components/retention.ts): the check would refuse them.
        const kept = keptByDestroy({ resources: staging.recorded.map((r) => ({ urn: r.urn, type: r.type, ...r.options })) });
        assert.ok(
            kept.some((k) => k.startsWith("kubernetes:core/v1:Namespace ")),
            kept.join(", "),
        );
    });

    it("staging: the refresh Jobs run in order, after the database and before the update Job, keyed on the snapshot, never the git SHA", () => {
        const jobs = resources(staging).filter((r) => r.type === k8s("batch/v1:Job"));
        const names = ["refresh-restore", "refresh-neutralize", "refresh-verify", "refresh-swap"];
        for (const [i, name] of names.entries()) {
            const job = jobs.find((j) => j.name === name)!;
            assert.ok(job, `no Job ${name}`);
            if (i > 0) assert.ok(job.dependsOn.includes(names[i - 1]), `${name} does not wait for ${names[i - 1]}`);
            assert.equal(job.inputs.spec.template.metadata.labels["odoo-platform.git-sha"], undefined);
            assert.match(job.inputs.spec.template.spec.containers[0].image, /@sha256:/);
        }
        assert.ok(jobs.find((j) => j.name === "odoo-init")!.dependsOn.includes("refresh-swap"));
        const restore = jobs.find((j) => j.name === "refresh-restore")!;
        assert.ok(restore.inputs.spec.template.spec.containers[0].args.includes("--require-sanitized"));
        assert.ok(!JSON.stringify(restore.inputs.spec.template).includes("PGPASSWORD="), "the password must come from the Secret");
        assert.equal(ofType(staging, "aws:rds/instance:Instance")[0].inputs.deletionProtection, false);
    });

    it("`npm run plan -- --json` prints the production example's document", () => {
        const run = spawnSync(
            process.execPath,
            [
                path.join(root, "node_modules/tsx/dist/cli.mjs"),
                "plan/cli.ts",
                "--stack",
                "production",
                "--config-file",
                "examples/kubernetes/Pulumi.production.yaml",
                "--json",
            ],
            { cwd: root, env: ciEnv(), encoding: "utf8" },
        );
        assert.equal(run.status, 0, run.stderr);
        const doc = JSON.parse(run.stdout);
        const types = new Set(doc.resources.map((r: { type: string }) => r.type));
        for (const t of [
            "kubernetes:apps/v1:Deployment",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "aws:rds/instance:Instance",
        ]) {
            assert.ok(types.has(t), `${t} missing`);
        }
    });
});
