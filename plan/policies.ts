/**
 * Runs CrossGuard policies (the same objects a `PolicyPack` serves to `pulumi preview`) against the
 * resources recorded by the mock runtime, offline.
 */
import type { EnforcementLevel, PolicyResource, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import type { PolicyPackDefinition } from "../policy/registry";
import { RecordedResource, unwrapSecrets } from "./mockRuntime";

export interface Violation {
    /** Name of the resource the violation is about (or the stack). */
    resource: string;
    urn?: string;
    message: string;
}

export interface PolicyVerdict {
    pack: string;
    name: string;
    description: string;
    enforcement: EnforcementLevel;
    violations: Violation[];
}

class NotApplicable extends Error {}

/** Per-policy configuration, as `--policy-pack-config` would give it: { [policy]: { enforcementLevel?, ...config } }. */
export type PolicyConfig = Record<string, Record<string, unknown> & { enforcementLevel?: EnforcementLevel }>;

const typeOf = (cls: unknown): string | undefined => (cls as { __pulumiType?: string }).__pulumiType;

const emptyOpts = { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] };

function toPolicyResources(resources: RecordedResource[]): Map<string, PolicyResource> {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of resources) {
        const props = unwrapSecrets(r.inputs) as Record<string, unknown>;
        byUrn.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: { ...emptyOpts, parent: r.parentUrn },
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => typeOf(cls) === r.type,
            asType: ((cls: unknown) => (typeOf(cls) === r.type ? props : undefined)) as PolicyResource["asType"],
        });
    }
    for (const r of resources) {
        const pr = byUrn.get(r.urn)!;
        pr.parent = r.parentUrn ? byUrn.get(r.parentUrn) : undefined;
        pr.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => !!d);
    }
    return byUrn;
}

export async function runPolicyPacks(packs: PolicyPackDefinition[], resources: RecordedResource[], config: PolicyConfig = {}): Promise<PolicyVerdict[]> {
    const policyResources = [...toPolicyResources(resources).values()];
    const verdicts: PolicyVerdict[] = [];
    for (const pack of packs) {
        for (const policy of pack.policies) {
            const policyConfig = config[policy.name] ?? {};
            const enforcement = policyConfig.enforcementLevel ?? policy.enforcementLevel ?? pack.enforcementLevel;
            const verdict: PolicyVerdict = { pack: pack.name, name: policy.name, description: policy.description, enforcement, violations: [] };
            verdicts.push(verdict);
            if (enforcement === "disabled") continue;
            const getConfig = <T extends object>() => policyConfig as unknown as T;
            const notApplicable = (reason?: string): never => {
                throw new NotApplicable(reason);
            };

            if ("validateResource" in policy && policy.validateResource) {
                const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
                for (const resource of policyResources) {
                    const args: ResourceValidationArgs = {
                        type: resource.type,
                        props: resource.props,
                        urn: resource.urn,
                        name: resource.name,
                        opts: resource.opts,
                        stackTags: new Map(),
                        isType: resource.isType,
                        asType: ((cls: unknown) => (typeOf(cls) === resource.type ? resource.props : undefined)) as ResourceValidationArgs["asType"],
                        getConfig,
                        notApplicable,
                    };
                    const report = (message: string, urn?: string) => verdict.violations.push({ resource: resource.name, urn: urn ?? resource.urn, message });
                    for (const validate of validators) {
                        try {
                            await validate(args, report);
                        } catch (err) {
                            if (!(err instanceof NotApplicable)) throw err;
                        }
                    }
                }
            }
            if ("validateStack" in policy && policy.validateStack) {
                const args: StackValidationArgs = { resources: policyResources, stackTags: new Map(), getConfig, notApplicable };
                const report = (message: string, urn?: string) =>
                    verdict.violations.push({ resource: urn ? urn.split("::").pop()! : "(stack)", urn, message });
                try {
                    await policy.validateStack(args, report);
                } catch (err) {
                    if (!(err instanceof NotApplicable)) throw err;
                }
            }
        }
    }
    return verdicts;
}

/** A mandatory policy with at least one violation blocks the deployment. */
export const blocks = (verdicts: PolicyVerdict[]): boolean => verdicts.some((v) => v.enforcement === "mandatory" && v.violations.length > 0);
