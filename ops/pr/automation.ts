/**
 * The Pulumi side of the PR lifecycle, on the Automation API (`@pulumi/pulumi/automation`): a
 * LocalWorkspace on this project's directory drives the Pulumi CLI, so `pr up` runs exactly the
 * program, stack config and policy packs a person would run by hand.
 * Docs: https://www.pulumi.com/docs/using-pulumi/automation-api/
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import type { OutputMap, Stack } from "@pulumi/pulumi/automation";
import { deployGate, previewThenUp } from "../../plan/policyConfig";
import { EnvironmentId, environmentOfStack, environmentStackName } from "./naming";
import { removeOrphanContainers, stateContainerIds } from "./orphans";
import type { PrDeployment, PrStackBackend, PrStackConfig } from "./ports";
import type { PrStackInfo } from "./queue";
import { InvalidInputError, OperationFailedError } from "../core/errors";
import { ExportedDeployment, keptByDestroy, leftInState } from "./destroyCheck";

/** The Automation API, loaded on first use: requiring it costs about a second of CPU, which every CLI start would pay. */
function automationApi(): typeof automation {
    return require("@pulumi/pulumi/automation") as typeof automation;
}

/** Policy packs to enforce on every PR deploy: the directories under policy/ with a PulumiPolicy.yaml. */
export function policyPackDirs(projectDir: string): string[] {
    const root = path.join(projectDir, "policy");
    if (!fs.existsSync(root)) return [];
    return fs
        .readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, d.name, "PulumiPolicy.yaml")))
        .map((d) => path.join(root, d.name))
        .sort();
}

/** Stack config keys `pr up` sets (the rest comes from Pulumi.pr.yaml through the program). */
export function prConfigValues(config: PrStackConfig): Record<string, string> {
    const values: Record<string, string> = { "odoo-platform:gitSha": config.gitSha, "odoo-platform:gitBranch": config.gitBranch };
    if (config.odooImage) values["odoo-platform:odooImage"] = config.odooImage;
    if (config.slot !== undefined) values["odoo-platform:prSlot"] = String(config.slot);
    return values;
}

const outputString = (outputs: OutputMap, key: string): string | undefined => {
    const value = outputs[key]?.value;
    return typeof value === "string" && value !== "" ? value : undefined;
};

export interface AutomationBackendOptions {
    workDir: string;
    /** Qualifies PR stack names like the shared stack (org/project/pr-<n>). */
    sharedStack?: string;
    policyPacks: string[];
    /** Where Pulumi's own progress goes (stderr). */
    onOutput: (text: string) => void;
    /**
     * Docker daemon of the PR stacks (odoo-platform:dockerHost): where the test container's log is
     * read and where interrupted runs leave containers.
     */
    dockerHost?: string;
}

/** `docker logs <container>` with stdout and stderr in the order Docker gives them. */
export function dockerLogs(container: string, dockerHost?: string, timeoutMs = 120_000): Promise<string> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(container)) return Promise.reject(new Error(`"${container}" is not a container name`));
    return new Promise((resolve, reject) => {
        const child = spawn("sh", ["-c", 'exec docker logs "$0" 2>&1', container], {
            env: { ...process.env, ...(dockerHost ? { DOCKER_HOST: dockerHost } : {}) },
            stdio: ["ignore", "pipe", "ignore"],
        });
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
        child.stdout.on("data", (c: Buffer) => chunks.push(c));
        child.on("error", (err) => (clearTimeout(timer), reject(new Error(`docker logs ${container}: ${err.message} (is the docker CLI installed?)`))));
        child.on("close", (code) => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString("utf8");
            if (code === 0) resolve(text);
            else reject(new Error(`docker logs ${container} exited with code ${code}: ${text.trim().split("\n").slice(-3).join(" ")}`));
        });
    });
}

export class AutomationBackend implements PrStackBackend {
    constructor(private readonly options: AutomationBackendOptions) {}

