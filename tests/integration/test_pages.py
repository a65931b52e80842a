"""The public pages over HTTP: redirects, languages, regions, caching, escaping, errors.

The browser suite (tests/browser) checks rendering, accessibility and validity; this one
checks what a plain HTTP client sees.
"""
import gzip
import html
import html.parser
import re
import unittest

import harness


class Outline(html.parser.HTMLParser):
    """Collects the html lang, hreflang alternates, links, h1 and <time datetime> values."""

    def __init__(self):
        super().__init__()
        self.lang = None
        self.alternates = {}
        self.links = []
        self.h1 = ""
        self.times = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates[a["hreflang"]] = a["href"]
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "h1":
            self._in_h1 = True
        elif tag == "time":
            self.times.append(a.get("datetime"))

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


def outline(body):
    o = Outline()
    o.feed(body.decode("utf-8"))
    return o


class PagesTest(harness.SiteTest):

    def page(self, path, headers=None, expect=200):
        status, h, body = self.v.get(path, headers)
        self.assertEqual(status, expect, "%s: %r" % (path, body[:300]))
        self.assertTrue(h["content-type"].startswith("text/html"), h)
        return h, body

    def test_root_redirects_by_cookie_then_accept_language_then_region(self):
        cases = [
            ({}, "/fr/"),
            ({"Host": "status.divalto.ca"}, "/en/"),
            ({"Accept-Language": "en-US,en;q=0.9,fr;q=0.5"}, "/en/"),
            ({"Accept-Language": "de, fr;q=0.3", "Host": "status.divalto.ca"}, "/fr/"),
            ({"Cookie": "vigie_lang=en", "Accept-Language": "fr"}, "/en/"),
            ({"Cookie": "other=1; vigie_lang=fr", "Host": "status.divalto.ca"}, "/fr/"),
        ]
        for headers, where in cases:
            status, h, _ = self.v.get("/", headers)
            self.assertEqual((status, h.get("location")), (302, where), headers)

    def test_language_switch_sets_the_cookie_and_keeps_the_page(self):
        status, h, _ = self.v.get("/set-lang/en?next=/en/infinity/")
        self.assertEqual((status, h["location"]), (303, "/en/infinity/"))
        self.assertIn("vigie_lang=en", h["set-cookie"])
        # never a redirect off the site
        for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            status, h, _ = self.v.get("/set-lang/fr?next=" + evil)
            self.assertEqual(h["location"], "/fr/", evil)

    def test_every_page_in_both_languages(self):
        incident = self.v.json("/api/v1/platforms/infinity/events?state=in_progress")["events"][0]
        paths = ["/", "/weavy/", "/infinity/", "/infinity/services/web-client",
                 "/events/%d" % incident["id"], "/infinity/history",
                 "/infinity/history?kind=incident", "/weavy/history?kind=maintenance"]
        for lang in ("fr", "en"):
            for p in paths:
                h, body = self.page("/" + lang + p)
                o = outline(body)
                self.assertEqual(o.lang, lang, p)
                self.assertEqual(h["content-language"], lang)
                self.assertEqual(set(o.alternates), {"fr", "en"}, p)
                self.assertTrue(o.h1.strip(), p)
                for t in o.times:
                    self.assertRegex(t, r"^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\dZ)?$")
                self.assertNotIn("{{", body.decode())
                self.assertNotRegex(body.decode(), r"\b(time|level|nav|event|service)\.[a-z_]+\b(?![^<]*>)",
                                    "a message key leaked into " + p)

    def test_platform_page_lists_every_service_with_a_level_in_words(self):
        _, body = self.page("/fr/infinity/")
        text = html.unescape(body.decode())
        self.assertEqual(text.count('<tr>') - 1, 22)
        for expected in ("Accès client (Interface Web)",
                         "Les utilisateurs n’accèdent pas à l'ERP via le client web (navigateur)"):
            self.assertTrue(expected in text, "missing: " + expected)
        words = re.findall(r'<span class="level-words">([^<]+)</span>', text)
        self.assertTrue(set(words) <= {"Opérationnel", "Perturbation mineure", "Perturbation majeure",
                                        "Non opérationnel", "Maintenance"}, words)
        _, body = self.page("/en/weavy/")
        self.assertEqual(body.decode().count('<tr>') - 1, 15)

    def test_times_in_the_regions_zone_with_its_name(self):
        _, fr = self.page("/fr/infinity/")
        self.assertRegex(fr.decode(), r"\d{1,2} [a-zéû]+ 20\d\d à \d\d:\d\d \(heure de Paris\)")
        _, en = self.page("/en/infinity/", {"Host": "status.divalto.ca"})
        self.assertRegex(en.decode(), r"[A-Z][a-z]+ \d{1,2}, 20\d\d, \d{1,2}:\d\d [AP]M ET")
        self.assertIn("North America", en.decode())

    def test_demo_incident_in_progress_and_maintenance_planned(self):
        _, body = self.page("/en/infinity/")
        text = body.decode()
        progress = text[text.index('id="progress-title"'):text.index('id="planned-title"')]
        self.assertIn("event-incident", progress)
        _, body = self.page("/fr/weavy/")
        text = body.decode()
        planned = text[text.index('id="planned-title"'):text.index('id="services-title"')]
        self.assertIn("event-maintenance", planned)

    def test_service_page_has_90_bars_and_its_availability_rule(self):
        _, body = self.page("/fr/infinity/services/web-client")
        text = body.decode()
        self.assertEqual(text.count('<li class="bar bar-'), 90)
        self.assertRegex(text, r"Disponibilité sur 90 jours : \d+,\d\d %")
        self.assertIn("Règle :", text)

    def test_pages_are_cached_compressed_and_conditional(self):
        h, body = self.page("/fr/infinity/")
        self.assertTrue(h["etag"].startswith('"'))
        status, _, _ = self.v.get("/fr/infinity/", {"If-None-Match": h["etag"]})
        self.assertEqual(status, 304)
        status, hg, gz = self.v.get("/fr/infinity/", {"Accept-Encoding": "gzip"})
        self.assertEqual(hg["content-encoding"], "gzip")
        self.assertEqual(gzip.decompress(gz), body)
        status, hb, br = self.v.get("/fr/infinity/", {"Accept-Encoding": "gzip, deflate, br"})
        self.assertEqual(hb["content-encoding"], "br")
        self.assertLess(len(br), len(gz))
        self.assertEqual(len({h["etag"], hg["etag"], hb["etag"]}), 3)

    def test_static_files_have_hashed_urls_and_immutable_caching(self):
        _, body = self.page("/fr/")
        css = re.search(r'href="(/static/[0-9a-f]+/vigie\.css)"', body.decode()).group(1)
        status, h, _ = self.v.get(css)
        self.assertEqual(status, 200)
        self.assertIn("immutable", h["cache-control"])
        self.assertTrue(h["content-type"].startswith("text/css"))
        self.assertEqual(self.v.get("/static/000000000000/vigie.css")[0], 404)

    def test_badges_and_embed(self):
        import xml.dom.minidom
        for path, words in (("/badge/fr/infinity.svg", "Perturbation majeure"),
                            ("/badge/en/infinity/web-client.svg", "Major disruption"),
                            ("/badge/en/infinity/telnet.svg", "Operational")):
            status, h, body = self.v.get(path)
            self.assertEqual(status, 200, path)
            self.assertTrue(h["content-type"].startswith("image/svg+xml"))
            svg = xml.dom.minidom.parseString(body)
            self.assertEqual(svg.documentElement.getAttribute("role"), "img")
            self.assertIn(words, svg.documentElement.getAttribute("aria-label"))
            self.assertIn(words, body.decode())
        self.assertEqual(self.v.get("/badge/fr/nope.svg")[0], 404)
        self.assertEqual(self.v.get("/badge/fr/infinity/nope.svg")[0], 404)
        h, body = self.page("/en/infinity/embed")
        text = body.decode()
        self.assertIn("Major disruption", text)
        self.assertIn('target="_blank"', text)
        self.assertNotIn("x-frame-options", h)

    def test_not_found_pages_speak_the_visitors_language(self):
        _, body = self.page("/fr/nope/", expect=404)
        self.assertEqual(outline(body).h1, "Page introuvable")
        _, body = self.page("/en/infinity/services/nope", expect=404)
        self.assertEqual(outline(body).h1, "Page not found")
        _, body = self.page("/en/events/99999", expect=404)
        self.assertEqual(outline(body).lang, "en")
        self.page("/fr/infinity/history?page=999", expect=404)
        self.page("/de/", expect=404)


