"""Subscriptions by webhook, Slack and Microsoft Teams, through the real binary: a real HTTP
receiver on loopback checks each request as the other end would (the Statuspage-shaped JSON
and its HMAC-SHA256 signature, Slack's blocks, Teams' Adaptive Card), the owner confirms by
mail (a real SMTP server, Debian's python3-aiosmtpd), an endpoint that keeps failing is
quarantined and its owner told, and resumed from its page; an endpoint on a private network
is refused unless the configuration allows it."""
import hashlib
import hmac
import json
import re
import threading
import time
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
from smtp_sink import SmtpSink
from test_admin import Browser, add_user
import test_notify
from test_notify import FORM, Subscriber, env_for, link_in, local, text_of


class Receiver:
    """An HTTP server on loopback that keeps every POST (path, headers, parsed JSON) and
    answers `answer` (200, or a failure when told)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.got = []
        self.answer = {}  # path → status (200 when absent)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.got.append((self.path, dict(self.headers), body))
                    status = receiver.answer.get(self.path, 200)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def posts(self, path):
        with self.lock:
            return [(h, b) for p, h, b in self.got if p == path]

    def wait(self, path, n, timeout=20):
        deadline = time.time() + timeout
        while len(self.posts(path)) < n:
            if time.time() > deadline:
                raise AssertionError("%d posts to %s, not %d: %r" % (len(self.posts(path)), path, n,
                                                                      self.got))
            time.sleep(0.05)
        return self.posts(path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Owner(Subscriber):
    """Subscribes an endpoint rather than a mailbox; confirms by mail like anyone."""

    def __init__(self, v, sink, email, channel, endpoint, lang="en"):
        super().__init__(v, sink, email, lang)
        self.channel, self.endpoint = channel, endpoint

    def subscribe(self, follow=("platform:weavy",), mail_lang=None, trap="", token=None):
        token = token or self.form()[0]
        fields = [("t", token), ("email", self.email), ("lang", mail_lang or self.lang),
                  ("website", trap), ("channel", self.channel), ("endpoint", self.endpoint)] + \
                 [("follow", f) for f in follow]
        return self.v.request("POST", "/%s/subscribe" % self.lang, FORM,
                              urllib.parse.urlencode(fields))


class WebhooksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = SmtpSink()
        cls.hooks = Receiver()
        cls.v = harness.Vigie(env=env_for(cls.sink, VIGIE_NOTIFY_WEBHOOK_PRIVATE="true",
                                          VIGIE_NOTIFY_QUARANTINE_AFTER="3",
                                          VIGIE_NOTIFY_WEBHOOK_TIMEOUT_SECONDS="2"))
        cls.token = cls.v.token()

    @classmethod
    def tearDownClass(cls):
        cls.v.close()
        cls.sink.close()
        cls.hooks.close()

    # The admin API's writes, as the e-mail tests make them (not imported as a class: unittest
    # would run its tests here too).
    admin = test_notify.NotifyTest.admin

    def incident(self, title):
        return test_notify.NotifyTest.incident(self, title, services={"back-office": "major"})

    def join(self, email, channel, path):
        owner = Owner(self.v, self.sink, email, channel, self.hooks.url(path))
        before = len(self.sink.to(email))
        status, _, body = owner.subscribe()
        self.assertEqual(status, 200, body)
        mail, page = owner.confirm(n=before + 1, follow=("platform:weavy",))
        self.assertIn(self.hooks.url(path), text_of(mail))
        return owner, page

    def verify(self, secret, headers, body):
        sig = dict(kv.split("=", 1) for kv in headers["Vigie-Signature"].split(","))
        self.assertLess(abs(time.time() - int(sig["t"])), 300)
        want = hmac.new(secret.encode(), sig["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        self.assertTrue(hmac.compare_digest(sig["v1"], want), headers["Vigie-Signature"])

    def test_webhook_slack_and_teams_each_get_their_own_format_signed_and_once(self):
        _, page = self.join("ops@divalto.example", "webhook", "/hook")
        secret = re.search(r'class="endpoint-secret">([0-9a-f]{64})<', page).group(1)
        self.assertIn(self.hooks.url("/hook"), page)
        self.join("chat@divalto.example", "slack", "/slack")
        self.join("chat@divalto.example", "teams", "/teams")
        event = self.incident("Connexion impossible")
        (h, body), = self.hooks.wait("/hook", 1)
        self.verify(secret, h, body)
        self.assertEqual(h["Content-Type"], "application/json")
        self.assertEqual(h["Vigie-Event"], "event.created")
        doc = json.loads(body)
        self.assertEqual(doc["incident"]["id"], "inc-%d" % event)
        self.assertEqual(doc["incident"]["name"], "Connexion impossible (en)")
        self.assertEqual(doc["incident"]["status"], "investigating")
        self.assertEqual(doc["incident"]["impact"], "major")
        self.assertEqual(doc["incident"]["incident_updates"][0]["body"], "We are looking into it.")
        self.assertEqual(doc["page"]["id"], "vigie-fr-weavy")
        self.assertEqual(doc["page"]["status_indicator"], "major")
        self.assertIn("/en/subscription?t=", doc["meta"]["unsubscribe"])
        # That link opens the subscription, but not its signing key: whoever reads a payload
        # must not learn to sign others. Only the owner's mails lead to the key.
        status, _, manage = self.v.get(local(doc["meta"]["unsubscribe"]))
        self.assertEqual(status, 200)
        self.assertIn(self.hooks.url("/hook"), manage.decode())
        self.assertNotIn(secret, manage.decode())
        # A body changed on the way no longer matches its signature.
        with self.assertRaises(AssertionError):
            self.verify(secret, h, body.replace(b"Connexion", b"Connexxion"))
        (h, body), = self.hooks.wait("/slack", 1)
        slack = json.loads(body)
        self.assertIn("Connexion impossible (en)", slack["text"])
        self.assertEqual(slack["blocks"][0]["type"], "header")
        self.assertTrue(any(b["type"] == "actions" and b["elements"][0]["url"].endswith(
            "/en/events/%d" % event) for b in slack["blocks"]), slack)
        self.assertNotIn("Vigie-Signature", h)
        (h, body), = self.hooks.wait("/teams", 1)
        teams = json.loads(body)
        self.assertEqual(teams["type"], "message")
        card = teams["attachments"][0]
        self.assertEqual(card["contentType"], "application/vnd.microsoft.card.adaptive")
        self.assertEqual(card["content"]["type"], "AdaptiveCard")
        self.assertEqual(card["content"]["body"][0]["text"], "Connexion impossible (en)")
        # A level set by hand: a component update for the webhook.
        self.admin("/api/v1/admin/levels", {"platform": "weavy", "service": "odata",
                                            "level": "minor", "regions": ["fr"]})
        posts = self.hooks.wait("/hook", 2)
        h, body = posts[1]
        self.verify(secret, h, body)
        doc = json.loads(body)
        self.assertEqual(doc["meta"]["event_type"], "service.level")
        self.assertEqual(doc["component_update"]["new_status"], "degraded_performance")
        self.assertEqual(doc["component_update"]["old_status"], "operational")
        self.assertEqual(doc["component_update"]["component_id"], doc["component"]["id"])
        self.assertEqual(doc["component"]["status"], "degraded_performance")
        # Each delivery once: its key is in a header, and no second post came.
        time.sleep(1.5)
        self.assertEqual(len(self.hooks.posts("/slack")), 2)
        keys = [h["Vigie-Delivery"] for h, _ in self.hooks.posts("/hook")]
        self.assertEqual(len(keys), len(set(keys)))

    def test_an_endpoint_that_keeps_failing_is_quarantined_its_owner_told_and_resumed(self):
        owner, page = self.join("flaky@divalto.example", "webhook", "/flaky")
        self.hooks.answer["/flaky"] = 500
        self.incident("Lenteurs")
        # Three attempts (1 s, then 2 s apart), then nothing more; the owner hears of it.
        self.hooks.wait("/flaky", 3)
        mail = self.sink.wait_to("flaky@divalto.example", 2)[1]
        self.assertIn("quarantine", mail["Subject"].lower() + text_of(mail).lower())
        self.assertIn(self.hooks.url("/flaky"), text_of(mail))
        manage = local(link_in(mail, "m"))
        time.sleep(3)
        self.assertEqual(len(self.hooks.posts("/flaky")), 3)
        status, _, body = self.v.get(manage)
        self.assertEqual(status, 200)
        self.assertIn('value="resume"', body.decode())
        # The back-office lists it for admins, who may resume it too (audited).
        add_user(self.v, "quinn", "admin")
        quinn = Browser(self.v)
        quinn.login("quinn")
        _, _, office = quinn.request("GET", "/admin/subscribers")
        self.assertIn(self.hooks.url("/flaky"), office)
        self.assertRegex(office, r'action="/admin/subscribers/\d+/resume"')
        # Fixed, then resumed from its page: the next notice reaches it.
        self.hooks.answer["/flaky"] = 200
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(manage).query)["t"][0]
        status, _, body = self.v.request("POST", "/en/subscription", FORM,
                                         urllib.parse.urlencode([("t", token), ("action", "resume")]))
        self.assertEqual(status, 200, body)
        self.assertIn("resume", body.decode().lower())
        self.assertNotIn('value="resume"', body.decode())
        _, _, office = quinn.request("GET", "/admin/subscribers")
        self.assertNotIn(self.hooks.url("/flaky"), office)
        self.incident("Lenteurs, encore")
        posts = self.hooks.wait("/flaky", 4)
        self.assertEqual(json.loads(posts[3][1])["incident"]["name"], "Lenteurs, encore (en)")


class PrivateEndpointTest(unittest.TestCase):
    def test_an_endpoint_on_a_private_network_is_refused_by_default(self):
        sink = SmtpSink()
        v = harness.Vigie(env=env_for(sink))
        try:
            for url in ("https://127.0.0.1:8080/hook", "https://169.254.169.254/latest/meta-data",
                        "https://[::1]/x", "https://localhost:9/", "https://[::ffff:10.0.0.1]/"):
                owner = Owner(v, sink, "ops@divalto.example", "webhook", url, lang="fr")
                status, _, body = owner.subscribe()
                self.assertEqual(status, 400, url)
                self.assertIn("réseau privé", body.decode())
                # The form comes back as it was sent.
                self.assertIn('value="%s"' % url, body.decode())
            owner = Owner(v, sink, "ops@divalto.example", "slack", "hooks.slack.com/x", lang="en")
            status, _, body = owner.subscribe()
            self.assertEqual(status, 400)
            self.assertIn("not valid", body.decode())
            # In clear, a Slack URL (a credential) could be read on the way.
            owner = Owner(v, sink, "ops@divalto.example", "slack", "http://hooks.slack.com/x", lang="en")
            status, _, body = owner.subscribe()
            self.assertEqual(status, 400)
            self.assertIn("Only https://", body.decode())
            time.sleep(0.5)
            self.assertEqual(sink.messages, [])
        finally:
            v.close()
            sink.close()


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
