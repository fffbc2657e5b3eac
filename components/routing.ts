/**
 * Traefik routing as pure functions: the container labels that route a host to a container, and
 * the static configuration of the shared router. The EdgeRouter component and OdooEnvironment only
 * wire these into Docker resources, so the routing rules are unit-tested without any runtime.
 *
 * Traefik docs: https://doc.traefik.io/traefik/routing/providers/docker/
 */
import { labelKeys } from "../config/naming";

/** What an environment needs to know about its host's router (exported by the shared stack). */
export interface EdgeEndpoint {
    /** Docker network the router reaches routed containers on (internal: it gives no route out). */
    network: string;
    /** Entrypoint of public traffic: `websecure` (TLS) or `web` (dev on localhost, plain HTTP). */
    entrypoint: string;
    /** ACME certificate resolver; unset when the edge serves plain HTTP (dev). */
    certResolver?: string;
}

export const traefikEntrypoints = { web: "web", websecure: "websecure", metrics: "metrics" } as const;
export const certResolverName = "letsencrypt";
/** Port of Traefik's Prometheus metrics entrypoint (scraped as traefik:8082 on the edge network). */
export const traefikMetricsPort = 8082;

/** Odoo's HTTP port and its gevent port (websocket / bus; 16.0+ serve it at /websocket). */
export const odooHttpPort = 8069;
export const odooGeventPort = 8072;

/** Upper bound of a request through the router: above Odoo's limit_time_real so Odoo times out first. */
export const routerReadTimeoutSeconds = 1800;

export interface Route {
    /** Router and service name: unique on the host (the stack's prefix). */
    name: string;
    host: string;
    port: number;
    /** Only these path prefixes (the websocket route); all paths when unset. */
    pathPrefixes?: string[];
    /** Higher wins when two rules match the same request. */
    priority?: number;
    middlewares?: string[];
}

function ruleOf(route: Route): string {
    const host = `Host(\`${route.host}\`)`;
    if (!route.pathPrefixes?.length) return host;
    const paths = route.pathPrefixes.map((p) => `PathPrefix(\`${p}\`)`).join(" || ");
    return `${host} && (${paths})`;
}

/** Labels of one router + its service, bound to the edge's entrypoint (and certificate resolver). */
export function routeLabels(route: Route, edge: EdgeEndpoint): Record<string, string> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(route.name)) throw new Error(`route name "${route.name}" must be lower-case letters, digits and dashes`);
    const r = `traefik.http.routers.${route.name}`;
    const labels: Record<string, string> = {
        [`${r}.rule`]: ruleOf(route),
        [`${r}.entrypoints`]: edge.entrypoint,
        [`${r}.service`]: route.name,
        [`traefik.http.services.${route.name}.loadbalancer.server.port`]: String(route.port),
    };
    if (edge.certResolver) {
        labels[`${r}.tls`] = "true";
        labels[`${r}.tls.certresolver`] = edge.certResolver;
    }
    if (route.priority !== undefined) labels[`${r}.priority`] = String(route.priority);
    if (route.middlewares?.length) labels[`${r}.middlewares`] = route.middlewares.join(",");
    return labels;
}

/** The labels every routed container carries: opt in, and the network Traefik must use to reach it. */
export function routedContainerLabels(edge: EdgeEndpoint): Record<string, string> {
    return { "traefik.enable": "true", "traefik.docker.network": edge.network };
}

/** A headers middleware telling crawlers to stay away (every non-production host). */
export function noIndexMiddleware(name: string): Record<string, string> {
    return { [`traefik.http.middlewares.${name}.headers.customresponseheaders.X-Robots-Tag`]: "noindex, nofollow" };
}

export interface OdooRoutingInput {
    /** Prefix of router names: the stack's Docker prefix (`odoo-pr-7`). */
    name: string;
    host: string;
    /** With workers > 0 Odoo serves /websocket on the gevent port: a second, more specific route. */
    workers: number;
    /** Non-production hosts carry `X-Robots-Tag: noindex`. */
    noIndex: boolean;
}

/** Every Traefik label of the Odoo container. */
export function odooRoutingLabels(input: OdooRoutingInput, edge: EdgeEndpoint): Record<string, string> {
    const middlewares = input.noIndex ? [`${input.name}-noindex`] : [];
    const labels: Record<string, string> = {
        ...routedContainerLabels(edge),
        ...(input.noIndex ? noIndexMiddleware(`${input.name}-noindex`) : {}),
        ...routeLabels({ name: input.name, host: input.host, port: odooHttpPort, middlewares }, edge),
    };
    if (input.workers > 0) {
        Object.assign(
            labels,
            routeLabels(
                { name: `${input.name}-websocket`, host: input.host, port: odooGeventPort, pathPrefixes: ["/websocket"], priority: 100, middlewares },
                edge,
            ),
        );
    }
    return labels;
}

/** User of the mail catcher UI's basic auth (both runtimes). */
export const mailCatcherUser = "mail";
/** The mail catcher UI's password, a RandomPassword of these args in both runtimes: its bcryptHash is the htpasswd entry. */
export const mailCatcherPasswordArgs = { length: 24, special: false } as const;
/** A bcrypt hash as htpasswd and crypt(3) write it (`$2a$`, `$2b$` or `$2y$`, cost, 22 salt and 31 hash characters). */
export const bcryptHashPattern = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * One htpasswd line, `user:<bcrypt hash>`. Refuses anything but a bcrypt hash, so a plain password
 * passed by mistake never reaches a label or a Secret.
 */
