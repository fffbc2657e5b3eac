/**
 * This repository's own import graph, read with TypeScript's import scanner: every relative
 * `import`/`export … from`/`require()`/`import()` of every .ts file outside node_modules, dist and
 * tests, resolved to the file it names. Used by the layer test; `npx tsx tests/architecture/importGraph.ts`
 * prints the folder-level cycles.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export const projectDir = path.resolve(__dirname, "..", "..");
const skipped = new Set(["node_modules", "dist", ".git", ".pulumi", "coverage", "addons"]);

function sourceFiles(dir: string, out: string[] = []): string[] {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (skipped.has(entry.name)) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) sourceFiles(full, out);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
    }
    return out;
}

function resolveRelative(from: string, specifier: string): string | undefined {
    const base = path.resolve(path.dirname(from), specifier);
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts")]) {
        if (candidate.endsWith(".ts") && fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    return undefined;
}

export interface ImportEdge {
    /** Importing file, relative to the project, with / separators. */
    from: string;
    to: string;
    /** `import type` only: gone at run time, still a dependency of the design. */
    typeOnly: boolean;
}

/** Every edge between the project's own files (tests included as importers when `withTests`). */
export function importGraph(withTests = false): ImportEdge[] {
    const rel = (f: string) => path.relative(projectDir, f).split(path.sep).join("/");
    const edges: ImportEdge[] = [];
    for (const file of sourceFiles(projectDir)) {
        const from = rel(file);
        if (!withTests && from.startsWith("tests/")) continue;
        const text = fs.readFileSync(file, "utf8");
        const info = ts.preProcessFile(text, true, true);
        for (const ref of info.importedFiles) {
            if (!ref.fileName.startsWith(".")) continue;
            const target = resolveRelative(file, ref.fileName);
            if (!target) continue;
            // preProcessFile does not say whether an import is type-only: read the statement.
            const lineStart = text.lastIndexOf("\n", ref.pos) + 1;
            const statement = text.slice(lineStart, ref.end);
            edges.push({ from, to: rel(target), typeOnly: /^\s*(import|export)\s+type\b/.test(statement) });
        }
    }
    return edges;
}

/** CLI code: ops/cli/, bin/, any *cli.ts command module, and any module that registers commander commands. */
/** CLI code: the launcher and ops/cli/ (the command groups in ops/cli/commands/, shared options, exit codes). */
export function isCliCode(file: string): boolean {
    return file.startsWith("ops/cli/") || file.startsWith("bin/");
}

/**
 * Entry points: programs of their own that may use the CLI's process helpers (exitWhenFlushed),
 * as the CLI does; nothing imports them.
 */
export function isEntryPoint(file: string): boolean {
    return (
        isCliCode(file) ||
        file.startsWith("bench/") ||
        file.startsWith("demo/") ||
        ["plan/cli.ts", "plan/guard.ts", "plan/docs.ts", "plan/policyConfig.ts"].includes(file)
    );
}

/** The folder a file belongs to for the layer rules: ops/<capability>, or the top-level folder. */
export function folderOf(file: string): string {
    const parts = file.split("/");
    if (parts.length === 1) return ".";
    return parts[0] === "ops" && parts.length > 2 ? `ops/${parts[1]}` : parts[0];
}

/** Strongly connected groups of folders (Tarjan) with more than one member: folders that import each other. */
export function folderCycles(edges: ImportEdge[]): string[][] {
    const next = new Map<string, Set<string>>();
    for (const e of edges) {
        const a = folderOf(e.from);
        const b = folderOf(e.to);
        if (a === b) continue;
        if (!next.has(a)) next.set(a, new Set());
        if (!next.has(b)) next.set(b, new Set());
        next.get(a)!.add(b);
    }
    let index = 0;
    const indices = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const groups: string[][] = [];
    const visit = (v: string) => {
        indices.set(v, index);
        low.set(v, index++);
        stack.push(v);
        onStack.add(v);
        for (const w of next.get(v) ?? []) {
            if (!indices.has(w)) {
                visit(w);
                low.set(v, Math.min(low.get(v)!, low.get(w)!));
            } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
        }
        if (low.get(v) === indices.get(v)) {
            const group: string[] = [];
            let w: string;
            do {
                w = stack.pop()!;
                onStack.delete(w);
                group.push(w);
            } while (w !== v);
            if (group.length > 1) groups.push(group.sort());
        }
    };
    for (const v of [...next.keys()].sort()) if (!indices.has(v)) visit(v);
    return groups.sort((x, y) => x[0].localeCompare(y[0]));
}

if (require.main === module) {
    const edges = importGraph();
    for (const group of folderCycles(edges)) {
        process.stdout.write(`${group.join(" ↔ ")}\n`);
        for (const e of edges) {
            const a = folderOf(e.from);
            const b = folderOf(e.to);
            if (a !== b && group.includes(a) && group.includes(b)) process.stdout.write(`    ${e.from} → ${e.to}${e.typeOnly ? " (type only)" : ""}\n`);
        }
    }
}
