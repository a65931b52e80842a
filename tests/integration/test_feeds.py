"""The follow feeds, read by real parsers: feedparser (RSS, Atom), json, icalendar.

Run with Debian's /usr/bin/python3, which sees python3-feedparser and python3-icalendar.
"""
import email.utils
import json
import os
import re
import time
import unittest
import xml.dom.minidom

import feedparser
import icalendar

import harness

RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                    r"\d{4} \d\d:\d\d:\d\d GMT$")


def feeds_of_the_demo():
    paths = []
    for lang in ("fr", "en"):
        paths.append("/feeds/%s/messages" % lang)
        for platform, service in (("weavy", "back-office"), ("infinity", "web-client")):
            for what in ("status", "messages", "events"):
                paths.append("/feeds/%s/%s/%s" % (lang, platform, what))
            paths.append("/feeds/%s/%s/services/%s" % (lang, platform, service))
    return paths


class FeedsTest(harness.SiteTest):

    def fetch(self, path, headers=None):
        status, h, body = self.v.get(path, headers)
        self.assertEqual(status, 200, "%s: %r" % (path, body[:200]))
        return h, body

    def test_every_rss_feed_parses_cleanly_with_the_rules_readers_need(self):
        for path in feeds_of_the_demo():
            h, body = self.fetch(path + ".rss")
            self.assertTrue(h["content-type"].startswith("application/rss+xml"), path)
            self.assertNotIn("set-cookie", h)
            f = feedparser.parse(body)
            self.assertEqual(f.bozo, 0, "%s: %s" % (path, f.get("bozo_exception")))
            self.assertEqual(f.version, "rss20", path)
            ch = f.feed
            self.assertTrue(ch.title and ch.link and ch.description, path)
            self.assertEqual(ch.get("ttl"), "5", path)
            self.assertTrue(ch.language.startswith(path.split("/")[2]), path)
            dom = xml.dom.minidom.parseString(body)
            build = dom.getElementsByTagName("lastBuildDate")[0].firstChild.data
            self.assertRegex(build, RFC822, path)
            self.assertEqual(build, h["last-modified"], path)
            newest = max((p.firstChild.data for p in dom.getElementsByTagName("pubDate")),
                         key=lambda d: email.utils.parsedate_to_datetime(d), default=None)
            if newest:
                self.assertEqual(build, newest, "%s: lastBuildDate is the last real change" % path)
            selfs = [l for l in ch.get("links", []) if l.get("rel") == "self"]
            self.assertTrue(selfs and selfs[0]["href"].endswith(path + ".rss"), path)
            dates = []
            guids = set()
            for item in f.entries:
                self.assertTrue(item.title and item.id, path)
                self.assertNotIn("<", item.title, path)
                self.assertNotIn(item.id, guids, "guids are unique")
                guids.add(item.id)
                dates.append(time.mktime(item.published_parsed))
            for pub in dom.getElementsByTagName("pubDate"):
                self.assertRegex(pub.firstChild.data, RFC822, path)
            self.assertEqual(dates, sorted(dates, reverse=True), "%s: newest first" % path)
            self.assertLessEqual(len(f.entries), 50, path)

    def test_first_item_of_a_status_feed_is_the_current_status(self):
        for lang, words in (("fr", "Perturbation majeure"), ("en", "Major disruption")):
            platform = self.v.json("/api/v1/platforms/infinity?lang=" + lang)
            _, body = self.fetch("/feeds/%s/infinity/status.rss" % lang)
            first = feedparser.parse(body).entries[0]
            self.assertEqual(first.title, "Divalto infinity" + (" : " if lang == "fr" else ": ")
                             + platform["status"]["label"])
            self.assertEqual(platform["status"]["label"], words)
            self.assertIn("events/", first.description)
            web = [s for s in platform["services"] if s["slug"] == "web-client"][0]
            _, body = self.fetch("/feeds/%s/infinity/services/web-client.rss" % lang)
            self.assertTrue(feedparser.parse(body).entries[0].title.endswith(web["status"]["label"]))
        # a service that never changed still shows its current status
        _, body = self.fetch("/feeds/fr/infinity/services/telnet.rss")
        entries = feedparser.parse(body).entries
        self.assertEqual(len(entries), 1)
        self.assertTrue(entries[0].title.endswith("Opérationnel"))
        self.assertGreaterEqual(entries[0].published_parsed.tm_year, 2026, "dated when the service appeared")

    def test_events_feed_has_an_item_per_event_and_per_update_with_the_kind(self):
        _, body = self.fetch("/feeds/en/infinity/events.rss")
        f = feedparser.parse(body)
        ids = [e.id for e in f.entries]
        self.assertTrue(any(":event:" in i for i in ids) and any(":update:" in i for i in ids))
        kinds = {t.term for e in f.entries for t in e.get("tags", [])}
        self.assertTrue({"Incident", "Maintenance"} <= kinds, kinds)

    def test_atom_and_json_feed_twins(self):
        for path in feeds_of_the_demo():
            h, body = self.fetch(path + ".atom")
            self.assertTrue(h["content-type"].startswith("application/atom+xml"))
            f = feedparser.parse(body)
            self.assertEqual((f.bozo, f.version), (0, "atom10"), path)
            _, rss = self.fetch(path + ".rss")
            self.assertEqual([e.id for e in f.entries], [e.id for e in feedparser.parse(rss).entries])
            h, body = self.fetch(path + ".json")
            self.assertTrue(h["content-type"].startswith("application/feed+json"))
            j = json.loads(body)
            self.assertEqual(j["version"], "https://jsonfeed.org/version/1.1")
            self.assertEqual(len(j["items"]), len(f.entries))
            for item in j["items"]:
                self.assertTrue(item["id"] and item["date_published"].endswith("Z"))

    def test_maintenance_calendar(self):
        for lang in ("fr", "en"):
            h, body = self.fetch("/feeds/%s/weavy/maintenance.ics" % lang)
            self.assertTrue(h["content-type"].startswith("text/calendar"))
            for line in body.split(b"\r\n"):
                self.assertLessEqual(len(line), 75, line)
            cal = icalendar.Calendar.from_ical(body)
            events = [c for c in cal.walk("VEVENT")]
            self.assertGreaterEqual(len(events), 1)
            planned = events[-1]
            self.assertTrue(str(planned["UID"]).startswith("maintenance-"))
            self.assertEqual(planned.decoded("DTSTART").tzinfo.utcoffset(None).total_seconds(), 0)
            self.assertIn(str(planned["STATUS"]), ("CONFIRMED", "CANCELLED"))
            self.assertIsNotNone(planned.get("SEQUENCE"))
            self.assertEqual(str(cal["REFRESH-INTERVAL"].to_ical().decode()), "PT5M")

    def test_conditional_get_with_each_validator(self):
        for path in ("/feeds/fr/infinity/status.rss", "/feeds/en/weavy/maintenance.ics"):
            h, _ = self.fetch(path)
            self.assertIn("max-age", h["cache-control"])
            self.assertIn("public", h["cache-control"])
            self.assertEqual(h["access-control-allow-origin"], "*")
            self.assertEqual(self.v.get(path, {"If-None-Match": h["etag"]})[0], 304)
            self.assertEqual(self.v.get(path, {"If-Modified-Since": h["last-modified"]})[0], 304)
            later = email.utils.formatdate(time.time() + 60, usegmt=True)
            self.assertEqual(self.v.get(path, {"If-Modified-Since": later})[0], 304)
            earlier = email.utils.formatdate(time.time() - 400 * 86400, usegmt=True)
            self.assertEqual(self.v.get(path, {"If-Modified-Since": earlier})[0], 200)
            hg = self.v.get(path, {"Accept-Encoding": "gzip"})[1]
            self.assertEqual(self.v.get(path, {"Accept-Encoding": "gzip",
                                               "If-None-Match": hg["etag"]})[0], 304)
            status, hh, body = self.v.request("HEAD", path)
            self.assertEqual((status, body), (200, b""))

    def test_statuspage_history_feeds(self):
        for ext, version in (("rss", "rss20"), ("atom", "atom10")):
            for lang in ("fr", "en"):
                h, body = self.fetch("/history.%s?lang=%s" % (ext, lang))
                f = feedparser.parse(body)
                self.assertEqual((f.bozo, f.version), (0, version))
                titles = " ".join(e.title for e in f.entries)
                self.assertIn("Incident", titles)
                self.assertIn("Maintenance", titles)
                self.assertEqual(h["access-control-allow-origin"], "*")

    def test_unknown_feeds_are_404(self):
        for path in ("/feeds/fr/nope/status.rss", "/feeds/fr/infinity/services/nope.rss",
                     "/feeds/fr/infinity/status.xml", "/feeds/de/infinity/status.rss",
                     "/feeds/fr/infinity/bogus.rss", "/feeds/fr/messages.ics"):
            self.assertEqual(self.v.get(path)[0], 404, path)


