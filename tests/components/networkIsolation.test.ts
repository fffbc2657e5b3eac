/**
 * Who can open a connection to whom on the non-production Docker host: two containers reach each
 * other directly exactly when they share a Docker network. The staging stack and two PR stacks are
 * planned together as they run on that host; PR environments must reach each other, staging, the
 * mail catchers and the observability services only through Traefik, and the exporters and Grafana
 * must reach the database servers they read.
 */
import * as assert from "node:assert/strict";
import { unwrapSecrets } from "../../plan/mockRuntime";
import { PlanResult } from "../../plan/plan";
import { plan } from "../support/plan";

interface Box {
    stack: string;
    name: string;
    networks: string[];
}

const boxes = (result: PlanResult): Box[] =>
    result.recorded
        .filter((r) => r.type === "docker:index/container:Container")
        .map((r) => unwrapSecrets(r.inputs) as { name: string; networksAdvanced?: { name: string }[] })
        .map((c) => ({ stack: result.stack, name: c.name, networks: (c.networksAdvanced ?? []).map((n) => n.name) }));

const reaches = (a: Box, b: Box) => a !== b && a.networks.some((n) => b.networks.includes(n));
const internalByName = (result: PlanResult) =>
    new Map(
        result.recorded
            .filter((r) => r.type === "docker:index/network:Network")
            .map((n) => [(n.inputs as { name: string }).name, (n.inputs as { internal: boolean }).internal]),
    );

describe("networks of the non-production host: staging and two PR environments", function () {
    this.timeout(120_000);
    let staging: PlanResult;
    let host: Box[];
    before(async () => {
        staging = await plan("staging");
        // `pr up` gives each running PR its own slot (ops/pr/queue.ts assignSlot).
        const pr7 = await plan("pr-7", { configOverrides: { "odoo-platform:prSlot": "1" } });
        const pr8 = await plan("pr-8", { configOverrides: { "odoo-platform:prSlot": "2" } });
        host = [...boxes(staging), ...boxes(pr7), ...boxes(pr8)];
    });

    it("a PR environment reaches no other PR environment, and of staging only Traefik", () => {
        for (const a of host.filter((b) => b.stack.startsWith("pr-"))) {
            const others = host.filter((b) => b.stack !== a.stack && reaches(a, b)).map((b) => b.name);
            assert.deepEqual(others, a.networks.some((n) => n.startsWith("odoo-edge-pr-")) ? ["odoo-edge-traefik"] : [], a.name);
        }
    });

    it("the observability services are on their own network: only Traefik (metrics, Grafana's route) reaches into it", () => {
        for (const a of host.filter((b) => b.name.startsWith("obs-staging-"))) {
            const outside = host.filter((b) => !b.name.startsWith("obs-staging-") && reaches(a, b)).map((b) => b.name);
            assert.deepEqual(outside, ["obs-staging-prometheus", "obs-staging-grafana"].includes(a.name) ? ["odoo-edge-traefik"] : [], a.name);
        }
    });

    it("staging's Odoo and Mailpit are reached only by their own environment and Traefik", () => {
        for (const name of ["odoo-staging-odoo", "odoo-staging-mailpit"]) {
            const a = host.find((b) => b.name === name)!;
            const from = host
                .filter((b) => reaches(b, a))
                .map((b) => b.name)
                .filter((n) => !n.startsWith("odoo-staging-"));
            assert.deepEqual(from, ["odoo-edge-traefik"], name);
        }
    });

    it("the postgres exporter and Grafana have a route out to the database servers they read", () => {
        const internal = internalByName(staging);
        for (const name of ["obs-staging-postgres-exporter", "obs-staging-grafana"]) {
            const box = host.find((b) => b.name === name)!;
            assert.ok(
                box.networks.some((n) => internal.get(n) === false),
                `${name} is only on internal networks: ${box.networks.join(", ")}`,
            );
        }
    });
});
