/**
 * The Kubernetes runtime's builders (components/kubernetesObjects.ts, components/kubernetesNamespace.ts)
 * from their own args, each object checked against the Kubernetes OpenAPI schema.
 */
import * as assert from "node:assert/strict";
import {
    filestoreClaimSpec,
    ingressAnnotations,
    jobSpec,
    kubernetesCronThreads,
    kubernetesNamespace,
    labelValue,
    odooDeploymentSpec,
    odooHpaSpec,
    odooIngressSpec,
    OdooPodInput,
    odooPodSpec,
    resourceProblems,
    resourceRequirements,
    secretOptionsText,
    secretPlaceholder,
    selectorLabels,
    splitOdooConf,
} from "../../components/kubernetesObjects";
import { limitRangeSpec, networkPolicySpecs, privateRanges, resourceQuotaSpec } from "../../components/kubernetesNamespace";
import type { Stage } from "../../config/stage";
import { stageProfile } from "../../config/stageProfile";
import { schemaProblems } from "../support/kubernetesModels";

/** A loosely typed view of a built object, for reading nested fields in assertions. */
type Loose = { [key: string]: Loose; [index: number]: Loose };
const loose = (value: unknown): Loose => value as Loose;

const labels = { "odoo-platform.stack": "pr-7", "odoo-platform.stage": "pr", "odoo-platform.git-sha": "abcdef1" };
const pod = (over: Partial<OdooPodInput> = {}): OdooPodInput => ({
    stack: "pr-7",
    role: "http",
    labels,
    image: "odoo:17.0",
    command: ["odoo", "--config=/etc/odoo/odoo.conf"],
    resources: { cpu: 2, memoryMb: 2048, cpuRequest: 0.5, memoryRequestMb: 1024 },
    configMap: "conf",
    secret: "secret",
    claim: "claim",
    env: [],
    serves: true,
    ...over,
});

