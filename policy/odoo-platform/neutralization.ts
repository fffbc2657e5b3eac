/**
 * The `neutralization` pack: a non-production stage can never act as production. Its Odoo says
 * which stage it is, runs no crons on real data, sends mail only to its own mail catcher, serves a
 * restored database only after NeutralizedDatabase neutralized and verified it, and mentions none of
 * production's hosts, bucket, relays or integration keys.
 *
 * Production's identifying values come from the policy configuration (`npm run policy-config`
 * writes it from Pulumi.production.yaml): the pack reads no file outside its folder.
 *
 * Plain policy objects: index.ts serves them to `pulumi preview --policy-pack policy/odoo-platform`.
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { containerRoles, isSharedInternalNetwork, odooStageValue, sharedInternalNetworks, stages } from "./platform";
import { describe, listing } from "./lib/describe";
import { cliOption, commandLine, envEntries, envValues, hasUnknownEnv, networkNames, odooOption, roleOf, runsOdoo } from "./lib/docker";
import { ancestors, dependsOn } from "./lib/graph";
import type { PolicyPackDefinition } from "./lib/pack";
import { credentialInValue, isCredentialName } from "./lib/credentials";
import { containersWithRole, known, mentions, odooContainersOf, resourceStage, stackStage, stringsIn, withConfigDefaults } from "./lib/policy";
import { commandTypes, componentTypes, dockerTypes, isOneOf } from "./lib/types";

export const nonProductionStages: readonly string[] = stages.filter((s) => s !== "production");

export const odooStageMatches: ResourceValidationPolicy = {
    name: "odoo-stage-matches",
    description:
        "ODOO_STAGE of every Odoo container names the stack's own stage: a non-production stage never claims production (and production never claims less).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== dockerTypes.container || !runsOdoo(args.props)) return;
        const { stage } = resourceStage(args);
        if (hasUnknownEnv(args.props)) {
            report(
                `${describe(args)} has environment entries not known during this preview: any of them could set ODOO_STAGE. Build the container's envs from configuration.`,
            );
            return;
        }
        const values = envValues(args.props, "ODOO_STAGE");
        if (values.length === 0) return; // presence is `required-variables-set`'s concern
        const expected = odooStageValue(stage);
        const effective = values[values.length - 1];
        if (effective !== expected) {
            const dup = values.length > 1 ? ` (it is set ${values.length} times — ${values.join(", ")} — and Docker keeps the last)` : "";
            report(
                `${describe(args)} runs with ODOO_STAGE=${effective} in the ${stage} stage${dup}: code that switches on ODOO_STAGE would behave as ${effective}. ` +
                    `Remove ODOO_STAGE from odoo-platform:odooExtraEnv — the program sets ODOO_STAGE=${expected} from the stack name.`,
            );
        }
    },
};

/**
 * A data step: a command (`@pulumi/command`), or a one-shot container running the operations CLI
 * on the Docker host (role data-step, NeutralizedDatabase's steps).
 */
const isDataStep = (r: PolicyResource): boolean =>
    isOneOf(r.type, commandTypes) || (r.type === dockerTypes.container && roleOf(r.props) === containerRoles.dataStep);

/** The `…-verify` steps of NeutralizedDatabase components: `odoo-platform db verify`. */
const isVerifyStep = (r: PolicyResource): boolean => isDataStep(r) && (/-verify$/.test(r.name) || /\bdb\s+verify\b/.test(commandText(r)));
const isNeutralizeStep = (r: PolicyResource): boolean =>
    isDataStep(r) && (/-neutralize$/.test(r.name) || /\b(db\s+neutralize|odoo(-bin)?\s+neutralize)\b/.test(commandText(r)));

/** Restores are recognised by what they run: rules as data. */
export const restorePatterns: readonly RegExp[] = [/\bsnapshot\s+restore\b/, /\bpg_restore\b/, /\bdb\s+restore\b/];
const isRestoreStep = (r: PolicyResource): boolean => isDataStep(r) && restorePatterns.some((p) => p.test(commandText(r)));

