/**
 * EdgeRouter built from its own args under the mock runtime: the networks, the socket proxy,
 * Traefik's ports and arguments, the ACME volume and the DNS records, and the args it refuses.
 */
import * as assert from "node:assert/strict";
import { EdgeRouter, EdgeRouterArgs } from "../../components/EdgeRouter";
import { resourceLabels } from "../../config/naming";
import { buildUnderMocks, failureOf } from "../support/component";
import { containerType, labelsOf, networkType, ofType, one, Recording } from "../support/plan";

const dnsType = "cloudflare:index/dnsRecord:DnsRecord";
const zoneId = "0123456789abcdef0123456789abcdef";
const args = (over: Partial<EdgeRouterArgs> = {}): EdgeRouterArgs => ({
    labels: resourceLabels({ stage: "staging", stack: "staging", gitSha: "abcdef1" }),
    ...over,
});
const publicArgs = (over: Partial<EdgeRouterArgs> = {}): EdgeRouterArgs =>
    args({
        acmeEmail: "ops@example.com",
        prSlots: 2,
        retention: { retainOnDelete: true },
        dns: { zoneId, publicIp: "203.0.113.10", hosts: ["*.dev.example.com", "staging.example.com"] },
        ...over,
    });
const build = (a: EdgeRouterArgs) =>
    buildUnderMocks(
        () => new EdgeRouter("edge", a),
        (r) => ({ endpoint: r.endpoint, sharedEndpoint: r.sharedEndpoint, prNetworks: r.prNetworks, dnsNames: r.dnsNames }),
    );
const networks = (built: Recording) => Object.fromEntries(ofType(built, networkType).map((n) => [n.inputs.name, n.inputs.internal]));
const traefik = (built: Recording) => one(built, containerType, "edge-traefik");
const optionsOf = (built: Recording, name: string) => built.recorded.find((r) => r.name === name)!.options;

