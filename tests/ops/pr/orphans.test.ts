import * as assert from "node:assert/strict";
import { orphanContainers, removeOrphanContainers, stateContainerIds } from "../../../ops/pr/orphans";
import { assignSlot, PrStackInfo } from "../../../ops/pr/queue";

const id = (n: number) => `${String(n).repeat(12)}${"a".repeat(52)}`;

describe("pr up after a cancelled run: containers the state does not know", () => {
    it("finds the containers of the stack on the host that its state does not hold", () => {
        const state = stateContainerIds({
            resources: [
                { type: "docker:index/container:Container", id: id(1) },
                { type: "docker:index/volume:Volume", id: "odoo-pr-7-filestore" },
            ],
        });
        assert.deepEqual([...state], [id(1)]);
        const onHost = [
            { id: id(1), name: "odoo-pr-7-db" },
            { id: id(2), name: "odoo-pr-7-odoo" },
        ];
        assert.deepEqual(orphanContainers(state, onHost), [{ id: id(2), name: "odoo-pr-7-odoo" }]);
        assert.deepEqual(orphanContainers(new Set([id(2).slice(0, 12)]), [{ id: id(2), name: "x" }]), [], "a short id matches its full id");
    });

    it("lists by the stack label over the stack's DOCKER_HOST and removes only the orphans", async () => {
        const calls: { args: string[]; host?: string }[] = [];
        const removed = await removeOrphanContainers({
            stack: "pr-7",
            dockerHost: "ssh://deploy@nonprod-1.example.com",
            stateIds: new Set([id(1)]),
            exec: async (file, args, env) => {
                calls.push({ args: [file, ...args], host: env.DOCKER_HOST });
                return args[0] === "ps" ? `${id(1)} odoo-pr-7-db\n${id(2)} odoo-pr-7-odoo\n` : "";
            },
        });
        assert.deepEqual(removed, ["odoo-pr-7-odoo"]);
        assert.deepEqual(
            calls.map((c) => c.args.join(" ")),
            ["docker ps --all --no-trunc --filter label=odoo-platform.stack=pr-7 --format {{.ID}} {{.Names}}", `docker rm --force ${id(2)}`],
        );
        assert.ok(calls.every((c) => c.host === "ssh://deploy@nonprod-1.example.com"));
    });
});

describe("PR routing slots", () => {
    const stack = (pr: number, slot?: number): PrStackInfo => ({ pr, name: `pr-${pr}`, resourceCount: slot ? 20 : 0, updating: false, slot });

    it("keeps a stack's slot, gives a new one the lowest free slot", () => {
        assert.equal(assignSlot({ pr: 7, stacks: [stack(7, 3), stack(8, 1)], limit: 5 }), 3);
        assert.equal(assignSlot({ pr: 9, stacks: [stack(7, 3), stack(8, 1), stack(9)], limit: 5 }), 2);
    });

    it("two runners deciding at once give two new PRs different slots, in PR order", () => {
        const stacks = [stack(4, 1), stack(12), stack(11)];
        assert.equal(assignSlot({ pr: 11, stacks, limit: 3 }), 2);
        assert.equal(assignSlot({ pr: 12, stacks, limit: 3 }), 3);
    });

    it("takes a new slot when its own collides with another's, and refuses when none is free", () => {
        assert.equal(assignSlot({ pr: 5, stacks: [stack(4, 1), stack(5, 1)], limit: 2 }), 2);
        assert.throws(
            () => assignSlot({ pr: 6, stacks: [stack(4, 1), stack(5, 2), stack(6)], limit: 2 }),
            /no routing slot is free for #6: 2 slots, held by #4, #5/,
        );
    });

    it("branch environments share the slots, after the PRs in line", () => {
        const branch = (id: `br-${string}`, slot?: number): PrStackInfo => ({ pr: id, name: id, resourceCount: slot ? 20 : 0, updating: false, slot });
        const stacks = [stack(4, 1), branch("br-feature-x"), stack(12)];
        assert.equal(assignSlot({ pr: 12, stacks, limit: 3 }), 2);
        assert.equal(assignSlot({ pr: "br-feature-x", stacks, limit: 3 }), 3);
        assert.equal(assignSlot({ pr: "br-feature-x", stacks: [branch("br-feature-x", 2), stack(4, 1)], limit: 3 }), 2, "keeps its slot");
        assert.throws(
            () => assignSlot({ pr: "br-feature-x", stacks: [stack(4, 1), branch("br-feature-x")], limit: 1 }),
            /no routing slot is free for br-feature-x: 1 slots, held by #4/,
        );
    });
});
