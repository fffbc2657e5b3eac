/** `odoo-platform db neutralize`: a thin shell over neutralizeDatabase (and, optionally, Odoo's own). */
import type { Command } from "commander";
import { action, CliError, CommandResult, progress } from "../cli/runtime";
import { assertWritableSecretFile, writeSecretFile } from "../core/secrets";
import { asUsage, confirmOption, databasePassword, integerOption, withClient } from "../db/options";
import { assertMayRewriteInPlace } from "../staging/targets";
import { neutralizeContextInput, neutralizeDatabase, NeutralizeReport } from "./neutralize";
import { odooBinNeutralizeCommand, odooImageNeutralizeCommand, OdooNeutralizeResult, runOdooNeutralize } from "./odooBin";

interface NeutralizeCliOptions {
    db?: string;
    baseUrl?: string;
    mailHost?: string;
    mailPort?: string;
    odooBin?: string;
    odooImage?: string;
    dockerNetwork?: string;
    resetIdentity?: boolean;
    adminPasswordFile?: string;
    confirm?: string;
    json?: boolean;
}

export type NeutralizeCliReport = NeutralizeReport & { odooNeutralize?: OdooNeutralizeResult };

export function registerNeutralizeCommand(db: Command): void {
    db.command("neutralize")
        .description("make a production copy safe: crons, mail, payments, integrations, keys, identity — in one transaction")
        .requiredOption("--db <url>", "PostgreSQL URL of the database to neutralize")
        .requiredOption("--base-url <url>", "the environment's public URL (becomes web.base.url; its host becomes the mail domain)")
        .option("--mail-host <host>", "SMTP host of the environment's mail catcher (Mailpit); with --mail-port")
        .option("--mail-port <port>", "SMTP port of the mail catcher")
        .option("--odoo-bin <command>", "also run Odoo's own `neutralize` first with this odoo-bin (e.g. /opt/odoo/odoo-bin)")
        .option("--odoo-image <image>", "also run Odoo's own `neutralize` first in this Odoo image (docker run … odoo neutralize)")
        .option("--docker-network <name>", "Docker network for --odoo-image (where the database host resolves)")
        .option("--reset-identity", "renew passwords, database.uuid and database.secret even if neutralized before")
        .option("--admin-password-file <path>", "write the new admin password to this file (mode 600) instead of printing it")
        .addOption(confirmOption())
        .option("--json", "print the report as JSON (includes the new admin password: treat the output as a secret)")
        .action(action<NeutralizeCliOptions>(async (opts) => {
            const mailPort = integerOption("--mail-port", opts.mailPort);
            asUsage(() => neutralizeContextInput({ baseUrl: opts.baseUrl ?? "", mailHost: opts.mailHost, mailPort }));
            if (opts.odooBin && opts.odooImage) throw new CliError("give --odoo-bin or --odoo-image, not both", 2);
            if (opts.adminPasswordFile) assertWritableSecretFile(opts.adminPasswordFile, "--admin-password-file");
            const report: NeutralizeCliReport = await withClient(opts.db, async (client, db) => {
                await assertMayRewriteInPlace(client, "db neutralize", opts.confirm);
                let odooNeutralize: OdooNeutralizeResult | undefined;
                if (opts.odooBin || opts.odooImage) {
                    const password = databasePassword(db);
                    const command = asUsage(() => opts.odooImage
                        ? odooImageNeutralizeCommand({ image: opts.odooImage, db, password, network: opts.dockerNetwork })
                        : odooBinNeutralizeCommand({ command: opts.odooBin!, db, password }));
                    process.stderr.write(`neutralize: running Odoo's own neutralize: ${command.display}\n`);
                    odooNeutralize = await runOdooNeutralize(command);
                    if (odooNeutralize.exitCode !== 0) {
                        throw new CliError(`Odoo's own neutralize failed (exit ${odooNeutralize.exitCode}); nothing else was changed. ` +
                            `Check the image/odoo-bin and its addons path. Last output:\n${odooNeutralize.tail}`);
                    }
                }
                const result = await neutralizeDatabase(client, { baseUrl: opts.baseUrl!, mailHost: opts.mailHost, mailPort, resetIdentity: opts.resetIdentity, progress: progress("neutralize") });
                return { ...result, ...(odooNeutralize ? { odooNeutralize } : {}) };
            });
            if (opts.adminPasswordFile && report.admin.password) {
                writeSecretFile(opts.adminPasswordFile, `${report.admin.password.reveal()}\n`);
            }
            return { exitCode: 0, report, text: neutralizeText(report, opts.adminPasswordFile) } satisfies CommandResult<NeutralizeCliReport>;
        }));
}

export function neutralizeText(report: NeutralizeCliReport, passwordFile?: string): string {
    const lines = [`neutralize: done in ${report.seconds.toFixed(1)}s — base URL ${report.baseUrl}, outgoing mail → ${report.mailServer}`];
    if (report.odooNeutralize) lines.push(`  Odoo's own neutralize: ok (${report.odooNeutralize.seconds.toFixed(1)}s)`);
    lines.push(`  rules: ${report.applied} applied, ${report.skipped} skipped`);
    for (const r of report.rules.filter((x) => x.status === "applied" && (x.rows ?? 0) > 0)) lines.push(`    ${r.rule.padEnd(72)} ${String(r.rows).padStart(7)} row(s)`);
    for (const r of report.rules.filter((x) => x.status === "skipped")) lines.push(`    skipped ${r.rule}: ${r.reason}`);
    if (report.admin.password) {
        lines.push(passwordFile
            ? `  admin login "${report.admin.login}": new password written to ${passwordFile}`
            : `  admin login "${report.admin.login}", new password (shown once, store it now): ${report.admin.password.reveal()}`);
    } else {
        lines.push(`  admin login "${report.admin.login ?? "?"}": password unchanged since the first neutralization`);
    }
    return lines.join("\n");
}
