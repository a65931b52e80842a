"""Subscriptions by e-mail, through the real binary and a real SMTP server on loopback
(Debian's python3-aiosmtpd): subscribe, double opt-in, the mails as a mail client parses them
(headers, both parts, the subscriber's language), one-click unsubscribe (RFC 8058), bots and
known addresses answered alike, an SMTP outage that delays and loses nothing, and kill -9 of the
sender in the middle of a batch: every mail delivered once."""
import json
import re
import sys
import time
import unittest
import urllib.parse

import harness
from smtp_sink import SmtpSink
from test_admin import Browser, add_user

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
FROM = "Statut Divalto <status@divalto.example>"


def env_for(sink, **more):
    env = {"VIGIE_EMAIL_SMTP_URL": "smtp://127.0.0.1:%d" % sink.port, "VIGIE_EMAIL_FROM": FROM,
           "VIGIE_EMAIL_TIMEOUT_SECONDS": "2",
           "VIGIE_NOTIFY_FORM_MIN_SECONDS": "0", "VIGIE_NOTIFY_PER_VISITOR_PER_HOUR": "1000",
           "VIGIE_NOTIFY_RETRY_SECONDS": "1"}
    env.update(more)
    return env


def local(url):
    """The path and query of a link a mail gives (the configured public URL)."""
    u = urllib.parse.urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def text_of(msg):
    return msg.get_body(("plain",)).get_content()


def html_of(msg):
    return msg.get_body(("html",)).get_content()


def link_in(msg, prefix):
    m = re.search(r"(https?://\S+\?t=%s\.[A-Za-z0-9_.-]+)" % re.escape(prefix), text_of(msg))
    assert m, text_of(msg)
    return m.group(1)


class Subscriber:
    """A visitor going through the pages as a browser would."""

    def __init__(self, v, sink, email, lang="fr"):
        self.v, self.sink, self.email, self.lang = v, sink, email, lang

    def form(self, query="platform=weavy"):
        status, h, body = self.v.get("/%s/subscribe?%s" % (self.lang, query))
        assert status == 200, body
        return re.search(r'name="t" value="([^"]+)"', body.decode()).group(1), body.decode()

    def subscribe(self, follow=("platform:weavy",), mail_lang=None, trap="", token=None):
        token = token or self.form()[0]
        fields = [("t", token), ("email", self.email), ("lang", mail_lang or self.lang),
                  ("website", trap)] + [("follow", f) for f in follow]
        return self.v.request("POST", "/%s/subscribe" % self.lang, FORM,
                              urllib.parse.urlencode(fields))

    def confirm(self, n=1, follow=("platform:weavy",)):
        mail = self.sink.wait_to(self.email, n)[n - 1]
        link = link_in(mail, "c")
        status, h, body = self.v.get(local(link))
        assert status == 200, body
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]
        fields = [("t", token), ("action", "confirm"), ("lang", self.lang)] + \
                 [("follow", f) for f in follow]
        status, h, body = self.v.request("POST", "/%s/subscription" % self.lang, FORM,
                                         urllib.parse.urlencode(fields))
        assert status == 200, body
        return mail, body.decode()


class NotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink(refuse={"nobody@divalto.example"})
        cls.metrics_port = harness.free_port()
        cls.v = harness.Vigie(env=env_for(
            cls.sink, VIGIE_METRICS_LISTEN="127.0.0.1:%d" % cls.metrics_port))
        cls.token = cls.v.token()

    @classmethod
    def tearDownClass(cls):
        cls.v.close()
        cls.sink.close()

    def admin(self, path, body):
        status, h, out = self.v.request("POST", path, {"Authorization": "Bearer " + self.token,
                                                       "Content-Type": "application/json"},
                                        json.dumps(body))
        self.assertIn(status, (200, 201), out)
        return json.loads(out)

    def incident(self, title, **more):
        body = {"kind": "incident", "platform": "weavy", "title": {"fr": title, "en": title + " (en)"},
                "services": {"back-office": "minor"},
                "update": {"fr": "Nous analysons la situation.", "en": "We are looking into it."}}
        body.update(more)
        return self.admin("/api/v1/admin/events", body)["id"]

    def test_subscribe_confirm_mails_and_one_click_unsubscribe_in_both_languages(self):
        v, sink = self.v, self.sink
        # The pages offer it, with the platform ticked.
        status, h, body = v.get("/fr/weavy")
        self.assertIn('href="/fr/subscribe?platform=weavy"', body.decode())
        token, page = Subscriber(v, sink, "x").form("platform=weavy&service=back-office")
        self.assertRegex(page, r'value="service:weavy:\d+" checked')
        status, h, _ = v.get("/fr/subscribe?platform=weavy")
        self.assertEqual(h["cache-control"], "no-store")
        fr = Subscriber(v, sink, "Claire@Divalto.example", "fr")
        en = Subscriber(v, sink, "dana@divalto.example", "en")
        for who in (fr, en):
            status, h, body = who.subscribe()
            self.assertEqual(status, 200, body)
        # Double opt-in: the confirmation, in the visitor's language, and nothing else yet.
        mail_fr = sink.wait_to(fr.email)[0]
        mail_en = sink.wait_to(en.email)[0]
        self.assertEqual(mail_fr["Subject"], "Confirmez votre abonnement à Statut des services CRM & ERP")
        self.assertEqual(mail_en["Subject"], "Confirm your subscription to CRM & ERP service status")
        for mail, who in ((mail_fr, fr), (mail_en, en)):
            self.assertEqual(mail["To"], who.email)
            self.assertEqual(mail["From"].addresses[0].addr_spec, "status@divalto.example")
            self.assertEqual(mail["From"].addresses[0].display_name, "Statut Divalto")
            self.assertRegex(mail["Message-ID"], r"^<vigie\.\d+\.\d+@divalto\.example>$")
            self.assertTrue(mail["Date"].datetime.tzinfo)
            self.assertEqual(mail.get_content_type(), "multipart/alternative")
            self.assertIn("?t=c.", text_of(mail))
            self.assertIn("?t=c.", html_of(mail))
        self.assertIn("Divalto weavy : état global et tous les événements", text_of(mail_fr))
        self.assertIn("Divalto weavy: global status and every event", text_of(mail_en))
        self.assertIn('lang="en"', html_of(mail_en))
        # An incident before confirming: none for them.
        first = self.incident("Avant confirmation")
        _, page_fr = fr.confirm()
        self.assertIn("Votre abonnement est confirmé", page_fr)
        _, page_en = en.confirm()
        self.assertIn("Your subscription is confirmed", page_en)
        # The page's own link from now on: a management link, not the expiring one.
        self.assertRegex(page_fr, r'name="t" value="m\.')
        event = self.incident("Lenteurs du back-office")
        got_fr = sink.wait_to(fr.email, 2)[1]
        got_en = sink.wait_to(en.email, 2)[1]
        self.assertEqual(got_fr["Subject"], "[Divalto weavy] Incident : Lenteurs du back-office")
        self.assertEqual(got_en["Subject"], "[Divalto weavy] Incident: Lenteurs du back-office (en)")
        self.assertIn("Nous analysons la situation.", text_of(got_fr))
        self.assertIn("We are looking into it.", text_of(got_en))
        self.assertIn("/fr/events/%d" % event, text_of(got_fr))
        self.assertIn("/en/events/%d" % event, html_of(got_en))
        self.assertIn("heure de Paris", text_of(got_fr))
        self.assertIn("Back Office (Perturbation mineure)", text_of(got_fr))
        self.assertEqual(got_fr["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertRegex(got_fr["List-Unsubscribe"], r"^<https://\S+/unsubscribe\?t=m\.\S+>$")
        self.assertTrue(got_fr["List-Id"])
        self.assertNotEqual(got_fr["Message-ID"], got_en["Message-ID"])
        self.assertEqual(len([m for m in sink.to(fr.email) if "Avant" in m["Subject"]]), 0)
        # The unsubscribe address opened in a browser shows the page (a GET never unsubscribes).
        unsub = local(got_fr["List-Unsubscribe"].strip("<>"))
        status, h, _ = v.get(unsub)
        self.assertEqual(status, 303)
        status, h, body = v.get(h["location"])
        self.assertEqual(status, 200)
        self.assertIn("Me désabonner", body.decode())
        # RFC 8058: one POST, no cookie, and it is done; the link opens nothing afterwards.
        status, h, body = v.request("POST", unsub, FORM, "List-Unsubscribe=One-Click")
        self.assertEqual(status, 200, body)
        status, h, body = v.request("POST", unsub, FORM, "List-Unsubscribe=One-Click")
        self.assertEqual(status, 403)
        # An update: the English subscriber hears of it, the one who left does not.
        self.admin("/api/v1/admin/events/%d/updates" % event,
                   {"text": {"fr": "Cause trouvée.", "en": "Cause found."}, "phase": "identified"})
        update = sink.wait_to(en.email, 3)[2]
        self.assertEqual(update["Subject"], "[Divalto weavy] Update: Lenteurs du back-office (en)")
        self.assertIn("Cause found.", text_of(update))
        time.sleep(0.5)
        self.assertEqual(len(sink.to(fr.email)), 2)
        # notify: false tells nobody; the resolution does.
        self.admin("/api/v1/admin/events/%d/updates" % event,
                   {"text": {"fr": "Silence.", "en": "Quiet."}, "notify": False})
        self.admin("/api/v1/admin/events/%d/resolve" % event,
                   {"text": {"fr": "Résolu.", "en": "Fixed."}})
        resolved = sink.wait_to(en.email, 4)[3]
        self.assertEqual(resolved["Subject"], "[Divalto weavy] Resolved: Lenteurs du back-office (en)")
        self.assertFalse(any("Quiet." in text_of(m) for m in sink.to(en.email)))
        del first
        # The sender's work, for Prometheus.
        metrics = harness.Http()
        metrics.port = self.metrics_port
        status, _, text = metrics.get("/metrics")
        sent = re.search(r'^vigie_notify_deliveries_total\{result="sent"\} (\S+)$', text.decode(), re.M)
        self.assertTrue(sent, text)
        self.assertGreaterEqual(float(sent.group(1)), 7)
        self.assertRegex(text.decode(), r"(?m)^vigie_notify_pending \d")

    def test_a_maintenance_is_told_when_announced_started_and_ended_and_a_level_change_too(self):
        v, sink = self.v, self.sink
        ops = Subscriber(v, sink, "ops@divalto.example", "en")
        status, _, _ = ops.subscribe(follow=("platform:infinity",))
        self.assertEqual(status, 200)
        ops.confirm(follow=("platform:infinity",))
        soon = time.time() + 3
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        self.admin("/api/v1/admin/events", {
            "kind": "maintenance", "platform": "infinity",
            "title": {"fr": "Mise à jour du serveur", "en": "Server upgrade"},
            "services": {"web-client": "maintenance"},
            "starts_at": iso(soon), "ends_at": iso(soon + 3)})
        got = sink.wait_to(ops.email, 4, timeout=30)
        subjects = [m["Subject"] for m in got[1:4]]
        self.assertEqual(subjects, ["[Divalto infinity] Maintenance: Server upgrade",
                                    "[Divalto infinity] Maintenance in progress: Server upgrade",
                                    "[Divalto infinity] Maintenance completed: Server upgrade"])
        # A level set by hand, to whoever follows the service or its platform, in its region.
        status, h, out = v.request("POST", "/api/v1/admin/levels",
                                   {"Authorization": "Bearer " + self.token,
                                    "Content-Type": "application/json"},
                                   json.dumps({"platform": "infinity", "service": "web-client",
                                               "level": "major", "regions": ["fr"],
                                               "note": "Slow pages"}))
        self.assertEqual(status, 200, out)
        level = sink.wait_to(ops.email, 5)[4]
        self.assertEqual(level["Subject"], "[Divalto infinity] Web client access: Major disruption")
        self.assertIn("Slow pages", text_of(level))

    def test_the_back_office_counts_finds_exports_and_removes_subscribers(self):
        v, sink = self.v, self.sink
        fan = Subscriber(v, sink, "fan@divalto.example")
        fan.subscribe(follow=("platform:weavy", "messages:weavy"))
        fan.confirm(follow=("platform:weavy", "messages:weavy"))
        self.incident("Pour le journal")
        sink.wait_to(fan.email, 2)
        add_user(v, "ada", "admin")
        add_user(v, "ed", "editor")
        ada, ed = Browser(v), Browser(v)
        ada.login("ada")
        ed.login("ed")
        # Every operator sees how many follow what, and what became of each notice's mails.
        status, _, page = ed.request("GET", "/admin/subscribers?q=fan")
        self.assertEqual(status, 200, page)
        self.assertRegex(page, r"Abonnés confirmés : <strong>\d+</strong>")
        self.assertIn("Divalto weavy : messages généraux", page)
        self.assertNotIn("fan@divalto.example", page)  # an address is for admins only
        notice = re.search(r'href="/admin/notices/(\d+)"', page).group(1)
        status, _, log = ed.request("GET", "/admin/notices/" + notice)
        self.assertEqual(status, 200)
        self.assertIn("sent", log)
        self.assertNotIn("@divalto.example", log)
        _, _, log = ada.request("GET", "/admin/notices/" + notice)
        self.assertIn("@divalto.example", log)
        self.assertEqual(ed.request("GET", "/admin/subscribers.csv")[0], 403)
        # Admins find, export and remove.
        _, _, page = ada.request("GET", "/admin/subscribers?q=FAN@")
        self.assertIn("fan@divalto.example", page)
        sid = re.search(r'action="/admin/subscribers/(\d+)/remove"', page).group(1)
        status, h, csv = ada.request("GET", "/admin/subscribers.csv")
        self.assertEqual(status, 200)
        self.assertTrue(h["content-type"].startswith("text/csv"))
        self.assertIn('"fan@divalto.example"', csv)
        self.assertTrue(csv.startswith("id,email,channel,endpoint,region,lang,created_at,"
                                       "confirmed_at,quarantined_at,follows\r\n"))
        self.assertRegex(csv, r'"fan@divalto.example",email,"",')
        status, h, _ = ada.post("/admin/subscribers/%s/remove" % sid, {"q": "fan"},
                                page_path="/admin/subscribers?q=fan")
        self.assertEqual(status, 303)
        _, _, page = ada.request("GET", "/admin/subscribers?q=fan")
        self.assertNotIn("fan@divalto.example", page)
        _, _, audit = ada.request("GET", "/admin/audit?action=subscriber")
        self.assertIn("subscriber.remove", audit)
        self.assertIn("#" + sid, audit)

    def test_a_known_address_a_bot_and_bad_input_are_answered_as_they_should(self):
        v, sink = self.v, self.sink
        known = Subscriber(v, sink, "eve@divalto.example")
        status, _, sent_page = known.subscribe()
        self.assertEqual(status, 200)
        known.confirm()
        # Asked again: the very same answer, and a mail that says where to manage it.
        status, _, again_page = known.subscribe()
        self.assertEqual((status, again_page), (200, sent_page))
        mail = sink.wait_to(known.email, 2)[1]
        self.assertEqual(mail["Subject"], "Votre abonnement à Statut des services CRM & ERP")
        self.assertIn("?t=m.", text_of(mail))
        # A bot filling the trap: the same answer, no mail.
        bot = Subscriber(v, sink, "bot@divalto.example")
        status, _, page = bot.subscribe(trap="http://spam.example")
        self.assertEqual((status, page), (200, sent_page))
        # Bad input: a sentence in the page's language, the form again as sent.
        bad = Subscriber(v, sink, "not-an-address")
        status, h, page = bad.subscribe()
        self.assertEqual(status, 400)
        self.assertIn("Cette adresse e-mail n’a pas l’air valide.", page.decode())
        self.assertIn('value="not-an-address"', page.decode())
        status, _, page = Subscriber(v, sink, "x@divalto.example", "en").subscribe(follow=())
        self.assertEqual(status, 400)
        self.assertIn("Choose at least one thing to follow.", page.decode())
        status, _, page = Subscriber(v, sink, "x@divalto.example").subscribe(token="f.1.forged")
        self.assertEqual(status, 400)
        for path in ("/fr/subscribe?platform=nope", "/fr/subscribe?platform=weavy&event=999999"):
            self.assertEqual(v.get(path)[0], 404, path)
        self.assertEqual(v.get("/fr/subscription?t=m.1.forged")[0], 403)
        self.assertEqual(v.request("POST", "/unsubscribe?t=garbage", FORM, "")[0], 403)
        # A mailbox the server refuses: that delivery fails for good, the others go on.
        nobody = Subscriber(v, sink, "nobody@divalto.example")
        nobody.subscribe()
        time.sleep(1.5)
        self.assertEqual(sink.to(nobody.email), [])
        time.sleep(0.5)
        self.assertEqual(bot.sink.to(bot.email), [])


class OutageAndCrashTest(unittest.TestCase):
    """The SMTP server away, then the sender killed in the middle of a batch."""

    def test_an_smtp_outage_delays_and_a_kill_minus_9_neither_loses_nor_repeats(self):
        sink = SmtpSink()
        v = harness.Vigie(env=env_for(sink))
        v2 = None
        try:
            token = v.token()
            people = [Subscriber(v, sink, "p%02d@divalto.example" % i, "fr" if i % 2 else "en")
                      for i in range(24)]
            for p in people:
                p.subscribe()
            for p in people:
                p.confirm()

            def create(title):
                status, h, out = v2_or_v().request(
                    "POST", "/api/v1/admin/events",
                    {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
                    json.dumps({"kind": "maintenance", "platform": "weavy",
                                "title": {"fr": title, "en": title},
                                "starts_at": "2099-01-01T10:00:00Z", "ends_at": "2099-01-01T11:00:00Z"}))
                assert status == 201, out
                return json.loads(out)["id"]

            state = {"v": v}

            def v2_or_v():
                return state["v"]

            def about(title):
                return [m for m in list(sink.messages) if title in str(m[1]["Subject"])]

            # The SMTP server goes away: nothing is lost, it all goes once it is back.
            port = sink.port
            sink.close()
            create("Pendant la panne SMTP")
            time.sleep(2)
            sink = restart_on(port)
            v.wait_for(lambda: len(about("Pendant la panne SMTP")) == 24, timeout=60,
                       what="the mails held by the outage")
            # Kill -9 while the server holds the 10th mail of the next batch.
            before = sink.seen
            sink.hold = before + 10
            create("Maintenance annoncée")
            self.assertTrue(sink.holding.wait(30), "the sender never reached the 10th mail")
            v.proc.kill()
            v.proc.wait()
            sink.released.set()
            self.assertEqual(len(about("Maintenance annoncée")), 9)
            v2 = harness.Vigie(env=env_for(sink), data=v.data)
            state["v"] = v2
            v2.wait_for(lambda: len(about("Maintenance annoncée")) >= 24, timeout=60,
                        what="the rest of the batch after the restart")
            time.sleep(1.5)  # anything repeated would come now
            got = about("Maintenance annoncée")
            to = sorted(rcpt[0].lower() for rcpt, _ in got)
            self.assertEqual(to, sorted(p.email for p in people))
            ids = [m["Message-ID"] for _, m in got]
            self.assertEqual(len(set(ids)), 24)
        finally:
            if v2:
                v2.close()
            else:
                v.close()
            sink.close()


def restart_on(port):
    """An SMTP sink on a given port (the one the site is configured with)."""
    orig = harness.free_port
    harness.free_port = lambda: port
    try:
        for _ in range(50):
            try:
                return SmtpSink()
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("port %d did not free" % port)
    finally:
        harness.free_port = orig


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
