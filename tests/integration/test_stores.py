"""Every command works the same on SQLite and on PostgreSQL, and `vigie copy-store` moves a whole
site from one to the other and back, byte for byte (a PostgreSQL server of the test's own)."""
import json
import os
import shutil
import tempfile
import unittest

import harness
from harness import run_cli
from test_admin import PASSWORD


class StoresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = harness.PgCluster()

    @classmethod
    def tearDownClass(cls):
        cls.pg.close()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vigie-stores-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def cli(self, *args, url=None, stdin=None, expect=0):
        """`vigie ARGS` on the store `url` (the data directory's SQLite file when None)."""
        env = {"VIGIE_STORAGE_URL": url} if url else None
        code, out, err = run_cli(*args, data=os.path.join(self.tmp, "node"), env=env, stdin=stdin)
        if expect is not None:
            self.assertEqual(code, expect, "vigie %s: %s" % (" ".join(args), err))
        return code, out, err

    def fill(self, url=None):
        """The catalog, the demo, an operator, a token: what a site holds."""
        self.cli("import", "catalog", url=url)
        self.cli("import", "scenario", "scenarios/demo.toml", url=url)
        self.cli("user", "add", "Zoe", "--role", "admin", url=url, stdin=PASSWORD + "\n")
        self.cli("token", "create", "ci", url=url)

    def test_every_command_works_on_postgresql(self):
        url = self.pg.database()
        self.assertIn("schema at version 4", self.cli("migrate", url=url)[1])
        self.fill(url)
        _, users, _ = self.cli("user", "list", url=url)
        self.assertIn("Zoe\tadmin\tactive", users)
        self.cli("user", "add", "ZOE", url=url, stdin=PASSWORD + "\n", expect=1)  # names are unique
        self.cli("user", "add", "zoe", url=url, stdin=PASSWORD + "\n", expect=1)
        self.cli("user", "passwd", "Zoe", url=url, stdin="another long password\n")
        self.cli("user", "disable", "Zoe", url=url)
        self.assertIn("Zoe\tadmin\tdisabled", self.cli("user", "list", url=url)[1])
        _, tokens, _ = self.cli("token", "list", url=url)
        token_id = tokens.split("\t")[0]
        self.cli("token", "revoke", token_id, url=url)
        self.assertIn("revoked", self.cli("token", "list", url=url)[1])
        _, dump, _ = self.cli("export", url=url)
        tables = json.loads(dump)["tables"]
        self.assertGreater(len(tables["events"]["rows"]), 5)
        self.assertGreater(len(tables["status_changes"]["rows"]), 0)
        # A dump loads into another database, and gives the same export.
        other = self.pg.database()
        dump_file = os.path.join(self.tmp, "dump.json")
        self.cli("export", "--output", dump_file, url=url)
        self.cli("import", "dump", dump_file, url=other)
        self.assertEqual(self.cli("export", url=other)[1], dump)
        _, _, err = self.cli("import", "dump", dump_file, url=other, expect=1)
        self.assertIn("not empty", err)
        self.cli("check-config", url=url)

    def test_copy_store_from_sqlite_to_postgresql_and_back_is_byte_for_byte(self):
        original = "sqlite:" + os.path.join(self.tmp, "original.db")
        self.fill(original)
        _, before, _ = self.cli("export", url=original)
        pg = self.pg.database()
        _, out, _ = self.cli("copy-store", "--from", original, "--to", pg)
        self.assertIn("copied", out)
        back = "sqlite:" + os.path.join(self.tmp, "back.db")
        self.cli("copy-store", "--from", pg, "--to", back)
        self.assertEqual(self.cli("export", url=pg)[1], before)
        self.assertEqual(self.cli("export", url=back)[1], before)
        # Refusals, each with a sentence; nothing is written.
        _, _, err = self.cli("copy-store", "--from", original, "--to", pg, expect=1)
        self.assertIn("not empty", err)
        _, _, err = self.cli("copy-store", "--from", pg, "--to", pg, expect=2)
        self.assertIn("same store", err)
        _, _, err = self.cli("copy-store", "--from", original, "--to", "mysql://db/x", expect=2)
        self.assertIn("not a kind of store", err)
        self.assertEqual(self.cli("export", url=pg)[1], before)
        # A node on the copy shows what a node on the original shows.
        views = []
        for url in (original, pg):
            v = harness.Vigie(env={"VIGIE_STORAGE_URL": url}, seed=False)
            try:
                j = v.json("/api/v1/platforms/infinity")
                del j["as_of"]
                views.append((j, v.get("/feeds/fr/weavy/status.rss")[2]))
            finally:
                v.close()
        self.assertEqual(views[0], views[1])


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
