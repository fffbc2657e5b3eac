/**
 * Deterministic names for everything a stack creates. Pure functions: the same stack, branch and
 * domain always give the same hosts, database, container and network names, whatever the input
 * looks like (unicode, slashes, 200-character branch names, stray dashes, uppercase).
 */
import { createHash } from "node:crypto";
import type { Stage, StackIdentity } from "./stage";

/** RFC 1035: a DNS label is at most 63 octets. */
export const maxDnsLabel = 63;
/** A whole DNS name is at most 253 characters in its dotted text form. */
export const maxDnsName = 253;
/** Suffix of the mail catcher's sibling host label (`pr-7-foo` → `pr-7-foo-mail`). */
export const mailHostSuffix = "-mail";

const shortHash = (text: string, length = 6): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, length);

/**
 * Lower-case ASCII slug for a git branch name: accents folded (`Émile` → `emile`), every run of
 * other characters (slashes, dots, underscores, emoji…) becomes one dash, no leading or trailing
 * dash, at most `maxLength` characters. A branch with nothing ASCII left gets a short hash of its
 * name, so two such branches still differ.
 */
export function branchSlug(branch: string, maxLength = maxDnsLabel): string {
    if (maxLength < 1) throw new Error(`branchSlug: maxLength must be at least 1, got ${maxLength}`);
    const folded = branch
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .toLowerCase();
    let slug = folded.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (slug === "") slug = `b${shortHash(branch)}`;
    return slug.slice(0, maxLength).replace(/-+$/, "");
}

/**
 * A lower-case PostgreSQL identifier that needs no quoting: a-z, 0-9 and _, not starting with a
 * digit, at most 63 bytes (NAMEDATALEN - 1). Database, role and schema names are held to it.
 */
export const postgresIdentifierPattern = /^[a-z_][a-z0-9_]{0,62}$/;

/** Is `text` a lower-case PostgreSQL identifier (postgresIdentifierPattern)? */
export function isPostgresIdentifier(text: string): boolean {
    return postgresIdentifierPattern.test(text);
}

/** An image digest as registries give it: `sha256:<64 hex>`. */
export const imageDigestPattern = /^sha256:[0-9a-f]{64}$/;

/** The digest an image reference is pinned by (`<repository>@sha256:<64 hex>`), or undefined. */
export function imageDigestOf(image: string): string | undefined {
    const at = image.lastIndexOf("@");
    const digest = at >= 0 ? image.slice(at + 1) : "";
    return imageDigestPattern.test(digest) ? digest : undefined;
}

/** Is `image` pinned by digest (`<repository>@sha256:<64 hex>`), so that it cannot change under its name? */
export function isPinnedByDigest(image: string): boolean {
    return imageDigestOf(image) !== undefined;
}

/** Is `text` one valid DNS label (letters, digits, inner dashes, 1–63 characters)? */
export function isDnsLabel(text: string): boolean {
    return text.length >= 1 && text.length <= maxDnsLabel && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i.test(text);
}

/** Is `text` a DNS name: dot-separated valid labels, at most 253 characters, no trailing dot. */
export function isDnsName(text: string): boolean {
    return text.length >= 1 && text.length <= maxDnsName && text.split(".").every(isDnsLabel);
}

/**
 * The DNS label of a PR environment: `pr-<n>-<slug>`, short enough that the mail catcher's sibling
 * label (`…-mail`) still fits in 63 characters.
 */
export function prHostLabel(prNumber: number, branch: string): string {
    if (!Number.isInteger(prNumber) || prNumber < 1) throw new Error(`PR number must be a positive integer, got ${prNumber}`);
    const prefix = `pr-${prNumber}-`;
    return prefix + branchSlug(branch, maxDnsLabel - mailHostSuffix.length - prefix.length);
}

export interface EnvironmentNames {
    /** Prefix of every Docker object of the stack: `odoo-<stack>`. */
    prefix: string;
    /** Public host of the Odoo environment. */
    host: string;
    /** Public host of the mail catcher UI (non-production stages). */
    mailHost: string;
    /** Wildcard parent of PR hosts: `dev.<domain>`. */
    prParentDomain: string;
    /** Name of the Odoo database. */
    database: string;
    /** Name of the database owner role. */
    databaseOwner: string;
    containers: { odoo: string; postgres: string; mailCatcher: string; egressProxy: string };
    networks: { internal: string; egress: string };
    volumes: { filestore: string; sessions: string; postgresData: string };
}

/**
 * All names of one stack's environment. `hostOverride` / `databaseOverride` come from the stack's
 * configuration when it sets them (production usually has its own host name).
 */
