/** How messages name a resource: its kind, its Pulumi name and, for containers, networks and volumes, its Docker name and role. */
import { labelKeys } from "../platform";
import { labelMap } from "./docker";
import { dockerTypes, kindOf } from "./types";

const namedDockerObjects: readonly string[] = [dockerTypes.container, dockerTypes.network, dockerTypes.volume, dockerTypes.service];

export function describe(resource: { type: string; name: string; props?: Record<string, unknown> }): string {
    const details: string[] = [];
    if (resource.props && namedDockerObjects.includes(resource.type)) {
        if (typeof resource.props.name === "string" && resource.props.name !== resource.name) details.push(resource.props.name);
        const role = labelMap(resource.props)[labelKeys.role];
        if (role) details.push(`role ${role}`);
    }
    return `${kindOf(resource.type)} "${resource.name}"${details.length ? ` (${details.join(", ")})` : ""}`;
}

/** `a, b and c` */
export function listing(items: readonly string[]): string {
    if (items.length <= 1) return items.join("");
    return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
