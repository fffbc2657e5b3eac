import * as assert from "node:assert/strict";
import { proxyEnvironment, squidConfig, tcpRelayCommand } from "../../components/egress";

describe("egress: the allow-list proxy", () => {
    it("allows exactly the listed hosts, HTTPS only through CONNECT to 443, and refuses everything else", () => {
        const conf = squidConfig(["apps.odoo.com", "PyPI.org", "apps.odoo.com"]);
        const lines = conf.split("\n");
        assert.ok(lines.includes("acl allowed_hosts dstdomain apps.odoo.com pypi.org"));
        const order = ["http_access deny !Safe_ports", "http_access deny CONNECT !SSL_ports", "http_access allow allowed_hosts", "http_access deny all"].map(
            (l) => lines.indexOf(l),
        );
        assert.ok(
            order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1])),
            `rules in order: ${order}`,
        );
        assert.ok(lines.includes("acl SSL_ports port 443"));
    });

    it("with an empty allow-list refuses everything (and declares no empty acl, which Squid rejects)", () => {
        const conf = squidConfig([]);
        assert.ok(!conf.includes("allowed_hosts"));
        assert.ok(conf.includes("http_access deny all"));
    });

    it("rejects entries that are not host names", () => {
        for (const bad of ["https://api.stripe.com", "*.stripe.com", "api.stripe.com:443", "api.stripe.com/v1", ""]) {
            assert.throws(() => squidConfig([bad]), /must be a host name/, bad);
        }
    });

    it("sends every client through the proxy except the environment's own services", () => {
        const env = proxyEnvironment(["db", "mailpit", "db"]);
        assert.ok(env.includes("HTTP_PROXY=http://egress-proxy:3128"));
        assert.ok(env.includes("https_proxy=http://egress-proxy:3128"));
        assert.ok(env.includes("NO_PROXY=localhost,127.0.0.1,db,mailpit"));
        assert.ok(env.includes("no_proxy=localhost,127.0.0.1,db,mailpit"));
    });

    it("relays TCP to the one allowed server", () => {
        assert.deepEqual(tcpRelayCommand("db.internal.example.com", 5432), ["TCP-LISTEN:5432,fork,reuseaddr", "TCP:db.internal.example.com:5432"]);
        assert.throws(() => tcpRelayCommand("db;rm -rf /", 5432), /host name/);
        assert.throws(() => tcpRelayCommand("db", 70000), /TCP port/);
    });
});