export function environmentNames(
    identity: StackIdentity,
    opts: { domain: string; branch?: string; hostOverride?: string; databaseOverride?: string },
): EnvironmentNames {
    const { stage, stack, prNumber, branchEnvironment } = identity;
    const prParentDomain = `dev.${opts.domain}`;
    const prefix = `odoo-${stack}`;
    let host: string;
    let mailHost: string;
    if (stage === "pr") {
        // A branch environment's host is its stack name (br-<slug>), which fits with the -mail suffix.
        const label = branchEnvironment !== undefined ? `br-${branchEnvironment}` : prHostLabel(prNumber!, opts.branch ?? "");
        host = `${label}.${prParentDomain}`;
        mailHost = `${label}${mailHostSuffix}.${prParentDomain}`;
    } else {
        host = opts.hostOverride ?? defaultHost(stage, opts.domain);
        const [first, ...rest] = host.split(".");
        mailHost = [`${first}${mailHostSuffix}`, ...rest].join(".");
    }
    const database = opts.databaseOverride ?? databaseName(identity);
    return {
        prefix,
        host,
        mailHost,
        prParentDomain,
        database,
        databaseOwner: `${database}_owner`,
        containers: {
            odoo: `${prefix}-odoo`,
            postgres: `${prefix}-db`,
            mailCatcher: `${prefix}-mailpit`,
            egressProxy: `${prefix}-egress`,
        },
        networks: { internal: `${prefix}-internal`, egress: `${prefix}-egress` },
        volumes: { filestore: `${prefix}-filestore`, sessions: `${prefix}-sessions`, postgresData: `${prefix}-pgdata` },
    };
}

function defaultHost(stage: Exclude<Stage, "pr">, domain: string): string {
    switch (stage) {
        case "production":
            return `erp.${domain}`;
        case "staging":
            return `staging.${domain}`;
        case "dev":
            return `odoo.${domain}`;
    }
}

/** `odoo_pr_<n>` for PR stacks, `odoo_br_<slug>` for branch environments, `odoo_<stage>` otherwise. */
export function databaseName(identity: StackIdentity): string {
    if (identity.branchEnvironment !== undefined) return `odoo_br_${identity.branchEnvironment.replace(/-/g, "_")}`;
    return identity.stage === "pr" ? `odoo_pr_${identity.prNumber}` : `odoo_${identity.stage}`;
}

/** The label keys every resource carries (Docker labels, AWS tags). */
export const labelKeys = {
    stage: "odoo-platform.stage",
    stack: "odoo-platform.stack",
    gitSha: "odoo-platform.git-sha",
    pr: "odoo-platform.pr",
    /** The branch slug of a branch environment (instead of `pr`). */
    branchEnvironment: "odoo-platform.branch-environment",
    ttlHours: "odoo-platform.ttl-hours",
    managedBy: "odoo-platform.managed-by",
    /** What a container is for: policies find the Odoo container, the mail catcher, the router … by it. */
    role: "odoo-platform.role",
} as const;

/** Values of the `odoo-platform.role` container label. */
export const containerRoles = {
    odoo: "odoo",
    odooInit: "odoo-init",
    postgres: "postgres",
    mailCatcher: "mail-catcher",
    egressProxy: "egress-proxy",
    router: "router",
    observability: "observability",
    /** One-shot steps that restore, neutralize, verify and swap a staging database on the Docker host. */
    dataStep: "data-step",
} as const;
export type ContainerRole = (typeof containerRoles)[keyof typeof containerRoles];

/**
 * Roles of the containers that run the deployed commit: only they carry the git-SHA label. In the
 * docker provider `labels` force the replacement of containers, volumes and networks, so a label
 * that changes with every commit belongs only on what every commit replaces anyway.
 */
export const deployedCodeRoles: readonly ContainerRole[] = [containerRoles.odoo, containerRoles.odooInit];

/** The stack's labels without the git SHA: what volumes, networks and long-lived containers carry. */
export function stableLabels(labels: Record<string, string>): Record<string, string> {
    const { [labelKeys.gitSha]: _sha, ...rest } = labels;
    return rest;
}

/** Docker labels of one container: the stack's labels (the git SHA only on code containers) plus its role. */
export function containerLabels(labels: Record<string, string>, role: ContainerRole, extra: Record<string, string> = {}): { label: string; value: string }[] {
    const base = deployedCodeRoles.includes(role) ? labels : stableLabels(labels);
    return dockerLabels({ ...base, ...extra, [labelKeys.role]: role });
}

export interface LabelInput {
    stage: Stage;
    stack: string;
    gitSha: string;
    prNumber?: number;
    branchEnvironment?: string;
    prTtlHours?: number;
}

/** Stage/stack/git-SHA labels (and PR number + TTL for PR stacks), as a plain map. */
export function resourceLabels(input: LabelInput): Record<string, string> {
    const labels: Record<string, string> = {
        [labelKeys.stage]: input.stage,
        [labelKeys.stack]: input.stack,
        [labelKeys.gitSha]: input.gitSha,
        [labelKeys.managedBy]: "pulumi",
    };
    if (input.prNumber !== undefined) labels[labelKeys.pr] = String(input.prNumber);
    if (input.branchEnvironment !== undefined) labels[labelKeys.branchEnvironment] = input.branchEnvironment;
    if (input.prTtlHours !== undefined) labels[labelKeys.ttlHours] = String(input.prTtlHours);
    return labels;
}

/** Docker's `labels` input shape: `[{ label, value }]`, sorted for stable diffs. */
export function dockerLabels(labels: Record<string, string>): { label: string; value: string }[] {
    return Object.keys(labels)
        .sort()
        .map((label) => ({ label, value: labels[label] }));
}
