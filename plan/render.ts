/** Human-readable rendering of a plan: a resource tree, the outputs and the policy verdicts. */
import type { PlannedResource, PlanResult } from "./plan";

const maxValue = 72;

function short(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > maxValue ? `${text.slice(0, maxValue - 1)}…` : text;
}

/** The inputs worth a glance: scalars and short lists, in their declared order. */
function inputSummary(inputs: Record<string, unknown>): string {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(inputs)) {
        if (v === null || v === undefined || k.startsWith("__")) continue;
        if (typeof v === "object" && !Array.isArray(v)) continue;
        if (Array.isArray(v) && v.some((item) => typeof item === "object" && item !== null)) continue;
        parts.push(`${k}=${short(v)}`);
    }
    return parts.join("  ");
}

export function renderPlan(result: PlanResult): string {
    const lines: string[] = [];
    if (result.errors.length) {
        lines.push(`Stack ${result.stack}: the plan could not be made.`);
        for (const e of result.errors) lines.push(`  ✗ ${e}`);
        return lines.join("\n");
    }
    lines.push(`Stack ${result.stack} — stage ${result.stage}${result.configFile ? ` — config ${result.configFile}` : ""}`);
    for (const n of result.notes) lines.push(`  note: ${n}`);
    lines.push("", `Resources (${result.resources.length}):`);
    const children = new Map<string | null, PlannedResource[]>();
    for (const r of result.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            const summary = inputSummary(r.inputs);
            lines.push(`${"  ".repeat(depth + 1)}${r.type}  ${r.name}${summary ? `\n${"  ".repeat(depth + 3)}${summary}` : ""}`);
            if (r.name !== parent) walk(r.name, depth + 1);
        }
    };
    walk(null, 0);
    lines.push("", "Outputs:");
    for (const [k, v] of Object.entries(result.outputs)) lines.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    lines.push("", "Policies:");
    if (!result.policies.length) lines.push("  (no policy packs are registered in policy/ yet)");
    for (const p of result.policies) {
        const mark = p.enforcement === "disabled" ? "-" : p.violations.length ? (p.enforcement === "mandatory" ? "✗" : "!") : "✓";
        lines.push(`  ${mark} ${p.pack}/${p.name} [${p.enforcement}]`);
        for (const v of p.violations) lines.push(`      ${v.resource}: ${v.message}`);
    }
    const blocked = result.policies.filter((p) => p.enforcement === "mandatory" && p.violations.length);
    lines.push(
        "",
        blocked.length
            ? `BLOCKED by ${blocked.length} mandatory polic${blocked.length === 1 ? "y" : "ies"}: ${blocked.map((p) => `${p.pack}/${p.name}`).join(", ")}`
            : "Clean: no mandatory policy violated.",
    );
    return lines.join("\n");
}
