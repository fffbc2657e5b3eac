/**
 * Policies that hold in a real preview. Each stack's second deploy is planned as `pulumi preview`
 * sees it — every output of a resource that changes is unknown (tests/support/secondDeploy.ts) —
 * and handed to the policy pack served by the SDK's own CrossGuard server, configured as the
 * deploy workflows configure it (`npm run policy-config`). CrossGuard turns a policy that reads an
 * unknown value into "advisory: can't run … during preview", which gates nothing: no policy may
 * end up there, the committed stacks must pass, and every mandatory policy must still block its bad
 * fixture — a stack configuration, or the planned resources changed the way a program bug would.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { RecordedResource, unwrapSecrets } from "../../plan/mockRuntime";
import { PlanResult } from "../../plan/plan";
import { stackPolicyConfig } from "../../plan/policyConfig";
import { policyPacks } from "../../policy/registry";
import { Diagnostic, packStartTimeoutMs, RunningPack, sharedPolicyPack } from "../support/crossguard";
import { deployPlan, firstCommit, previewPlan, secondDeployStacks, Variant } from "../support/secondDeploy";

const fixture = (name: string) => path.join(__dirname, "..", "fixtures", name);
const changeOf = (stack: string) => secondDeployStacks.find((s) => s.stack === stack)!.change;

type Resources = RecordedResource[];
interface BadFixture {
    policy: string;
    stack: string;
    /** A stack configuration that violates the policy… */
    variant?: Variant;
    /** …or the planned resources, changed as a program bug would change them. */
    mutate?: (resources: Resources) => void;
}

