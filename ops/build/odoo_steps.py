#!/usr/bin/env python3
"""The one-shot Odoo steps of a build, run inside the Odoo image by the platform's containers
(components/odooSteps.ts). Plain Python 3 and psycopg2, both in every Odoo image; no Odoo import,
so the step works the same on 16.0-19.0.

  test    run the selected modules' tests in a fresh database, within a time limit
          (odoo --test-enable --test-tags ... --stop-after-init --log-level=test)
  update  update exactly the installed modules whose content checksum changed, install the
          selected modules that are missing, and store the new checksums after a successful
          update (the click-odoo-update approach, acsone/click-odoo-contrib update.py)

Module checksums: SHA-256 over every file of the module directory in a sorted walk (relative path,
size and content), minus compiled files and what the exclude patterns match (Python fnmatch on the
path relative to the module), .po files only for active languages, plus the requirements.txt of the
module's addons-path entry. ops/promotion/checksums.ts computes the same value (a test keeps them
equal). They are stored as JSON in ir_config_parameter under CHECKSUMS_PARAM.

Arguments after `--` are Odoo options given to every odoo the step runs, right after --config
(the platform passes the options its policies judge, as on the Odoo container's command line; the
step's own options come after them, so they win).

Output: Odoo's log passes through; lines starting with RESULT_PREFIX carry a JSON report.
"""
import argparse
import configparser
import fnmatch
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

CHECKSUMS_PARAM = "odoo_platform.module_checksums"
RESULT_PREFIX = "odoo-platform-result: "
TIME_LIMIT_MARKER = "odoo-platform: test run stopped by its time limit"
DEFAULT_EXCLUDES = [
    "*.pyc", "*.pyo", "__pycache__/*", "*/__pycache__/*", ".*", "*/.*",
    "i18n/*.pot", "i18n_extra/*.pot", "static/*", "tests/*",
]
LOCK_KEY = "odoo-platform/update/"


def log(message):
    print("odoo-platform: " + message, flush=True)


def report(payload):
    print(RESULT_PREFIX + json.dumps(payload, sort_keys=True), flush=True)


def fail(message, code=2):
    log("error: " + message)
    report({"ok": False, "error": message})
    sys.exit(code)


def read_conf(path):
    parser = configparser.ConfigParser(interpolation=None)
    if not parser.read(path):
        fail("cannot read the Odoo configuration %s" % path)
    options = parser["options"] if parser.has_section("options") else {}

    def option(name, default=None):
        value = options.get(name, default)
        return None if value in (None, "", "False", "false") else value

    return {
        "host": option("db_host"),
        "port": option("db_port"),
        "user": option("db_user"),
        "password": option("db_password"),
        "sslmode": option("db_sslmode", "prefer"),
        "addons_path": [p.strip() for p in (option("addons_path") or "").split(",") if p.strip()],
    }


def connect(conf, database):
    import psycopg2

    params = {"dbname": database, "sslmode": conf["sslmode"]}
    for key in ("host", "port", "user", "password"):
        if conf[key]:
            params[key] = conf[key]
    try:
        return psycopg2.connect(**params)
    except psycopg2.OperationalError as err:
        fail("cannot connect to database %s: %s" % (database, str(err).strip()))


# --- Checksums ---------------------------------------------------------------------------------

def excluded(relpath, patterns):
    return any(fnmatch.fnmatchcase(relpath, p) for p in patterns)


def module_files(module_dir, patterns, keep_langs):
    langs = {lang.split("_")[0] for lang in keep_langs}
    for dirpath, dirnames, filenames in os.walk(module_dir):
        dirnames.sort()
        reldir = os.path.relpath(dirpath, module_dir)
        reldir = "" if reldir == "." else reldir.replace(os.sep, "/")
        for filename in sorted(filenames):
            relpath = reldir + "/" + filename if reldir else filename
            if excluded(relpath, patterns):
                continue
            if reldir in ("i18n", "i18n_extra") and filename.endswith(".po") and langs:
                if filename[:-3].split("_")[0] not in langs:
                    continue
            yield relpath


def feed(digest, name, content):
    digest.update(name.encode("utf-8") + b"\0" + str(len(content)).encode("ascii") + b"\0")
    digest.update(content)


