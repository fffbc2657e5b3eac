/**
 * EvidenceSchema in the production plan and against a real database, then built from its own
 * args under the mock runtime.
 */
import * as assert from "node:assert/strict";
import { EvidenceSchema, EvidenceSchemaArgs, evidenceGrants, forbiddenEvidencePrivileges } from "../../components/EvidenceSchema";
import { migrationsFingerprint } from "../../ops/evidence/migrate";
import { isSecretValue } from "../../plan/mockRuntime";
import { planStack, PlanResult } from "../../plan/plan";
import { buildUnderMocks, failureOf } from "../support/component";
import { ofType as ofTypeIn, one, Recording } from "../support/plan";
import { evidenceDatabase, query } from "../support/evidence";

describe("EvidenceSchema component", () => {
    let plan: PlanResult;
    before(async () => {
        plan = await planStack({ stack: "production" });
        assert.equal(plan.exitCode, 0, plan.errors.join("\n"));
    });
    const ofType = (type: string) => plan.resources.filter((r) => r.type === type && r.name.startsWith("evidence"));

    it("declares the schema, two login roles with generated secret passwords, and the migration step", () => {
        const [schema] = ofType("postgresql:index/schema:Schema");
        assert.equal(schema.inputs.name, "ops");
        assert.equal(schema.inputs.dropCascade, false);
        const roles = ofType("postgresql:index/role:Role").map((r) => [r.inputs.name, r.inputs.login, r.inputs.password, r.inputs.superuser]);
        assert.deepEqual(roles.sort(), [
            ["ops_reader", true, "[secret]", false],
            ["ops_writer", true, "[secret]", false],
        ]);
        const [migrate] = ofType("command:local:Command");
        assert.match(String(migrate.inputs.create), /odoo-platform evidence migrate --evidence-db "\$EVIDENCE_DB_URL"/);
        assert.ok((migrate.inputs.triggers as string[]).includes(migrationsFingerprint()), "a new migration reruns the step");
        assert.equal(plan.outputs.evidenceWriterUrl, "[secret]");
    });

    it("grants the writer INSERT and SELECT only, after the migration ran", () => {
        const grants = ofType("postgresql:index/grant:Grant");
        assert.equal(grants.length, evidenceGrants.length);
        for (const g of grants) {
            const privileges = g.inputs.privileges as string[];
            assert.deepEqual(
                privileges.filter((p) => forbiddenEvidencePrivileges.includes(p)),
                [],
                g.name,
            );
            if (g.inputs.role === "ops_writer")
                assert.ok(
                    privileges.every((p) => ["USAGE", "INSERT", "SELECT"].includes(p)),
                    g.name,
                );
            if (g.inputs.role === "ops_writer" && g.inputs.objectType === "table") assert.ok(!(g.inputs.objects as string[]).includes("schema_migrations"));
        }
        const migrate = plan.recorded.find((r) => r.type === "command:local:Command" && r.name === "evidence-migrate")!;
        for (const g of plan.recorded.filter((r) => r.type === "postgresql:index/grant:Grant")) {
            assert.ok(g.dependencies.includes(migrate.urn), `${g.name} must wait for the migration`);
        }
    });

    it("the grant table is exactly what migration 0002 grants in the database", async () => {
        const db = await evidenceDatabase("grants");
        const roleName = { writer: "ops_writer", reader: "ops_reader" } as const;
        const rows = await query<{ grantee: string; table_name: string; privilege_type: string }>(
            db.url,
            `
            SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants
             WHERE table_schema = 'ops' AND grantee IN ('ops_writer', 'ops_reader', 'PUBLIC')`,
        );
        const actual = rows.map((r) => `${r.grantee} ${r.table_name} ${r.privilege_type}`).sort();
        const expected = evidenceGrants
            .filter((g) => g.objectType === "table")
            .flatMap((g) => g.objects!.flatMap((t) => g.privileges.map((p) => `${roleName[g.role]} ${t} ${p}`)))
            .sort();
        assert.deepEqual(actual, expected);
        const [usage] = await query<{ writer: boolean; reader: boolean; public: boolean }>(
            db.url,
            `
            SELECT has_schema_privilege('ops_writer', 'ops', 'USAGE') AS writer, has_schema_privilege('ops_reader', 'ops', 'USAGE') AS reader,
                   EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'ops' AND a.grantee = 0) AS public`,
        );
        assert.deepEqual({ ...usage }, { writer: true, reader: true, public: false });
    });
});

