/** The `db` command group: sanitize, neutralize, verify (each registered by its capability). */
import type { Command } from "commander";
import { registerNeutralizeCommand } from "../neutralize/cli";
import { registerSanitizeCommand } from "../sanitize/cli";
import { registerVerifyCommand } from "../verify/cli";

export function registerDbCommands(program: Command): void {
    const db = program.command("db").description("data safety of a database: sanitize personal data, neutralize integrations, verify");
    registerSanitizeCommand(db);
    registerNeutralizeCommand(db);
    registerVerifyCommand(db);
}
