"""Several Vigie processes on one database: a write on any of them shows on the others, writes
at once all land and never overwrite each other unknowingly, an acknowledged write survives a
node's kill -9, and what the clock changes is recorded once whatever the number of nodes.
The same tests run on SQLite (processes on one file) and on PostgreSQL (a server of the
test's own); PostgreSQL adds three nodes, NOTIFY's speed and the clock leader's failover."""
import calendar
import html
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
import unittest

import harness
from test_admin import PASSWORD, Browser


def set_level(v, token, service, level):
    return v.request("POST", "/api/v1/admin/levels",
                     {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                     json.dumps({"platform": "weavy", "service": service, "level": level,
                                 "regions": ["fr"]}))[0]


def create_incident(v, token, title):
    status, _, body = v.request("POST", "/api/v1/admin/events",
                                {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                                json.dumps({"kind": "incident", "platform": "weavy", "regions": ["fr"],
                                            "title": {"fr": title, "en": title},
                                            "services": {"studio": "minor"}}))
    return status, (json.loads(body)["id"] if status == 201 else None)


def level(v, service):
    return v.json("/api/v1/platforms/weavy/services/%s" % service)["status"]["level"]


MAINTENANCE = """
[[events]]
kind = "maintenance"
platform = "weavy"
title = { fr = "Maintenance", en = "Maintenance" }
start = "now+30m"
end = "now+90m"
services = { studio = "maintenance" }
"""


def starts_of(v):
    history = v.json("/api/v1/platforms/weavy/services/studio")["history"]
    return [c for c in history if (c["from"], c["to"]) == ("operational", "maintenance")]


def unix(rfc3339):
    return calendar.timegm(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ"))


class Nodes:
    """The tests every store runs. A subclass says how nodes share a database (store_env) and
    how soon a node shows another's write (SHOWN_WITHIN, in seconds)."""

    SHOWN_WITHIN = None

    def setUp(self):
        self.env = self.store_env()
        self.nodes = []

    def tearDown(self):
        for v in self.nodes:
            v.close()

    def start(self, **kwargs):
        v = harness.Vigie(env=self.env, **kwargs)
        self.nodes.append(v)
        return v

    def add_user(self, v, name):
        code, _, err = harness.run_cli("user", "add", name, "--role", "editor", data=v.data, env=self.env,
                                       stdin=PASSWORD + "\n")
        self.assertEqual(code, 0, err)

    def test_a_write_on_either_node_shows_on_the_other_without_a_write_there(self):
        a = self.start()  # the first start loads the catalog and the demo
        b = self.start(seed=False)
        self.assertEqual(a.json("/api/v1/platforms")["platforms"], b.json("/api/v1/platforms")["platforms"])
        token = b.token()
        self.assertEqual(set_level(b, token, "studio", "outage"), 200)
        self.assertEqual(level(b, "studio"), "outage")  # at once where it was written
        started = time.time()
        a.wait_for(lambda: level(a, "studio") == "outage", timeout=10, what="node a showing b's write")
        self.assertLess(time.time() - started, self.SHOWN_WITHIN)
        self.assertEqual(set_level(a, token, "back-office", "minor"), 200)
        b.wait_for(lambda: level(b, "back-office") == "minor", timeout=10, what="node b showing a's write")
        # Both publish the same state and history (as_of is each snapshot's own time).
        views = []
        for v in (a, b):
            j = v.json("/api/v1/platforms/weavy/services/studio")
            del j["as_of"]
            views.append(j)
        self.assertEqual(views[0], views[1])
        self.assertEqual(a.get("/feeds/fr/weavy/status.rss")[2], b.get("/feeds/fr/weavy/status.rss")[2])
        self.assertIn("written elsewhere", a.log())

    def test_writes_at_once_on_two_nodes_all_land(self):
        a = self.start(seed=False)
        b = self.start(seed=False)
        token = a.token()
        ids, failures = [], []

        def writer(v, who):
            for i in range(12):
                status, eid = create_incident(v, token, "%s %d" % (who, i))
                (ids if status == 201 else failures).append((who, i, status, eid))

        threads = [threading.Thread(target=writer, args=(v, who)) for v, who in ((a, "a"), (b, "b"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(failures, [])
        self.assertEqual(len({eid for *_, eid in ids}), 24, "each write has an event of its own")
        for v in (a, b):
            v.wait_for(lambda: all(v.get("/api/v1/events/%d" % eid)[0] == 200 for *_, eid in ids),
                       timeout=10, what="every event on every node")

    def test_two_operators_on_two_nodes_cannot_overwrite_each_other(self):
        a = self.start(seed=False)
        b = self.start(seed=False)
        for name in ("alice", "eddie"):
            self.add_user(a, name)
        status, eid = create_incident(a, a.token(), "Panne")
        self.assertEqual(status, 201)
        path = "/admin/events/%d" % eid
        b.wait_for(lambda: b.get("/api/v1/events/%d" % eid)[0] == 200, what="the event on b")
        alice, eddie = Browser(a), Browser(b)
        alice.login("alice")
        eddie.login("eddie")
        opened = {who: who.request("GET", path)[2] for who in (alice, eddie)}

        def edit(who, title):
            page = opened[who]
            revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
            return who.request("POST", path, {"csrf": who.csrf(page), "platform": "weavy", "regions": ["fr"],
                                              "title_fr": title, "title_en": title, "service_studio": "minor",
                                              "revision": revision}, {"Referer": path})

        self.assertEqual(edit(alice, "Panne (Alice)")[0], 303)
        # Eddie, on the other node, edits what he opened before Alice's change.
        status, _, page = edit(eddie, "Panne (Eddie)")
        self.assertEqual(status, 409)
        self.assertIn("changed by alice", html.unescape(page))
        for v in (a, b):
            v.wait_for(lambda: v.json("/api/v1/events/%d" % eid)["event"]["title"] == "Panne (Alice)",
                       what="Alice's title on every node")

    def test_a_node_killed_during_writes_loses_nothing_acknowledged(self):
        a = self.start(seed=False)
        b = self.start(seed=False)
        token = a.token()
        acknowledged = []
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set():
                try:
                    status, eid = create_incident(a, token, "write %d" % i)
                except OSError:
                    return  # the node is gone
                if status == 201:
                    acknowledged.append(eid)
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        deadline = time.time() + 10
        while len(acknowledged) < 10 and time.time() < deadline:
            time.sleep(0.01)
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        stop.set()
        t.join()
        self.assertGreaterEqual(len(acknowledged), 10)
        b.wait_for(lambda: all(b.get("/api/v1/events/%d" % eid)[0] == 200 for eid in acknowledged),
                   timeout=10, what="every acknowledged write on the surviving node")
        self.assertEqual(set_level(b, token, "studio", "major"), 200, "the survivor still writes")

    def test_a_maintenance_start_is_recorded_once_whatever_the_number_of_nodes(self):
        nodes = [self.start(clock=True, scenario=MAINTENANCE)]
        nodes += [self.start(seed=False, clock=True) for _ in range(self.NODES - 1)]
        start = nodes[0].now() + 1800
        for v in nodes:
            v.advance(31 * 60)  # the same instant passes for all
        for v in nodes:
            v.wait_for(lambda: level(v, "studio") == "maintenance", timeout=10, what="the start")
        # Every node has read every other node's rows (each looks again within 2 s).
        time.sleep(2.5)
        for v in nodes:
            starts = starts_of(v)
            self.assertEqual(len(starts), 1, "%s\n%s" % (starts, "\n----\n".join(n.log() for n in nodes)))
            self.assertLess(abs(unix(starts[0]["at"]) - start), 30, "dated at its instant")


class SqliteNodesTest(Nodes, unittest.TestCase):
    SHOWN_WITHIN = 5  # the look every 2 s: SQLite says nothing to the other processes
    NODES = 2

    def store_env(self):
        self.shared = tempfile.mkdtemp(prefix="vigie-shared-")
        self.addCleanup(shutil.rmtree, self.shared, True)
        return {"VIGIE_STORAGE_URL": "sqlite:" + os.path.join(self.shared, "vigie.db")}


class PostgresNodesTest(Nodes, unittest.TestCase):
    SHOWN_WITHIN = 1  # NOTIFY: at once
    NODES = 3

    @classmethod
    def setUpClass(cls):
        cls.pg = harness.PgCluster()

    @classmethod
    def tearDownClass(cls):
        cls.pg.close()

    def store_env(self):
        return {"VIGIE_STORAGE_URL": self.pg.database()}

    def test_three_nodes_show_a_write_at_once(self):
        a, b, c = self.start(), self.start(seed=False), self.start(seed=False)
        token = c.token()
        for value in ("outage", "minor", "operational"):
            self.assertEqual(set_level(c, token, "studio", value), 200)
            started = time.time()
            for v in (a, b):
                v.wait_for(lambda: level(v, "studio") == value, timeout=5, what="the write on every node")
            self.assertLess(time.time() - started, 1)

    def test_the_leader_killed_just_before_a_maintenance_starts(self):
        a = self.start(clock=True, scenario=MAINTENANCE)
        b = self.start(seed=False, clock=True)
        start = a.now() + 1800
        both = (a, b)
        harness.Vigie.wait_for(a, lambda: any("holds the clock lease" in v.log() for v in both),
                               what="a leader")
        leader = next(v for v in both if "holds the clock lease" in v.log())
        other = b if leader is a else a
        for v in both:
            v.advance(30 * 60 - 5)  # five seconds before the start
        time.sleep(0.5)
        leader.proc.send_signal(signal.SIGKILL)
        leader.proc.wait()
        killed = time.time()
        other.advance(10)  # the start passes while nobody holds the lease
        other.wait_for(lambda: level(other, "studio") == "maintenance", timeout=5,
                       what="the start shown by the node left")
        other.wait_for(lambda: "holds the clock lease" in other.log(), timeout=10,
                       what="the node left taking the lease")
        took = time.time() - killed
        other.wait_for(lambda: len(starts_of(other)) == 1, timeout=5, what="the start recorded")
        time.sleep(2.5)
        starts = starts_of(other)
        self.assertEqual(len(starts), 1, starts)
        self.assertLess(abs(unix(starts[0]["at"]) - start), 5, "dated at its real instant")
        self.assertLess(took, 10, "another node takes the lease within 10 s")
        print("\nleader failover: the lease was taken %.1f s after the kill" % took)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
