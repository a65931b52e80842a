"""What a hostile visitor or a careful operator tried (issue 14), each a regression test: the
response cache's bound, /readyz and logins while the database is locked, a database file
replaced under the server, open redirects, log injection, security headers, HTTP framing."""
import json
import os
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness
from test_admin import PASSWORD, Browser, add_user, cli


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def pipelined_get(port, paths, depth=100):
    """GETs every path on one keep-alive connection, `depth` requests in flight at a time;
    returns the statuses in order."""
    statuses = []
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        f = s.makefile("rb")
        for i in range(0, len(paths), depth):
            batch = paths[i:i + depth]
            s.sendall(b"".join(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % p.encode()
                               for p in batch))
            for _ in batch:
                status = int(f.readline().split()[1])
                length = 0
                while True:
                    line = f.readline()
                    if line in (b"\r\n", b""):
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                f.read(length)
                statuses.append(status)
    return statuses


def raw(port, data):
    """Sends raw bytes; returns the status of the first response (0 when none)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        got = b""
        while b"\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    return int(got.split()[1]) if got.startswith(b"HTTP/") else 0


def editor_token(v):
    return v.token("bot", "editor")


def set_level(v, token, level, service="odata"):
    """An admin API write: a manual level for one service of weavy in region fr."""
    return v.request("POST", "/api/v1/admin/levels",
                     {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                     json.dumps({"platform": "weavy", "service": service, "level": level,
                                 "regions": ["fr"]}))


class CacheBoundTest(harness.SiteTest):
    """Visitors choose cache keys; what one snapshot keeps stays within cache.budget_mib."""

    BUDGET_MIB = 4
    VIGIE = {"env": {"VIGIE_CACHE_BUDGET_MIB": str(BUDGET_MIB)}}

    def test_every_event_has_one_url(self):
        eid = self.v.json("/api/v1/platforms/infinity/events")["events"][0]["id"]
        self.assertEqual(self.v.get("/fr/events/%d" % eid)[0], 200)
        for alias in ("0%d" % eid, "00%d" % eid, "+%d" % eid, "%d.0" % eid, "0"):
            self.assertEqual(self.v.get("/fr/events/" + alias)[0], 404, alias)
            status, _, body = self.v.get("/api/v1/events/" + alias)
            self.assertEqual(status, 400, alias)
            self.assertIn("without leading zeros", json.loads(body)["error"]["message"])

    def test_a_page_past_the_last_is_not_found(self):
        total = self.v.json("/api/v1/platforms/infinity/events?limit=5")["total"]
        last = (total + 4) // 5
        self.v.json("/api/v1/platforms/infinity/events?limit=5&page=%d" % last)
        status, _, body = self.v.get("/api/v1/platforms/infinity/events?limit=5&page=%d" % (last + 1))
        self.assertEqual(status, 404)
        self.assertIn("there is no page %d" % (last + 1), json.loads(body)["error"]["message"])
        # page 1 answers even when nothing matches
        self.v.json("/api/v1/platforms/weavy/events?state=planned&kind=action")

    def test_spellings_of_one_path_share_one_body(self):
        _, h1, b1 = self.v.get("/fr/infinity/")
        for alias in ("/fr/infinity", "/fr//infinity/", "//fr///infinity//"):
            status, h2, b2 = self.v.get(alias)
            self.assertEqual((status, h2["etag"], b2), (200, h1["etag"], b1), alias)

    @unittest.skipIf(os.environ.get("VIGIE_SANITIZED") == "1",
                     "AddressSanitizer keeps freed memory in quarantine: RSS says nothing there")
    def test_60000_distinct_requests_leave_memory_bounded(self):
        pid = self.v.proc.pid
        # What a visitor normally asks for, twice: the cache is warm.
        for _ in range(2):
            pipelined_get(self.v.port, ["/fr/", "/fr/infinity/", "/en/weavy/",
                                        "/feeds/fr/infinity/status.rss", "/api/v2/summary.json"])
        before = rss_kib(pid)
        # Every filter, limit and page of the events API that exists, in both languages and
        # regions (about 32,000), then ids and pages that do not; 60,000 distinct requests in
        # all. Unbounded, the valid ones alone would keep well over 100 MB.
        paths = []
        for region in ("fr", "na"):
            for lang in ("fr", "en"):
                for platform in ("infinity", "weavy"):
                    for state in ("", "in_progress", "planned", "past"):
                        for kind in ("", "incident", "maintenance", "action", "announcement"):
                            q = "region=%s&lang=%s" % (region, lang)
                            q += "&state=" + state if state else ""
                            q += "&kind=" + kind if kind else ""
                            total = self.v.json("/api/v1/platforms/%s/events?%s" % (platform, q))["total"]
                            for limit in range(1, 201):
                                for page in range(1, max(1, (total + limit - 1) // limit) + 1):
                                    paths.append("/api/v1/platforms/%s/events?%s&limit=%d&page=%d"
                                                 % (platform, q, limit, page))
        valid = len(paths)
        n = 0
        while len(paths) < 60000:
            n += 1
            paths.append("/fr/events/%07d" % n if n % 2 else
                         "/api/v1/platforms/infinity/events?limit=1&page=%d" % (1000 + n))
        started = time.time()
        statuses = []
        for i in range(0, len(paths), 20000):
            statuses += pipelined_get(self.v.port, paths[i:i + 20000])
        elapsed = time.time() - started
        self.assertEqual(statuses.count(200), valid)
        self.assertEqual(len(statuses), 60000)
        after = rss_kib(pid)
        grown_mib = (after - before) / 1024
        print("\n60,000 distinct requests (%d answered 200) in %.1f s: RSS %.1f -> %.1f MiB "
              "(+%.1f MiB; cache budget %d MiB)" % (valid, elapsed, before / 1024, after / 1024,
                                                     grown_mib, self.BUDGET_MIB))
        # Each kept body is charged three times its size, so the cache itself holds at most
        # the budget; the rest is the allocator's slack. Unbounded, this grows by hundreds of MB.
        self.assertLess(grown_mib, self.BUDGET_MIB + 24)
        # The site still answers what it answered, from the cache.
        self.assertEqual(self.v.get("/fr/infinity/")[0], 200)


class LockedDatabaseTest(harness.SiteTest):
    """Another process holds the database's write lock (a backup, an sqlite3 shell)."""

    @classmethod
    def prepare(cls):
        cls.token = editor_token(cls.v)
        add_user(cls.v, "olga", "editor")

    def write(self):
        return set_level(self.v, self.token, "minor")

    def test_public_pages_and_readyz_never_wait_and_writes_answer_503(self):
        self.assertEqual(self.v.get("/readyz")[0], 200)
        other = sqlite3.connect(os.path.join(self.v.data, "vigie.db"), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            results = {}
            writer = threading.Thread(target=lambda: results.update(write=self.write()))
            writer.start()
            time.sleep(0.3)  # the write now holds the store, waiting for the lock
            slowest = 0
            while writer.is_alive():
                for path in ("/readyz", "/fr/", "/api/v1/platforms"):
                    t = time.time()
                    status = self.v.get(path)[0]
                    slowest = max(slowest, time.time() - t)
                    self.assertIn(status, (200, 503) if path == "/readyz" else (200,))
            writer.join()
            # A bound, not a speed: before, these waited for the write (seconds).
            self.assertLess(slowest, 1.0)
            status, _, body = results["write"]
            self.assertEqual(status, 503, body)
            self.assertIn("locked", json.loads(body)["error"]["message"])
            # The write told /readyz; the background ping keeps saying so while it lasts.
            status, _, body = self.v.get("/readyz")
            self.assertEqual(status, 503)
            message = json.loads(body)["error"]["message"]
            self.assertIn("database unreachable since", message)
            self.assertIn("serving the snapshot of", message)
            # Signing in answers within a bound too, with a sentence.
            b = Browser(self.v)
            t = time.time()
            status, _, page = b.login("olga")
            self.assertEqual(status, 503, page[:300])
            self.assertLess(time.time() - t, 7.0)
        finally:
            other.execute("ROLLBACK")
            other.close()
        deadline = time.time() + 10
        while self.v.get("/readyz")[0] != 200:
            self.assertLess(time.time(), deadline, "/readyz did not come back")
            time.sleep(0.2)
        self.assertEqual(self.write()[0], 200)


class StartWhileLockedTest(unittest.TestCase):
    def test_serve_starts_on_a_locked_database_and_joins_when_it_can(self):
        first = harness.Vigie()
        data = first.data
        first.terminate()
        first.stdout.close()
        first.stderr.close()
        other = sqlite3.connect(os.path.join(data, "vigie.db"), isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        v = None
        try:
            v = harness.Vigie(data=data, seed=False)
            self.assertEqual(v.get("/fr/infinity/")[0], 200)
            status, _, body = v.get("/readyz")
            self.assertEqual(status, 503, body)
            self.assertIn("starting without writing", v.log())
        finally:
            other.execute("ROLLBACK")
            other.close()
        try:
            deadline = time.time() + 15
            while v.get("/readyz")[0] != 200:
                self.assertLess(time.time(), deadline, "/readyz did not come back")
                time.sleep(0.2)
            # The clock's retry comes up to 2 s after the database answers again.
            while "missed transitions recorded" not in v.log():
                self.assertLess(time.time(), deadline, "missed transitions not recorded:\n" + v.log())
                time.sleep(0.2)
        finally:
            v.close()


class ReplacedDatabaseTest(unittest.TestCase):
    def test_writes_to_a_replaced_or_removed_file_are_refused(self):
        for how in ("replaced", "removed"):
            v = harness.Vigie()
            try:
                token = editor_token(v)
                db = os.path.join(v.data, "vigie.db")
                os.rename(db, db + ".old")
                if how == "replaced":
                    open(db, "wb").close()
                status, _, body = set_level(v, token, "minor")
                # The token was found (the connection still reads the old file), the write refused.
                self.assertEqual(status, 503, body)
                self.assertIn("was %s while in use" % how, json.loads(body)["error"]["message"])
                status, _, body = v.get("/readyz")
                self.assertEqual(status, 503)
                self.assertIn(how, json.loads(body)["error"]["message"])
                self.assertEqual(v.get("/fr/infinity/")[0], 200)  # reads go on from the snapshot
            finally:
                v.close()


class DatabaseFileTest(unittest.TestCase):
    def test_an_empty_or_foreign_file_is_not_taken_for_a_first_start(self):
        data = tempfile.mkdtemp(prefix="vigie-it-")
        db = os.path.join(data, "vigie.db")
        try:
            open(db, "wb").close()
            code, _, err = harness.run_cli("serve", "--listen", "127.0.0.1:0", data=data)
            self.assertEqual(code, 2, err)
            self.assertIn("is an empty file, not a Vigie database", err)
            os.remove(db)
            other = sqlite3.connect(db)
            other.execute("CREATE TABLE invoices (id INTEGER)")
            other.close()
            code, _, err = harness.run_cli("migrate", data=data)
            self.assertEqual(code, 2, err)
            self.assertIn("a SQLite database of another program (tables: invoices)", err)
        finally:
            subprocess.run(["rm", "-rf", data])


@unittest.skipUnless(os.geteuid() == 0, "mounting a small tmpfs needs root")
class FullDiskTest(unittest.TestCase):
    def test_a_full_disk_is_a_clear_503_and_nothing_acknowledged_is_lost(self):
        mnt = tempfile.mkdtemp(prefix="vigie-full-")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt], check=True)
        v = None
        try:
            v = harness.Vigie(data=mnt)
            token = editor_token(v)
            self.assertEqual(set_level(v, token, "minor")[0], 200)
            with open(os.path.join(mnt, "filler"), "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            status, _, body = set_level(v, token, "major")
            self.assertEqual(status, 503, body)
            self.assertIn("full", json.loads(body)["error"]["message"])
            self.assertIn(" error the database is not answering", v.log())
            status, _, body = v.get("/readyz")
            self.assertEqual(status, 503, body)
            self.assertEqual(v.get("/fr/weavy/")[0], 200)
            os.remove(os.path.join(mnt, "filler"))
            deadline = time.time() + 10
            while v.get("/readyz")[0] != 200:
                self.assertLess(time.time(), deadline, "/readyz did not come back")
                time.sleep(0.2)
            level = lambda: [s["status"]["level"] for s in v.json("/api/v1/platforms/weavy")["services"]
                             if s["slug"] == "odata"][0]
            self.assertEqual(level(), "minor")  # the acknowledged write; the refused one is not
            self.assertEqual(set_level(v, token, "major")[0], 200)
            self.assertEqual(level(), "major")
        finally:
            if v:
                v.close()
            subprocess.run(["umount", mnt])
            os.rmdir(mnt)


class BoundedPagesTest(unittest.TestCase):
    def test_pages_list_at_most_20_open_events_and_count_the_rest(self):
        v = harness.Vigie(seed=False)
        try:
            token = editor_token(v)
            for i in range(27):
                status, _, body = v.request(
                    "POST", "/api/v1/admin/events",
                    {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                    json.dumps({"kind": "incident", "platform": "weavy", "regions": ["fr"],
                                "title": {"fr": "Incident %d" % i, "en": "Incident %d" % i},
                                "services": {"odata": "minor"}}))
                self.assertEqual(status, 201, body)
            for path, listed in (("/fr/weavy/", 20), ("/fr/weavy/services/odata", 20),
                                 ("/fr/weavy/embed", 20)):
                page = v.get(path)[2].decode()
                cards = page.count('<article class="event') + page.count('class="embed-event')
                if path.endswith("embed"):
                    cards = page.count("/fr/events/")
                self.assertEqual(cards, listed, path)
                if not path.endswith("embed"):
                    self.assertIn("7 autres événements ne sont pas listés ici.", page, path)
                    self.assertIn("/api/v1/platforms/weavy/events?lang=fr&amp;region=fr", page, path)
            self.assertEqual(v.json("/api/v1/platforms/weavy/events?state=in_progress")["total"], 27)
        finally:
            v.close()


class VisitorInputTest(harness.SiteTest):
    @classmethod
    def prepare(cls):
        add_user(cls.v, "ines", "editor")

    def test_no_open_redirect(self):
        for evil in ("/%09/evil.example", "/%0a/evil.example", "/\\evil.example", "/%5Cevil.example",
                     "//evil.example", "/%2F/evil.example", "https://evil.example", "/%20/evil.example",
                     "/%7F/evil.example", "/%C3%A9/x"):
            status, h, _ = self.v.get("/set-lang/en?next=" + evil)
            self.assertEqual((status, h["location"]), (303, "/en/"), evil)
        status, h, _ = self.v.get("/set-lang/en?next=/en/infinity/%3Fx")
        self.assertEqual(h["location"], "/en/infinity/?x")
        b = Browser(self.v)
        for evil in ("/admin%09/evil", "/admin/\r\nSet-Cookie:x=1", "/admin\\evil", "/administrator"):
            _, _, page = b.request("GET", "/admin/login?next=" + urllib.parse.quote(evil, safe=""))
            self.assertIn('name="next" value="/admin/"', page, evil)
            _, _, page = b.request("GET", "/admin/login")
            status, h, _ = b.request("POST", "/admin/login", {"csrf": b.csrf(page), "name": "ines",
                                                                "password": PASSWORD, "next": evil})
            self.assertEqual((status, h["location"]), (303, "/admin/"), evil)
            b.cookies.clear()

    def test_strangers_cannot_lock_an_operator_out(self):
        add_user(self.v, "oscar", "editor")
        self.assertEqual(Browser(self.v, "127.0.0.1").login("oscar")[0], 303)
        # Guessing from many addresses: each pair is slowed, then the account is locked...
        for i in range(2, 14):
            Browser(self.v, "127.0.0.%d" % i).login("oscar", "not the password %d" % i)
        self.assertEqual(Browser(self.v, "127.0.0.20").login("oscar")[0], 429)
        # ...but not for the address the operator signed in from before.
        self.assertEqual(Browser(self.v, "127.0.0.1").login("oscar")[0], 303)

    def test_logged_values_cannot_forge_lines(self):
        b = Browser(self.v)
        b.login("mallory\n2026-01-01T00:00:00.000Z info forged \x1b[31mline", "wrong password")
        log = self.v.log()
        self.assertIn("mallory\\x0a2026-01-01", log)
        self.assertIn("\\x1b[31m", log)
        self.assertNotIn("\x1b", log)
        self.assertFalse([l for l in log.splitlines() if l.startswith("2026-01-01T00:00:00.000Z")])

    def test_public_answers_carry_security_headers(self):
        home = self.v.get("/fr/")[2].decode()
        css = home.split('href="/static/')[1].split('"')[0]
        for path in ("/fr/", "/fr/infinity/", "/feeds/fr/infinity/status.rss", "/badge/fr/infinity.svg",
                     "/api/v1/platforms", "/api/v2/summary.json", "/static/" + css, "/fr/nowhere",
                     "/api/v1/nowhere", "/", "/healthz", "/fr/infinity/embed"):
            status, h, _ = self.v.get(path)
            self.assertEqual(h.get("x-content-type-options"), "nosniff", path)
            if not path.startswith("/static/"):
                self.assertEqual(h.get("referrer-policy"), "strict-origin-when-cross-origin", path)
            html = h.get("content-type", "").startswith("text/html")
            framed = "x-frame-options" in h
            self.assertEqual(framed, html and not path.endswith("/embed"), path)
        # the same on a revalidation of a cached page
        etag = self.v.get("/fr/infinity/")[1]["etag"]
        status, h, _ = self.v.get("/fr/infinity/", {"If-None-Match": etag})
        self.assertEqual((status, h.get("x-frame-options")), (304, "DENY"))

    def test_ambiguous_framing_is_refused(self):
        port = self.v.port
        ok = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
        self.assertEqual(raw(port, ok), 200)
        self.assertEqual(raw(port, b"GET /healthz HTTP/1.0\r\n\r\n"), 200)
        for bad in (b"GET /healthz HTTP/1.1\r\n\r\n",
                    b"GET /healthz HTTP/1.1\r\nHost: status.divalto.com\r\nHost: status.divalto.ca\r\n\r\n",
                    b"POST /admin/login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n"
                    b"0\r\n\r\n",
                    b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n"):
            self.assertEqual(raw(port, bad), 400, bad)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
