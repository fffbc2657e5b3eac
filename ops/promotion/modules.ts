/**
 * Which Odoo modules a deployment must upgrade (`odoo -u <list>`): the addons whose files changed
 * between the SHA running now and the SHA being deployed, found with `git diff`. Odoo.sh also takes
 * a backup when requirements change; `requirementsChanged` says so.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../cli/runtime";

/**
 * Where one Odoo module lives in the repository: what the test step, the checksum preview and the
 * update step take. This is the seam to the repository discovery: `moduleLocations` below is
 * today's rule (a directory directly under an addons root holding a __manifest__.py); replacing
 * its body with the manifest-based discovery of a whole repository is the one change needed.
 */
export interface ModuleLocation {
    name: string;
    /** Directory of the module, relative to the repository. */
    path: string;
    /** The addons root it was found under (an addons-path entry), relative to the repository. */
    root: string;
}

/** The repository's addons roots when nothing else is configured (the Dockerfile copies addons/). */
export const defaultAddonsRoots = ["addons"];

const normalizeRoot = (root: string) => root.replace(/\/+$/, "").replace(/^\.\//, "") || ".";

/** Modules of the repository, sorted by name; a name found under two roots keeps the first root (Odoo's addons-path order). */
export function moduleLocations(repoDir: string, roots: string[] = defaultAddonsRoots): ModuleLocation[] {
    const found = new Map<string, ModuleLocation>();
    // A checkout is data (a PR's files): a module reached through a link out of it is not one of its modules.
    const top = fs.existsSync(repoDir) ? fs.realpathSync(repoDir) : path.resolve(repoDir);
    const inside = (dir: string) => {
        const real = fs.realpathSync(dir);
        return real === top || real.startsWith(top + path.sep);
    };
    for (const root of roots.map(normalizeRoot)) {
        const abs = path.join(repoDir, root);
        if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) continue;
        for (const name of fs.readdirSync(abs).sort()) {
            if (name.startsWith(".") || found.has(name)) continue;
            const dir = root === "." ? name : `${root}/${name}`;
            const manifest = path.join(repoDir, dir, "__manifest__.py");
            if (fs.existsSync(manifest) && inside(manifest)) found.set(name, { name, path: dir, root });
        }
    }
    return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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

/** Pure: module names owning the changed paths (`<addonsDir>/<module>/…` with a manifest at `to`). */
export function modulesFromPaths(paths: string[], addonsDirs: string[], hasManifest: (moduleDir: string) => boolean): string[] {
    const roots = addonsDirs.map((d) => d.replace(/\/+$/, "").replace(/^\.\//, ""));
    const found = new Set<string>();
    for (const p of paths) {
        for (const root of roots) {
            const prefix = root === "" || root === "." ? "" : `${root}/`;
            if (!p.startsWith(prefix)) continue;
            const [module, ...rest] = p.slice(prefix.length).split("/");
            if (module && rest.length > 0 && !module.startsWith(".") && hasManifest(path.join(root, module))) found.add(module);
        }
    }
    return [...found].sort();
}

export const isRequirementsFile = (p: string) => path.basename(p) === "requirements.txt";

function git(args: string[], cwd: string): string {
    try {
        return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        throw new UsageError(`git ${args.join(" ")} failed in ${cwd}: ${((err as { stderr?: string }).stderr ?? (err as Error).message).trim()} (is the checkout deep enough? use fetch-depth: 0)`);
    }
}

export function changedModules(opts: { from?: string; to: string; addonsDirs: string[]; repoDir: string }): ChangedModules {
    const hasManifest = (dir: string) => fs.existsSync(path.join(opts.repoDir, dir, "__manifest__.py"));
    if (!opts.from) {
        return { modules: moduleLocations(opts.repoDir, opts.addonsDirs).map((m) => m.name), all: true, requirementsChanged: true, from: null, to: opts.to };
    }
    const paths = git(["diff", "--name-only", `${opts.from}..${opts.to}`], opts.repoDir).split("\n").filter(Boolean);
    return {
        modules: modulesFromPaths(paths, opts.addonsDirs, hasManifest),
        all: false,
        requirementsChanged: paths.some(isRequirementsFile),
        from: opts.from,
        to: opts.to,
    };
}
