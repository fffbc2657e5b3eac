/**
 * A sanitized snapshot holds none of production's integration credentials: `snapshot create
 * --sanitize` (the real CLI) on the Odoo fixture with credentials planted in every column and
 * parameter where Odoo keeps them, then every file of the snapshot, decompressed, is searched for
 * each planted value. The snapshot then restores, neutralize finds nothing left to revoke (it does
 * not count the revoked values again), and verify passes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { neutralizeDatabase } from "../../../ops/neutralize";
import { planCredentialRevocations } from "../../../ops/neutralize/revoke";
import { runCli } from "../../support/cli";
import { connectTo, fixtureDatabase } from "../../support/odoo";
import { credentialsIn, plantCredentials } from "../../support/plantCredentials";
import { freshDatabase } from "../../support/postgres";
import { dataOnlyDump } from "../../support/realDumps";
import { snapshotText } from "../../support/snapshotText";

const staging = { baseUrl: "https://staging.credentials.test", mailHost: "mailpit", mailPort: 1025 };

describe("a sanitized snapshot carries no credentials (snapshot create --sanitize, real CLI)", function () {
    this.timeout(300_000);

    for (const version of ["16.0", "17.0", "18.0", "19.0"] as const) {
        it(`Odoo ${version} fixture: no planted credential in the snapshot's files; restore, neutralize (nothing left to revoke) and verify pass`, async () => {
            const tag = version.replace(".", "");
            const source = await fixtureDatabase(`cred_src_${tag}`, { version });
            const client = await connectTo(source.url);
            let planted: Awaited<ReturnType<typeof plantCredentials>>;
            let revokingRules: string[];
            try {
                planted = await plantCredentials(client);
                revokingRules = (await planCredentialRevocations(client)).columns.map((r) => r.rule);
            } finally {
                await client.end();
            }
            assert.ok(planted.length > 30, `${planted.length} credentials planted`);
            // The search finds them where they are: in production.
            assert.deepEqual(
                credentialsIn(await dataOnlyDump(source.url), planted),
                planted.map((p) => p.where),
            );

            const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `odoo-platform-cred-${tag}-`)), "snap");
            try {
                const created = await runCli(["snapshot", "create", "--db", source.url, "--to", dir, "--sanitize", "--seed", "credentials", "--json"]);
                assert.equal(created.code, 0, created.stdout + created.stderr);
                assert.deepEqual(credentialsIn(snapshotText(dir), planted), []);
                const tables = created.json.manifest.sanitize.tables as { name: string; transformed: string[] }[];
                assert.ok(
                    tables.find((t) => t.name === "ir_mail_server")?.transformed.includes("smtp_pass"),
                    "the mail servers are streamed with smtp_pass revoked",
                );

                const target = await freshDatabase(`cred_dst_${tag}`);
                const restored = await runCli([
                    "snapshot",
                    "restore",
                    "--from",
                    dir,
                    "--db",
                    target.url,
                    "--require-sanitized",
                    "--confirm",
                    target.name,
                    "--json",
                ]);
                assert.equal(restored.code, 0, restored.stdout + restored.stderr);
                const copy = await connectTo(target.url);
                try {
                    const report = await neutralizeDatabase(copy, staging);
                    // Only rules that remove rows or renew what they give (passwords) still change something.
                    const changed = report.rules.filter(
                        (r) =>
                            revokingRules.includes(r.rule) &&
                            r.status === "applied" &&
                            r.rows &&
                            !r.rule.endsWith(".*") &&
                            r.rule !== "base.res_users.password",
                    );
                    assert.deepEqual(
                        changed.map((r) => `${r.rule}: ${r.rows}`),
                        [],
                    );
                    assert.deepEqual(
                        report.rules.filter((r) => r.rule.startsWith("declared.ir_config_parameter[")).map((r) => r.rule),
                        [],
                        "no secret parameter left to remove",
                    );
                } finally {
                    await copy.end();
                }
                const verify = await runCli(["db", "verify", "--db", target.url, "--base-url", staging.baseUrl, "--mail-host", staging.mailHost]);
                assert.equal(verify.code, 0, verify.stdout + verify.stderr);
                assert.deepEqual(credentialsIn(await dataOnlyDump(target.url), planted), []);
            } finally {
                fs.rmSync(path.dirname(dir), { recursive: true, force: true });
            }
        });
    }
});
