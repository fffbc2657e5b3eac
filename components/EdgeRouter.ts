/**
 * The shared front door of one Docker host: Traefik, the edge networks, and the public DNS records
 * (Cloudflare) of the hosts it serves. Exactly one stack per Docker host owns it — staging on the
 * non-production host (the PR stacks read its endpoint through a StackReference), production on its
 * own host, and a dev stack on the developer's machine.
 *
 * Networks (all `internal: true` but the public one: Traefik reaches what it routes, and none of
 * the routed containers gets a route out):
 *   - `odoo-edge-pr-<slot>` (staging, one per PR slot, prConcurrencyLimit of them): each running PR
 *     environment's Odoo and Mailpit join the network of its slot, so PR environments cannot
 *     reach each other except through Traefik.
 *   - `odoo-edge`: Traefik's default network; nothing else joins it.
 *   - `odoo-route-<stack>`: this stack's own routed containers (its Odoo, Mailpit, Grafana), so no
 *     PR container can reach staging's Odoo, its mail catcher or Grafana except through Traefik.
 *   - `odoo-edge-metrics`: Traefik's metrics entrypoint, joined only by this stack's Prometheus.
 *   - `odoo-edge-observability`: where Traefik reaches this stack's Grafana, and nothing else.
 *   - `odoo-edge-public`: an ordinary bridge only Traefik joins: its published ports 80/443 and its
 *     ACME traffic to Let's Encrypt go through it (Docker publishes no port through an internal network).
 * Routed containers join their network through the Network resource's output, so the engine knows
 * they depend on it; none of the networks carries a per-commit label (labels force a network's
 * replacement, and Docker refuses to delete a network that still has endpoints).
 *
 * Docker API access: Traefik never gets the socket. A socket proxy (tecnativa/docker-socket-proxy)
 * mounts it read-only and exposes only the read endpoints Traefik needs (containers, events,
 * version) on a private internal network; a `:ro` bind alone would still let the holder write to
 * the API, so the proxy is what makes the access read-only.
 *
 * DNS: Cloudflare records (v6 `cloudflare.DnsRecord`), proxied. A proxied second-level wildcard
 * (`*.dev.<domain>`) needs an edge certificate that covers it (Cloudflare Advanced Certificate
 * Manager or Total TLS): Universal SSL covers only `*.<domain>`. See PR_RUNTIME_CONTRACT.md.
 *
 * Docs: https://doc.traefik.io/traefik/providers/docker/ ,
 * https://www.pulumi.com/registry/packages/cloudflare/api-docs/dnsrecord/
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerLabels, containerRoles, dockerLabels, isDnsName, labelKeys, stableLabels } from "../config/naming";
import type { DataRetention } from "./retention";
import { EdgeEndpoint, edgeEndpoint, traefikArguments } from "./routing";

export const edgeNetworkName = "odoo-edge";
export const edgePublicNetworkName = "odoo-edge-public";
export const edgeMetricsNetworkName = "odoo-edge-metrics";
const socketNetworkName = "odoo-edge-docker-api";
/** The network of a router-owning stack's own routed containers. */
export const routeNetworkName = (stack: string): string => `odoo-route-${stack}`;
/** Where Traefik reaches this stack's Grafana: nothing else joins it. */
export const observabilityRouteNetworkName = "odoo-edge-observability";
/** The routing network of PR slot `slot` (one PR environment at a time: ops/pr/queue.ts assignSlot). */
export const prNetworkName = (slot: number): string => `odoo-edge-pr-${slot}`;
export const traefikImage = "traefik:v3.3";
export const socketProxyImage = "tecnativa/docker-socket-proxy:0.3";
/** Name of the Traefik container on the edge network (observability scrapes traefik:8082). */
export const routerAlias = "traefik";

