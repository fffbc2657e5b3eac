/**
 * `odoo-platform evidence migrations`: what a module upgrade changed, from Odoo's own registry of
 * modules (`ir_module_module`: name, latest_version, state) read before and after, plus the
 * migration scripts and per-module seconds found in the update log (`odoo -u … --log-level=info`).
 */
import * as fs from "node:fs";
import type { Client } from "pg";
import { InvalidInputError } from "../core/errors";
import { connect, DatabaseUrl, parseDatabaseUrl } from "../postgres/connect";
import { EvidenceFile, planBundle, resolveStamp } from "./files";
import { EvidenceRow, parseEnvironment } from "./schema";
import { insertRow, json, recordEvidence } from "./store";

export interface ModuleState {
    name: string;
    /** ir_module_module.latest_version: the installed version (null when never installed). */
    version: string | null;
    state: string;
}

export interface ModuleSnapshot {
    database: string;
    capturedAt: string;
    modules: ModuleState[];
}

export async function readModuleStates(client: Client, database: string): Promise<ModuleState[]> {
    const present = await client.query("SELECT to_regclass('ir_module_module') IS NOT NULL AS present");
    if (!present.rows[0].present) throw new InvalidInputError(`database ${database} is not an Odoo database: it has no ir_module_module table`);
    const { rows } = await client.query("SELECT name, latest_version AS version, state FROM ir_module_module ORDER BY name");
    return rows;
}

export async function captureModules(db: DatabaseUrl): Promise<ModuleSnapshot> {
    const client = await connect(db);
    try {
        return { database: db.database, capturedAt: new Date().toISOString(), modules: await readModuleStates(client, db.database) };
    } finally {
        await client.end();
    }
}

export function readModuleSnapshot(file: string): ModuleSnapshot {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : `is not valid JSON (${(err as Error).message})`;
        throw new InvalidInputError(
            `--before ${file} ${why}: write it before the upgrade with \`odoo-platform evidence migrations --db <odoo db> --capture ${file}\``,
        );
    }
    const s = raw as ModuleSnapshot;
    const valid =
        s &&
        Array.isArray(s.modules) &&
        s.modules.every((m) => m && typeof m.name === "string" && typeof m.state === "string" && (m.version === null || typeof m.version === "string"));
    if (!valid)
        throw new InvalidInputError(
            `--before ${file} is not a module snapshot (expected {"modules": [{"name", "version", "state"}]}): write it with --capture`,
        );
    return s;
}

export interface ModuleChange {
    module: string;
    versionBefore: string | null;
    versionAfter: string | null;
    stateBefore: string | null;
    stateAfter: string | null;
}

const present = (m?: ModuleState) => !!m && m.state !== "uninstalled" && m.state !== "uninstallable";

/**
 * Pure: modules whose version or state changed. Without a `before` snapshot, every installed module
 * is reported with an unknown previous version (a baseline).
 */
export function diffModules(before: ModuleState[] | undefined, after: ModuleState[]): ModuleChange[] {
    const afterByName = new Map(after.map((m) => [m.name, m]));
    if (!before) {
        return after.filter(present).map((m) => ({ module: m.name, versionBefore: null, versionAfter: m.version, stateBefore: null, stateAfter: m.state }));
    }
    const beforeByName = new Map(before.map((m) => [m.name, m]));
    const names = [...new Set([...beforeByName.keys(), ...afterByName.keys()])].sort();
    const changes: ModuleChange[] = [];
    for (const name of names) {
        const b = beforeByName.get(name);
        const a = afterByName.get(name);
        if (!present(b) && !present(a)) continue;
        if (b?.version === a?.version && b?.state === a?.state) continue;
        changes.push({
            module: name,
            versionBefore: b?.version ?? null,
            versionAfter: a?.version ?? null,
            stateBefore: b?.state ?? null,
            stateAfter: a?.state ?? null,
        });
    }
    return changes;
}

export interface LoggedUpgrade {
    scripts: string[];
    seconds?: number;
}

// Odoo ≤ 17: "module sale: Running migration [>17.0.1.1] pre-migrate"; 18+: "Running upgrade".
const scriptLine = /module ([\w.]+): Running (?:migration|upgrade) (\[[^\]]*\]) (\S+)/;
// odoo/modules/loading.py, logged at INFO for every module being updated.
const loadedLine = /Module ([\w.]+) loaded in ([0-9.]+)s/;

/** Pure: migration scripts run and seconds spent per module, from an Odoo update log. */
export function parseUpdateLog(text: string): Map<string, LoggedUpgrade> {
    const modules = new Map<string, LoggedUpgrade>();
    const entry = (name: string) => {
        let e = modules.get(name);
        if (!e) modules.set(name, (e = { scripts: [] }));
        return e;
    };
    for (const line of text.split(/\r?\n/)) {
        const script = scriptLine.exec(line);
        if (script) {
            entry(script[1]).scripts.push(`${script[2]} ${script[3]}`);
            continue;
        }
        const loaded = loadedLine.exec(line);
        if (loaded) entry(loaded[1]).seconds = Number(loaded[2]);
    }
    return modules;
}

