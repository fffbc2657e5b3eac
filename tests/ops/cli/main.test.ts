import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { buildCli } from "../../../ops/cli/main";

describe("the command tree", () => {
    const program = buildCli();
    const command = (name: string) => program.commands.find((c) => c.name() === name)!;

    it("defaults that name the platform's own checkout point at it (promote, rollback --work-dir)", () => {
        for (const name of ["promote", "rollback"]) {
            const workDir = command(name).options.find((o) => o.long === "--work-dir")!.defaultValue as string;
            assert.ok(fs.existsSync(path.join(workDir, "Pulumi.yaml")), `${name} --work-dir defaults to ${workDir}, which holds no Pulumi.yaml`);
        }
    });

    it("--db is the Odoo database and --evidence-db the evidence database in every command that takes them", () => {
        const all = (c: typeof program): (typeof program)[] => [c, ...c.commands.flatMap(all)];
        const withDb = all(program).filter((c) => c.options.some((o) => o.long === "--db" && !o.hidden));
        assert.ok(withDb.length >= 10, `only ${withDb.length} commands take --db`);
        for (const c of withDb) {
            const db = c.options.find((o) => o.long === "--db")!;
            assert.doesNotMatch(db.description, /evidence/i, `${c.name()}: --db must not be the evidence database`);
        }
        for (const c of all(program).filter((x) => x.options.some((o) => o.long === "--evidence-db"))) {
            assert.equal(
                c.options.find((o) => o.long === "--evidence-db")!.envVar,
                "EVIDENCE_DB_URL",
                `${c.name()}: --evidence-db without its EVIDENCE_DB_URL fallback`,
            );
        }
        for (const c of all(program).filter((x) => x.options.some((o) => o.long === "--jobs"))) {
            assert.match(c.options.find((o) => o.long === "--jobs")!.description, /1–64/, `${c.name()}: --jobs outside the one range`);
        }
    });
});