const editable = new WeakSet<RecordedResource>();
/** A resource to change: its inputs as plain values (once), its provider outputs dropped. */
const named = (resources: Resources, name: string): RecordedResource & { inputs: Record<string, any> } => {
    const r = resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}: ${resources.map((x) => x.name).join(", ")}`);
    if (!editable.has(r)) {
        r.inputs = unwrapSecrets(r.inputs) as Record<string, unknown>;
        // Stack policies see inputs and outputs; the provider's outputs of a changed resource are unknown.
        r.outputs = undefined;
        editable.add(r);
    }
    return r as RecordedResource & { inputs: Record<string, any> };
};
const ofType = (resources: Resources, type: string) => resources.filter((r) => r.type === type).map((r) => named(resources, r.name));
const container = "docker:index/container:Container";

/** One bad fixture per mandatory policy. */
const badFixtures: BadFixture[] = [
    // contracts
    { policy: "addons-path-contract", stack: "staging", variant: { configOverrides: { "odoo-platform:addonsPath": '["/mnt/other-addons"]' } } },
    {
        policy: "required-variables-set",
        stack: "staging",
        mutate: (rs) => void (named(rs, "odoo-odoo").inputs.envs = named(rs, "odoo-odoo").inputs.envs.filter((e: string) => !e.startsWith("ODOO_STAGE="))),
    },
    {
        policy: "images-pinned-by-digest",
        stack: "staging",
        variant: { configFile: fixture("staging-unpinned-image.yaml"), configOverrides: { "odoo-platform:odooImage": "ghcr.io/insightpulseai/odoo:17.0" } },
    },
    { policy: "container-limits", stack: "staging", mutate: (rs) => void delete named(rs, "edge-traefik").inputs.memory },
    {
        policy: "resource-labels",
        stack: "staging",
        mutate: (rs) =>
            void named(rs, "odoo-filestore").inputs.labels.push({ label: "odoo-platform.git-sha", value: "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291817" }),
    },
    // neutralization
    { policy: "odoo-stage-matches", stack: "staging", variant: { configFile: fixture("staging-odoo-stage-production.yaml") } },
    {
        policy: "crons-disabled",
        stack: "pr-7",
        mutate: (rs) =>
            void (named(rs, "odoo-odoo").inputs.command = named(rs, "odoo-odoo").inputs.command.map((a: string) =>
                a.replace("--max-cron-threads=0", "--max-cron-threads=2"),
            )),
    },
    { policy: "mail-catcher-only", stack: "staging", variant: { configFile: fixture("staging-no-mail-catcher.yaml") } },
    {
        policy: "restored-database-neutralized",
        stack: "staging",
        mutate: (rs) => {
            const gates = new Set(["database-verify", "database-swap"].map((n) => named(rs, n).urn));
            for (const r of rs) r.dependencies = r.dependencies.filter((d) => !gates.has(d));
        },
    },
    { policy: "egress-isolated", stack: "staging", mutate: (rs) => void (named(rs, "odoo-internal").inputs.internal = false) },
    {
        policy: "no-production-references",
        stack: "staging",
        variant: { configOverrides: { "odoo-platform:egressAllowlist": '["db-prod.internal.insightpulseai.com"]' } },
    },
    // security
    { policy: "snapshot-bucket-encrypted", stack: "staging", mutate: (rs) => void rs.splice(rs.indexOf(named(rs, "snapshots-encryption")), 1) },
    {
        policy: "snapshot-bucket-versioned",
        stack: "staging",
        mutate: (rs) => void (named(rs, "snapshots-versioning").inputs.versioningConfiguration = { status: "Suspended" }),
    },
    { policy: "snapshot-bucket-private", stack: "staging", variant: { configFile: fixture("staging-public-bucket.yaml") } },
    {
        policy: "snapshot-bucket-tls-only",
        stack: "staging",
        mutate: (rs) => void (named(rs, "snapshots-tls-only").inputs.policy = JSON.stringify({ Version: "2012-10-17", Statement: [] })),
    },
    {
        policy: "database-passwords-generated",
        stack: "staging",
        mutate: (rs) => {
            const role = named(rs, "database-owner");
            role.inputs.password = "postgres";
            role.propertyDependencies = {};
        },
    },
    {
        policy: "odoo-db-user-not-admin",
        stack: "staging",
        mutate: (rs) =>
            void (named(rs, "odoo-odoo").inputs.command = named(rs, "odoo-odoo").inputs.command.map((a: string) =>
                a.startsWith("--db_user=") ? "--db_user=postgres" : a,
            )),
    },
    {
        policy: "database-tls-verifiable",
        stack: "production",
        mutate: (rs) => void (named(rs, "odoo-odoo").inputs.envs = named(rs, "odoo-odoo").inputs.envs.filter((e: string) => !e.startsWith("PGSSLROOTCERT="))),
    },
    { policy: "no-privileged-containers", stack: "staging", mutate: (rs) => void (named(rs, "odoo-odoo").inputs.privileged = true) },
    { policy: "no-host-network", stack: "staging", mutate: (rs) => void (named(rs, "odoo-odoo").inputs.networkMode = "host") },
    {
        policy: "docker-socket-allowlist",
        stack: "staging",
        mutate: (rs) => void named(rs, "odoo-odoo").inputs.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }),
    },
    {
        policy: "cloudflare-records-proxied",
        stack: "staging",
        mutate: (rs) => void (ofType(rs, "cloudflare:index/dnsRecord:DnsRecord")[0].inputs.proxied = false),
    },
    { policy: "github-production-protected", stack: "production", mutate: (rs) => void (named(rs, "github-env-production").inputs.reviewers = []) },
    // pr-limits
    {
        policy: "one-odoo-per-pr",
        stack: "pr-7",
        mutate: (rs) => {
            const second = structuredClone(named(rs, "odoo-odoo"));
            second.urn = `${second.urn}-2`;
            second.name = "odoo-odoo-2";
            rs.push(second);
        },
    },
    { policy: "pr-resource-budget", stack: "pr-7", variant: { configOverrides: { "odoo-platform:odooMemoryMb": "4096" } } },
    {
        policy: "pr-ttl-label",
        stack: "pr-7",
        mutate: (rs) =>
            void (named(rs, "odoo-filestore").inputs.labels = named(rs, "odoo-filestore").inputs.labels.filter(
                (l: { label: string }) => l.label !== "odoo-platform.ttl-hours",
            )),
    },
];

const cantRun = (d: Diagnostic) => /can't run .* during preview/.test(d.message) || d.enforcement === "advisory";

describe("policies in a real preview (the SDK's CrossGuard server, outputs of changing resources unknown)", function () {
    this.timeout(600_000);
    let pack: RunningPack;
    const bases = new Map<string, PlanResult>();
    const previews = new Map<string, PlanResult>();

    /** Every diagnostic the served pack reports for a plan, as the engine would collect them. */
    async function served(stack: string, resources: Resources, variant: Variant = {}): Promise<Diagnostic[]> {
        await pack.configure(stackPolicyConfig(stack, { configFile: variant.configFile }));
        const out: Diagnostic[] = [];
        for (const r of resources) out.push(...(await pack.analyze(r, resources)));
        out.push(...(await pack.analyzeStack(resources)));
        return out;
    }

    before(async function () {
        this.timeout(packStartTimeoutMs + 600_000);
        pack = await sharedPolicyPack();
        for (const { stack, change } of secondDeployStacks) {
            bases.set(stack, await deployPlan(stack, firstCommit));
            previews.set(stack, await previewPlan(stack, change, {}, bases.get(stack)));
        }
    });

    it("every mandatory policy has a bad fixture here (the Kubernetes ones have theirs in tests/policy/kubernetes.test.ts)", () => {
        const mandatory = policyPacks
            .flatMap((g) => g.policies.filter((p) => (p.enforcementLevel ?? g.enforcementLevel) === "mandatory").map((p) => p.name))
            .filter((name) => !name.startsWith("kubernetes-"));
        assert.deepEqual(badFixtures.map((f) => f.policy).sort(), [...mandatory].sort());
    });

    for (const { stack } of secondDeployStacks) {
        it(`${stack}: the preview leaves the changing resources' outputs unknown, and every policy still decides — and passes`, async () => {
            const preview = previews.get(stack)!;
            assert.ok(
                JSON.stringify(preview.recorded.find((r) => r.name === "odoo-odoo")!.inputs).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
                "the Odoo container has unknown inputs",
            );
            const diagnostics = await served(stack, preview.recorded);
            assert.deepEqual(
                diagnostics.map((d) => `${d.enforcement} ${d.policy}: ${d.message}`),
                [],
            );
        });
    }

    for (const bad of badFixtures) {
        it(`${bad.policy} still blocks its bad fixture (${bad.stack}${bad.variant?.configFile ? `, ${path.basename(bad.variant.configFile)}` : bad.variant ? ", config" : ", resources"}) during a preview`, async () => {
            const preview = bad.variant
                ? await previewPlan(bad.stack, changeOf(bad.stack), bad.variant, bases.get(bad.stack), previews.get(bad.stack))
                : previews.get(bad.stack)!;
            const resources = structuredClone(preview.recorded);
            bad.mutate?.(resources);
            const diagnostics = await served(bad.stack, resources, bad.variant);
            assert.deepEqual(
                diagnostics.filter(cantRun).map((d) => `${d.policy}: ${d.message}`),
                [],
                "a policy was downgraded to advisory",
            );
            assert.ok(
                diagnostics.some((d) => d.policy === bad.policy && d.enforcement === "mandatory"),
                `${bad.policy} did not block; reported: ${diagnostics.map((d) => `${d.enforcement} ${d.policy}: ${d.message}`).join("\n") || "nothing"}`,
            );
        });
    }
});
