/**
 * Reading a `docker.Container`'s inputs the way Docker and Odoo will: labels, the effective
 * environment (the last duplicate wins), the uploaded odoo.conf, Odoo's command-line options (which
 * override the file), image references and host mounts. Pure functions over plain values: the same
 * code reads a real preview's inputs and the offline plan's.
 *
 * During a preview CrossGuard hands policies a proxy that throws when a value is not known yet.
 * These readers skip an unknown label value or environment entry (and say so through
 * `unknownLabels` / `hasUnknownEnv`), so one value still to come never hides the rest; a policy that
 * needs the skipped value decides from that (see lib/policy.ts failClosed).
 */
import { ContainerRole, containerRoles, labelKeys } from "../platform";
import { known, readKnown } from "./unknown";

type Props = Record<string, unknown>;

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined);

/** Docker labels as a map, from the provider's `[{ label, value }]` list (or an already flat map); unknown values are left out. */
export function labelMap(props: Props): Record<string, string> {
    const labels = props.labels;
    const out: Record<string, string> = {};
    if (Array.isArray(labels)) {
        for (let i = 0; i < labels.length; i++) {
            const e = known(() => labels[i]) as { label?: unknown; value?: unknown } | undefined;
            const label = known(() => e?.label);
            if (typeof label !== "string") continue;
            const value = known(() => e!.value);
            if (value !== undefined || readsKnown(() => e!.value)) out[label] = asString(value) ?? "";
        }
    } else if (labels && typeof labels === "object") {
        for (const k of Object.keys(labels)) {
            const v = known(() => (labels as Record<string, unknown>)[k]);
            if (v !== undefined) out[k] = asString(v) ?? "";
        }
    }
    return out;
}

const readsKnown = (read: () => unknown): boolean => readKnown(read).known;

/** Keys of the labels whose value is not known yet (a preview). */
export function unknownLabels(props: Props): string[] {
    const labels = props.labels;
    if (!Array.isArray(labels)) return [];
    const out: string[] = [];
    for (let i = 0; i < labels.length; i++) {
        const e = known(() => labels[i]) as { label?: unknown } | undefined;
        const label = known(() => e?.label);
        if (typeof label === "string" && !readsKnown(() => (e as { value?: unknown }).value)) out.push(label);
    }
    return out;
}

export const knownRoles: readonly string[] = Object.values(containerRoles);

/** The container's `odoo-platform.role` label. */
export const roleOf = (props: Props): string | undefined => labelMap(props)[labelKeys.role];

/** Roles of containers that may run Odoo code against the environment's database. */
export const odooRoles: readonly ContainerRole[] = [containerRoles.odoo, containerRoles.odooInit];

export interface EnvEntry {
    name: string;
    value: string;
}

/** `envs: ["K=V", …]` in order; entries not known yet (a preview) are left out. */
export function envEntries(props: Props): EnvEntry[] {
    const out: EnvEntry[] = [];
    const envs = asArray(props.envs);
    for (let i = 0; i < envs.length; i++) {
        const text = asString(known(() => envs[i]));
        if (text === undefined) continue;
        const eq = text.indexOf("=");
        out.push(eq < 0 ? { name: text, value: "" } : { name: text.slice(0, eq), value: text.slice(eq + 1) });
    }
    return out;
}

/** Does the container set environment entries not known yet (a preview)? Any of them could be any variable. */
export function hasUnknownEnv(props: Props): boolean {
    const envs = asArray(props.envs);
    for (let i = 0; i < envs.length; i++) if (!readsKnown(() => envs[i])) return true;
    return false;
}

/** All values given to one variable, in order: Docker keeps the last one. */
export const envValues = (props: Props, name: string): string[] =>
    envEntries(props)
        .filter((e) => e.name === name)
        .map((e) => e.value);
export const envValue = (props: Props, name: string): string | undefined => envValues(props, name).pop();

/** The `[options]` section of an odoo.conf, keys lower-cased (Odoo's ConfigParser does the same). */
export function parseOdooConf(text: string): Record<string, string> {
    const options: Record<string, string> = {};
    let section = "";
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
        const header = /^\[(.+)\]$/.exec(line);
        if (header) {
            section = header[1].trim();
            continue;
        }
        if (section !== "options") continue;
        const sep = line.search(/[=:]/);
        if (sep < 0) continue;
        options[line.slice(0, sep).trim().toLowerCase()] = line.slice(sep + 1).trim();
    }
    return options;
}

