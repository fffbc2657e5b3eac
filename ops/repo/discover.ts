/**
 * Addons discovery: the Odoo modules of a repository, found by their `__manifest__.py`, and the
 * addons path that loads them.
 *
 * API (used by `repo check`, module selection and the PR prepare step):
 *
 *   discoverAddons(repoDir, roots, options) → {
 *     modules:    [{ name, path, root, addonsDir, manifest, ... }]  sorted by name,
 *     addonsPath: string[]   repository-relative directories that directly hold modules,
 *     skipped:    modules whose manifest says installable: False,
 *     findings:   unreadable manifests, module names Odoo refuses, versions of another series,
 *                 modules shadowed by an earlier one of the same name,
 *   }
 *
 * Rules are Odoo's own (odoo/modules/module.py, odoo/tools/config.py):
 *   - a module is a directory whose name matches `^\w{1,256}$` and that holds `__manifest__.py`
 *     (`__openerp__.py` too before 19.0); Odoo reads only the directories *directly* inside each
 *     addons-path entry, so every directory that directly holds a module is an entry of its own —
 *     a folder of repositories (addons/oca/) is not;
 *   - an addons-path entry holding no module with an `__init__.py` makes Odoo refuse the whole
 *     --addons-path ("is not a valid addons directory");
 *   - the first entry holding a module name wins (later ones are shadowed);
 *   - a manifest version is `x.y`, `x.y.z`, `<series>.x.y` or `<series>.x.y.z` (adapt_version):
 *     `19.0.1.0.0` on 18.0 is an invalid manifest.
 *
 * Roots are globs relative to the repository; each is searched down to `maxDepth` directory levels
 * without following symbolic links and without entering a module (modules do not nest). Order is
 * stable: roots in the order given, then paths in lexical order.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { minimatch } from "minimatch";
import type { OdooSeries } from "../../config/schema";
import { finding, Finding } from "./findings";
import { LiteralValue, Manifest, ManifestSyntaxError, parseManifest } from "./manifest";

export interface AddonModule {
    name: string;
    /** Module directory, relative to the repository (`addons/ipai/ipai_finance`). */
    path: string;
    /** The root (as configured, after glob expansion) it was found under. */
    root: string;
    /** Its addons-path entry: the directory directly holding it. */
    addonsDir: string;
    /** The manifest file, relative to the repository. */
    manifestFile: string;
    manifest: Manifest;
    /** Line of each top-level manifest key. */
    keyLines: Record<string, number>;
    installable: boolean;
    depends: string[];
    version?: string;
    /** `auto_install`: false, true (all depends) or the triggering subset. */
    autoInstall: boolean | string[];
    hasInit: boolean;
    /** Why Odoo refuses this module (e.g. a version of another series), if it does. */
    invalid?: string;
}

export interface SkippedModule {
    name: string;
    path: string;
    reason: string;
}

export interface AddonsDiscovery {
    modules: AddonModule[];
    addonsPath: string[];
    skipped: SkippedModule[];
    findings: Finding[];
    /** Root globs that matched no directory. */
    missingRoots: string[];
}

export interface DiscoverOptions {
    /** Directory levels below a root a module may be at (default 4). */
    maxDepth?: number;
    /** Checks each manifest's version against this series. */
    series?: OdooSeries;
}

export const defaultMaxDepth = 4;
const moduleNamePattern = /^\w{1,256}$/;
/** Directories never searched: VCS and tool folders, caches, and the OCA `setup/` packaging tree. */
const skippedDirs = new Set([".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", "setup"]);

/** `__openerp__.py` is accepted up to 18.0 (19.0 reads `__manifest__.py` only). */
export const manifestNames = (series?: OdooSeries): string[] => (series === "19.0" ? ["__manifest__.py"] : ["__manifest__.py", "__openerp__.py"]);

const toPosix = (p: string): string => p.split(path.sep).join("/");
const isGlob = (p: string): boolean => /[*?[\]{}!]/.test(p);

