import * as assert from "node:assert/strict";
import { edgeEndpoint, htpasswdLine, mailCatcherRoutingLabels, odooRoutingLabels, publicUrl, routeLabels, traefikArguments } from "../../components/routing";

const tls = edgeEndpoint("odoo-edge", true);
const plain = edgeEndpoint("odoo-edge", false);

describe("routing: Traefik labels", () => {
    it("routes a host to a port over TLS with the ACME resolver", () => {
        assert.deepEqual(routeLabels({ name: "odoo-pr-7", host: "pr-7-x.dev.example.com", port: 8069 }, tls), {
            "traefik.http.routers.odoo-pr-7.rule": "Host(`pr-7-x.dev.example.com`)",
            "traefik.http.routers.odoo-pr-7.entrypoints": "websecure",
            "traefik.http.routers.odoo-pr-7.service": "odoo-pr-7",
            "traefik.http.routers.odoo-pr-7.tls": "true",
            "traefik.http.routers.odoo-pr-7.tls.certresolver": "letsencrypt",
            "traefik.http.services.odoo-pr-7.loadbalancer.server.port": "8069",
        });
    });

    it("serves plain HTTP on the web entrypoint when the edge has no TLS (dev)", () => {
        const labels = routeLabels({ name: "odoo-dev", host: "odoo.localhost", port: 8069 }, plain);
        assert.equal(labels["traefik.http.routers.odoo-dev.entrypoints"], "web");
        assert.equal(labels["traefik.http.routers.odoo-dev.tls"], undefined);
        assert.equal(publicUrl("odoo.localhost", plain), "http://odoo.localhost");
        assert.equal(publicUrl("erp.example.com", tls), "https://erp.example.com");
    });

    it("adds the websocket route to the gevent port only when Odoo runs workers", () => {
        const threaded = odooRoutingLabels({ name: "odoo-dev", host: "odoo.localhost", workers: 0, noIndex: true }, plain);
        assert.ok(!Object.keys(threaded).some((k) => k.includes("websocket")));
        const workers = odooRoutingLabels({ name: "odoo-staging", host: "staging.example.com", workers: 2, noIndex: true }, tls);
        assert.equal(workers["traefik.http.routers.odoo-staging-websocket.rule"], "Host(`staging.example.com`) && (PathPrefix(`/websocket`))");
        assert.equal(workers["traefik.http.routers.odoo-staging-websocket.priority"], "100");
        assert.equal(workers["traefik.http.services.odoo-staging-websocket.loadbalancer.server.port"], "8072");
        assert.equal(workers["traefik.enable"], "true");
        assert.equal(workers["traefik.docker.network"], "odoo-edge");
    });

    it("marks non-production hosts noindex and leaves production alone", () => {
        const staging = odooRoutingLabels({ name: "odoo-staging", host: "staging.example.com", workers: 2, noIndex: true }, tls);
        assert.equal(staging["traefik.http.routers.odoo-staging.middlewares"], "odoo-staging-noindex");
        const production = odooRoutingLabels({ name: "odoo-production", host: "erp.example.com", workers: 4, noIndex: false }, tls);
        assert.ok(!Object.keys(production).some((k) => k.includes("middlewares")));
    });

    it("puts the mail catcher UI behind basic auth", () => {
        const labels = mailCatcherRoutingLabels(
            { name: "odoo-pr-7-mail", host: "pr-7-x-mail.dev.example.com", port: 8025, basicAuthUsers: "mail:$2a$10$hash" },
            tls,
        );
        assert.equal(labels["traefik.http.middlewares.odoo-pr-7-mail-auth.basicauth.users"], "mail:$2a$10$hash");
        assert.equal(labels["traefik.http.routers.odoo-pr-7-mail.middlewares"], "odoo-pr-7-mail-auth,odoo-pr-7-mail-noindex");
    });

    it("writes htpasswd lines from a bcrypt hash only, never from a plain password", () => {
        const hash = `$2a$10$${"N9qo8uLOickgx2ZMRZoMye".padEnd(53, "a")}`;
        assert.equal(htpasswdLine("mail", hash), `mail:${hash}`);
        assert.equal(htpasswdLine("mail", hash.replace("$2a$", "$2y$")), `mail:${hash.replace("$2a$", "$2y$")}`);
        assert.throws(() => htpasswdLine("mail", "mock-0123456789abcdef01234567"), /bcrypt hash .*never a plain password/);
        assert.throws(() => htpasswdLine("mail", hash.slice(0, -1)), /bcrypt hash/);
        assert.throws(() => htpasswdLine("ma:il", hash), /htpasswd user must be/);
    });

    it("refuses a router name Traefik would misread", () => {
        assert.throws(() => routeLabels({ name: "Odoo.PR", host: "x.example.com", port: 1 }, tls), /lower-case/);
    });
});

describe("routing: Traefik static configuration", () => {
    it("routes only opted-in containers of the platform, talks to the socket proxy, and has no dashboard", () => {
        const args = traefikArguments({ network: "odoo-edge", dockerEndpoint: "tcp://docker-api:2375", acmeEmail: "ops@example.com" });
        assert.ok(args.includes("--providers.docker.exposedbydefault=false"));
        assert.ok(args.includes("--providers.docker.constraints=Label(`odoo-platform.managed-by`,`pulumi`)"));
        assert.ok(args.includes("--providers.docker.endpoint=tcp://docker-api:2375"));
        assert.ok(args.includes("--api.dashboard=false"));
        assert.ok(args.includes("--certificatesresolvers.letsencrypt.acme.httpchallenge.entrypoint=web"));
        assert.ok(args.includes("--entrypoints.web.http.redirections.entrypoint.to=websecure"));
        assert.ok(args.some((a) => a.startsWith("--entrypoints.websecure.transport.respondingtimeouts.readtimeout=")));
        assert.ok(args.includes("--metrics.prometheus=true"));
    });

    it("without an ACME e-mail serves plain HTTP only", () => {
        const args = traefikArguments({ network: "odoo-edge", dockerEndpoint: "tcp://docker-api:2375" });
        assert.ok(!args.some((a) => a.includes("websecure") || a.includes("acme")));
    });
});
