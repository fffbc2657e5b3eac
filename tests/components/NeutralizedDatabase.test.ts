/**
 * NeutralizedDatabase in the staging plan (with the rest of the program), then built from its own
 * args under the mock runtime.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    adminPasswordFile,
    afterLabel,
    idleSteps,
    NeutralizedDatabase,
    NeutralizedDatabaseArgs,
    neutralizedDatabaseSteps,
    snapshotLabel,
    stepNames,
} from "../../components/NeutralizedDatabase";
import { resourceLabels } from "../../config/naming";
import { databaseReadyLabel } from "../../components/OdooEnvironment";
import { isSecretValue, RecordedResource, unwrapSecrets } from "../../plan/mockRuntime";
import { sampleLatestSnapshot } from "../../plan/mockOutputs";
import { planStack, PlanResult } from "../../plan/plan";
import { diffPlans } from "../../plan/secondDeploy";
import { buildUnderMocks, failureOf } from "../support/component";
import { labelsOf, one, Recording, Resource } from "../support/plan";

const env = {
    ...process.env,
    ODOO_PLATFORM_GIT_SHA: "abcdef1",
    PGPASSWORD: "admin-password-from-ci",
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "aws-secret-from-ci",
};
const steps = ["database-restore", "database-neutralize", "database-verify", "database-swap"];
const labels = (r: RecordedResource) => Object.fromEntries(((unwrapSecrets(r.inputs) as any).labels ?? []).map((l: any) => [l.label, l.value]));

describe("NeutralizedDatabase", function () {
    this.timeout(60000);
    let plan: PlanResult;
    const find = (name: string, p = plan) => {
        const r = p.recorded.find((x) => x.name === name);
        assert.ok(r, `resource ${name} planned`);
        return r!;
    };

    before(async () => {
        plan = await planStack({ stack: "staging", env });
        assert.deepEqual(plan.errors, []);
    });

    it("creates the owner role with a random secret password and the database on the stage's server, kept when the stack is destroyed", () => {
        const provider = find("database-server");
        assert.equal((provider.inputs as any).host, "db-nonprod.internal.insightpulseai.com");
        assert.equal((provider.inputs as any).sslmode, "require");
        const role = find("database-owner");
        assert.equal((role.inputs as any).name, "odoo_staging_owner");
        assert.ok(isSecretValue((role.inputs as any).password), "the owner password is a secret");
        const db = find("database-database");
        assert.equal((db.inputs as any).name, "odoo_staging");
        for (const r of [role, db]) assert.equal(r.options.retainOnDelete, true, r.name);
    });

    it("runs the four steps as one-shot containers on the Docker host, in order, each only after its predecessor exited 0", () => {
        const containers = steps.map((s) => find(s));
        for (const c of containers) {
            assert.equal(c.type, "docker:index/container:Container", c.name);
            const inputs = unwrapSecrets(c.inputs) as any;
            assert.equal(inputs.attach, true);
            assert.equal(inputs.mustRun, false);
            assert.equal(inputs.restart, "no");
            assert.equal(labels(c)["odoo-platform.role"], "data-step");
            assert.ok(c.provider?.includes("pulumi:providers:docker"), `${c.name} runs through the docker provider`);
        }
        for (let i = 1; i < containers.length; i++) {
            assert.ok(containers[i].dependencies.includes(containers[i - 1].urn), `${containers[i].name} waits for ${containers[i - 1].name}`);
            assert.equal(labels(containers[i])[afterLabel], "0", `${containers[i].name} carries its predecessor's exit code`);
        }
        // No data moves through the runner: no local command restores anything.
        const local = plan.recorded.filter((r) => r.type === "command:local:Command");
        assert.ok(
            local.every((r) => !/snapshot restore|db neutralize|db verify/.test(JSON.stringify(r.inputs))),
            "a local command moves data",
        );
        const restore = unwrapSecrets(find("database-restore").inputs) as any;
        assert.deepEqual(restore.command.slice(0, 4), [
            "snapshot",
            "restore",
            "--from",
            `s3://insightpulseai-odoo-staging-snapshots/staging/${sampleLatestSnapshot}`,
        ]);
        assert.ok(restore.command.includes("--require-sanitized"));
        assert.deepEqual(restore.command.slice(-2), ["--filestore", "/filestore/odoo_staging__pending"]);
        assert.ok(
            restore.volumes.some((v: any) => v.volumeName === "odoo-staging-filestore" && v.containerPath === "/filestore"),
            "the environment's filestore volume is mounted",
        );
        const swap = unwrapSecrets(find("database-swap").inputs) as any;
        assert.deepEqual(swap.command.slice(-4), ["--filestore", "/filestore/odoo_staging", "--candidate-filestore", "/filestore/odoo_staging__pending"]);
    });

    it("resolves `latest` to the concrete snapshot at deploy time: every step carries its id, a new snapshot replaces (re-runs) all four and nothing stateful", async () => {
        for (const s of steps) {
            assert.equal(labels(find(s))[snapshotLabel], sampleLatestSnapshot);
            assert.ok(!JSON.stringify(find(s).inputs).includes("/staging/latest"), `${s} still names the pointer`);
        }
        const a = await planStack({ stack: "staging", env, configOverrides: { "odoo-platform:snapshotId": "odoo_production-20260105T030000Z" } });
        const b = await planStack({ stack: "staging", env, configOverrides: { "odoo-platform:snapshotId": "odoo_production-20260112T030000Z" } });
        const diffs = diffPlans(a.recorded, b.recorded);
        assert.deepEqual(
            diffs
                .filter((d) => d.change === "replace")
                .map((d) => d.name)
                .sort(),
            [...steps].sort(),
        );
        assert.deepEqual(
            diffs.filter((d) => d.change === "update" || d.change === "create" || d.change === "delete").map((d) => d.name),
            [],
        );
    });

    it("keeps secrets out of command lines, logs and state: PGPASSWORD and AWS keys as secret envs, the admin password in a file on the host", () => {
        for (const name of steps) {
            const step = find(name);
            const inputs = unwrapSecrets(step.inputs) as any;
            assert.ok(!JSON.stringify(inputs.command).includes("admin-password-from-ci"), `${name}: password on the command line`);
            // The runtime marks the whole list secret once one entry is.
            assert.ok(isSecretValue((step.inputs as any).envs), `${name}: its environment is secret in the state`);
            const secretEnvs = inputs.envs as string[];
            assert.ok(secretEnvs.includes("PGPASSWORD=admin-password-from-ci"), `${name}: PGPASSWORD is secret`);
            assert.ok(secretEnvs.includes("AWS_SECRET_ACCESS_KEY=aws-secret-from-ci"), `${name}: the AWS key is secret`);
            assert.deepEqual(step.options.additionalSecretOutputs, ["containerLogs"], `${name}: its logs are secret in the state`);
        }
        const neutralize = unwrapSecrets(find("database-neutralize").inputs) as any;
        assert.deepEqual(neutralize.command.slice(-2), ["--admin-password-file", adminPasswordFile]);
        assert.ok(neutralize.volumes.some((v: any) => v.volumeName === "odoo-staging-refresh-secrets" && adminPasswordFile.startsWith(v.containerPath)));
        assert.equal(plan.outputs.adminPasswordVolume, "odoo-staging-refresh-secrets");
    });

    it("gates Odoo on verify and swap, and the prepare step on the steps' exit codes", () => {
        const odoo = find("odoo-odoo");
        const prepare = find("odoo-prepare");
        assert.ok(prepare.dependencies.includes(find("database-verify").urn));
        assert.ok(prepare.dependencies.includes(find("database-swap").urn));
        assert.ok(odoo.dependencies.includes(prepare.urn));
        assert.equal(labels(prepare)[databaseReadyLabel], "0");
    });

    it("drops a pending copy (and kept previous ones) when the stack is destroyed", () => {
        const cleanup = unwrapSecrets(find("database-cleanup").inputs) as any;
        assert.match(cleanup.delete, /staging cleanup --db "\$TARGET_DB_URL" --drop-pending --drop-previous/);
        assert.equal(cleanup.environment.TARGET_DB_URL, "postgresql://postgres@db-nonprod.internal.insightpulseai.com:5432/odoo_staging?sslmode=require");
    });

    it("starts on an empty database while the bucket holds no snapshot yet (the first deploy creates the bucket)", async () => {
        const empty = await planStack({ stack: "staging", env, configOverrides: { "odoo-platform:snapshotBucket": "no-snapshot-yet-bucket" } });
        assert.deepEqual(empty.errors, []);
        const idle = idleSteps({ host: "db-nonprod.internal.insightpulseai.com", port: 5432, adminUser: "postgres", sslMode: "require" }, "odoo_staging");
        for (const s of steps) {
            const command = (unwrapSecrets(find(s, empty).inputs) as any).command;
            assert.deepEqual(command, idle.restore, s);
        }
    });

    it("is absent from dev and snapshot-less PR stacks, which keep the fresh demo database", async () => {
        for (const stack of ["dev", "pr-12"]) {
            const p = await planStack({ stack, env: { ...env, ODOO_PLATFORM_GIT_BRANCH: "feature/x" } });
            assert.deepEqual(p.errors, [], stack);
            assert.equal(p.recorded.filter((r) => r.type === "odoo-platform:data:NeutralizedDatabase").length, 0, stack);
        }
    });

    it("builds argument vectors, never shell text: a value with spaces stays one argument", () => {
        const argv = neutralizedDatabaseSteps({
            server: { host: "h", port: 5432, adminUser: "postgres", sslMode: "require" },
            database: "odoo_x",
            owner: "o",
            baseUrl: "https://a b",
            mailCatcher: { host: "m", port: 1 },
            allowedDomains: ["x.example.com"],
            pending: "odoo_x__pending",
            snapshotUri: "s3://b/staging/s1",
            filestoreRoot: "/filestore",
        });
        assert.ok(argv.neutralize.includes("https://a b"));
        assert.deepEqual(argv.verify.slice(-2), ["--allow-domain", "x.example.com"]);
    });
});

describe("NeutralizedDatabase from its own args", function () {
    this.timeout(60_000);
    const server = { host: "db.internal.example.com", port: 5432, adminUser: "postgres", adminPassword: "admin-secret", sslMode: "require" };
    const args = (over: Partial<NeutralizedDatabaseArgs> = {}): NeutralizedDatabaseArgs => ({
        stage: "staging",
        prefix: "odoo-staging",
        labels: resourceLabels({ stage: "staging", stack: "staging", gitSha: "abcdef1" }),
        server,
        database: "odoo_staging",
        owner: "odoo_staging_owner",
        snapshotUri: "s3://snapshots-bucket/staging/odoo_production-20260105T030000Z",
        baseUrl: "https://staging.example.com",
        mailCatcher: { host: "mailpit", port: 1025 },
        allowedDomains: ["staging.example.com"],
        runner: { image: "odoo-platform/ops:1", filestoreVolume: "odoo-staging-filestore", env: { AWS_SECRET_ACCESS_KEY: pulumi.secret("aws-secret") } },
        workDir: "/srv/odoo-platform",
        retention: { retainOnDelete: true },
        ...over,
    });
    const build = (a: NeutralizedDatabaseArgs) =>
        buildUnderMocks(
            () => new NeutralizedDatabase("database", a),
            (d) => ({ gate: d.gate, secretsVolume: d.secretsVolume, databaseName: d.databaseName }),
        );
    const step = (built: Recording, name: string) => one(built, "docker:index/container:Container", `database-${name}`);
    const labelOf = (r: Resource, key: string) => labelsOf(r)[key];

    it("declares the owner role and database on the server, kept by the retention, then the four steps in order", async () => {
        const built = await build(args());
        const provider = one(built, "pulumi:providers:postgresql", "database-server");
        assert.deepEqual(
            [provider.inputs.host, provider.inputs.port, provider.inputs.username, provider.inputs.sslmode, provider.inputs.superuser],
            ["db.internal.example.com", "5432", "postgres", "require", "false"],
        );
        const role = one(built, "postgresql:index/role:Role", "database-owner");
        assert.deepEqual([role.inputs.name, role.inputs.login], ["odoo_staging_owner", true]);
        assert.ok(isSecretValue(built.recorded.find((r) => r.name === "database-owner")!.inputs.password), "the owner's password is secret");
        const db = one(built, "postgresql:index/database:Database", "database-database");
        assert.deepEqual(
            [db.inputs.name, db.inputs.owner, db.inputs.template, db.inputs.encoding],
            ["odoo_staging", "odoo_staging_owner", "template0", "UTF8"],
        );
        for (const name of ["database-owner", "database-database", "database-secrets"])
            assert.equal(built.recorded.find((r) => r.name === name)!.options.retainOnDelete, true, name);
        assert.equal(one(built, "docker:index/volume:Volume", "database-secrets").inputs.name, "odoo-staging-refresh-secrets");

        const expected = neutralizedDatabaseSteps({
            ...args(),
            snapshotUri: "s3://snapshots-bucket/staging/odoo_production-20260105T030000Z",
            pending: "odoo_staging__pending",
            filestoreRoot: "/filestore",
        });
        for (const [i, name] of stepNames.entries()) {
            const container = step(built, name);
            assert.equal(container.inputs.name, `odoo-staging-refresh-${name}`);
            assert.deepEqual(container.inputs.command, expected[name], name);
            assert.equal(container.inputs.image, "odoo-platform/ops:1");
            assert.equal(labelOf(container, snapshotLabel), "odoo_production-20260105T030000Z");
            assert.equal(labelOf(container, afterLabel), i === 0 ? "start" : "0", name);
            if (i > 0) assert.ok(container.dependsOn.includes(`database-${stepNames[i - 1]}`), `${name} waits for ${stepNames[i - 1]}`);
            assert.deepEqual(
                (container.inputs.volumes as { volumeName: string; containerPath: string }[]).map((v) => [v.volumeName, v.containerPath]),
                [
                    ["odoo-staging-filestore", "/filestore"],
                    ["odoo-staging-refresh-secrets", "/run/odoo-platform/secrets"],
                ],
            );
        }
        assert.ok(step(built, "restore").dependsOn.includes("database-database"));
        const envs = step(built, "verify").inputs.envs as string[];
        assert.ok(envs.includes("PGPASSWORD=admin-secret") && envs.includes("AWS_SECRET_ACCESS_KEY=aws-secret"));
        assert.ok(isSecretValue(built.recorded.find((r) => r.name === "database-verify")!.inputs.envs), "the steps' environment is secret");
        assert.deepEqual(built.outputs, { gate: "0", secretsVolume: "odoo-staging-refresh-secrets", databaseName: "odoo_staging" });
        const cleanup = one(built, "command:local:Command", "database-cleanup");
        assert.equal(cleanup.inputs.environment.TARGET_DB_URL, "postgresql://postgres@db.internal.example.com:5432/odoo_staging?sslmode=require");
        assert.equal(cleanup.inputs.dir, "/srv/odoo-platform");
    });

    it("without a snapshot yet, every step only cleans up and carries the snapshot 'none'", async () => {
        const built = await build(args({ snapshotUri: undefined }));
        const idle = idleSteps(server, "odoo_staging");
        for (const name of stepNames) {
            assert.deepEqual(step(built, name).inputs.command, idle[name], name);
            assert.equal(labelOf(step(built, name), snapshotLabel), "none");
            assert.ok((step(built, name).inputs.envs as string[]).includes("ODOO_PLATFORM_SNAPSHOT=none"));
        }
    });

    it("a server CA in PEM reaches every step as a file libpq reads; without an admin password no PGPASSWORD", async () => {
        const pem = "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n";
        const built = await build(args({ server: { ...server, adminPassword: undefined, sslMode: "verify-full", sslRootCert: pem } }));
        for (const name of stepNames) {
            const container = step(built, name);
            assert.deepEqual(container.inputs.uploads, [{ file: "/run/odoo-platform/secrets/db-root.crt", content: pem }], name);
            const envs = container.inputs.envs as string[];
            assert.ok(envs.includes("PGSSLROOTCERT=/run/odoo-platform/secrets/db-root.crt"), name);
            assert.ok(!envs.some((e) => e.startsWith("PGPASSWORD=")), name);
        }
    });

    it("refuses bad args before creating anything (not even the component), naming the field", async () => {
        const cases: [NeutralizedDatabaseArgs, RegExp][] = [
            [args({ stage: "production" }), /args\.stage must not be production, whose database is production's own/],
            [args({ server: { ...server, host: "" } }), /args\.server\.host is required/],
            [args({ prefix: "Odoo Staging" }), /args\.prefix must be the environment's Docker prefix/],
            [args({ database: "odoo-staging" }), /args\.database must be a lower-case PostgreSQL identifier, got "odoo-staging"/],
            [args({ owner: "Owner" }), /args\.owner must be a lower-case PostgreSQL identifier/],
            [args({ snapshotUri: "https://bucket/staging/x" }), /args\.snapshotUri must be s3:\/\/bucket\/prefix or an absolute directory/],
            [args({ snapshotUri: "s3://snapshots-bucket/staging/latest" }), /args\.snapshotUri must name a concrete snapshot, not latest/],
            [args({ baseUrl: "staging.example.com" }), /args\.baseUrl must be an http\(s\) URL/],
            [args({ mailCatcher: { host: "mailpit", port: 0 } }), /args\.mailCatcher must name the environment's mail catcher/],
        ];
        for (const [bad, message] of cases) {
            const failure = await failureOf(() => new NeutralizedDatabase("database", bad));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