/** What a step runs: a command's create/update scripts, or a container's entrypoint and command. */
function commandText(r: PolicyResource): string {
    if (r.type === dockerTypes.container) return commandLine(r.props).join(" ");
    return ["create", "update"]
        .map((k) => known(() => r.props[k]))
        .filter((v): v is string => typeof v === "string")
        .join("\n");
}

export const cronsDisabled: StackValidationPolicy = {
    name: "crons-disabled",
    description:
        "Outside production every Odoo runs with max_cron_threads = 0, unless its database went through the neutralization step (which deactivates the crons).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        stackStage(args, nonProductionStages);
        const verifySteps = args.resources.filter(isVerifyStep);
        for (const odoo of containersWithRole(args.resources, [containerRoles.odoo])) {
            const threads = odooOption(odoo.props, "max_cron_threads")!;
            if (Number(threads.value) === 0) continue;
            if (verifySteps.some((v) => dependsOn(odoo, v))) continue;
            report(
                `${describe(odoo)} runs ${threads.value} cron thread(s) (${threads.source}) on a database that was not neutralized: scheduled actions would ` +
                    `send mail, sync and charge as production does. Render max_cron_threads = 0 outside production, or restore the database through NeutralizedDatabase.`,
                odoo.urn,
            );
        }
    },
};

