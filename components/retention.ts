/**
 * How the objects that hold data are kept: what a stage's volumes, databases, roles, buckets and DNS
 * records carry as resource options. Production refuses any replacement or deletion (`protect`) and
 * keeps the object even when the stack is destroyed; staging keeps its objects on destroy (a
 * sanitized copy, but hours to rebuild, and its certificates count against Let's Encrypt's limits);
 * dev and PR environments are disposable, and `pr down` must remove everything.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Stage } from "../config/stage";
import { stageProfile } from "../config/stageProfile";

export type DataRetention = Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete">;

/** The stage profile's retention (config/stageProfile.ts), as resource options. */
export function dataRetention(stage: Stage): DataRetention {
    return { ...stageProfile(stage).retention };
}
