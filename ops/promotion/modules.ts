/**
 * Which Odoo modules a deployment must upgrade (`odoo -u <list>`): the addons whose files changed
 * between the SHA running now and the SHA being deployed, found with `git diff`. Odoo.sh also takes
 * a backup when requirements change; `requirementsChanged` says so.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidInputError } from "../core/errors";
import { discoverAddons } from "../repo/discover";

/** Where one Odoo module lives in the repository: what the test step, the checksum preview and the update step take. */
export interface ModuleLocation {
    name: string;
    /** Directory of the module, relative to the repository. */
    path: string;
    /** Its addons-path entry (the directory directly holding it), relative to the repository. */
    root: string;
}

/** The repository's addons roots when nothing else is configured (odoo-platform:addonsRoots' default). */
export const defaultAddonsRoots = ["addons"];

/**
 * Installable modules of the repository under the given roots (globs), found by manifest at any
 * depth up to the discovery's bound (ops/repo/discover.ts), sorted by name; a name found twice
 * keeps the first (Odoo's addons-path order). Links are not followed: a PR's checkout is data.
 */
export function moduleLocations(repoDir: string, roots: string[] = defaultAddonsRoots): ModuleLocation[] {
    return discoverAddons(repoDir, roots).modules.map((m) => ({ name: m.name, path: m.path, root: m.addonsDir }));
}

export interface ChangedModules {
    /** Modules to pass to `-u`, sorted. */
    modules: string[];
    /** No base SHA: every module of the addons directories is listed. */
    all: boolean;
    /** A requirements.txt (anywhere) changed. */
    requirementsChanged: boolean;
    from: string | null;
    to: string;
}

/** Pure: names of the modules whose directory holds one of the changed paths, sorted. */
export function modulesFromPaths(paths: string[], modules: ModuleLocation[]): string[] {
    const found = new Set<string>();
    for (const p of paths) {
        for (const m of modules) if (p.startsWith(`${m.path}/`)) found.add(m.name);
    }
    return [...found].sort();
}

export const isRequirementsFile = (p: string) => path.basename(p) === "requirements.txt";

function git(args: string[], cwd: string): string {
    try {
        return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        throw new InvalidInputError(
            `git ${args.join(" ")} failed in ${cwd}: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()} (is the checkout deep enough? use fetch-depth: 0)`,
        );
    }
}

export function changedModules(opts: { from?: string; to: string; addonsDirs: string[]; repoDir: string }): ChangedModules {
    const modules = moduleLocations(opts.repoDir, opts.addonsDirs);
    if (!opts.from) {
        return { modules: modules.map((m) => m.name), all: true, requirementsChanged: true, from: null, to: opts.to };
    }
    const paths = git(["diff", "--name-only", `${opts.from}..${opts.to}`], opts.repoDir)
        .split("\n")
        .filter(Boolean);
    return {
        modules: modulesFromPaths(paths, modules),
        all: false,
        requirementsChanged: paths.some(isRequirementsFile),
        from: opts.from,
        to: opts.to,
    };
}
