"""The read-only JSON API v1 and the HTTP server, over loopback against the real binary."""
import calendar
import gzip
import json
import os
import socket
import struct
import sys
import time
import unittest

import harness


class ApiTest(harness.SiteTest):

    # ---- health ----
    def test_healthz_and_readyz(self):
        status, _, body = self.v.get("/healthz")
        self.assertEqual((status, body), (200, b"ok\n"))
        ready = self.v.json("/readyz")
        self.assertEqual(ready["status"], "ready")
        self.assertGreaterEqual(ready["snapshot_version"], 1)

    # ---- the catalog ----
    def test_platforms_of_the_default_region_in_french(self):
        j = self.v.json("/api/v1/platforms")
        self.assertEqual(j["region"], "fr")
        self.assertEqual(j["language"], "fr")
        self.assertEqual([p["slug"] for p in j["platforms"]], ["weavy", "infinity"])
        for p in j["platforms"]:
            self.assertIn(p["status"]["level"],
                          ["operational", "minor", "major", "outage", "maintenance"])

    def test_all_37_services_with_the_guides_french_texts(self):
        weavy = self.v.json("/api/v1/platforms/weavy")
        infinity = self.v.json("/api/v1/platforms/infinity")
        self.assertEqual(len(weavy["services"]), 15)
        self.assertEqual(len(infinity["services"]), 22)
        back_office = weavy["services"][0]
        self.assertEqual(back_office["name"], "Back Office")
        self.assertEqual(back_office["information"], "Représente l'interface utilisateur CRM.")
        self.assertEqual(back_office["impact"],
                         "Les utilisateurs ne peuvent plus interagir avec la CRM directement")
        names = [s["name"] for s in infinity["services"]]
        self.assertEqual(names[0], "Accès client (Interface Web)")
        self.assertEqual(names[-1], "One")
        for s in weavy["services"] + infinity["services"]:
            self.assertEqual(s["name_lang"], "fr")
            self.assertTrue(s["information"] and s["impact"], s)

    def test_english_by_lang_parameter(self):
        j = self.v.json("/api/v1/platforms/weavy?lang=en")
        self.assertEqual(j["language"], "en")
        self.assertEqual(j["services"][0]["name_lang"], "en")
        self.assertNotEqual(j["services"][6]["name"], "Bases de données de production")
        self.assertIn(j["status"]["label"], ["Operational", "Minor disruption", "Major disruption",
                                             "Non-operational", "Maintenance"])

    def test_region_by_host_and_query(self):
        ca = self.v.json("/api/v1/platforms", {"Host": "status.divalto.ca"})
        self.assertEqual((ca["region"], ca["language"]), ("na", "en"))
        com = self.v.json("/api/v1/platforms", {"Host": "status.divalto.com:443"})
        self.assertEqual((com["region"], com["language"]), ("fr", "fr"))
        other = self.v.json("/api/v1/platforms", {"Host": "example.org"})
        self.assertEqual(other["region"], "fr")
        forced = self.v.json("/api/v1/platforms?region=na&lang=fr", {"Host": "status.divalto.com"})
        self.assertEqual((forced["region"], forced["language"]), ("na", "fr"))
        regions = self.v.json("/api/v1/regions")["regions"]
        self.assertEqual([r["id"] for r in regions], ["fr", "na"])
        self.assertEqual(regions[1]["time_zone"], "America/Toronto")

    # ---- the demo scenario ----
    def test_demo_incident_in_progress_with_three_updates(self):
        j = self.v.json("/api/v1/platforms/infinity/events?state=in_progress&kind=incident")
        self.assertGreaterEqual(len(j["events"]), 1)
        incident = j["events"][0]
        self.assertEqual(incident["state"], "in_progress")
        self.assertTrue(incident["services"])
        full = self.v.json(incident["url"])["event"]
        self.assertEqual(len(full["updates"]), 3)
        # newest first
        self.assertGreaterEqual(full["updates"][0]["at"], full["updates"][-1]["at"])
        platform = self.v.json("/api/v1/platforms/infinity")
        self.assertNotEqual(platform["status"]["level"], "operational")
        self.assertGreaterEqual(platform["events"]["in_progress"], 1)
        # each affected service shows the incident's level, caused by the event
        levels = {s["slug"]: s["status"] for s in platform["services"]}
        for affected in incident["services"]:
            st = levels[affected["slug"]]
            self.assertEqual(st["level"], affected["level"])
            self.assertEqual(st["event_id"], incident["id"])

    def test_demo_maintenance_planned_on_weavy(self):
        j = self.v.json("/api/v1/platforms/weavy/events?state=planned")
        kinds = [e["kind"] for e in j["events"]]
        self.assertIn("maintenance", kinds)
        m = j["events"][kinds.index("maintenance")]
        self.assertGreater(m["starts_at"], self.v.json("/readyz")["as_of"])
        self.assertTrue(all(s["level"] == "maintenance" for s in m["services"]))

    def test_past_events_of_all_four_kinds(self):
        kinds = set()
        for platform in ("weavy", "infinity"):
            for region in ("fr", "na"):
                j = self.v.json("/api/v1/platforms/%s/events?state=past&region=%s&limit=200"
                                % (platform, region))
                for e in j["events"]:
                    self.assertEqual(e["state"], "past")
                    kinds.add(e["kind"])
                starts = [e["starts_at"] for e in j["events"]]
                self.assertEqual(starts, sorted(starts, reverse=True))
        self.assertEqual(kinds, {"incident", "maintenance", "action", "announcement"})

    def test_pagination_of_events(self):
        all_past = self.v.json("/api/v1/platforms/infinity/events?state=past&limit=200")
        page = self.v.json("/api/v1/platforms/infinity/events?state=past&limit=1&page=2")
        self.assertEqual(page["total"], all_past["total"])
        if all_past["total"] >= 2:
            self.assertEqual(page["events"][0]["id"], all_past["events"][1]["id"])

    def test_service_with_its_history(self):
        incident = self.v.json("/api/v1/platforms/infinity/events?state=in_progress")["events"][0]
        slug = incident["services"][0]["slug"]
        s = self.v.json("/api/v1/platforms/infinity/services/%s" % slug)
        self.assertEqual(s["service"]["slug"], slug)
        self.assertNotEqual(s["status"]["level"], "operational")
        self.assertTrue(s["history"], "the incident's start is a status change")
        self.assertEqual(s["history"][0]["to"], s["status"]["level"])
        self.assertIn(incident["id"], [e["id"] for e in s["events"]])

    def test_general_messages(self):
        j = self.v.json("/api/v1/platforms/infinity/messages")
        self.assertGreaterEqual(len(j["messages"]), 1)
        self.assertTrue(j["messages"][0]["title"])
        everything = self.v.json("/api/v1/messages")["messages"]
        self.assertLessEqual({m["id"] for m in j["messages"]}, {m["id"] for m in everything})
        for m in j["messages"]:
            self.assertIn(m["platform"], ("infinity", None))

    # ---- errors ----
    def assert_error(self, path, status, code, method="GET", headers=None):
        got, hdrs, body = self.v.request(method, path, headers)
        self.assertEqual(got, status, body)
        err = json.loads(body)["error"]
        self.assertEqual(err["code"], code)
        self.assertTrue(err["message"])
        return hdrs, err

    def test_errors_are_json_with_code_and_message(self):
        self.assert_error("/api/v1/platforms/nope", 404, "not_found")
        self.assert_error("/api/v1/platforms/weavy/services/nope", 404, "not_found")
        self.assert_error("/api/v1/events/999999", 404, "not_found")
        self.assert_error("/api/v1/events/abc", 400, "bad_request")
        self.assert_error("/api/v1/platforms?region=mars", 400, "bad_request")
        self.assert_error("/api/v1/platforms?lang=de", 400, "bad_request")
        self.assert_error("/api/v1/platforms/weavy/events?state=soon", 400, "bad_request")
        self.assert_error("/api/v1/platforms/weavy/events?kind=party", 400, "bad_request")
        self.assert_error("/api/v1/platforms/weavy/events?limit=0", 400, "bad_request")
        self.assert_error("/api/v1/nothing/here", 404, "not_found")
        hdrs, err = self.assert_error("/api/v1/platforms", 405, "method_not_allowed", "POST")
        self.assertIn("GET", hdrs["allow"])

    def test_an_event_of_another_region_is_not_found(self):
        for platform in ("weavy", "infinity"):
            na = self.v.json("/api/v1/platforms/%s/events?region=na&limit=200" % platform)
            fr = self.v.json("/api/v1/platforms/%s/events?region=fr&limit=200" % platform)
            fr_ids = {e["id"] for e in fr["events"]}
            for e in na["events"]:
                if e["id"] not in fr_ids:
                    self.assert_error("/api/v1/events/%d?region=fr" % e["id"], 404, "not_found")
                    return
        self.fail("the demo has no event limited to North America")

    # ---- HTTP ----
    def test_etag_and_304_with_both_validators(self):
        status, h, body = self.v.get("/api/v1/platforms/weavy")
        self.assertEqual(status, 200)
        etag, last_modified = h["etag"], h["last-modified"]
        self.assertTrue(etag.startswith('"') and not etag.startswith("W/"))
        self.assertTrue(last_modified.endswith(" GMT"))
        self.assertEqual(h["vary"], "Accept-Encoding")
        self.assertIn("max-age", h["cache-control"])
        status, h2, body2 = self.v.get("/api/v1/platforms/weavy", {"If-None-Match": etag})
        self.assertEqual((status, body2), (304, b""))
        self.assertEqual(h2["etag"], etag)
        status, _, _ = self.v.get("/api/v1/platforms/weavy", {"If-Modified-Since": last_modified})
        self.assertEqual(status, 304)
        status, _, _ = self.v.get("/api/v1/platforms/weavy", {"If-None-Match": '"stale"'})
        self.assertEqual(status, 200)
        # the same body again: the same validator
        self.assertEqual(self.v.get("/api/v1/platforms/weavy")[1]["etag"], etag)

    def test_gzip_when_accepted(self):
        _, plain_h, plain = self.v.get("/api/v1/platforms/infinity")
        status, h, body = self.v.get("/api/v1/platforms/infinity", {"Accept-Encoding": "gzip"})
        self.assertEqual(status, 200)
        self.assertEqual(h["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(body), plain)
        self.assertLess(len(body), len(plain))
        self.assertNotEqual(h["etag"], plain_h["etag"])
        status, _, _ = self.v.get("/api/v1/platforms/infinity",
                                  {"Accept-Encoding": "gzip", "If-None-Match": h["etag"]})
        self.assertEqual(status, 304)

    def test_head_has_the_get_headers_and_no_body(self):
        _, get_h, body = self.v.get("/api/v1/platforms")
        status, h, head_body = self.v.request("HEAD", "/api/v1/platforms")
        self.assertEqual(status, 200)
        self.assertEqual(head_body, b"")
        self.assertEqual(int(h["content-length"]), len(body))
        self.assertEqual(h["etag"], get_h["etag"])

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        conn = self.v.connection()
        try:
            for _ in range(5):
                conn.request("GET", "/api/v1/regions")
                res = conn.getresponse()
                res.read()
                self.assertEqual(res.status, 200)
                sock = conn.sock
            self.assertIsNotNone(sock, "the connection was closed")
        finally:
            conn.close()

    def raw(self, data):
        with socket.create_connection(("127.0.0.1", self.v.port), timeout=10) as s:
            s.sendall(data)
            chunks = []
            while True:
                try:
                    c = s.recv(65536)
                except (ConnectionResetError, socket.timeout):
                    break
                if not c:
                    break
                chunks.append(c)
            return b"".join(chunks)

    def test_limits_and_malformed_requests(self):
        big_header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (20 * 1024) + b"\r\n\r\n"
        self.assertTrue(self.raw(big_header).startswith(b"HTTP/1.1 431"))
        big_body = (b"POST /api/v1/platforms HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                    % (2 * 1024 * 1024)) + b"x" * (64 * 1024)
        self.assertTrue(self.raw(big_body).startswith(b"HTTP/1.1 413"))
        self.assertTrue(self.raw(b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400"))
        # the server is still fine
        self.assertEqual(self.v.get("/healthz")[0], 200)

    def test_access_log_has_a_line_per_request(self):
        self.v.get("/api/v1/regions?marker=access-log-check")
        import time
        time.sleep(0.2)
        self.assertIn('"GET /api/v1/regions?marker=access-log-check" 200', self.v.access_log())


class LifecycleTest(unittest.TestCase):
    def test_a_maintenance_turns_blue_at_its_start_and_back_without_any_write(self):
        v = harness.Vigie(clock=True, scenario="""
[[events]]
kind = "maintenance"
platform = "weavy"
title = { fr = "Courte maintenance", en = "Short maintenance" }
start = "now+30m"
end = "now+45m"
services = { back-office = "maintenance" }
""")
        try:
            url = "/api/v1/platforms/weavy/services/back-office"
            level = lambda: v.json(url)["status"]["level"]
            self.assertEqual(level(), "operational")
            v.advance(31 * 60)  # nobody writes: the timer alone must move the state
            v.wait_for(lambda: level() == "maintenance", what="the maintenance's start")
            v.advance(15 * 60)
            v.wait_for(lambda: level() == "operational", what="the maintenance's end")
            s = v.json(url)
            changes = [(c["from"], c["to"]) for c in s["history"]]
            self.assertEqual(changes[:2], [("maintenance", "operational"),
                                           ("operational", "maintenance")])
            at = [calendar.timegm(time.strptime(c["at"], "%Y-%m-%dT%H:%M:%SZ")) for c in s["history"][:2]]
            self.assertEqual(at[0] - at[1], 15 * 60, "each change is dated at its planned instant")
        finally:
            v.close()

    def test_transitions_missed_while_late_are_dated_at_their_instant(self):
        v = harness.Vigie(clock=True, scenario="""
[[events]]
kind = "maintenance"
platform = "weavy"
title = { fr = "Maintenance", en = "Maintenance" }
start = "now+1h"
end = "now+2h"
services = { back-office = "maintenance" }
""")
        try:
            url = "/api/v1/platforms/weavy/services/back-office"
            start = v.now() + 3600
            v.advance(3 * 3600)  # both instants pass at once
            v.wait_for(lambda: len(v.json(url)["history"]) >= 2, what="the two transitions")
            s = v.json(url)
            self.assertEqual(s["status"]["level"], "operational")
            at = [calendar.timegm(time.strptime(c["at"], "%Y-%m-%dT%H:%M:%SZ")) for c in s["history"][:2]]
            self.assertLess(abs(at[1] - start), 30, "the start, not when the timer saw it")
            self.assertEqual(at[0] - at[1], 3600)
        finally:
            v.close()

class LiveTest(unittest.TestCase):
    def test_the_stream_announces_a_write_and_is_capped_per_address(self):
        import time
        v = harness.Vigie(seed=False)
        try:
            s = socket.create_connection(("127.0.0.1", v.port), timeout=5)
            s.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
            head = s.recv(4096)
            self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
            self.assertIn(b"text/event-stream", head)
            token = v.token()
            status, _, _ = v.request("POST", "/api/v1/admin/levels", {"Authorization": "Bearer " + token},
                                     json.dumps({"platform": "weavy", "service": "studio", "level": "minor"}))
            self.assertEqual(status, 200)
            got = b""
            deadline = time.time() + 2
            while b"event: change" not in got and time.time() < deadline:
                got += s.recv(4096)
            self.assertIn(b"event: change", got)
            # 32 streams per address at most; a closed one frees its place at once
            streams = [s]
            for _ in range(31):
                c = socket.create_connection(("127.0.0.1", v.port), timeout=5)
                c.sendall(b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(c.recv(4096).startswith(b"HTTP/1.1 200"))
                streams.append(c)
            self.assertTrue(self.get_raw(v, b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 503"))
            self.assertEqual(v.get("/healthz")[0], 200, "the site still answers")
            streams.pop().close()
            time.sleep(0.6)
            self.assertTrue(self.get_raw(v, b"GET /live HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 200"))
            for c in streams:
                c.close()
            self.assertEqual(v.terminate(), 0, "streams do not hold the shutdown back")
        finally:
            v.close()

    def get_raw(self, v, data):
        with socket.create_connection(("127.0.0.1", v.port), timeout=5) as c:
            c.sendall(data)
            return c.recv(4096)


class WarmingTest(unittest.TestCase):
    def test_bodies_readers_asked_for_are_ready_in_the_snapshot_a_write_publishes(self):
        import re
        v = harness.Vigie()
        try:
            # The start's own publish (the timer records missed transitions) comes first: a body
            # asked for while it swaps snapshots would be cached in the one it replaces.
            v.wait_for(lambda: "missed transitions recorded" in v.log(), what="the start's reconciliation")
            asked = ["/fr/weavy", "/feeds/fr/weavy/status.rss", "/api/v1/platforms/weavy",
                     "/badge/fr/weavy.svg", "/api/v2/summary.json", "/fr/weavy/history?page=1"]
            bodies = {}
            for path in asked:
                status, _, body = v.get(path)
                self.assertEqual(status, 200, path)
                bodies[path] = body
            self.assertEqual(v.get("/fr/nowhere")[0], 404)  # a failure is not kept, nor warmed
            token = v.token()
            status, _, _ = v.request("POST", "/api/v1/admin/levels", {"Authorization": "Bearer " + token},
                                     json.dumps({"platform": "weavy", "service": "studio", "level": "minor"}))
            self.assertEqual(status, 200)
            # Every body asked for (and not the failure) is named for warming; how many fit in
            # the 30 ms warming budget depends on the machine (a sanitized build warms fewer),
            # but the oldest is always rendered first.
            warmed, wanted = map(int, re.findall(r"; (\d+) of (\d+) bodies warmed", v.log())[-1])
            self.assertEqual(wanted, len(asked), v.log()[-2000:])
            self.assertGreaterEqual(warmed, 1, v.log()[-2000:])
            # Warmed from the new snapshot: the page shows the write.
            self.assertNotEqual(v.get("/fr/weavy")[2], bodies["/fr/weavy"])
        finally:
            v.close()


class ErrorStyleTest(harness.SiteTest):
    """A route says how its errors are written; a path no route takes gets the style of the
    route it shares the most of its start with."""

    def test_apis_feeds_and_badges_answer_json_and_pages_answer_a_page(self):
        for path, status in (("/api/v1/nothing", 404), ("/api/v1/platforms/nope", 404),
                             ("/infinity/api/v2/nothing.json", 404), ("/feeds/fr/nope/status.rss", 404),
                             ("/feeds/fr/weavy/nothing.rss", 404), ("/badge/fr/nope.svg", 404),
                             ("/api/v1/platforms/weavy/events?page=0", 400), ("/api/v1/a/b/c/d/e/f", 404),
                             ("/api/weavy", 404), ("/feeds/weavy", 404)):
            got, h, body = self.v.get(path)
            self.assertEqual(got, status, path)
            self.assertTrue(h["content-type"].startswith("application/json"), path)
            self.assertIn("message", json.loads(body)["error"], path)
        for path, status, lang in (("/fr/nowhere", 404, "fr"), ("/en/weavy/nothing/x", 404, "en"),
                                   ("/en/weavy/history?kind=party", 400, "en"), ("/xx", 404, "fr"),
                                   ("/admin/nothing", 404, "fr"), ("/en/events/07", 404, "en"),
                                   ("/en/a/b/c/d/e/f", 404, "en")):
            got, h, body = self.v.get(path)
            self.assertEqual(got, status, path)
            self.assertTrue(h["content-type"].startswith("text/html"), path)
            self.assertEqual(h["content-language"], lang, path)
            self.assertIn(b"<html", body, path)


class TimeoutTest(unittest.TestCase):
    """Deadlines: a request that never finishes and an idle keep-alive connection are closed."""

    def closed_within(self, sock, seconds):
        """Seconds until the server closes `sock`, or None if it stays open that long."""
        started = time.time()
        sock.settimeout(seconds)
        try:
            while sock.recv(65536):
                pass
        except socket.timeout:
            return None
        except ConnectionResetError:
            pass
        return time.time() - started

    def test_slow_and_idle_connections_are_closed_at_their_deadline(self):
        v = harness.Vigie(seed=False, env={"VIGIE_SERVER_READ_TIMEOUT_S": "1",
                                           "VIGIE_SERVER_IDLE_TIMEOUT_S": "3"})
        try:
            # Half a request, then nothing: closed after the read timeout (1 s, checked every
            # second), long before the idle one.
            slow = socket.create_connection(("127.0.0.1", v.port))
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            took = self.closed_within(slow, 10)
            self.assertIsNotNone(took, "a half-sent request was kept open")
            self.assertLess(took, 2.9)
            slow.close()
            # One request on a keep-alive connection, then quiet: closed after about 3 s,
            # and meanwhile still usable.
            idle = socket.create_connection(("127.0.0.1", v.port))
            idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(idle.recv(65536).startswith(b"HTTP/1.1 200"))
            time.sleep(1.5)
            idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertTrue(idle.recv(65536).startswith(b"HTTP/1.1 200"))
            took = self.closed_within(idle, 10)
            self.assertIsNotNone(took, "an idle connection was kept open")
            self.assertGreater(took, 2.0)
            self.assertLess(took, 5.0)
            idle.close()
            self.assertEqual(v.get("/healthz")[0], 200)
        finally:
            v.close()


class RequestParsingTest(harness.SiteTest):
    """The server parses each request into the Request its connection keeps and reuses: no
    header, body or path of one request may leak into the next, whatever the way the bytes
    arrive (pipelined, byte by byte, chunked)."""

    @staticmethod
    def read_responses(s, n):
        """Reads n responses (Content-Length delimited) from socket s."""
        data = b""
        out = []
        while len(out) < n:
            end = data.find(b"\r\n\r\n")
            if end >= 0:
                head = data[:end].decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, v in
                           (line.split(":", 1) for line in head[1:])}
                status = int(head[0].split()[1])
                length = 0 if status in (204, 304) else int(headers.get("content-length", "0"))
                if len(data) >= end + 4 + length:
                    out.append((status, headers, data[end + 4:end + 4 + length]))
                    data = data[end + 4 + length:]
                    continue
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return out, data

    def test_pipelined_requests_are_answered_in_order_and_apart(self):
        _, h, _ = self.v.get("/api/v1/platforms/weavy", {"Accept-Encoding": "gzip"})
        self.assertEqual(h["content-encoding"], "gzip")
        etag = h["etag"]  # the gzip body's
        with socket.create_connection(("127.0.0.1", self.v.port), timeout=10) as s:
            s.sendall(
                b"GET /api/v1/platforms/weavy HTTP/1.1\r\nHost: x\r\nIf-None-Match: " +
                etag.encode() + b"\r\nAccept-Encoding: gzip\r\nX-Extra-1: a\r\nX-Extra-2: b\r\n\r\n"
                b"GET /api/v1/platforms/weavy HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /api/v1/platforms/%69nfinity?lang=en HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /api/v1/platforms/infinity HTTP/1.1\r\nHost: x\r\n\r\n")
            got, rest = self.read_responses(s, 4)
        self.assertEqual([g[0] for g in got], [304, 200, 200, 200])
        self.assertEqual(rest, b"")
        # The second request sent neither If-None-Match nor Accept-Encoding: the first one's
        # must not be seen in it.
        self.assertNotIn("content-encoding", got[1][1])
        self.assertEqual(json.loads(got[1][2])["platform"]["slug"], "weavy")
        # A percent-encoded path and a query; then the same path without the query.
        self.assertEqual(json.loads(got[2][2])["platform"]["slug"], "infinity")
        self.assertEqual(json.loads(got[2][2])["language"], "en")
        self.assertEqual(json.loads(got[3][2])["language"], "fr")

    def test_a_request_dripped_byte_by_byte_is_parsed(self):
        req = b"GET /api/v1/platforms/weavy?lang=en HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
        with socket.create_connection(("127.0.0.1", self.v.port), timeout=10) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for i in range(len(req)):
                s.sendall(req[i:i + 1])
                if i % 7 == 0:
                    time.sleep(0.002)
            got, _ = self.read_responses(s, 1)
        self.assertEqual(got[0][0], 200)
        self.assertEqual(json.loads(got[0][2])["platform"]["slug"], "weavy")
        self.assertEqual(json.loads(got[0][2])["language"], "en")

    def test_bodies_chunked_or_not_do_not_leak_into_the_next_request(self):
        token = self.v.token("parse")
        auth = b"Authorization: Bearer " + token.encode() + b"\r\n"
        body = json.dumps({"platform": "weavy", "service": "studio", "level": "minor"}).encode()
        half = len(body) // 2
        chunked = (b"%x\r\n" % half) + body[:half] + b"\r\n" + \
                  (b"%x\r\n" % (len(body) - half)) + body[half:] + b"\r\n0\r\n\r\n"
        back = json.dumps({"platform": "weavy", "service": "studio", "level": "operational"}).encode()
        with socket.create_connection(("127.0.0.1", self.v.port), timeout=10) as s:
            s.sendall(b"POST /api/v1/admin/levels HTTP/1.1\r\nHost: x\r\n" + auth +
                      b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
            first, _ = self.read_responses(s, 1)
            self.assertEqual(first[0][0], 200, first[0][2])
            level = self.v.json("/api/v1/platforms/weavy/services/studio")["status"]["level"]
            self.assertEqual(level, "minor")
            # A POST without a body on the same connection: the previous body must not be
            # taken for its own.
            s.sendall(b"POST /api/v1/admin/levels HTTP/1.1\r\nHost: x\r\n" + auth +
                      b"Content-Type: application/json\r\nContent-Length: 0\r\n\r\n")
            second, _ = self.read_responses(s, 1)
            self.assertEqual(second[0][0], 400, second[0][2])
            s.sendall(b"POST /api/v1/admin/levels HTTP/1.1\r\nHost: x\r\n" + auth +
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(back) + back)
            third, _ = self.read_responses(s, 1)
            self.assertEqual(third[0][0], 200, third[0][2])
        level = self.v.json("/api/v1/platforms/weavy/services/studio")["status"]["level"]
        self.assertEqual(level, "operational")

    def test_http_1_0_gets_its_answer_and_the_connection_closes(self):
        with socket.create_connection(("127.0.0.1", self.v.port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        self.assertTrue(data.startswith(b"HTTP/1.1 200"), data[:80])
        self.assertIn(b"Connection: close", data)


class ConnectionLimitTest(unittest.TestCase):
    def test_a_connection_over_the_limit_gets_503_and_a_freed_place_is_taken_again(self):
        v = harness.Vigie(seed=False, env={"VIGIE_SERVER_MAX_CONNECTIONS": "2"})
        try:
            held = []
            for _ in range(2):
                c = socket.create_connection(("127.0.0.1", v.port), timeout=5)
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(c.recv(4096).startswith(b"HTTP/1.1 200"))
                held.append(c)
            with socket.create_connection(("127.0.0.1", v.port), timeout=5) as extra:
                answer = b""
                while True:
                    chunk = extra.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            self.assertTrue(answer.startswith(b"HTTP/1.1 503"), answer[:60])
            self.assertIn(b"too many connections", answer)
            held.pop().close()
            time.sleep(0.3)
            self.assertEqual(v.get("/healthz")[0], 200)
            for c in held:
                c.close()
        finally:
            v.close()


class ClientGoneTest(unittest.TestCase):
    def test_a_client_that_leaves_mid_body_does_not_stop_the_server(self):
        """A large page goes out with sendfile(); a client that resets the connection while it
        is being sent must cost only that connection (SIGPIPE used to end the process)."""
        v = harness.Vigie(seed=False)
        try:
            status, _, body = v.get("/fr/")
            self.assertEqual(status, 200)
            big = "/fr/infinity/"
            self.assertGreater(len(v.get(big)[2]), 16 * 1024)  # large enough for sendfile()
            for _ in range(30):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)  # the server waits
                s.connect(("127.0.0.1", v.port))
                s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % big).encode())
                try:
                    s.recv(100)  # the body is on its way
                except ConnectionResetError:
                    break  # the server is gone: said below
                # Leave at once, with a reset rather than a FIN.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            time.sleep(0.3)
            self.assertIsNone(v.proc.poll(), "vigie exited:\n" + v.log())
            self.assertEqual(v.get("/healthz")[0], 200)
        finally:
            v.close()


class ShutdownTest(unittest.TestCase):
    def test_sigterm_drains_and_exits_zero(self):
        v = harness.Vigie(seed=False)
        try:
            self.assertEqual(v.get("/api/v1/platforms")[0], 200)
            conn = v.connection()  # an idle keep-alive connection must not hold the exit
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            self.assertEqual(v.terminate(), 0, v.log())
            self.assertIn("shutting down", v.log())
            conn.close()
        finally:
            v.close()


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
