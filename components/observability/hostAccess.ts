/**
 * What the observability containers may see of the Docker host, as data. The Docker socket is root on
 * the host, so it is mounted only where it is needed, read-only, and the list is explicit; the policy
 * `docker-socket-allowlist` (policy/odoo-platform/security.ts) refuses it on any other container role.
 */

/** The Docker socket path on the host. */
export const dockerSocketPath = "/var/run/docker.sock";

/** Roles of the observability containers; each container is named `<prefix>-<role>`. */
export const observabilityRoles = ["prometheus", "loki", "grafana", "alloy", "cadvisor", "node-exporter", "postgres-exporter"] as const;
export type ObservabilityRole = (typeof observabilityRoles)[number];

export interface HostMount {
    hostPath: string;
    containerPath: string;
    readOnly: true;
    why: string;
}

export interface HostAccess {
    role: ObservabilityRole;
    /** Host paths bind-mounted into the container, all read-only. */
    mounts: HostMount[];
    /** Shares the host's PID namespace (node exporter: per-process stats of the host). */
    pidHost?: boolean;
}

const ro = (hostPath: string, containerPath: string, why: string): HostMount => ({ hostPath, containerPath, readOnly: true, why });

/**
 * Every host path an observability container mounts. A role absent from this table mounts nothing
 * from the host (named volumes only).
 */
export const hostAccess: readonly HostAccess[] = [
    {
        role: "alloy",
        mounts: [ro(dockerSocketPath, dockerSocketPath, "discover containers and read their logs with their labels (stage, stack, PR)")],
    },
    {
        role: "cadvisor",
        // cAdvisor's documented mounts: https://github.com/google/cadvisor#quick-start-running-cadvisor-in-a-docker-container
        mounts: [
            ro("/", "/rootfs", "filesystem usage of the host"),
            ro(dockerSocketPath, dockerSocketPath, "container names and labels from the Docker API"),
            ro("/sys", "/sys", "cgroup CPU and memory counters"),
            ro("/var/lib/docker", "/var/lib/docker", "container filesystem usage"),
            ro("/dev/disk", "/dev/disk", "disk I/O per device"),
        ],
    },
    {
        role: "node-exporter",
        // https://github.com/prometheus/node_exporter#docker
        mounts: [ro("/", "/host", "host filesystems, /proc and /sys (read with --path.rootfs=/host)")],
        pidHost: true,
    },
];

/** Roles allowed to mount the Docker socket: the log shipper and cAdvisor, nothing else. */
export const dockerSocketRoles: readonly ObservabilityRole[] = hostAccess
    .filter((access) => access.mounts.some((m) => m.hostPath === dockerSocketPath))
    .map((access) => access.role);

/** Name of an observability container: `<prefix>-<role>` (prefix `obs-<stack>`). */
export const observabilityContainerName = (prefix: string, role: ObservabilityRole): string => `${prefix}-${role}`;

/**
 * The allow-list the security policy imports: container names (for a prefix) and a matcher for any
 * stack's observability prefix (`obs-<stack>-alloy`, `obs-<stack>-cadvisor`).
 */
export const dockerSocketAllowList = {
    roles: dockerSocketRoles,
    names: (prefix: string): string[] => dockerSocketRoles.map((role) => observabilityContainerName(prefix, role)),
    matches: (containerName: string): boolean => dockerSocketRoles.some((role) => new RegExp(`^obs-[a-z0-9][a-z0-9-]*-${role}$`).test(containerName)),
} as const;

export function hostAccessFor(role: ObservabilityRole): HostAccess | undefined {
    return hostAccess.find((access) => access.role === role);
}