    private stackName(env: EnvironmentId): string {
        return environmentStackName(env, this.options.sharedStack);
    }

    private async guard<T>(what: string, run: () => Promise<T>): Promise<T> {
        try {
            return await run();
        } catch (err) {
            const message = (err as Error).message ?? String(err);
            if (/ENOENT|not find pulumi|pulumi: not found|command not found/i.test(message)) {
                throw new InvalidInputError(
                    `${what}: the Pulumi CLI is not installed or not on PATH — install it (https://www.pulumi.com/docs/install/) and log in (PULUMI_ACCESS_TOKEN)`,
                );
            }
            throw err;
        }
    }

    async list(): Promise<PrStackInfo[]> {
        return this.guard("listing PR stacks", async () => {
            const workspace = await automationApi().LocalWorkspace.create({ workDir: this.options.workDir });
            const summaries = await workspace.listStacks();
            const stacks: PrStackInfo[] = [];
            for (const summary of summaries) {
                const pr = environmentOfStack(summary.name);
                if (pr === undefined) continue;
                const updated = summary.lastUpdate ? new Date(summary.lastUpdate) : undefined;
                stacks.push({
                    pr,
                    name: summary.name,
                    resourceCount: summary.resourceCount ?? 0,
                    lastUpdate: updated && !Number.isNaN(updated.getTime()) ? updated : undefined,
                    updating: summary.updateInProgress ?? false,
                    slot: await this.slotOf(summary.name),
                });
            }
            return stacks;
        });
    }

    /** The `odoo-platform:prSlot` a PR stack was deployed with, if any. */
    private async slotOf(stackName: string): Promise<number | undefined> {
        try {
            const stack = await automationApi().LocalWorkspace.selectStack({ stackName, workDir: this.options.workDir });
            const value = Number((await stack.getConfig("odoo-platform:prSlot")).value);
            return Number.isInteger(value) && value > 0 ? value : undefined;
        } catch {
            return undefined;
        }
    }

    async reserve(pr: EnvironmentId): Promise<void> {
        await this.guard(`reserving ${this.stackName(pr)}`, () =>
            automationApi().LocalWorkspace.createOrSelectStack({ stackName: this.stackName(pr), workDir: this.options.workDir }),
        );
    }

    async release(pr: EnvironmentId): Promise<void> {
        const own = (await this.list()).find((s) => s.pr === pr);
        if (!own || own.resourceCount > 0 || own.updating) return;
        const workspace = await automationApi().LocalWorkspace.create({ workDir: this.options.workDir });
        await workspace.removeStack(this.stackName(pr));
    }

