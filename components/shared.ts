/**
 * The contract between the stack that owns a Docker host's shared pieces (router, edge network,
 * DNS) and the stacks that deploy onto that host without owning them (PR stacks). The owner exports
 * `edge` (a `SharedEdge`); a PR stack reads it with a StackReference and checks it is on the same
 * host before declaring anything. plan/mockOutputs.ts mirrors this shape for the offline plan, and
 * a test keeps the two in step.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentNames } from "../config/naming";
import type { Stage } from "../config/stage";
import { stageProfile } from "../config/stageProfile";
import type { EdgeEndpoint } from "./routing";

/** The `edge` stack output of a router-owning stack. */
export interface SharedEdge {
    network: string;
    entrypoint: string;
    /** null on a plain-HTTP edge (JSON has no undefined). */
    certResolver: string | null;
    /** The Docker host the router runs on: environments that use it must deploy there too. */
    dockerHost: string;
    /** `dev.<domain>` when this host serves the PR wildcard `*.dev.<domain>`; null otherwise. */
    prParentDomain: string | null;
    /** The routing network of each PR slot, slot 1 first (a PR stack joins the one of its prSlot). */
    prNetworks: string[];
}

export function sharedEdgeOutput(input: {
    endpoint: pulumi.Input<EdgeEndpoint>;
    dockerHost: string;
    prParentDomain?: string;
    prNetworks?: string[];
}): pulumi.Output<SharedEdge> {
    return pulumi.output(input.endpoint).apply((e) => ({
        network: e.network,
        entrypoint: e.entrypoint,
        certResolver: e.certResolver ?? null,
        dockerHost: input.dockerHost,
        prParentDomain: input.prParentDomain ?? null,
        prNetworks: input.prNetworks ?? [],
    }));
}

/**
 * Why a stack cannot use a shared edge: a different Docker host (the edge network does not exist
 * there) or a host name outside the wildcard the shared stack's DNS record covers.
 */
export function sharedEdgeProblems(shared: SharedEdge, own: { sharedStack: string; dockerHost: string; host: string; prSlot?: number }): string[] {
    const problems: string[] = [];
    if (!shared || typeof shared.network !== "string" || typeof shared.entrypoint !== "string") {
        return [`stack ${own.sharedStack} does not export an "edge" output: deploy it first (it owns the router of this Docker host)`];
    }
    if (shared.dockerHost !== own.dockerHost) {
        problems.push(
            `odoo-platform:dockerHost is ${own.dockerHost} but the router of ${own.sharedStack} runs on ${shared.dockerHost}: ` +
                `point dockerHost (Pulumi.pr.yaml) at the same host, or sharedStack at the stack that owns this host's router`,
        );
    }
    if (!shared.prParentDomain) {
        problems.push(`stack ${own.sharedStack} does not serve PR hosts (no *.dev wildcard): set odoo-platform:sharedStack to the staging stack of this host`);
    } else if (!own.host.endsWith(`.${shared.prParentDomain}`)) {
        problems.push(
            `host ${own.host} is not under ${shared.prParentDomain}, the wildcard ${own.sharedStack} publishes: odoo-platform:domain must match the shared stack's`,
        );
    }
    if (own.prSlot !== undefined && !(Array.isArray(shared.prNetworks) && shared.prNetworks[own.prSlot - 1])) {
        problems.push(
            `odoo-platform:prSlot ${own.prSlot} has no routing network on ${own.sharedStack} (it routes ${Array.isArray(shared.prNetworks) ? shared.prNetworks.length : 0} PR slots): ` +
                `\`pr up\` assigns slots up to prConcurrencyLimit, which must be the same in Pulumi.pr.yaml and the shared stack's file`,
        );
    }
    return problems;
}

/** Whether the stage's own router routes the PR environments' slots (config/stageProfile.ts). */
export function routesPrs(stage: Stage): boolean {
    const edge = stageProfile(stage).edge;
    return edge.owner === "self" && edge.routesPrs;
}

/** The public DNS names a router-owning stack creates for its own environment (and the PR wildcard). */
export function sharedDnsHosts(input: { stage: Stage; names: EnvironmentNames; mailCatcher: boolean; grafanaHost?: string }): string[] {
    const hosts = [input.names.host];
    if (input.mailCatcher) hosts.push(input.names.mailHost);
    if (input.grafanaHost) hosts.push(input.grafanaHost);
    // The host that routes the PR environments serves them all: one proxied wildcard, no per-PR record.
    if (routesPrs(input.stage)) hosts.unshift(`*.${input.names.prParentDomain}`);
    return hosts;
}

/** Registry host of an image reference (`ghcr.io/org/odoo@sha256:…` → `ghcr.io`); undefined for Docker Hub. */
export function imageRegistry(reference: string): string | undefined {
    const first = reference.split("/")[0];
    if (!reference.includes("/")) return undefined;
    return first.includes(".") || first.includes(":") || first === "localhost" ? first : undefined;
}
