"""Several Vigie processes on one database: a write on any of them shows on the others, and
what the clock changes is recorded once whatever the number of processes. SQLite today (two
processes on one file); the same tests will run on PostgreSQL (issue 16)."""
import calendar
import json
import os
import shutil
import tempfile
import time
import unittest

import harness


def set_level(v, token, service, level):
    return v.request("POST", "/api/v1/admin/levels",
                     {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                     json.dumps({"platform": "weavy", "service": service, "level": level,
                                 "regions": ["fr"]}))[0]


def level(v, service):
    return v.json("/api/v1/platforms/weavy/services/%s" % service)["status"]["level"]


class TwoNodesTest(unittest.TestCase):
    def setUp(self):
        self.shared = tempfile.mkdtemp(prefix="vigie-shared-")
        self.env = {"VIGIE_STORAGE_URL": "sqlite:" + os.path.join(self.shared, "vigie.db")}
        self.nodes = []

    def tearDown(self):
        for v in self.nodes:
            v.close()
        shutil.rmtree(self.shared, ignore_errors=True)

    def start(self, **kwargs):
        v = harness.Vigie(env=self.env, **kwargs)
        self.nodes.append(v)
        return v

    def test_a_write_on_either_node_shows_on_the_other_without_a_write_there(self):
        a = self.start()  # the first start loads the catalog and the demo
        b = self.start(seed=False)
        self.assertEqual(a.json("/api/v1/platforms")["platforms"], b.json("/api/v1/platforms")["platforms"])
        token = b.token()
        self.assertEqual(set_level(b, token, "studio", "outage"), 200)
        self.assertEqual(level(b, "studio"), "outage")  # at once where it was written
        started = time.time()
        a.wait_for(lambda: level(a, "studio") == "outage", timeout=10, what="node a showing b's write")
        shown_after = time.time() - started
        self.assertLess(shown_after, 5, "the safety-net look runs every 2 s")
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

    def test_a_maintenance_start_is_recorded_once_whatever_the_number_of_nodes(self):
        a = self.start(clock=True, scenario="""
[[events]]
kind = "maintenance"
platform = "weavy"
title = { fr = "Maintenance", en = "Maintenance" }
start = "now+30m"
end = "now+90m"
services = { studio = "maintenance" }
""")
        b = self.start(seed=False, clock=True)
        url = "/api/v1/platforms/weavy/services/studio"
        start = a.now() + 1800
        for v in (a, b):
            v.advance(31 * 60)  # the same instant passes for both
        for v in (a, b):
            v.wait_for(lambda: level(v, "studio") == "maintenance", timeout=10, what="the start")
        time.sleep(2.5)  # both timers have looked again, and each node has seen the other's rows
        for v in (a, b):
            history = v.json(url)["history"]
            starts = [c for c in history if (c["from"], c["to"]) == ("operational", "maintenance")]
            self.assertEqual(len(starts), 1, history)
            at = calendar.timegm(time.strptime(starts[0]["at"], "%Y-%m-%dT%H:%M:%SZ"))
            self.assertLess(abs(at - start), 30, "dated at its instant")


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
