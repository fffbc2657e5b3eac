/**
 * The Odoo processes of an environment, as separate containers when the stack asks for it
 * (odoo-platform:odooSplitRoles, odooQueueJobRunner): Odoo.sh's split of HTTP workers and cron
 * workers, plus OCA queue_job's job runner.
 *
 *   - http:      the web container (routed), max_cron_threads = 0 when a cron runner exists;
 *   - cron:      one container, `--no-http`, threaded mode with max_cron_threads threads
 *                (production only: every other stage runs no cron at all);
 *   - queue_job: `python3 -m odoo.addons.queue_job.jobrunner` (queue_job/jobrunner/__main__.py
 *                parses the same config), dispatching jobs to the HTTP workers at odoo:8069
 *                (production only, like crons: jobs wait elsewhere).
 *
 * Pure: per role, what its odoo.conf changes and its command line.
 */
import type { OdooSeries } from "../config/schema";
import type { EnvironmentDecisions } from "../config/stageProfile";

export type OdooRoleName = "http" | "cron" | "queue_job";

export interface OdooRole {
    role: OdooRoleName;
    /** Container name suffix ("" for the HTTP container, which keeps the environment's own name). */
    suffix: string;
    /** odoo.conf [options] this role overrides. */
    options: Record<string, string | number | boolean>;
    /** Extra odoo.conf sections of this role. */
    sections: Record<string, Record<string, string | number | boolean>>;
    command: string[];
    /** Served by the router. */
    routed: boolean;
}

export interface OdooRolesInput extends Pick<EnvironmentDecisions, "runsCrons" | "devMode"> {
    confPath: string;
    workers: number;
    splitRoles: boolean;
    cronThreads: number;
    queueJobRunner: boolean;
}

/** Odoo's default server_wide_modules per series (odoo/tools/config.py `--load`): 19.0 adds rpc. */
export const defaultServerWideModules = (series: OdooSeries): string[] => (series === "19.0" ? ["base", "rpc", "web"] : ["base", "web"]);

export function odooRoles(input: OdooRolesInput): OdooRole[] {
    const crons = input.runsCrons;
    const odoo = ["odoo", `--config=${input.confPath}`];
    if (input.devMode) odoo.push("--dev=all");
    const cronApart = input.splitRoles && crons;
    const roles: OdooRole[] = [
        {
            role: "http",
            suffix: "",
            // Without a cron runner, production's own container runs the crons (as before the split).
            options: { max_cron_threads: crons && !cronApart ? input.cronThreads : 0 },
            sections: {},
            command: odoo,
            routed: true,
        },
    ];
    if (cronApart) {
        roles.push({
            role: "cron",
            suffix: "-cron",
            options: { max_cron_threads: input.cronThreads, workers: 0 },
            sections: {},
            command: [...odoo, "--no-http"],
            routed: false,
        });
    }
    if (input.queueJobRunner && crons) {
        roles.push({
            role: "queue_job",
            suffix: "-queue-job",
            options: { max_cron_threads: 0, workers: 0 },
            // queue_job's runner reads where to post jobs from [queue_job] (host/port of the HTTP workers).
            sections: { queue_job: { scheme: "http", host: "odoo", port: 8069 } },
            command: ["python3", "-m", "odoo.addons.queue_job.jobrunner", `--config=${input.confPath}`],
            routed: false,
        });
    }
    return roles;
}

/** server_wide_modules for the stack: configured, or Odoo's default; queue_job added for its runner. */
export function serverWideModules(series: OdooSeries, configured: string[] | undefined, queueJobRunner: boolean): string[] {
    const modules = [...(configured ?? defaultServerWideModules(series))];
    if (queueJobRunner && !modules.includes("queue_job")) modules.push("queue_job");
    return modules;
}
