import * as assert from "node:assert/strict";
import * as path from "node:path";
import { readStackConfigFile } from "../../config/files";
import { ConfigError, projectValues, RawConfig, resolveSettings, StackSettings } from "../../config/load";
import { databaseSlice, edgeSlice, kubernetesSlice, stackSlices } from "../../config/slices";
import { stackIdentity } from "../../config/stage";

const root = path.resolve(__dirname, "../..");
const sha = "0123456789abcdef0123456789abcdef01234567";

function fromFile(file: string, extra: Record<string, string> = {}): RawConfig {
    const parsed = readStackConfigFile(path.join(root, file));
    return { values: { ...projectValues(parsed.values), ...extra }, secretKeys: new Set(parsed.secretKeys.map((k) => k.split(":")[1])), file };
}

function settingsOf(stack: string, extra: Record<string, string> = {}): StackSettings {
    const identity = stackIdentity(stack);
    const file = identity.stage === "pr" ? "Pulumi.pr.yaml" : `Pulumi.${stack}.yaml`;
    return resolveSettings({
        identity,
        stack: identity.stage === "pr" ? { values: extra, secretKeys: new Set(), file: "CI" } : fromFile(file, extra),
        prDefaults: identity.stage === "pr" ? fromFile(file) : undefined,
        env: { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "feature/x" },
    });
}

/** Settings of a stack on the Kubernetes runtime, from its example (examples/kubernetes/Pulumi.<stage>.yaml). */
function kubernetesSettingsOf(stack: string, extra: Record<string, string> = {}): StackSettings {
    const identity = stackIdentity(stack);
    const file = `examples/kubernetes/Pulumi.${identity.stage}.yaml`;
    return resolveSettings({
        identity,
        stack: identity.stage === "pr" ? { values: extra, secretKeys: new Set(), file: "CI" } : fromFile(file, extra),
        prDefaults: identity.stage === "pr" ? fromFile(file) : undefined,
        env: { ODOO_PLATFORM_GIT_SHA: sha, ODOO_PLATFORM_GIT_BRANCH: "feature/x" },
    });
}

/** Settings the loader accepted, with one value taken away afterwards (as a loader bug would leave them). */
const without = (cfg: StackSettings, key: keyof StackSettings["settings"]): StackSettings => ({ ...cfg, settings: { ...cfg.settings, [key]: undefined } });

