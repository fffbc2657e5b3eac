/**
 * The `contracts` pack: what every stage promises about how Odoo runs — the same addons path
 * everywhere, the runtime variables the inventory requires, pinned images where it matters,
 * resource limits, and the stage/stack/git-SHA labels that tie every object to its deployment.
 *
 * Plain policy objects: the offline plan and the tests call them directly; index.ts serves the same
 * objects to `pulumi preview --policy-pack policy/odoo-platform`.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { addonsPathContract as declaredAddonsPath, containerRoles, deployedCodeRoles, labelKeys, runtimeVariables } from "./platform";
import { describe, listing } from "./lib/describe";
import {
    cpuLimit,
    envValue,
    envValues,
    hasUnknownEnv,
    isDigestPinned,
    knownRoles,
    labelMap,
    memoryMb,
    odooOption,
    parseImageRef,
    providesPath,
    roleOf,
    runsOdoo,
    splitAddonsPath,
} from "./lib/docker";
import { labelCarrier, labelsOf, requiredLabelKeys } from "./lib/labels";
import type { PolicyPackDefinition } from "./lib/pack";
import { containersOf, resourceStage, stackStage, withConfigDefaults } from "./lib/policy";
import { dockerTypes } from "./lib/types";

export const addonsPathContract: ResourceValidationPolicy = withConfigDefaults({
    name: "addons-path-contract",
    description: "Every Odoo container runs with the addons path declared in config/runtime-contract.yaml, in every stage.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            addonsPath: {
                type: "array",
                items: { type: "string" },
                default: declaredAddonsPath,
                description: "The declared addons path (defaults to config/runtime-contract.yaml).",
            },
        },
    },
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container || !runsOdoo(args.props)) return;
        resourceStage(args);
        const contract = args.getConfig<{ addonsPath: string[] }>().addonsPath.map((p) => p.replace(/\/+$/, ""));
        const declared = odooOption(args.props, "addons_path");
        if (!declared) {
            report(
                `${describe(args)} declares no addons path (no addons_path in its odoo.conf upload, no --addons-path): ` +
                    `Odoo would fall back to its own addons only. Render odoo.conf with addons_path = ${contract.join(",")}.`,
            );
            return;
        }
        const actual = splitAddonsPath(declared.value);
        if (actual.join(",") !== contract.join(",")) {
            report(
                `${describe(args)} runs with addons path ${actual.join(",") || "(empty)"} (${declared.source}) but the runtime contract declares ` +
                    `${contract.join(",")}. Set odoo-platform:addonsPath to the contract's value (or remove it from the stack file), ` +
                    `or change config/runtime-contract.yaml — which changes it for every stage.`,
            );
        }
    },
});

export const requiredVariablesSet: StackValidationPolicy = {
    name: "required-variables-set",
    description: "Every container carries the runtime variables the inventory (config/environment.ts) marks required for its role and stage.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const { stage } = stackStage(args);
        const containers = containersOf(args.resources);
        const rolesPresent = new Set(containers.map((c) => roleOf(c.props)));
        for (const container of containers) {
            const role = roleOf(container.props);
            for (const variable of runtimeVariables) {
                if (!role || !variable.roles.includes(role) || !variable.requiredIn.includes(stage)) continue;
                if (variable.requiredWhenRolePresent && !rolesPresent.has(variable.requiredWhenRolePresent)) continue;
                const values = envValues(container.props, variable.name);
                if (values.length > 0 && values[values.length - 1] !== "") continue;
                if (hasUnknownEnv(container.props)) {
                    report(
                        `${describe(container)}: ${variable.name} is not among its known environment entries and some are not known during this preview, so the policy cannot tell whether it is set — ` +
                            `build the container's envs from configuration.`,
                        container.urn,
                    );
                    continue;
                }
                const file = variable.fileVariant ? envValue(container.props, `${variable.name}_FILE`) : undefined;
                if (file) {
                    if (!providesPath(container.props, file)) {
                        report(
                            `${describe(container)} reads ${variable.name} from ${file} (${variable.name}_FILE), which is neither uploaded nor mounted: ` +
                                `upload the file (uploads) or mount it, or the container will not start.`,
                            container.urn,
                        );
                    }
                    continue;
                }
                const when = variable.requiredWhenRolePresent ? ` when the stack runs a container with role ${variable.requiredWhenRolePresent}` : "";
                report(
                    `${describe(container)} does not set ${variable.name}, which the inventory requires in the ${stage} stage${when}: ` +
                        `${variable.description} Set it in the container's envs (see docs/architecture/ENVIRONMENT_VARIABLES.md).`,
                    container.urn,
                );
            }
        }
    },
};

/** Roles whose image must be pinned by digest in the pinned stages (the code we deploy). */
const defaultDigestRoles = [containerRoles.odoo, containerRoles.odooInit];

