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
        ["filestore.sizeGb", (a) => (a.filestore.sizeGb = 0), /StackNamespaceArgs\.filestore\.sizeGb: must be a whole number of GiB above 0, got 0/],
    ];
    itRefusesEachBadField(prArgs, (args) => new StackNamespace("namespace", args), refusals);
});
