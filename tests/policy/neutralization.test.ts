import * as assert from "node:assert/strict";
import {
    cronsDisabled,
    egressIsolated,
    mailCatcherOnly,
    noProductionReferences,
    odooStageMatches,
    restoredDatabaseNeutralized,
} from "../../policy/odoo-platform/neutralization";
import { componentTypes, dockerTypes } from "../../policy/odoo-platform/lib/types";
import type { RecordedResource } from "../../plan/mockRuntime";
import { mailCatcher, odooContainer, resource, validateDirectly, violations } from "../support/policies";

/** NeutralizedDatabase as the component declares it: restore → neutralize → verify. */
function neutralizedDatabase(stack: string, opts: { verify?: boolean; neutralize?: boolean; mailHost?: string } = {}) {
    const component = resource(stack, componentTypes.neutralizedDatabase, "database", {});
    const cli = "npx --no-install odoo-platform";
    const restore = resource(
        stack,
        "command:local:Command",
        "database-restore",
        { create: `${cli} snapshot restore --from "$SNAPSHOT_URI" --db "$TARGET_DB_URL"` },
        { parent: component },
    );
    const steps: RecordedResource[] = [component, restore];
    let last = restore;
    if (opts.neutralize !== false) {
        last = resource(
            stack,
            "command:local:Command",
            "database-neutralize",
            { create: `${cli} db neutralize --db "$TARGET_DB_URL" --mail-host ${opts.mailHost ?? "mailpit"} --mail-port 1025` },
            { parent: component, dependsOn: [restore] },
        );
        steps.push(last);
    }
    let verify: RecordedResource | undefined;
    if (opts.verify !== false) {
        verify = resource(
            stack,
            "command:local:Command",
            "database-verify",
            { create: `${cli} db verify --db "$TARGET_DB_URL"` },
            { parent: component, dependsOn: [last] },
        );
        steps.push(verify);
    }
    return { steps, verify };
}

describe("policy neutralization/odoo-stage-matches", () => {
    it("passes an Odoo container whose ODOO_STAGE is its stack's stage", async () => {
        assert.deepEqual(await violations(odooStageMatches, [odooContainer("staging"), odooContainer("pr-12"), odooContainer("production")]), []);
    });

    it("fails a staging Odoo that claims production, explaining that Docker keeps the last value", async () => {
        const r = odooContainer("staging", { envs: ["ODOO_STAGE=staging", "LOG=1", "ODOO_STAGE=production"] });
        const { messages } = await validateDirectly(odooStageMatches, r);
        assert.equal(messages.length, 1);
        assert.match(
            messages[0],
            /^Container "odoo" \(odoo-staging-odoo, role odoo\) runs with ODOO_STAGE=production in the staging stage \(it is set 2 times — staging, production — and Docker keeps the last\)/,
        );
        assert.match(messages[0], /Remove ODOO_STAGE from odoo-platform:odooExtraEnv — the program sets ODOO_STAGE=staging/);
    });

    it("fails a production Odoo that says dev", async () => {
        assert.match(
            (await violations(odooStageMatches, [odooContainer("production", { envs: ["ODOO_STAGE=dev"] })]))[0],
            /ODOO_STAGE=dev in the production stage/,
        );
    });
});

