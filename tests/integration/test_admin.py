"""The back-office and the admin API over HTTP: each flow and each refusal."""
import html
import json
import re
import subprocess
import unittest
import urllib.parse

import harness

PASSWORD = "correct horse battery staple"


class Browser:
    """A tiny cookie-keeping client for the back-office."""

    def __init__(self, v, source=None):
        self.v = v
        self.source = source  # the loopback address it connects from
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        status, hdrs, data = self.v.request(method, path, h, body, self.source)
        cookie = hdrs.get("set-cookie")
        if cookie:
            name, _, rest = cookie.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return status, hdrs, data.decode("utf-8", "replace")

    def csrf(self, page):
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        assert m, "no csrf field in the page"
        return m.group(1)

    def login(self, name, password=PASSWORD):
        _, _, page = self.request("GET", "/admin/login")
        return self.request("POST", "/admin/login",
                            {"csrf": self.csrf(page), "name": name, "password": password, "next": "/admin/"})

    def post(self, path, form, page_path="/admin/"):
        _, _, page = self.request("GET", page_path)
        form = dict(form)
        form["csrf"] = self.csrf(page)
        return self.request("POST", path, form)


def add_user(v, name, role, password=PASSWORD):
    p = subprocess.run([harness.ARGS.binary, "user", "add", name, "--role", role, "--config",
                        harness.ARGS.source + "/vigie.toml", "--data", v.data],
                       input=password + "\n", capture_output=True, text=True, cwd=harness.ARGS.source)
    assert p.returncode == 0, p.stderr
    return p


def cli(v, *args, stdin=""):
    p = subprocess.run([harness.ARGS.binary] + list(args) + ["--config", harness.ARGS.source + "/vigie.toml",
                                                             "--data", v.data],
                       input=stdin, capture_output=True, text=True, cwd=harness.ARGS.source)
    return p.returncode, p.stdout, p.stderr


