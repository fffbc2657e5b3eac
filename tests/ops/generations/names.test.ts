import * as assert from "node:assert/strict";
import {
    maxIdentifierBytes,
    namePrefix,
    parseWorkDirectory,
    parseWorkName,
    pendingDatabaseName,
    runStamp,
    workDatabaseName,
    workDirectoryName,
} from "../../../ops/generations/names";

describe("staging work names", () => {
    const stamp = runStamp(new Date("2026-03-04T05:06:07.890Z"));

    it("stamps runs with the UTC time to the second", () => {
        assert.equal(stamp, "20260304050607");
    });

    it("names the copy being built and the replaced database after the target", () => {
        assert.equal(workDatabaseName("odoo_staging", "restore", stamp), "odoo_staging__restore_20260304050607");
        assert.equal(workDatabaseName("odoo_staging", "previous", stamp), "odoo_staging__previous_20260304050607");
        assert.equal(pendingDatabaseName("odoo_staging"), "odoo_staging__pending");
        assert.throws(() => workDatabaseName("x", "restore", "2026"), /14 digits/);
    });

    it("keeps work names of long targets within PostgreSQL's 63 bytes, distinct per target", () => {
        const a = "a".repeat(60);
        const b = `${"a".repeat(59)}b`;
        for (const target of [a, b, "é".repeat(31)]) {
            const name = workDatabaseName(target, "previous", stamp);
            assert.ok(Buffer.byteLength(name) <= maxIdentifierBytes, `${name} is ${Buffer.byteLength(name)} bytes`);
            assert.deepEqual(parseWorkName(target, name), { kind: "previous", stamp });
        }
        assert.notEqual(namePrefix(a), namePrefix(b));
    });

    it("recognises only its own target's work databases", () => {
        assert.deepEqual(parseWorkName("odoo_staging", "odoo_staging__restore_20260304050607"), { kind: "restore", stamp });
        assert.equal(parseWorkName("odoo_staging", "odoo_staging"), null);
        assert.equal(parseWorkName("odoo_staging", "odoo_staging__pending"), null);
        assert.equal(parseWorkName("odoo_staging", "odoo_staging_2__restore_20260304050607"), null);
        assert.equal(parseWorkName("odoo", "odoo_staging__restore_20260304050607"), null);
        assert.equal(parseWorkName("odoo_staging", "odoo_staging__restore_2026030405060"), null);
    });

    it("names filestore work directories beside the live one", () => {
        const dir = workDirectoryName("/var/lib/odoo/filestore/odoo_staging/", "restore", stamp);
        assert.equal(dir, "/var/lib/odoo/filestore/odoo_staging__restore_20260304050607");
        assert.deepEqual(parseWorkDirectory("/var/lib/odoo/filestore/odoo_staging", dir), { kind: "restore", stamp });
        assert.equal(parseWorkDirectory("/var/lib/odoo/filestore/odoo", dir), null);
    });
});