describe("settings slices", () => {
    it("production: its own bucket, evidence database, repository, server database and public router", () => {
        const cfg = settingsOf("production");
        const slices = stackSlices(cfg);
        const s = cfg.settings;
        assert.equal(slices.profile.stage, "production");
        assert.deepEqual(slices.snapshotBucket, {
            bucketName: s.snapshotBucket,
            blockPublicAccess: s.snapshotBlockPublicAccess,
            kmsKeyId: s.snapshotKmsKeyId,
            retention: {
                dailyKeep: s.snapshotKeepDaily,
                weeklyKeep: s.snapshotKeepWeekly,
                monthlyKeep: s.snapshotKeepMonthly,
                stagingSnapshotDays: s.stagingSnapshotDays,
            },
        });
        assert.equal(slices.snapshotRestore, undefined, "production serves its own data");
        assert.deepEqual(slices.evidenceDatabase, {
            host: s.evidenceDbHost,
            port: s.evidenceDbPort,
            database: s.evidenceDbName ?? "postgres",
            adminUser: s.evidenceDbAdminUser,
            adminPassword: s.evidenceDbAdminPassword,
            sslMode: s.evidenceDbSslMode,
        });
        assert.deepEqual(slices.github, {
            repository: s.githubRepository,
            owner: s.githubRepository?.split("/")[0],
            productionReviewers: s.githubProductionReviewers,
        });
        const database = databaseSlice(cfg, slices);
        assert.equal(database.kind, "production");
        assert.ok(database.kind === "production" && database.server === slices.databaseServer, "the one server slice, not a second copy");
        assert.deepEqual(slices.databaseServer, {
            host: s.dbHost,
            port: s.dbPort,
            adminUser: s.dbAdminUser,
            adminPassword: s.dbAdminPassword,
            sslMode: s.dbSslMode,
            sslRootCert: s.dbSslRootCert,
        });
        assert.deepEqual(edgeSlice(cfg, slices), {
            owner: "self",
            exposure: "public",
            prSlots: 0,
            acmeEmail: s.acmeEmail,
            dns: { zoneId: s.cloudflareZoneId, publicIp: s.publicIp },
        });
    });

    it("staging: a sanitized bucket, a neutralized copy of the latest snapshot, and a router with the PR slots", () => {
        const cfg = settingsOf("staging");
        const slices = stackSlices(cfg);
        assert.equal(slices.evidenceDatabase, undefined);
        assert.equal(slices.github, undefined);
        assert.deepEqual(slices.snapshotRestore, { bucket: cfg.settings.snapshotBucket, id: "latest" });
        const database = databaseSlice(cfg, slices);
        assert.ok(database.kind === "neutralized-copy");
        assert.deepEqual(database.snapshot, slices.snapshotRestore);
        const edge = edgeSlice(cfg, slices);
        assert.ok(edge.owner === "self" && edge.exposure === "public");
        assert.equal(edge.prSlots, cfg.settings.prConcurrencyLimit);
    });

    it("dev: a database container of its own and a local router, no bucket, no server", () => {
        const cfg = settingsOf("dev");
        const slices = stackSlices(cfg);
        assert.deepEqual(
            [slices.snapshotBucket, slices.snapshotRestore, slices.databaseServer, slices.evidenceDatabase, slices.github],
            [undefined, undefined, undefined, undefined, undefined],
        );
        assert.deepEqual(databaseSlice(cfg, slices), { kind: "container", image: cfg.settings.postgresImage, slowQueryMs: cfg.settings.slowQueryMs });
        assert.deepEqual(edgeSlice(cfg, slices), { owner: "self", exposure: "local", prSlots: 0 });
    });

    it("a PR: the shared router and its slot; a neutralized copy only when it asks for a snapshot", () => {
        const fresh = settingsOf("pr-4", { prSlot: "3" });
        assert.deepEqual(edgeSlice(fresh, stackSlices(fresh)), { owner: "shared", stack: fresh.settings.sharedStack, slot: 3 });
        assert.equal(databaseSlice(fresh, stackSlices(fresh)).kind, "container");
        const restoring = settingsOf("pr-4", { snapshotId: "2026-01-01T00-00-00Z", snapshotBucket: "ipai-staging-snapshots", dbHost: "db.staging.internal" });
        const slices = stackSlices(restoring);
        assert.deepEqual(slices.snapshotRestore, { bucket: "ipai-staging-snapshots", id: "2026-01-01T00-00-00Z" });
        assert.deepEqual(slices.plan, { database: "neutralized-copy", init: "update", restoresSnapshot: true });
        const database = databaseSlice(restoring, slices);
        assert.ok(database.kind === "neutralized-copy" && database.server.host === "db.staging.internal");
    });

    it("Kubernetes, production: its own RDS instance, no budget, no isolation, its certificate and DNS records", () => {
        const cfg = kubernetesSettingsOf("production");
        const s = cfg.settings;
        const kube = kubernetesSlice(cfg, stackSlices(cfg));
        assert.deepEqual(kube.decisions, { namespace: "per-stage", budgeted: false, databaseServer: "managed", scalesOut: true });
        assert.deepEqual(kube.databaseServer, {
            kind: "managed",
            instance: {
                instanceClass: "db.m6g.large",
                engineVersion: s.rdsEngineVersion,
                allocatedStorageGb: s.rdsAllocatedStorageGb,
                multiAz: true,
                backupRetentionDays: 14,
                subnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-1b2c3d4e5f6071829"],
                vpcId: "vpc-0a1b2c3d4e5f60718",
                clusterSecurityGroupId: "sg-0a1b2c3d4e5f60718",
                port: s.dbPort,
                adminUser: s.dbAdminUser,
                adminPassword: s.dbAdminPassword,
                slowQueryMs: s.slowQueryMs,
            },
            sslMode: "require",
            sslRootCert: s.dbSslRootCert,
        });
        assert.deepEqual([kube.budget, kube.isolation, kube.refreshImage], [undefined, undefined, undefined]);
        assert.deepEqual(kube.ingress, { className: "nginx", issuer: "letsencrypt-cloudflare" });
        assert.deepEqual(kube.dns, { zoneId: "0123456789abcdef0123456789abcdef", publicIp: "203.0.113.20" });
        assert.deepEqual(kube.filestore, { storageClass: "efs-sc", sizeGb: 200 });
        // Production's database CIDRs would not isolate it: it is not an isolated environment.
        const withCidrs = kubernetesSettingsOf("production", { databaseCidrs: '["10.1.0.0/16"]' });
        assert.equal(kubernetesSlice(withCidrs, stackSlices(withCidrs)).isolation, undefined);
    });

    it("Kubernetes, staging: its own RDS instance, an isolated namespace, the refresh image", () => {
        const cfg = kubernetesSettingsOf("staging");
        const kube = kubernetesSlice(cfg, stackSlices(cfg));
        assert.equal(kube.databaseServer.kind, "managed");
        assert.deepEqual(kube.isolation, {
            databaseCidrs: ["10.20.32.0/20", "10.20.48.0/20"],
            databasePort: cfg.settings.dbPort,
            egressAllowlist: ["apps.odoo.com"],
        });
        assert.equal(kube.budget, undefined);
        assert.equal(kube.refreshImage, cfg.settings.opsImage);
        assert.ok(kube.dns && kube.ingress.issuer);
    });

    it("Kubernetes, a PR: a budgeted, isolated namespace on the staging server, the wildcard certificate, no DNS records", () => {
        const cfg = kubernetesSettingsOf("pr-7", { certIssuer: "other-issuer" });
        const slices = stackSlices(cfg);
        const kube = kubernetesSlice(cfg, slices);
        const s = cfg.settings;
        assert.deepEqual(kube.decisions, { namespace: "per-stack", budgeted: true, databaseServer: "staging-server", scalesOut: false });
        assert.ok(kube.databaseServer.kind === "staging-server" && kube.databaseServer.server === slices.databaseServer, "the one server slice");
        assert.equal(slices.databaseServer?.host, "odoo-staging-db.c1a2b3c4d5e6.eu-west-1.rds.amazonaws.com");
        assert.deepEqual(kube.budget, { maxCpus: s.prMaxCpus, maxMemoryMb: s.prMaxMemoryMb, storageGb: s.filestoreGb });
        assert.ok(kube.isolation);
        assert.deepEqual(kube.ingress, { className: s.ingressClass, issuer: undefined });
        assert.deepEqual([kube.dns, kube.refreshImage], [undefined, undefined]);
        const opsImage = "ghcr.io/insightpulseai/odoo-platform-ops@sha256:" + "a".repeat(64);
        const restoring = kubernetesSettingsOf("pr-7", { snapshotId: "2026-01-01T00-00-00Z", snapshotBucket: "ipai-staging-snapshots", opsImage });
        assert.equal(kubernetesSlice(restoring, stackSlices(restoring)).refreshImage, opsImage);
    });

    it("names the key a stage needs when its value is missing, as the loader does", () => {
        const message = (fn: () => unknown) => {
            try {
                fn();
            } catch (err) {
                assert.ok(err instanceof ConfigError, String(err));
                return err.problems.join("\n");
            }
            assert.fail("expected a ConfigError");
        };
        const kubernetes = (cfg: StackSettings) => () => kubernetesSlice(cfg, stackSlices(cfg));
        assert.match(message(kubernetes(settingsOf("dev"))), /odoo-platform:runtime kubernetes is not for the dev stage/);
        assert.match(
            message(kubernetes(without(kubernetesSettingsOf("production"), "rdsVpcId"))),
            /odoo-platform:rdsVpcId is required for production's RDS instance/,
        );
        assert.match(message(kubernetes(without(kubernetesSettingsOf("pr-7"), "dbHost"))), /odoo-platform:dbHost is required for the staging database server/);
        assert.match(message(kubernetes(without(kubernetesSettingsOf("staging"), "opsImage"))), /odoo-platform:opsImage is required for the refresh Jobs/);
        assert.match(message(kubernetes(without(kubernetesSettingsOf("staging"), "publicIp"))), /odoo-platform:publicIp is required for staging's DNS records/);
        assert.match(
            message(() => stackSlices(without(settingsOf("production"), "evidenceDbHost"))),
            /odoo-platform:evidenceDbHost is required in production/,
        );
        assert.match(
            message(() => stackSlices(without(settingsOf("production"), "githubRepository"))),
            /odoo-platform:githubRepository is required/,
        );
        assert.match(
            message(() => stackSlices(without(settingsOf("staging"), "snapshotBucket"))),
            /odoo-platform:snapshotBucket is required/,
        );
        const staging = without(settingsOf("staging"), "dbHost");
        assert.match(
            message(() => databaseSlice(staging, stackSlices(staging))),
            /odoo-platform:dbHost is required for staging's database/,
        );
        const production = without(settingsOf("production"), "publicIp");
        assert.match(
            message(() => edgeSlice(production, stackSlices(production))),
            /odoo-platform:publicIp is required for production's public router/,
        );
        const pr = without(settingsOf("pr-4"), "sharedStack");
        assert.match(
            message(() => edgeSlice(pr, stackSlices(pr))),
            /odoo-platform:sharedStack is required/,
        );
    });
});
