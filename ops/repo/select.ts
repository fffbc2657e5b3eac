/**
 * Module selection: which modules an environment installs, from the repository's modules and the
 * stack's install/exclude rules, with dependencies resolved from the manifests.
 *
 *   selectModules({ modules, series, install, exclude, missingDependencies, pendingSources })
 *     → { install, dependencies, excluded, unverified, warnings }
 *
 * - Candidates: the repository's own modules (origin "own"), plus every module matching an
 *   `install` name or pattern (third-party or Odoo's own); `exclude` wins over both.
 * - A dependency is available when it is a discovered, installable module whose own dependencies
 *   are available, or an Odoo Community module of the series (every official image has them).
 *   An Enterprise module, a module with installable: False, an excluded module or a name found
 *   nowhere is not available, and every candidate depending on it (directly or not) is excluded
 *   with a warning naming it — or the selection fails, with `missingDependencies: "fail"`.
 * - When third-party sources are declared but not present here (a repos file not fetched, a
 *   submodule not checked out), a name found nowhere may still come from them: the module stays
 *   selected and is listed in `unverified` with the names only the image can confirm (the prepare
 *   step checks them against the image's addons path before installing).
 */
import { minimatch } from "minimatch";
import type { OdooSeries } from "../../config/schema";
import { coreAddons } from "./coreAddons";

export type ModuleOrigin = "own" | "third-party";

export interface SelectableModule {
    name: string;
    origin: ModuleOrigin;
    depends: string[];
    installable: boolean;
    path: string;
    /** Why Odoo would refuse the module itself (a manifest of another series). */
    invalid?: string;
}

export interface ExcludedModule {
    name: string;
    reason: string;
    /** The unavailable modules that caused it, when a dependency did. */
    missing?: string[];
}

export interface ModuleSelection {
    /** Modules passed to `odoo -i` / `-u`, sorted. */
    install: string[];
    /** What Odoo installs with them (their dependencies not in `install`), sorted. */
    dependencies: string[];
    excluded: ExcludedModule[];
    /** Selected modules with dependencies only the image can confirm: module → names. */
    unverified: Record<string, string[]>;
    warnings: string[];
}

export interface SelectInput {
    modules: SelectableModule[];
    series: OdooSeries;
    install?: string[];
    exclude?: string[];
    missingDependencies?: "exclude" | "fail";
    /** Third-party sources declared but absent here (e.g. `repos.yaml: ./addons/oca/queue`). */
    pendingSources?: string[];
}

export class ModuleSelectionError extends Error {
    constructor(readonly excluded: ExcludedModule[]) {
        super(
            `${excluded.length} module${excluded.length === 1 ? "" : "s"} cannot be installed (odoo-platform:missingDependencies is fail):\n` +
                excluded.map((e) => `  - ${e.name}: ${e.reason}`).join("\n") +
                `\nadd the missing modules to the repository (or its repos file), exclude the modules (odoo-platform:excludeModules), or set missingDependencies to exclude`,
        );
        this.name = "ModuleSelectionError";
    }
}

const matches = (name: string, patterns: string[]): string | undefined => patterns.find((p) => p === name || minimatch(name, p));

type Resolution = { ok: true; closure: Set<string>; unverified: Set<string> } | { ok: false; missing: Map<string, string> };