/** Pure: the rows — every changed module, and every module whose migration scripts ran. */
export function migrationRows(changes: ModuleChange[], logged: Map<string, LoggedUpgrade>, current: ModuleState[]): (ModuleChange & LoggedUpgrade)[] {
    const rows = new Map(changes.map((c) => [c.module, { ...c, ...(logged.get(c.module) ?? { scripts: [] }) }]));
    const currentByName = new Map(current.map((m) => [m.name, m]));
    for (const [module, upgrade] of logged) {
        if (rows.has(module) || upgrade.scripts.length === 0) continue;
        const m = currentByName.get(module);
        rows.set(module, {
            module,
            versionBefore: m?.version ?? null,
            versionAfter: m?.version ?? null,
            stateBefore: m?.state ?? null,
            stateAfter: m?.state ?? null,
            ...upgrade,
        });
    }
    return [...rows.values()].sort((a, b) => a.module.localeCompare(b.module));
}

export interface MigrationsOptions {
    db?: string;
    evidenceDb?: string;
    capture?: string;
    before?: string;
    deployment?: string;
    environment?: string;
    dryRun?: boolean;
    logFile?: string;
    evidenceDir: string;
    stamp?: string;
    evidenceUri?: string;
}

export interface MigrationsReport {
    database: string;
    captured?: string;
    ids: number[];
    changes: (ModuleChange & LoggedUpgrade)[];
    evidenceUri?: string;
    files: string[];
}

export async function recordMigrations(opts: MigrationsOptions, env: Record<string, string | undefined> = process.env): Promise<MigrationsReport> {
    const odoo = parseDatabaseUrl(opts.db, "--db");
    if (opts.capture) {
        if (fs.existsSync(opts.capture)) throw new InvalidInputError(`--capture ${opts.capture} already exists: choose a new file`);
        const snapshot = await captureModules(odoo);
        fs.writeFileSync(opts.capture, json(snapshot), { flag: "wx" });
        return { database: odoo.database, captured: opts.capture, ids: [], changes: [], files: [opts.capture] };
    }
    const evidence = parseDatabaseUrl(opts.evidenceDb, "--evidence-db (or EVIDENCE_DB_URL)");
    const before = opts.before ? readModuleSnapshot(opts.before).modules : undefined;
    const deploymentId = opts.deployment !== undefined ? Number(opts.deployment) : undefined;
    if (deploymentId !== undefined && !(Number.isInteger(deploymentId) && deploymentId > 0)) {
        throw new InvalidInputError(`--deployment must be the id printed by \`evidence deployment\`, got "${opts.deployment}"`);
    }
    if (deploymentId === undefined && !opts.dryRun)
        throw new InvalidInputError("--deployment <id> is required (or --dry-run for a promotion's migration dry run)");
    if (deploymentId === undefined && !opts.environment) throw new InvalidInputError("--environment is required with --dry-run");
    const environmentOption = opts.environment ? parseEnvironment(opts.environment, "--environment") : undefined;
    let logText: string | undefined;
    if (opts.logFile) {
        try {
            logText = fs.readFileSync(opts.logFile, "utf8");
        } catch {
            throw new InvalidInputError(`--log-file ${opts.logFile} does not exist: give the Odoo update log`);
        }
    }
    const files: EvidenceFile[] = opts.logFile ? [{ name: "logs/update.log", source: opts.logFile }] : [];
    const bundle = planBundle({ root: opts.evidenceDir, stamp: resolveStamp(opts.stamp, env), kind: "deploy", uri: opts.evidenceUri, files });

    const after = await captureModules(odoo);
    const rows = migrationRows(diffModules(before, after.modules), parseUpdateLog(logText ?? ""), after.modules);
    let environment = environmentOption;
    const recorded = await recordEvidence(
        evidence,
        bundle,
        async (client) => {
            if (deploymentId !== undefined) {
                const { rows: found } = await client.query("SELECT environment FROM ops.deployments WHERE id = $1", [deploymentId]);
                if (!found.length) throw new InvalidInputError(`--deployment ${deploymentId}: no such deployment in ops.deployments`);
                if (environment && environment !== found[0].environment) {
                    throw new InvalidInputError(`--environment ${environment} but deployment ${deploymentId} is in ${found[0].environment}`);
                }
                environment = found[0].environment;
            }
            const ids: number[] = [];
            for (const r of rows) {
                const row: EvidenceRow<"migrations"> = {
                    deployment_id: deploymentId ?? null,
                    environment,
                    database_name: odoo.database,
                    module: r.module,
                    version_before: r.versionBefore,
                    version_after: r.versionAfter,
                    state_before: r.stateBefore,
                    state_after: r.stateAfter,
                    scripts: r.scripts,
                    seconds: r.seconds ?? null,
                    dry_run: !!opts.dryRun,
                };
                ids.push(await insertRow(client, "migrations", row));
            }
            return ids;
        },
        (ids) => [
            {
                name: `migrations-${opts.dryRun ? "dry-run-" : ""}${ids[0] ?? `none-${Date.now()}`}.json`,
                content: json({ ids, deploymentId, environment, database: odoo.database, modules: rows }),
            },
        ],
    );
    return { database: odoo.database, ids: recorded.ids, changes: rows, evidenceUri: recorded.evidenceUri, files: recorded.files };
}