/** Content of the file uploaded at `path`, if the container uploads one there. */
export function uploadedContent(props: Props, path: string | undefined): string | undefined {
    if (!path) return undefined;
    for (const upload of asArray(props.uploads)) {
        const u = upload as { file?: unknown; content?: unknown };
        if (u?.file === path && typeof u.content === "string") return u.content;
    }
    return undefined;
}

/** Is `path` provided inside the container: uploaded, or under a mounted volume or bind mount? */
export function providesPath(props: Props, path: string): boolean {
    if (asArray(props.uploads).some((u) => (u as { file?: unknown })?.file === path)) return true;
    const targets = [
        ...asArray(props.volumes).map((v) => asString((v as { containerPath?: unknown })?.containerPath)),
        ...asArray(props.mounts).map((m) => asString((m as { target?: unknown })?.target)),
    ].filter((t): t is string => !!t);
    return targets.some((t) => path === t || path.startsWith(`${t.replace(/\/+$/, "")}/`));
}

/** The official image reads this file when no `--config` is given (its ODOO_RC). */
export const defaultOdooConfPath = "/etc/odoo/odoo.conf";

/** Command line of the container: `entrypoints` then `command`, as Docker runs them. */
export const commandLine = (props: Props): string[] =>
    [...asArray(props.entrypoints), ...asArray(props.command)].map(asString).filter((s): s is string => s !== undefined);

/** Value of a command-line option given as `--flag=value`, `--flag value` or `-f value` (last one wins). */
export function cliOption(args: readonly string[], flags: readonly string[]): string | undefined {
    let found: string | undefined;
    for (let i = 0; i < args.length; i++) {
        for (const flag of flags) {
            if (args[i] === flag && i + 1 < args.length) found = args[i + 1];
            else if (args[i].startsWith(`${flag}=`)) found = args[i].slice(flag.length + 1);
        }
    }
    return found;
}

export interface OdooConfUpload {
    path: string;
    options: Record<string, string>;
}

/** The odoo.conf the container's Odoo reads: the uploaded file at `--config`/`-c` (default /etc/odoo/odoo.conf). */
export function odooConfOf(props: Props): OdooConfUpload | undefined {
    const path = cliOption(commandLine(props), ["--config", "-c"]) ?? envValue(props, "ODOO_RC") ?? defaultOdooConfPath;
    const content = uploadedContent(props, path);
    return content === undefined ? undefined : { path, options: parseOdooConf(content) };
}

/** Odoo options this policy set reads, with their command-line flags and Odoo's built-in default. */
export const odooOptions = {
    addons_path: { flags: ["--addons-path"] },
    smtp_server: { flags: ["--smtp"], default: "localhost" },
    smtp_port: { flags: ["--smtp-port"], default: "25" },
    max_cron_threads: { flags: ["--max-cron-threads"], default: "2" },
    db_host: { flags: ["--db_host"] },
    db_user: { flags: ["-r", "--db_user"] },
    db_password: { flags: ["-w", "--db_password"] },
    // Odoo's own default (odoo/tools/config.py).
    db_sslmode: { flags: ["--db_sslmode"], default: "prefer" },
} as const;
export type OdooOptionName = keyof typeof odooOptions;

export interface OdooOptionValue {
    value: string;
    /** Where the value comes from, for messages: `command line --smtp`, `/etc/odoo/odoo.conf`, `Odoo's default`. */
    source: string;
    fromDefault: boolean;
}

/** The value Odoo will use: the command line overrides the config file, which overrides Odoo's default. */
export function odooOption(props: Props, name: OdooOptionName): OdooOptionValue | undefined {
    const spec = odooOptions[name];
    const args = commandLine(props);
    const fromCli = cliOption(args, spec.flags);
    if (fromCli !== undefined) return { value: fromCli, source: `command line ${spec.flags[spec.flags.length - 1]}`, fromDefault: false };
    const conf = odooConfOf(props);
    if (conf && conf.options[name] !== undefined) return { value: conf.options[name], source: `${name} in ${conf.path}`, fromDefault: false };
    if ("default" in spec) return { value: spec.default, source: `Odoo's default (${name} is not set)`, fromDefault: true };
    return undefined;
}