export function htpasswdLine(user: string, bcryptHash: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(user)) throw new Error(`htpasswd user must be letters, digits, '.', '_' or '-', got "${user}"`);
    if (!bcryptHashPattern.test(bcryptHash)) throw new Error("htpasswd entries hold a bcrypt hash ($2a$/$2b$/$2y$), never a plain password");
    return `${user}:${bcryptHash}`;
}

export interface MailCatcherRoutingInput {
    /** Router name (`odoo-pr-7-mail`). */
    name: string;
    host: string;
    port: number;
    /** htpasswd lines (`user:<bcrypt hash>`): the UI shows every captured mail, so it is never open. */
    basicAuthUsers: string;
}

/** Labels of the mail catcher's UI: routed, behind basic auth, never indexed. */
export function mailCatcherRoutingLabels(input: MailCatcherRoutingInput, edge: EdgeEndpoint): Record<string, string> {
    const auth = `${input.name}-auth`;
    const noIndex = `${input.name}-noindex`;
    return {
        ...routedContainerLabels(edge),
        [`traefik.http.middlewares.${auth}.basicauth.users`]: input.basicAuthUsers,
        [`traefik.http.middlewares.${auth}.basicauth.removeheader`]: "true",
        ...noIndexMiddleware(noIndex),
        ...routeLabels({ name: input.name, host: input.host, port: input.port, middlewares: [auth, noIndex] }, edge),
    };
}

export interface TraefikStaticInput {
    /** Network Traefik uses to reach containers (the internal edge network). */
    network: string;
    /** Docker API endpoint: the read-only socket proxy, never the socket itself. */
    dockerEndpoint: string;
    /** Let's Encrypt contact; unset → plain HTTP only (dev on localhost). */
    acmeEmail?: string;
    acmeStorage?: string;
}

/**
 * Traefik's static configuration as command-line arguments. Only containers that opt in with
 * `traefik.enable=true` *and* carry the platform's managed-by label are routed, so a stray
 * container on the host cannot publish itself. No dashboard, no API entrypoint.
 */
export function traefikArguments(input: TraefikStaticInput): string[] {
    const args = [
        `--providers.docker.endpoint=${input.dockerEndpoint}`,
        "--providers.docker.exposedbydefault=false",
        `--providers.docker.network=${input.network}`,
        `--providers.docker.constraints=Label(\`${labelKeys.managedBy}\`,\`pulumi\`)`,
        `--entrypoints.${traefikEntrypoints.web}.address=:80`,
        `--entrypoints.${traefikEntrypoints.metrics}.address=:${traefikMetricsPort}`,
        `--metrics.prometheus=true`,
        `--metrics.prometheus.entrypoint=${traefikEntrypoints.metrics}`,
        "--ping=true",
        "--accesslog=true",
        "--accesslog.format=json",
        "--log.level=INFO",
        "--api.dashboard=false",
        "--global.sendanonymoususage=false",
        "--global.checknewversion=false",
    ];
    if (input.acmeEmail) {
        args.push(
            `--entrypoints.${traefikEntrypoints.websecure}.address=:443`,
            // Odoo imports and reports can run for minutes; Traefik v3 cuts requests at 60 s by default.
            `--entrypoints.${traefikEntrypoints.websecure}.transport.respondingtimeouts.readtimeout=${routerReadTimeoutSeconds}s`,
            `--entrypoints.${traefikEntrypoints.websecure}.transport.respondingtimeouts.writetimeout=${routerReadTimeoutSeconds}s`,
            `--entrypoints.${traefikEntrypoints.web}.http.redirections.entrypoint.to=${traefikEntrypoints.websecure}`,
            `--entrypoints.${traefikEntrypoints.web}.http.redirections.entrypoint.scheme=https`,
            `--certificatesresolvers.${certResolverName}.acme.email=${input.acmeEmail}`,
            `--certificatesresolvers.${certResolverName}.acme.storage=${input.acmeStorage ?? "/letsencrypt/acme.json"}`,
            // HTTP-01 passes through Cloudflare's proxy (port 80 is forwarded to the origin).
            `--certificatesresolvers.${certResolverName}.acme.httpchallenge.entrypoint=${traefikEntrypoints.web}`,
        );
    } else {
        args.push(
            `--entrypoints.${traefikEntrypoints.web}.transport.respondingtimeouts.readtimeout=${routerReadTimeoutSeconds}s`,
            `--entrypoints.${traefikEntrypoints.web}.transport.respondingtimeouts.writetimeout=${routerReadTimeoutSeconds}s`,
        );
    }
    return args;
}

/** The edge endpoint a router with (or without) ACME offers to environments. */
export function edgeEndpoint(network: string, tls: boolean): EdgeEndpoint {
    return tls ? { network, entrypoint: traefikEntrypoints.websecure, certResolver: certResolverName } : { network, entrypoint: traefikEntrypoints.web };
}

/** `https://host` behind TLS, `http://host` on a plain-HTTP edge (dev). */
export function publicUrl(host: string, edge: Pick<EdgeEndpoint, "certResolver">): string {
    return `${edge.certResolver ? "https" : "http"}://${host}`;
}
