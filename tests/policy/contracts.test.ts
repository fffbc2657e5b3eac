import * as assert from "node:assert/strict";
import { containerLabels, dockerLabels, stableLabels } from "../../config/naming";
import { addonsPathContract, containerLimits, imagesPinnedByDigest, requiredVariablesSet, resourceLabels } from "../../policy/odoo-platform/contracts";
import { dockerTypes } from "../../policy/odoo-platform/lib/types";
import { container, labelled, mailCatcher, odooContainer, resource, stackLabels, validateDirectly, violations } from "../support/policies";

describe("policy contracts/addons-path-contract", () => {
    it("passes an Odoo container whose odoo.conf declares the contract's addons path", async () => {
        assert.deepEqual(await violations(addonsPathContract, [odooContainer("staging")]), []);
        assert.deepEqual((await validateDirectly(addonsPathContract, odooContainer("production"))).messages, []);
    });

    it("fails a container whose addons path differs, naming it, the value, where it came from and how to fix it", async () => {
        const [message] = await violations(addonsPathContract, [odooContainer("staging", {}, { addons_path: "/mnt/extra-addons,/mnt/oca" })]);
        assert.match(
            message,
            /Container "odoo" \(odoo-staging-odoo, role odoo\) runs with addons path \/mnt\/extra-addons,\/mnt\/oca \(addons_path in \/etc\/odoo\/odoo.conf\)/,
        );
        assert.match(message, /contract declares \/mnt\/extra-addons\. Set odoo-platform:addonsPath/);
    });

    it("lets --addons-path on the command line win over the file, as Odoo does", async () => {
        const r = odooContainer("dev", { command: ["odoo", "--config=/etc/odoo/odoo.conf", "--addons-path=/opt/other"] });
        assert.match((await violations(addonsPathContract, [r]))[0], /runs with addons path \/opt\/other \(command line --addons-path\)/);
    });

    it("fails an Odoo container that declares no addons path at all", async () => {
        const r = odooContainer("pr-3", { uploads: [] });
        assert.match((await violations(addonsPathContract, [r]))[0], /declares no addons path/);
    });

    it("compares with the contract given in the policy config", async () => {
        const r = odooContainer("staging", {}, { addons_path: "/a,/b/" });
        assert.deepEqual(await violations(addonsPathContract, [r], { "addons-path-contract": { addonsPath: ["/a", "/b"] } }), []);
    });

    it("ignores containers that do not run Odoo, including a one-shot step that only prepares volumes", async () => {
        const prepare = container("staging", "prepare", "odoo-init", {
            entrypoints: ["/bin/bash"],
            command: ["/opt/prepare.sh"],
            uploads: [{ file: "/opt/prepare.sh", content: "chown odoo /var/lib/odoo" }],
        });
        assert.deepEqual(await violations(addonsPathContract, [mailCatcher("staging"), prepare]), []);
        const installs = container("dev", "prepare", "odoo-init", { uploads: [{ file: "/etc/odoo/odoo.conf", content: "[options]\naddons_path = /opt/x\n" }] });
        assert.match((await violations(addonsPathContract, [installs]))[0], /role odoo-init\) runs with addons path \/opt\/x/);
    });
});

describe("policy contracts/required-variables-set", () => {
    it("passes when every required runtime variable is set", async () => {
        assert.deepEqual(await violations(requiredVariablesSet, [odooContainer("staging"), mailCatcher("staging")]), []);
    });

    it("fails an Odoo container without ODOO_STAGE", async () => {
        const [message] = await violations(requiredVariablesSet, [odooContainer("production", { envs: [] })]);
        assert.match(
            message,
            /Container "odoo" \(odoo-production-odoo, role odoo\) does not set ODOO_STAGE, which the inventory requires in the production stage/,
        );
    });

    it("requires HTTP(S)_PROXY on a non-production Odoo only when the stack runs an egress proxy", async () => {
        const odoo = odooContainer("pr-4");
        assert.deepEqual(await violations(requiredVariablesSet, [odoo]), []);
        const proxy = container("pr-4", "egress", "egress-proxy");
        const messages = await violations(requiredVariablesSet, [odoo, proxy]);
        assert.equal(messages.length, 2);
        assert.match(
            messages[0],
            /does not set HTTP_PROXY, which the inventory requires in the pr stage when the stack runs a container with role egress-proxy/,
        );
        const proxied = odooContainer("pr-4", { envs: ["ODOO_STAGE=pr", "HTTP_PROXY=http://egress:3128", "HTTPS_PROXY=http://egress:3128"] });
        assert.deepEqual(await violations(requiredVariablesSet, [proxied, proxy]), []);
    });

    it("accepts POSTGRES_PASSWORD_FILE naming an uploaded file, and fails one that is neither uploaded nor mounted", async () => {
        const envs = ["POSTGRES_DB=odoo_dev", "POSTGRES_USER=odoo_dev_owner", "POSTGRES_PASSWORD_FILE=/run/secrets/pg"];
        const uploaded = container("dev", "postgres", "postgres", { envs, uploads: [{ file: "/run/secrets/pg", content: "x" }] });
        const mounted = container("dev", "postgres", "postgres", {
            envs,
            volumes: [{ hostPath: "/srv/secrets", containerPath: "/run/secrets", readOnly: true }],
        });
        assert.deepEqual(await violations(requiredVariablesSet, [uploaded]), []);
        assert.deepEqual(await violations(requiredVariablesSet, [mounted]), []);
        const missing = container("dev", "postgres", "postgres", { envs });
        assert.match(
            (await violations(requiredVariablesSet, [missing]))[0],
            /reads POSTGRES_PASSWORD from \/run\/secrets\/pg \(POSTGRES_PASSWORD_FILE\), which is neither uploaded nor mounted/,
        );
    });

    it("fails a dev PostgreSQL container missing POSTGRES_PASSWORD", async () => {
        const pg = container("dev", "postgres", "postgres", { envs: ["POSTGRES_DB=odoo_dev", "POSTGRES_USER=odoo_dev_owner"] });
        assert.match((await violations(requiredVariablesSet, [pg]))[0], /does not set POSTGRES_PASSWORD/);
    });
});