function imageSources(container: PolicyResource): PolicyResource[] {
    return (container.propertyDependencies?.image ?? []).filter((d) => d.type === dockerTypes.remoteImage || d.type === dockerTypes.image);
}

export const imagesPinnedByDigest: StackValidationPolicy = withConfigDefaults({
    name: "images-pinned-by-digest",
    description: "Staging and production run the Odoo image pinned by digest (@sha256:…), and no image on a floating tag (latest or none).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            stages: { type: "array", items: { type: "string" }, default: ["staging", "production"], description: "Stages whose images must be pinned." },
            digestRoles: {
                type: "array",
                items: { type: "string" },
                default: defaultDigestRoles,
                description: "Container roles whose image must be pinned by digest; other containers need an explicit version tag.",
            },
        },
    },
    validateStack: (args, report) => {
        const { stages, digestRoles } = args.getConfig<{ stages: string[]; digestRoles: string[] }>();
        const { stage } = stackStage(args, stages);
        const checked = new Set<PolicyResource>();
        const floating = (ref: string) => {
            const parsed = parseImageRef(ref);
            return !isDigestPinned(parsed) && (parsed.tag === undefined || parsed.tag === "latest");
        };
        for (const container of containersOf(args.resources)) {
            const role = roleOf(container.props) ?? "(no role)";
            const needsDigest = digestRoles.includes(role);
            for (const source of imageSources(container)) {
                checked.add(source);
                if (source.type === dockerTypes.image) {
                    if (needsDigest) {
                        report(
                            `${describe(container)} runs an image built during the deployment (${describe(source)}); ${stage} must run a ` +
                                `released image: set odoo-platform:odooImage to <image>@sha256:<digest> and remove odoo-platform:odooBuildContext.`,
                            container.urn,
                        );
                    }
                    continue;
                }
                const name = String(source.props.name ?? "");
                if (needsDigest && !isDigestPinned(parseImageRef(name))) {
                    report(
                        `${describe(container)} runs ${name} through ${describe(source)}, a tag that can move under a running ${stage}: ` +
                            `pin it by digest — set odoo-platform:odooImage to ${parseImageRef(name).repository}@sha256:<digest> (docker buildx imagetools inspect ${name}).`,
                        container.urn,
                    );
                } else if (!needsDigest && floating(name)) {
                    report(`${describe(source)} pulls ${name} on a floating tag in ${stage}: name an explicit version (or a digest).`, source.urn);
                }
            }
            if (imageSources(container).length > 0) continue;
            // Without an image resource behind it the reference is the program's own: read it now
            // (an unknown one fails the policy closed).
            const image = String(container.props.image ?? "");
            if (needsDigest && !isDigestPinned(parseImageRef(image))) {
                report(
                    `${describe(container)} runs image ${image || "(none)"} in ${stage}, which is not pinned by digest: ` +
                        `set odoo-platform:odooImage to <image>@sha256:<digest>.`,
                    container.urn,
                );
            } else if (!needsDigest && image && floating(image)) {
                report(`${describe(container)} runs ${image} on a floating tag in ${stage}: name an explicit version (or a digest).`, container.urn);
            }
        }
        for (const pull of args.resources.filter((r) => r.type === dockerTypes.remoteImage && !checked.has(r))) {
            const name = String(pull.props.name ?? "");
            if (floating(name)) report(`${describe(pull)} pulls ${name} on a floating tag in ${stage}: name an explicit version (or a digest).`, pull.urn);
        }
    },
});

export const containerLimits: ResourceValidationPolicy = {
    name: "container-limits",
    description: "Every container has a memory limit and a CPU limit, so one environment cannot starve the others on its Docker host.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container) return;
        resourceStage(args);
        const missing = [memoryMb(args.props) === undefined ? "memory (MiB)" : undefined, cpuLimit(args.props) === undefined ? "cpus" : undefined].filter(
            (m): m is string => !!m,
        );
        if (missing.length) {
            report(
                `${describe(args)} has no ${listing(missing)} limit: set ${listing(missing)} on the container (the stage's defaults are odoo-platform:odooMemoryMb and odoo-platform:odooCpus for Odoo).`,
            );
        }
    },
};

