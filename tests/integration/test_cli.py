"""The command line: configuration checks, imports, export and dump round trip."""
import json
import os
import shutil
import tempfile
import unittest

import harness
from harness import run_cli


class CliTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="vigie-cli-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def data(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_check_config_accepts_the_shipped_file(self):
        code, out, err = run_cli("check-config", "--config", "vigie.toml")
        self.assertEqual(code, 0, err)
        self.assertIn("ok", out)

    def test_check_config_names_file_and_line(self):
        bad = self.write("bad.toml", '[site]\n[[site.regions]]\nid = "fr"\ntime_zone = "Europe/Pariss"\n')
        code, out, err = run_cli("check-config", "--config", bad)
        self.assertEqual(code, 2)
        self.assertIn(bad + ":2:", err)
        self.assertIn("Europe/Pariss", err)
        code, _, err = run_cli("check-config", "--config", self.data("missing.toml"))
        self.assertEqual(code, 2)
        self.assertTrue(err.strip())

    def test_unknown_command_is_refused(self):
        code, _, err = run_cli("fly")
        self.assertEqual(code, 2)
        self.assertTrue(err.strip())

    def test_migrate_then_catalog_then_reimport_keeps_ids(self):
        d = self.data("a")
        code, out, err = run_cli("migrate", data=d)
        self.assertEqual(code, 0, err)
        self.assertIn("version 10", out)
        code, out, err = run_cli("import", "catalog", data=d)
        self.assertEqual(code, 0, err)
        self.assertIn("2 platforms, 37 services", out)
        _, dump1, _ = run_cli("export", data=d)
        code, _, err = run_cli("import", "catalog", data=d)
        self.assertEqual(code, 0, err)
        _, dump2, _ = run_cli("export", data=d)
        rows = lambda dump: json.loads(dump)["tables"]["services"]["rows"]
        self.assertEqual(rows(dump1), rows(dump2))

    def test_a_bad_scenario_is_refused_whole_with_its_line(self):
        d = self.data("b")
        self.assertEqual(run_cli("import", "catalog", data=d)[0], 0)
        bad = self.write("bad.toml", """
[[events]]
kind = "incident"
platform = "weavy"
title = { fr = "Bon", en = "Good" }
start = "now-1h"
services = { back-office = "major" }

[[events]]
kind = "incident"
platform = "weavy"
title = { fr = "Mauvais", en = "Bad" }
start = "now-1h"
services = { teleporter = "major" }
""")
        code, out, err = run_cli("import", "scenario", bad, data=d)
        self.assertEqual(code, 2)
        self.assertIn(bad + ":14:", err)
        self.assertIn("teleporter", err)
        _, dump, _ = run_cli("export", data=d)
        self.assertEqual(json.loads(dump)["tables"]["events"]["rows"], [],
                         "nothing of a refused scenario is written")

    def test_export_import_dump_round_trip(self):
        a, b = self.data("a"), self.data("b")
        self.assertEqual(run_cli("import", "catalog", data=a)[0], 0)
        code, _, err = run_cli("import", "scenario", "scenarios/demo.toml", data=a)
        self.assertEqual(code, 0, err)
        dump_file = self.data("dump.json")
        code, _, err = run_cli("export", "--output", dump_file, data=a)
        self.assertEqual(code, 0, err)
        code, _, err = run_cli("import", "dump", dump_file, data=b)
        self.assertEqual(code, 0, err)
        _, again, _ = run_cli("export", data=b)
        with open(dump_file) as f:
            original = f.read()
        self.assertEqual(again, original)
        tables = json.loads(original)["tables"]
        self.assertGreater(len(tables["events"]["rows"]), 5)
        self.assertGreater(len(tables["status_changes"]["rows"]), 0)
        self.assertGreater(len(tables["audit"]["rows"]), 0)
        # not into a database that already holds data
        code, _, err = run_cli("import", "dump", dump_file, data=b)
        self.assertNotEqual(code, 0)
        self.assertIn("not empty", err)
        code, _, err = run_cli("import", "dump", self.write("junk.json", "[1,2"), data=self.data("c"))
        self.assertEqual(code, 2)
        self.assertIn("not a Vigie dump", err)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