describe("EdgeRouter from its own args", function () {
    this.timeout(60_000);

    it("a local router: plain HTTP on the given address, no certificates volume, no DNS, no PR networks", async () => {
        const built = await build(args({ labels: resourceLabels({ stage: "dev", stack: "dev", gitSha: "abcdef1" }), bindAddress: "127.0.0.1" }));
        assert.deepEqual(networks(built), {
            "odoo-edge": true,
            "odoo-route-dev": true,
            "odoo-edge-metrics": true,
            "odoo-edge-observability": true,
            "odoo-edge-public": false,
            "odoo-edge-docker-api": true,
        });
        assert.deepEqual(traefik(built).inputs.ports, [{ internal: 80, external: 80, ip: "127.0.0.1" }]);
        assert.deepEqual(traefik(built).inputs.volumes, []);
        assert.ok(!(traefik(built).inputs.command as string[]).some((a) => a.includes("acme")));
        assert.equal(ofType(built, "docker:index/volume:Volume").length, 0);
        assert.equal(ofType(built, dnsType).length, 0);
        assert.deepEqual(built.outputs.endpoint, { network: "odoo-route-dev", entrypoint: "web" });
        assert.deepEqual(built.outputs.dnsNames, []);
    });

    it("a public router: TLS on 443, the ACME volume and the proxied records kept by the retention, one internal network per PR slot", async () => {
        const built = await build(publicArgs());
        assert.deepEqual(
            traefik(built).inputs.ports.map((p: { internal: number }) => p.internal),
            [80, 443],
        );
        assert.ok((traefik(built).inputs.command as string[]).includes("--certificatesresolvers.letsencrypt.acme.email=ops@example.com"));
        const acme = one(built, "docker:index/volume:Volume", "edge-acme");
        assert.equal(acme.inputs.name, "odoo-edge-acme");
        assert.equal(optionsOf(built, "edge-acme").retainOnDelete, true);
        assert.equal(networks(built)["odoo-edge-pr-1"], true);
        assert.equal(networks(built)["odoo-edge-pr-2"], true);
        assert.equal(networks(built)["odoo-edge-pr-3"], undefined);
        const joined = (traefik(built).inputs.networksAdvanced as { name: string }[]).map((n) => n.name);
        assert.equal(joined[0], "odoo-edge-public", "published ports and ACME go through the public bridge");
        assert.ok(joined.includes("odoo-edge-pr-1") && joined.includes("odoo-edge-pr-2"));
        const records = ofType(built, dnsType);
        assert.deepEqual(records.map((r) => r.name).sort(), ["edge-dns-staging-example-com", "edge-dns-wildcard-dev-example-com"]);
        for (const r of records) {
            assert.deepEqual(
                [r.inputs.zoneId, r.inputs.type, r.inputs.content, r.inputs.proxied, r.inputs.ttl],
                [zoneId, "A", "203.0.113.10", true, 1],
                r.name,
            );
            assert.equal(optionsOf(built, r.name).retainOnDelete, true, r.name);
        }
        assert.deepEqual(built.outputs.endpoint, { network: "odoo-route-staging", entrypoint: "websecure", certResolver: "letsencrypt" });
        assert.deepEqual(built.outputs.sharedEndpoint, { network: "odoo-edge", entrypoint: "websecure", certResolver: "letsencrypt" });
        assert.deepEqual(built.outputs.prNetworks, ["odoo-edge-pr-1", "odoo-edge-pr-2"]);
        assert.deepEqual(built.outputs.dnsNames, ["*.dev.example.com", "staging.example.com"]);
    });

    it("Traefik never gets the socket: the proxy mounts it read-only and allows no POST; no network carries the git SHA", async () => {
        const built = await build(publicArgs({ dockerSocket: "/run/user/1000/docker.sock" }));
        assert.ok(!JSON.stringify(traefik(built).inputs.volumes).includes("docker.sock"));
        const proxy = one(built, containerType, "edge-docker-api");
        assert.deepEqual(proxy.inputs.volumes, [{ hostPath: "/run/user/1000/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
        assert.ok((proxy.inputs.envs as string[]).includes("POST=0"));
        assert.deepEqual(
            (proxy.inputs.networksAdvanced as { name: string }[]).map((n) => n.name),
            ["odoo-edge-docker-api"],
        );
        assert.equal(labelsOf(proxy)["odoo-platform.role"], "router");
        for (const n of ofType(built, networkType)) assert.equal(labelsOf(n)["odoo-platform.git-sha"], undefined, n.name);
        assert.ok(traefik(built).dependsOn.includes("edge-docker-api"));
    });

    it("refuses bad args before creating anything, naming the field", async () => {
        const dns = publicArgs().dns!;
        const cases: [EdgeRouterArgs, RegExp][] = [
            [args({ labels: {} }), /args\.labels must carry the stack label odoo-platform\.stack/],
            [publicArgs({ acmeEmail: "ops" }), /args\.acmeEmail must be an e-mail address, got "ops"/],
            [publicArgs({ dns: { ...dns, zoneId: "example.com" } }), /args\.dns\.zoneId must be a Cloudflare zone id/],
            [publicArgs({ dns: { ...dns, publicIp: "2001:db8::1" } }), /args\.dns\.publicIp must be an IPv4 address, got "2001:db8::1"/],
            [
                publicArgs({ dns: { ...dns, hosts: ["https://staging.example.com"] } }),
                /args\.dns\.hosts contains "https:\/\/staging\.example\.com", which is not a DNS name/,
            ],
            [publicArgs({ dns: { ...dns, hosts: ["staging.example.com", "staging.example.com"] } }), /args\.dns\.hosts lists "staging\.example\.com" twice/],
        ];
        for (const [bad, message] of cases) {
            const failure = await failureOf(() => new EdgeRouter("edge", bad));
            assert.match(failure.message, message);
            assert.deepEqual(failure.created, [], `${message}: nothing is created`);
        }
    });
});