export const mailCatcherOnly: StackValidationPolicy = {
    name: "mail-catcher-only",
    description: "Every non-production stack runs its own mail catcher, and every Odoo (and the neutralize step) sends mail to it and nowhere else.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const { stage } = stackStage(args, nonProductionStages);
        const odoos = odooContainersOf(args.resources);
        if (odoos.length === 0) return;
        const catchers = containersWithRole(args.resources, [containerRoles.mailCatcher]);
        const server = odoos.find((o) => roleOf(o.props) === containerRoles.odoo) ?? odoos[0];
        if (catchers.length === 0) {
            report(
                `the ${stage} stack runs Odoo (${listing(odoos.map((o) => describe(o)))}) without a mail catcher: any mail it sends would leave for real. ` +
                    `Remove odoo-platform:mailCatcher: false from the stack file — every non-production stage runs Mailpit.`,
                server.urn,
            );
            return;
        }
        const catcherNames = new Set(catchers.flatMap((c) => networkNames(c.props)));
        const expected = listing([...catcherNames]);
        for (const odoo of odoos) {
            const smtp = odooOption(odoo.props, "smtp_server")!;
            if (!catcherNames.has(smtp.value)) {
                report(
                    `${describe(odoo)} sends mail to ${smtp.value} (${smtp.source}), not to the stack's mail catcher (${expected}): ` +
                        `point smtp_server at the mail catcher — never set odoo-platform:smtpHost outside production.`,
                    odoo.urn,
                );
            }
        }
        for (const step of args.resources.filter(isNeutralizeStep)) {
            const host = cliOption(commandText(step).split(/\s+/), ["--mail-host"]);
            if (host !== undefined && !catcherNames.has(host.replace(/^['"]|['"]$/g, ""))) {
                report(
                    `${describe(step)} points the database's mail servers at ${host}, not at the stack's mail catcher (${expected}): pass --mail-host <mail catcher>.`,
                    step.urn,
                );
            }
        }
    },
};

export const restoredDatabaseNeutralized: StackValidationPolicy = {
    name: "restored-database-neutralized",
    description:
        "Every restored database goes through NeutralizedDatabase — restore → neutralize → verify — and every Odoo container waits for the verify step.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        stackStage(args, nonProductionStages);
        const odoos = containersWithRole(args.resources, [containerRoles.odoo]);
        for (const restore of args.resources.filter(isRestoreStep)) {
            const component = ancestors(restore).find((a) => a.type === componentTypes.neutralizedDatabase);
            if (!component) {
                report(
                    `${describe(restore)} restores a database outside NeutralizedDatabase: nothing guarantees it is neutralized and verified before Odoo serves it. ` +
                        `Restore through the NeutralizedDatabase component (components/NeutralizedDatabase.ts).`,
                    restore.urn,
                );
                continue;
            }
            const members = args.resources.filter((r) => ancestors(r).includes(component));
            const neutralize = members.find((r) => isNeutralizeStep(r) && dependsOn(r, restore));
            const verify = members.find((r) => isVerifyStep(r) && (neutralize ? dependsOn(r, neutralize) : dependsOn(r, restore)));
            if (!neutralize) {
                report(
                    `${describe(component)} restores (${describe(restore)}) but has no neutralize step after the restore: add \`odoo-platform db neutralize\` depending on it.`,
                    component.urn,
                );
            }
            if (!verify) {
                report(
                    `${describe(component)} has no verify step after ${neutralize ? "its neutralize step" : "the restore"}: add the \`odoo-platform db verify\` command (…-verify) depending on it.`,
                    component.urn,
                );
                continue;
            }
            for (const odoo of odoos) {
                if (!dependsOn(odoo, verify)) {
                    report(
                        `${describe(odoo)} does not wait for ${describe(verify)}: Odoo could serve the restored database before it is neutralized and verified. ` +
                            `Pass NeutralizedDatabase.ready in the container's dependsOn.`,
                        odoo.urn,
                    );
                }
            }
        }
    },
};

/** Networks a container is attached to: `networksAdvanced[].name`, and `networkMode` unless it is a mode. */
function attachedNetworks(props: Record<string, unknown>): { names: (string | undefined)[]; mode?: string } {
    const advanced = Array.isArray(props.networksAdvanced) ? props.networksAdvanced : [];
    const names = advanced.map((n) => known(() => (n as { name?: unknown })?.name)).map((n) => (typeof n === "string" ? n : undefined));
    const mode = typeof props.networkMode === "string" ? props.networkMode : undefined;
    return { names, mode };
}

export const egressIsolated: StackValidationPolicy = withConfigDefaults({
    name: "egress-isolated",
    description:
        "Outside production every container that runs Odoo is attached only to internal Docker networks (no route out): whatever " +
        "neutralization missed cannot reach a real API, and allow-listed hosts go through the egress proxy.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            internalNetworks: {
                type: "array",
                items: { type: "string" },
                default: [...sharedInternalNetworks],
                description: "Networks declared internal by another stack (the shared edge network of the Docker host's router).",
            },
        },
    },
    validateStack: (args, report) => {
        const { stage } = stackStage(args, nonProductionStages);
        const { internalNetworks } = args.getConfig<{ internalNetworks: string[] }>();
        const declared = args.resources.filter((r) => r.type === dockerTypes.network);
        const internalByName = new Map(declared.map((n) => [String(known(() => n.props.name) ?? n.name), n.props.internal === true] as const));
        for (const odoo of odooContainersOf(args.resources)) {
            const { names, mode } = attachedNetworks(odoo.props);
            const open: string[] = [];
            if (
                mode !== undefined &&
                !["none", ...names].includes(mode) &&
                !(internalByName.get(mode) || internalNetworks.includes(mode) || isSharedInternalNetwork(mode))
            )
                open.push(`networkMode ${mode}`);
            for (const name of names) {
                if (name === undefined) continue; // not known yet: judged through its dependency below
                const internal = internalByName.get(name);
                if (internal === false) open.push(`${name} (declared without internal: true)`);
                else if (internal === undefined && !internalNetworks.includes(name) && !isSharedInternalNetwork(name))
                    open.push(`${name} (not declared in this stack, not listed as internal)`);
            }
            for (const network of odoo.propertyDependencies?.networksAdvanced ?? []) {
                if (network.type === dockerTypes.network && network.props.internal !== true && !open.some((o) => o.startsWith(String(network.props.name)))) {
                    open.push(`${describe(network)} (declared without internal: true)`);
                }
            }
            if (names.length === 0 && mode === undefined) open.push("Docker's default bridge (no network given)");
            if (open.length) {
                report(
                    `${describe(odoo)} in the ${stage} stage is attached to ${listing(open)}, which ${open.length === 1 ? "has" : "have"} a route out: ` +
                        `a connector neutralization missed could reach a real API. Attach Odoo only to internal networks and reach allow-listed hosts ` +
                        `through the egress proxy (odoo-platform:egressAllowlist); list a shared internal network in the policy config (internalNetworks).`,
                    odoo.urn,
                );
            }
        }
    },
});

/** IAM actions that write to a bucket. */
const writeActionPattern = /\bs3:(Put|Delete|Restore|\*)/;