def module_checksum(module_dir, patterns, keep_langs):
    digest = hashlib.sha256()
    for relpath in module_files(module_dir, patterns, keep_langs):
        with open(os.path.join(module_dir, relpath), "rb") as f:
            feed(digest, relpath, f.read())
    requirements = os.path.join(os.path.dirname(os.path.abspath(module_dir)), "requirements.txt")
    if os.path.isfile(requirements):
        with open(requirements, "rb") as f:
            feed(digest, "../requirements.txt", f.read())
    return "sha256:" + digest.hexdigest()


def modules_on_path(addons_path):
    """Module name -> directory, first addons-path entry wins (as Odoo resolves them)."""
    found = {}
    for entry in addons_path:
        if not os.path.isdir(entry):
            continue
        for name in sorted(os.listdir(entry)):
            path = os.path.join(entry, name)
            if name not in found and os.path.isfile(os.path.join(path, "__manifest__.py")):
                found[name] = path
    return found


def decide_updates(installed, selected, stored, current):
    """Pure: (to_update, to_install). Without any stored checksum (first run), only the selected
    modules are updated and every other installed module is baselined."""
    if not stored:
        to_update = sorted(m for m in installed if m in selected and m in current)
    else:
        to_update = sorted(m for m in installed if m in current and stored.get(m) != current[m])
    to_install = sorted(m for m in selected if m not in installed and m in current)
    return to_update, to_install


def read_state(cr):
    cr.execute("SELECT name, state, latest_version FROM ir_module_module")
    modules = {name: {"state": state, "version": version} for name, state, version in cr.fetchall()}
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (CHECKSUMS_PARAM,))
    row = cr.fetchone()
    stored = json.loads(row[0]) if row and row[0] else {}
    try:
        cr.execute("SELECT code FROM res_lang WHERE active")
        langs = [r[0] for r in cr.fetchall()]
    except Exception:
        cr.connection.rollback()
        langs = []
    return modules, stored, langs


def store_checksums(cr, checksums):
    value = json.dumps(checksums, sort_keys=True)
    cr.execute(
        "UPDATE ir_config_parameter SET value = %s, write_date = now() AT TIME ZONE 'UTC' WHERE key = %s",
        (value, CHECKSUMS_PARAM),
    )
    if not cr.rowcount:
        cr.execute(
            "INSERT INTO ir_config_parameter (key, value, create_date, write_date) "
            "VALUES (%s, %s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')",
            (CHECKSUMS_PARAM, value),
        )


def run_odoo(command, timeout=None):
    """Runs Odoo with its output passing through; returns (exit code, timed out)."""
    log("running " + " ".join(command))
    proc = subprocess.Popen(command)
    try:
        return proc.wait(timeout=timeout), False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 124, True


