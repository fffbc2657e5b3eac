/** `odoo-platform health`: Odoo's /web/health and its database, recorded as evidence. */
import type { Command } from "commander";
import { runHealth } from "../../evidence/health";
import { evidenceDbOption, odooDbOption, withEvidenceFiles } from "../options";
import { action, progress } from "../runtime";

export function register(program: Command): void {
    withEvidenceFiles(
        program
            .command("health")
            .description("HTTP 200 from Odoo's /web/health and a working database connection; the result is recorded")
            .requiredOption("--url <url>", "the environment's URL (…/web/health is appended)")
            .addOption(odooDbOption())
            .option("--environment <name>", "environment the result is recorded for")
            .option("--git-sha <sha>", "commit expected to be running")
            .option("--timeout <duration>", "per-attempt timeout", "10s")
            .option("--wait <duration>", "retry until healthy for this long", "0s")
            .option("--interval <duration>", "pause between attempts", "5s")
            .addOption(evidenceDbOption())
            .option("--no-record", "only check, record nothing"),
    ).action(
        action(async (opts: Parameters<typeof runHealth>[0] & { json?: boolean }) => {
            const report = await runHealth(opts, process.env, progress("health"));
            const line = (name: string, ok: boolean, detail: string) => `  ${ok ? "ok  " : "FAIL"} ${name} ${detail}`;
            const text = [
                `${report.ok ? "healthy" : "UNHEALTHY"} after ${report.attempts} attempt(s)${report.id ? ` (recorded as health check #${report.id})` : ""}`,
                line(
                    "http",
                    report.http.ok,
                    `${report.http.url} ${report.http.status ?? "-"} ${report.http.ms} ms${report.http.error ? `: ${report.http.error}` : ""}`,
                ),
                line(
                    "database",
                    report.database.ok,
                    `${report.database.database} ${report.database.ms} ms${report.database.error ? `: ${report.database.error}` : ""}`,
                ),
            ].join("\n");
            return { exitCode: report.ok ? 0 : 1, report, text };
        }),
    );
}
