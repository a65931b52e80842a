"""Golden files: every public JSON endpoint on the demo scenario, compared field by field.

Times depend on when the demo was imported, so every RFC 3339 time is replaced by "<time>"
before comparing. To accept a deliberate change: VIGIE_UPDATE_GOLDEN=1 and run again, then
review the diff of tests/golden/ like code.
"""
import json
import os
import re
import unittest

import harness

ENDPOINTS = [
    "/api/v1/regions", "/api/v1/platforms", "/api/v1/platforms/infinity",
    "/api/v1/platforms/weavy?lang=en", "/api/v1/platforms/infinity/services/web-client",
    "/api/v1/platforms/infinity/events?state=in_progress", "/api/v1/platforms/weavy/events?state=planned",
    "/api/v1/platforms/infinity/events?state=past&limit=5", "/api/v1/events/1",
    "/api/v1/messages?region=na&lang=en",
    "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
    "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json",
    "/api/v2/scheduled-maintenances/upcoming.json", "/api/v2/scheduled-maintenances/active.json",
    "/weavy/api/v2/summary.json?lang=en",
]
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def normalize(value):
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, str):
        return TIME.sub("<time>", value)
    return value


def golden_path(endpoint):
    name = re.sub(r"[^a-z0-9]+", "_", endpoint.lower()).strip("_")
    return os.path.join(harness.ARGS.source, "tests", "golden", name + ".json")


class GoldenTest(unittest.TestCase):
    def test_every_endpoint_matches_its_golden_file(self):
        # The demo, with its Sunday-night maintenance three days ahead whatever the day: the
        # golden files must not depend on when the tests run.
        with open(os.path.join(harness.ARGS.source, "scenarios", "demo.toml")) as f:
            demo = f.read()
        self.assertIn('start = "next sunday 22:00"', demo)
        v = harness.Vigie(scenario=demo.replace('start = "next sunday 22:00"', 'start = "now+3d"'))
        try:
            update = os.environ.get("VIGIE_UPDATE_GOLDEN") == "1"
            for endpoint in ENDPOINTS:
                got = normalize(v.json(endpoint))
                path = golden_path(endpoint)
                if update:
                    with open(path, "w") as f:
                        json.dump(got, f, ensure_ascii=False, indent=1)
                        f.write("\n")
                    continue
                self.assertTrue(os.path.exists(path), "no golden file for %s: run with VIGIE_UPDATE_GOLDEN=1" % endpoint)
                with open(path) as f:
                    want = json.load(f)
                # Keys in the same order, too: clients may depend on it.
                self.assertEqual(json.dumps(got, ensure_ascii=False), json.dumps(want, ensure_ascii=False),
                                 "%s differs from %s" % (endpoint, os.path.relpath(path, harness.ARGS.source)))
        finally:
            v.close()


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