def cmd_update(args):
    conf = read_conf(args.conf)
    patterns = DEFAULT_EXCLUDES + list(args.exclude_pattern or [])
    selected = [m for m in (args.install or "").split(",") if m]
    conn = connect(conf, args.database)
    conn.autocommit = False
    cr = conn.cursor()
    cr.execute("SELECT pg_advisory_lock(hashtext(%s))", (LOCK_KEY + args.database,))
    try:
        cr.execute("SELECT to_regclass('ir_module_module') IS NOT NULL")
        if not cr.fetchone()[0]:
            fail("database %s is not an Odoo database (no ir_module_module table)" % args.database)
        modules, stored, langs = read_state(cr)
        installed = {m for m, s in modules.items() if s["state"] in ("installed", "to upgrade")}
        locations = modules_on_path(conf["addons_path"])
        current = {m: module_checksum(p, patterns, langs) for m, p in locations.items() if m in installed or m in selected}
        missing = sorted(m for m in selected if m not in locations)
        if missing:
            fail("selected module(s) not on the addons path %s: %s" % (",".join(conf["addons_path"]), ", ".join(missing)))
        to_update, to_install = decide_updates(installed, set(selected), stored, current)
        plan = {
            "database": args.database,
            "update": to_update,
            "install": to_install,
            "baseline": not stored,
            "before": {m: {"checksum": stored.get(m), "version": modules.get(m, {}).get("version"), "state": modules.get(m, {}).get("state")} for m in to_update + to_install},
        }
        log("update %s; install %s" % (",".join(to_update) or "nothing", ",".join(to_install) or "nothing"))
        if args.list_only:
            report(dict(plan, ok=True, listOnly=True))
            return 0
        conn.commit()
        if to_update or to_install:
            command = [args.odoo_bin, "--config", args.conf] + args.odoo_options + ["-d", args.database, "--stop-after-init", "--no-http", "--workers=0", "--max-cron-threads=0"]
            if to_update:
                command += ["-u", ",".join(to_update)]
            if to_install:
                command += ["-i", ",".join(to_install)]
            started = time.time()
            code, _ = run_odoo(command)
            plan["seconds"] = round(time.time() - started, 3)
            if code != 0:
                report(dict(plan, ok=False, exitCode=code, error="odoo exited with code %d: checksums not stored" % code))
                return code
        modules, _, langs = read_state(cr)
        installed = {m for m, s in modules.items() if s["state"] == "installed"}
        after = {m: module_checksum(p, patterns, langs) for m, p in locations.items() if m in installed}
        # Modules installed but not on this addons path keep the checksum they had.
        merged = dict((m, c) for m, c in stored.items() if m in installed and m not in after)
        merged.update(after)
        store_checksums(cr, merged)
        conn.commit()
        plan["after"] = {m: {"checksum": after.get(m), "version": modules.get(m, {}).get("version"), "state": modules.get(m, {}).get("state")} for m in to_update + to_install}
        report(dict(plan, ok=True, stored=len(merged)))
        return 0
    finally:
        conn.rollback()
        cr.execute("SELECT pg_advisory_unlock(hashtext(%s))", (LOCK_KEY + args.database,))
        conn.close()


def cmd_test(args):
    conf = read_conf(args.conf)
    modules = [m for m in args.modules.split(",") if m]
    if not modules:
        fail("no module to test")
    conn = connect(conf, args.maintenance_db)
    conn.autocommit = True
    cr = conn.cursor()
    # A fresh database for every run: nothing left over from the previous build can pass a test.
    cr.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (args.database,))
    cr.execute('DROP DATABASE IF EXISTS "%s"' % args.database.replace('"', '""'))
    cr.execute('CREATE DATABASE "%s" ENCODING \'unicode\' TEMPLATE template0' % args.database.replace('"', '""'))
    conn.close()
    minutes = args.timeout / 60.0
    log("testing %s with --test-tags %s in the new database %s (time limit %g min)" % (",".join(modules), args.tags, args.database, minutes))
    command = [args.odoo_bin, "--config", args.conf] + args.odoo_options + [
        "-d", args.database, "-i", ",".join(modules),
        "--test-enable", "--test-tags", args.tags, "--stop-after-init", "--log-level=test",
        "--workers=0", "--max-cron-threads=0",
    ]
    started = time.time()
    code, timed_out = run_odoo(command, timeout=args.timeout)
    if timed_out:
        print("%s (%g min)" % (TIME_LIMIT_MARKER, minutes), flush=True)
    report({"ok": code == 0, "exitCode": code, "timedOut": timed_out, "seconds": round(time.time() - started, 3), "database": args.database})
    return code


def main(argv):
    parser = argparse.ArgumentParser(prog="odoo_steps.py")
    sub = parser.add_subparsers(dest="step", required=True)
    update = sub.add_parser("update")
    update.add_argument("--conf", required=True)
    update.add_argument("--database", required=True)
    update.add_argument("--install", default="")
    update.add_argument("--exclude-pattern", action="append")
    update.add_argument("--list-only", action="store_true")
    update.add_argument("--odoo-bin", default="odoo")
    test = sub.add_parser("test")
    test.add_argument("--conf", required=True)
    test.add_argument("--database", required=True)
    test.add_argument("--maintenance-db", default="postgres")
    test.add_argument("--modules", required=True)
    test.add_argument("--tags", required=True)
    test.add_argument("--timeout", type=int, required=True)
    test.add_argument("--odoo-bin", default="odoo")
    odoo_options = []
    if "--" in argv:
        at = argv.index("--")
        argv, odoo_options = argv[:at], argv[at + 1:]
    args = parser.parse_args(argv)
    args.odoo_options = odoo_options
    return cmd_update(args) if args.step == "update" else cmd_test(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
