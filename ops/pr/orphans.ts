/**
 * Containers a cancelled run left behind. GitHub cancels a PR's older run when a newer push comes
 * (the workflow's concurrency group); a `pulumi up` cut while Docker was creating a container
 * leaves the container on the host but only a pending operation in the stack's state. The retry
 * then fails: the container's fixed name is taken. Before deploying, `pr up` removes the stack's
 * containers (found by their `odoo-platform.stack` label) that its state does not hold.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { labelKeys } from "../../config/naming";

export interface HostContainer {
    id: string;
    name: string;
}

/** The containers on the host the state does not know. Pure. */
export function orphanContainers(stateIds: ReadonlySet<string>, onHost: readonly HostContainer[]): HostContainer[] {
    return onHost.filter(
        (c) => ![...stateIds].some((id) => id === c.id || (id.length >= 12 && c.id.startsWith(id)) || (c.id.length >= 12 && id.startsWith(c.id))),
    );
}

/** Container ids a Pulumi deployment (`stack export`) holds. Pure. */
export function stateContainerIds(deployment: { resources?: { type?: string; id?: string }[] } | undefined): Set<string> {
    return new Set((deployment?.resources ?? []).filter((r) => r.type === "docker:index/container:Container" && r.id).map((r) => r.id!));
}

export type Exec = (file: string, args: string[], env: NodeJS.ProcessEnv) => Promise<string>;
const realExec: Exec = async (file, args, env) => (await promisify(execFile)(file, args, { env, maxBuffer: 4 * 1024 * 1024 })).stdout;

/** Removes the orphans of `stack` on `dockerHost`; returns their names. */
export async function removeOrphanContainers(input: { stack: string; dockerHost: string; stateIds: ReadonlySet<string>; exec?: Exec }): Promise<string[]> {
    const exec = input.exec ?? realExec;
    const env = { ...process.env, DOCKER_HOST: input.dockerHost };
    const listed = await exec(
        "docker",
        ["ps", "--all", "--no-trunc", "--filter", `label=${labelKeys.stack}=${input.stack}`, "--format", "{{.ID}} {{.Names}}"],
        env,
    );
    const onHost = listed
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => ({ id: l.split(" ")[0], name: l.split(" ")[1] ?? "" }));
    const orphans = orphanContainers(input.stateIds, onHost);
    if (orphans.length) await exec("docker", ["rm", "--force", ...orphans.map((o) => o.id)], env);
    return orphans.map((o) => o.name);
}
