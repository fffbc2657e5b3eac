/**
 * The second-deploy harness on the Kubernetes runtime: each example stack planned at a first commit
 * and again at a second commit with a new image digest and a changed config value, diffed through
 * pulumi-kubernetes' and the AWS provider's replacement rules (plan/providers.ts).
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import type { RecordedResource } from "../../plan/mockRuntime";
import { planStack } from "../../plan/plan";
import { diffPlans, ResourceDiff, secondDeployProblems } from "../../plan/secondDeploy";
import { deployPlan, firstCommit, secondCommit } from "../support/secondDeploy";

const example = (file: string) => path.resolve(__dirname, "../../examples/kubernetes", file);
const summary = (diffs: ResourceDiff[]) =>
    diffs.filter((d) => d.change !== "same").map((d) => `${d.change} ${d.name}${d.replaceBecause.length ? ` (${d.replaceBecause.join(", ")})` : ""}`);

const stacks: { stack: string; file: string; change: Record<string, string> }[] = [
    { stack: "production", file: "Pulumi.production.yaml", change: { "odoo-platform:odooMemoryMb": "9216" } },
    { stack: "staging", file: "Pulumi.staging.yaml", change: { "odoo-platform:logRetentionDays": "21" } },
    { stack: "pr-7", file: "Pulumi.pr.yaml", change: { "odoo-platform:odooWorkers": "3" } },
];

describe("second deploy on Kubernetes: a new commit, a new image digest and a changed config value", function () {
    this.timeout(300_000);
    for (const { stack, file, change } of stacks) {
        describe(stack, () => {
            let diffs: ResourceDiff[];
            before(async () => {
                const a = await deployPlan(stack, firstCommit, {}, { configFile: example(file) });
                const b = await deployPlan(stack, secondCommit, change, { configFile: example(file) });
                diffs = diffPlans(a.recorded, b.recorded);
            });

            it("rolls the HTTP Deployment in place with the new image (its selector never changes)", () => {
                const http = diffs.find((d) => d.name === "odoo-http" && d.type === "kubernetes:apps/v1:Deployment")!;
                assert.equal(http.change, "update", summary(diffs).join("\n"));
                assert.ok(http.changed.includes("spec"));
            });

            it("replaces the init/update Job, so it runs again for the new code before the pods roll", () => {
                const job = diffs.find((d) => d.name === "odoo-init")!;
                assert.equal(job.change, "replace", summary(diffs).join("\n"));
                assert.deepEqual(job.replaceBecause, ["spec.template"]);
                assert.equal(job.deleteBeforeReplace, false, "an auto-named Job is created anew before the old one goes");
            });

            it("replaces or deletes no stateful object, and staging's and production's are protected or retained", () => {
                assert.deepEqual(secondDeployProblems(diffs, { stage: stack === "pr-7" ? "pr" : stack, sharedNetworks: [] }), [], summary(diffs).join("\n"));
            });

            it("leaves the database server, the namespace, the claim, the DNS records and the refresh Jobs as they are", () => {
                const untouched = diffs.filter(
                    (d) => /^(aws:rds|aws:ec2|kubernetes:core\/v1:(Namespace|PersistentVolumeClaim)|cloudflare:)/.test(d.type) || d.name.startsWith("refresh-"),
                );
                assert.ok(untouched.length >= 2);
                assert.deepEqual(
                    untouched.filter((d) => d.change !== "same").map((d) => `${d.change} ${d.name}: ${d.changed.join(", ")}`),
                    [],
                );
            });

            it("creates and deletes nothing", () => {
                assert.deepEqual(
                    diffs.filter((d) => d.change === "create" || d.change === "delete").map((d) => `${d.change} ${d.name}`),
                    [],
                );
            });
        });
    }

    it("sees what would lose data: a new storage class or size replaces the filestore claim, and the harness refuses it", async () => {
        const a = await deployPlan("production", firstCommit, {}, { configFile: example("Pulumi.production.yaml") });
        const b = await deployPlan("production", firstCommit, { "odoo-platform:filestoreGb": "300" }, { configFile: example("Pulumi.production.yaml") });
        const diffs = diffPlans(a.recorded, b.recorded);
        const claim = diffs.find((d) => d.type === "kubernetes:core/v1:PersistentVolumeClaim")!;
        assert.equal(claim.change, "replace");
        assert.deepEqual(claim.replaceBecause, ["spec"]);
        assert.ok(claim.deleteBeforeReplace, "the claim has a fixed name: the provider deletes it first");
        const problems = secondDeployProblems(diffs, { stage: "production", sharedNetworks: [] });
        assert.ok(
            problems.some((p) => /PersistentVolumeClaim "namespace-filestore" .*would be replaced because spec changed: its data would be lost/.test(p)),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => /is protected, so the deploy would stop at its replace/.test(p)),
            problems.join("\n"),
        );
    });

    it("re-runs the staging refresh for a new snapshot only", async () => {
        const a = await deployPlan("staging", firstCommit, {}, { configFile: example("Pulumi.staging.yaml") });
        const b = await deployPlan(
            "staging",
            firstCommit,
            { "odoo-platform:snapshotId": "odoo_production-20260201T030000Z" },
            { configFile: example("Pulumi.staging.yaml") },
        );
        const jobs = diffPlans(a.recorded, b.recorded).filter((d) => d.name.startsWith("refresh-") && d.type === "kubernetes:batch/v1:Job");
        assert.deepEqual(
            jobs.map((d) => `${d.name} ${d.change} ${d.replaceBecause.join(",")}`),
            ["refresh-restore", "refresh-neutralize", "refresh-verify", "refresh-swap"].map((n) => `${n} replace spec.template`),
        );
    });

    it("an RDS identifier change is a replacement the harness refuses (data), with the provider's reason", async () => {
        const a = await deployPlan("production", firstCommit, {}, { configFile: example("Pulumi.production.yaml") });
        const b = await deployPlan("production", firstCommit, { "odoo-platform:rdsEngineVersion": "16" }, { configFile: example("Pulumi.production.yaml") });
        const diffs = diffPlans(a.recorded, b.recorded);
        const rds = diffs.find((d) => d.type === "aws:rds/instance:Instance")!;
        assert.equal(rds.change, "update", "a major version upgrade is a modification, not a new instance");
        const params = diffs.find((d) => d.type === "aws:rds/parameterGroup:ParameterGroup")!;
        assert.equal(params.change, "replace");
        assert.deepEqual(params.replaceBecause.sort(), ["description", "family", "name"]);
    });

    describe("the shared cluster stack: new chart versions, a changed value and a new ACME directory", () => {
        const cluster = (overrides: Record<string, string> = {}) =>
            planStack({ stack: "cluster", configFile: example("Pulumi.cluster.yaml"), configOverrides: overrides });
        let diffs: ResourceDiff[];
        let first: RecordedResource[];
        before(async () => {
            first = (await cluster()).recorded;
            const second = await cluster({
                "odoo-platform:ingressNginxChartVersion": "4.12.2",
                "odoo-platform:kubePrometheusStackChartVersion": "70.5.0",
                "odoo-platform:alloyChartVersion": "1.11.2",
                "odoo-platform:logRetentionDays": "45",
                "odoo-platform:acmeServer": "https://acme-staging-v02.api.letsencrypt.org/directory",
            });
            assert.deepEqual(second.errors, []);
            diffs = diffPlans(first, second.recorded);
        });

        it("upgrades each Release in place (helm upgrade): a chart version or values change never replaces it", () => {
            const releases = diffs.filter((d) => d.type === "kubernetes:helm.sh/v3:Release");
            assert.deepEqual(releases.map((d) => `${d.name} ${d.change} ${d.changed.join(",")}`).sort(), [
                "addons-alloy update version",
                "addons-cert-manager same ",
                "addons-ingress-nginx update version",
                "addons-kube-prometheus-stack update version",
                "addons-loki update values",
            ]);
        });

        it("patches the ClusterIssuer in place, and creates, deletes or replaces nothing", () => {
            assert.equal(diffs.find((d) => d.name === "addons-issuer")!.change, "update");
            assert.deepEqual(
                diffs.filter((d) => d.change === "create" || d.change === "delete" || d.change === "replace").map((d) => `${d.change} ${d.name}`),
                [],
            );
            assert.deepEqual(secondDeployProblems(diffs, { stage: "cluster", sharedNetworks: [] }), []);
        });

        it("replaces a Release whose name or namespace changes, installing the new one first (the provider's forceNew fields)", () => {
            for (const [field, value] of [
                ["namespace", "ingress"],
                ["name", "edge"],
            ] as const) {
                const moved = first.map((r) =>
                    r.name === "addons-ingress-nginx" && r.type === "kubernetes:helm.sh/v3:Release" ? { ...r, inputs: { ...r.inputs, [field]: value } } : r,
                );
                const release = diffPlans(first, moved).find((d) => d.name === "addons-ingress-nginx" && d.type === "kubernetes:helm.sh/v3:Release")!;
                assert.equal(release.change, "replace", field);
                assert.deepEqual(release.replaceBecause, [field]);
                assert.equal(release.deleteBeforeReplace, false, "helm_release.go Diff: DeleteBeforeReplace false");
            }
        });
    });
});