class FeedChangeTest(unittest.TestCase):
    def test_a_status_change_puts_a_new_item_on_top_and_keeps_the_others(self):
        v = harness.Vigie(clock=True, scenario='''
[[events]]
kind = "incident"
platform = "weavy"
title = { fr = "Ancien incident", en = "Old incident" }
start = "now-2d"
end = "+1h"
phase = "resolved"
services = { back-office = "minor" }

[[events]]
kind = "maintenance"
platform = "weavy"
title = { fr = "Courte maintenance", en = "Short maintenance" }
start = "now+10m"
end = "+1h"
services = { back-office = "maintenance" }
''')
        try:
            paths = ("/feeds/fr/weavy/services/back-office.rss", "/feeds/fr/weavy/status.rss")
            before = {p: feedparser.parse(v.get(p)[2]).entries for p in paths}
            v.advance(11 * 60)  # the maintenance starts, nobody writes
            v.wait_for(lambda: all(len(feedparser.parse(v.get(p)[2]).entries) > len(before[p]) for p in paths),
                       what="the maintenance's start in the feeds")
            for p in paths:
                after = feedparser.parse(v.get(p)[2]).entries
                self.assertEqual(len(after), len(before[p]) + 1, p)
                self.assertTrue(after[0].title.endswith("Maintenance"), after[0].title)
                self.assertNotIn(after[0].id, [e.id for e in before[p]])
                self.assertEqual([(e.id, e.title, e.published) for e in after[1:]],
                                 [(e.id, e.title, e.published) for e in before[p]])
        finally:
            v.close()

    def test_hostile_text_stays_well_formed_and_escaped(self):
        hostile = "<script>alert(1)</script> & \\\"q\\\" 'a' \\u0001\\u0007 " + "long " * 25
        very_long = hostile + "long " * 400
        v = harness.Vigie(scenario='''
[[events]]
kind = "incident"
platform = "weavy"
title = { fr = "%s", en = "" }
body = { fr = "<b onmouseover=x>gras</b> [x](javascript:alert(1))", en = "" }
start = "now-10m"
services = { back-office = "major" }

[[events.updates]]
at = "now-5m"
phase = "identified"
text = { fr = "%s", en = "" }

[[messages]]
platform = "weavy"
title = { fr = "%s", en = "" }
body = { fr = "<iframe src=x></iframe>", en = "" }
''' % (hostile, very_long, hostile))
        try:
            for path in ("/feeds/fr/weavy/events", "/feeds/en/weavy/events", "/feeds/fr/weavy/messages",
                         "/feeds/fr/weavy/status", "/feeds/fr/weavy/services/back-office"):
                for ext in ("rss", "atom"):
                    status, _, body = v.get(path + "." + ext)
                    self.assertEqual(status, 200)
                    xml.dom.minidom.parseString(body)  # well-formed, or it raises
                    parsed = feedparser.parse(body)
                    self.assertEqual(parsed.bozo, 0, path)
                    self.assertNotIn(b"\x01", body)
                    self.assertNotIn(b"<script", body)
                    for e in parsed.entries:
                        self.assertLessEqual(len(e.title), 260)
                        self.assertNotIn("<script", e.get("description", ""))
                        self.assertNotIn("javascript:", e.get("description", ""))
                        self.assertNotIn("<iframe", e.get("description", ""))
                json.loads(v.get(path + ".json")[2])
        finally:
            v.close()


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
