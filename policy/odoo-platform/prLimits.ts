/**
 * The `pr-limits` pack (stack policies, PR stacks only): a pull request gets one Odoo environment,
 * within the PR budget, and everything it creates says which PR it belongs to and how long it may
 * live, so `odoo-platform pr sweep` can find and remove it.
 *
 * Budget: the policy config (prMaxMemoryMb / prMaxCpus; `npm run policy-config` writes them from
 * Pulumi.pr.yaml), else the schema's defaults — the same values the program reads.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { containerRoles, labelKeys, prBudgetDefaults } from "./platform";
import { describe, listing } from "./lib/describe";
import { cpuLimit, memoryMb } from "./lib/docker";
import { labelsOf } from "./lib/labels";
import type { PolicyPackDefinition } from "./lib/pack";
import { containersOf, containersWithRole, stackStage, withConfigDefaults } from "./lib/policy";
import { podLabels } from "./lib/kubernetes";
import { componentTypes, kubernetesTypes } from "./lib/types";

const prOnly = ["pr"] as const;

export const oneOdooPerPr: StackValidationPolicy = {
    name: "one-odoo-per-pr",
    description: "A PR stack runs exactly one Odoo environment (one OdooEnvironment, one Odoo container).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const { stack } = stackStage(args, prOnly);
        const environments = args.resources.filter((r) => r.type === componentTypes.odooEnvironment || r.type === componentTypes.kubernetesEnvironment);
        // On Kubernetes the Odoo "container" is the HTTP Deployment (components/kubernetesObjects.ts, role odoo).
        const odoos = [
            ...containersWithRole(args.resources, [containerRoles.odoo]),
            ...args.resources.filter((r) => r.type === kubernetesTypes.deployment && podLabels(r.type, r.props)[labelKeys.role] === containerRoles.odoo),
        ];
        if (environments.length > 1) {
            report(
                `stack ${stack} declares ${environments.length} Odoo environments (${listing(environments.map((e) => describe(e)))}): a PR stack gets exactly one.`,
            );
        }
        if (odoos.length !== 1) {
            report(
                odoos.length === 0
                    ? `stack ${stack} runs no Odoo container: a PR stack exists to run the pull request's Odoo — check that OdooEnvironment is declared for PR stacks.`
                    : `stack ${stack} runs ${odoos.length} Odoo containers (${listing(odoos.map((o) => describe(o)))}): a PR stack gets exactly one; ` +
                          `more would take a second slot of the PR budget (odoo-platform:prConcurrencyLimit).`,
            );
        }
    },
};

export const prResourceBudget: StackValidationPolicy = withConfigDefaults({
    name: "pr-resource-budget",
    description: "Every container of a PR stack has memory and CPU limits within the PR budget (odoo-platform:prMaxMemoryMb, prMaxCpus).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            prMaxMemoryMb: {
                type: "number",
                default: prBudgetDefaults.prMaxMemoryMb,
                description: "odoo-platform:prMaxMemoryMb of Pulumi.pr.yaml (npm run policy-config).",
            },
            prMaxCpus: {
                type: "number",
                default: prBudgetDefaults.prMaxCpus,
                description: "odoo-platform:prMaxCpus of Pulumi.pr.yaml (npm run policy-config).",
            },
        },
    },
    validateStack: (args, report) => {
        stackStage(args, prOnly);
        const { prMaxMemoryMb: maxMemory, prMaxCpus: maxCpus } = args.getConfig<{ prMaxMemoryMb: number; prMaxCpus: number }>();
        for (const container of containersOf(args.resources)) {
            const memory = memoryMb(container.props);
            const cpus = cpuLimit(container.props);
            const problems: string[] = [];
            if (memory === undefined) problems.push("has no memory limit");
            else if (memory > maxMemory) problems.push(`asks for ${memory} MiB of memory`);
            if (cpus === undefined) problems.push("has no CPU limit");
            else if (cpus > maxCpus) problems.push(`asks for ${cpus} CPUs`);
            if (problems.length) {
                report(
                    `${describe(container)} ${listing(problems)}, beyond the PR budget of ${maxMemory} MiB and ${maxCpus} CPUs per container: ` +
                        `lower odoo-platform:odooMemoryMb / odooCpus for PR stacks, or raise odoo-platform:prMaxMemoryMb / prMaxCpus in Pulumi.pr.yaml.`,
                    container.urn,
                );
            }
        }
    },
});

export const prTtlLabel: StackValidationPolicy = {
    name: "pr-ttl-label",
    description: `Every labelled object of a PR stack carries ${labelKeys.pr} (its PR number) and ${labelKeys.ttlHours} (hours it may idle before the sweep removes it).`,
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const { prNumber, branchEnvironment, stack } = stackStage(args, prOnly);
        const maxTtl = 24 * 30;
        for (const resource of args.resources) {
            const labels = labelsOf(resource.type, resource.props, resource.provider?.props);
            if (!labels) continue;
            const problems: string[] = [];
            const ttl = labels[labelKeys.ttlHours];
            if (ttl === undefined) problems.push(`has no ${labelKeys.ttlHours} label`);
            else if (!/^[1-9][0-9]*$/.test(ttl) || Number(ttl) > maxTtl)
                problems.push(`has ${labelKeys.ttlHours}=${ttl}, not a whole number of hours from 1 to ${maxTtl}`);
            // A branch environment (stack br-<slug>) carries its slug instead of a PR number.
            const [key, expected] = branchEnvironment !== undefined ? [labelKeys.branchEnvironment, branchEnvironment] : [labelKeys.pr, String(prNumber)];
            const pr = labels[key];
            if (pr !== expected) problems.push(pr === undefined ? `has no ${key} label` : `is labelled ${key}=${pr} in stack ${stack}`);
            if (problems.length) {
                report(
                    `${describe(resource)} ${listing(problems)}: the sweep finds PR objects by these labels. Build its labels with resourceLabels() from config/naming.ts ` +
                        `(it adds ${labelKeys.pr}=${prNumber} and ${labelKeys.ttlHours} from odoo-platform:prTtlHours on PR stacks).`,
                    resource.urn,
                );
            }
        }
    },
};

export const prLimitsPack: PolicyPackDefinition = {
    name: "pr-limits",
    description: "One Odoo per PR stack, within the PR budget, labelled with its PR number and time to live.",
    enforcementLevel: "mandatory",
    policies: [oneOdooPerPr, prResourceBudget, prTtlLabel],
};
