/**
 * Builder tests: an object built by a components/ builder checked against its OpenAPI (or CRD)
 * schema, as plan/kubernetesSchemas.ts checks a whole plan's objects.
 */
import { kubernetesSchemaProblems } from "../../plan/kubernetesSchemas";
import type { RecordedResource } from "../../plan/mockRuntime";

/** The schema problems of one object of `type` (`apps/v1:Deployment`, `cert-manager.io/v1:Certificate`) built from `inputs`. */
export async function schemaProblems(type: string, inputs: Record<string, unknown>): Promise<string[]> {
    const [groupVersion, kind] = type.split(":");
    const apiVersion = groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion;
    const object: RecordedResource = {
        urn: `urn:pulumi:test::test::kubernetes:${type}::built`,
        type: `kubernetes:${type}`,
        name: "built",
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        inputs: { apiVersion, kind, metadata: { name: "built", namespace: "test" }, ...JSON.parse(JSON.stringify(inputs)) },
        options: { protect: false, retainOnDelete: false, deleteBeforeReplace: false, ignoreChanges: [], replaceOnChanges: [], additionalSecretOutputs: [] },
    };
    return kubernetesSchemaProblems([object]);
}
