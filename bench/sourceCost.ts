/**
 * What each table costs the source, in CPU seconds: every table's read as the refresh makes it
 * (the sanitizing expressions, the financial group's query per part) and as a plain COPY, one at
 * a time on an otherwise idle server, each measured by bench/cpu.ts around its own psql (the
 * server's background processes included: hence a checkpoint first, and the cheaper of two runs). The
 * refresh's own steps cannot be split this way: its workers read several tables at once.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { listTables } from "../ops/postgres/catalog";
import { groupCopyOut, planTableCopies, sourceScript, TablePlan } from "../ops/postgres/copyStream";
import { runTool } from "../ops/postgres/tools";
import type { DataRules, SanitizeSettings } from "../ops/staging/dataRules";
import type { CpuMeter } from "./cpu";

export interface TableSourceCost {
    /** The tables one read carries (a group's query carries several). */
    tables: string[];
    /** Parts the read was made in (the financial group by move-id range), 1 otherwise. */
    parts: number;
    /** CPU seconds of the read as the refresh makes it, and of a plain COPY of the same tables. */
    rulesCpu: number;
    plainCpu: number;
    rulesSeconds: number;
    plainSeconds: number;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** The reads the refresh makes: one per table, one per group part. Pure. */
export function refreshReads(plans: readonly TablePlan[]): { key: string; plans: TablePlan[]; copyOut: string }[] {
    const byKey = new Map<string, TablePlan[]>();
    for (const p of plans) {
        const key = p.group ? `${p.group.name}#${p.part?.index ?? 0}` : p.table.qualified;
        byKey.set(key, [...(byKey.get(key) ?? []), p]);
    }
    return [...byKey].map(([key, members]) => ({ key, plans: members, copyOut: members.length > 1 ? groupCopyOut(members) : members[0].copyOut }));
}

export async function measureSourceCosts(opts: {
    url: string;
    binDir: string;
    cpu: CpuMeter;
    rules: DataRules;
    sanitize: SanitizeSettings;
    log: (line: string) => void;
}): Promise<TableSourceCost[]> {
    const client = new Client({ connectionString: opts.url });
    await client.connect();
    let tables;
    let transforms;
    try {
        tables = (await listTables(client)).filter((t) => t.hasRows);
        const planned = await opts.rules.sanitizePlan(client, opts.sanitize);
        transforms = opts.rules.revokeCredentials ? await opts.rules.revokeCredentials(client, planned.transforms) : planned.transforms;
        // The runs before leave dirty buffers (and DROP DATABASE a checkpoint) whose writing the
        // checkpointer would charge to the first reads: written out here, before any is measured.
        await client.query("CHECKPOINT");
    } finally {
        await client.end();
    }
    const plain = new Map(planTableCopies(tables).plans.map((p) => [p.table.qualified, p.copyOut]));
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-source-cost-"));
    // Each read twice, the cheaper kept: the server's background work (autovacuum, the
    // checkpointer) lands on whichever read it coincides with.
    const read = async (copyOut: string, settings?: Readonly<Record<string, string>>) => {
        const script = path.join(work, "read.sql");
        fs.writeFileSync(script, sourceScript(undefined, [copyOut], settings));
        let best = { cpu: Infinity, seconds: Infinity };
        for (let attempt = 0; attempt < 2; attempt++) {
            const cpuBefore = opts.cpu.seconds();
            const started = process.hrtime.bigint();
            await runTool(opts.binDir, "psql", ["-X", "-q", "-f", script], { url: opts.url, what: "a table's read" });
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            // A backend that has just exited shows no CPU until the postmaster has reaped it.
            await new Promise((resolve) => setTimeout(resolve, 150));
            const cpu = opts.cpu.seconds() - cpuBefore;
            if (cpu < best.cpu) best = { cpu, seconds };
        }
        return best;
    };
    try {
        const costs = new Map<string, TableSourceCost>();
        const reads = refreshReads(planTableCopies(tables, transforms).plans);
        for (const [i, r] of reads.entries()) {
            opts.log(`  source cost ${i + 1}/${reads.length}: ${r.key}`);
            const withRules = await read(r.copyOut, opts.rules.sessionSettings);
            const names = r.plans.map((p) => p.table.qualified);
            const key = names.join(" + ");
            const prior = costs.get(key);
            // A table in parts is read plain once: with its first part.
            const plainRead = prior ? { cpu: 0, seconds: 0 } : await read(names.map((n) => plain.get(n)!).join("; "));
            costs.set(key, {
                tables: names,
                parts: (prior?.parts ?? 0) + 1,
                rulesCpu: round((prior?.rulesCpu ?? 0) + withRules.cpu),
                plainCpu: round((prior?.plainCpu ?? 0) + plainRead.cpu),
                rulesSeconds: round((prior?.rulesSeconds ?? 0) + withRules.seconds),
                plainSeconds: round((prior?.plainSeconds ?? 0) + plainRead.seconds),
            });
        }
        return [...costs.values()].sort((a, b) => b.rulesCpu - a.rulesCpu);
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** The costliest reads as a table, with the rules' share over the plain COPY. Pure. */
export function renderSourceCosts(costs: readonly TableSourceCost[], top = 12): string {
    const sum = (f: (c: TableSourceCost) => number) => round(costs.reduce((s, c) => s + f(c), 0));
    const lines = [
        `source CPU seconds per read (one at a time, rules vs plain COPY): all ${costs.length} reads ${sum((c) => c.rulesCpu)} vs ${sum((c) => c.plainCpu)}`,
        ...costs
            .slice(0, top)
            .map(
                (c) =>
                    `  ${c.rulesCpu.toFixed(2).padStart(7)} vs ${c.plainCpu.toFixed(2).padStart(6)}  ${c.tables.join(" + ")}${c.parts > 1 ? ` (${c.parts} parts)` : ""}`,
            ),
    ];
    return lines.join("\n");
}
