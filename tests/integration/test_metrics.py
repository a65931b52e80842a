"""Prometheus metrics on an address of their own ([metrics] listen): what they count, never on
the public port, and an exposition promtool (Debian's prometheus package) finds clean."""
import json
import re
import shutil
import subprocess
import time
import unittest

import harness


def value(text, name, **labels):
    """The value of the sample `name{labels}` (labels given must all match), or None."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2) or ""))
        if all(have.get(k) == v for k, v in labels.items()):
            return float(m.group(3))
    return None


class MetricsTest(harness.SiteTest):
    @classmethod
    def setUpClass(cls):
        cls.metrics_port = harness.free_port()
        cls.VIGIE = {"env": {"VIGIE_METRICS_LISTEN": "127.0.0.1:%d" % cls.metrics_port}}
        super().setUpClass()

    def scrape(self):
        metrics = harness.Http()
        metrics.port = self.metrics_port
        status, h, body = metrics.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(h["content-type"].startswith("text/plain; version=0.0.4"), h)
        return body.decode()

    def test_requests_writes_and_state_are_counted(self):
        before = self.scrape()
        base = value(before, "vigie_http_requests_total", code="200", route="/{lang}/{platform}") or 0
        for _ in range(5):
            self.assertEqual(self.v.get("/fr/weavy/")[0], 200)
        self.assertEqual(self.v.get("/fr/nowhere/")[0], 404)
        token = self.v.token()
        self.assertEqual(self.v.request("POST", "/api/v1/admin/levels",
                                        {"Authorization": "Bearer " + token},
                                        json.dumps({"platform": "weavy", "service": "studio",
                                                    "level": "minor"}))[0], 200)
        # A request is counted once its answer is sent, just after the client has read it: the
        # scrape waits (a few seconds at most) for the last one to be counted.
        text = self.scrape()
        deadline = time.monotonic() + 5
        while (value(text, "vigie_http_requests_total", code="200", route="/api/v1/admin/levels",
                     method="POST") is None and time.monotonic() < deadline):
            time.sleep(0.05)
            text = self.scrape()
        self.assertEqual(value(text, "vigie_http_requests_total", code="200", route="/{lang}/{platform}",
                               method="GET"), base + 5)
        self.assertGreaterEqual(value(text, "vigie_http_requests_total", code="404",
                                      route="/{lang}/{platform}"), 1)
        self.assertGreaterEqual(value(text, "vigie_http_requests_total", code="200",
                                      route="/api/v1/admin/levels", method="POST"), 1)
        self.assertGreater(value(text, "vigie_http_response_bytes_total", route="/{lang}/{platform}"), 0)
        self.assertGreaterEqual(value(text, "vigie_http_request_duration_seconds_count",
                                      route="/{lang}/{platform}"), base + 6)
        self.assertGreaterEqual(value(text, "vigie_store_writes_total", result="ok"), 1)
        self.assertGreaterEqual(value(text, "vigie_store_write_duration_seconds_count"), 1)
        self.assertGreaterEqual(value(text, "vigie_publish_build_duration_seconds_count"), 1)
        self.assertEqual(value(text, "vigie_snapshot_version"), self.v.json("/readyz")["snapshot_version"])
        self.assertEqual(value(text, "vigie_database_up"), 1)
        self.assertEqual(value(text, "vigie_clock_leader"), 1)
        self.assertEqual(value(text, "vigie_serving_local_copy"), 0)
        self.assertGreaterEqual(value(text, "vigie_http_connections"), 0)

    def test_never_on_the_public_port(self):
        self.assertEqual(self.v.get("/metrics")[0], 404)

    def test_promtool_finds_the_exposition_clean(self):
        self.v.get("/fr/")
        promtool = shutil.which("promtool")
        self.assertIsNotNone(promtool, "promtool (Debian's prometheus) is a test dependency")
        p = subprocess.run([promtool, "check", "metrics"], input=self.scrape(), capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class MetricsConfigTest(unittest.TestCase):
    def test_the_public_address_is_refused(self):
        code, _, err = harness.run_cli("check-config", data="/tmp",
                                       env={"VIGIE_METRICS_LISTEN": "127.0.0.1:8080"})
        self.assertEqual(code, 2)
        self.assertIn("metrics.listen must not be the public address", err)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
