/**
 * Renders the `odoo.conf` of an environment. Pure: the same inputs give byte-identical text, so a
 * change in the file is a real change in configuration (and shows as one in a preview).
 * Option names are Odoo's own (odoo/tools/config.py).
 */
import { platformOdooOptions } from "../config/schema";
import type { Stage } from "../config/stage";
import { EnvironmentDecisions, stageProfile } from "../config/stageProfile";
import { odooGeventPort, odooHttpPort } from "./routing";

/** What odoo.conf takes from the stage's profile (config/stageProfile.ts). */
export type OdooConfDecisions = Pick<EnvironmentDecisions, "devMode" | "demoData" | "runsCrons">;

interface OdooConfSettings {
    addonsPath: string[];
    database: { host: string; port: number; user: string; password: string; name: string; sslMode: string };
    /** `admin_passwd`: the database manager's master password. */
    adminPassword: string;
    workers: number;
    /** Memory limit of the container in MiB: Odoo's soft/hard worker limits are derived from it. */
    memoryMb: number;
    smtp: { host: string; port: number; user?: string; password?: string; ssl: boolean };
    dataDir: string;
    /** Slow-request logging threshold and log level. */
    logLevel?: string;
    /** `server_wide_modules`; Odoo's default when unset. */
    serverWideModules?: string[];
    /** Extra [options] (odoo-platform:odooConfOptions): never one the platform sets itself. */
    extraOptions?: Record<string, string | number | boolean>;
    /** Extra sections (odoo-platform:odooConfSections), e.g. [queue_job]. */
    sections?: Record<string, Record<string, string | number | boolean>>;
    /** What this process's role changes (components/odooRoles.ts): applied last. */
    roleOptions?: Record<string, string | number | boolean>;
}

/** The settings, and the stage's decisions: given as such, or looked up in the stage profile table by the stage's name. */
export type OdooConfInput = OdooConfSettings & ({ decisions: OdooConfDecisions } | { stage: Stage });

const decisionsOf = (input: OdooConfInput): OdooConfDecisions => ("decisions" in input ? input.decisions : stageProfile(input.stage).environment);

type ConfValue = string | number | boolean;
const confText = (k: string, v: ConfValue): string => {
    const text = typeof v === "boolean" ? (v ? "True" : "False") : String(v);
    if (/[\r\n]/.test(text)) throw new Error(`odoo.conf value of ${k} must not contain a line break`);
    return `${k} = ${text}`;
};

/** Odoo.sh runs crons only in production; elsewhere they stay off even if a record is re-enabled. */
export const cronThreads = (decisions: Pick<OdooConfDecisions, "runsCrons">): number => (decisions.runsCrons ? 2 : 0);

/** Lines in the order Odoo documents them; values never contain newlines. */
export function renderOdooConf(input: OdooConfInput): string {
    const { database, smtp } = input;
    const decisions = decisionsOf(input);
    const perWorkerMb = Math.max(256, Math.floor(input.memoryMb / Math.max(1, input.workers + 1)));
    const options: [string, string | number | boolean][] = [
        ["addons_path", input.addonsPath.join(",")],
        ["data_dir", input.dataDir],
        ["admin_passwd", input.adminPassword],
        ["db_host", database.host],
        ["db_port", database.port],
        ["db_user", database.user],
        ["db_password", database.password],
        ["db_name", database.name],
        ["db_sslmode", database.sslMode],
        // One database per environment: never list or serve any other.
        ["dbfilter", `^${database.name}$`],
        ["list_db", false],
        ["proxy_mode", true],
        ["http_port", odooHttpPort],
        // The websocket / bus port (16.0+ name): routed by Traefik at /websocket when workers > 0.
        ["gevent_port", odooGeventPort],
        ["workers", input.workers],
        ["max_cron_threads", cronThreads(decisions)],
        ["limit_memory_soft", perWorkerMb * 1024 * 1024],
        ["limit_memory_hard", Math.floor(perWorkerMb * 1.25) * 1024 * 1024],
        ["limit_time_cpu", 600],
        ["limit_time_real", 1200],
        ["smtp_server", smtp.host],
        ["smtp_port", smtp.port],
        ["smtp_ssl", smtp.ssl],
        ["smtp_user", smtp.user ?? false],
        ["smtp_password", smtp.password ?? false],
        ["log_level", input.logLevel ?? (decisions.devMode ? "debug" : "info")],
        ["without_demo", decisions.demoData ? false : "all"],
    ];
    if (input.serverWideModules?.length) options.push(["server_wide_modules", input.serverWideModules.join(",")]);
    for (const [k, v] of Object.entries(input.extraOptions ?? {})) {
        if (platformOdooOptions[k]) throw new Error(`odoo.conf option ${k} is set by the platform: ${platformOdooOptions[k]}`);
        options.push([k, v]);
    }
    for (const [k, v] of Object.entries(input.roleOptions ?? {})) {
        const at = options.findIndex(([name]) => name === k);
        if (at >= 0) options[at] = [k, v];
        else options.push([k, v]);
    }
    let text = `[options]\n${options.map(([k, v]) => confText(k, v)).join("\n")}\n`;
    for (const [section, values] of Object.entries(input.sections ?? {})) {
        if (!/^[a-z][a-z0-9_.-]*$/.test(section) || section === "options")
            throw new Error(`odoo.conf section name "${section}" must be lower-case and not options`);
        text += `\n[${section}]\n${Object.entries(values)
            .map(([k, v]) => confText(k, v))
            .join("\n")}\n`;
    }
    return text;
}

/** What the command line carries: the non-secret settings, and the process's cron threads (components/odooRoles.ts). */
export type OdooCommandLineInput = Pick<OdooConfSettings, "addonsPath"> & {
    database: Omit<OdooConfSettings["database"], "password">;
    smtp: Omit<OdooConfSettings["smtp"], "password">;
    cronThreads: number;
};

/**
 * The options the policy packs judge, also given on Odoo's command line (which overrides
 * odoo.conf, so Odoo runs with exactly these): addons path, database host, port, user, TLS mode
 * and filter, cron threads and the SMTP server. odoo.conf holds passwords, so its content is not
 * known until the generated passwords are — during a preview of a new stack it is unknown — while
 * these are built from configuration only and are known to every preview.
 */
export function odooCommandLine(input: OdooCommandLineInput): string[] {
    const { database, smtp } = input;
    for (const value of [input.addonsPath.join(","), database.host, database.user, smtp.host, smtp.user ?? ""]) {
        if (/[\s\r\n]/.test(value)) throw new Error(`Odoo command-line value "${value}" must not contain whitespace`);
    }
    const args = [
        `--addons-path=${input.addonsPath.join(",")}`,
        `--db_host=${database.host}`,
        `--db_port=${database.port}`,
        `--db_user=${database.user}`,
        `--db_sslmode=${database.sslMode}`,
        `--db-filter=^${database.name}$`,
        `--max-cron-threads=${input.cronThreads}`,
        `--smtp=${smtp.host}`,
        `--smtp-port=${smtp.port}`,
    ];
    if (smtp.ssl) args.push("--smtp-ssl");
    if (smtp.user) args.push(`--smtp-user=${smtp.user}`);
    return args;
}
