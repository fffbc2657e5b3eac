/** `odoo-platform modules changed | plan`: the Odoo modules a deploy updates and installs. */
import type { Command } from "commander";
import * as path from "node:path";
import { connect, parseDatabaseUrl } from "../../postgres/connect";
import { decideUpdates, moduleChecksum } from "../../promotion/checksums";
import { changedModules, defaultAddonsRoots, moduleLocations } from "../../promotion/modules";
import { captureModuleChecksums } from "../../promotion/safeUpdate";
import { collect, odooDbOption } from "../options";
import { action } from "../runtime";

export function register(program: Command): void {
    const modules = program.command("modules").description("Odoo modules of the repository: what a deploy updates and installs");
    modules
        .command("changed")
        .description("modules whose files changed between two commits: the list for `odoo -u`")
        .option("--from <sha>", "commit running now (empty: every module)")
        .option("--to <sha>", "commit being deployed", "HEAD")
        .option("--addons-dir <dir>", "addons directory in the repository (repeatable)", collect, [])
        .option("--repo-dir <dir>", "the git checkout", ".")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { from?: string; to: string; addonsDir: string[]; repoDir: string; json?: boolean }) => {
                const report = changedModules({
                    from: opts.from || undefined,
                    to: opts.to,
                    addonsDirs: opts.addonsDir.length ? opts.addonsDir : ["addons"],
                    repoDir: opts.repoDir,
                });
                return { exitCode: 0, report, text: report.modules.join(",") };
            }),
        );

    modules
        .command("plan")
        .description("modules a deploy would update (checksum changed) and install (selected, missing), from this checkout and the database's stored checksums")
        .addOption(odooDbOption("the environment's Odoo database (or ODOO_DB_URL)", "ODOO_DB_URL"))
        .option("--addons-dir <dir>", "addons root in the repository (repeatable)", collect, [])
        .option("--repo-dir <dir>", "the checkout", ".")
        .option("--exclude <pattern>", "extra checksum exclusion (fnmatch, relative to a module; repeatable)", collect, [])
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: { db?: string; addonsDir: string[]; repoDir: string; exclude: string[]; json?: boolean }) => {
                const db = parseDatabaseUrl(opts.db, "--db (or ODOO_DB_URL)");
                const locations = moduleLocations(opts.repoDir, opts.addonsDir.length ? opts.addonsDir : defaultAddonsRoots);
                const captured = await captureModuleChecksums(db);
                const client = await connect(db);
                let languages: string[] = [];
                try {
                    languages = (await client.query("SELECT code FROM res_lang WHERE active").catch(() => ({ rows: [] as { code: string }[] }))).rows.map(
                        (r) => r.code,
                    );
                } finally {
                    await client.end();
                }
                const current = Object.fromEntries(
                    locations.map((m) => [m.name, moduleChecksum(path.join(opts.repoDir, m.path), { exclude: opts.exclude, languages })]),
                );
                const installed = captured.modules.filter((m) => m.state === "installed" || m.state === "to upgrade").map((m) => m.name);
                const decision = decideUpdates({ installed, selected: locations.map((m) => m.name), stored: captured.checksums, current });
                const text = `update: ${decision.update.join(",") || "nothing"}\ninstall: ${decision.install.join(",") || "nothing"}${decision.baseline ? "\n(no checksum stored yet: the first deploy updates the selected modules and stores a baseline)" : ""}`;
                return { exitCode: 0, report: { ...decision, checksums: current }, text };
            }),
        );
}
