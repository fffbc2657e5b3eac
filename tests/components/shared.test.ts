import * as assert from "node:assert/strict";
import { EdgeRouter, recordSuffix } from "../../components/EdgeRouter";
import { imageRegistry, SharedEdge, sharedDnsHosts, sharedEdgeProblems } from "../../components/shared";
import { environmentNames } from "../../config/naming";

const shared: SharedEdge = {
    network: "odoo-edge",
    entrypoint: "websecure",
    certResolver: "letsencrypt",
    dockerHost: "ssh://deploy@nonprod-1.example.com",
    prParentDomain: "dev.example.com",
    prNetworks: ["odoo-edge-pr-1", "odoo-edge-pr-2"],
};
const own = { sharedStack: "acme/odoo-platform/staging", dockerHost: "ssh://deploy@nonprod-1.example.com", host: "pr-7-x.dev.example.com" };

describe("shared edge contract", () => {
    it("refuses a PR slot the shared router has no network for", () => {
        assert.deepEqual(sharedEdgeProblems(shared, { ...own, prSlot: 2 }), []);
        assert.match(
            sharedEdgeProblems(shared, { ...own, prSlot: 3 }).join("\n"),
            /prSlot 3 has no routing network on acme\/odoo-platform\/staging \(it routes 2 PR slots\)/,
        );
    });

    it("accepts a PR stack on the shared router's host under its wildcard", () => {
        assert.deepEqual(sharedEdgeProblems(shared, own), []);
    });

    it("names each mismatch and how to fix it", () => {
        assert.match(
            sharedEdgeProblems(shared, { ...own, dockerHost: "ssh://deploy@other" }).join(),
            /runs on ssh:\/\/deploy@nonprod-1\.example\.com: point dockerHost/,
        );
        assert.match(sharedEdgeProblems(shared, { ...own, host: "pr-7-x.dev.other.com" }).join(), /not under dev\.example\.com/);
        assert.match(sharedEdgeProblems({ ...shared, prParentDomain: null }, own).join(), /does not serve PR hosts/);
        assert.match(sharedEdgeProblems(undefined as unknown as SharedEdge, own).join(), /does not export an "edge" output: deploy it first/);
    });

    it("lists the DNS names a router-owning stack publishes: the PR wildcard only on staging", () => {
        const names = (stack: "staging" | "production") => environmentNames({ stack, stage: stack }, { domain: "example.com" });
        assert.deepEqual(sharedDnsHosts({ stage: "staging", names: names("staging"), mailCatcher: true }), [
            "*.dev.example.com",
            "staging.example.com",
            "staging-mail.example.com",
        ]);
        assert.deepEqual(sharedDnsHosts({ stage: "production", names: names("production"), mailCatcher: false, grafanaHost: "grafana.example.com" }), [
            "erp.example.com",
            "grafana.example.com",
        ]);
        assert.equal(recordSuffix("*.dev.example.com"), "wildcard-dev-example-com");
    });

    it("finds the registry an image is pulled from (for registry credentials)", () => {
        assert.equal(imageRegistry("ghcr.io/acme/odoo@sha256:abc"), "ghcr.io");
        assert.equal(imageRegistry("registry.local:5000/odoo:17"), "registry.local:5000");
        assert.equal(imageRegistry("odoo:17.0"), undefined);
        assert.equal(imageRegistry("acme/odoo:17.0"), undefined, "Docker Hub");
    });

    it("EdgeRouter rejects bad DNS input before declaring anything", () => {
        const labels = { "odoo-platform.stack": "staging" };
        assert.throws(() => new EdgeRouter("x", { labels, dns: { zoneId: "nope", publicIp: "203.0.113.1", hosts: [] } }), /zoneId/);
        assert.throws(
            () => new EdgeRouter("x", { labels, dns: { zoneId: "0".repeat(32), publicIp: "203.0.113.1", hosts: ["a.example.com", "a.example.com"] } }),
            /twice/,
        );
        assert.throws(() => new EdgeRouter("x", { labels, acmeEmail: "not-an-email" }), /acmeEmail/);
    });
});