/** `addons_path` as a list, normalised (no trailing slashes, no blanks). */
export const splitAddonsPath = (value: string): string[] =>
    value
        .split(",")
        .map((p) => p.trim().replace(/\/+$/, ""))
        .filter((p) => p !== "");

export interface ImageRef {
    repository: string;
    tag?: string;
    digest?: string;
}

/** `registry:5000/org/name:tag@sha256:…` → its parts. */
export function parseImageRef(ref: string): ImageRef {
    let rest = ref.trim();
    let digest: string | undefined;
    const at = rest.indexOf("@");
    if (at >= 0) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
    }
    const lastSlash = rest.lastIndexOf("/");
    const colon = rest.indexOf(":", lastSlash + 1);
    const tag = colon >= 0 ? rest.slice(colon + 1) : undefined;
    const repository = colon >= 0 ? rest.slice(0, colon) : rest;
    return { repository, tag, digest };
}

export const isDigestPinned = (ref: ImageRef): boolean => /^sha256:[0-9a-f]{64}$/.test(ref.digest ?? "");

/** Host paths bind-mounted into the container (`volumes[].hostPath`, `mounts[]` of type bind). */
export function hostMounts(props: Props): { hostPath: string; containerPath: string; readOnly: boolean }[] {
    const out: { hostPath: string; containerPath: string; readOnly: boolean }[] = [];
    for (const v of asArray(props.volumes)) {
        const vol = v as { hostPath?: unknown; containerPath?: unknown; readOnly?: unknown };
        if (typeof vol?.hostPath === "string")
            out.push({ hostPath: vol.hostPath, containerPath: asString(vol.containerPath) ?? "", readOnly: vol.readOnly === true });
    }
    for (const m of asArray(props.mounts)) {
        const mount = m as { type?: unknown; source?: unknown; target?: unknown; readOnly?: unknown };
        if (mount?.type === "bind" && typeof mount.source === "string")
            out.push({ hostPath: mount.source, containerPath: asString(mount.target) ?? "", readOnly: mount.readOnly === true });
    }
    return out;
}

/** Names other containers reach this one by: its name, hostname and network aliases. */
export function networkNames(props: Props): string[] {
    const names = [asString(props.name), asString(props.hostname)];
    for (const n of asArray(props.networksAdvanced)) for (const alias of asArray((n as { aliases?: unknown })?.aliases)) names.push(asString(alias));
    return names.filter((n): n is string => !!n);
}

/** Memory limit in MiB (the provider's unit), or undefined when unlimited. */
export function memoryMb(props: Props): number | undefined {
    const m = Number(props.memory);
    return Number.isFinite(m) && m > 0 ? m : undefined;
}

/** CPU limit in CPUs: `cpus`, or `cpuQuota / cpuPeriod`; undefined when unlimited. */
export function cpuLimit(props: Props): number | undefined {
    const cpus = Number(props.cpus);
    if (Number.isFinite(cpus) && cpus > 0) return cpus;
    const quota = Number(props.cpuQuota);
    const period = Number(props.cpuPeriod ?? 100000);
    return Number.isFinite(quota) && quota > 0 && period > 0 ? quota / period : undefined;
}

/**
 * Does this container run Odoo against the environment's database? The server (role `odoo`)
 * always; a one-shot step (role `odoo-init`) when it carries an odoo.conf or Odoo's own options —
 * a step that only prepares volumes does not.
 */
export function runsOdoo(props: Props): boolean {
    const role = roleOf(props);
    if (role === containerRoles.odoo) return true;
    if (role !== containerRoles.odooInit) return false;
    // Only the upload's path is read: its content may not be known yet during a preview.
    const confPath = cliOption(commandLine(props), ["--config", "-c"]) ?? envValue(props, "ODOO_RC") ?? defaultOdooConfPath;
    const uploadsConf = asArray(props.uploads).some((u) => (u as { file?: unknown })?.file === confPath);
    return uploadsConf || cliOption(commandLine(props), odooOptions.addons_path.flags) !== undefined;
}
