/**
 * An Odoo repository as the platform sees it: its own modules and third-party ones, where the
 * third-party code comes from (git submodules, the git-aggregator repos file, other configured
 * roots), the addons path, and every Python requirements file.
 *
 *   readRepository(repoDir, options) → { discovery, modules (with origin), addonsPath, sources,
 *                                        pendingSources, requirements, findings }
 *
 * A module is third-party when it sits under a submodule, a repos-file directory, a configured
 * third-party root, or a git-ignored directory (code a script clones is not the repository's own);
 * every other module under the own roots is "ours" — what a PR environment installs by default.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import ignore from "ignore";
import type { OdooSeries } from "../../config/schema";
import { AddonModule, AddonsDiscovery, discoverAddons, expandRoot } from "./discover";
import { Finding } from "./findings";
import { readReposFile, ReposFile } from "./reposFile";
import { ModuleOrigin, SelectableModule } from "./select";

export interface RepositoryOptions {
    /** Own addons roots (globs). */
    addonsRoots: string[];
    thirdPartyAddonsRoots?: string[];
    maxDepth?: number;
    series?: OdooSeries;
    /** git-aggregator file, relative to the repository (default repos.yaml). */
    reposFile?: string;
}

export interface ThirdPartySource {
    kind: "submodule" | "repos-file" | "root" | "ignored";
    dir: string;
    /** Present in this checkout (a submodule checked out, a repos-file entry fetched)? */
    present: boolean;
    /** For messages: `git submodule addons/oca/queue`, `repos.yaml: ./queue`. */
    label: string;
}

export interface RepositoryModule extends AddonModule {
    origin: ModuleOrigin;
}

export interface OdooRepository {
    dir: string;
    discovery: AddonsDiscovery;
    modules: RepositoryModule[];
    addonsPath: string[];
    sources: ThirdPartySource[];
    /** Labels of declared third-party sources absent from this checkout. */
    pendingSources: string[];
    reposFile?: ReposFile;
    /** requirements.txt files: of each root, each addons-path entry and each module, in that order. */
    requirements: string[];
    findings: Finding[];
}

const under = (p: string, dir: string): boolean => dir === "." || p === dir || p.startsWith(`${dir}/`);

/** Submodule paths from .gitmodules (read with git itself). */
export function submodulePaths(repoDir: string): string[] {
    if (!fs.existsSync(path.join(repoDir, ".gitmodules"))) return [];
    try {
        const out = execFileSync("git", ["config", "--file", ".gitmodules", "--get-regexp", "^submodule\\..*\\.path$"], {
            cwd: repoDir,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
        return out
            .split("\n")
            .filter(Boolean)
            .map((l) =>
                l
                    .slice(l.indexOf(" ") + 1)
                    .trim()
                    .replace(/\/+$/, ""),
            );
    } catch {
        return [];
    }
}

/** Is this repository-relative directory ignored by a .gitignore of the repository (root or nested)? */
export function isGitIgnored(repoDir: string, rel: string): boolean {
    const parts = rel.split("/");
    for (let i = 0; i < parts.length; i++) {
        const base = parts.slice(0, i).join("/");
        const file = path.join(repoDir, base, ".gitignore");
        if (!fs.existsSync(file)) continue;
        const rest = parts.slice(i).join("/");
        const matcher = ignore().add(fs.readFileSync(file, "utf8"));
        // A directory is ignored when it, or one of its parents below `base`, is.
        const sub = rest.split("/");
        for (let j = 1; j <= sub.length; j++) if (matcher.ignores(`${sub.slice(0, j).join("/")}/`)) return true;
    }
    return false;
}

const hasEntries = (abs: string): boolean => {
    try {
        return fs.readdirSync(abs).length > 0;
    } catch {
        return false;
    }
};

export function readRepository(repoDir: string, options: RepositoryOptions): OdooRepository {
    const sources: ThirdPartySource[] = [];
    for (const dir of submodulePaths(repoDir)) {
        sources.push({ kind: "submodule", dir, present: hasEntries(path.join(repoDir, dir)), label: `git submodule ${dir}` });
    }
    const reposFileName = options.reposFile ?? "repos.yaml";
    const reposFile = readReposFile(repoDir, reposFileName);
    for (const r of reposFile?.repositories ?? []) {
        sources.push({ kind: "repos-file", dir: r.dir, present: hasEntries(path.join(repoDir, r.dir)), label: `${reposFileName}: ${r.key}` });
    }
    for (const glob of options.thirdPartyAddonsRoots ?? []) {
        for (const dir of expandRoot(repoDir, glob)) sources.push({ kind: "root", dir, present: true, label: `third-party root ${dir}` });
    }

    const roots = [...options.addonsRoots, ...sources.filter((s) => s.present).map((s) => s.dir)];
    const discovery = discoverAddons(repoDir, roots, { maxDepth: options.maxDepth, series: options.series });

    const ignoredDirs = new Map<string, boolean>();
    const ignoredAddonsDir = (dir: string) => {
        if (!ignoredDirs.has(dir)) ignoredDirs.set(dir, isGitIgnored(repoDir, dir));
        return ignoredDirs.get(dir)!;
    };
    for (const dir of discovery.addonsPath) {
        if (sources.some((s) => under(dir, s.dir))) continue;
        if (ignoredAddonsDir(dir)) sources.push({ kind: "ignored", dir, present: true, label: `git-ignored ${dir}` });
    }
    const modules: RepositoryModule[] = discovery.modules.map((m) => ({
        ...m,
        origin: sources.some((s) => under(m.path, s.dir)) ? "third-party" : "own",
    }));

    const requirements: string[] = [];
    const addRequirements = (dir: string) => {
        const file = dir === "." ? "requirements.txt" : `${dir}/requirements.txt`;
        if (!requirements.includes(file) && fs.existsSync(path.join(repoDir, file))) requirements.push(file);
    };
    for (const glob of roots) for (const dir of expandRoot(repoDir, glob)) addRequirements(dir);
    for (const dir of discovery.addonsPath) addRequirements(dir);
    for (const m of modules) addRequirements(m.path);

    const pendingSources = sources.filter((s) => !s.present).map((s) => s.label);
    return {
        dir: repoDir,
        discovery,
        modules,
        addonsPath: discovery.addonsPath,
        sources,
        pendingSources,
        reposFile,
        requirements,
        findings: [...discovery.findings, ...(reposFile?.findings ?? [])],
    };
}

/** The modules in the shape selectModules takes (uninstallable ones included: they explain exclusions). */
export function selectableModules(repo: OdooRepository): SelectableModule[] {
    const out: SelectableModule[] = repo.modules.map((m) => ({
        name: m.name,
        origin: m.origin,
        depends: m.depends,
        installable: true,
        path: m.path,
        invalid: m.invalid,
    }));
    for (const s of repo.discovery.skipped) {
        if (!out.some((m) => m.name === s.name)) {
            const origin: ModuleOrigin = repo.sources.some((src) => under(s.path, src.dir)) ? "third-party" : "own";
            out.push({ name: s.name, origin, depends: [], installable: false, path: s.path });
        }
    }
    return out;
}
