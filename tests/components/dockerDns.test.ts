/**
 * Docker's embedded DNS, modelled: on user-defined networks a container's lookup of a name is
 * answered by the containers sharing a network with it that carry that name — their container
 * name, or an alias *on that network* — before the host's resolvers are asked
 * (https://docs.docker.com/engine/network/#dns-services). The database relay answers to the server's
 * own name on the environment's internal network; what actually connects to the server must not
 * see that alias, or the lookup returns the relay itself and Odoo never reaches its database.
 */
import * as assert from "node:assert/strict";
import { unwrapSecrets } from "../../plan/mockRuntime";
import { PlanResult } from "../../plan/plan";
import { plan } from "../support/plan";

interface Endpoint {
    container: string;
    network: string;
    aliases: string[];
}

function endpoints(result: PlanResult): Endpoint[] {
    return result.recorded
        .filter((r) => r.type === "docker:index/container:Container")
        .flatMap((r) => {
            const inputs = unwrapSecrets(r.inputs) as { name: string; networksAdvanced?: { name: string; aliases?: string[] }[] };
            return (inputs.networksAdvanced ?? []).map((n) => ({ container: inputs.name, network: n.name, aliases: n.aliases ?? [] }));
        });
}

/** What `container` gets for `name`: the containers that answer it, or "host DNS". Pure over the plan. */
export function resolve(all: Endpoint[], container: string, name: string): string[] | "host DNS" {
    const mine = new Set(all.filter((e) => e.container === container).map((e) => e.network));
    const answers = all.filter((e) => mine.has(e.network) && (e.container === name || e.aliases.includes(name))).map((e) => e.container);
    return answers.length ? [...new Set(answers)] : "host DNS";
}

/** socat relays: `TCP:<host>:<port>` in their command. */
const relayTargets = (result: PlanResult) =>
    result.recorded
        .filter((r) => r.type === "docker:index/container:Container")
        .map((r) => unwrapSecrets(r.inputs) as { name: string; command?: string[] })
        .flatMap((c) => (c.command ?? []).filter((a) => /^TCP:[^,]+:\d+$/.test(a)).map((a) => ({ container: c.name, host: a.split(":")[1] })));

describe("Docker DNS on the staging host: Odoo reaches its database server", function () {
    this.timeout(60_000);
    let staging: PlanResult;
    before(async () => {
        staging = await plan("staging");
    });

    it("Odoo resolves the server's name to the relay on its internal network", () => {
        assert.deepEqual(resolve(endpoints(staging), "odoo-staging-odoo", "db-nonprod.internal.insightpulseai.com"), ["odoo-staging-db-relay"]);
    });

    it("every relay forwards to a name that resolves away from itself, and the hop that reaches the server resolves it through the host's DNS", () => {
        const all = endpoints(staging);
        const targets = relayTargets(staging);
        assert.ok(targets.length > 0, "the staging plan has relays");
        for (const { container, host } of targets) {
            const answer = resolve(all, container, host);
            assert.ok(answer === "host DNS" || !answer.includes(container), `${container} looks up ${host} and gets itself: ${JSON.stringify(answer)}`);
        }
        const last = targets.find((t) => t.host === "db-nonprod.internal.insightpulseai.com");
        assert.ok(last, "a relay connects to the database server");
        assert.equal(resolve(all, last!.container, last!.host), "host DNS");
    });
});
