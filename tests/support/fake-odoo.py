#!/usr/bin/env python3
"""A stand-in for `odoo` in tests of ops/build/odoo_steps.py: it does to the database what an update
does to ir_module_module (state and latest_version from each module's manifest) and records how it
was called. Environment:
  FAKE_ODOO_CALLS   file that gets one JSON line per call (the argv)
  FAKE_ODOO_EXIT    exit code (default 0); with FAKE_ODOO_PARTIAL=1 the first module is still
                    written before the failure, as a real update commits module by module
  FAKE_ODOO_LOG     file whose content is printed (a test run's log)
  FAKE_ODOO_SLEEP   seconds to sleep before exiting (the time limit)
"""
import ast
import configparser
import json
import os
import sys
import time


def arg(argv, name):
    if name in argv:
        return argv[argv.index(name) + 1]
    return None


def main(argv):
    calls = os.environ.get("FAKE_ODOO_CALLS")
    if calls:
        with open(calls, "a") as f:
            f.write(json.dumps(argv) + "\n")
    if os.environ.get("FAKE_ODOO_LOG"):
        with open(os.environ["FAKE_ODOO_LOG"]) as f:
            sys.stdout.write(f.read())
            sys.stdout.flush()
    if os.environ.get("FAKE_ODOO_SLEEP"):
        time.sleep(float(os.environ["FAKE_ODOO_SLEEP"]))
    code = int(os.environ.get("FAKE_ODOO_EXIT", "0"))
    modules = [m for m in ((arg(argv, "-u") or "") + "," + (arg(argv, "-i") or "")).split(",") if m]
    if "--test-enable" in argv or not modules:
        return code
    if code != 0 and os.environ.get("FAKE_ODOO_PARTIAL") != "1":
        return code
    if code != 0:
        modules = modules[:1]
    import psycopg2

    conf = configparser.ConfigParser(interpolation=None)
    conf.read(arg(argv, "--config"))
    o = conf["options"]
    conn = psycopg2.connect(dbname=arg(argv, "-d"), host=o.get("db_host"), port=o.get("db_port"), user=o.get("db_user"), password=o.get("db_password") or None)
    cr = conn.cursor()
    paths = [p.strip() for p in o.get("addons_path").split(",")]
    for module in modules:
        version = None
        for entry in paths:
            manifest = os.path.join(entry, module, "__manifest__.py")
            if os.path.isfile(manifest):
                with open(manifest) as f:
                    version = ast.literal_eval(f.read()).get("version")
                break
        cr.execute("UPDATE ir_module_module SET state = 'installed', latest_version = %s WHERE name = %s", (version, module))
        if not cr.rowcount:
            cr.execute("INSERT INTO ir_module_module (id, name, state, latest_version) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM ir_module_module), %s, 'installed', %s)", (module, version))
        conn.commit()
    conn.close()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
