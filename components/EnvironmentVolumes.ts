/**
 * The data an Odoo environment keeps on its Docker host: the filestore and the sessions. A
 * component of its own because two others use them — the staging refresh steps restore the
 * filestore into it (components/NeutralizedDatabase.ts) and OdooEnvironment mounts both — and because
 * what holds data is kept differently from what runs code: no per-commit label (labels force a
 * volume's replacement in the docker provider), delete-before-replace (the names are fixed), and
 * the stage's retention (production protected, staging retained on destroy).
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { dockerLabels, EnvironmentNames, stableLabels } from "../config/naming";
import type { DataRetention } from "./retention";

export interface EnvironmentVolumesArgs {
    names: EnvironmentNames;
    labels: Record<string, string>;
    retention?: DataRetention;
}

export class EnvironmentVolumes extends pulumi.ComponentResource {
    /** Names of the volumes as outputs of the Volume resources (mounting them is a dependency). */
    public readonly filestore: pulumi.Output<string>;
    public readonly sessions: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentVolumesArgs, opts?: pulumi.ComponentResourceOptions) {
        if (!args.names?.volumes?.filestore) throw new Error("EnvironmentVolumes: args.names must be the stack's environmentNames()");
        super("odoo-platform:environment:EnvironmentVolumes", name, {}, opts);
        const labels = dockerLabels(stableLabels(args.labels));
        const keep = { parent: this, deleteBeforeReplace: true, ...args.retention };
        const filestore = new docker.Volume(`${name}-filestore`, { name: args.names.volumes.filestore, labels }, keep);
        const sessions = new docker.Volume(`${name}-sessions`, { name: args.names.volumes.sessions, labels }, keep);
        this.filestore = filestore.name;
        this.sessions = sessions.name;
        this.registerOutputs({ filestore: this.filestore, sessions: this.sessions });
    }
}
