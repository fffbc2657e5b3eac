/**
 * `npm run plan -- --stack <name> [--config-file <path>] [--policy-config <file>] [--json]`
 * Exit 0 clean, 1 a mandatory policy violated, 2 invalid configuration.
 */
import { Command, CommanderError } from "commander";
import { planDocument, planStack } from "./plan";
import { loadPolicyConfig, PolicyConfigError } from "./policies";
import { renderPlan } from "./render";
import { exitWhenFlushed } from "../ops/core/exit";

async function main(argv: string[]): Promise<number> {
    const program = new Command("plan")
        .description("Evaluate a stack offline under Pulumi's mock runtime and run every policy pack on it")
        .requiredOption("--stack <name>", "dev, staging, production, pr-<number> or cluster (the shared cluster add-ons)")
        .option("--config-file <path>", "evaluate against this config file instead of Pulumi.<stack>.yaml")
        .option("--policy-config <file>", "policy configuration, as `pulumi preview --policy-pack-config` takes it (JSON keyed by policy name)")
        .option("--json", "print one JSON document")
        .exitOverride();
    try {
        program.parse(argv);
    } catch (err) {
        if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
        throw err;
    }
    const opts = program.opts<{ stack: string; configFile?: string; policyConfig?: string; json?: boolean }>();
    let policyConfig;
    try {
        policyConfig = opts.policyConfig ? loadPolicyConfig(opts.policyConfig) : undefined;
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) throw err;
        process.stderr.write(`${err.message}\n`);
        return 2;
    }
    const result = await planStack({ stack: opts.stack, configFile: opts.configFile, policyConfig });
    if (opts.json) process.stdout.write(`${JSON.stringify(planDocument(result), null, 2)}\n`);
    else {
        const text = renderPlan(result);
        (result.errors.length ? process.stderr : process.stdout).write(`${text}\n`);
    }
    return result.exitCode;
}

main(process.argv).then(
    (code) => exitWhenFlushed(code),
    (err) => {
        process.stderr.write(`plan failed: ${(err as Error).stack ?? err}\n`);
        exitWhenFlushed(2);
    },
);
