import * as assert from "node:assert/strict";
import { tlsOnlyPolicy } from "../../components/SnapshotBucket";
import {
    cloudflareRecordsProxied,
    databasePasswordsGenerated,
    dockerSocketAllowlist,
    githubProductionProtected,
    noHostNetwork,
    noPrivilegedContainers,
    odooDbUserNotAdmin,
    patternCovers,
    snapshotBucketEncrypted,
    snapshotBucketPrivate,
    snapshotBucketTlsOnly,
    snapshotBucketVersioned,
} from "../../policy/odoo-platform/security";
import { githubTypes } from "../../policy/odoo-platform/lib/types";
import type { RecordedResource } from "../../plan/mockRuntime";
import { container, odooContainer, resource, validateDirectly, violations } from "../support/policies";

/** A bucket as SnapshotBucket declares it; `overrides` replace or drop (undefined) its companions' inputs. */
function snapshotBucket(
    stack: string,
    overrides: { encryption?: object | null; versioning?: object | null; block?: object | null; policy?: unknown; acl?: string } = {},
) {
    const name = `${stack}-snapshots`;
    const bucket = resource(stack, "aws:s3/bucket:Bucket", "snapshots", { bucket: name, acl: overrides.acl });
    const byDependency = { propertyDependencies: { bucket: [bucket] } };
    const out: RecordedResource[] = [bucket];
    const add = (type: string, suffix: string, inputs: object | null | undefined, fallback: object) => {
        if (inputs === null) return;
        out.push(resource(stack, type, `snapshots-${suffix}`, { bucket: name, ...(inputs ?? fallback) }, byDependency));
    };
    add("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "encryption", overrides.encryption, {
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    add("aws:s3/bucketVersioning:BucketVersioning", "versioning", overrides.versioning, { versioningConfiguration: { status: "Enabled" } });
    add("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "public-access", overrides.block, {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    });
    if (overrides.policy !== null) {
        out.push(
            resource(
                stack,
                "aws:s3/bucketPolicy:BucketPolicy",
                "snapshots-tls-only",
                { bucket: name, policy: overrides.policy ?? JSON.stringify(tlsOnlyPolicy(`arn:aws:s3:::${name}`)) },
                byDependency,
            ),
        );
    }
    return out;
}

describe("policies security/snapshot-bucket-*", () => {
    it("pass a bucket declared like SnapshotBucket declares it", async () => {
        for (const policy of [snapshotBucketEncrypted, snapshotBucketVersioned, snapshotBucketPrivate, snapshotBucketTlsOnly]) {
            assert.deepEqual(await violations(policy, snapshotBucket("staging")), [], policy.name);
        }
    });

    it("encrypted: fails a bucket without default encryption", async () => {
        const [message] = await violations(snapshotBucketEncrypted, snapshotBucket("production", { encryption: null }));
        assert.match(
            message,
            /^Bucket "snapshots" \(production-snapshots\) has no default encryption: add an aws\.s3\.BucketServerSideEncryptionConfiguration/,
        );
    });

    it("versioned: fails a bucket whose versioning is suspended", async () => {
        const [message] = await violations(
            snapshotBucketVersioned,
            snapshotBucket("staging", { versioning: { versioningConfiguration: { status: "Suspended" } } }),
        );
        assert.match(message, /is not versioned: add an aws\.s3\.BucketVersioning with versioningConfiguration\.status = Enabled/);
    });

    it("private: fails public-access blocks turned off, a public ACL and a policy open to everyone", async () => {
        const [blocks] = await violations(
            snapshotBucketPrivate,
            snapshotBucket("staging", { block: { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: false } }),
        );
        assert.match(
            blocks,
            /has blockPublicPolicy and restrictPublicBuckets turned off: snapshots hold production data\. Turn all four public-access blocks on \(odoo-platform:snapshotBlockPublicAccess: true\)/,
        );
        const open = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::staging-snapshots/*" }] });
        const [all] = await violations(snapshotBucketPrivate, snapshotBucket("staging", { block: null, acl: "public-read", policy: open }));
        assert.match(all, /has no aws\.s3\.BucketPublicAccessBlock, has the public-read ACL and has a bucket policy allowing everyone/);
    });

    it("tls-only: fails a bucket without a policy, and one whose deny covers only the objects", async () => {
        assert.match((await violations(snapshotBucketTlsOnly, snapshotBucket("staging", { policy: null })))[0], /does not deny plain-HTTP requests/);
        const partial = tlsOnlyPolicy("arn:aws:s3:::staging-snapshots");
        partial.Statement[0].Resource = ["arn:aws:s3:::staging-snapshots/*"];
        assert.equal((await violations(snapshotBucketTlsOnly, snapshotBucket("staging", { policy: JSON.stringify(partial) }))).length, 1);
    });
});

describe("policy security/database-passwords-generated", () => {
    const random = (stack: string, name: string, result: string) =>
        resource(stack, "random:index/randomPassword:RandomPassword", name, { length: 32, special: false }, { outputs: { result } });

    it("passes roles and PostgreSQL containers whose passwords are RandomPassword results, and CI-supplied admin passwords", async () => {
        const pw = random("staging", "owner-password", "R4nd0mR4nd0mR4nd0mR4nd0m");
        const role = resource(
            "staging",
            "postgresql:index/role:Role",
            "owner",
            { name: "o", login: true, password: "R4nd0mR4nd0mR4nd0mR4nd0m" },
            { propertyDependencies: { password: [pw] } },
        );
        const provider = resource("staging", "pulumi:providers:postgresql", "server", { host: "db", username: "postgres" });
        const pgPw = random("dev", "db-password", "anotherGeneratedValue123");
        const pg = container("dev", "postgres", "postgres", { envs: ["POSTGRES_USER=o", "POSTGRES_PASSWORD=anotherGeneratedValue123"] });
        assert.deepEqual(
            await violations(databasePasswordsGenerated, [pw, role, provider, odooContainer("staging", {}, { db_password: "R4nd0mR4nd0mR4nd0mR4nd0m" })]),
            [],
        );
        assert.deepEqual(await violations(databasePasswordsGenerated, [pgPw, pg]), []);
    });

    it("fails a role whose password is a literal, and a PostgreSQL container with a hand-written password", async () => {
        const role = resource("staging", "postgresql:index/role:Role", "owner", { name: "o", login: true, password: "odoo" });
        const pg = container("pr-2", "postgres", "postgres", { envs: ["POSTGRES_PASSWORD=hunter2hunter2hunter2"] });
        const messages = await violations(databasePasswordsGenerated, [role, pg]);
        assert.match(messages[0], /^Role "owner": the password of the PostgreSQL role is not generated by the stack\. Create a random\.RandomPassword/);
        assert.match(messages[1], /the POSTGRES_PASSWORD of the PostgreSQL container is not generated by the stack/);
    });

    it("fails a weak or short db_password and a provider password written in the stack file", async () => {
        const weak = odooContainer("production", {}, { db_password: "admin" });
        const short = odooContainer("staging", {}, { db_password: "s3cr3tpw" });
        assert.match(
            (await violations(databasePasswordsGenerated, [weak]))[0],
            /the db_password Odoo connects with is a well-known default, so it is a literal/,
        );
        assert.match((await violations(databasePasswordsGenerated, [short]))[0], /is shorter than 16 characters/);
        // Pulumi.staging.yaml holds "db-nonprod.internal.insightpulseai.com" in plain text.
        const provider = resource("staging", "pulumi:providers:postgresql", "server", { password: "db-nonprod.internal.insightpulseai.com" });
        assert.match(
            (await violations(databasePasswordsGenerated, [provider]))[0],
            /admin password of the postgresql provider is written in plain text in the stack file/,
        );
    });

    it("reads POSTGRES_PASSWORD_FILE's uploaded content, and leaves a mounted secret file alone", async () => {
        const pw = random("pr-1", "db-password", "generatedgeneratedgenerated");
        const envs = ["POSTGRES_PASSWORD_FILE=/run/pg"];
        const generated = container("pr-1", "postgres", "postgres", { envs, uploads: [{ file: "/run/pg", content: "generatedgeneratedgenerated" }] });
        const literal = container("pr-1", "postgres", "postgres", { envs, uploads: [{ file: "/run/pg", content: "postgres" }] });
        const mounted = container("pr-1", "postgres", "postgres", { envs, mounts: [{ type: "bind", source: "/srv/pg", target: "/run/pg" }] });
        assert.deepEqual(await violations(databasePasswordsGenerated, [pw, generated, mounted]), []);
        assert.match(
            (await violations(databasePasswordsGenerated, [pw, literal]))[0],
            /POSTGRES_PASSWORD of the PostgreSQL container is not generated by the stack/,
        );
    });

    it("fails POSTGRES_HOST_AUTH_METHOD=trust", async () => {
        const pw = random("dev", "db-password", "generatedgeneratedgenerated");
        const pg = container("dev", "postgres", "postgres", { envs: ["POSTGRES_PASSWORD=generatedgeneratedgenerated", "POSTGRES_HOST_AUTH_METHOD=trust"] });
        assert.match((await violations(databasePasswordsGenerated, [pw, pg]))[0], /sets POSTGRES_HOST_AUTH_METHOD=trust/);
    });
});

describe("policy security/odoo-db-user-not-admin", () => {
    it("passes an Odoo connecting with the environment's own role", async () => {
        const provider = resource("staging", "pulumi:providers:postgresql", "server", { host: "db", username: "postgres" });
        assert.deepEqual(await violations(odooDbUserNotAdmin, [provider, odooContainer("staging", {}, { db_user: "odoo_staging_owner" })]), []);
    });

    it("fails an Odoo connecting as postgres, which Odoo itself refuses", async () => {
        const [message] = await violations(odooDbUserNotAdmin, [odooContainer("production", {}, { db_user: "postgres" })]);
        assert.match(message, /connects to PostgreSQL as postgres \(db_user in \/etc\/odoo\/odoo\.conf\): Odoo refuses to start with it/);
    });

    it("fails an Odoo connecting with the admin role of the stack's postgresql provider", async () => {
        const provider = resource("staging", "pulumi:providers:postgresql", "server", { host: "db", username: "platform_admin" });
        assert.match(
            (await violations(odooDbUserNotAdmin, [provider, odooContainer("staging", {}, { db_user: "platform_admin" })]))[0],
            /connects as platform_admin, the admin role/,
        );
    });

    it("is mandatory: every stage, production included, has a role of its own", () => {
        assert.equal(odooDbUserNotAdmin.enforcementLevel, "mandatory");
    });
});

describe("policy security/no-privileged-containers", () => {
    it("passes an ordinary container", async () => {
        assert.deepEqual((await validateDirectly(noPrivilegedContainers, odooContainer("dev"))).messages, []);
    });

    it("fails privileged mode, dangerous capabilities, unconfined seccomp and host devices", async () => {
        const r = container("staging", "x", "observability", {
            privileged: true,
            capabilities: { adds: ["CAP_SYS_ADMIN", "CHOWN"] },
            securityOpts: ["seccomp=unconfined"],
            devices: [{ hostPath: "/dev/kmsg" }],
        });
        const [message] = await violations(noPrivilegedContainers, [r]);
        assert.equal(
            message,
            `Container "x" (odoo-staging-x, role observability) runs privileged, adds SYS_ADMIN, sets seccomp=unconfined and maps host devices: it could take over its Docker host. Remove them from the container.`,
        );
    });
});

describe("policy security/no-host-network", () => {
    it("passes a container on Docker networks", async () => {
        assert.deepEqual(await violations(noHostNetwork, [odooContainer("pr-1", { networksAdvanced: [{ name: "n" }] })]), []);
    });

    it("fails the host network for every role, and other host namespaces outside the allow-list", async () => {
        const exporter = container("production", "exporter", "observability", { networkMode: "host", pidMode: "host" });
        const [message] = await violations(noHostNetwork, [exporter]);
        assert.match(message, /sets networkMode: host: it would bypass the environment's internal network and egress allow-list\. Remove it/);
        const odoo = odooContainer("staging", { pidMode: "host", ipcMode: "host" });
        assert.match(
            (await violations(noHostNetwork, [odoo]))[0],
            /sets pidMode: host and ipcMode: host: it sees \(and may signal\) every process of the host and it shares the host's shared memory/,
        );
    });

    it("lets observability read host processes (pidMode: host) by default, and follows the configured allow-list", async () => {
        const exporter = container("production", "exporter", "observability", { pidMode: "host" });
        assert.deepEqual(await violations(noHostNetwork, [exporter]), []);
        assert.equal((await violations(noHostNetwork, [exporter], { "no-host-network": { allowedHostNamespaces: {} } })).length, 1);
    });
});

describe("policy security/docker-socket-allowlist", () => {
    const socket = { volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }] };

    it("passes the router and observability containers mounting the socket", async () => {
        assert.deepEqual(
            await violations(dockerSocketAllowlist, [
                container("staging", "traefik", "router", socket),
                container("staging", "cadvisor", "observability", socket),
            ]),
            [],
        );
    });

    it("fails the socket (or /var/run) in any other container, by volume or bind mount", async () => {
        const odoo = odooContainer("staging", socket);
        const mailpit = container("staging", "mailpit", "mail-catcher", { mounts: [{ type: "bind", source: "/var/run", target: "/host-run" }] });
        const messages = await violations(dockerSocketAllowlist, [odoo, mailpit]);
        assert.match(
            messages[0],
            /^Container "odoo" \(odoo-staging-odoo, role odoo\) mounts \/var\/run\/docker\.sock: whoever controls this container controls the Docker host\. Only router and observability containers may mount it/,
        );
        assert.match(messages[1], /mounts \/var\/run:/);
    });

    it("follows the allow-list in the policy config", async () => {
        const agent = container("dev", "agent", "egress-proxy", socket);
        assert.deepEqual(await violations(dockerSocketAllowlist, [agent], { "docker-socket-allowlist": { allowedRoles: ["egress-proxy"] } }), []);
    });
});

describe("policy security/cloudflare-records-proxied", () => {
    const record = (inputs: object) =>
        resource("staging", "cloudflare:index/dnsRecord:DnsRecord", "wildcard", {
            zoneId: "z",
            name: "*.dev.example.com",
            type: "A",
            content: "203.0.113.10",
            ttl: 1,
            ...inputs,
        });

    it("passes a proxied record and a TXT record", async () => {
        assert.deepEqual(await violations(cloudflareRecordsProxied, [record({ proxied: true }), record({ type: "TXT", content: "v=spf1" })]), []);
    });

    it("fails a DNS-only A record unless its name is allowed", async () => {
        const { messages } = await validateDirectly(cloudflareRecordsProxied, record({ proxied: false }));
        assert.deepEqual(messages, [
            `DnsRecord "wildcard" (A *.dev.example.com) is not proxied: it would publish the Docker host's address. Set proxied: true.`,
        ]);
        assert.deepEqual((await validateDirectly(cloudflareRecordsProxied, record({}), { unproxiedNames: ["*.dev.example.com"] })).messages, []);
    });
});

describe("policy security/github-production-protected", () => {
    const env = (inputs: object) =>
        resource("production", githubTypes.repositoryEnvironment, "production-env", { repository: "odoo", environment: "production", ...inputs });
    const protection = (inputs: object) =>
        resource("production", githubTypes.branchProtection, "production-branch", {
            repositoryId: "odoo",
            pattern: "production",
            requiredPullRequestReviews: [{ requiredApprovingReviewCount: 1 }],
            ...inputs,
        });

    it("passes a production environment with reviewers and a protected production branch", async () => {
        assert.deepEqual(await violations(githubProductionProtected, [env({ reviewers: [{ users: [1234567] }] }), protection({})]), []);
        const ruleset = resource("production", githubTypes.repositoryRuleset, "rules", {
            target: "branch",
            enforcement: "active",
            conditions: { refName: { includes: ["refs/heads/production"], excludes: [] } },
            rules: { pullRequest: { requiredApprovingReviewCount: 1 }, nonFastForward: true, deletion: true },
        });
        assert.deepEqual(await violations(githubProductionProtected, [env({ reviewers: [{ teams: [42] }] }), ruleset]), []);
    });

    it("fails an environment without reviewers and a branch without protection", async () => {
        const messages = await violations(githubProductionProtected, [env({}), protection({ pattern: "main" })]);
        assert.match(messages[0], /the `production` environment requires no reviewer, so any workflow can deploy production/);
        assert.match(messages[1], /does not protect the `production` branch: add a github\.BranchProtection with pattern "production"/);
    });

    it("fails a protection that allows force pushes and has no gate", async () => {
        const [message] = await violations(githubProductionProtected, [
            env({ reviewers: [{ users: [1] }] }),
            protection({ pattern: "prod*", requiredPullRequestReviews: [], allowsForcePushes: true }),
        ]);
        assert.match(message, /protects `production` but requires neither an approving review nor status checks and allows force pushes/);
    });

    it("accepts a branch fast-forwarded by the approved workflow: status checks instead of reviews", async () => {
        const checksOnly = protection({
            requiredPullRequestReviews: undefined,
            requiredStatusChecks: [{ strict: true, contexts: ["ci / test"] }],
            allowsForcePushes: false,
            allowsDeletions: false,
        });
        assert.deepEqual(await violations(githubProductionProtected, [env({ reviewers: [{ users: [1] }] }), checksOnly]), []);
    });

    it("does nothing in a stack that does not manage GitHub", async () => {
        assert.deepEqual(await violations(githubProductionProtected, [odooContainer("production")]), []);
    });

    it("matches branch patterns the way GitHub does", () => {
        assert.ok(patternCovers("production", "production"));
        assert.ok(patternCovers("prod*", "production"));
        assert.ok(!patternCovers("prod*", "prod/x"));
        assert.ok(patternCovers("**", "prod/x"));
        assert.ok(!patternCovers("main", "production"));
    });
});
