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
import { isDnsLabel, isPostgresIdentifier } from "../config/naming";
import { awsIdPatterns, rdsEngineVersionPattern, rdsInstanceClassPattern, rdsMaxBackupRetentionDays, rdsMinStorageGb } from "../config/schema";
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
        validateManagedDatabaseArgs(args);
        super("odoo-platform:data:ManagedDatabase", name, {}, opts);
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

/**
 * Can `id` be an RDS DB instance identifier: 1–63 letters, digits or hyphens, starting with a
 * letter, no two hyphens in a row, not ending in one (CreateDBInstance, DBInstanceIdentifier). Pure.
 */
export function isRdsIdentifier(id: string): boolean {
    return isDnsLabel(id) && /^[a-z]/i.test(id) && !id.includes("--");
}

/**
 * Refuses args RDS would refuse half-way (after the subnet group, security group and parameter
 * group exist) or that would build the wrong server: `ManagedDatabaseArgs.<field>: <why>; fix: <how>`.
 * The limits are RDS for PostgreSQL's (CreateDBInstance): storage from 20 GiB, backups kept 0–35
 * days, port 1150–65535, master user 1–63 letters, digits or underscores starting with a letter.
 * Pure; runs before anything is registered.
 */
export function validateManagedDatabaseArgs(args: ManagedDatabaseArgs): void {
    const fail = (field: string, why: string, fix: string): never => {
        throw new Error(`ManagedDatabaseArgs.${field}: ${why}; fix: ${fix}`);
    };
    // The instance is `<prefix>-db`, its final snapshot `<prefix>-db-final` (also an identifier).
    if (!isRdsIdentifier(`${args.prefix ?? ""}-db-final`))
        fail(
            "prefix",
            `must make "<prefix>-db-final" an RDS identifier (1–63 letters, digits, hyphens; a letter first; no "--"), got "${args.prefix}"`,
            "pass environmentNames().prefix (config/naming.ts)",
        );
    if (!rdsInstanceClassPattern.test(args.instanceClass ?? ""))
        fail("instanceClass", `must be an RDS instance class such as db.m6g.large, got "${args.instanceClass}"`, "set odoo-platform:rdsInstanceClass");
    if (!rdsEngineVersionPattern.test(args.engineVersion ?? ""))
        fail(
            "engineVersion",
            `must be a PostgreSQL major version from 13 to 17 (the parameter group family is postgres<major>), got "${args.engineVersion}"`,
            "set odoo-platform:rdsEngineVersion",
        );
    if (!(Number.isInteger(args.allocatedStorageGb) && args.allocatedStorageGb >= rdsMinStorageGb))
        fail(
            "allocatedStorageGb",
            `must be a whole number of GiB of at least ${rdsMinStorageGb} (the RDS minimum), got ${args.allocatedStorageGb}`,
            "set odoo-platform:rdsAllocatedStorageGb",
        );
    if (!(Number.isInteger(args.backupRetentionDays) && args.backupRetentionDays >= 1 && args.backupRetentionDays <= rdsMaxBackupRetentionDays))
        fail(
            "backupRetentionDays",
            `must be a whole number of days from 1 to ${rdsMaxBackupRetentionDays} (0 turns automated backups off), got ${args.backupRetentionDays}`,
            "set odoo-platform:rdsBackupRetentionDays",
        );
    if (!(Number.isInteger(args.port) && args.port >= 1150 && args.port <= 65535))
        fail("port", `must be a port RDS accepts (1150–65535), got ${args.port}`, "set odoo-platform:dbPort (5432)");
    if (!(isPostgresIdentifier(args.adminUser ?? "") && /^[a-z]/.test(args.adminUser) && args.adminUser !== "rdsadmin"))
        fail(
            "adminUser",
            `must be a lower-case PostgreSQL identifier starting with a letter, not rdsadmin (reserved by RDS), got "${args.adminUser}"`,
            "set odoo-platform:dbAdminUser",
        );
    if (!(Number.isInteger(args.slowQueryMs) && args.slowQueryMs > 0))
        fail("slowQueryMs", `must be a whole number of milliseconds above 0, got ${args.slowQueryMs}`, "set odoo-platform:slowQueryMs");
    const subnets = args.subnetIds ?? [];
    const badSubnets = subnets.filter((id) => !awsIdPatterns.subnet.test(id));
    if (badSubnets.length)
        fail("subnetIds", `entries must be subnet ids (subnet-…), got ${badSubnets.map((id) => `"${id}"`).join(", ")}`, "fix odoo-platform:rdsSubnetIds");
    if (new Set(subnets).size < 2)
        fail("subnetIds", `must list at least two distinct subnets (two availability zones), got ${subnets.length}`, "set odoo-platform:rdsSubnetIds");
    if (!awsIdPatterns.vpc.test(args.vpcId ?? "")) fail("vpcId", `must be a VPC id (vpc-…), got "${args.vpcId}"`, "set odoo-platform:rdsVpcId");
    if (!awsIdPatterns.securityGroup.test(args.clusterSecurityGroupId ?? ""))
        fail(
            "clusterSecurityGroupId",
            `must be the cluster nodes' security group id (sg-…), the only source the instance admits, got "${args.clusterSecurityGroupId}"`,
            "set odoo-platform:clusterSecurityGroupId",
        );
    if (Object.keys(args.tags ?? {}).some((k) => k.endsWith("git-sha")))
        fail(
            "tags",
            "must not carry the git SHA: a tag that changes every deploy updates the instance every deploy",
            "pass stableLabels() of the stack's labels",
        );
}
