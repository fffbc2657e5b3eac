/**
 * What each stage's OdooEnvironment would create, from the real program (index.ts) evaluated under
 * Pulumi's mock runtime with the committed stack configs and CI-like values; then the component
 * built from its own args (the stage's decisions varied one at a time, and the args it refuses).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DatabaseTarget, OdooEnvironment, OdooEnvironmentArgs } from "../../components/OdooEnvironment";
import { environmentNames, resourceLabels } from "../../config/naming";
import { stackIdentity } from "../../config/stage";
import { EnvironmentDecisions, stageProfiles } from "../../config/stageProfile";
import { isSecretValue } from "../../plan/mockRuntime";
import type { PlanResult } from "../../plan/plan";
import { buildUnderMocks, failureOf } from "../support/component";
import { ciEnv, containerType, labelsOf, networkType, odooConf, ofType, one, plan, Recording, resources, upload, withRole } from "../support/plan";

const tempConfig = (name: string, text: string): string => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-")), name);
    fs.writeFileSync(file, text);
    return file;
};
const confOf = (result: PlanResult) => odooConf(upload(one(result, containerType, "odoo-odoo"), "/etc/odoo/odoo.conf"));
const networksOf = (container: { inputs: Record<string, any> }) =>
    (container.inputs.networksAdvanced as { name: string; aliases?: string[] }[]).map((n) => n.name);
const envOf = (container: { inputs: Record<string, any> }) => container.inputs.envs as string[];

describe("OdooEnvironment: a PR stack (pr-7)", () => {
    let result: PlanResult;
    before(async () => {
        result = await plan("pr-7", { env: ciEnv({ ODOO_PLATFORM_ODOO_IMAGE: `ghcr.io/insightpulseai/odoo-pr@sha256:${"c".repeat(64)}` }) });
    });

    it("plans cleanly and serves at pr-7-<branch slug>.dev.<domain>", () => {
        assert.equal(result.exitCode, 0);
        assert.equal(result.outputs.url, "https://pr-7-feature-x.dev.insightpulseai.com");
        assert.equal(result.outputs.mailCatcherUrl, "https://pr-7-feature-x-mail.dev.insightpulseai.com");
        const rule = labelsOf(one(result, containerType, "odoo-odoo"))["traefik.http.routers.odoo-pr-7.rule"];
        assert.equal(rule, "Host(`pr-7-feature-x.dev.insightpulseai.com`)");
    });

    it("has its own database in its own PostgreSQL container, and Odoo serves only that database", () => {
        const [postgres] = withRole(result, "postgres");
        assert.equal(postgres.inputs.name, "odoo-pr-7-db");
        assert.ok(envOf(postgres).includes("POSTGRES_DB=odoo_pr_7"));
        assert.ok(!envOf(postgres).some((e) => e.startsWith("POSTGRES_PASSWORD=")), "password passed as a file, not an env var");
        assert.deepEqual(networksOf(postgres), ["odoo-pr-7-internal"]);
        const conf = confOf(result);
        assert.equal(conf.db_name, "odoo_pr_7");
        assert.equal(conf.db_host, "db");
        assert.equal(conf.dbfilter, "^odoo_pr_7$");
        assert.equal(conf.list_db, "False");
        assert.equal(result.outputs.databaseName, "odoo_pr_7");
    });

    it("runs Mailpit as the only SMTP server, with its UI behind basic auth at the sibling host", () => {
        const [mailpit] = withRole(result, "mail-catcher");
        assert.ok(mailpit, "Mailpit is present");
        assert.match(mailpit.inputs.image, /^axllent\/mailpit:/);
        const conf = confOf(result);
        assert.equal(conf.smtp_server, "mailpit");
        assert.equal(conf.smtp_port, "1025");
        const labels = labelsOf(mailpit);
        assert.equal(labels["traefik.http.routers.odoo-pr-7-mail.rule"], "Host(`pr-7-feature-x-mail.dev.insightpulseai.com`)");
        assert.match(labels["traefik.http.middlewares.odoo-pr-7-mail-auth.basicauth.users"], /^mail:/);
        assert.match(labels["traefik.http.routers.odoo-pr-7-mail.middlewares"], /odoo-pr-7-mail-auth/);
    });

    it("puts Odoo only on internal networks; the egress proxy is its one way out", () => {
        const internal = one(result, networkType, "odoo-internal");
        assert.equal(internal.inputs.internal, true);
        const odoo = one(result, containerType, "odoo-odoo");
        assert.deepEqual(networksOf(odoo).sort(), ["odoo-edge-pr-1", "odoo-pr-7-internal"]);
        // odoo-edge is the shared stack's internal edge network (components/EdgeRouter.ts).
        const [proxy] = withRole(result, "egress-proxy");
        assert.deepEqual(networksOf(proxy).sort(), ["odoo-pr-7-egress", "odoo-pr-7-internal"]);
        assert.equal(one(result, networkType, "odoo-egress").inputs.internal, false);
        assert.match(upload(proxy, "/etc/squid/squid.conf"), /http_access deny all/);
        const env = envOf(odoo);
        assert.ok(env.includes("HTTPS_PROXY=http://egress-proxy:3128"));
        assert.ok(env.some((e) => e.startsWith("NO_PROXY=") && e.includes("db") && e.includes("mailpit")));
    });

    it("reads the router from the staging stack, never from production", () => {
        const refs = ofType(result, "pulumi:pulumi:StackReference");
        assert.deepEqual(
            refs.map((r) => r.inputs.name),
            ["insightpulseai/odoo-platform/staging"],
        );
        assert.equal(withRole(result, "router").length, 0, "a PR stack owns no router");
        assert.equal(ofType(result, "cloudflare:index/dnsRecord:DnsRecord").length, 0, "nor DNS records: the wildcard covers it");
        const everything = JSON.stringify(resources(result).map((r) => r.inputs));
        for (const production of [
            "erp.insightpulseai.com",
            "db-prod",
            "deploy@prod-1.insightpulseai.com",
            "smtp.postmarkapp.com",
            'insightpulseai-odoo-snapshots"',
        ]) {
            assert.ok(!everything.includes(production), `no reference to ${production}`);
        }
    });

    it("runs the CI-built image by digest, without cron threads, stage pr, with limits and a health check", () => {
        assert.equal(one(result, "docker:index/remoteImage:RemoteImage", "odoo-image").inputs.name, `ghcr.io/insightpulseai/odoo-pr@sha256:${"c".repeat(64)}`);
        const odoo = one(result, containerType, "odoo-odoo");
        assert.match(odoo.inputs.image, /@sha256:c{64}$/);
        assert.ok(envOf(odoo).includes("ODOO_STAGE=pr"));
        assert.equal(confOf(result).max_cron_threads, "0");
        assert.equal(confOf(result).proxy_mode, "True");
        assert.equal(odoo.inputs.memory, 1536);
        assert.equal(odoo.inputs.cpus, "1");
        assert.equal(odoo.inputs.restart, "unless-stopped");
        assert.match(odoo.inputs.healthcheck.tests.join(" "), /\/web\/health/);
        assert.ok(!(odoo.inputs.command as string[]).includes("--dev=all"));
    });

    it("routes /websocket to the gevent port when Odoo runs workers, over TLS, and asks crawlers to stay away", () => {
        const labels = labelsOf(one(result, containerType, "odoo-odoo"));
        assert.equal(labels["traefik.http.routers.odoo-pr-7.tls.certresolver"], "letsencrypt");
        assert.equal(labels["traefik.http.routers.odoo-pr-7-websocket.rule"], "Host(`pr-7-feature-x.dev.insightpulseai.com`) && (PathPrefix(`/websocket`))");
        assert.equal(labels["traefik.http.services.odoo-pr-7-websocket.loadbalancer.server.port"], "8072");
        assert.equal(labels["traefik.http.middlewares.odoo-pr-7-noindex.headers.customresponseheaders.X-Robots-Tag"], "noindex, nofollow");
        // Its routing slot's network (prSlot, set by `pr up`): no other PR environment is on it.
        assert.equal(labels["traefik.docker.network"], "odoo-edge-pr-1");
    });

    it("labels every container with its role and every Docker object with stage and stack; only the code containers with the git SHA", () => {
        const docker = resources(result).filter((r) => r.type.startsWith("docker:index/") && r.type !== "docker:index/remoteImage:RemoteImage");
        assert.ok(docker.length >= 10);
        for (const r of docker) {
            const labels = labelsOf(r);
            assert.equal(labels["odoo-platform.stage"], "pr", r.name);
            assert.equal(labels["odoo-platform.stack"], "pr-7", r.name);
            // Labels force a replacement: a per-commit label belongs only on what every commit replaces.
            const runsCommit = ["odoo", "odoo-init"].includes(labels["odoo-platform.role"]);
            assert.equal(labels["odoo-platform.git-sha"], runsCommit ? "abcdef1234567" : undefined, r.name);
            assert.equal(labels["odoo-platform.ttl-hours"], "72", r.name);
            if (r.type === containerType) {
                assert.ok(labels["odoo-platform.role"], `${r.name} has a role`);
                assert.ok(r.inputs.memory > 0 && Number(r.inputs.cpus) > 0, `${r.name} has limits`);
            }
        }
    });

    it("prepares the database (install, admin password) before Odoo starts, after PostgreSQL, Mailpit and the proxy", () => {
        const prepare = one(result, containerType, "odoo-prepare");
        assert.equal(labelsOf(prepare)["odoo-platform.role"], "odoo-init");
        for (const before of ["odoo-egress-proxy", "odoo-mailpit", "odoo-postgres"]) assert.ok(prepare.dependsOn.includes(before), before);
        assert.ok(one(result, containerType, "odoo-odoo").dependsOn.includes("odoo-prepare"));
        const script = upload(prepare, "/opt/odoo-platform/prepare.sh");
        assert.match(script, /-d 'odoo_pr_7' -i "base/);
        assert.match(upload(prepare, "/opt/odoo-platform/post-init.py"), /"https:\/\/pr-7-feature-x\.dev\.insightpulseai\.com"/);
        const raw = result.recorded.find((r) => r.name === "odoo-prepare")!;
        const uploads = raw.inputs.uploads as unknown[];
        assert.ok(
            isSecretValue(uploads) || (uploads as { content: unknown }[]).some((u) => isSecretValue(u.content)),
            "the admin password upload stays secret",
        );
    });

    it("exports URL, mail catcher URL, database, image reference and digest, stage and git SHA; passwords only as secrets", () => {
        for (const key of ["url", "mailCatcherUrl", "databaseName", "imageReference", "imageDigest", "stageName", "gitSha"])
            assert.ok(result.outputs[key], key);
        assert.equal(result.outputs.stageName, "pr");
        assert.equal(result.outputs.adminLogin, "admin");
        assert.equal(result.outputs.adminLoginPassword, "[secret]");
        assert.equal(result.outputs.mailCatcherPassword, "[secret]");
    });

    it("never mounts the Docker socket", () => {
        for (const c of ofType(result, containerType)) {
            assert.ok(!JSON.stringify(c.inputs.volumes ?? []).includes("docker.sock"), c.name);
        }
    });
});

describe("OdooEnvironment: a PR stack building its image from the Dockerfile", () => {
    it("builds odoo-platform/odoo-pr-7:<git sha> from the project directory", async () => {
        const result = await plan("pr-7", { configFile: tempConfig("Pulumi.pr-7.yaml", "config:\n  odoo-platform:odooBuildContext: .\n") });
        const image = one(result, "docker:index/image:Image", "odoo-image");
        assert.equal(image.inputs.imageName, "odoo-platform/odoo-pr-7:abcdef1234567");
        assert.equal(image.inputs.build.context, path.resolve(__dirname, "../.."));
        assert.equal(image.inputs.skipPush, true);
        assert.equal(ofType(result, "docker:index/remoteImage:RemoteImage").length, 0);
    });
});

describe("OdooEnvironment: the dev stack", () => {
    let result: PlanResult;
    before(async () => {
        result = await plan("dev", {
            configFile: tempConfig(
                "Pulumi.dev.yaml",
                `${fs.readFileSync(path.join(__dirname, "../../Pulumi.dev.yaml"), "utf8")}  odoo-platform:devSourceDir: /home/me/addons\n`,
            ),
        });
    });

    it("runs Odoo with --dev=all and the sources mounted over the addons path", () => {
        const odoo = one(result, containerType, "odoo-odoo");
        assert.ok((odoo.inputs.command as string[]).includes("--dev=all"));
        assert.ok(
            (odoo.inputs.volumes as { hostPath?: string; containerPath: string }[]).some(
                (v) => v.hostPath === "/home/me/addons" && v.containerPath === "/mnt/extra-addons",
            ),
        );
        assert.ok(envOf(odoo).includes("ODOO_STAGE=dev"));
        assert.equal(confOf(result).workers, "0");
    });

    it("has its own local router on 127.0.0.1 without TLS or DNS, and serves http://odoo.localhost", () => {
        assert.equal(result.outputs.url, "http://odoo.localhost");
        const traefik = one(result, containerType, "edge-traefik");
        assert.deepEqual(
            (traefik.inputs.ports as { internal: number; ip: string }[]).map((p) => [p.internal, p.ip]),
            [[80, "127.0.0.1"]],
        );
        assert.ok(!(traefik.inputs.command as string[]).some((a) => a.includes("acme")));
        assert.equal(ofType(result, "cloudflare:index/dnsRecord:DnsRecord").length, 0);
        assert.ok(!labelsOf(one(result, containerType, "odoo-odoo"))["traefik.http.routers.odoo-dev.tls"]);
    });
});

describe("OdooEnvironment: the staging stack", () => {
    let result: PlanResult;
    before(async () => {
        result = await plan("staging");
    });

    it("pulls the image pinned by digest and runs it by digest", () => {
        const image = one(result, "docker:index/remoteImage:RemoteImage", "odoo-image");
        assert.match(image.inputs.name, /@sha256:[0-9a-f]{64}$/);
        assert.match(one(result, containerType, "odoo-odoo").inputs.image, /@sha256:[0-9a-f]{64}$/);
        // Only the operations image is built on the host (components/OpsImage.ts), never the Odoo image.
        assert.deepEqual(
            ofType(result, "docker:index/image:Image").map((i) => String(i.inputs.imageName).split(":")[0]),
            ["odoo-platform/ops"],
            "staging never builds Odoo",
        );
    });

    it("runs no cron threads, no demo data, and sends mail only to its Mailpit", () => {
        const conf = confOf(result);
        assert.equal(conf.max_cron_threads, "0");
        assert.equal(conf.without_demo, "all");
        assert.equal(conf.smtp_server, "mailpit");
        assert.equal(withRole(result, "mail-catcher").length, 1);
    });

    it("reaches its database server only through a relay that answers to the server's name", () => {
        const relay = one(result, containerType, "odoo-db-relay");
        const internal = (relay.inputs.networksAdvanced as { name: string; aliases?: string[] }[]).find((n) => n.name === "odoo-staging-internal")!;
        assert.deepEqual(internal.aliases, ["db-nonprod.internal.insightpulseai.com"]);
        // It forwards to a second hop on the egress network only, which resolves the real server
        // (tests/components/dockerDns.test.ts models why).
        assert.deepEqual(relay.inputs.command, ["TCP-LISTEN:5432,fork,reuseaddr", "TCP:odoo-staging-db-egress:5432"]);
        const hop = one(result, containerType, "odoo-db-egress");
        assert.deepEqual(hop.inputs.command, ["TCP-LISTEN:5432,fork,reuseaddr", "TCP:db-nonprod.internal.insightpulseai.com:5432"]);
        assert.deepEqual(
            (hop.inputs.networksAdvanced as { name: string }[]).map((n) => n.name),
            ["odoo-staging-egress"],
        );
        assert.equal(confOf(result).db_host, "db-nonprod.internal.insightpulseai.com");
        assert.equal(one(result, networkType, "odoo-internal").inputs.internal, true);
    });

    it("starts Odoo only after the neutralized database is verified", () => {
        assert.ok(one(result, containerType, "odoo-prepare").dependsOn.includes("database-verify"));
        assert.ok(one(result, containerType, "odoo-odoo").dependsOn.includes("database-verify"));
    });

    it("owns the non-production host's router: Traefik without the socket, a read-only socket proxy, proxied DNS incl. the PR wildcard", () => {
        const traefik = one(result, containerType, "edge-traefik");
        assert.ok(!JSON.stringify(traefik.inputs.volumes ?? []).includes("docker.sock"));
        assert.ok((traefik.inputs.command as string[]).includes("--certificatesresolvers.letsencrypt.acme.email=ops@insightpulseai.com"));
        const socketProxy = one(result, containerType, "edge-docker-api");
        assert.deepEqual(socketProxy.inputs.volumes, [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
        assert.ok(envOf(socketProxy).includes("POST=0"));
        for (const c of withRole(result, "router")) assert.equal(labelsOf(c)["odoo-platform.stage"], "staging");
        const records = ofType(result, "cloudflare:index/dnsRecord:DnsRecord");
        assert.deepEqual(records.map((r) => r.inputs.name).sort(), [
            "*.dev.insightpulseai.com",
            "grafana-staging.insightpulseai.com",
            "staging-mail.insightpulseai.com",
            "staging.insightpulseai.com",
        ]);
        for (const r of records) {
            assert.equal(r.inputs.proxied, true);
            assert.equal(r.inputs.content, "203.0.113.10");
        }
        assert.equal(one(result, networkType, "edge-edge").inputs.internal, true);
        assert.equal(one(result, networkType, "edge-public").inputs.internal, false);
    });
});

describe("OdooEnvironment: the production stack", () => {
    let result: PlanResult;
    before(async () => {
        result = await plan("production");
    });

    it("has no Mailpit and no egress proxy; mail goes to the real relay; crons run", () => {
        assert.equal(withRole(result, "mail-catcher").length, 0);
        assert.ok(!ofType(result, containerType).some((c) => /mailpit/.test(c.inputs.image)));
        assert.equal(withRole(result, "egress-proxy").length, 0);
        assert.equal(result.outputs.mailCatcherUrl, null);
        const conf = confOf(result);
        assert.equal(conf.smtp_server, "smtp.postmarkapp.com");
        assert.equal(conf.max_cron_threads, "2");
        assert.equal(one(result, networkType, "odoo-internal").inputs.internal, false);
        assert.ok(envOf(one(result, containerType, "odoo-odoo")).includes("ODOO_STAGE=production"));
    });

    it("creates only the production host record", () => {
        const names = ofType(result, "cloudflare:index/dnsRecord:DnsRecord")
            .map((r) => r.inputs.name)
            .sort();
        assert.deepEqual(names, ["erp.insightpulseai.com", "grafana-production.insightpulseai.com"]);
    });
});

describe("OdooEnvironment from its own args", function () {
    this.timeout(60_000);
    const names = environmentNames(stackIdentity("pr-7"), { domain: "example.com", branch: "feature/x" });
    const containerDatabase: DatabaseTarget = { kind: "container", image: "postgres:16", slowQueryMs: 500 };
    const serverDatabase: DatabaseTarget = {
        kind: "server",
        host: "db.internal.example.com",
        port: 5432,
        user: "odoo_pr_7_owner",
        knownUser: "odoo_pr_7_owner",
        password: "owner-password",
        sslMode: "require",
    };
    const args = (over: Partial<OdooEnvironmentArgs> = {}, decisions: Partial<EnvironmentDecisions> = {}): OdooEnvironmentArgs => ({
        stage: "pr",
        decisions: { ...stageProfiles.pr.environment, ...decisions },
        names,
        labels: resourceLabels({ stage: "pr", stack: "pr-7", gitSha: "abcdef1" }),
        gitSha: "abcdef1",
        image: `ghcr.io/example/odoo@sha256:${"a".repeat(64)}`,
        addonsPath: ["/mnt/extra-addons"],
        workers: 2,
        memoryMb: 1536,
        cpus: 1,
        database: containerDatabase,
        mailCatcher: true,
        edge: { network: "odoo-edge-pr-1", entrypoint: "websecure", certResolver: "letsencrypt" },
        edgeTls: true,
        volumes: { filestore: names.volumes.filestore, sessions: names.volumes.sessions },
        egressAllowlist: ["api.example.org"],
        init: { kind: "install" },
        ...over,
    });
    const build = (a: OdooEnvironmentArgs) =>
        buildUnderMocks(
            () => new OdooEnvironment("odoo", a),
            (e) => ({ url: e.url, adminLogin: e.adminLogin }),
        );
    const container = (built: Recording, name: string) => one(built, containerType, name);
    const conf = (built: Recording) => odooConf(upload(container(built, "odoo-odoo"), "/etc/odoo/odoo.conf"));
    const noIndexLabel = "traefik.http.middlewares.odoo-pr-7-noindex.headers.customresponseheaders.X-Robots-Tag";
    const containerNames = (built: Recording) =>
        ofType(built, containerType)
            .map((c) => c.name)
            .sort();

    it("an isolated network without egress and a database of its own: no route out at all, no proxy", async () => {
        const built = await build(args({}, { egress: "none" }));
        assert.equal(one(built, networkType, "odoo-internal").inputs.internal, true);
        assert.deepEqual(
            ofType(built, networkType).map((n) => n.name),
            ["odoo-internal"],
            "no egress network",
        );
        assert.deepEqual(containerNames(built), ["odoo-mailpit", "odoo-odoo", "odoo-postgres", "odoo-prepare"]);
        assert.ok(!envOf(container(built, "odoo-odoo")).some((e) => /^HTTPS?_PROXY=/i.test(e)), "no proxy to send requests to");
        assert.deepEqual(networksOf(container(built, "odoo-postgres")), [names.networks.internal]);
        assert.equal(conf(built).db_host, "db");
        for (const r of built.resources.slice(1)) assert.equal(r.parent, "odoo", `${r.name} is the component's child`);
    });

    it("an isolated network without egress on the stage's server: the relay's egress network, but still no proxy", async () => {
        const built = await build(args({ database: serverDatabase, init: { kind: "update", install: ["sale"], exclude: [] } }, { egress: "none" }));
        const egress = one(built, networkType, "odoo-egress");
        assert.deepEqual([egress.inputs.name, egress.inputs.internal], [names.networks.egress, false]);
        assert.deepEqual(containerNames(built), ["odoo-db-egress", "odoo-db-relay", "odoo-mailpit", "odoo-odoo", "odoo-prepare", "odoo-update"]);
        const relay = container(built, "odoo-db-relay");
        assert.deepEqual((relay.inputs.networksAdvanced as { name: string; aliases?: string[] }[]).find((n) => n.name === names.networks.internal)?.aliases, [
            "db.internal.example.com",
        ]);
        assert.deepEqual(container(built, "odoo-db-egress").inputs.command, ["TCP-LISTEN:5432,fork,reuseaddr", "TCP:db.internal.example.com:5432"]);
        assert.ok(!envOf(container(built, "odoo-odoo")).some((e) => /^HTTPS?_PROXY=/i.test(e)));
        assert.equal(conf(built).db_host, "db.internal.example.com");
        assert.equal(conf(built).db_sslmode, "require");
        assert.equal(built.outputs.adminLogin, null, "no admin login on a database that is not its own");
    });

    it("an isolated network with the allow-list proxy: the proxy is the way out, for the allowed hosts only", async () => {
        const built = await build(args());
        assert.ok(containerNames(built).includes("odoo-egress-proxy"));
        assert.match(upload(container(built, "odoo-egress-proxy"), "/etc/squid/squid.conf"), /api\.example\.org/);
        const env = envOf(container(built, "odoo-odoo"));
        assert.ok(env.includes("HTTPS_PROXY=http://egress-proxy:3128"), env.join(" "));
        assert.ok(env.some((e) => e.startsWith("NO_PROXY=") && e.split(",").includes("db")));
        assert.equal(built.outputs.adminLogin, "admin");
        assert.equal(built.outputs.url, "https://pr-7-feature-x.dev.example.com");
        assert.equal(labelsOf(container(built, "odoo-odoo"))[noIndexLabel], "noindex, nofollow");
    });

    it("direct egress with a container database: an ordinary bridge, no egress network, no proxy, no relay", async () => {
        const built = await build(
            args({ stage: "production", mailCatcher: false, smtp: { host: "smtp.example.org", port: 587 } }, stageProfiles.production.environment),
        );
        assert.equal(one(built, networkType, "odoo-internal").inputs.internal, false);
        assert.deepEqual(
            ofType(built, networkType).map((n) => n.name),
            ["odoo-internal"],
        );
        assert.deepEqual(containerNames(built), ["odoo-odoo", "odoo-postgres", "odoo-prepare"]);
        assert.ok(!envOf(container(built, "odoo-odoo")).some((e) => /PROXY=/i.test(e)));
        assert.ok(envOf(container(built, "odoo-odoo")).includes("ODOO_STAGE=production"));
        assert.equal(conf(built).smtp_server, "smtp.example.org");
        assert.equal(labelsOf(container(built, "odoo-odoo"))[noIndexLabel], undefined, "production is indexed");
    });

    it("cron and queue_job containers only where the stage runs crons", async () => {
        const roles = { splitRoles: true, cronThreads: 3, queueJobRunner: true };
        const withCrons = await build(args({ roles }, { isolated: false, egress: "direct", runsCrons: true }));
        assert.deepEqual(
            containerNames(withCrons).filter((n) => n.startsWith("odoo-odoo")),
            ["odoo-odoo", "odoo-odoo-cron", "odoo-odoo-queue-job"],
        );
        const cron = container(withCrons, "odoo-odoo-cron");
        assert.ok((cron.inputs.command as string[]).includes("--no-http"));
        assert.equal(odooConf(upload(cron, "/etc/odoo/odoo.conf")).max_cron_threads, "3");
        assert.equal(conf(withCrons).max_cron_threads, "0", "the HTTP container leaves the crons to their runner");
        assert.equal(labelsOf(container(withCrons, "odoo-odoo-queue-job"))["odoo-platform.process"], "queue_job");
        assert.ok(cron.dependsOn.includes("odoo-odoo"));

        const noCrons = await build(args({ roles }));
        assert.deepEqual(
            containerNames(noCrons).filter((n) => n.startsWith("odoo-odoo")),
            ["odoo-odoo"],
        );
        assert.equal(conf(noCrons).max_cron_threads, "0");

        const unsplit = await build(
            args({ roles: { splitRoles: false, cronThreads: 2, queueJobRunner: false } }, { isolated: false, egress: "direct", runsCrons: true }),
        );
        assert.equal(conf(unsplit).max_cron_threads, "2", "without a cron runner the HTTP container runs the crons");
    });

    it("dev mode without a source directory runs --dev=all on the image's own addons; with one, mounts it", async () => {
        const dev = { ...stageProfiles.dev.environment };
        const plain = await build(args({ stage: "dev" }, dev));
        const odoo = container(plain, "odoo-odoo");
        assert.ok((odoo.inputs.command as string[]).includes("--dev=all"));
        assert.ok(!(odoo.inputs.volumes as { hostPath?: string }[]).some((v) => v.hostPath), "no bind mount");
        assert.equal(conf(plain).log_level, "debug");
        const mounted = await build(args({ stage: "dev", devSourceDir: "/home/me/addons" }, dev));
        assert.deepEqual(
            (container(mounted, "odoo-odoo").inputs.volumes as { hostPath?: string; containerPath: string }[]).filter((v) => v.hostPath),
            [{ hostPath: "/home/me/addons", containerPath: "/mnt/extra-addons" }],
        );
    });

    it("a verified server connection uploads the CA, or points libpq at the image's bundle", async () => {
        const verified = (sslRootCert: string) =>
            args(
                { database: { ...serverDatabase, sslMode: "verify-full", sslRootCert }, init: { kind: "update", install: [], exclude: [] } },
                { egress: "none" },
            );
        const pem = await build(verified("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"));
        assert.ok(envOf(container(pem, "odoo-odoo")).includes("PGSSLROOTCERT=/etc/odoo-platform/db-root.crt"));
        assert.match(upload(container(pem, "odoo-odoo"), "/etc/odoo-platform/db-root.crt"), /BEGIN CERTIFICATE/);
        const system = await build(verified("system"));
        assert.ok(envOf(container(system, "odoo-odoo")).includes("PGSSLROOTCERT=/etc/ssl/certs/ca-certificates.crt"));
    });

    it("refuses bad args before creating anything, naming the field", async () => {
        const cases: [OdooEnvironmentArgs, RegExp][] = [
            [args({ image: "" }), /args\.image is required/],
            [args({ addonsPath: [] }), /args\.addonsPath must list/],
            [args({ memoryMb: 0 }), /args\.memoryMb must be greater than 0, got 0/],
            [args({ cpus: -1 }), /args\.cpus must be greater than 0, got -1/],
            [args({ workers: 1.5 }), /args\.workers must be a whole number ≥ 0, got 1\.5/],
            [args({}, { egress: "direct" }), /args\.decisions\.egress must be allowlist-proxy or none on an isolated network, got direct/],
            [args({}, { isolated: false, egress: "allowlist-proxy" }), /args\.decisions\.egress must be direct on a network that is not isolated/],
            [args({ devSourceDir: "/home/me/addons" }), /args\.devSourceDir is only for an environment in dev mode/],
            [
                args({ tests: { modules: ["sale"], tags: ["post_install"], timeoutMinutes: 0 } }),
                /args\.tests\.timeoutMinutes must be a whole number > 0, got 0/,
            ],
            [args({ tests: { modules: ["sale"], tags: [], timeoutMinutes: 10 } }), /args\.tests\.tags must list at least one tag/],
            [args({ init: { kind: "update", install: [], exclude: [] } }), /args\.init update is for environments on the stage's database server/],
            [args({ database: serverDatabase }), /args\.init install is for a database of the environment's own/],
            [
                args({ database: { ...serverDatabase, sslMode: "verify-ca" }, init: { kind: "update", install: [], exclude: [] } }, { egress: "none" }),
                /args\.database\.sslRootCert is required with sslMode verify-ca/,
            ],
            [args({ stage: "staging", buildContext: "/src" }, stageProfiles.staging.environment), /args\.buildContext is for stages that build their image/],
        ];
        for (const [bad, message] of cases) {
            const failure = await failureOf(() => new OdooEnvironment("odoo", bad));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
