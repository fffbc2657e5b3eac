import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { Command } from "commander";
import { folderCycles, folderOf, importGraph, isCliCode, isEntryPoint, projectDir } from "./importGraph";

describe("layers: the library never imports the CLI", () => {
    const edges = importGraph();
    const libraryToCli = new Map<string, Set<string>>();
    for (const e of edges) {
        if (isEntryPoint(e.from) || !isCliCode(e.to)) continue;
        if (!libraryToCli.has(e.from)) libraryToCli.set(e.from, new Set());
        libraryToCli.get(e.from)!.add(e.to);
    }

    it("reads the real graph (the CLI entry imports the command groups)", () => {
        const fromMain = edges.filter((e) => e.from === "ops/cli/main.ts").map((e) => e.to);
        for (const group of ["snapshot", "staging", "promote", "evidence"])
            assert.ok(fromMain.includes(`ops/cli/commands/${group}.ts`), `ops/cli/main.ts → ops/cli/commands/${group}.ts not found`);
        assert.ok(
            isCliCode("ops/cli/commands/db.ts") && isCliCode("ops/cli/runtime.ts") && !isCliCode("ops/core/errors.ts") && !isCliCode("ops/staging/refresh.ts"),
        );
        assert.ok(edges.length > 300, `only ${edges.length} import edges found`);
    });

    it("no library file imports CLI code (ops/cli/): the library reports with ops/core errors and progress", () => {
        const found = [...libraryToCli].flatMap(([from, targets]) => [...targets].map((to) => `${from} → ${to}`));
        assert.deepEqual(
            found.sort(),
            [],
            "library code imports CLI code: take errors from ops/core/errors.ts (the CLI maps them to exit codes in ops/cli/exitCodes.ts exitCodeOf) and progress from ops/core/progress.ts",
        );
    });

    it("commands are registered only in ops/cli/commands/, one group per file named after it", () => {
        const registering = edges
            .map((e) => e.from)
            .concat(edges.map((e) => e.to))
            .filter((f, i, all) => all.indexOf(f) === i && f.startsWith("ops/"))
            .filter((f) => !f.startsWith("ops/cli/commands/") && /\.command\(\s*"/.test(fs.readFileSync(path.join(projectDir, f), "utf8")));
        assert.deepEqual(registering, [], "these files register commands outside ops/cli/commands/");
        const dir = path.join(projectDir, "ops/cli/commands");
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const group = require(path.join(dir, file)) as { register?: (program: Command) => void };
            assert.equal(typeof group.register, "function", `${file} exports no register(program)`);
            const program = new Command();
            group.register!(program);
            assert.deepEqual(
                program.commands.map((c) => c.name()),
                [file.replace(/\.ts$/, "")],
                `${file} must register exactly the "${file.replace(/\.ts$/, "")}" group`,
            );
        }
    });

    it("the library never imports test code (testing/: the fixture generator and throwaway PostgreSQL; tests/)", () => {
        const library = (f: string) => ["ops/", "config/", "components/", "policy/"].some((p) => f.startsWith(p)) || f === "index.ts";
        const found = edges.filter((e) => library(e.from) && (e.to.startsWith("testing/") || e.to.startsWith("tests/"))).map((e) => `${e.from} → ${e.to}`);
        assert.deepEqual(found, []);
    });

    it("tests mirror the tree: tests/<path>/x.test.ts tests the code in <path>/", () => {
        // tests/architecture checks the code as a whole; tests/workflows checks .github/workflows.
        const special: Record<string, string> = { "tests/architecture": ".", "tests/workflows": ".github/workflows" };
        const dirs = new Set<string>();
        const walk = (dir: string): void => {
            for (const entry of fs.readdirSync(path.join(projectDir, dir), { withFileTypes: true })) {
                if (entry.isDirectory()) walk(`${dir}/${entry.name}`);
                else if (entry.name.endsWith(".test.ts")) dirs.add(dir);
            }
        };
        walk("tests");
        const orphans = [...dirs].filter((d) => !fs.existsSync(path.join(projectDir, special[d] ?? d.replace(/^tests\/?/, "") ?? ".")));
        assert.ok(dirs.size > 20, `only ${dirs.size} test folders found`);
        assert.deepEqual(orphans, [], "test folders with no source folder of the same path");
    });

    it("ops/core imports nothing else of this repository", () => {
        const outward = edges.filter((e) => e.from.startsWith("ops/core/") && !e.to.startsWith("ops/core/")).map((e) => `${e.from} → ${e.to}`);
        assert.deepEqual(outward, []);
    });

    it("folders import one way only: no cycle between folders (npx tsx tests/architecture/importGraph.ts prints any)", () => {
        assert.deepEqual(folderCycles(edges), []);
    });

    it("finds folder cycles in a graph that has one (the cycle report of importGraph.ts)", () => {
        const synthetic = [
            { from: "ops/a/x.ts", to: "ops/b/y.ts", typeOnly: false },
            { from: "ops/b/y.ts", to: "ops/a/z.ts", typeOnly: false },
            { from: "ops/c/w.ts", to: "ops/a/x.ts", typeOnly: false },
        ];
        assert.deepEqual(folderCycles(synthetic), [["ops/a", "ops/b"]]);
        assert.equal(folderOf("ops/snapshot/create.ts"), "ops/snapshot");
        assert.equal(folderOf("index.ts"), ".");
    });
});