describe("EvidenceSchema from its own args", function () {
    this.timeout(60_000);
    const args = (over: Partial<EvidenceSchemaArgs> = {}): EvidenceSchemaArgs => ({
        host: "evidence.internal.example.com",
        port: 5432,
        database: "postgres",
        adminUser: "postgres",
        adminPassword: "admin-secret",
        sslMode: "verify-full",
        workDir: "/srv/odoo-platform",
        ...over,
    });
    const build = (a: EvidenceSchemaArgs) =>
        buildUnderMocks(
            () => new EvidenceSchema("evidence", a),
            (e) => ({ writerUrl: e.writerUrl, readerLogin: e.readerLogin, schemaName: e.schemaName }),
        );
    const raw = (built: Recording, name: string) => built.recorded.find((r) => r.name === name)!;

    it("connects as the admin without superuser, keeps the schema on destroy, and the roles by the retention", async () => {
        const built = await build(args({ retention: { protect: true } }));
        const provider = one(built, "pulumi:providers:postgresql", "evidence-server");
        assert.deepEqual(
            [provider.inputs.host, provider.inputs.database, provider.inputs.username, provider.inputs.sslmode, provider.inputs.superuser],
            ["evidence.internal.example.com", "postgres", "postgres", "verify-full", "false"],
        );
        const schema = one(built, "postgresql:index/schema:Schema", "evidence-schema");
        assert.deepEqual([schema.inputs.name, schema.inputs.owner, schema.inputs.dropCascade], ["ops", "postgres", false]);
        assert.equal(raw(built, "evidence-schema").options.retainOnDelete, true);
        const writer = one(built, "postgresql:index/role:Role", "evidence-writer");
        assert.deepEqual(
            [writer.inputs.name, writer.inputs.login, writer.inputs.connectionLimit, writer.inputs.superuser, writer.inputs.createRole],
            ["ops_writer", true, 10, false, false],
        );
        assert.equal(one(built, "postgresql:index/role:Role", "evidence-reader").inputs.name, "ops_reader");
        for (const name of ["evidence-writer", "evidence-reader"]) {
            assert.equal(raw(built, name).options.protect, true, name);
            assert.ok(isSecretValue(raw(built, name).inputs.password), `${name}: password secret`);
        }
        assert.equal(built.outputs.schemaName, "ops");
        assert.match(
            String(built.outputs.writerUrl),
            /^postgresql:\/\/ops_writer:mock-[0-9a-f]+@evidence\.internal\.example\.com:5432\/postgres\?sslmode=verify-full$/,
        );
        assert.equal(built.outputs.readerLogin, "ops_reader");
    });

    it("migrates with the admin URL and a secret PGPASSWORD, then grants exactly the table after the migration", async () => {
        const built = await build(args({ writerConnectionLimit: 4 }));
        assert.equal(one(built, "postgresql:index/role:Role", "evidence-writer").inputs.connectionLimit, 4);
        const migrate = one(built, "command:local:Command", "evidence-migrate");
        assert.equal(migrate.inputs.environment.EVIDENCE_DB_URL, "postgresql://postgres@evidence.internal.example.com:5432/postgres?sslmode=verify-full");
        assert.equal(migrate.inputs.environment.PGPASSWORD, "admin-secret");
        // The runtime marks the whole map secret once one value is.
        assert.ok(isSecretValue(raw(built, "evidence-migrate").inputs.environment), "the migration's environment is secret");
        assert.equal(migrate.inputs.dir, "/srv/odoo-platform");
        assert.deepEqual(migrate.inputs.triggers, ["ops", "ops_writer", "ops_reader", migrationsFingerprint()]);
        const grants = ofTypeIn(built, "postgresql:index/grant:Grant");
        const roleName = { writer: "ops_writer", reader: "ops_reader" };
        // In any order: the runtime records a grant once its role's name (an output) is known.
        const sorted = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();
        assert.deepEqual(
            sorted(
                grants.map((g) => [
                    g.inputs.role,
                    g.inputs.objectType,
                    g.inputs.privileges,
                    g.inputs.objects ?? null,
                    g.inputs.schema,
                    g.inputs.withGrantOption,
                ]),
            ),
            sorted(evidenceGrants.map((g) => [roleName[g.role], g.objectType, g.privileges, g.objects ?? null, "ops", false])),
        );
        for (const g of grants) assert.ok(g.dependsOn.includes("evidence-migrate"), g.name);
    });

    it("without an admin password the CLI reads PGPASSWORD itself; through Supabase's pooler the roles log in as <role>.<ref>", async () => {
        const built = await build(
            args({ host: "aws-0-eu-west-1.pooler.supabase.com", adminUser: "postgres.abcdefghijklmnop", adminPassword: undefined, sslMode: "require" }),
        );
        assert.equal(one(built, "command:local:Command", "evidence-migrate").inputs.environment.PGPASSWORD, undefined);
        assert.equal(built.outputs.readerLogin, "ops_reader.abcdefghijklmnop");
        assert.match(String(built.outputs.writerUrl), /^postgresql:\/\/ops_writer\.abcdefghijklmnop:/);
    });

    it("refuses bad args before creating anything, naming the field", async () => {
        const cases: [EvidenceSchemaArgs, RegExp][] = [
            [args({ host: "" }), /args\.host is required/],
            [args({ database: "Evidence DB" }), /args\.database must be a PostgreSQL identifier, got "Evidence DB"/],
            [args({ writerConnectionLimit: 0 }), /args\.writerConnectionLimit must be a whole number of at least 1/],
        ];
        for (const [bad, message] of cases) {
            const failure = await failureOf(() => new EvidenceSchema("evidence", bad));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