describe("policy neutralization/crons-disabled", () => {
    it("passes a staging Odoo with max_cron_threads = 0", async () => {
        assert.deepEqual(await violations(cronsDisabled, [odooContainer("staging")]), []);
    });

    it("fails a PR Odoo running cron threads on a database that was not neutralized", async () => {
        const [message] = await violations(cronsDisabled, [odooContainer("pr-2", {}, { max_cron_threads: 2 })]);
        assert.match(message, /runs 2 cron thread\(s\) \(max_cron_threads in \/etc\/odoo\/odoo\.conf\) on a database that was not neutralized/);
    });

    it("counts Odoo's default of 2 threads when nothing sets it", async () => {
        const r = odooContainer("dev", { uploads: [{ file: "/etc/odoo/odoo.conf", content: "[options]\naddons_path = /mnt/extra-addons\n" }] });
        assert.match((await violations(cronsDisabled, [r]))[0], /runs 2 cron thread\(s\) \(Odoo's default/);
    });

    it("accepts cron threads when the Odoo waits for the neutralization's verify step", async () => {
        const { steps, verify } = neutralizedDatabase("staging");
        const odoo = odooContainer("staging", {}, { max_cron_threads: 1 }, { dependsOn: [verify!] });
        assert.deepEqual(await violations(cronsDisabled, [...steps, odoo]), []);
    });

    it("does not apply to production", async () => {
        assert.deepEqual(await violations(cronsDisabled, [odooContainer("production", {}, { max_cron_threads: 4 })]), []);
    });
});

describe("policy neutralization/mail-catcher-only", () => {
    it("passes a staging stack whose Odoo and neutralize step send mail to its Mailpit", async () => {
        const { steps } = neutralizedDatabase("staging");
        assert.deepEqual(await violations(mailCatcherOnly, [...steps, mailCatcher("staging"), odooContainer("staging")]), []);
    });

    it("fails a staging stack without a mail catcher", async () => {
        const [message] = await violations(mailCatcherOnly, [odooContainer("staging", {}, { smtp_server: "localhost", smtp_port: 25 })]);
        assert.match(
            message,
            /^the staging stack runs Odoo \(Container "odoo" \(odoo-staging-odoo, role odoo\)\) without a mail catcher: any mail it sends would leave for real/,
        );
        assert.match(message, /Remove odoo-platform:mailCatcher: false/);
    });

    it("fails an Odoo that sends to a real relay although a catcher runs, and --smtp on the command line counts", async () => {
        const viaConf = odooContainer("pr-8", {}, { smtp_server: "smtp.postmarkapp.com" });
        const viaCli = odooContainer("dev", { command: ["odoo", "--config=/etc/odoo/odoo.conf", "--smtp=smtp.gmail.com"] });
        const [confMessage] = await violations(mailCatcherOnly, [viaConf, mailCatcher("pr-8")]);
        assert.match(
            confMessage,
            /sends mail to smtp\.postmarkapp\.com \(smtp_server in \/etc\/odoo\/odoo\.conf\), not to the stack's mail catcher \(odoo-pr-8-mailpit and mailpit\)/,
        );
        assert.match((await violations(mailCatcherOnly, [viaCli, mailCatcher("dev")]))[0], /sends mail to smtp\.gmail\.com \(command line --smtp\)/);
    });

    it("fails a neutralize step that points the database's mail servers elsewhere", async () => {
        const { steps } = neutralizedDatabase("staging", { mailHost: "smtp.example.com" });
        const [message] = await violations(mailCatcherOnly, [...steps, mailCatcher("staging"), odooContainer("staging")]);
        assert.match(message, /Command "database-neutralize" points the database's mail servers at smtp\.example\.com/);
    });

    it("does not apply to production, which sends real mail", async () => {
        assert.deepEqual(await violations(mailCatcherOnly, [odooContainer("production")]), []);
    });
});

describe("policy neutralization/restored-database-neutralized", () => {
    it("passes a restore inside NeutralizedDatabase whose verify step the Odoo waits for (transitively)", async () => {
        const { steps, verify } = neutralizedDatabase("staging");
        const mailpit = mailCatcher("staging", {});
        const gate = resource("staging", dockerTypes.network, "gate", {}, { dependsOn: [verify!] });
        const odoo = odooContainer("staging", {}, {}, { dependsOn: [mailpit, gate] });
        assert.deepEqual(await violations(restoredDatabaseNeutralized, [...steps, mailpit, gate, odoo]), []);
    });

    it("fails an Odoo that does not wait for the verify step", async () => {
        const { steps } = neutralizedDatabase("staging");
        const [message] = await violations(restoredDatabaseNeutralized, [...steps, odooContainer("staging")]);
        assert.match(
            message,
            /Container "odoo" \(odoo-staging-odoo, role odoo\) does not wait for Command "database-verify": Odoo could serve the restored database before it is neutralized and verified/,
        );
    });

    it("fails a restore outside NeutralizedDatabase", async () => {
        const restore = resource("pr-3", "command:local:Command", "restore", { create: "pg_restore -d odoo_pr_3 /tmp/dump" });
        const [message] = await violations(restoredDatabaseNeutralized, [restore, odooContainer("pr-3", {}, {}, { dependsOn: [restore] })]);
        assert.match(message, /Command "restore" restores a database outside NeutralizedDatabase/);
    });

    it("fails a NeutralizedDatabase without neutralize and verify steps", async () => {
        const { steps } = neutralizedDatabase("staging", { neutralize: false, verify: false });
        const messages = await violations(restoredDatabaseNeutralized, [...steps, odooContainer("staging")]);
        assert.equal(messages.length, 2);
        assert.match(messages[0], /has no neutralize step after the restore/);
        assert.match(messages[1], /has no verify step after the restore/);
    });
});

describe("policy neutralization/egress-isolated", () => {
    const network = (stack: string, name: string, internal: boolean) => resource(stack, dockerTypes.network, name, { name, internal });

    it("passes an Odoo attached only to internal networks (declared here, or the shared edge network)", async () => {
        const internal = network("pr-3", "odoo-pr-3-internal", true);
        const odoo = odooContainer(
            "pr-3",
            { networksAdvanced: [{ name: "odoo-pr-3-internal" }, { name: "odoo-edge" }] },
            {},
            { propertyDependencies: { networksAdvanced: [internal] } },
        );
        assert.deepEqual(await violations(egressIsolated, [internal, odoo]), []);
    });

    it("fails an Odoo on a network with a route out, on an undeclared network, or on Docker's default bridge", async () => {
        const egress = network("staging", "odoo-staging-egress", false);
        const onEgress = odooContainer(
            "staging",
            { networksAdvanced: [{ name: "odoo-staging-egress" }] },
            {},
            { propertyDependencies: { networksAdvanced: [egress] } },
        );
        const [message] = await violations(egressIsolated, [egress, onEgress]);
        assert.match(
            message,
            /^Container "odoo" \(odoo-staging-odoo, role odoo\) in the staging stage is attached to odoo-staging-egress \(declared without internal: true\), which has a route out/,
        );
        assert.match(
            (await violations(egressIsolated, [odooContainer("dev", { networksAdvanced: [{ name: "somewhere" }] })]))[0],
            /somewhere \(not declared in this stack, not listed as internal\)/,
        );
        assert.match((await violations(egressIsolated, [odooContainer("dev")]))[0], /Docker's default bridge \(no network given\)/);
        assert.match(
            (await violations(egressIsolated, [odooContainer("dev", { networkMode: "bridge", networksAdvanced: [{ name: "odoo-edge" }] })]))[0],
            /attached to networkMode bridge/,
        );
    });

    it("does not apply to production, whose Odoo talks to real services", async () => {
        assert.deepEqual(await violations(egressIsolated, [odooContainer("production")]), []);
    });
});

describe("policy neutralization/no-production-references", () => {
    it("passes a staging stack that uses only its own values", async () => {
        const odoo = odooContainer("staging", {}, { db_host: "db-nonprod.internal.insightpulseai.com" });
        assert.deepEqual(await violations(noProductionReferences, [odoo, mailCatcher("staging")]), []);
    });

    it("fails any non-production resource that mentions production's database server or host (from Pulumi.production.yaml)", async () => {
        const odoo = odooContainer("staging", {}, { db_host: "db-prod.internal.insightpulseai.com" });
        const record = resource("pr-9", "cloudflare:index/dnsRecord:DnsRecord", "dns", {
            name: "pr-9.dev.insightpulseai.com",
            content: "erp.insightpulseai.com",
            type: "CNAME",
        });
        const [dbMessage] = await violations(noProductionReferences, [odoo]);
        assert.match(
            dbMessage,
            /Container "odoo" \(odoo-staging-odoo, role odoo\) in the staging stack mentions db-prod\.internal\.insightpulseai\.com — production's database server \(odoo-platform:dbHost\) \(in uploads\[0\]\.content\)/,
        );
        assert.match((await violations(noProductionReferences, [record]))[0], /mentions erp\.insightpulseai\.com — production's public host \(in content\)/);
    });

    it("says so when the resource also grants write access to production's bucket", async () => {
        const policy = resource("staging", "aws:iam/policy:Policy", "writer", {
            policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::insightpulseai-odoo-snapshots/*" }] }),
        });
        assert.match(
            (await violations(noProductionReferences, [policy]))[0],
            /mentions insightpulseai-odoo-snapshots — production's backup bucket .* and grants write access to it/,
        );
    });

    it("does not confuse a staging name that contains production's as a part", async () => {
        const r = resource("staging", dockerTypes.volume, "v", { name: "staging-erp.insightpulseai.com", bucket: "insightpulseai-odoo-snapshots-staging" });
        assert.deepEqual(await violations(noProductionReferences, [r]), []);
    });

    it("fails integration credentials on a non-production Odoo unless allowed by name", async () => {
        const odoo = odooContainer("pr-4", { envs: ["ODOO_STAGE=pr", "STRIPE_API_KEY=sk_live_x", "LOG_LEVEL=info"] });
        assert.match(
            (await violations(noProductionReferences, [odoo]))[0],
            /carries STRIPE_API_KEY in the pr stage: a non-production Odoo must hold no integration keys/,
        );
        assert.deepEqual(
            await violations(noProductionReferences, [odoo], { "no-production-references": { allowedCredentialVariables: ["STRIPE_API_KEY"] } }),
            [],
        );
    });

    it("takes extra production values from the policy config, and does not apply to production itself", async () => {
        const r = resource("dev", dockerTypes.volume, "v", { name: "acme-prod-share" });
        assert.equal((await violations(noProductionReferences, [r], { "no-production-references": { extraProductionValues: ["acme-prod-share"] } })).length, 1);
        assert.deepEqual(await violations(noProductionReferences, [odooContainer("production", {}, { db_host: "db-prod.internal.insightpulseai.com" })]), []);
    });
});
