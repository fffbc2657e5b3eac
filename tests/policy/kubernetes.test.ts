/**
 * The `kubernetes` policies on the objects the program really plans (examples/kubernetes), and on
 * each of them made wrong in the one way a policy exists to catch.
 */
import * as assert from "node:assert/strict";
import type { RecordedResource } from "../../plan/mockRuntime";
import type { PlanResult } from "../../plan/plan";
import {
    kubernetesContainerLimits,
    kubernetesImagesPinned,
    kubernetesJobsKeyed,
    kubernetesMailCatcherOnly,
    kubernetesPodSecurity,
    kubernetesPrNamespaceIsolated,
} from "../../policy/odoo-platform/kubernetes";
import { planKubernetesExamples } from "../support/plan";
import { violations } from "../support/policies";

const copy = (r: RecordedResource): RecordedResource => JSON.parse(JSON.stringify(r));
const find = (p: PlanResult, type: string, name: string) => {
    const r = p.recorded.find((x) => x.type === type && x.name === name);
    assert.ok(r, `no ${type} ${name}`);
    return r;
};
const deployment = "kubernetes:apps/v1:Deployment";
const job = "kubernetes:batch/v1:Job";

describe("policy group kubernetes", function () {
    this.timeout(300_000);
    let production: PlanResult;
    let staging: PlanResult;
    let pr: PlanResult;
    before(async () => {
        ({ production, staging, pr } = await planKubernetesExamples());
    });

    it("passes every object of the three examples", async () => {
        for (const result of [production, staging, pr]) {
            for (const policy of [
                kubernetesPodSecurity,
                kubernetesContainerLimits,
                kubernetesImagesPinned,
                kubernetesMailCatcherOnly,
                kubernetesJobsKeyed,
                kubernetesPrNamespaceIsolated,
            ]) {
                assert.deepEqual(await violations(policy, result.recorded), [], `${result.stack} ${policy.name}`);
            }
        }
    });

    it("kubernetes-pod-security blocks a privileged container, a host path and the host network", async () => {
        const bad = copy(find(production, deployment, "odoo-http"));
        const spec = (bad.inputs as any).spec.template.spec;
        spec.containers[0].securityContext = { privileged: true, allowPrivilegeEscalation: true };
        spec.hostNetwork = true;
        spec.volumes.push({ name: "root", hostPath: { path: "/" } });
        const messages = await violations(kubernetesPodSecurity, [bad]);
        assert.equal(messages.length, 4, messages.join("\n"));
        assert.match(messages.join("\n"), /sets hostNetwork/);
        assert.match(messages.join("\n"), /mounts the node's path \/ \(volume root\)/);
        assert.match(messages.join("\n"), /runs containers odoo privileged/);
        assert.match(messages.join("\n"), /lets containers odoo gain privileges/);
    });

    it("kubernetes-container-limits blocks an init container without limits", async () => {
        const bad = copy(find(pr, deployment, "odoo-http"));
        delete (bad.inputs as any).spec.template.spec.initContainers[0].resources;
        assert.match((await violations(kubernetesContainerLimits, [bad]))[0], /has no cpu and memory limit on initContainers odoo-conf/);
    });

    it("kubernetes-images-pinned blocks a production Odoo on a tag and a data-plane Job on a tag, not a PR's", async () => {
        const bad = copy(find(production, deployment, "odoo-cron"));
        for (const c of (bad.inputs as any).spec.template.spec.containers) c.image = "odoo:17.0";
        assert.match(
            (await violations(kubernetesImagesPinned, [bad]))[0],
            /runs containers odoo from odoo:17\.0, not pinned by digest: set odoo-platform:odooImage/,
        );
        const step = copy(find(staging, job, "refresh-verify"));
        (step.inputs as any).spec.template.spec.containers[0].image = "ghcr.io/x/ops:latest";
        assert.match((await violations(kubernetesImagesPinned, [step]))[0], /set odoo-platform:opsImage/);
        assert.deepEqual(await violations(kubernetesImagesPinned, [find(pr, deployment, "odoo-http")]), []);
    });

    it("kubernetes-mail-catcher-only blocks a staging or PR Odoo pointed at a real relay", async () => {
        const bad = copy(find(pr, deployment, "odoo-http"));
        const c = (bad.inputs as any).spec.template.spec.containers[0];
        c.command = c.command.map((a: string) => (a === "--smtp=mailpit" ? "--smtp=smtp.postmarkapp.com" : a)).concat("--smtp-user=apikey");
        const messages = await violations(kubernetesMailCatcherOnly, [bad]);
        assert.match(messages[0], /points containers odoo at SMTP server smtp\.postmarkapp\.com/);
        assert.match(messages[1], /gives containers odoo an SMTP user/);
        // Production's relay is allowed.
        assert.deepEqual(await violations(kubernetesMailCatcherOnly, [find(production, deployment, "odoo-http")]), []);
    });

    it("kubernetes-jobs-keyed blocks a Job whose pod template carries the git SHA", async () => {
        const bad = copy(find(staging, job, "refresh-restore"));
        (bad.inputs as any).spec.template.metadata.labels["odoo-platform.git-sha"] = "3f2c1e9aa0";
        assert.match(
            (await violations(kubernetesJobsKeyed, [bad]))[0],
            /carries odoo-platform\.git-sha in its pod template: every commit would replace the Job/,
        );
    });

    it("kubernetes-pr-namespace-isolated blocks a PR namespace without its quota, limit range or default-deny policy", async () => {
        const kept = pr.recorded.filter(
            (r) =>
                !["kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange"].includes(r.type) &&
                !(r.type.endsWith("NetworkPolicy") && (r.inputs as any).metadata?.name === "default-deny"),
        );
        const [message] = await violations(kubernetesPrNamespaceIsolated, kept);
        assert.match(message, /namespace pr-7 of stack pr-7 lacks a ResourceQuota, a LimitRange and a default-deny NetworkPolicy/);
        const allowAll = pr.recorded.map((r) => {
            if (!(r.type.endsWith("NetworkPolicy") && (r.inputs as any).metadata?.name === "default-deny")) return r;
            const c = copy(r);
            // A stack policy sees the state the provider returned, as after a deploy.
            for (const props of [c.inputs, c.outputs]) if (props) (props as any).spec.egress = [{}];
            return c;
        });
        assert.match((await violations(kubernetesPrNamespaceIsolated, allowAll))[0], /default-deny NetworkPolicy/);
    });
});
