/**
 * The one place the program reads its configuration from the Pulumi runtime: stack config, the
 * checked-in PR defaults (Pulumi.pr.yaml) for PR stacks, and the CI environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { readStackConfigFile } from "./files";
import { projectValues, RawConfig, resolveSettings, StackSettings } from "./load";
import { projectName } from "./schema";
import { stackIdentity } from "./stage";
import { clusterStackName, resolveClusterSettings, ResolvedClusterSettings } from "./cluster";

/** Directory of Pulumi.yaml: the checked-in PR defaults live beside it. */
export { projectDir } from "./projectDir";
import { projectDir } from "./projectDir";
export const prDefaultsFile = "Pulumi.pr.yaml";

// `isConfigSecret` is how the SDK itself answers "was this key set with --secret"; it is not in the
// public typings of the pinned version, so it is looked up defensively.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };

export function loadStackSettings(): StackSettings {
    const identity = stackIdentity(pulumi.getStack());
    const values = projectValues(pulumi.runtime.allConfig());
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret?.(`${projectName}:${k}`)));
    // The offline plan names the file it evaluated; a real run names the stack's own file.
    const stackFile = process.env.ODOO_PLATFORM_CONFIG_FILE ?? `Pulumi.${identity.stack}.yaml`;
    const stack: RawConfig = { values, secretKeys, file: stackFile };

    let prDefaults: RawConfig | undefined;
    if (identity.stage === "pr") {
        const file = path.join(projectDir, prDefaultsFile);
        if (fs.existsSync(file)) {
            const parsed = readStackConfigFile(file);
            prDefaults = { values: projectValues(parsed.values), secretKeys: new Set(parsed.secretKeys.map((k) => k.split(":")[1])), file: prDefaultsFile };
        }
    }
    return resolveSettings({ identity, stack, prDefaults, env: process.env });
}

/** The shared cluster stack's settings (config/cluster.ts), from the same runtime configuration. */
export function loadClusterSettings(): ResolvedClusterSettings {
    const values = projectValues(pulumi.runtime.allConfig());
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret?.(`${projectName}:${k}`)));
    return resolveClusterSettings({ values, secretKeys, file: process.env.ODOO_PLATFORM_CONFIG_FILE ?? `Pulumi.${clusterStackName}.yaml` });
}
