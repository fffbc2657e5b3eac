/**
 * The stage's PostgreSQL server as an AWS RDS instance (runtime kubernetes, staging and
 * production): encrypted storage, automated backups kept rdsBackupRetentionDays, Multi-AZ as
 * configured, a parameter group that requires TLS (rds.force_ssl) and logs slow queries, and a
 * security group that admits PostgreSQL only from the cluster's nodes. Where the stage's retention
 * protects it (production) the instance has deletion protection and Pulumi's `protect`; a deletion
 * leaves a final snapshot. Which stages create one is the stage profile's (kubernetes.databaseServer).
 *
 * Nothing here changes from one deploy to the next: tags are the stack's labels without the git
 * SHA, the final snapshot's name is fixed, and changes wait for the maintenance window
 * (applyImmediately false), so a code deploy never touches the instance.
 * Provider: https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ManagedDatabaseSlice } from "../config/slices";
import type { DataRetention } from "./retention";

/** The instance's settings are the stack's ManagedDatabaseSlice (config/slices.ts); the password may be an Output here. */
export interface ManagedDatabaseArgs extends Omit<ManagedDatabaseSlice, "adminPassword"> {
    /** Identifier prefix (`odoo-production`): the instance is `<prefix>-db`. */
    prefix: string;
    /** Tags: the stack's labels without the git SHA. */
    tags: Record<string, string>;
    /** Generated when unset. */
    adminPassword?: pulumi.Input<string>;
    /** The stage's retention (config/stageProfile.ts): an instance it protects (production's) also gets RDS deletion protection. */
    retention?: DataRetention;
}

/** Parameters every Odoo database server gets (family postgres<major>). */
export function rdsParameters(slowQueryMs: number): { name: string; value: string; applyMethod: string }[] {
    return [
        // TLS only: a client without it is refused.
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        { name: "log_min_duration_statement", value: String(slowQueryMs), applyMethod: "immediate" },
        // A transaction left open by a killed worker must not hold locks for ever.
        { name: "idle_in_transaction_session_timeout", value: "3600000", applyMethod: "immediate" },
    ];
}

/** The instance's arguments (without the password, subnet group, security group and parameter group). */
export function rdsInstanceArgs(args: Omit<ManagedDatabaseArgs, "subnetIds" | "vpcId" | "clusterSecurityGroupId" | "adminPassword" | "slowQueryMs">) {
    const identifier = `${args.prefix}-db`;
    return {
        identifier,
        engine: "postgres",
        engineVersion: args.engineVersion,
        instanceClass: args.instanceClass,
        allocatedStorage: args.allocatedStorageGb,
        maxAllocatedStorage: args.allocatedStorageGb * 4,
        storageType: "gp3",
        storageEncrypted: true,
        multiAz: args.multiAz,
        port: args.port,
        username: args.adminUser,
        dbName: "postgres",
        publiclyAccessible: false,
        backupRetentionPeriod: args.backupRetentionDays,
        backupWindow: "01:00-02:00",
        maintenanceWindow: "sun:02:30-sun:03:30",
        copyTagsToSnapshot: true,
        deletionProtection: args.retention?.protect === true,
        skipFinalSnapshot: false,
        // Fixed: a name with a date would change the instance's inputs on every deploy.
        finalSnapshotIdentifier: `${identifier}-final`,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        applyImmediately: false,
        performanceInsightsEnabled: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        enabledCloudwatchLogsExports: ["postgresql"],
        tags: args.tags,
    };
}

export class ManagedDatabase extends pulumi.ComponentResource {
    public readonly address: pulumi.Output<string>;
    public readonly port: number;
    public readonly adminUser: string;
    public readonly adminPassword: pulumi.Output<string>;
    public readonly instance: aws.rds.Instance;

    constructor(name: string, args: ManagedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("odoo-platform:data:ManagedDatabase", name, {}, opts);
        validateArgs(args);
        const child = { parent: this };
        const keep = { parent: this, ...args.retention };
        const major = args.engineVersion;
        const subnets = new aws.rds.SubnetGroup(`${name}-subnets`, { name: `${args.prefix}-db`, subnetIds: args.subnetIds, tags: args.tags }, child);
        const group = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: `${args.prefix}-db`,
                description: `PostgreSQL of ${args.prefix}: only from the cluster's nodes`,
                vpcId: args.vpcId,
                ingress: [
                    {
                        description: "PostgreSQL from the cluster's nodes",
                        protocol: "tcp",
                        fromPort: args.port,
                        toPort: args.port,
                        securityGroups: [args.clusterSecurityGroupId],
                    },
                ],
                egress: [],
                tags: args.tags,
            },
            child,
        );
        const parameters = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                name: `${args.prefix}-postgres${major}`,
                family: `postgres${major}`,
                description: `Odoo on PostgreSQL ${major}: TLS required, slow queries logged`,
                parameters: rdsParameters(args.slowQueryMs),
                tags: args.tags,
            },
            child,
        );
        const password = args.adminPassword ?? new random.RandomPassword(`${name}-admin-password`, { length: 32, special: false }, child).result;
        this.instance = new aws.rds.Instance(
            `${name}`,
            {
                ...rdsInstanceArgs(args),
                password: pulumi.secret(password),
                dbSubnetGroupName: subnets.name,
                vpcSecurityGroupIds: [group.id],
                parameterGroupName: parameters.name,
            },
            { ...keep, additionalSecretOutputs: ["password"] },
        );
        this.address = this.instance.address;
        this.port = args.port;
        this.adminUser = args.adminUser;
        this.adminPassword = pulumi.secret(password);
        this.registerOutputs({ address: this.address, identifier: this.instance.identifier });
    }
}

function validateArgs(args: ManagedDatabaseArgs): void {
    const fail = (field: string, why: string) => {
        throw new Error(`ManagedDatabase: args.${field} ${why}`);
    };
    if (!/^[a-z][a-z0-9-]{0,50}$/.test(args.prefix ?? "")) fail("prefix", `must be a lower-case identifier prefix, got "${args.prefix}"`);
    if ((args.subnetIds ?? []).length < 2) fail("subnetIds", "must list at least two subnets (two availability zones): odoo-platform:rdsSubnetIds");
    if (!args.vpcId) fail("vpcId", "is required: odoo-platform:rdsVpcId");
    if (!args.clusterSecurityGroupId) fail("clusterSecurityGroupId", "is required: odoo-platform:clusterSecurityGroupId");
    if (Object.keys(args.tags ?? {}).some((k) => k.endsWith("git-sha")))
        fail("tags", "must not carry the git SHA: a tag that changes every deploy updates the instance every deploy");
}
