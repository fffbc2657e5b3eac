/**
 * CLI: `odoo-platform init --domain D --repo owner/name` — writes this organisation's stack files
 * (ops/repo/init.ts), validated by the program's own schema before anything is written.
 */
import { Command, Option } from "commander";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readStackConfigFile } from "../../../config/files";
import { ConfigError, projectValues, resolveSettings } from "../../../config/load";
import { imageDigestPattern, isDnsName } from "../../../config/naming";
import { odooSeries, OdooSeries } from "../../../config/schema";
import { stackIdentity } from "../../../config/stage";
import { runtimeContract } from "../../../config/contract";
import { action, UsageError } from "../runtime";
import { placeholderNotes, placeholders, stackFiles } from "../../repo/init";

interface InitCliOptions {
    domain: string;
    repo: string;
    dir: string;
    odooVersion: string;
    addonsPath?: string;
    addonsRoots?: string;
    smtpHost: string;
    awsRegion: string;
    imageDigest: string;
    force?: boolean;
    json?: boolean;
}

const list = (v: string | undefined) =>
    v
        ? v
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
        : undefined;

export function register(program: Command): void {
    program
        .command("init")
        .description("write this organisation's stack files (Pulumi.dev/pr/staging/production.yaml) for its domain and repository")
        .requiredOption("--domain <domain>", "the organisation's DNS domain (erp.<domain>, staging.<domain>, pr-<n>-….dev.<domain>)")
        .requiredOption("--repo <owner/name>", "the GitHub repository of the Odoo code")
        .option("--dir <dir>", "where to write the files", ".")
        .addOption(new Option("--odoo-version <series>", "Odoo series").choices([...odooSeries]).default("18.0"))
        .option("--addons-path <paths>", "addons path inside the container, comma-separated (default: the runtime contract's)")
        .option("--addons-roots <globs>", "repository directories holding your own modules, comma-separated (default: addons)")
        .option("--smtp-host <host>", "production's SMTP relay", "smtp.postmarkapp.com")
        .option("--aws-region <region>", "region of the snapshot buckets", "eu-west-1")
        .option("--image-digest <sha256:…>", "digest of the pinned staging/production image", placeholders.imageDigest)
        .option("--force", "overwrite existing stack files")
        .option("--json", "print the report as JSON")
        .action(
            action(async (opts: InitCliOptions) => {
                if (!isDnsName(opts.domain) || !opts.domain.includes("."))
                    throw new UsageError(`--domain ${opts.domain}: must be a DNS domain such as example.com`);
                if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(opts.repo)) throw new UsageError(`--repo ${opts.repo}: must be owner/name`);
                if (!imageDigestPattern.test(opts.imageDigest)) throw new UsageError(`--image-digest ${opts.imageDigest}: must be sha256:<64 hex>`);
                const dir = path.resolve(opts.dir);
                const files = stackFiles({
                    domain: opts.domain,
                    repo: opts.repo,
                    odooVersion: opts.odooVersion as OdooSeries,
                    addonsPath: list(opts.addonsPath) ?? runtimeContract.addonsPath,
                    addonsRoots: list(opts.addonsRoots),
                    smtpHost: opts.smtpHost,
                    awsRegion: opts.awsRegion,
                    imageDigest: opts.imageDigest,
                    cloudflareZoneId: placeholders.cloudflareZoneId,
                    nonprodIp: placeholders.nonprodIp,
                    productionIp: placeholders.productionIp,
                    reviewers: placeholders.reviewers,
                    evidenceDbHost: placeholders.evidenceDbHost,
                    evidenceDbAdminUser: placeholders.evidenceDbAdminUser,
                });
                const existing = Object.keys(files).filter((f) => fs.existsSync(path.join(dir, f)));
                if (existing.length && !opts.force)
                    throw new UsageError(`${existing.join(", ")} already exist in ${dir}: nothing was written (use --force to replace them)`);
                validate(files);
                fs.mkdirSync(dir, { recursive: true });
                for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
                const notes = placeholderNotes({
                    ...placeholders,
                    domain: opts.domain,
                    repo: opts.repo,
                    odooVersion: opts.odooVersion as OdooSeries,
                    addonsPath: [],
                    smtpHost: opts.smtpHost,
                    awsRegion: opts.awsRegion,
                    imageDigest: opts.imageDigest,
                });
                const text = [
                    `wrote ${Object.keys(files).join(", ")} in ${dir}`,
                    ...(notes.length ? ["replace the placeholders before deploying for real:", ...notes.map((n) => `  - ${n}`)] : []),
                    "next: npm run plan -- --stack staging, then odoo-platform repo check",
                ].join("\n");
                return { exitCode: 0, report: { dir, files: Object.keys(files), placeholders: notes }, text };
            }),
        );
}

/** Every generated file must be a valid stack for the program (checked before writing any). */
function validate(files: Record<string, string>): void {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "odoo-platform-init-"));
    try {
        for (const [f, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(tmp, f), text);
            const parsed = readStackConfigFile(path.join(tmp, f));
            const values = { values: projectValues(parsed.values), secretKeys: new Set<string>(), file: f };
            const isPr = f === "Pulumi.pr.yaml";
            const identity = stackIdentity(isPr ? "pr-1" : f.replace(/^Pulumi\.|\.yaml$/g, ""));
            try {
                resolveSettings({
                    identity,
                    stack: isPr ? { values: {}, secretKeys: new Set(), file: f } : values,
                    prDefaults: isPr ? values : undefined,
                    env: { ODOO_PLATFORM_GIT_SHA: "0000000", ODOO_PLATFORM_GIT_BRANCH: "init" },
                });
            } catch (err) {
                if (err instanceof ConfigError) throw new UsageError(`the generated ${f} would be invalid: ${err.problems.join("; ")}`);
                throw err;
            }
        }
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}
