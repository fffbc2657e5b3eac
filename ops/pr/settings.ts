/**
 * The settings of a PR stack, resolved outside the Pulumi runtime with the program's own loader
 * (config/load.ts) and the checked-in PR defaults (Pulumi.pr.yaml): the same limit, TTL, shared
 * stack and host names the program will use, so the comment can name the URL before the deploy.
 */
import * as path from "node:path";
import { readStackConfigFile } from "../../config/files";
import { projectValues, resolveSettings, StackSettings } from "../../config/load";
import { databaseSlice, kubernetesSlice, stackSlices } from "../../config/slices";
import { stackIdentity } from "../../config/stage";
import { kubernetesNamespace } from "../../components/kubernetesObjects";
import { EnvironmentId, environmentStackName, prNumber } from "./naming";

export { projectDir } from "../../config/projectDir";
import { projectDir } from "../../config/projectDir";
export const prDefaultsFile = "Pulumi.pr.yaml";

export interface PrSettingsInput {
    /** A PR number, or a branch environment's br-<slug>. */
    pr: EnvironmentId;
    sha: string;
    branch: string;
    image?: string;
    /** Directory holding Pulumi.pr.yaml (the project). */
    projectDir?: string;
    env?: Record<string, string | undefined>;
}

/** Settings of stack `pr-<n>` for this build; throws ConfigError naming what to fix. */
export function prStackSettings(input: PrSettingsInput): StackSettings {
    const dir = input.projectDir ?? projectDir;
    const identity = stackIdentity(typeof input.pr === "number" ? `pr-${prNumber(input.pr)}` : environmentStackName(input.pr));
    const defaults = readStackConfigFile(path.join(dir, prDefaultsFile));
    const values: Record<string, string> = { gitSha: input.sha, gitBranch: input.branch };
    if (input.image) values.odooImage = input.image;
    return resolveSettings({
        identity,
        stack: { values, secretKeys: new Set(), file: "the `pr up` arguments" },
        prDefaults: { values: projectValues(defaults.values), secretKeys: new Set(defaults.secretKeys.map((k) => k.split(":")[1])), file: prDefaultsFile },
        env: input.env ?? process.env,
    });
}

/** Limit, TTL and shared stack of PR environments (no build involved: `down` and `sweep`). */
export function prPlatformSettings(opts: { projectDir?: string; env?: Record<string, string | undefined> } = {}) {
    // Any valid build resolves the same platform keys; these placeholders only satisfy the loader.
    const env = { ...(opts.env ?? process.env) };
    delete env.ODOO_PLATFORM_PR_NUMBER;
    const { settings } = prStackSettings({ pr: 1, sha: "0000000", branch: "main", projectDir: opts.projectDir, env });
    return {
        limit: settings.prConcurrencyLimit,
        ttlHours: settings.prTtlHours,
        sharedStack: settings.sharedStack,
        runtime: settings.runtime,
        // The Docker daemon of the PR stacks (test logs, containers an interrupted run left): none on Kubernetes.
        dockerHost: settings.runtime === "docker" ? settings.dockerHost : undefined,
        testLogIgnore: settings.testLogIgnore,
        branchEnvironments: settings.branchEnvironments,
    };
}

/**
 * What a build will look like, from the program's own naming and slices (config/slices.ts): the
 * hosts (both runtimes route Odoo at names.host and the mail catcher at names.mailHost, behind
 * TLS), the database and where it lives (docker: the PR's own PostgreSQL container, or the stage's
 * server for a restored copy; kubernetes: the staging server, dbHost), and the namespace (kubernetes).
 */
export function prView(cfg: StackSettings): {
    runtime: "docker" | "kubernetes";
    url: string;
    mailCatcherUrl: string;
    database: string;
    databaseHost: string;
    namespace?: string;
} {
    const { names, settings } = cfg;
    const slices = stackSlices(cfg);
    const common = { url: `https://${names.host}`, mailCatcherUrl: `https://${names.mailHost}`, database: names.database };
    if (settings.runtime === "kubernetes") {
        const server = kubernetesSlice(cfg, slices).databaseServer;
        if (server.kind !== "staging-server") throw new Error(`a ${cfg.stage} stack on Kubernetes keeps its database on the staging server, not its own`);
        return { runtime: "kubernetes", ...common, databaseHost: server.server.host, namespace: kubernetesNamespace(cfg, settings.kubernetesNamespace) };
    }
    const database = databaseSlice(cfg, slices);
    return { runtime: "docker", ...common, databaseHost: database.kind === "container" ? names.containers.postgres : database.server.host };
}
