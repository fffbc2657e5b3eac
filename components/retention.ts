/**
 * How the objects that hold data are kept: what a stage's volumes, databases, roles, buckets and DNS
 * records carry as resource options. Production refuses any replacement or deletion (`protect`) and
 * keeps the object even when the stack is destroyed; staging keeps its objects on destroy (a
 * sanitized copy, but hours to rebuild, and its certificates count against Let's Encrypt's limits);
 * dev and PR environments are disposable, and `pr down` must remove everything.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Stage } from "../config/stage";

export type DataRetention = Pick<pulumi.CustomResourceOptions, "protect" | "retainOnDelete">;

export function dataRetention(stage: Stage): DataRetention {
    switch (stage) {
        case "production":
            return { protect: true, retainOnDelete: true };
        case "staging":
            return { retainOnDelete: true };
        default:
            return {};
    }
}