    async deploy(pr: EnvironmentId, config: PrStackConfig): Promise<PrDeployment> {
        return this.guard(`deploying ${this.stackName(pr)}`, async () => {
            const stack = await automationApi().LocalWorkspace.createOrSelectStack({ stackName: this.stackName(pr), workDir: this.options.workDir });
            const values = prConfigValues(config);
            await stack.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }])));
            // Without a CI-built image the stack falls back to Pulumi.pr.yaml's odooImage.
            if (!config.odooImage) await stack.removeConfig("odoo-platform:odooImage").catch(() => undefined);
            await this.clearInterrupted(stack);
            const result = await this.upOnce(stack).catch(async (err) => {
                if (!(err instanceof automationApi().ConcurrentUpdateError)) throw err;
                // Only one workflow run per PR runs at a time (its concurrency group); a lock here is
                // left by a run GitHub cancelled mid-update, so it is safe to clear it once.
                this.options.onOutput(`${this.stackName(pr)} is locked by an interrupted update: cancelling it and retrying once\n`);
                await stack.cancel();
                await this.clearInterrupted(stack);
                return this.upOnce(stack);
            });
            const url = outputString(result.outputs, "url");
            if (!url) throw new Error(`stack ${this.stackName(pr)} deployed but exports no url`);
            const tests = result.outputs.tests?.value as { container?: string; exitCode?: number | null } | null | undefined;
            return {
                url,
                mailCatcherUrl: outputString(result.outputs, "mailCatcherUrl"),
                databaseName: outputString(result.outputs, "databaseName"),
                imageReference: outputString(result.outputs, "imageReference"),
                imageDigest: outputString(result.outputs, "imageDigest"),
                namespace: outputString(result.outputs, "kubernetesNamespace"),
                tests: tests?.container ? { container: tests.container, exitCode: tests.exitCode ?? null } : undefined,
            };
        });
    }

    async testLog(_env: EnvironmentId, container: string): Promise<string> {
        return dockerLogs(container, this.options.dockerHost);
    }

    /**
     * What a cancelled run left: pending creates in the state (cleared) and the containers they
     * were creating, which hold fixed names the retry needs (removed; see ./orphans.ts).
     */
    private async clearInterrupted(stack: Stack): Promise<void> {
        const exported = await stack.exportStack();
        const pending = (exported.deployment as { pending_operations?: unknown[] } | undefined)?.pending_operations ?? [];
        // Either runtime: a pending create would stop the next update.
        if (pending.length) await stack.refresh({ clearPendingCreates: true, onOutput: this.options.onOutput });
        // Containers left on the host are the docker runtime's (a Kubernetes stack has no docker host).
        if (!this.options.dockerHost) return;
        const stateIds = stateContainerIds((await stack.exportStack()).deployment as Parameters<typeof stateContainerIds>[0]);
        const removed = await removeOrphanContainers({ stack: stack.name.split("/").pop()!, dockerHost: this.options.dockerHost, stateIds });
        if (removed.length) this.options.onOutput(`removed ${removed.join(", ")}: left on the host by an interrupted run, unknown to the stack's state\n`);
    }

    /**
     * The policy pack gates a preview first (the Automation API's `up` always skips its own), then
     * the update; Docker operations at most `parallel` at once over the host's SSH connection.
     */
    private async upOnce(stack: Stack) {
        const gate = { ...deployGate(stack.name, this.options.workDir), policyPacks: this.options.policyPacks };
        return previewThenUp(stack, gate, { refresh: true, onOutput: this.options.onOutput }, { message: `odoo-platform pr up ${stack.name}` });
    }

    async destroy(pr: EnvironmentId): Promise<"destroyed" | "absent"> {
        return this.guard(`destroying ${this.stackName(pr)}`, async () => {
            let stack: Stack;
            try {
                stack = await automationApi().LocalWorkspace.selectStack({ stackName: this.stackName(pr), workDir: this.options.workDir });
            } catch (err) {
                if (err instanceof automationApi().StackNotFoundError) return "absent";
                throw err;
            }
            const kept = keptByDestroy((await stack.exportStack()).deployment as ExportedDeployment);
            if (kept.length)
                throw new OperationFailedError(
                    `${stack.name} holds what a destroy keeps: ${kept.join(", ")}. A PR environment must leave nothing behind: nothing was destroyed; fix the pr stage's retention (components/retention.ts) and run pr down again`,
                );
            const destroy = () => stack.destroy({ refresh: true, onOutput: this.options.onOutput, message: `odoo-platform pr down ${stack.name}` });
            try {
                await destroy();
            } catch (err) {
                if (err instanceof automationApi().ConcurrentUpdateError) await stack.cancel();
                // A half-created stack (interrupted create) has pending operations: clear them, retry.
                else await stack.refresh({ clearPendingCreates: true, onOutput: this.options.onOutput });
                await destroy();
            }
            const left = leftInState((await stack.exportStack()).deployment as ExportedDeployment);
            if (left.length)
                throw new OperationFailedError(
                    `${stack.name} still holds ${left.join(", ")} after the destroy: the stack is kept; run pr down again or remove them by hand`,
                );
            await stack.workspace.removeStack(stack.name);
            return "destroyed";
        });
    }
}