describe("policy contracts/images-pinned-by-digest", () => {
    const digest = "sha256:" + "b".repeat(64);

    it("passes a staging Odoo pulled by digest and a support image on an explicit version", async () => {
        const image = resource("staging", dockerTypes.remoteImage, "odoo-image", { name: `ghcr.io/example/odoo@${digest}` });
        const odoo = odooContainer("staging", { image: `ghcr.io/example/odoo@${digest}` }, {}, { propertyDependencies: { image: [image] } });
        assert.deepEqual(await violations(imagesPinnedByDigest, [image, odoo, mailCatcher("staging")]), []);
    });

    it("fails a staging Odoo whose RemoteImage pulls a tag, even though the container sees the pulled digest", async () => {
        const image = resource("staging", dockerTypes.remoteImage, "odoo-image", { name: "ghcr.io/example/odoo:17.0" });
        const odoo = odooContainer("staging", { image: `ghcr.io/example/odoo@${digest}` }, {}, { propertyDependencies: { image: [image] } });
        const [message] = await violations(imagesPinnedByDigest, [image, odoo]);
        assert.match(
            message,
            /runs ghcr\.io\/example\/odoo:17\.0 through RemoteImage "odoo-image", a tag that can move under a running staging: pin it by digest/,
        );
        assert.match(message, /odoo-platform:odooImage to ghcr\.io\/example\/odoo@sha256:<digest>/);
    });

    it("fails a production Odoo image given directly on a tag, and a support image on latest", async () => {
        const messages = await violations(imagesPinnedByDigest, [
            odooContainer("production", { image: "odoo:17.0" }),
            mailCatcher("production", { image: "axllent/mailpit" }),
        ]);
        assert.equal(messages.length, 2);
        assert.match(messages[0], /runs image odoo:17\.0 in production, which is not pinned by digest/);
        assert.match(messages[1], /runs axllent\/mailpit on a floating tag in production/);
    });

    it("fails an image built during a staging deployment", async () => {
        const built = resource("staging", dockerTypes.image, "odoo-image", { imageName: "odoo-staging:abc" });
        const odoo = odooContainer("staging", { image: "odoo-staging@sha256:" + "c".repeat(64) }, {}, { propertyDependencies: { image: [built] } });
        assert.match((await violations(imagesPinnedByDigest, [built, odoo]))[0], /runs an image built during the deployment/);
    });

    it("does not apply to dev and PR stacks, unless configured to", async () => {
        const tagged = odooContainer("pr-5", { image: "odoo:17.0" });
        assert.deepEqual(await violations(imagesPinnedByDigest, [tagged]), []);
        assert.equal((await violations(imagesPinnedByDigest, [tagged], { "images-pinned-by-digest": { stages: ["pr"] } })).length, 1);
    });
});

describe("policy contracts/container-limits", () => {
    it("passes a container with memory and CPU limits", async () => {
        assert.deepEqual(await violations(containerLimits, [odooContainer("dev")]), []);
    });

    it("fails a container without limits, naming what is missing", async () => {
        const r = container("staging", "grafana", "observability", { memory: undefined, cpus: undefined });
        const { messages } = await validateDirectly(containerLimits, r);
        assert.deepEqual(messages, [
            `Container "grafana" (odoo-staging-grafana, role observability) has no memory (MiB) and cpus limit: set memory (MiB) and cpus on the container (the stage's defaults are odoo-platform:odooMemoryMb and odoo-platform:odooCpus for Odoo).`,
        ]);
    });

    it("accepts a CPU quota instead of cpus", async () => {
        assert.deepEqual(await violations(containerLimits, [container("dev", "x", "router", { cpus: undefined, cpuQuota: 50000, cpuPeriod: 100000 })]), []);
    });
});