class AdminTest(harness.SiteTest):
    VIGIE = {"clock": True}

    @classmethod
    def prepare(cls):
        add_user(cls.v, "alice", "admin")
        add_user(cls.v, "eddie", "editor")

    def level_of(self, platform, service, region="fr"):
        j = self.v.json("/api/v1/platforms/%s?region=%s" % (platform, region))
        return [s for s in j["services"] if s["slug"] == service][0]["status"]["level"]

    def audit(self, b):
        return b.request("GET", "/admin/audit")[2]

    def test_pages_need_a_session(self):
        status, h, _ = self.v.get("/admin/")
        self.assertEqual((status, h["location"]), (303, "/admin/login?next=/admin/"))
        status, _, body = self.v.request("POST", "/admin/levels", {"Content-Type": "application/x-www-form-urlencoded"},
                                         "region=fr&platform=weavy&service=back-office&level=outage")
        self.assertEqual(status, 401)
        self.assertEqual(self.level_of("weavy", "back-office"), "operational")

    def test_the_back_office_switches_language_and_comes_back(self):
        b = Browser(self.v)
        self.assertEqual(b.login("alice")[0], 303)
        _, _, page = b.request("GET", "/admin/audit?from=switch")
        self.assertIn('<html lang="fr"', page)
        m = re.search(r'href="(/set-lang/en[^"]*)"', page)
        self.assertIsNotNone(m, "no language switch in the back-office")
        link = html.unescape(m.group(1))
        self.assertEqual(link, "/set-lang/en?next=/admin/audit%3Ffrom%3Dswitch")
        status, h, _ = b.request("GET", link)
        self.assertEqual((status, h["location"]), (303, "/admin/audit?from=switch"))
        _, _, page = b.request("GET", h["location"])
        self.assertIn('<html lang="en"', page)
        self.assertIn('href="/set-lang/fr?next=/admin/audit%3Ffrom%3Dswitch"', page)
        # Signed out, on the login page too; a form's answer leads back to a page, not to
        # the form's action.
        _, _, login = Browser(self.v).request("GET", "/admin/login")
        self.assertIn('href="/set-lang/en?next=/admin/login"', login)
        status, _, refused = b.request("POST", "/admin/levels", {"csrf": "wrong"})
        self.assertEqual(status, 403)
        self.assertIn('href="/set-lang/fr?next=/admin/"', refused)

    def test_login_refusals_look_the_same_and_are_throttled(self):
        b = Browser(self.v)
        s1, _, wrong = b.login("alice", "not the password at all")
        s2, _, unknown = b.login("nobody-at-all", "not the password at all")
        self.assertEqual((s1, s2), (401, 401))
        msg = lambda page: re.search(r'role="alert">([^<]+)<', page).group(1)
        self.assertEqual(msg(wrong), msg(unknown))
        # without the login form's token
        status, _, _ = b.request("POST", "/admin/login", {"name": "alice", "password": PASSWORD})
        self.assertEqual(status, 403)
        # five failures lock the account, even with the right password afterwards
        for _ in range(5):
            b.login("eddie-throttled", "wrong password again")
        add_user(self.v, "eddie-throttled", "editor")
        status, _, page = b.login("eddie-throttled")
        self.assertEqual(status, 429)

    def test_session_cookie_flags_and_security_headers(self):
        b = Browser(self.v)
        _, _, page = b.request("GET", "/admin/login")
        status, h, _ = b.request("POST", "/admin/login",
                                 {"csrf": b.csrf(page), "name": "alice", "password": PASSWORD, "next": "/admin/"})
        self.assertEqual((status, h["location"]), (303, "/admin/"))
        cookie = h["set-cookie"]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        session = b.cookies["vigie_session"]
        self.assertGreaterEqual(len(session), 43)
        status, h, page = b.request("GET", "/admin/")
        self.assertEqual(status, 200)
        self.assertIn("default-src 'self'", h["content-security-policy"])
        self.assertEqual(h["x-frame-options"], "DENY")
        self.assertEqual(h["cache-control"], "no-store")
        self.assertNotIn("<script>", page, "no inline script under the CSP")
        # a new id at each login
        b2 = Browser(self.v)
        b2.login("alice")
        self.assertNotEqual(b2.cookies["vigie_session"], session)
        # logout ends the session
        b.post("/admin/logout", {})
        self.assertEqual(Browser(self.v).request("GET", "/admin/")[0], 303)
        b.cookies["vigie_session"] = session
        self.assertEqual(b.request("GET", "/admin/")[0], 303)

    def test_csrf_is_required_on_every_form(self):
        b = Browser(self.v)
        b.login("eddie")
        for token in (None, "forged-token"):
            form = {"region": "fr", "platform": "weavy", "service": "studio", "level": "outage"}
            if token:
                form["csrf"] = token
            status, _, _ = b.request("POST", "/admin/levels", form)
            self.assertEqual(status, 403)
        self.assertEqual(self.level_of("weavy", "studio"), "operational", "nothing written")

    def test_set_a_level_shows_everywhere_at_once(self):
        b = Browser(self.v)
        b.login("eddie")
        status, _, _ = b.post("/admin/levels", {"region": "na", "platform": "weavy", "service": "triggers",
                                                "level": "minor", "note": "Retards constatés"})
        self.assertEqual(status, 303)
        self.assertEqual(self.level_of("weavy", "triggers", "na"), "minor")
        self.assertEqual(self.level_of("weavy", "triggers", "fr"), "operational")
        _, _, page = self.v.get("/en/weavy/", {"Host": "status.divalto.ca"})
        self.assertIn("Minor disruption", page.decode())
        _, _, feed = self.v.get("/feeds/fr/weavy/services/triggers.rss", {"Host": "status.divalto.ca"})
        self.assertIn("Perturbation mineure", re.search(r"<item>\s*<title>([^<]+)", feed.decode()).group(1))
        self.assertIn("level.set", self.audit(b))
        self.assertIn("eddie", self.audit(b))
        # bad input: a clear message, nothing written
        status, _, page = b.post("/admin/levels", {"region": "na", "platform": "weavy", "service": "teleport",
                                                   "level": "minor"})
        self.assertEqual(status, 404)
        self.assertIn("teleport", html.unescape(page))

    def test_two_operators_editing_one_event_cannot_overwrite_each_other(self):
        alice, eddie = Browser(self.v), Browser(self.v)
        alice.login("alice")
        eddie.login("eddie")
        status, h, _ = eddie.post("/admin/events", {"kind": "incident", "platform": "weavy", "regions": ["fr"],
                                                    "title_fr": "Panne", "title_en": "Outage",
                                                    "service_studio": "major", "phase": "investigating"},
                                  "/admin/events")
        self.assertEqual(status, 303, h)
        eid = int(h["location"].rsplit("/", 1)[1])
        path = "/admin/events/%d" % eid
        # Both open the event: the edit form carries the revision each of them saw.
        opened = {b: b.request("GET", path)[2] for b in (alice, eddie)}

        def edit(b, title):
            page = opened[b]
            revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
            return b.request("POST", path, {"csrf": b.csrf(page), "platform": "weavy", "regions": ["fr"],
                                            "title_fr": title, "title_en": title, "service_studio": "major",
                                            "revision": revision}, {"Referer": path})

        self.assertEqual(edit(alice, "Panne (Alice)")[0], 303)
        status, _, page = edit(eddie, "Panne (Eddie)")
        self.assertEqual(status, 409)
        self.assertIn("changed by alice", html.unescape(page))
        self.assertIn('href="%s"' % path, page)  # back to the event, to reload it
        self.assertEqual(self.v.json("/api/v1/events/%d" % eid)["event"]["title"], "Panne (Alice)")
        # Having reloaded, Eddie sees Alice's words and his edit goes through.
        opened[eddie] = eddie.request("GET", path)[2]
        self.assertIn("Panne (Alice)", html.unescape(opened[eddie]))
        self.assertEqual(edit(eddie, "Panne (Eddie)")[0], 303)
        self.assertEqual(self.v.json("/api/v1/events/%d" % eid)["event"]["title"], "Panne (Eddie)")

    def test_incident_flow_two_services_two_regions(self):
        b = Browser(self.v)
        b.login("eddie")
        form = {"kind": "incident", "platform": "infinity", "regions": ["fr", "na"],
                "title_fr": "Lenteurs SOAP", "title_en": "Slow SOAP",
                "body_fr": "Les appels **SOAP** sont lents.", "body_en": "SOAP calls are slow.",
                "service_soap": "major", "service_rest": "minor", "phase": "investigating",
                "update_fr": "Analyse en cours.", "update_en": "Investigating."}
        status, h, _ = b.post("/admin/events", form, "/admin/events")
        self.assertEqual(status, 303, h)
        event_id = int(h["location"].rsplit("/", 1)[1])
        for region in ("fr", "na"):
            self.assertEqual(self.level_of("infinity", "soap", region), "major")
            self.assertEqual(self.level_of("infinity", "rest", region), "minor")
        ev = self.v.json("/api/v1/events/%d" % event_id)["event"]
        self.assertEqual((ev["state"], ev["phase"], len(ev["updates"])), ("in_progress", "investigating", 1))
        _, _, page = self.v.get("/fr/infinity/")
        self.assertIn("Lenteurs SOAP", page.decode())
        # an update with a new phase
        status, _, _ = b.post("/admin/events/%d/updates" % event_id,
                              {"text_fr": "Cause identifiée.", "text_en": "Cause identified.", "phase": "identified"},
                              "/admin/events/%d" % event_id)
        self.assertEqual(status, 303)
        ev = self.v.json("/api/v1/events/%d?lang=en" % event_id)["event"]
        self.assertEqual((ev["phase"], ev["updates"][0]["text"]), ("identified", "Cause identified."))
        _, _, feed = self.v.get("/feeds/fr/infinity/events.rss")
        self.assertIn("Cause identifiée.", feed.decode())
        # resolved (later: an incident lasts at least a second)
        self.v.advance(60)
        status, _, _ = b.post("/admin/events/%d/resolve" % event_id,
                              {"text_fr": "Résolu.", "text_en": "Resolved."}, "/admin/events/%d" % event_id)
        self.assertEqual(status, 303)
        ev = self.v.json("/api/v1/events/%d" % event_id)["event"]
        self.assertEqual((ev["state"], ev["phase"]), ("past", "resolved"))
        self.assertEqual(self.level_of("infinity", "soap"), "operational")
        # resolving twice is refused
        status, _, _ = b.post("/admin/events/%d/resolve" % event_id, {}, "/admin/events/%d" % event_id)
        self.assertEqual(status, 400)
        audit = self.audit(b)
        for action in ("event.create", "event.update", "event.resolve"):
            self.assertIn(action, audit)

    def test_invalid_events_are_refused_with_a_sentence(self):
        b = Browser(self.v)
        b.login("eddie")
        before = self.v.json("/api/v1/platforms/weavy/events?limit=200")["total"]
        cases = [
            ({"kind": "maintenance", "platform": "weavy", "regions": ["fr"], "title_fr": "M",
              "start": "2030-01-10T10:00", "end": "2030-01-10T09:00", "service_studio": "maintenance"},
             "end must come after"),
            ({"kind": "incident", "platform": "weavy", "regions": ["fr"], "title_fr": "", "title_en": ""},
             "title"),
            ({"kind": "maintenance", "platform": "weavy", "regions": ["fr"], "title_fr": "M",
              "start": "2030-03-31T02:30", "end": "2030-03-31T05:00", "service_studio": "maintenance"},
             "does not exist"),
            ({"kind": "maintenance", "platform": "weavy", "regions": ["fr"], "title_fr": "M",
              "start": "2030-10-27T02:30", "end": "2030-10-27T05:00", "service_studio": "maintenance"},
             "happens twice"),
            ({"kind": "incident", "platform": "weavy", "regions": ["mars"], "title_fr": "X"}, "region"),
        ]
        for form, expected in cases:
            status, _, page = b.post("/admin/events", form, "/admin/events")
            self.assertIn(status, (400, 404), form)
            self.assertIn(expected, html.unescape(page), form)
        self.assertEqual(self.v.json("/api/v1/platforms/weavy/events?limit=200")["total"], before)

    def test_planned_maintenance_cancel_and_message_lifecycle(self):
        b = Browser(self.v)
        b.login("eddie")
        status, h, _ = b.post("/admin/events", {"kind": "maintenance", "platform": "weavy", "regions": ["fr"],
                                                "title_fr": "Plus tard", "title_en": "Later",
                                                "start": "2031-06-01T22:00", "end": "2031-06-01T23:00",
                                                "service_studio": "maintenance"}, "/admin/events")
        self.assertEqual(status, 303)
        event_id = int(h["location"].rsplit("/", 1)[1])
        ev = self.v.json("/api/v1/events/%d" % event_id)["event"]
        self.assertEqual((ev["state"], ev["starts_at"]), ("planned", "2031-06-01T20:00:00Z"))
        status, _, _ = b.post("/admin/events/%d/cancel" % event_id, {"text_fr": "Reportée"},
                              "/admin/events/%d" % event_id)
        self.assertEqual(status, 303)
        self.assertEqual(self.v.json("/api/v1/events/%d" % event_id)["event"]["state"], "cancelled")
        _, _, ics = self.v.get("/feeds/fr/weavy/maintenance.ics")
        self.assertIn(b"STATUS:CANCELLED", ics)
        # messages
        status, _, _ = b.post("/admin/messages", {"platform": "weavy", "regions": ["fr", "na"],
                                                  "title_fr": "Message test", "title_en": "Test message"},
                              "/admin/messages")
        self.assertEqual(status, 303)
        msgs = self.v.json("/api/v1/platforms/weavy/messages")["messages"]
        mid = [m["id"] for m in msgs if m["title"] == "Message test"][0]
        status, _, _ = b.post("/admin/messages/%d" % mid, {"title_fr": "Message corrigé", "title_en": "Fixed message",
                                                           "body_fr": "Texte"}, "/admin/messages")
        self.assertEqual(status, 303)
        msgs = self.v.json("/api/v1/platforms/weavy/messages")["messages"]
        self.assertIn("Message corrigé", [m["title"] for m in msgs])
        self.v.advance(60)  # a message lives at least a second
        status, _, _ = b.post("/admin/messages/%d/expire" % mid, {}, "/admin/messages")
        self.assertEqual(status, 303)
        self.assertNotIn(mid, [m["id"] for m in self.v.json("/api/v1/platforms/weavy/messages")["messages"]])

    def test_roles(self):
        editor = Browser(self.v)
        editor.login("eddie")
        self.assertEqual(editor.request("GET", "/admin/tokens")[0], 403)
        status, _, _ = editor.post("/admin/tokens", {"name": "sneaky", "role": "admin"})
        self.assertEqual(status, 403)
        admin = Browser(self.v)
        admin.login("alice")
        self.assertEqual(admin.request("GET", "/admin/tokens")[0], 200)
        status, _, page = admin.post("/admin/tokens", {"name": "ci", "role": "editor"}, "/admin/tokens")
        self.assertEqual(status, 201)
        token = re.search(r'value="(vigie_[^"]+)"', page).group(1)
        status, _, _ = self.v.request("POST", "/api/v1/admin/levels",
                                      {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                                      json.dumps({"platform": "weavy", "service": "odata", "level": "major",
                                                  "regions": ["fr"]}))
        self.assertEqual(status, 200)
        self.assertEqual(self.level_of("weavy", "odata"), "major")

    def test_catalog_add_rename_reorder_retire(self):
        admin = Browser(self.v)
        admin.login("alice")
        status, _, _ = admin.post("/admin/catalog", {"platform": "weavy", "slug": "sms-gateway",
                                                     "name_fr": "Passerelle SMS", "name_en": "SMS gateway",
                                                     "information_fr": "Envoi de SMS.", "information_en": "Sends SMS."},
                                  "/admin/catalog")
        self.assertEqual(status, 303)
        services = self.v.json("/api/v1/platforms/weavy")["services"]
        self.assertEqual(services[-1]["slug"], "sms-gateway")
        self.assertEqual(len(services), 16)
        # a duplicate slug is refused
        status, _, page = admin.post("/admin/catalog", {"platform": "weavy", "slug": "sms-gateway",
                                                        "name_fr": "X", "name_en": "X"}, "/admin/catalog")
        self.assertEqual(status, 409)
        # rename, move first, then retire: hidden from the site, its page and history kept
        _, _, page = admin.request("GET", "/admin/catalog")
        sid = int(re.search(r'action="/admin/catalog/(\d+)"[^>]*id="s\d+">\s*<input type="hidden" name="csrf" value="[^"]+">\s*<p><strong>sms-gateway', page).group(1))
        form = {"name_fr": "Passerelle SMS et vocale", "name_en": "SMS and voice gateway", "position": "0"}
        status, _, _ = admin.post("/admin/catalog/%d" % sid, form, "/admin/catalog")
        self.assertEqual(status, 303)
        services = self.v.json("/api/v1/platforms/weavy?lang=en")["services"]
        self.assertEqual((services[0]["slug"], services[0]["name"]), ("sms-gateway", "SMS and voice gateway"))
        form["retired"] = "1"
        status, _, _ = admin.post("/admin/catalog/%d" % sid, form, "/admin/catalog")
        self.assertEqual(status, 303)
        self.assertNotIn("sms-gateway", [s["slug"] for s in self.v.json("/api/v1/platforms/weavy")["services"]])
        self.assertTrue(self.v.json("/api/v1/platforms/weavy/services/sms-gateway")["retired"])
        # editors may not touch the catalog
        editor = Browser(self.v)
        editor.login("eddie")
        self.assertEqual(editor.request("GET", "/admin/catalog")[0], 403)

    def test_users_page_and_markdown_preview(self):
        admin = Browser(self.v)
        admin.login("alice")
        status, _, _ = admin.post("/admin/users", {"name": "nina", "role": "editor", "password": "nina's long password"},
                                  "/admin/users")
        self.assertEqual(status, 303)
        self.assertEqual(Browser(self.v).login("nina", "nina's long password")[0], 303)
        status, _, page = admin.post("/admin/users", {"name": "nina2", "role": "editor", "password": "short"},
                                     "/admin/users")
        self.assertEqual(status, 400)
        self.assertIn("12 characters", html.unescape(page))
        status, _, _ = admin.post("/admin/users/nina/disable", {}, "/admin/users")
        self.assertEqual(status, 303)
        self.assertEqual(Browser(self.v).login("nina", "nina's long password")[0], 401)
        status, _, page = admin.post("/admin/users/alice/disable", {}, "/admin/users")
        self.assertEqual(status, 400, "nobody disables themselves")
        editor = Browser(self.v)
        editor.login("eddie")
        self.assertEqual(editor.request("GET", "/admin/users")[0], 403)
        status, _, page = editor.post("/admin/preview", {"body_fr": "**gras** <script>x</script> [l](javascript:alert(1))"},
                                      "/admin/events")
        self.assertEqual(status, 200)
        self.assertIn("<strong>gras</strong>", page)
        self.assertNotIn("<script>x", page)
        self.assertNotIn("javascript:", page)

    def test_password_change_ends_every_session(self):
        add_user(self.v, "paula", "editor")
        b = Browser(self.v)
        b.login("paula")
        self.assertEqual(b.request("GET", "/admin/")[0], 200)
        code, _, err = cli(self.v, "user", "passwd", "paula", stdin="another long password\n")
        self.assertEqual(code, 0, err)
        self.assertEqual(b.request("GET", "/admin/")[0], 303)
        self.assertEqual(Browser(self.v).login("paula", "another long password")[0], 303)
        code, _, err = cli(self.v, "user", "add", "shorty", "--role", "editor", stdin="short\n")
        self.assertEqual(code, 2)
        self.assertIn("12 characters", err)
        code, _, err = cli(self.v, "user", "disable", "paula")
        self.assertEqual(code, 0, err)
        self.assertEqual(Browser(self.v).login("paula", "another long password")[0], 401)


class SessionExpiryTest(unittest.TestCase):
    def test_an_idle_session_ends(self):
        v = harness.Vigie(seed=False, clock=True)  # idle sessions end after 30 minutes
        try:
            add_user(v, "ivy", "editor")
            b = Browser(v)
            b.login("ivy")
            v.advance(29 * 60)
            self.assertEqual(b.request("GET", "/admin/")[0], 200)  # in use: kept
            v.advance(29 * 60)
            self.assertEqual(b.request("GET", "/admin/")[0], 200)
            v.advance(31 * 60)
            status, h, _ = b.request("GET", "/admin/")
            self.assertEqual((status, h.get("location")), (303, "/admin/login?next=/admin/"))
            # and a form posted with the dead session writes nothing
            status, _, _ = b.request("POST", "/admin/levels", {"csrf": "x", "region": "fr", "platform": "weavy",
                                                               "service": "studio", "level": "outage"})
            self.assertEqual(status, 401)
            self.assertEqual([s for s in v.json("/api/v1/platforms/weavy")["services"]
                              if s["slug"] == "studio"][0]["status"]["level"], "operational")
        finally:
            v.close()


class SessionLifetimeTest(unittest.TestCase):
    def test_a_session_in_use_still_ends_after_twelve_hours(self):
        v = harness.Vigie(seed=False, clock=True)
        try:
            add_user(v, "uma", "editor")
            b = Browser(v)
            b.login("uma")
            for _ in range(28):  # 11 h 40 min, never idle for long
                v.advance(25 * 60)
                self.assertEqual(b.request("GET", "/admin/")[0], 200)
            v.advance(25 * 60)
            status, h, _ = b.request("GET", "/admin/")
            self.assertEqual((status, h.get("location")), (303, "/admin/login?next=/admin/"))
        finally:
            v.close()


class AdminApiTest(harness.SiteTest):
    VIGIE = {"clock": True}

    @classmethod
    def prepare(cls):
        cls.token = cls.v.token("deploy-bot", "editor")

    def call(self, path, body, token=None):
        headers = {"Content-Type": "application/json"}
        if token is not False:
            headers["Authorization"] = "Bearer " + (token or self.token)
        status, h, data = self.v.request("POST", path, headers,
                                         body if isinstance(body, str) else json.dumps(body))
        return status, json.loads(data)

    def test_create_update_resolve_an_incident(self):
        status, j = self.call("/api/v1/admin/events", {
            "kind": "incident", "platform": "weavy", "regions": ["na"],
            "title": {"fr": "Synchro lente", "en": "Slow sync"}, "services": {"mobile-sync": "minor"},
            "update": {"fr": "Analyse.", "en": "Looking."}})
        self.assertEqual(status, 201, j)
        eid = j["id"]
        ev = self.v.json("/api/v1/events/%d?region=na" % eid)["event"]
        self.assertEqual(ev["state"], "in_progress")
        status, j = self.call("/api/v1/admin/events/%d/updates" % eid,
                              {"text": {"fr": "Corrigé", "en": "Fixed"}, "phase": "monitoring"})
        self.assertEqual(status, 200, j)
        self.v.advance(60)
        status, j = self.call("/api/v1/admin/events/%d/resolve" % eid, {"text": {"en": "Resolved"}})
        self.assertEqual(status, 200, j)
        ev = self.v.json("/api/v1/events/%d?region=na" % eid)["event"]
        self.assertEqual((ev["state"], ev["phase"], len(ev["updates"])), ("past", "resolved", 3))
        status, j = self.call("/api/v1/admin/messages", {"title": {"fr": "Info", "en": "Info"}, "platform": "weavy"})
        self.assertEqual(status, 201, j)

    def test_refusals(self):
        self.assertEqual(self.call("/api/v1/admin/events", {}, token=False)[0], 401)
        self.assertEqual(self.call("/api/v1/admin/events", {}, token="vigie_forged")[0], 401)
        status, j = self.call("/api/v1/admin/events", "{not json")
        self.assertEqual((status, j["error"]["code"]), (400, "bad_request"))
        status, j = self.call("/api/v1/admin/events", {"kind": "incident", "platform": "weavy",
                                                       "title": {"fr": "X"}, "services": {"nope": "major"}})
        self.assertEqual(status, 404)
        self.assertIn("nope", j["error"]["message"])
        status, j = self.call("/api/v1/admin/events", {"kind": "maintenance", "platform": "weavy",
                                                       "title": {"fr": "X"}, "starts_at": "2030-01-01T10:00:00Z",
                                                       "ends_at": "2030-01-01T09:00:00Z",
                                                       "services": {"studio": "maintenance"}})
        self.assertEqual(status, 400)
        # a revoked token stops working at once
        code, out, _ = cli(self.v, "token", "create", "short-lived")
        token = out.strip()
        self.assertEqual(self.call("/api/v1/admin/messages", {"title": {"fr": "a"}}, token=token)[0], 201)
        code, listing, _ = cli(self.v, "token", "list")
        tid = [l.split("\t")[0] for l in listing.splitlines() if "\tshort-lived\t" in l][0]
        self.assertEqual(cli(self.v, "token", "revoke", tid)[0], 0)
        self.assertEqual(self.call("/api/v1/admin/messages", {"title": {"fr": "a"}}, token=token)[0], 401)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