class OverrideTest(unittest.TestCase):
    def test_an_override_directory_replaces_templates_and_static_files(self):
        import os
        import shutil
        import subprocess
        import tempfile
        override = tempfile.mkdtemp(prefix="vigie-override-")
        try:
            os.makedirs(os.path.join(override, "templates"))
            os.makedirs(os.path.join(override, "static"))
            with open(os.path.join(harness.ARGS.source, "assets/templates/home.mustache")) as f:
                home = f.read()
            with open(os.path.join(override, "templates/home.mustache"), "w") as f:
                f.write('<p class="brand-note">Marque maison</p>\n' + home)
            with open(os.path.join(override, "static/logo.svg"), "w") as f:
                f.write('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>')
            v = harness.Vigie(seed=False, env={"VIGIE_SITE_ASSETS_OVERRIDE": override})
            try:
                _, _, body = v.get("/fr/")
                text = body.decode()
                self.assertIn("Marque maison", text)
                logo = re.search(r'src="(/static/[0-9a-f]+/logo\.svg)"', text).group(1)
                self.assertIn(b"<rect", v.get(logo)[2])
            finally:
                v.close()
            # a template that does not parse stops the start, with its name; so does a partial
            # that names no template (kainjow would look it up in each page's data)
            for text, said in (("{{#open}} never closed", "templates/home.mustache"),
                               ("<p>{{> no_such_block}}</p>", "{{> no_such_block}} names no template")):
                with open(os.path.join(override, "templates/home.mustache"), "w") as f:
                    f.write(text)
                p = subprocess.run([harness.ARGS.binary, "serve", "--config",
                                    os.path.join(harness.ARGS.source, "vigie.toml"), "--data",
                                    tempfile.mkdtemp(), "--listen", "127.0.0.1:0"],
                                   env=dict(os.environ, VIGIE_SITE_ASSETS_OVERRIDE=override),
                                   capture_output=True, text=True, timeout=60, cwd=harness.ARGS.source)
                self.assertNotEqual(p.returncode, 0, text)
                self.assertIn("templates/home.mustache", p.stderr)
                self.assertIn(said, p.stderr)
        finally:
            shutil.rmtree(override, ignore_errors=True)


