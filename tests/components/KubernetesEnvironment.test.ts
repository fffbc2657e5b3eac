import * as assert from "node:assert/strict";
import { KubernetesEnvironment, KubernetesEnvironmentArgs } from "../../components/KubernetesEnvironment";
import { environmentNames, resourceLabels } from "../../config/naming";
import { stageProfile } from "../../config/stageProfile";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";

const digest = `registry.example.com/odoo@sha256:${"a".repeat(64)}`;

/** Production-like args built from the same helpers the program uses (components/kubernetesProgram.ts). */
function productionArgs(): KubernetesEnvironmentArgs {
    const identity = { stack: "production", stage: "production" as const };
    const names = environmentNames(identity, { domain: "example.com" });
    return {
        stage: "production",
        decisions: stageProfile("production").environment,
        scalesOut: true,
        names,
        namespace: "odoo-production",
        labels: resourceLabels({ stage: "production", stack: "production", gitSha: "abcdef1" }),
        image: digest,
        addonsPath: ["/mnt/extra-addons"],
        workers: 4,
        replicas: 2,
        maxReplicas: 6,
        resources: { cpu: 2, memoryMb: 4096, cpuRequest: 1, memoryRequestMb: 2048 },
        database: { host: "db.internal", port: 5432, user: names.databaseOwner, password: "pw", sslMode: "require", name: names.database },
        smtp: { host: "smtp.example.com", port: 587, user: "relay", password: "smtp-pw" },
        cronThreads: 2,
        ingress: { className: "nginx" },
        claim: "odoo-filestore",
        init: { kind: "update", install: [], exclude: [], baseUrl: `https://${names.host}` },
    };
}

describe("KubernetesEnvironment from its args", function () {
    this.timeout(60000);

    it("builds HTTP and cron Deployments, the HPA, the PDB and the Ingress from the args, all parented to it", async () => {
        const built = await buildUnderMocks(() => new KubernetesEnvironment("odoo", productionArgs()));
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:kubernetes:KubernetesEnvironment");
        const deployments = children.filter((r) => r.type === "kubernetes:apps/v1:Deployment");
        assert.equal(deployments.length, 2, "HTTP workers and the cron runner");
        const http = deployments.find((d) => (d.inputs as any).spec.replicas === 2);
        assert.ok(http, "the HTTP Deployment runs args.replicas pods");
        const container = (http!.inputs as any).spec.template.spec.containers[0];
        assert.equal(container.image, digest);
        assert.deepEqual(container.resources.limits, { cpu: "2000m", memory: "4096Mi" });
        const hpa = children.find((r) => r.type.startsWith("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
        assert.equal((hpa!.inputs as any).spec.maxReplicas, 6);
        assert.ok(children.some((r) => r.type.startsWith("kubernetes:policy/v1:PodDisruptionBudget")));
        const ingress = children.find((r) => r.type.startsWith("kubernetes:networking.k8s.io/v1:Ingress"));
        assert.equal((ingress!.inputs as any).spec.ingressClassName, "nginx");
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
    });

    const refusals: Refusal<KubernetesEnvironmentArgs>[] = [
        ["namespace", (a) => (a.namespace = "Odoo_Prod"), /KubernetesEnvironmentArgs\.namespace: must be a Kubernetes namespace name, got "Odoo_Prod"; fix: /],
        [
            "namespace (upper case)",
            (a) => (a.namespace = "odoo-Prod"),
            /KubernetesEnvironmentArgs\.namespace: must be a Kubernetes namespace name, got "odoo-Prod"/,
        ],
        ["image", (a) => (a.image = "odoo:18.0"), /KubernetesEnvironmentArgs\.image: must be pinned by digest in production, got "odoo:18.0"/],
        ["replicas", (a) => (a.replicas = 0), /KubernetesEnvironmentArgs\.replicas: must be a whole number of at least 1, got 0/],
        ["maxReplicas", (a) => (a.maxReplicas = 1), /KubernetesEnvironmentArgs\.maxReplicas: must be a whole number of at least replicas \(2\), got 1/],
        ["resources.cpuRequest", (a) => (a.resources.cpuRequest = 4), /KubernetesEnvironmentArgs\.resources\.cpuRequest: .*at most the limit \(2\), got 4/],
        ["database.port", (a) => (a.database.port = 0), /KubernetesEnvironmentArgs\.database\.port: must be a TCP port, got 0/],
        ["labels", (a) => (a.labels = {}), /KubernetesEnvironmentArgs\.labels: must carry the stack label odoo-platform\.stack/],
    ];
    itRefusesEachBadField(productionArgs, (args) => new KubernetesEnvironment("odoo", args), refusals);
});
