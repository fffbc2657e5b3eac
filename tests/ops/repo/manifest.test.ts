import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ManifestSyntaxError, parseManifest } from "../../../ops/repo/manifest";
import { parseOdooConf } from "../../../ops/repo/read/odooConf";
import { repoFixturesDir } from "../../support/repoFixtures";

/** Python, when the machine has it: Odoo's own reader (ast.literal_eval) and configparser are the oracle. */
function python(script: string, input: string): string | undefined {
    try {
        return execFileSync("python3", ["-c", script], { input, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
    }
}
const literalEval = (text: string) =>
    python(
        "import ast, json, sys\nv = ast.literal_eval(sys.stdin.read())\nprint(json.dumps(v, default=lambda o: sorted(o) if isinstance(o, (set, frozenset)) else str(o)))",
        text,
    );

/** Real manifest shapes: OCA style, Odoo S.A. style, assets with tuples, escapes, comments, trailing commas. */
const samples: Record<string, string> = {
    oca: `# Copyright 2024 Fixture
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Job Queue",
    "version": "18.0.1.3.1",
    "author": "Camptocamp,ACSONE SA/NV,Odoo Community Association (OCA)",
    "website": "https://github.com/OCA/queue",
    "license": "LGPL-3",
    "category": "Generic Modules",
    "depends": ["mail", "base_sparse_field", "web"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "views/queue_job_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "/queue_job/static/src/views/**/*",
            ("include", "web._assets_helpers"),
        ],
    },
    "installable": True,
    "development_status": "Mature",
    "maintainers": ["guewen", "sbidoul"],
    "post_init_hook": "post_init_hook",
    "post_load": "post_load",
}
`,
    odoo: `# -*- coding: utf-8 -*-
# Part of Odoo. See LICENSE file for full copyright and licensing details.

{
    'name' : 'Invoicing',
    'version' : '1.2',
    'summary': 'Invoices & Payments',
    'sequence': 10,
    'description': """
Invoicing & Payments
====================
The specific and easy-to-use Invoicing system in Odoo allows you to keep track of your accounting.\\n
    """,
    'category': 'Accounting/Accounting',
    'website': 'https://www.odoo.com/app/invoicing',
    'depends' : ['base_setup', 'onboarding', 'product', 'analytic', 'portal', 'digest'],
    'data': [
        'security/account_security.xml',
    ],
    'demo': [],
    'installable': True,
    'application': True,
    'post_init_hook': '_account_post_init',
    'license': 'LGPL-3',
    'price': -1.5e2, 'ids': (1, 0x1F, 0o17, 1_000), 'empty': set(), 'flags': {1, 2},
    'raw': r'\\d+\\.\\d', 'unicode': 'caf\\xe9 \\u20ac \\U0001F600 \\101', 'joined': 'a' "b" '''c''',
    'none': None, 'nested': {'python': [], 'bin': ['wkhtmltopdf']},
}
`,
};

describe("ops/repo/manifest: manifests read without running them", () => {
    const fixtureManifests = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
            const p = path.join(dir, e.name);
            return e.isDirectory() ? fixtureManifests(p) : e.name === "__manifest__.py" ? [p] : [];
        });

    it("reads every sample and fixture manifest exactly as Python's ast.literal_eval does", function () {
        const texts = [...Object.values(samples), ...fixtureManifests(repoFixturesDir).map((f) => fs.readFileSync(f, "utf8"))];
        for (const text of texts) {
            const expected = literalEval(text);
            if (expected === undefined) this.skip(); // no python3 on this machine: the oracle is missing
            assert.deepEqual(JSON.parse(JSON.stringify(parseManifest(text).manifest)), JSON.parse(expected!), text.slice(0, 80));
        }
    });

    it("gives the line of every top-level key", () => {
        const { keyLines } = parseManifest(samples.oca);
        assert.equal(keyLines.version, 5);
        assert.equal(keyLines.depends, 10);
    });

    for (const [text, line, column, reason] of [
        ["{'name': os.getenv('X')}", 1, 10, /not a literal/],
        ["{\n  'a': 1,\n  'b': open('/etc/passwd').read(),\n}", 3, 8, /not a literal|function call/],
        ["{'a': f'{x}'}", 1, 7, /f-string/],
        ["{'a': 1 + 2}", 1, 7, /not a literal/],
        ["{'a': [1, 2}", 1, 12, /syntax error/],
        ["import os\n{'a': 1}", 2, 1, /one dict literal/],
        ["{**defaults, 'a': 1}", 1, 2, /unpacking/],
        ["['not', 'a', 'dict']", 1, 1, /dict literal/],
    ] as const) {
        it(`refuses ${JSON.stringify(text).slice(0, 40)} at ${line}:${column}`, () => {
            assert.throws(
                () => parseManifest(text, "m/__manifest__.py"),
                (err: unknown) => {
                    assert.ok(err instanceof ManifestSyntaxError);
                    assert.equal(err.line, line);
                    assert.equal(err.column, column);
                    assert.match(err.reason, reason);
                    assert.match(err.message, /^m\/__manifest__\.py:\d+:\d+: /);
                    return true;
                },
            );
            // Odoo's own reader refuses them too.
            const refused = python(
                "import ast, sys\ntry:\n    v = ast.literal_eval(sys.stdin.read())\n    print('ok' if isinstance(v, dict) else 'refused')\nexcept Exception:\n    print('refused')",
                text,
            );
            if (refused !== undefined) assert.equal(refused.trim(), "refused");
        });
    }
});

describe("ops/repo/read/odooConf: odoo.conf read as Odoo's configparser reads it", () => {
    const text =
        "[options]\naddons_path = /a,/b ; not a comment\nX_Opt: 1\n  continued\n\n  after a blank\n# comment\n; comment\n[queue_job]\nchannels = root:2\n[a.b]\nk=v\n";
    it("agrees with Python's configparser on delimiters, case, inline ';', continuations and dotted sections", function () {
        const conf = parseOdooConf(text, "odoo.conf");
        const ours = Object.fromEntries(
            Object.entries(conf.sections).map(([s, o]) => [s, Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.value]))]),
        );
        const expected = python(
            "import configparser, json, sys\np = configparser.RawConfigParser()\np.read_string(sys.stdin.read())\nprint(json.dumps({s: dict(p.items(s)) for s in p.sections()}))",
            text,
        );
        if (expected === undefined) this.skip();
        assert.deepEqual(ours, JSON.parse(expected!));
        assert.equal(conf.sections.options.x_opt.line, 3);
        assert.equal(conf.sectionLines["queue_job"], 9);
    });
    it("refuses what configparser refuses, with the line", () => {
        assert.throws(() => parseOdooConf("[options]\nworkers = 2\nworkers = 4\n", "c.conf"), /c\.conf:3: option workers is set twice/);
        assert.throws(() => parseOdooConf("workers = 2\n", "c.conf"), /c\.conf:1: an option before any \[section\]/);
        assert.throws(() => parseOdooConf("[options]\nworkers\n", "c.conf"), /c\.conf:2: "workers" has no = or :/);
    });
});