/** Environment variable names that hold integration credentials (config/credentials.ts adds *_KEY, connection strings, DSNs, URLs with passwords). */
export const credentialNamePattern = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|ACCESS_KEY|CLIENT_SECRET|WEBHOOK)/i;

export interface ProductionValue {
    value: string;
    /** What it is, for messages: "production's database server (odoo-platform:dbHost)". */
    what: string;
}

export const noProductionReferences: StackValidationPolicy = withConfigDefaults({
    name: "no-production-references",
    description:
        "No non-production resource mentions production's host, database, database server, SMTP relay, bucket, Docker host or IP (policy config " +
        "productionValues, written from Pulumi.production.yaml by `npm run policy-config`), and no non-production Odoo carries integration credentials.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            productionValues: {
                type: "array",
                items: { type: "object" },
                description:
                    "The values that identify production ({ value, what }); `npm run policy-config -- --stack <stack>` writes them from Pulumi.production.yaml.",
            },
            extraProductionValues: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "More strings that identify production (hosts, account ids).",
            },
            allowedCredentialVariables: {
                type: "array",
                items: { type: "string" },
                default: [],
                description: "Credential-like variables a non-production Odoo may carry (e.g. a provider's sandbox key).",
            },
        },
    },
    validateStack: (args, report) => {
        const { stage, stack } = stackStage(args, nonProductionStages);
        const config = args.getConfig<{ productionValues?: ProductionValue[]; extraProductionValues: string[]; allowedCredentialVariables: string[] }>();
        if (!Array.isArray(config.productionValues)) {
            // Without production's values the check would pass everything: it fails closed.
            report(
                `the policy configuration names none of production's values, so nothing shows whether the ${stage} stack reaches production: ` +
                    `run \`pulumi preview --policy-pack policy/odoo-platform --policy-pack-config <file>\` with the file \`npm run policy-config -- --stack ${stack}\` writes.`,
            );
            return;
        }
        // Values not known during a preview are outputs of this stack's resources, computed from
        // inputs this policy reads too: stringsIn skips them.
        const production = [
            ...config.productionValues,
            ...config.extraProductionValues.map((value) => ({ value, what: "a production value (policy config)" })),
        ];
        for (const resource of args.resources) {
            const strings = stringsIn(resource.props);
            const grantsWrite = strings.some((s) => writeActionPattern.test(s.text));
            for (const p of production) {
                const paths = strings.filter((s) => mentions(s.text, p.value)).map((s) => s.path || "(value)");
                if (paths.length === 0) continue;
                const what = `${p.value} — ${p.what}`;
                const write = grantsWrite ? " and grants write access to it" : "";
                report(
                    `${describe(resource)} in the ${stage} stack mentions ${what} (in ${listing(paths)})${write}: a non-production stage must never reach production. ` +
                        `Use the ${stage} stack's own value in Pulumi.${stage === "pr" ? "pr" : stage}.yaml.`,
                    resource.urn,
                );
            }
        }
        for (const odoo of odooContainersOf(args.resources)) {
            const credentials = envEntries(odoo.props)
                .filter(
                    (e) =>
                        (credentialNamePattern.test(e.name) || isCredentialName(e.name) || credentialInValue(e.value)) &&
                        !config.allowedCredentialVariables.includes(e.name),
                )
                .map((e) => e.name);
            if (credentials.length) {
                report(
                    `${describe(odoo)} carries ${listing([...new Set(credentials)])} in the ${stage} stage: a non-production Odoo must hold no integration keys ` +
                        `(they would be production's, or someone's real ones). Remove them from odoo-platform:odooExtraEnv, or allow a sandbox key by name in ` +
                        `the policy config (allowedCredentialVariables).`,
                    odoo.urn,
                );
            }
        }
    },
});

export const neutralizationPack: PolicyPackDefinition = {
    name: "neutralization",
    description: "A non-production stage can never act as production: stage, crons, mail, restored data and production references.",
    enforcementLevel: "mandatory",
    policies: [odooStageMatches, cronsDisabled, mailCatcherOnly, restoredDatabaseNeutralized, egressIsolated, noProductionReferences],
};
