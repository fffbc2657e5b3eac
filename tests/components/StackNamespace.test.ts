import * as assert from "node:assert/strict";
import { StackNamespace, StackNamespaceArgs } from "../../components/StackNamespace";
import { resourceLabels } from "../../config/naming";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";

/** A PR stack's namespace: budgeted and isolated. */
function prArgs(): StackNamespaceArgs {
    return {
        decisions: { budgeted: true, isolated: true },
        namespace: "pr-7",
        labels: resourceLabels({ stage: "pr", stack: "pr-7", gitSha: "abcdef1", prNumber: 7 }),
        budget: { maxCpus: 2, maxMemoryMb: 4096, storageGb: 20 },
        isolation: { databaseCidrs: ["10.0.8.0/24"], databasePort: 5432, egressAllowlist: ["pypi.org", "apps.odoo.com"] },
        mailUi: { host: "pr-7-x-mail.dev.example.com", className: "nginx" },
        filestore: { storageClass: "efs-sc", sizeGb: 5 },
    };
}

describe("StackNamespace from its args", function () {
    this.timeout(60000);

    it("builds a PR namespace with its quota, limit range, NetworkPolicies, mail catcher, egress proxy and filestore claim, all parented to it", async () => {
        const built = await buildUnderMocks(() => new StackNamespace("namespace", prArgs()));
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:kubernetes:StackNamespace");
        const types = children.map((r) => r.type);
        for (const type of [
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:ResourceQuota",
            "kubernetes:core/v1:LimitRange",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:PersistentVolumeClaim",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:core/v1:Secret",
        ])
            assert.ok(types.includes(type), `${type} in ${types.join(", ")}`);
        const ns = children.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
        assert.equal((ns.inputs as any).metadata.name, "pr-7");
        const squid = children.find((r) => r.type === "kubernetes:core/v1:ConfigMap")!;
        assert.match((squid.inputs as any).data["squid.conf"], /apps\.odoo\.com/);
        const claim = children.find((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim")!;
        assert.equal((claim.inputs as any).spec.storageClassName, "efs-sc");
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
    });

    it("routes Mailpit's UI on its mail host behind basic auth; the Secret holds the hash, the password is a secret output", async () => {
        const built = await buildUnderMocks(
            () => new StackNamespace("namespace", prArgs()),
            (c) => ({ url: c.mailCatcherUrl, password: c.mailCatcherPassword }),
        );
        const ingress = built.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")!;
        const spec = ingress.inputs.spec;
        assert.equal(spec.ingressClassName, "nginx");
        assert.deepEqual(spec.tls, [{ hosts: ["pr-7-x-mail.dev.example.com"] }]);
        assert.equal(spec.rules[0].host, "pr-7-x-mail.dev.example.com");
        assert.deepEqual(spec.rules[0].http.paths[0].backend, { service: { name: "mailpit", port: { number: 8025 } } });
        const a = ingress.inputs.metadata.annotations;
        assert.equal(a["nginx.ingress.kubernetes.io/auth-type"], "basic");
        assert.equal(a["nginx.ingress.kubernetes.io/auth-secret"], "mailpit-ui-auth");
        assert.equal(a["nginx.ingress.kubernetes.io/configuration-snippet"], 'more_set_headers "X-Robots-Tag: noindex, nofollow";');
        const secret = built.resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.equal(secret.inputs.metadata.name, "mailpit-ui-auth");
        assert.equal(secret.inputs.metadata.namespace, "pr-7");
        assert.match(secret.inputs.stringData.auth, /^mail:\$2a\$10\$[./A-Za-z0-9]{53}\n$/);
        assert.equal(built.outputs.url, "https://pr-7-x-mail.dev.example.com");
        const password = built.outputs.password as string;
        assert.ok(password.length > 0);
        for (const r of built.resources) assert.ok(!JSON.stringify(r.inputs).includes(password), `${r.type} ${r.name} holds the plain password`);
        const recordedPassword = built.recorded.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
        assert.deepEqual(recordedPassword.inputs, { length: 24, special: false });
    });

    it("with an issuer (staging), the mail host's certificate is issued into its own Secret", async () => {
        const args = {
            ...prArgs(),
            mailUi: { host: "staging-mail.example.com", className: "nginx", issuer: "letsencrypt-cloudflare", tlsSecret: "odoo-staging-mail-tls" },
        };
        const built = await buildUnderMocks(() => new StackNamespace("namespace", args));
        const ingress = built.resources.find((r) => r.type === "kubernetes:networking.k8s.io/v1:Ingress")!;
        assert.deepEqual(ingress.inputs.spec.tls, [{ hosts: ["staging-mail.example.com"], secretName: "odoo-staging-mail-tls" }]);
        assert.equal(ingress.inputs.metadata.annotations["cert-manager.io/cluster-issuer"], "letsencrypt-cloudflare");
    });

    const refusals: Refusal<StackNamespaceArgs>[] = [
        ["namespace", (a) => (a.namespace = "PR_7"), /StackNamespaceArgs\.namespace: must be a Kubernetes namespace name, got "PR_7"; fix: /],
        ["labels", (a) => (a.labels = {}), /StackNamespaceArgs\.labels: must carry the stack label odoo-platform\.stack/],
        ["budget", (a) => (a.budget = undefined), /StackNamespaceArgs\.budget: is required for a budgeted \(PR\) namespace/],
        ["isolation (production)", (a) => (a.decisions = { budgeted: false, isolated: false }), /StackNamespaceArgs\.isolation: is for isolated/],
        ["budget.maxCpus", (a) => (a.budget!.maxCpus = 0), /StackNamespaceArgs\.budget\.maxCpus: must be greater than 0, got 0/],
        ["isolation.databasePort", (a) => (a.isolation!.databasePort = 0), /StackNamespaceArgs\.isolation\.databasePort: must be a TCP port, got 0/],
        [
            "isolation.egressAllowlist",
            (a) => (a.isolation!.egressAllowlist = ["pypi.org", "https://evil.example/x"]),
            /StackNamespaceArgs\.isolation\.egressAllowlist: entries must be host names .*got "https:\/\/evil\.example\/x"/,
        ],
        ["mailUi", (a) => (a.mailUi = undefined), /StackNamespaceArgs\.mailUi: is required with isolation: Mailpit's UI needs its Ingress; fix: /],
        ["mailUi.host", (a) => (a.mailUi!.host = "https://pr-7-mail"), /StackNamespaceArgs\.mailUi\.host: must be a DNS name, got "https:\/\/pr-7-mail"/],
        ["mailUi.tlsSecret", (a) => (a.mailUi!.issuer = "letsencrypt-cloudflare"), /StackNamespaceArgs\.mailUi\.tlsSecret: is required with an issuer/],
        ["filestore.sizeGb", (a) => (a.filestore.sizeGb = 0), /StackNamespaceArgs\.filestore\.sizeGb: must be a whole number of GiB above 0, got 0/],
    ];
    itRefusesEachBadField(prArgs, (args) => new StackNamespace("namespace", args), refusals);
});
