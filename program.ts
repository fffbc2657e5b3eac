/**
 * The entry point of the Pulumi program (Pulumi.yaml `main`): the shared cluster stack (`cluster`)
 * runs cluster.ts, every environment stack index.ts. The chosen module's exports are the stack's outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { isClusterStack } from "./config/cluster";

// eslint-disable-next-line @typescript-eslint/no-require-imports
export = isClusterStack(pulumi.getStack()) ? require("./cluster") : require("./index");
