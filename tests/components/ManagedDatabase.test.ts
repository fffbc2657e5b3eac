import * as assert from "node:assert/strict";
import { ManagedDatabase, ManagedDatabaseArgs } from "../../components/ManagedDatabase";
import { buildUnderMocks, itRefusesEachBadField, Refusal } from "../support/component";

/** Production's RDS instance, with the example stack's VPC. */
function productionArgs(): ManagedDatabaseArgs {
    return {
        prefix: "odoo-production",
        tags: { "odoo-platform.stage": "production", "odoo-platform.stack": "production" },
        instanceClass: "db.m6g.large",
        engineVersion: "15",
        allocatedStorageGb: 200,
        multiAz: true,
        backupRetentionDays: 14,
        subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"],
        vpcId: "vpc-0a1b2c3d4e5f60718",
        clusterSecurityGroupId: "sg-0a1b2c3d4e5f60718",
        port: 5432,
        adminUser: "postgres",
        slowQueryMs: 1000,
        retention: { protect: true, retainOnDelete: true },
    };
}

describe("ManagedDatabase from its args", function () {
    this.timeout(60000);

    it("creates the encrypted instance with its subnet group, node-only security group, TLS parameter group and generated password, all parented to it", async () => {
        const built = await buildUnderMocks(() => new ManagedDatabase("rds", productionArgs()));
        const [component, ...children] = built.resources;
        assert.equal(component.type, "odoo-platform:data:ManagedDatabase");
        const find = (type: string) => {
            const found = children.find((r) => r.type === type);
            assert.ok(found, `${type} in ${children.map((r) => r.type).join(", ")}`);
            return found!.inputs as any;
        };
        const instance = find("aws:rds/instance:Instance");
        assert.deepEqual(
            [instance.identifier, instance.instanceClass, instance.engineVersion, instance.allocatedStorage, instance.backupRetentionPeriod, instance.port],
            ["odoo-production-db", "db.m6g.large", "15", 200, 14, 5432],
        );
        assert.equal(instance.storageEncrypted, true);
        assert.equal(instance.deletionProtection, true, "production's retention protects it");
        assert.equal(instance.finalSnapshotIdentifier, "odoo-production-db-final");
        assert.deepEqual(find("aws:rds/subnetGroup:SubnetGroup").subnetIds, ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]);
        const group = find("aws:ec2/securityGroup:SecurityGroup");
        assert.equal(group.vpcId, "vpc-0a1b2c3d4e5f60718");
        assert.deepEqual(
            group.ingress.map((i: any) => [i.fromPort, i.toPort, i.securityGroups]),
            [[5432, 5432, ["sg-0a1b2c3d4e5f60718"]]],
        );
        const parameters = find("aws:rds/parameterGroup:ParameterGroup");
        assert.equal(parameters.family, "postgres15");
        assert.ok(parameters.parameters.some((p: any) => p.name === "rds.force_ssl" && p.value === "1"));
        find("random:index/randomPassword:RandomPassword");
        for (const child of children) assert.equal(child.parent, component.name, `${child.type} ${child.name} is parented to the component`);
    });

    const refusals: Refusal<ManagedDatabaseArgs>[] = [
        [
            "prefix",
            (a) => (a.prefix = "odoo--production"),
            /ManagedDatabaseArgs\.prefix: must make "<prefix>-db-final" an RDS identifier .*got "odoo--production"; fix: /,
        ],
        ["prefix (too long)", (a) => (a.prefix = `odoo-${"x".repeat(50)}`), /ManagedDatabaseArgs\.prefix: must make "<prefix>-db-final" an RDS identifier/],
        ["prefix (a digit first)", (a) => (a.prefix = "7-odoo"), /ManagedDatabaseArgs\.prefix: /],
        ["instanceClass", (a) => (a.instanceClass = "m6g.large"), /ManagedDatabaseArgs\.instanceClass: must be an RDS instance class .*got "m6g\.large"/],
        [
            "engineVersion",
            (a) => (a.engineVersion = "15.4"),
            /ManagedDatabaseArgs\.engineVersion: must be a PostgreSQL major version from 13 to 17 .*got "15\.4"/,
        ],
        [
            "allocatedStorageGb",
            (a) => (a.allocatedStorageGb = 10),
            /ManagedDatabaseArgs\.allocatedStorageGb: must be a whole number of GiB of at least 20 .*got 10/,
        ],
        [
            "backupRetentionDays (0)",
            (a) => (a.backupRetentionDays = 0),
            /ManagedDatabaseArgs\.backupRetentionDays: must be a whole number of days from 1 to 35 .*got 0/,
        ],
        ["backupRetentionDays (36)", (a) => (a.backupRetentionDays = 36), /ManagedDatabaseArgs\.backupRetentionDays: .*got 36/],
        ["port", (a) => (a.port = 80), /ManagedDatabaseArgs\.port: must be a port RDS accepts \(1150–65535\), got 80/],
        ["adminUser", (a) => (a.adminUser = "rdsadmin"), /ManagedDatabaseArgs\.adminUser: .*not rdsadmin .*got "rdsadmin"/],
        ["slowQueryMs", (a) => (a.slowQueryMs = -1), /ManagedDatabaseArgs\.slowQueryMs: must be a whole number of milliseconds above 0, got -1/],
        [
            "subnetIds (one)",
            (a) => (a.subnetIds = ["subnet-0a1b2c3d", "subnet-0a1b2c3d"]),
            /ManagedDatabaseArgs\.subnetIds: must list at least two distinct subnets/,
        ],
        [
            "subnetIds (not ids)",
            (a) => (a.subnetIds = ["subnet-0a1b2c3d", "10.0.1.0/24"]),
            /ManagedDatabaseArgs\.subnetIds: entries must be subnet ids .*got "10\.0\.1\.0\/24"/,
        ],
        ["vpcId", (a) => (a.vpcId = ""), /ManagedDatabaseArgs\.vpcId: must be a VPC id \(vpc-…\), got ""; fix: set odoo-platform:rdsVpcId/],
        [
            "clusterSecurityGroupId",
            (a) => (a.clusterSecurityGroupId = "10.0.0.0/16"),
            /ManagedDatabaseArgs\.clusterSecurityGroupId: must be the cluster nodes' security group id/,
        ],
        ["tags", (a) => (a.tags["odoo-platform.git-sha"] = "abcdef1"), /ManagedDatabaseArgs\.tags: must not carry the git SHA/],
    ];
    itRefusesEachBadField(productionArgs, (args) => new ManagedDatabase("rds", args), refusals);
});
