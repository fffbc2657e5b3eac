import * as assert from "node:assert/strict";
import { evidenceGrants, forbiddenEvidencePrivileges } from "../../components/EvidenceSchema";
import { migrationsFingerprint } from "../../ops/evidence/migrate";
import { planStack, PlanResult } from "../../plan/plan";
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
        assert.deepEqual(roles.sort(), [["ops_reader", true, "[secret]", false], ["ops_writer", true, "[secret]", false]]);
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
            assert.deepEqual(privileges.filter((p) => forbiddenEvidencePrivileges.includes(p)), [], g.name);
            if (g.inputs.role === "ops_writer") assert.ok(privileges.every((p) => ["USAGE", "INSERT", "SELECT"].includes(p)), g.name);
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
        const rows = await query<{ grantee: string; table_name: string; privilege_type: string }>(db.url, `
            SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants
             WHERE table_schema = 'ops' AND grantee IN ('ops_writer', 'ops_reader', 'PUBLIC')`);
        const actual = rows.map((r) => `${r.grantee} ${r.table_name} ${r.privilege_type}`).sort();
        const expected = evidenceGrants.filter((g) => g.objectType === "table")
            .flatMap((g) => g.objects!.flatMap((t) => g.privileges.map((p) => `${roleName[g.role]} ${t} ${p}`))).sort();
        assert.deepEqual(actual, expected);
        const [usage] = await query<{ writer: boolean; reader: boolean; public: boolean }>(db.url, `
            SELECT has_schema_privilege('ops_writer', 'ops', 'USAGE') AS writer, has_schema_privilege('ops_reader', 'ops', 'USAGE') AS reader,
                   EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'ops' AND a.grantee = 0) AS public`);
        assert.deepEqual({ ...usage }, { writer: true, reader: true, public: false });
    });
});