describe("kubernetesObjects builders", () => {
    it("label values stay within 63 characters of the allowed set", () => {
        const v = labelValue(`feature/${"x".repeat(80)}-`);
        assert.ok(v.length <= 63 && /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(v), v);
        assert.equal(labelValue("///"), "none");
    });

    it("namespaces: pr-<n> for PR stacks whatever the override, odoo-<stage> or the override otherwise", () => {
        assert.equal(kubernetesNamespace({ stage: "pr", stack: "pr-7" }, "other"), "pr-7");
        assert.equal(kubernetesNamespace({ stage: "staging", stack: "staging" }), "odoo-staging");
        assert.equal(kubernetesNamespace({ stage: "production", stack: "production" }, "erp"), "erp");
    });

    it("requests never exceed limits, and the message names the key to change", () => {
        assert.deepEqual(resourceRequirements({ cpu: 1.5, memoryMb: 1536, cpuRequest: 0.25, memoryRequestMb: 512 }), {
            requests: { cpu: "250m", memory: "512Mi" },
            limits: { cpu: "1500m", memory: "1536Mi" },
        });
        assert.throws(() => resourceRequirements({ cpu: 1, memoryMb: 1024, cpuRequest: 2, memoryRequestMb: 512 }), /odooCpuRequest/);
        assert.throws(() => resourceRequirements({ cpu: 1, memoryMb: 1024, cpuRequest: 1, memoryRequestMb: 2048 }), /odooMemoryRequestMb/);
        assert.throws(() => resourceRequirements({ cpu: 1, memoryMb: 1024, cpuRequest: 0, memoryRequestMb: 512 }), /greater than 0 .*odooCpuRequest/);
        // The same rule the component's argument check applies (one list of problems, each naming its field).
        assert.deepEqual(
            resourceProblems({ cpu: 1, memoryMb: 1024, cpuRequest: 2, memoryRequestMb: 0 }).map((p) => p.field),
            ["cpuRequest", "memoryRequestMb"],
        );
        assert.deepEqual(resourceProblems({ cpu: 1, memoryMb: 1024, cpuRequest: 1, memoryRequestMb: 1024 }), []);
    });

    it("splits odoo.conf: secret options leave the ConfigMap, a secret anywhere else is refused", () => {
        const split = splitOdooConf(
            `[options]\nadmin_passwd = ${secretPlaceholder}\nworkers = 2\ndb_password = ${secretPlaceholder}\n[queue_job]\nchannels = root:2`,
        );
        assert.equal(split.options, "workers = 2\n");
        assert.deepEqual(split.secretOptions, ["admin_passwd", "db_password"]);
        assert.equal(split.sections, "[queue_job]\nchannels = root:2");
        assert.throws(() => splitOdooConf(`[options]\ndb_user = ${secretPlaceholder}`), /db_user holds a secret/);
        assert.throws(() => splitOdooConf(`[options]\n[x]\nk = ${secretPlaceholder}`), /section of odoo.conf holds a secret/);
        assert.throws(() => splitOdooConf("workers = 2"), /must start with its \[options\]/);
        assert.throws(() => secretOptionsText({ admin_passwd: "a\nb" }), /line break/);
    });

    it("HTTP pods roll one at a time with probes on /web/health; the cron runner is recreated, never doubled; both valid Deployments", async () => {
        const http = odooDeploymentSpec({ ...pod(), replicas: 2 });
        assert.deepEqual(http.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
        const container = loose(http.template).spec.containers[0];
        assert.equal(container.readinessProbe.httpGet.path, "/web/health");
        assert.equal(loose(http.template).metadata.labels["odoo-platform.git-sha"], "abcdef1", "the pod template carries the commit");
        assert.ok(!JSON.stringify(http.selector).includes("abcdef1"), "the immutable selector never does");
        const cron = odooDeploymentSpec({ ...pod({ role: "cron", serves: false }), replicas: 1 });
        assert.deepEqual(cron.strategy, { type: "Recreate" });
        assert.equal(loose(cron.template).spec.containers[0].readinessProbe, undefined);
        for (const spec of [http, cron]) assert.deepEqual(await schemaProblems("apps/v1:Deployment", { spec }), []);
    });

    it("the init pod never restarts and reads the Secret; a root init pod keeps only the capabilities it needs", () => {
        const init = odooPodSpec(pod({ role: "init", serves: false, asRoot: true }));
        assert.equal(init.restartPolicy, "Never");
        assert.ok((init.containers as { volumeMounts?: { name: string }[] }[])[0].volumeMounts!.some((m) => m.name === "secrets"));
        assert.deepEqual(loose(init.containers)[0].securityContext.capabilities.drop, ["ALL"]);
        assert.equal(loose(odooPodSpec(pod()).containers)[0].securityContext.runAsNonRoot, true);
    });

    it("the Ingress sends /websocket to the gevent port before everything else, with the issuer's certificate or the wildcard", async () => {
        const withIssuer = odooIngressSpec({
            className: "nginx",
            host: "staging.example.com",
            service: "odoo",
            issuer: "le",
            tlsSecret: "odoo-staging-tls",
            noIndex: true,
        });
        assert.deepEqual(
            (loose(withIssuer.rules)[0].http.paths as unknown as Loose[]).map((p) => `${p.path}>${p.backend.service.port.name}`),
            ["/websocket>websocket", "/>http"],
        );
        assert.deepEqual(withIssuer.tls, [{ hosts: ["staging.example.com"], secretName: "odoo-staging-tls" }]);
        assert.deepEqual(odooIngressSpec({ className: "nginx", host: "pr-7-x.dev.example.com", service: "odoo", noIndex: true }).tls, [
            { hosts: ["pr-7-x.dev.example.com"] },
        ]);
        assert.deepEqual(await schemaProblems("networking.k8s.io/v1:Ingress", { spec: withIssuer }), []);
        assert.equal(ingressAnnotations({ className: "nginx", issuer: "le", noIndex: false })["cert-manager.io/cluster-issuer"], "le");
        assert.equal(ingressAnnotations({ className: "nginx", noIndex: false })["nginx.ingress.kubernetes.io/configuration-snippet"], undefined);
        assert.deepEqual(ingressAnnotations({ className: "traefik", noIndex: true }), {}, "nginx annotations only for the nginx class");
    });

    it("the HPA scales between replicas and the maximum, refusing a maximum below the minimum; the claim is ReadWriteMany", async () => {
        const spec = odooHpaSpec({ deployment: "odoo-http", min: 2, max: 6 });
        assert.deepEqual(await schemaProblems("autoscaling/v2:HorizontalPodAutoscaler", { spec }), []);
        assert.throws(() => odooHpaSpec({ deployment: "d", min: 3, max: 2 }), /odooMaxReplicas \(2\) must be at least odoo-platform:odooReplicas \(3\)/);
        const claim = filestoreClaimSpec({ storageClass: "efs-sc", sizeGb: 50 });
        assert.deepEqual(claim.accessModes, ["ReadWriteMany"]);
        assert.deepEqual(await schemaProblems("core/v1:PersistentVolumeClaim", { spec: claim }), []);
    });

    it("a Job runs once (no retry, never restarted) and its template carries no commit; crons run in production only", async () => {
        const spec = jobSpec({ pod: odooPodSpec(pod({ role: "init", serves: false })), labels, role: "odoo-init", stack: "pr-7", timeoutSeconds: 600 });
        assert.equal(spec.backoffLimit, 0);
        assert.equal(loose(spec.template).spec.restartPolicy, "Never");
        assert.equal(loose(spec.template).metadata.labels["odoo-platform.git-sha"], undefined);
        assert.deepEqual(await schemaProblems("batch/v1:Job", { spec }), []);
        assert.deepEqual(
            (["production", "staging", "pr"] as Stage[]).map((stage) => kubernetesCronThreads(stageProfile(stage).environment.runsCrons, 2)),
            [2, 0, 0],
        );
        assert.equal(selectorLabels("pr-7", "odoo")["odoo-platform.role"], "odoo");
    });
});

describe("kubernetesNamespace builders", () => {
    it("the quota fits one Odoo at the PR limit with its helpers; the limit range caps every container at the budget", async () => {
        const quota = resourceQuotaSpec({ maxCpus: 2, maxMemoryMb: 2048, storageGb: 5 });
        assert.deepEqual(
            [loose(quota.hard)["limits.cpu"], loose(quota.hard)["limits.memory"], loose(quota.hard)["services.loadbalancers"]],
            ["5000m", "5120Mi", "0"],
        );
        const limits = limitRangeSpec({ maxCpus: 2, maxMemoryMb: 2048 });
        assert.deepEqual(loose(limits.limits)[0].max, { cpu: "2000m", memory: "2048Mi" });
        assert.deepEqual(await schemaProblems("core/v1:ResourceQuota", { spec: quota }), []);
        assert.deepEqual(await schemaProblems("core/v1:LimitRange", { spec: limits }), []);
    });

    it("network policies: everything denied, then DNS, the database CIDRs, the proxy and the catcher; the proxy never reaches private ranges", async () => {
        assert.throws(() => networkPolicySpecs({ stack: "pr-7", databaseCidrs: [], databasePort: 5432 }), /databaseCidrs/);
        const specs = networkPolicySpecs({ stack: "pr-7", databaseCidrs: ["10.20.32.0/20"], databasePort: 5432 });
        assert.deepEqual(specs["default-deny"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        assert.deepEqual(loose(specs["odoo-egress"].egress)[0].to, [{ ipBlock: { cidr: "10.20.32.0/20" } }]);
        assert.deepEqual(loose(specs["egress-proxy"].egress)[0].to[0].ipBlock.except, privateRanges);
        for (const spec of Object.values(specs)) assert.deepEqual(await schemaProblems("networking.k8s.io/v1:NetworkPolicy", { spec }), []);
    });
});
