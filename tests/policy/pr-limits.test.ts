import * as assert from "node:assert/strict";
import { dockerLabels } from "../../config/naming";
import { oneOdooPerPr, prResourceBudget, prTtlLabel } from "../../policy/odoo-platform/prLimits";
import { componentTypes, dockerTypes } from "../../policy/odoo-platform/lib/types";
import { container, labelled, mailCatcher, odooContainer, resource, stackLabels, violations } from "../support/policies";

describe("policy pr-limits/one-odoo-per-pr", () => {
    it("passes a PR stack with one OdooEnvironment and one Odoo container", async () => {
        const env = resource("pr-7", componentTypes.odooEnvironment, "odoo", {});
        assert.deepEqual(await violations(oneOdooPerPr, [env, odooContainer("pr-7", {}, {}, { parent: env }), mailCatcher("pr-7")]), []);
    });

    it("fails a PR stack running two Odoo environments", async () => {
        const a = resource("pr-7", componentTypes.odooEnvironment, "odoo", {});
        const b = resource("pr-7", componentTypes.odooEnvironment, "odoo-2", {});
        const messages = await violations(oneOdooPerPr, [a, b, odooContainer("pr-7"), container("pr-7", "odoo-2", "odoo")]);
        assert.match(
            messages[0],
            /^stack pr-7 declares 2 Odoo environments \(OdooEnvironment "odoo" and OdooEnvironment "odoo-2"\): a PR stack gets exactly one/,
        );
        assert.match(messages[1], /^stack pr-7 runs 2 Odoo containers/);
    });

    it("fails a PR stack without Odoo, and does not apply to other stages", async () => {
        assert.match((await violations(oneOdooPerPr, [mailCatcher("pr-7")]))[0], /stack pr-7 runs no Odoo container/);
        assert.deepEqual(await violations(oneOdooPerPr, [odooContainer("staging"), container("staging", "odoo-2", "odoo")]), []);
    });
});

describe("policy pr-limits/pr-resource-budget", () => {
    it("passes containers within the budget of Pulumi.pr.yaml (schema defaults: 2048 MiB, 2 CPUs)", async () => {
        assert.deepEqual(await violations(prResourceBudget, [odooContainer("pr-7", { memory: 2048, cpus: "2" }), mailCatcher("pr-7")]), []);
    });

    it("fails a container over the budget and one without limits", async () => {
        const messages = await violations(prResourceBudget, [
            odooContainer("pr-7", { memory: 4096, cpus: "3" }),
            container("pr-7", "pg", "postgres", { memory: undefined }),
        ]);
        assert.match(
            messages[0],
            /^Container "odoo" \(odoo-pr-7-odoo, role odoo\) asks for 4096 MiB of memory and asks for 3 CPUs, beyond the PR budget of 2048 MiB and 2 CPUs per container/,
        );
        assert.match(messages[1], /has no memory limit, beyond the PR budget/);
    });

    it("takes the budget from the policy config when set", async () => {
        const r = odooContainer("pr-7", { memory: 1536, cpus: "1" });
        assert.equal((await violations(prResourceBudget, [r], { "pr-resource-budget": { prMaxMemoryMb: 1024 } })).length, 1);
        assert.deepEqual(await violations(prResourceBudget, [odooContainer("staging", { memory: 8192 })]), []);
    });
});

describe("policy pr-limits/pr-ttl-label", () => {
    it("passes Docker objects labelled by resourceLabels() for the PR", async () => {
        assert.deepEqual(await violations(prTtlLabel, [odooContainer("pr-7"), resource("pr-7", dockerTypes.volume, "v", labelled("pr-7"))]), []);
    });

    it("fails an object without a TTL and one labelled for another PR", async () => {
        const { "odoo-platform.ttl-hours": _ttl, ...noTtl } = stackLabels("pr-7");
        const messages = await violations(prTtlLabel, [
            resource("pr-7", dockerTypes.network, "n", { labels: dockerLabels(noTtl) }),
            resource("pr-7", dockerTypes.volume, "v", {
                labels: dockerLabels({ ...stackLabels("pr-7"), "odoo-platform.pr": "8", "odoo-platform.ttl-hours": "9999" }),
            }),
        ]);
        assert.match(messages[0], /^Network "n" has no odoo-platform\.ttl-hours label: the sweep finds PR objects by these labels/);
        assert.match(
            messages[1],
            /has odoo-platform\.ttl-hours=9999, not a whole number of hours from 1 to 720 and is labelled odoo-platform\.pr=8 in stack pr-7/,
        );
    });
});
