import * as assert from "node:assert/strict";
import { configKeys } from "../../config/schema";
import { stages } from "../../config/stage";
import { environmentPlan, stageProfile, stageProfiles } from "../../config/stageProfile";

describe("stage profile table", () => {
    it("pins what each stage gets", () => {
        const row = (stage: (typeof stages)[number]) => {
            const p = stageProfile(stage);
            const e = p.environment;
            return [
                p.database,
                p.restoresOnRequest,
                p.init,
                e.isolated,
                e.egress,
                e.devMode,
                e.demoData,
                e.runsCrons,
                e.buildsImage,
                e.noIndex,
                p.mailCatcher,
                JSON.stringify(p.edge),
                p.snapshots,
                p.evidenceSchema,
                p.repositorySettings,
                JSON.stringify(p.retention),
                JSON.stringify(p.kubernetes ?? null),
            ];
        };
        assert.deepEqual(Object.fromEntries(stages.map((s) => [s, row(s)])), {
            dev: [
                "container",
                false,
                "install",
                true,
                "allowlist-proxy",
                true,
                true,
                false,
                true,
                true,
                true,
                '{"owner":"self","exposure":"local","routesPrs":false}',
                "none",
                false,
                false,
                "{}",
                "null",
            ],
            pr: [
                "container",
                true,
                "install",
                true,
                "allowlist-proxy",
                false,
                true,
                false,
                true,
                true,
                true,
                '{"owner":"shared"}',
                "none",
                false,
                false,
                "{}",
                '{"namespace":"per-stack","budgeted":true,"databaseServer":"staging-server","scalesOut":false}',
            ],
            staging: [
                "neutralized-copy",
                false,
                "update",
                true,
                "allowlist-proxy",
                false,
                false,
                false,
                false,
                true,
                true,
                '{"owner":"self","exposure":"public","routesPrs":true}',
                "sanitized",
                false,
                false,
                '{"retainOnDelete":true}',
                '{"namespace":"per-stage","budgeted":false,"databaseServer":"managed","scalesOut":false}',
            ],
            production: [
                "production",
                false,
                "update",
                false,
                "direct",
                false,
                false,
                true,
                false,
                false,
                false,
                '{"owner":"self","exposure":"public","routesPrs":false}',
                "backups",
                true,
                true,
                '{"protect":true,"retainOnDelete":true}',
                '{"namespace":"per-stage","budgeted":false,"databaseServer":"managed","scalesOut":true}',
            ],
        });
    });

    it("has one row per stage, each naming its own stage", () => {
        assert.deepEqual(Object.keys(stageProfiles).sort(), [...stages].sort());
        for (const stage of stages) assert.equal(stageProfile(stage).stage, stage);
    });

    it("keeps its rows consistent: a fresh container is installed, a database that lives on is updated; isolation and egress agree", () => {
        for (const stage of stages) {
            const p = stageProfile(stage);
            assert.equal(p.init, p.database === "container" ? "install" : "update", stage);
            assert.equal(p.environment.isolated, p.environment.egress !== "direct", stage);
            // Real mail and crons only where the data is real, and never behind an isolated network.
            assert.equal(p.environment.runsCrons, p.database === "production", stage);
            assert.equal(p.mailCatcher, p.database !== "production", stage);
            assert.equal(p.environment.noIndex, p.environment.isolated, stage);
            // Only a stage that starts from a fresh database may build its image or load demo data.
            assert.equal(p.environment.buildsImage, p.database === "container", stage);
            assert.equal(p.environment.demoData, p.database === "container", stage);
        }
    });

    it("keeps its Kubernetes rows consistent: a stage with many stacks has a namespace per stack, budgeted, on the staging server; one with its own edge has its own server", () => {
        for (const stage of stages) {
            const p = stageProfile(stage);
            const k = p.kubernetes;
            // dev runs on the local Docker engine only.
            assert.equal(k === undefined, p.edge.owner === "self" && p.edge.exposure === "local", stage);
            if (!k) continue;
            assert.equal(k.namespace === "per-stack", p.edge.owner === "shared", stage);
            assert.equal(k.budgeted, k.namespace === "per-stack", stage);
            assert.equal(k.databaseServer, k.namespace === "per-stack" ? "staging-server" : "managed", stage);
            // Only real traffic scales out: the stage whose data is real.
            assert.equal(k.scalesOut, p.database === "production", stage);
        }
    });

    it("is where the mail catcher default of the schema comes from", () => {
        for (const stage of stages) assert.equal(configKeys.mailCatcher.defaults?.[stage], stageProfile(stage).mailCatcher, stage);
    });

    it("turns a PR's requested snapshot into a neutralized copy that is updated, and leaves the other stages alone", () => {
        assert.deepEqual(environmentPlan(stageProfile("pr"), false), { database: "container", init: "install", restoresSnapshot: false });
        assert.deepEqual(environmentPlan(stageProfile("pr"), true), { database: "neutralized-copy", init: "update", restoresSnapshot: true });
        assert.deepEqual(environmentPlan(stageProfile("staging"), false), { database: "neutralized-copy", init: "update", restoresSnapshot: true });
        for (const stage of ["dev", "production"] as const) {
            assert.deepEqual(
                environmentPlan(stageProfile(stage), true),
                { database: stageProfile(stage).database, init: stageProfile(stage).init, restoresSnapshot: false },
                stage,
            );
        }
    });
});
