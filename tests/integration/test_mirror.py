"""The static mirror, served by a real nginx with deploy/nginx-mirror.conf once Vigie (and with
it its database) is stopped: the feed and page tests of the live site pass against it
(feedparser, icalendar, the pages' outline); it follows writes off the write path, links what
did not change, and swaps its tree atomically."""
import json
import os
import re
import shutil
import time
import unittest

import harness
import test_feeds  # as modules: their classes would run here too if imported by name
import test_pages
from test_nodes import level, set_level


class OnTheMirror:
    """Runs a live-site test class against nginx serving the mirror of its Vigie: the class's
    tests then read self.v, which is nginx (Vigie is stopped before any test runs)."""

    @classmethod
    def setUpClass(cls):
        vigie = harness.Vigie(**cls.VIGIE)
        try:
            cls.mirror = harness.mirror_of(vigie)
        finally:
            vigie.close()  # nothing of Vigie runs any more: its process and its database are gone
        cls.v = harness.MirrorSite(cls.mirror)

    @classmethod
    def tearDownClass(cls):
        cls.v.close()
        shutil.rmtree(cls.mirror, ignore_errors=True)


class MirrorFeedsTest(OnTheMirror, test_feeds.FeedsTest):
    # What a file server cannot do as Vigie does it, checked as it does it instead.
    def test_unknown_feeds_are_404(self):
        for path in ("/feeds/fr/weavy/nothing.rss", "/feeds/de/messages.rss", "/feeds/fr/nowhere/status.rss"):
            self.assertEqual(self.v.get(path)[0], 404, path)

    def test_statuspage_history_feeds(self):
        # Served in the region's language (the mirror keeps one, and no ?lang= variant).
        for ext in ("rss", "atom"):
            status, h, _ = self.v.get("/history." + ext)
            self.assertEqual(status, 200)
            self.assertEqual(h["access-control-allow-origin"], "*")


class MirrorPagesTest(OnTheMirror, test_pages.PagesTest):
    def test_every_page_in_both_languages(self):
        # The live test finds the incident in progress with ?state=in_progress; the mirror's
        # API has the unfiltered list, where it is too.
        events = self.v.json("/api/v1/platforms/infinity/events")["events"]
        self.assertTrue(any(e["state"] == "in_progress" for e in events))
        super().test_every_page_in_both_languages()

    def test_not_found_pages_speak_the_visitors_language(self):
        self.assertEqual(self.v.get("/fr/nowhere/")[0], 404)

    def test_pages_are_cached_compressed_and_conditional(self):
        for enc in ("gzip", "br"):
            status, h, body = self.v.get("/fr/infinity/", {"Accept-Encoding": enc})
            self.assertEqual((status, h.get("content-encoding")), (200, enc))
            self.assertIn("Accept-Encoding", h.get("vary", ""))
        status, h, _ = self.v.get("/fr/infinity/")
        self.assertEqual(self.v.get("/fr/infinity/", {"If-None-Match": h["etag"]})[0], 304)
        self.assertEqual(self.v.get("/fr/infinity/", {"If-Modified-Since": h["last-modified"]})[0], 304)


class MirrorFollowsTheSiteTest(unittest.TestCase):
    """[mirror] dir: the mirror of a running node, after each write, without making it wait."""

    def test_a_write_reaches_the_mirror_unchanged_files_are_linked_and_the_tree_swaps(self):
        mirror = os.path.join(harness.tempfile.mkdtemp(prefix="vigie-mirror-"), "m")
        os.chmod(os.path.dirname(mirror), 0o755)
        self.addCleanup(shutil.rmtree, os.path.dirname(mirror), True)
        v = harness.Vigie(env={"VIGIE_MIRROR_DIR": mirror})
        self.addCleanup(v.close)
        mirrored = lambda: re.findall(r"static mirror of snapshot (\d+): (\d+) answers, \d+ files "
                                      r"\((\d+) written, (\d+) unchanged\)", v.log())
        # The mirror takes what the cores leave (a low priority): slow under the sanitizers.
        v.wait_for(lambda: mirrored(), timeout=90, what="the first mirror")
        first = os.readlink(os.path.join(mirror, "current"))
        css = [p for p in os.listdir(os.path.join(mirror, "current", "fr", "static"))][0]
        css_dir = os.path.join(mirror, "current", "fr", "static", css)
        inode = os.stat(os.path.join(css_dir, os.listdir(css_dir)[0])).st_ino
        token = v.token()
        started = time.time()
        self.assertEqual(set_level(v, token, "studio", "outage"), 200)
        self.assertLess(time.time() - started, 2, "the write does not wait for the mirror")
        page = os.path.join(mirror, "current", "fr", "fr", "weavy", "services", "studio", "index.html")
        def shows_the_write():
            with open(page, encoding="utf-8") as f:
                return "level-outage" in f.read()

        v.wait_for(shows_the_write, timeout=90, what="the mirror showing the write")
        self.assertNotEqual(os.readlink(os.path.join(mirror, "current")), first, "a new tree")
        last = mirrored()[-1]
        self.assertGreater(int(last[3]), 0, "unchanged files are linked, not written again")
        self.assertEqual(os.stat(os.path.join(css_dir.replace(first, os.readlink(
            os.path.join(mirror, "current"))), os.listdir(css_dir)[0])).st_ino, inode)
        self.assertEqual(level(v, "studio"), "outage")
        # Everything stops: nginx alone still tells the customers.
        v.terminate()
        self.assertLessEqual(len(os.listdir(os.path.join(mirror, "trees"))), 2,
                             "the tree served and the one before; older ones go")
        site = harness.MirrorSite(mirror)
        self.addCleanup(site.close)
        j = site.json("/api/v1/platforms/weavy/services/studio")
        self.assertEqual(j["status"]["level"], "outage")
        status, h, body = site.get("/en/weavy/services/studio")  # the French region, in English
        self.assertEqual((status, h["content-language"]), (200, "en"))
        self.assertIn("level-outage", body.decode())
        _, _, body = site.get("/en/weavy/services/studio", {"Host": "status.divalto.ca"})
        self.assertIn("level-operational", body.decode(), "the write was for the French region only")
        self.assertEqual(site.get("/", {"Host": "status.divalto.ca"})[1]["location"], "/en/")
        summary = site.json("/api/v2/summary.json")
        self.assertTrue(any(c["status"] == "major_outage" for c in summary["components"]))
        self.assertEqual(site.get("/admin/")[0], 503)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