export interface EdgeRouterArgs {
    /** Stage/stack/git-SHA labels put on every Docker object. */
    labels: Record<string, string>;
    /** Let's Encrypt contact. Unset: plain HTTP on port 80 only (a dev stack on localhost). */
    acmeEmail?: string;
    /** Host address the ports are published on (127.0.0.1 for a dev machine). */
    bindAddress?: string;
    /** Docker socket on the host. */
    dockerSocket?: string;
    /** PR slots this host routes (staging: odoo-platform:prConcurrencyLimit); 0 or unset: none. */
    prSlots?: number;
    /** How the ACME volume and the DNS records are kept (components/retention.ts). */
    retention?: DataRetention;
    /** Public DNS records pointing at this host, proxied through Cloudflare. */
    dns?: {
        zoneId: string;
        publicIp: string;
        /** Full names; `*.dev.<domain>` for the PR wildcard. */
        hosts: string[];
    };
}

export class EdgeRouter extends pulumi.ComponentResource {
    /** How this stack's own environment is routed (its route network). */
    public readonly endpoint: EdgeEndpoint;
    /** How the environments of other stacks on this host are routed (the `edge` stack output). */
    public readonly sharedEndpoint: EdgeEndpoint;
    /** The PR slots' networks, slot 1 first. */
    public readonly prNetworks: string[];
    /** This stack's route network (an output of the Network resource: joining it is a dependency). */
    public readonly networkName: pulumi.Output<string>;
    /** The network on which Traefik serves its metrics (traefik:8082). */
    public readonly metricsNetworkName: pulumi.Output<string>;
    /** The network on which Traefik reaches Grafana. */
    public readonly observabilityNetworkName: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;
    /** The DNS names created, in order. */
    public readonly dnsNames: pulumi.Output<string[]>;