class EscapingTest(unittest.TestCase):
    def test_hostile_text_is_escaped_everywhere(self):
        import os
        v = harness.Vigie(scenario='''
[[events]]
kind = "incident"
platform = "weavy"
title = { fr = "<script>alert(1)</script> & \\"quotes\\" 'single'", en = "" }
body = { fr = "<img src=x onerror=alert(2)> [lien](javascript:alert(3)) **gras**", en = "" }
start = "now-10m"
services = { back-office = "major" }

[[events.updates]]
at = "now-5m"
phase = "identified"
text = { fr = "<iframe src=//evil></iframe>", en = "" }
''')
        try:
            event = v.json("/api/v1/platforms/weavy/events?state=in_progress")["events"][0]
            for path in ("/fr/weavy/", "/en/weavy/", "/fr/events/%d" % event["id"]):
                status, _, body = v.get(path)
                text = body.decode()
                self.assertEqual(status, 200)
                self.assertNotIn("<script>alert", text)
                self.assertNotIn("<img src=x", text)
                self.assertNotIn("<iframe", text)
                self.assertNotIn("javascript:alert", text)
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;", text)
            # the English page falls back to French, and says so
            status, _, body = v.get("/en/events/%d" % event["id"])
            self.assertIn('lang="fr"', body.decode())
            self.assertIn("French only", body.decode())
        finally:
            v.close()


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
