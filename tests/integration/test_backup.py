"""Backups that restore: `vigie backup` while writes land gives a copy that `vigie restore`
loads into an empty store as the site was at one instant; a damaged or truncated backup is
refused with a sentence and nothing is written; `--replace` swaps a running site's content and
its nodes show it. On SQLite (the backup is a SQLite file) and on PostgreSQL (a dump)."""
import json
import os
import shutil
import tempfile
import threading
import time
import unittest

import harness
from harness import run_cli
from test_nodes import create_incident, level


class Backups:
    """A subclass says how to name a new, empty store (new_store)."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vigie-backup-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def cli(self, *args, url, expect=0):
        code, out, err = run_cli(*args, data=os.path.join(self.tmp, "cli"), env={"VIGIE_STORAGE_URL": url})
        if expect is not None:
            self.assertEqual(code, expect, "vigie %s: %s" % (" ".join(args), err))
        return code, out, err

    def export(self, url):
        return json.loads(self.cli("export", url=url)[1])

    def test_a_backup_under_writes_restores_the_site_of_one_instant(self):
        url = self.new_store()
        v = harness.Vigie(env={"VIGIE_STORAGE_URL": url})
        self.addCleanup(v.close)
        token = v.token()
        stop = threading.Event()
        created = []

        def writer():
            i = 0
            while not stop.is_set():
                status, eid = create_incident(v, token, "écrit %d" % i)
                if status == 201:
                    created.append(eid)
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        try:
            time.sleep(1)
            backup = os.path.join(self.tmp, "site.backup")
            self.cli("backup", backup, url=url)
            time.sleep(1)
        finally:
            stop.set()
            t.join()
        self.assertFalse(os.path.exists(backup + ".tmp"))
        restored_url = self.new_store()
        self.cli("restore", backup, url=restored_url)
        source, restored = self.export(url)["tables"], self.export(restored_url)["tables"]
        events = [row[0] for row in restored["events"]["rows"]]
        self.assertGreater(len(events), 0)
        self.assertLess(len(events), len(source["events"]["rows"]), "taken while writes went on")
        # The site of one instant: each history table is the source's, up to the backup's last row.
        for name in ("events", "event_services", "event_updates", "status_changes", "audit",
                     "platforms", "services", "api_tokens"):
            rows = restored[name]["rows"]
            key = (lambda r: tuple(r[:2])) if name == "event_services" else (lambda r: r[0])
            if name in ("platforms", "services", "api_tokens"):
                self.assertEqual(rows, source[name]["rows"], name)
                continue
            last = max(key(r) for r in rows)
            self.assertEqual(rows, [r for r in source[name]["rows"] if key(r) <= last], name)
        # Every write acknowledged before the last one in the backup is in it.
        self.assertEqual(events, sorted(events))
        self.assertTrue(set(e for e in created if e <= events[-1]) <= set(events))

    def test_a_damaged_backup_is_refused_and_nothing_is_written(self):
        url = self.new_store()
        self.cli("import", "catalog", url=url)
        self.cli("import", "scenario", "scenarios/demo.toml", url=url)
        backup = os.path.join(self.tmp, "site.backup")
        self.cli("backup", backup, url=url)
        with open(backup, "rb") as f:
            data = f.read()
        target = self.new_store()
        for name, damaged in (("truncated", data[:len(data) // 2]),
                              ("zeroed", data[:len(data) // 2] + b"\0" * (len(data) - len(data) // 2)),
                              ("not a backup", b"hello\n")):
            path = os.path.join(self.tmp, name)
            with open(path, "wb") as f:
                f.write(damaged)
            code, _, err = self.cli("restore", path, url=target, expect=None)
            self.assertEqual(code, 2, "%s: %s" % (name, err))
            self.assertIn("cannot be used", err, name)
            self.assertEqual(self.export(target)["tables"]["events"]["rows"], [], name)
        code, _, err = self.cli("restore", os.path.join(self.tmp, "missing"), url=target, expect=None)
        self.assertEqual(code, 2, err)
        # The whole one loads; not twice, unless told to replace.
        self.cli("restore", backup, url=target)
        _, _, err = self.cli("restore", backup, url=target, expect=1)
        self.assertIn("--replace", err)

    def test_replace_swaps_a_running_site_and_its_node_shows_it(self):
        url = self.new_store()
        v = harness.Vigie(env={"VIGIE_STORAGE_URL": url})
        self.addCleanup(v.close)
        backup = os.path.join(self.tmp, "site.backup")
        self.cli("backup", backup, url=url)
        token = v.token()
        status, eid = create_incident(v, token, "après la sauvegarde")
        self.assertEqual(status, 201)
        self.assertEqual(level(v, "studio"), "minor")
        self.cli("restore", "--replace", backup, url=url)
        v.wait_for(lambda: v.get("/api/v1/events/%d" % eid)[0] == 404, timeout=10,
                   what="the node showing the site as backed up")
        self.assertEqual(level(v, "studio"), "operational")
        # The token made after the backup is gone with the rest.
        self.assertEqual(v.request("POST", "/api/v1/admin/levels", {"Authorization": "Bearer " + token},
                                   "{}")[0], 401)


class SqliteBackupTest(Backups, unittest.TestCase):
    def new_store(self):
        return "sqlite:" + tempfile.mktemp(prefix="store-", suffix=".db", dir=self.tmp)


class PostgresBackupTest(Backups, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = harness.PgCluster()

    @classmethod
    def tearDownClass(cls):
        cls.pg.close()

    def new_store(self):
        return self.pg.database()


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