    constructor(name: string, args: EdgeRouterArgs, opts?: pulumi.ComponentResourceOptions) {
        validateArgs(args);
        super("odoo-platform:routing:EdgeRouter", name, {}, opts);
        const child = { parent: this };
        // Names are fixed (one router per host): replacing means deleting first.
        const named = { parent: this, deleteBeforeReplace: true };
        const labels = dockerLabels(stableLabels(args.labels));
        const stack = args.labels[labelKeys.stack];

        const edge = new docker.Network(`${name}-edge`, { name: edgeNetworkName, internal: true, labels }, named);
        const route = new docker.Network(`${name}-route`, { name: routeNetworkName(stack), internal: true, labels }, named);
        const metrics = new docker.Network(`${name}-metrics`, { name: edgeMetricsNetworkName, internal: true, labels }, named);
        const observability = new docker.Network(`${name}-observability`, { name: observabilityRouteNetworkName, internal: true, labels }, named);
        const publicNet = new docker.Network(`${name}-public`, { name: edgePublicNetworkName, internal: false, labels }, named);
        const apiNet = new docker.Network(`${name}-docker-api`, { name: socketNetworkName, internal: true, labels }, named);
        const prNetworks = Array.from(
            { length: args.prSlots ?? 0 },
            (_, i) => new docker.Network(`${name}-pr-${i + 1}`, { name: prNetworkName(i + 1), internal: true, labels }, named),
        );

        const socketProxy = new docker.Container(
            `${name}-docker-api`,
            {
                name: "odoo-edge-docker-api",
                image: socketProxyImage,
                envs: ["CONTAINERS=1", "NETWORKS=1", "EVENTS=1", "VERSION=1", "PING=1", "POST=0"],
                volumes: [{ hostPath: args.dockerSocket ?? "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }],
                networksAdvanced: [{ name: apiNet.name, aliases: ["docker-api"] }],
                memory: 64,
                cpus: "0.25",
                restart: "unless-stopped",
                securityOpts: ["no-new-privileges:true"],
                labels: containerLabels(args.labels, containerRoles.router),
            },
            named,
        );

        const tls = args.acmeEmail !== undefined;
        // The certificates: replacing or losing this volume makes Traefik order every certificate again.
        const acme = tls ? new docker.Volume(`${name}-acme`, { name: "odoo-edge-acme", labels }, { ...named, ...args.retention }) : undefined;
        const bind = args.bindAddress;
        const ports: docker.types.input.ContainerPort[] = [{ internal: 80, external: 80, ip: bind }];
        if (tls) ports.push({ internal: 443, external: 443, ip: bind });

        const traefik = new docker.Container(
            `${name}-traefik`,
            {
                name: "odoo-edge-traefik",
                image: traefikImage,
                command: traefikArguments({ network: edgeNetworkName, dockerEndpoint: "tcp://docker-api:2375", acmeEmail: args.acmeEmail }),
                ports,
                // Public bridge first: published ports and ACME go through it.
                networksAdvanced: [
                    { name: publicNet.name },
                    { name: edge.name, aliases: [routerAlias] },
                    { name: route.name, aliases: [routerAlias] },
                    { name: metrics.name, aliases: [routerAlias] },
                    { name: observability.name },
                    { name: apiNet.name },
                    ...prNetworks.map((n) => ({ name: n.name })),
                ],
                volumes: acme ? [{ volumeName: acme.name, containerPath: "/letsencrypt" }] : [],
                healthcheck: { tests: ["CMD", "traefik", "healthcheck", "--ping"], interval: "10s", timeout: "5s", retries: 3 },
                memory: 256,
                cpus: "1",
                restart: "unless-stopped",
                capabilities: { drops: ["ALL"], adds: ["NET_BIND_SERVICE"] },
                securityOpts: ["no-new-privileges:true"],
                labels: containerLabels(args.labels, containerRoles.router),
            },
            { ...named, dependsOn: [socketProxy] },
        );

        const dnsNames: string[] = [];
        if (args.dns) {
            for (const host of args.dns.hosts) {
                new cloudflare.DnsRecord(
                    `${name}-dns-${recordSuffix(host)}`,
                    {
                        zoneId: args.dns.zoneId,
                        name: host,
                        type: "A",
                        content: args.dns.publicIp,
                        proxied: true,
                        // 1 = automatic, the only TTL Cloudflare accepts for a proxied record.
                        ttl: 1,
                        comment: `odoo-platform ${stack ?? ""}: routed by Traefik`.trim(),
                    },
                    { ...child, ...args.retention },
                );
                dnsNames.push(host);
            }
        }

        this.endpoint = edgeEndpoint(routeNetworkName(stack), tls);
        this.sharedEndpoint = edgeEndpoint(edgeNetworkName, tls);
        this.prNetworks = prNetworks.map((_, i) => prNetworkName(i + 1));
        this.networkName = route.name;
        this.metricsNetworkName = metrics.name;
        this.observabilityNetworkName = observability.name;
        this.containerName = traefik.name;
        this.dnsNames = pulumi.output(dnsNames);
        this.registerOutputs({
            endpoint: this.endpoint,
            sharedEndpoint: this.sharedEndpoint,
            prNetworks: this.prNetworks,
            networkName: this.networkName,
            metricsNetworkName: this.metricsNetworkName,
            containerName: this.containerName,
            dnsNames: this.dnsNames,
        });
    }
}

/** A resource-name-safe suffix for a DNS name (`*.dev.example.com` → `wildcard-dev-example-com`). */
export function recordSuffix(host: string): string {
    return host
        .replace(/^\*\./, "wildcard.")
        .replace(/[^a-z0-9]+/gi, "-")
        .toLowerCase();
}

function validateArgs(args: EdgeRouterArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`EdgeRouter: args.${field} ${why}`);
    };
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(args.labels?.[labelKeys.stack] ?? ""))
        fail("labels", `must carry the stack label ${labelKeys.stack} (it names the stack's route network)`);
    if (args.acmeEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(args.acmeEmail)) fail("acmeEmail", `must be an e-mail address, got "${args.acmeEmail}"`);
    if (args.dns) {
        if (!/^[0-9a-f]{32}$/.test(args.dns.zoneId)) fail("dns.zoneId", "must be a Cloudflare zone id (32 hex characters)");
        if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(args.dns.publicIp)) fail("dns.publicIp", `must be an IPv4 address, got "${args.dns.publicIp}"`);
        const seen = new Set<string>();
        for (const host of args.dns.hosts) {
            if (!isDnsName(host.replace(/^\*\./, ""))) fail("dns.hosts", `contains "${host}", which is not a DNS name`);
            if (seen.has(host)) fail("dns.hosts", `lists "${host}" twice`);
            seen.add(host);
        }
    }
}
