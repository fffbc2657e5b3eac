/**
 * `odoo-platform`: the operations CLI. A thin shell: each command group lives in its capability's
 * folder under ops/ and registers itself here.
 */
import { Command, CommanderError } from "commander";
import { registerBuildCommands } from "../build/cli";
import { registerDbCommands } from "../db/cli";
import { registerEvidence } from "../evidence/cli";
import { registerEvidencePrune } from "../evidence/pruneCli";
import { registerPostmortem } from "../postmortem/cli";
import { registerBranchCommands, registerPrCommands } from "../pr/cli";
import { registerPromotion } from "../promotion/cli";
import { registerRepoCommands } from "../repo/cli";
import { registerInit } from "../repo/initCli";
import { registerSnapshotCommands } from "../snapshot/cli";
import { registerStagingCommands } from "../staging/cli";
import { exitCodeFor, exitCodes } from "./runtime";

/** Command groups, each `(program) => void`. Add a group by adding its register function. */
const groups: ((program: Command) => void)[] = [registerEvidence, (program) => registerPromotion(program), registerEvidencePrune, registerPostmortem, registerPrCommands, registerBranchCommands, registerBuildCommands, registerDbCommands, registerSnapshotCommands, registerStagingCommands, registerRepoCommands, registerInit];

export function buildCli(): Command {
    const program = new Command("odoo-platform")
        .description("Operations for the odoo-platform: data (snapshot, sanitize, neutralize, verify), PR environments, evidence")
        .version(require("../../package.json").version)
        .showHelpAfterError()
        .exitOverride();
    for (const register of groups) register(program);
    return program;
}

export async function main(argv: string[]): Promise<number> {
    const program = buildCli();
    try {
        await program.parseAsync(argv);
    } catch (err) {
        if (err instanceof CommanderError) {
            // Help and --version exit 0; any other parse error is bad usage.
            return err.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
        }
        process.stderr.write(`error: ${(err as Error).message}\n`);
        return exitCodeFor(err);
    }
    return typeof process.exitCode === "number" ? process.exitCode : exitCodes.ok;
}
