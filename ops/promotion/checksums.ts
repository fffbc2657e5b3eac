/**
 * Module updates by content hash — the approach of click-odoo-update (acsone/click-odoo-contrib,
 * click_odoo_contrib/update.py and _addon_hash.py): a checksum of each module's files is stored in
 * the Odoo database after a successful update, and a deploy updates exactly the installed modules
 * whose checksum changed. Differences from click-odoo-update, on purpose:
 *   - SHA-256 over (relative path, size, content) instead of SHA-1 over (path, content);
 *   - our own key, `odoo_platform.module_checksums`, not `module_auto_update.installed_checksums`;
 *   - the addons-path entry's requirements.txt is part of each of its modules' checksum, so a changed
 *     requirement updates the modules it serves;
 *   - with no checksum stored yet (the first deploy), only the selected modules are updated and the
 *     rest is baselined, instead of updating every installed module.
 * Excluded like click-odoo-update (compiled files, .pot templates, static/, tests/) plus hidden files.
 *
 * The same computation runs inside the Odoo image (ops/build/odoo_steps.py, where fetched
 * third-party repositories are); this file is its twin for the CLI preview and the tests, which
 * keep the two equal.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const checksumsParam = "odoo_platform.module_checksums";
/** Prefix of the JSON report lines odoo_steps.py prints. */
export const resultPrefix = "odoo-platform-result: ";
export const defaultChecksumExcludes = [
    "*.pyc",
    "*.pyo",
    "__pycache__/*",
    "*/__pycache__/*",
    ".*",
    "*/.*",
    "i18n/*.pot",
    "i18n_extra/*.pot",
    "static/*",
    "tests/*",
];

/** Python's fnmatch.translate (the step matches with fnmatch.fnmatchcase): `*` also matches `/`. */
export function fnmatchRegExp(pattern: string): RegExp {
    let out = "";
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === "*") {
            while (pattern[i + 1] === "*") i++;
            out += "[\\s\\S]*";
        } else if (c === "?") {
            out += "[\\s\\S]";
        } else if (c === "[") {
            let j = i + 1;
            if (pattern[j] === "!") j++;
            if (pattern[j] === "]") j++;
            while (j < pattern.length && pattern[j] !== "]") j++;
            if (j >= pattern.length) {
                out += "\\[";
            } else {
                let body = pattern.slice(i + 1, j).replace(/\\/g, "\\\\");
                if (body.startsWith("!")) body = `^${body.slice(1)}`;
                else if (body.startsWith("^")) body = `\\${body}`;
                out += `[${body}]`;
                i = j;
            }
        } else {
            out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
        }
    }
    return new RegExp(`^${out}$`);
}

export interface ChecksumOptions {
    /** Patterns on the path relative to the module (fnmatch); the defaults are always applied. */
    exclude?: string[];
    /** Active language codes (res_lang): other languages' .po files do not count. */
    languages?: string[];
}

/** Relative paths that enter the checksum, in the order they are hashed. */
export function checksumFiles(moduleDir: string, options: ChecksumOptions = {}): string[] {
    const patterns = [...defaultChecksumExcludes, ...(options.exclude ?? [])].map(fnmatchRegExp);
    const langs = new Set((options.languages ?? []).map((l) => l.split("_")[0]));
    const files: string[] = [];
    // Python's os.walk order: files of a directory (sorted), then its subdirectories (sorted).
    const walk = (rel: string) => {
        const entries = fs.readdirSync(path.join(moduleDir, rel), { withFileTypes: true });
        const byName = (a: fs.Dirent, b: fs.Dirent) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
        // Symbolic links to directories are listed but not walked by os.walk: they add nothing.
        const isDir = (e: fs.Dirent) =>
            e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(moduleDir, rel, e.name), { throwIfNoEntry: false })?.isDirectory() === true);
        for (const file of entries.filter((e) => !isDir(e)).sort(byName)) {
            const relpath = rel ? `${rel}/${file.name}` : file.name;
            if (patterns.some((p) => p.test(relpath))) continue;
            if ((rel === "i18n" || rel === "i18n_extra") && file.name.endsWith(".po") && langs.size && !langs.has(file.name.slice(0, -3).split("_")[0]))
                continue;
            files.push(relpath);
        }
        for (const dir of entries.filter((e) => e.isDirectory()).sort(byName)) walk(rel ? `${rel}/${dir.name}` : dir.name);
    };
    walk("");
    return files;
}

const feed = (hash: ReturnType<typeof createHash>, name: string, content: Buffer) => {
    hash.update(Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([0]), Buffer.from(String(content.length), "ascii"), Buffer.from([0])]));
    hash.update(content);
};

/** `sha256:<hex>` of a module directory, as odoo_steps.py computes it. */
export function moduleChecksum(moduleDir: string, options: ChecksumOptions = {}): string {
    const hash = createHash("sha256");
    for (const rel of checksumFiles(moduleDir, options)) feed(hash, rel, fs.readFileSync(path.join(moduleDir, rel)));
    const requirements = path.join(path.dirname(path.resolve(moduleDir)), "requirements.txt");
    if (fs.existsSync(requirements) && fs.statSync(requirements).isFile()) feed(hash, "../requirements.txt", fs.readFileSync(requirements));
    return `sha256:${hash.digest("hex")}`;
}

export interface UpdateDecision {
    update: string[];
    install: string[];
    /** No checksum was stored yet: only the selected modules are updated, the rest baselined. */
    baseline: boolean;
}

/** Pure: what a deploy updates and installs (the same rule as odoo_steps.py's decide_updates). */
export function decideUpdates(input: {
    installed: Iterable<string>;
    selected: Iterable<string>;
    stored: Record<string, string>;
    current: Record<string, string>;
}): UpdateDecision {
    const installed = new Set(input.installed);
    const selected = new Set(input.selected);
    const baseline = Object.keys(input.stored).length === 0;
    const has = (m: string) => Object.prototype.hasOwnProperty.call(input.current, m);
    const update = [...installed].filter((m) => has(m) && (baseline ? selected.has(m) : input.stored[m] !== input.current[m])).sort();
    const install = [...selected].filter((m) => !installed.has(m) && has(m)).sort();
    return { update, install, baseline };
}

/** The JSON reports (`odoo-platform-result: {...}`) in a step's output, in order. */
export function stepResults(output: string): Record<string, unknown>[] {
    const results: Record<string, unknown>[] = [];
    for (const line of output.split(/\r?\n/)) {
        const at = line.indexOf(resultPrefix);
        if (at < 0) continue;
        try {
            results.push(JSON.parse(line.slice(at + resultPrefix.length)));
        } catch {
            // A truncated line is not a report.
        }
    }
    return results;
}
