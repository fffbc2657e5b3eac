/**
 * The one-shot build steps an OdooEnvironment runs besides its prepare step, as pure builders
 * (the component only creates the containers):
 *
 *   tests   dev/PR builds: the selected modules installed in a fresh database and their tests run
 *           (`odoo --test-enable --test-tags … --stop-after-init --log-level=test`) within a time
 *           limit. Its exit code and log are the build's result (ops/build/testLog.ts); a red build
 *           still leaves the environment up for the developer to look at.
 *   update  staging/production: the installed modules whose content checksum changed are updated and
 *           the selected ones missing are installed (ops/promotion/checksums.ts). The new Odoo
 *           container is created only after this step exited 0, so until then the previous one
 *           keeps serving; a failed update stops the deployment.
 *
 * Both run ops/build/odoo_steps.py with the image's own python3, as role `odoo-init` (the policy
 * packs check them like every container running Odoo) and the label `odoo-platform.step`. The Odoo
 * options the policies judge (components/odooConf.ts odooCommandLine) follow a `--`: the step hands
 * them to every odoo it runs, and a preview, which cannot read the secret odoo.conf, can read them.
 * The Docker provider waits for a container with `attach` to exit, within the create timeout (20
 * minutes by default: kreuzwerker/terraform-provider-docker, internal/provider/resource_docker_container.go),
 * so the test step's timeout is set from its time limit.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const stepScriptPath = "/opt/odoo-platform/odoo_steps.py";
export const stepLabel = "odoo-platform.step";
const stepScriptSource = path.resolve(__dirname, "../ops/build/odoo_steps.py");

/** The program both steps run (uploaded into the container: a change to it re-runs the step). */
export function stepScript(): string {
    return fs.readFileSync(stepScriptSource, "utf8");
}

/** Odoo's own tag syntax: a spec naming a module, class or method, or excluding, is used as written. */
const fullSpec = /[/:.]|^-/;

/**
 * `--test-tags` of a build: each bare tag applied to each tested module (`at_install` →
 * `at_install/sale,at_install/stock`), full specs kept as written. Sorted and deduplicated.
 */
export function testTagSpecs(modules: string[], tags: string[]): string {
    if (!modules.length) throw new Error("testTagSpecs: no module to test");
    const specs = new Set<string>();
    for (const tag of tags) {
        if (fullSpec.test(tag)) specs.add(tag);
        else for (const module of modules) specs.add(`${tag.replace(/^\+/, "")}/${module}`);
    }
    return [...specs].sort().join(",");
}

/** The fresh database a build's tests run in, next to the environment's own (≤ 63 characters). */
export function testDatabaseName(database: string): string {
    const suffix = "_tests";
    return `${database.slice(0, 63 - suffix.length)}${suffix}`;
}

export interface TestStepInput {
    confPath: string;
    /** The environment's database (the tests get their own, testDatabaseName). */
    database: string;
    modules: string[];
    tags: string[];
    timeoutMinutes: number;
    /** Odoo options handed to odoo after `--` (odooCommandLine). */
    odooOptions?: string[];
}

export function testStepCommand(input: TestStepInput): string[] {
    if (!input.modules.length) throw new Error("testStepCommand: no module to test");
    if (!(Number.isInteger(input.timeoutMinutes) && input.timeoutMinutes > 0))
        throw new Error(`testStepCommand: timeoutMinutes must be a whole number > 0, got ${input.timeoutMinutes}`);
    return [
        "python3",
        stepScriptPath,
        "test",
        "--conf",
        input.confPath,
        "--database",
        testDatabaseName(input.database),
        "--modules",
        [...input.modules].sort().join(","),
        "--tags",
        testTagSpecs(input.modules, input.tags),
        "--timeout",
        String(input.timeoutMinutes * 60),
        ...odooOptionsAfter(input.odooOptions),
    ];
}

const odooOptionsAfter = (options: string[] = []): string[] => (options.length ? ["--", ...options] : []);

/** How long the provider may wait for the test container: the time limit plus Odoo's own shutdown and the install. */
export function testStepCreateTimeout(timeoutMinutes: number): string {
    return `${timeoutMinutes + 15}m`;
}

export interface UpdateStepInput {
    confPath: string;
    database: string;
    /** Modules that must be installed (the selection); installed ones are updated when their checksum changed. */
    install: string[];
    /** Extra checksum exclusions (fnmatch, relative to a module). */
    exclude: string[];
    /** Odoo options handed to odoo after `--` (odooCommandLine). */
    odooOptions?: string[];
}

export function updateStepCommand(input: UpdateStepInput): string[] {
    const command = [
        "python3",
        stepScriptPath,
        "update",
        "--conf",
        input.confPath,
        "--database",
        input.database,
        "--install",
        [...input.install].sort().join(","),
    ];
    for (const pattern of input.exclude) command.push("--exclude-pattern", pattern);
    return [...command, ...odooOptionsAfter(input.odooOptions)];
}

/** The message a failed step stops the deployment with. */
export function stepFailure(component: string, step: "update", container: string, code: number): string {
    return `OdooEnvironment ${component}: the module ${step} (${container}) exited with code ${code}; the previous Odoo keeps serving. See \`docker logs ${container}\``;
}