describe("policy contracts/resource-labels", () => {
    it("passes labelled Docker objects, AWS resources tagged through the provider, and exempt types", async () => {
        const provider = resource("staging", "pulumi:providers:aws", "aws", { defaultTags: JSON.stringify({ tags: stackLabels("staging") }) });
        const bucket = resource("staging", "aws:s3/bucket:Bucket", "snapshots", { bucket: "b" }, { provider });
        const resources = [
            provider,
            bucket,
            resource("staging", dockerTypes.network, "net", labelled("staging")),
            odooContainer("staging"),
            resource("staging", "random:index/randomPassword:RandomPassword", "pw", { length: 32 }),
            resource("staging", "aws:s3/bucketVersioning:BucketVersioning", "v", { bucket: "b" }),
            resource("staging", "command:local:Command", "restore", { create: "true" }),
            resource("staging", "odoo-platform:environment:OdooEnvironment", "odoo", {}),
        ];
        assert.deepEqual(await violations(resourceLabels, resources), []);
    });

    it("fails a volume without labels and an IAM policy without tags", async () => {
        const messages = await violations(resourceLabels, [
            resource("production", dockerTypes.volume, "filestore", { name: "odoo-production-filestore" }),
            resource("production", "aws:iam/policy:Policy", "writer", { policy: "{}" }),
        ]);
        assert.equal(messages.length, 2);
        assert.match(
            messages[0],
            /^Volume "filestore" \(odoo-production-filestore\) lacks the odoo-platform\.stage and odoo-platform\.stack labels: build them with resourceLabels\(\)/,
        );
        assert.match(messages[1], /^Policy "writer" lacks the .* tags \(or the provider's defaultTags\)/);
    });

    it("fails labels that belong to another stack, a git SHA that is not one, and a container without a role", async () => {
        const wrong = resource("staging", dockerTypes.volume, "v", {
            labels: dockerLabels({ ...stackLabels("staging"), "odoo-platform.stage": "production", "odoo-platform.git-sha": "uncommitted" }),
        });
        const noRole = resource("staging", dockerTypes.container, "c", { image: "x:1", ...labelled("staging") });
        const messages = await violations(resourceLabels, [wrong, noRole]);
        assert.match(messages[0], /is labelled odoo-platform\.stage=production but belongs to stack staging \(odoo-platform\.stage=staging\)/);
        assert.match(messages[1], /is labelled odoo-platform\.git-sha=uncommitted, which is not a commit SHA/);
        assert.ok(
            messages.some((m) => /has no odoo-platform\.role label: policies find Odoo/.test(m)),
            messages.join("\n"),
        );
    });

    it("fails a per-commit label on a volume, a network or a long-lived container, and its absence on the code containers", async () => {
        const sha = { "odoo-platform.git-sha": "3f2c1e9aa0" };
        const messages = await violations(resourceLabels, [
            resource("staging", dockerTypes.volume, "filestore", {
                name: "odoo-staging-filestore",
                labels: dockerLabels({ ...stackLabels("staging"), ...sha }),
            }),
            resource("staging", dockerTypes.network, "edge", { name: "odoo-edge", labels: dockerLabels({ ...stackLabels("staging"), ...sha }) }),
            container("staging", "traefik", "router", { labels: dockerLabels({ ...stackLabels("staging"), ...sha, "odoo-platform.role": "router" }) }),
            odooContainer("staging", { labels: containerLabels(stableLabels(stackLabels("staging")), "odoo") }),
        ]);
        assert.equal(messages.length, 4, messages.join("\n"));
        assert.match(
            messages[0],
            /^Volume "filestore" .* carries odoo-platform\.git-sha: the docker provider replaces a Volume whose labels change, so every deploy would delete its data/,
        );
        assert.match(messages[1], /Network "edge" .* every deploy would try to delete a network its containers still use/);
        assert.match(messages[2], /Container "traefik" .* every deploy would recreate it/);
        assert.match(messages[3], /Container "odoo" .* lacks the odoo-platform\.git-sha labels/);
    });

    it("reports a resource type nobody said how to label", async () => {
        const [message] = await violations(resourceLabels, [resource("dev", "azure-native:storage:StorageAccount", "sa", {})]);
        assert.match(message, /is of type azure-native:storage:StorageAccount, which policy\/lib\/labels\.ts does not know/);
    });

    it("reads a Kubernetes object's metadata.labels, and names them in its message", async () => {
        const labels = { "odoo-platform.stage": "pr", "odoo-platform.stack": "pr-7" };
        assert.deepEqual(
            await violations(resourceLabels, [resource("pr-7", "kubernetes:core/v1:Namespace", "ns", { metadata: { name: "pr-7", labels } })]),
            [],
        );
        const [message] = await violations(resourceLabels, [
            resource("pr-7", "kubernetes:core/v1:ConfigMap", "conf", { metadata: { labels: { "odoo-platform.stage": "pr" } } }),
        ]);
        assert.match(message, /ConfigMap "conf" .*lacks the odoo-platform\.stack metadata\.labels/);
    });

    it("is not applicable outside odoo-platform stacks", async () => {
        const r = resource("my-other-stack", dockerTypes.volume, "v", {});
        assert.match((await validateDirectly(resourceLabels, r)).notApplicable ?? "", /does not name an odoo-platform stage/);
    });
});
