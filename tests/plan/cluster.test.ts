/**
 * The shared cluster stack (`cluster`, examples/kubernetes/Pulumi.cluster.yaml) planned offline:
 * the five upstream charts pinned, cert-manager's ClusterIssuer and the PR wildcard Certificate
 * (checked against cert-manager's own CRD schemas), the Cloudflare token only ever a secret, and the
 * environment examples naming what it installs.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfigFile } from "../../config/files";
import { kubernetesSchemaProblems } from "../../plan/kubernetesSchemas";
import { isSecretValue, RecordedResource } from "../../plan/mockRuntime";
import { planStack, PlanResult } from "../../plan/plan";
import { ofType, one, plan } from "../support/plan";

const example = (file: string) => path.resolve(__dirname, "../../examples/kubernetes", file);
const release = "kubernetes:helm.sh/v3:Release";
const issuerType = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const certificateType = "kubernetes:cert-manager.io/v1:Certificate";

describe("the shared cluster stack (examples/kubernetes/Pulumi.cluster.yaml)", function () {
    this.timeout(300_000);
    let cluster: PlanResult;
    before(async () => {
        cluster = await plan("cluster", { configFile: example("Pulumi.cluster.yaml") });
    });

    it("plans clean: no error, every policy passes", () => {
        assert.equal(
            cluster.exitCode,
            0,
            JSON.stringify(
                cluster.policies.filter((p) => p.violations.length),
                null,
                1,
            ),
        );
        assert.equal(cluster.stage, "cluster");
    });

    it("installs ingress-nginx, cert-manager, kube-prometheus-stack, Loki and Alloy from their upstream repositories at exact versions", () => {
        const charts = ofType(cluster, release)
            .map((r) => `${r.inputs.namespace} ${r.inputs.name}: ${r.inputs.chart} ${r.inputs.version} from ${r.inputs.repositoryOpts.repo}`)
            .sort();
        assert.deepEqual(charts, [
            "cert-manager cert-manager: cert-manager v1.17.2 from https://charts.jetstack.io",
            "ingress-nginx ingress-nginx: ingress-nginx 4.12.1 from https://kubernetes.github.io/ingress-nginx",
            "monitoring alloy: alloy 1.11.1 from https://grafana.github.io/helm-charts",
            "monitoring kube-prometheus-stack: kube-prometheus-stack 70.4.2 from https://prometheus-community.github.io/helm-charts",
            "monitoring loki: loki 6.29.0 from https://grafana.github.io/helm-charts",
        ]);
        for (const r of ofType(cluster, release)) assert.equal(r.inputs.atomic, true, `${r.name}: a failed upgrade must roll back`);
    });

    it("ships the environments' pod logs to Loki with one Alloy per node, after Loki", () => {
        const alloy = one(cluster, release, "addons-alloy");
        assert.equal(alloy.inputs.values.controller.type, "daemonset");
        assert.match(alloy.inputs.values.alloy.configMap.content, /^loki\.source\.kubernetes "pods" \{$/m);
        assert.ok(alloy.inputs.values.alloy.configMap.content.includes('url = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"'));
        assert.ok(alloy.dependsOn.includes("addons-loki"), alloy.dependsOn.join(", "));
    });

    it("installs cert-manager with its CRDs, and creates the issuer and certificate only after it", () => {
        const certManager = one(cluster, release, "addons-cert-manager");
        assert.deepEqual(certManager.inputs.values.crds, { enabled: true, keep: true });
        const issuer = one(cluster, issuerType, "addons-issuer");
        assert.ok(issuer.dependsOn.includes("addons-cert-manager"), issuer.dependsOn.join(", "));
        assert.ok(one(cluster, certificateType, "addons-pr-wildcard").dependsOn.includes("addons-issuer"));
    });

    it("the ClusterIssuer solves Cloudflare DNS-01 in the domain's zone with the token from a Secret, which holds it only as a secret", () => {
        const issuer = one(cluster, issuerType, "addons-issuer");
        assert.equal(issuer.inputs.metadata.name, "letsencrypt-cloudflare");
        const [solver] = issuer.inputs.spec.acme.solvers;
        assert.deepEqual(solver.selector, { dnsZones: ["insightpulseai.com"] });
        const ref = solver.dns01.cloudflare.apiTokenSecretRef;
        const secret = cluster.recorded.find((r) => r.name === "addons-cloudflare-token")!;
        const inputs = secret.inputs as { metadata: { name: string; namespace: string }; stringData: Record<string, unknown> };
        assert.equal(inputs.metadata.name, ref.name);
        assert.equal(inputs.metadata.namespace, "cert-manager", "a ClusterIssuer reads its Secrets from cert-manager's own namespace");
        assert.ok(
            isSecretValue(inputs.stringData) || isSecretValue(inputs.stringData[ref.key]),
            `the token must be a Pulumi secret: ${JSON.stringify(inputs.stringData)}`,
        );
        assert.doesNotMatch(JSON.stringify(cluster.resources), /AAABAHxq/, "the encrypted value is never planned as plain text");
    });

    it("one wildcard Certificate covers every PR host, and the ingress controller serves it as its default certificate", () => {
        const certificate = one(cluster, certificateType, "addons-pr-wildcard");
        assert.deepEqual(certificate.inputs.spec.dnsNames, ["*.dev.insightpulseai.com"]);
        assert.deepEqual(certificate.inputs.spec.issuerRef, { name: "letsencrypt-cloudflare", kind: "ClusterIssuer", group: "cert-manager.io" });
        const controller = one(cluster, release, "addons-ingress-nginx").inputs.values.controller;
        assert.equal(controller.extraArgs["default-ssl-certificate"], `${certificate.inputs.metadata.namespace}/${certificate.inputs.spec.secretName}`);
        assert.equal(controller.ingressClassResource.name, "nginx");
    });

    it("the environment examples name the cluster's ingress class and issuer (by config, owning neither)", async () => {
        for (const file of ["Pulumi.staging.yaml", "Pulumi.production.yaml", "Pulumi.pr.yaml"]) {
            const values = readStackConfigFile(example(file)).values;
            const env = await plan(file === "Pulumi.pr.yaml" ? "pr-7" : file.split(".")[1], { configFile: example(file) });
            assert.deepEqual(
                env.recorded.filter((r) => r.type === release || r.type === issuerType || r.type === certificateType).map((r) => r.name),
                [],
                `${file} owns a cluster add-on`,
            );
            const ingress = ofType(env, "kubernetes:networking.k8s.io/v1:Ingress")[0];
            assert.equal(ingress.inputs.spec.ingressClassName, values["odoo-platform:ingressClass"] ?? cluster.outputs.ingressClass, file);
            const issuer = ingress.inputs.metadata.annotations?.["cert-manager.io/cluster-issuer"];
            if (issuer !== undefined) assert.equal(issuer, cluster.outputs.certIssuer, file);
        }
    });

    it("every Kubernetes object, the cert-manager custom resources included, validates against its schema", async () => {
        assert.ok(cluster.recorded.some((r) => r.type === issuerType) && cluster.recorded.some((r) => r.type === certificateType));
        assert.deepEqual(await kubernetesSchemaProblems(cluster.recorded), []);
    });

    it("the schema check refuses a ClusterIssuer or Certificate cert-manager would refuse, naming the field", async () => {
        /** A copy of the planned object with the field at `path` set (or removed with undefined). */
        const edited = (name: string, path: string, value?: unknown): RecordedResource => {
            const copy: RecordedResource = JSON.parse(JSON.stringify(cluster.recorded.find((r) => r.name === name)));
            const keys = path.split(".");
            const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy.inputs as Record<string, unknown>);
            if (value === undefined) delete parent[keys[keys.length - 1]];
            else parent[keys[keys.length - 1]] = value;
            return copy;
        };
        const issuer = edited("addons-issuer", "spec.acme.solvers.0.dns01.cloudflare.apiTokenSecretRef.name");
        assert.match((await kubernetesSchemaProblems([issuer]))[0], /ClusterIssuer addons-issuer: .*apiTokenSecretRef must have required property name/);
        const certificate = edited("addons-pr-wildcard", "spec.secretName");
        assert.match((await kubernetesSchemaProblems([certificate]))[0], /Certificate addons-pr-wildcard: .*must have required property secretName/);
        const wrongKind = edited("addons-pr-wildcard", "spec.privateKey.rotationPolicy", "Sometimes");
        assert.match((await kubernetesSchemaProblems([wrongKind]))[0], /rotationPolicy must be equal to one of the allowed values/);
    });

    it("without observability: only the ingress controller and cert-manager", async () => {
        const bare = await plan("cluster", { configFile: example("Pulumi.cluster.yaml"), configOverrides: { "odoo-platform:observability": "false" } });
        assert.deepEqual(
            ofType(bare, release)
                .map((r) => r.inputs.name)
                .sort(),
            ["cert-manager", "ingress-nginx"],
        );
        assert.equal(
            one(bare, release, "addons-ingress-nginx").inputs.values.controller.metrics.serviceMonitor.enabled,
            false,
            "no ServiceMonitor CRD without kube-prometheus-stack",
        );
        assert.equal(bare.outputs.monitoringNamespace, null);
    });

    it("refuses the token in plain text, a chart version range, a key of the environment stacks and a missing domain, each naming the key", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-config-"));
        const file = path.join(dir, "Pulumi.cluster.yaml");
        fs.writeFileSync(
            file,
            fs
                .readFileSync(example("Pulumi.cluster.yaml"), "utf8")
                .replace(/odoo-platform:cloudflareApiToken:\n\s+secure: \S+/, "odoo-platform:cloudflareApiToken: plain-token"),
        );
        const result = await planStack({
            stack: "cluster",
            configFile: file,
            configOverrides: { "odoo-platform:lokiChartVersion": "^6.0.0", "odoo-platform:odooImage": "odoo:17.0" },
        });
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(result.exitCode, 2);
        const text = result.errors.join("\n");
        assert.match(
            text,
            /odoo-platform:cloudflareApiToken is a secret but is stored in plain text: run `pulumi config set --secret cloudflareApiToken <value>`/,
        );
        assert.match(text, /odoo-platform:lokiChartVersion must be an exact chart version/);
        assert.match(text, /odoo-platform:odooImage is not a key of the cluster stack/);
        const missing = await planStack({ stack: "cluster", configFile: example("Pulumi.pr.yaml") });
        assert.equal(missing.exitCode, 2);
        assert.match(missing.errors.join("\n"), /odoo-platform:cloudflareApiToken is required for the cluster stack/);
    });
});