function isDirectory(abs: string): boolean {
    try {
        return fs.lstatSync(abs).isDirectory();
    } catch {
        return false;
    }
}

function listDirs(abs: string): string[] {
    try {
        return fs
            .readdirSync(abs, { withFileTypes: true })
            .filter((e) => e.isDirectory() && !skippedDirs.has(e.name) && !e.name.startsWith("."))
            .map((e) => e.name)
            .sort();
    } catch {
        return [];
    }
}

/** Repository-relative directories matching a root glob, in lexical order. */
export function expandRoot(repoDir: string, glob: string): string[] {
    const clean = glob.replace(/^\.\/+/, "").replace(/\/+$/, "") || ".";
    if (!isGlob(clean)) return isDirectory(path.join(repoDir, clean)) ? [clean] : [];
    const segments = clean.split("/");
    const staticPart: string[] = [];
    for (const s of segments) {
        if (isGlob(s)) break;
        staticPart.push(s);
    }
    const depth = segments.includes("**") ? 8 : segments.length - staticPart.length;
    const out: string[] = [];
    const walk = (rel: string, level: number) => {
        if (level > depth) return;
        for (const name of listDirs(path.join(repoDir, rel))) {
            const child = rel === "." ? name : `${rel}/${name}`;
            if (minimatch(child, clean, { dot: false })) out.push(child);
            walk(child, level + 1);
        }
    };
    const start = staticPart.length ? staticPart.join("/") : ".";
    if (isDirectory(path.join(repoDir, start))) walk(start, 1);
    return [...new Set(out)].sort();
}

const asStringList = (v: LiteralValue | undefined): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** Odoo's adapt_version rule: is this manifest version valid for the series? */
export function versionFitsSeries(version: string, series: OdooSeries): boolean {
    let base = version;
    if (version !== series && version.startsWith(`${series}.`)) base = version.slice(series.length + 1);
    return /^[0-9]+\.[0-9]+(?:\.[0-9]+)?$/.test(base);
}

function readModule(repoDir: string, rel: string, root: string, names: string[], findings: Finding[]): AddonModule | "not-a-module" | "unreadable" {
    const manifestName = names.find((n) => fs.existsSync(path.join(repoDir, rel, n)));
    if (!manifestName) return "not-a-module";
    const manifestFile = `${rel}/${manifestName}`;
    const name = path.posix.basename(rel);
    // A pull request's files are read by a job holding secrets: a manifest that is a symbolic link
    // leaving the repository is never read (its content could be a key file).
    const abs = path.join(repoDir, manifestFile);
    if (fs.lstatSync(abs).isSymbolicLink()) {
        const target = fs.realpathSync(abs);
        const root = fs.realpathSync(repoDir);
        if (!target.startsWith(`${root}${path.sep}`)) {
            findings.push(
                finding("manifest-unreadable", manifestFile, 1, "this manifest is a symbolic link out of the repository: not read", "make it a regular file"),
            );
            return "unreadable";
        }
    }
    let parsed;
    try {
        parsed = parseManifest(fs.readFileSync(path.join(repoDir, manifestFile), "utf8"), manifestFile);
    } catch (err) {
        if (err instanceof ManifestSyntaxError) {
            findings.push(
                finding(
                    "manifest-unreadable",
                    manifestFile,
                    err.line,
                    `Odoo cannot read this manifest: ${err.reason}`,
                    "make it one Python dict literal (Odoo reads it with ast.literal_eval)",
                ),
            );
            return "unreadable";
        }
        throw err;
    }
    const { manifest, keyLines } = parsed;
    const depends = asStringList(manifest.depends);
    const auto = manifest.auto_install;
    return {
        name,
        path: rel,
        root,
        addonsDir: path.posix.dirname(rel),
        manifestFile,
        manifest,
        keyLines,
        installable: manifest.installable === undefined ? true : manifest.installable !== false && manifest.installable !== null && manifest.installable !== 0,
        // Odoo 19 turns an empty depends into ['base'] (every module but base depends on it).
        depends: name === "base" ? [] : depends.length ? depends : ["base"],
        version: typeof manifest.version === "string" ? manifest.version : undefined,
        autoInstall: Array.isArray(auto) ? asStringList(auto) : auto === true,
        hasInit: fs.existsSync(path.join(repoDir, rel, "__init__.py")),
    };
}