export function selectModules(input: SelectInput): ModuleSelection {
    const install = input.install ?? [];
    const exclude = input.exclude ?? [];
    const community = coreAddons(input.series, "community");
    const enterprise = coreAddons(input.series, "enterprise");
    const pending = input.pendingSources ?? [];
    const byName = new Map(input.modules.map((m) => [m.name, m]));

    const excluded: ExcludedModule[] = [];
    const candidates = new Set<string>();
    for (const m of input.modules) if (m.origin === "own" && m.installable) candidates.add(m.name);
    for (const pattern of install) {
        const hits = [...input.modules.filter((m) => m.installable).map((m) => m.name), ...community].filter((n) => n === pattern || minimatch(n, pattern));
        if (hits.length === 0 && !pending.length)
            excluded.push({
                name: pattern,
                reason: `odoo-platform:installModules asks for ${pattern}, which matches no module of the repository or of Odoo ${input.series} Community`,
            });
        if (hits.length === 0 && pending.length && !/[*?[]/.test(pattern)) candidates.add(pattern);
        for (const n of hits) candidates.add(n);
    }
    for (const name of [...candidates]) {
        const pattern = matches(name, exclude);
        if (pattern) {
            candidates.delete(name);
            excluded.push({ name, reason: `excluded by odoo-platform:excludeModules (${pattern})` });
        }
    }

    // Why a name is unavailable, or undefined when it is (memoised per name).
    const memo = new Map<string, Resolution>();
    const resolve = (name: string, trail: string[]): Resolution => {
        const cached = memo.get(name);
        if (cached) return cached;
        const fail = (why: string): Resolution => ({ ok: false, missing: new Map([[name, why]]) });
        let result: Resolution;
        const module = byName.get(name);
        const pattern = matches(name, exclude);
        if (trail.includes(name)) {
            result = { ok: true, closure: new Set(), unverified: new Set() }; // a cycle: Odoo reports it itself
        } else if (pattern && trail.length > 0) {
            result = fail(`excluded by odoo-platform:excludeModules (${pattern})`);
        } else if (module && !module.installable) {
            result = fail(`installable: False in ${module.path}/__manifest__.py`);
        } else if (module?.invalid) {
            result = fail(module.invalid);
        } else if (module) {
            const closure = new Set<string>();
            const unverified = new Set<string>();
            const missing = new Map<string, string>();
            for (const dep of module.depends) {
                const r = resolve(dep, [...trail, name]);
                if (!r.ok) for (const [k, v] of r.missing) missing.set(k, v);
                else {
                    closure.add(dep);
                    for (const c of r.closure) closure.add(c);
                    for (const u of r.unverified) unverified.add(u);
                }
            }
            result = missing.size ? { ok: false, missing } : { ok: true, closure, unverified };
        } else if (community.has(name)) {
            result = { ok: true, closure: new Set(), unverified: new Set() };
        } else if (enterprise.has(name)) {
            result = fail(`an Odoo ${input.series} Enterprise module, not in the repository`);
        } else if (pending.length) {
            result = { ok: true, closure: new Set(), unverified: new Set([name]) };
        } else {
            result = fail(`not in the repository, its third-party addons or Odoo ${input.series} Community`);
        }
        memo.set(name, result);
        return result;
    };

    const selected: string[] = [];
    const dependencies = new Set<string>();
    const unverified: Record<string, string[]> = {};
    for (const name of [...candidates].sort()) {
        const r = resolve(name, []);
        if (!r.ok && r.missing.has(name)) {
            excluded.push({ name, reason: r.missing.get(name)! });
            continue;
        }
        if (!r.ok) {
            const missing = [...r.missing.keys()].sort();
            excluded.push({ name, reason: `depends on ${missing.map((m) => `${m} (${r.missing.get(m)})`).join(", ")}`, missing });
            continue;
        }
        selected.push(name);
        for (const d of r.closure) dependencies.add(d);
        if (r.unverified.size) unverified[name] = [...r.unverified].sort();
    }
    for (const s of selected) dependencies.delete(s);

    const failed = excluded.filter((e) => e.missing || e.reason.includes("matches no module"));
    if (input.missingDependencies === "fail" && failed.length) throw new ModuleSelectionError(failed);
    const warnings = failed.map((e) => `module ${e.name} is not installed: ${e.reason}`);
    if (Object.keys(unverified).length) {
        warnings.push(
            `not present here, expected from ${pending.join(", ")}: ${[...new Set(Object.values(unverified).flat())].sort().join(", ")} — the prepare step checks them in the image`,
        );
    }
    excluded.sort((a, b) => a.name.localeCompare(b.name));
    return { install: selected, dependencies: [...dependencies].sort(), excluded, unverified, warnings };
}
