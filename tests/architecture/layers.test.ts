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
        for (const group of ["snapshot", "staging", "promote", "evidence"]) assert.ok(fromMain.includes(`ops/cli/commands/${group}.ts`), `ops/cli/main.ts → ops/cli/commands/${group}.ts not found`);
        assert.ok(isCliCode("ops/cli/commands/db.ts") && isCliCode("ops/cli/runtime.ts") && !isCliCode("ops/core/errors.ts") && !isCliCode("ops/staging/refresh.ts"));
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
        const registering = edges.map((e) => e.from).concat(edges.map((e) => e.to)).filter((f, i, all) => all.indexOf(f) === i && f.startsWith("ops/"))
            .filter((f) => !f.startsWith("ops/cli/commands/") && /\.command\(\s*"/.test(fs.readFileSync(path.join(projectDir, f), "utf8")));
        assert.deepEqual(registering, [], "these files register commands outside ops/cli/commands/");
        const dir = path.join(projectDir, "ops/cli/commands");
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const group = require(path.join(dir, file)) as { register?: (program: Command) => void };
            assert.equal(typeof group.register, "function", `${file} exports no register(program)`);
            const program = new Command();
            group.register!(program);
            assert.deepEqual(program.commands.map((c) => c.name()), [file.replace(/\.ts$/, "")], `${file} must register exactly the "${file.replace(/\.ts$/, "")}" group`);
        }
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
