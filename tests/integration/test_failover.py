"""Database failover: a PostgreSQL primary and a streaming standby (both real, started here),
two nodes on a URI that names both hosts with target_session_attrs=read-write. The primary is
killed (-9) during a stream of writes and the standby promoted: the nodes find the new primary
by themselves, writes resume, reads never fail. With a synchronous standby, every write
acknowledged before the kill is on the new primary; with an asynchronous one, what is lost is
measured and printed (docs/deployment.md says what can be)."""
import json
import threading
import time
import unittest

import harness
from test_nodes import create_incident
from test_outage import READS


class Failover:
    SYNC = None

    def setUp(self):
        self.primary = harness.PgCluster()
        self.addCleanup(self.primary.close)
        url = self.primary.database("site")  # before the standby: it copies it
        self.standby = harness.PgCluster(primary=self.primary, sync=self.SYNC)
        self.addCleanup(self.standby.close)
        db = url.rsplit("/", 1)[1]
        self.url = "postgresql://vigie@%s,%s/%s?target_session_attrs=read-write" % (
            self.primary.hostport(), self.standby.hostport(), db)
        env = {"VIGIE_STORAGE_URL": self.url}
        self.a = harness.Vigie(env=env)
        self.addCleanup(self.a.close)
        self.b = harness.Vigie(env=env, seed=False)
        self.addCleanup(self.b.close)
        self.token = self.a.token()

    def test_the_primary_killed_during_writes_then_the_standby_promoted(self):
        a, b = self.a, self.b
        stop = threading.Event()
        acknowledged, refused, failed_reads = [], [], []
        reads = [0]

        def writer():
            i = 0
            while not stop.is_set():
                try:
                    status, eid = create_incident(a, self.token, "avant et après %d" % i)
                except OSError as e:
                    status, eid = repr(e), None
                (acknowledged if status == 201 else refused).append((time.time(), eid, status))
                if status != 201:
                    time.sleep(0.05)
                i += 1

        def reader(v):
            i = 0
            while not stop.is_set():
                path = READS[i % len(READS)]
                i += 1
                status = v.get(path)[0]
                reads[0] += 1
                if status != 200:
                    failed_reads.append((path, status))

        threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader, args=(v,)) for v in (a, b)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.5)
            self.primary.crash()
            killed = time.time()
            time.sleep(1)
            self.standby.promote()
            promoted = time.time()
            # Writes resume on the new primary, through the same URI, without a restart.
            a.wait_for(lambda: any(t > promoted and eid for t, eid, _ in acknowledged), timeout=30,
                       what="a write acknowledged by the new primary")
            resumed = min(t for t, eid, _ in acknowledged if t > promoted) - promoted
            for v in (a, b):
                v.wait_for(lambda: v.get("/readyz")[0] == 200, timeout=20, what="ready on the new primary")
            time.sleep(1)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(failed_reads, [])
        for _, _, status in refused:
            self.assertIn(status, (503,), "a write is acknowledged or refused with 503, never lost silently")
        before_kill = [eid for t, eid, _ in acknowledged if t < killed]
        self.assertGreater(len(before_kill), 0)
        b.wait_for(lambda: b.get("/api/v1/events/%d" % acknowledged[-1][1])[0] == 200, timeout=10,
                   what="the last write on the other node")
        lost = [eid for eid in before_kill if b.get("/api/v1/events/%d" % eid)[0] != 200]
        print("\n%s standby: %d writes acknowledged before the kill, %d lost; %d refused (503) "
              "meanwhile; writes resumed %.1f s after the promotion; %d reads, 0 failed"
              % ("synchronous" if self.SYNC else "asynchronous", len(before_kill), len(lost),
                 len(refused), resumed, reads[0]))
        if self.SYNC:
            self.assertEqual(lost, [], "with a synchronous standby, nothing acknowledged is lost")


class SynchronousFailoverTest(Failover, unittest.TestCase):
    SYNC = True


class AsynchronousFailoverTest(Failover, unittest.TestCase):
    SYNC = False


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