export function discoverAddons(repoDir: string, roots: string[], options: DiscoverOptions = {}): AddonsDiscovery {
    const maxDepth = options.maxDepth ?? defaultMaxDepth;
    const names = manifestNames(options.series);
    const findings: Finding[] = [];
    const found: AddonModule[] = [];
    const skipped: SkippedModule[] = [];
    const missingRoots: string[] = [];
    const seenDirs = new Set<string>();

    for (const glob of roots) {
        const expanded = expandRoot(repoDir, glob);
        if (expanded.length === 0) missingRoots.push(glob);
        for (const root of expanded) {
            const walk = (rel: string, depth: number) => {
                if (seenDirs.has(rel)) return;
                seenDirs.add(rel);
                const module = depth > 0 ? readModule(repoDir, rel, root, names, findings) : "not-a-module";
                if (module === "unreadable") return;
                if (module !== "not-a-module") {
                    if (!moduleNamePattern.test(module.name)) {
                        findings.push(
                            finding(
                                "module-name",
                                module.manifestFile,
                                1,
                                `Odoo ignores module directory "${module.name}": a module name is letters, digits and underscores only`,
                                `rename the directory ${module.path}`,
                            ),
                        );
                    } else if (!module.installable) {
                        skipped.push({ name: module.name, path: module.path, reason: "installable: False in its manifest" });
                    } else {
                        found.push(module);
                    }
                    return;
                }
                if (depth >= maxDepth) return;
                for (const child of listDirs(path.join(repoDir, rel))) walk(rel === "." ? child : `${rel}/${child}`, depth + 1);
            };
            walk(root, 0);
        }
    }

    // First match wins, as in Odoo's addons path: later modules of the same name are shadowed.
    const byName = new Map<string, AddonModule>();
    const modules: AddonModule[] = [];
    for (const m of found) {
        const first = byName.get(m.name);
        if (first) {
            findings.push(
                finding(
                    "module-shadowed",
                    m.manifestFile,
                    1,
                    `module ${m.name} is also at ${first.path}, which comes first on the addons path: this copy never loads`,
                    `remove one of the two, or exclude ${m.addonsDir} from the addons roots`,
                    "warning",
                ),
            );
            continue;
        }
        byName.set(m.name, m);
        modules.push(m);
        if (!m.hasInit) {
            findings.push(
                finding(
                    "module-without-init",
                    m.manifestFile,
                    1,
                    `module ${m.name} has no __init__.py: Odoo cannot import it (and an addons-path entry of such modules only is "not a valid addons directory")`,
                    `add ${m.path}/__init__.py`,
                ),
            );
        }
        if (options.series && m.version !== undefined && !versionFitsSeries(m.version, options.series)) {
            m.invalid = `version ${m.version} in ${m.manifestFile} is not a ${options.series} version`;
            findings.push(
                finding(
                    "manifest-series",
                    m.manifestFile,
                    m.keyLines.version ?? 1,
                    `version ${m.version} is not a ${options.series} version: Odoo ${options.series} refuses this manifest (invalid version)`,
                    `port the module to ${options.series} and set 'version': '${options.series}.x.y.z', or exclude it (odoo-platform:excludeModules)`,
                ),
            );
        }
    }

    const addonsPath: string[] = [];
    for (const m of found) if (!addonsPath.includes(m.addonsDir)) addonsPath.push(m.addonsDir);
    return { modules: modules.sort((a, b) => a.name.localeCompare(b.name)), addonsPath, skipped, findings, missingRoots };
}
