"""The database goes away under two nodes on PostgreSQL (a server of the test's own, really
stopped): every public read keeps being served from the snapshot, /readyz says what is
happening, writes answer 503 with a sentence and nothing acknowledged is lost, the back-office
says why it cannot work; when the database returns, the nodes reconnect and catch up alone."""
import json
import os
import shutil
import tempfile
import threading
import time
import unittest

import harness
from test_admin import PASSWORD, Browser
from test_nodes import create_incident, level, set_level

READS = ["/fr/weavy/", "/en/infinity/", "/fr/weavy/services/studio", "/fr/weavy/history",
         "/feeds/fr/weavy/status.rss", "/feeds/en/infinity/messages.atom", "/feeds/fr/weavy/maintenance.ics",
         "/api/v1/platforms", "/api/v1/platforms/weavy", "/api/v2/summary.json",
         "/weavy/api/v2/incidents/unresolved.json", "/badge/fr/weavy.svg", "/fr/weavy/embed", "/healthz"]


class Load:
    """Readers on every node, and one writer of incidents, until stopped: what each got."""

    def __init__(self, nodes, writer_node, token):
        self.stopping = threading.Event()
        self.reads = 0
        self.failed_reads = []
        self.acknowledged = []
        self.refused = []  # (status, body) of writes that were not acknowledged
        self.threads = [threading.Thread(target=self.read, args=(v,)) for v in nodes for _ in range(2)]
        self.threads.append(threading.Thread(target=self.write, args=(writer_node, token)))
        for t in self.threads:
            t.start()

    def read(self, v):
        i = 0
        while not self.stopping.is_set():
            path = READS[i % len(READS)]
            i += 1
            try:
                status, _, _ = v.get(path)
            except OSError as e:
                status = repr(e)
            self.reads += 1
            if status != 200:
                self.failed_reads.append((path, status))

    def write(self, v, token):
        i = 0
        while not self.stopping.is_set():
            status, _, body = v.request("POST", "/api/v1/admin/events",
                                        {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                                        json.dumps({"kind": "incident", "platform": "weavy", "regions": ["fr"],
                                                    "title": {"fr": "é %d" % i, "en": "w %d" % i},
                                                    "services": {"studio": "minor"}}))
            i += 1
            if status == 201:
                self.acknowledged.append(json.loads(body)["id"])
            else:
                self.refused.append((status, body))
                time.sleep(0.05)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join()


class OutageTest(unittest.TestCase):
    def setUp(self):
        self.pg = harness.PgCluster()
        self.addCleanup(self.pg.close)
        self.env = {"VIGIE_STORAGE_URL": self.pg.database()}
        self.a = harness.Vigie(env=self.env)
        self.addCleanup(self.a.close)
        self.b = harness.Vigie(env=self.env, seed=False)
        self.addCleanup(self.b.close)
        self.token = self.a.token()
        code, _, err = harness.run_cli("user", "add", "alice", "--role", "admin", data=self.a.data, env=self.env,
                                       stdin=PASSWORD + "\n")
        self.assertEqual(code, 0, err)

    def test_the_database_stopped_under_reads_and_writes_then_back(self):
        a, b = self.a, self.b
        alice = Browser(a)
        alice.login("alice")
        self.assertEqual(alice.request("GET", "/admin/")[0], 200)
        load = Load((a, b), a, self.token)
        try:
            time.sleep(1)
            self.pg.stop()
            stopped = time.time()
            for v in (a, b):
                v.wait_for(lambda: v.get("/readyz")[0] == 503, timeout=10, what="/readyz saying so")
            # What each part says while the database is away.
            for v in (a, b):
                status, _, body = v.get("/readyz")
                text = json.loads(body)["error"]["message"]
                self.assertIn("database unreachable since", text)
                self.assertIn("serving the snapshot of", text)
                self.assertEqual(v.get("/healthz")[0], 200)
            status, _, body = a.request("POST", "/api/v1/admin/levels",
                                        {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"},
                                        json.dumps({"platform": "weavy", "service": "studio", "level": "outage"}))
            self.assertEqual(status, 503)
            self.assertIn("unreachable", json.loads(body)["error"]["message"])
            status, _, page = alice.request("GET", "/admin/")
            self.assertEqual(status, 503)
            self.assertIn("La base de données est injoignable", page)
            status, _, page = Browser(b).request("GET", "/admin/login")
            self.assertEqual(status, 200)
            self.assertIn('class="banner banner-outage"', page)
            self.assertIn("injoignable depuis", page)
            code, _, err = harness.run_cli("token", "create", "late", data=a.data, env=self.env)
            self.assertEqual(code, 1)
            self.assertIn("unreachable", err)
            time.sleep(max(0, 3 - (time.time() - stopped)))
            self.pg.start()
            back = time.time()
            for v in (a, b):
                v.wait_for(lambda: v.get("/readyz")[0] == 200, timeout=20, what="/readyz ready again")
            ready_after = time.time() - back
            time.sleep(1)  # writes land again
        finally:
            load.stop()
        print("\n%d reads while the database stopped and came back: %d failed; %d writes acknowledged, "
              "%d refused; ready %.1f s after it returned" % (load.reads, len(load.failed_reads),
                                                               len(load.acknowledged), len(load.refused),
                                                               ready_after))
        self.assertEqual(load.failed_reads, [])
        self.assertGreater(len(load.refused), 0, "writes were refused while it was away")
        for status, body in load.refused:
            self.assertEqual(status, 503, body)
            self.assertTrue(json.loads(body)["error"]["message"], body)
        self.assertGreater(len(load.acknowledged), 0)
        for v in (a, b):
            v.wait_for(lambda: all(v.get("/api/v1/events/%d" % eid)[0] == 200 for eid in load.acknowledged),
                       timeout=10, what="every acknowledged write on every node")
        # Writes work again without a restart, and each node shows the other's at once.
        self.assertEqual(set_level(b, self.token, "studio", "outage"), 200)
        a.wait_for(lambda: level(a, "studio") == "outage", timeout=2, what="b's write on a")
        self.assertEqual(alice.request("GET", "/admin/")[0], 200, "the session outlived the outage")
        self.assertNotIn("banner-outage", alice.request("GET", "/admin/")[2])


def write_while_stopped(test, other, title):
    """Another node writes a level and an incident, then stops: what a node stopped meanwhile
    must show when it starts again (the service, and the incident's id)."""
    token = other.token()
    test.assertEqual(set_level(other, token, "studio", "outage"), 200)
    status, event_id = create_incident(other, token, title)
    test.assertEqual(status, 201)
    expected = other.json("/api/v1/platforms/weavy/services/studio")
    test.assertEqual(other.terminate(), 0)
    return expected, event_id


def assert_started_from_copy(test, node, expected, event_id=None, title=None):
    test.assertIn("starting from the local copy of the state saved at", node.log())
    got = node.json("/api/v1/platforms/weavy/services/studio")
    test.assertEqual(got["status"], expected["status"])
    test.assertEqual(got["history"], expected["history"])
    if event_id is not None:
        status, _, page = node.get("/fr/events/%d" % event_id)
        test.assertEqual(status, 200)
        test.assertIn(title, page.decode())
    test.assertEqual(node.get("/readyz")[0], 200)


def export_then_import(test, source, data, env=None):
    """The dump of a stopped node, imported into the store of a node whose folder is `data`,
    which the import leaves its local copy in."""
    dump = os.path.join(source.data, "dump.json")
    code, _, err = harness.run_cli("export", "--output", dump, data=source.data)
    test.assertEqual(code, 0, err)
    code, _, err = harness.run_cli("import", "dump", dump, data=data, env=env)
    test.assertEqual(code, 0, err)
    test.assertTrue(os.path.exists(os.path.join(data, "last-state.bin")))


class ColdStartTest(unittest.TestCase):
    """A node that starts while its database is away."""

    def setUp(self):
        self.pg = harness.PgCluster()
        self.addCleanup(self.pg.close)
        self.env = {"VIGIE_STORAGE_URL": self.pg.database()}

    def node(self, **kwargs):
        v = harness.Vigie(env=self.env, **kwargs)
        self.addCleanup(v.close)
        return v

    def test_it_serves_its_local_copy_then_joins_when_the_database_returns(self):
        first = self.node()
        self.assertEqual(set_level(first, first.token(), "studio", "outage"), 200)
        copy = os.path.join(first.data, "last-state.bin")
        first.wait_for(lambda: os.path.exists(copy), what="the local copy written")
        expected = first.json("/api/v1/platforms/weavy/services/studio")
        self.assertEqual(first.terminate(), 0)
        self.pg.stop()
        again = self.node(data=first.data, seed=False)  # the same node, the database away
        got = again.json("/api/v1/platforms/weavy/services/studio")
        self.assertEqual(got["status"], expected["status"])
        self.assertEqual(got["history"], expected["history"])
        for path in ("/fr/weavy/", "/feeds/fr/weavy/status.rss", "/api/v2/summary.json", "/badge/fr/weavy.svg"):
            self.assertEqual(again.get(path)[0], 200, path)
        again.wait_for(lambda: again.get("/readyz")[0] == 503, what="/readyz saying so")
        self.assertIn("the local copy of the state saved at", json.loads(again.get("/readyz")[2])["error"]["message"])
        self.assertIn("serving the local copy of the state saved at", again.log())
        self.pg.start()
        again.wait_for(lambda: again.get("/readyz")[0] == 200, timeout=20, what="the node joining")
        self.assertIn("in place of the local copy", again.log())
        self.assertEqual(set_level(again, again.token(), "studio", "operational"), 200)
        self.assertEqual(level(again, "studio"), "operational")

    def test_a_restart_reads_its_local_copy_then_what_changed_since_from_the_database(self):
        first = self.node()
        self.assertEqual(set_level(first, first.token(), "studio", "minor"), 200)
        copy = os.path.join(first.data, "last-state.bin")
        first.wait_for(lambda: os.path.exists(copy), what="the local copy written")
        self.assertEqual(first.terminate(), 0)
        # While it is stopped, another node writes a level and an incident.
        expected, event_id = write_while_stopped(self, self.node(seed=False), "Pendant la coupure")
        again = self.node(data=first.data, seed=False)
        assert_started_from_copy(self, again, expected, event_id, "Pendant la coupure")

    def test_an_import_into_postgresql_leaves_the_copy_its_first_start_reads(self):
        source = harness.Vigie()  # on SQLite: a site moved to PostgreSQL by its dump
        self.addCleanup(source.close)
        expected = source.json("/api/v1/platforms/weavy/services/studio")
        self.assertEqual(source.terminate(), 0)
        data = os.path.join(tempfile.mkdtemp(prefix="vigie-it-"), "node")  # not made yet
        self.addCleanup(shutil.rmtree, os.path.dirname(data), True)
        export_then_import(self, source, data, env=self.env)
        assert_started_from_copy(self, self.node(data=data, seed=False), expected)

    def test_without_a_local_copy_it_answers_503_in_both_languages_until_the_database_returns(self):
        seeded = self.node()  # the catalog and the demo, in the database
        self.assertEqual(seeded.terminate(), 0)
        self.pg.stop()
        fresh = self.node(seed=False)  # a new node: an empty data directory
        status, headers, page = fresh.get("/fr/weavy/")
        self.assertEqual(status, 503)
        page = page.decode()
        self.assertIn("La page de statut démarre", page)
        self.assertIn("The status page is starting", page)
        self.assertEqual(headers.get("retry-after"), "5")
        status, _, body = fresh.get("/api/v1/platforms")
        self.assertEqual(status, 503)
        self.assertIn("starting", json.loads(body)["error"]["message"])
        self.assertEqual(fresh.get("/admin/login")[0], 503)
        self.assertEqual(fresh.get("/readyz")[0], 503)
        self.assertEqual(fresh.get("/healthz")[0], 200)
        self.pg.start()
        fresh.wait_for(lambda: fresh.get("/fr/weavy/")[0] == 200, timeout=20, what="the first state")
        self.assertEqual(fresh.json("/api/v1/platforms/weavy")["platform"]["slug"], "weavy")
        fresh.wait_for(lambda: fresh.get("/readyz")[0] == 200, timeout=10, what="ready")


class SqliteLocalCopyTest(unittest.TestCase):
    """A node on SQLite keeps its local copy too, written when it stops, and starts from it."""

    def node(self, **kwargs):
        v = harness.Vigie(**kwargs)
        self.addCleanup(v.close)
        return v

    def test_a_restart_reads_its_copy_then_what_changed_since_from_the_database(self):
        first = self.node()
        self.assertEqual(set_level(first, first.token(), "studio", "minor"), 200)
        copy = os.path.join(first.data, "last-state.bin")
        self.assertFalse(os.path.exists(copy))  # not after each write: the disk is this machine's
        self.assertEqual(first.terminate(), 0)
        self.assertTrue(os.path.exists(copy))  # written as it stopped
        # While it is stopped, another process writes into its database (a node of its own,
        # whose folder is elsewhere): a level and an incident the copy does not have.
        other = self.node(seed=False, env={"VIGIE_STORAGE_URL": "sqlite:" + os.path.join(first.data, "vigie.db")})
        expected, event_id = write_while_stopped(self, other, "Pendant la pause")
        again = self.node(data=first.data, seed=False)
        assert_started_from_copy(self, again, expected, event_id, "Pendant la pause")

    def test_an_import_leaves_the_copy_its_first_start_reads(self):
        source = self.node()
        self.assertEqual(set_level(source, source.token(), "studio", "major"), 200)
        expected = source.json("/api/v1/platforms/weavy/services/studio")
        self.assertEqual(source.terminate(), 0)
        data = tempfile.mkdtemp(prefix="vigie-it-")
        self.addCleanup(shutil.rmtree, data, True)
        export_then_import(self, source, data)
        assert_started_from_copy(self, self.node(data=data, seed=False), expected)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
