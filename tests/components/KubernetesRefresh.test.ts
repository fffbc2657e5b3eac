import * as assert from "node:assert/strict";
import { KubernetesRefresh, KubernetesRefreshArgs } from "../../components/KubernetesRefresh";
import { stepNames } from "../../components/NeutralizedDatabase";
import { environmentNames, resourceLabels } from "../../config/naming";
import { stackIdentity } from "../../config/stage";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";

const image = `ghcr.io/example/odoo-platform-ops@sha256:${"7c".repeat(32)}`;
const snapshot = "s3://odoo-snapshots/staging/20261201T020000Z";

/** Staging's refresh, named as the program names it. */
function stagingArgs(): KubernetesRefreshArgs {
    const names = environmentNames(stackIdentity("staging"), { domain: "example.com" });
    return {
        namespace: "staging",
        labels: resourceLabels({ stage: "staging", stack: "staging", gitSha: "abcdef1" }),
        image,
        server: { host: "staging-db.internal", port: 5432, adminUser: "postgres", adminPassword: "admin-pw", sslMode: "require" },
        database: names.database,
        owner: names.databaseOwner,
        snapshotUri: snapshot,
        baseUrl: `https://${names.host}`,
        mailCatcher: { host: "mailpit", port: 1025 },
        allowedDomains: ["example.com", names.host],
        claim: "filestore",
        env: { AWS_REGION: "eu-west-1" },
    };
}

describe("KubernetesRefresh from its args", function () {
    this.timeout(60000);

    it("runs restore, neutralize, verify and swap as Jobs of the pinned CLI image, each after the previous, with the credentials in a Secret, all parented to it", async () => {
        const args = stagingArgs();
        const built = await buildUnderMocks(() => new KubernetesRefresh("refresh", args));
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:data:KubernetesRefresh");
        const secret = children.find((r) => r.type === "kubernetes:core/v1:Secret");
        assert.ok(secret, children.map((r) => r.type).join(", "));
        assert.deepEqual(Object.keys((secret!.inputs as any).stringData).sort(), ["AWS_REGION", "PGPASSWORD"]);
        const jobs = children.filter((r) => r.type === "kubernetes:batch/v1:Job");
        assert.deepEqual(
            jobs.map((j) => j.name),
            stepNames.map((s) => `refresh-${s}`),
        );
        for (const [i, job] of jobs.entries()) {
            const inputs = job.inputs as any;
            assert.equal(inputs.metadata.namespace, "staging");
            const container = inputs.spec.template.spec.containers[0];
            assert.equal(container.image, image);
            assert.ok(container.env.some((e: any) => e.name === "ODOO_PLATFORM_SNAPSHOT" && e.value === snapshot));
            if (i > 0) assert.ok((job.dependsOn as string[]).includes(jobs[i - 1].name), `${job.name} waits for ${jobs[i - 1].name}`);
        }
        const restore = (jobs[0].inputs as any).spec.template.spec.containers[0].args;
        assert.deepEqual(restore.slice(0, 4), ["snapshot", "restore", "--from", snapshot]);
        assert.ok(restore.includes(args.owner));
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
    });

    const refusals: Refusal<KubernetesRefreshArgs>[] = [
        ["namespace", (a) => (a.namespace = "Staging_1"), /KubernetesRefreshArgs\.namespace: must be a Kubernetes namespace name, got "Staging_1"; fix: /],
        ["labels", (a) => (a.labels = {}), /KubernetesRefreshArgs\.labels: must carry the stack label odoo-platform\.stack/],
        [
            "image",
            (a) => (a.image = "ghcr.io/example/odoo-platform-ops:latest"),
            /KubernetesRefreshArgs\.image: must be the CLI image pinned by digest, got ".*:latest"; fix: set odoo-platform:opsImage/,
        ],
        ["server.host", (a) => (a.server.host = ""), /KubernetesRefreshArgs\.server\.host: is required/],
        ["server.port", (a) => (a.server.port = 0), /KubernetesRefreshArgs\.server\.port: must be a TCP port, got 0/],
        ["server.adminUser", (a) => (a.server.adminUser = ""), /KubernetesRefreshArgs\.server\.adminUser: is required/],
        [
            "server.sslMode",
            (a) => (a.server.sslMode = "prefer"),
            /KubernetesRefreshArgs\.server\.sslMode: must be one of disable, require, verify-ca, verify-full, got "prefer"/,
        ],
        ["database", (a) => (a.database = "odoo-staging"), /KubernetesRefreshArgs\.database: must be a lower-case PostgreSQL identifier, got "odoo-staging"/],
        ["owner", (a) => (a.owner = "postgres"), /KubernetesRefreshArgs\.owner: must not be the server's admin role "postgres"/],
        [
            "snapshotUri",
            (a) => (a.snapshotUri = "s3://odoo-snapshots/staging/latest"),
            /KubernetesRefreshArgs\.snapshotUri: must name a concrete snapshot, not latest/,
        ],
        [
            "snapshotUri (no scheme)",
            (a) => (a.snapshotUri = "odoo-snapshots/staging/x"),
            /KubernetesRefreshArgs\.snapshotUri: must be s3:\/\/bucket\/prefix or an absolute directory/,
        ],
        ["baseUrl", (a) => (a.baseUrl = "staging.example.com"), /KubernetesRefreshArgs\.baseUrl: must be an http\(s\) URL, got "staging\.example\.com"/],
        ["mailCatcher", (a) => (a.mailCatcher = { host: "mailpit", port: 0 }), /KubernetesRefreshArgs\.mailCatcher: must name the environment's mail catcher/],
        [
            "allowedDomains",
            (a) => (a.allowedDomains = ["example.com", "*.example.com"]),
            /KubernetesRefreshArgs\.allowedDomains: must list the mail domains .*\*\.example\.com/,
        ],
        ["claim", (a) => (a.claim = "Filestore"), /KubernetesRefreshArgs\.claim: must be a PersistentVolumeClaim name, got "Filestore"/],
        [
            "env",
            (a) => (a.env = { AWS_REGION: "eu-west-1", PGPASSWORD: "other" }),
            /KubernetesRefreshArgs\.env: keys must be variable names other than PGPASSWORD .*got "PGPASSWORD"/,
        ],
    ];
    itRefusesEachBadField(stagingArgs, (args) => new KubernetesRefresh("refresh", args), refusals);
});