/** Docker objects whose labels force their replacement in the docker provider (kreuzwerker v4.5.0: ForceNew on labels). */
const replacedByLabels: readonly string[] = [dockerTypes.container, dockerTypes.network, dockerTypes.volume];

export const resourceLabels: ResourceValidationPolicy = {
    name: "resource-labels",
    description:
        "Every labelled resource carries the stage and stack labels (Docker labels, AWS tags) of its stack, every container its role, and only the containers " +
        "that run the deployed commit the git-SHA label (labels force a replacement: a per-commit label on a volume, network or long-lived container " +
        "replaces it on every deploy); types that cannot carry labels are exempt by name in lib/labels.ts.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        const identity = resourceStage(args);
        const carrier = labelCarrier(args.type);
        if (!carrier) {
            report(
                `${describe(args)} is of type ${args.type}, which policy/lib/labels.ts does not know: say how it carries the ` +
                    `${requiredLabelKeys.join(", ")} labels, or exempt it there with the reason it cannot.`,
            );
            return;
        }
        if (carrier.kind === "exempt") return;
        const labels = labelsOf(args.type, args.props, args.provider?.props) ?? {};
        const where =
            carrier.kind === "docker-labels" ? "labels" : carrier.kind === "kubernetes-labels" ? "metadata.labels" : "tags (or the provider's defaultTags)";
        const fix = "build them with resourceLabels()/containerLabels() from config/naming.ts";
        const role = args.type === dockerTypes.container ? labelMap(args.props)[labelKeys.role] : undefined;
        const runsCommit = role !== undefined && deployedCodeRoles.includes(role);
        const missing = [...requiredLabelKeys, ...(runsCommit ? [labelKeys.gitSha] : [])].filter((k) => !labels[k]);
        if (missing.length) {
            report(`${describe(args)} lacks the ${listing(missing)} ${where}: ${fix}.`);
        }
        const expected: Record<string, string> = { [labelKeys.stage]: identity.stage, [labelKeys.stack]: identity.stack };
        for (const [key, value] of Object.entries(expected)) {
            if (labels[key] && labels[key] !== value)
                report(`${describe(args)} is labelled ${key}=${labels[key]} but belongs to stack ${identity.stack} (${key}=${value}): ${fix}.`);
        }
        const sha = labels[labelKeys.gitSha];
        if (sha && !/^[0-9a-f]{7,40}$/.test(sha) && !(sha === "uncommitted" && identity.stage === "dev")) {
            report(
                `${describe(args)} is labelled ${labelKeys.gitSha}=${sha}, which is not a commit SHA: CI sets ODOO_PLATFORM_GIT_SHA to the commit it deploys.`,
            );
        }
        if (sha && replacedByLabels.includes(args.type) && !runsCommit) {
            report(
                `${describe(args)} carries ${labelKeys.gitSha}: the docker provider replaces a ${args.type.split(":").pop()} whose labels change, so every deploy would ` +
                    `${args.type === dockerTypes.volume ? "delete its data" : args.type === dockerTypes.network ? "try to delete a network its containers still use" : "recreate it"}. ` +
                    `Only ${listing([...deployedCodeRoles])} containers carry it (containerLabels / stableLabels in config/naming.ts).`,
            );
        }
        if (args.type === dockerTypes.container) {
            if (!role || !knownRoles.includes(role)) {
                report(
                    `${describe(args)} has ${role ? `an unknown role ${labelKeys.role}=${role}` : `no ${labelKeys.role} label`}: policies find Odoo, the mail catcher and ` +
                        `the router by it — label it with containerLabels(labels, role) (config/naming.ts), one of ${knownRoles.join(", ")}.`,
                );
            }
        }
    },
};

export const contractsPack: PolicyPackDefinition = {
    name: "contracts",
    description: "Runtime contracts every stage honours: addons path, runtime variables, pinned images, limits and labels.",
    enforcementLevel: "mandatory",
    policies: [addonsPathContract, requiredVariablesSet, imagesPinnedByDigest, containerLimits, resourceLabels],
};
