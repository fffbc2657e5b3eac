/**
 * Production connects with db_sslmode = verify-full: libpq then checks the server's certificate
 * against a CA, which it looks for in ~/.postgresql/root.crt unless PGSSLROOTCERT (or sslrootcert)
 * names one. The Odoo image has no such file, so without one every connection is refused.
 */
import * as assert from "node:assert/strict";
import { dbRootCertPath, systemCaBundle } from "../../components/OdooEnvironment";
import { unwrapSecrets } from "../../plan/mockRuntime";
import { PlanResult } from "../../plan/plan";
import { plan } from "../support/plan";

const container = (result: PlanResult, name: string) =>
    unwrapSecrets(result.recorded.find((r) => r.name === name)!.inputs) as { envs: string[]; uploads: { file: string; content: string }[]; command: string[] };
const pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUexample\n-----END CERTIFICATE-----\n";

describe("database TLS: the CA reaches every process that verifies the server", function () {
    this.timeout(120_000);

    it("production (dbSslRootCert: system) points libpq at the image's CA bundle, in Odoo and its prepare step", async () => {
        const production = await plan("production");
        for (const name of ["odoo-odoo", "odoo-prepare"]) {
            const c = container(production, name);
            assert.ok(c.command.includes("--db_sslmode=verify-full"), name);
            assert.ok(c.envs.includes(`PGSSLROOTCERT=${systemCaBundle}`), `${name}: ${c.envs.join(" ")}`);
        }
    });

    it("a private CA's PEM is uploaded and named by PGSSLROOTCERT, and the postgres exporter gets it too", async () => {
        const production = await plan("production", { configOverrides: { "odoo-platform:dbSslRootCert": pem } });
        const odoo = container(production, "odoo-odoo");
        assert.ok(odoo.envs.includes(`PGSSLROOTCERT=${dbRootCertPath}`));
        assert.equal(odoo.uploads.find((u) => u.file === dbRootCertPath)?.content, pem);
        const exporter = container(production, "observability-postgres-exporter");
        assert.ok(
            exporter.envs.some((e) => /^DATA_SOURCE_URI=.*sslmode=verify-full&sslrootcert=\/etc\/odoo-platform\/db-root\.crt$/.test(e)),
            exporter.envs.join(" "),
        );
    });

    it("Docker over ssh:// multiplexes one SSH connection (sshd's MaxStartups drops parallel ones)", async () => {
        const staging = await plan("staging");
        const provider = unwrapSecrets(staging.recorded.find((r) => r.type === "pulumi:providers:docker")!.inputs) as { sshOpts?: string | string[] };
        const opts = typeof provider.sshOpts === "string" ? JSON.parse(provider.sshOpts) : provider.sshOpts;
        assert.ok(opts.includes("ControlMaster=auto") && opts.some((o: string) => o.startsWith("ControlPersist=")), JSON.stringify(opts));
    });
});
