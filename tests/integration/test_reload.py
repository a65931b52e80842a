"""SIGHUP reads the configuration again and applies what can change while serving (texts and
templates of the assets override, log level and access log, server limits, cache budget), names
what needs a restart, and refuses a broken file without changing anything; SIGUSR1 reopens the
access log after logrotate moved it away."""
import os
import re
import shutil
import signal
import tempfile
import time
import unittest

import harness


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="vigie-reload-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        with open(os.path.join(harness.ARGS.source, "vigie.toml")) as f:
            self.shipped = f.read()
        self.config = os.path.join(self.tmp, "vigie.toml")
        self.access = os.path.join(self.tmp, "access.log")
        self.write_config()
        self.v = harness.Vigie(config=self.config)
        self.addCleanup(self.v.close)

    def write_config(self, replace=(), broken=False):
        """The shipped file with the access log in the test's folder, and `replace`'s pairs."""
        text = self.shipped.replace('access = "stdout"', 'access = "%s"' % self.access)
        text = text.replace('catalog/divalto.toml', os.path.join(harness.ARGS.source, "catalog/divalto.toml"))
        for old, new in replace:
            self.assertIn(old, text)
            text = text.replace(old, new)
        if broken:
            text += "\n[server\n"
        with open(self.config, "w") as f:
            f.write(text)

    def read(self, path):
        if not os.path.exists(path):
            return ""
        with open(path) as f:
            return f.read()

    def reload(self, sig=signal.SIGHUP, expect="read again"):
        before = self.v.log().count(expect)
        self.v.proc.send_signal(sig)
        self.v.wait_for(lambda: self.v.log().count(expect) > before, what="the reload")

    def test_texts_limits_and_level_change_without_a_restart(self):
        self.assertIn("Skip to content", self.v.get("/en/weavy/")[2].decode())
        pid = self.v.proc.pid
        # An override of one catalog: a text changes on the site and in the back-office.
        override = os.path.join(self.tmp, "override")
        os.makedirs(os.path.join(override, "i18n"))
        with open(os.path.join(harness.ARGS.source, "assets", "i18n", "en.toml")) as f:
            en = f.read()
        with open(os.path.join(override, "i18n", "en.toml"), "w") as f:
            f.write(en.replace('skip = "Skip to content"', 'skip = "Skip to the content"')
                      .replace('sign_in = "Sign in"', 'sign_in = "Sign in now"'))
        self.write_config([('assets_override = ""', 'assets_override = "%s"' % override),
                           ("body_limit_kib = 1024", "body_limit_kib = 1"),
                           ('level = "info"', 'level = "warning"')])
        self.v.proc.send_signal(signal.SIGHUP)
        self.v.wait_for(lambda: "Skip to the content" in self.v.get("/en/weavy/")[2].decode(),
                        what="the new text")
        self.assertEqual(self.v.proc.pid, pid, "no restart")
        self.assertIn("Sign in now", self.v.get("/admin/login", {"Accept-Language": "en"})[2].decode())
        # The page names its (unchanged) static files, which still answer.
        css = re.search(r'href="(/static/[^"]+\.css)"', self.v.get("/en/weavy/")[2].decode()).group(1)
        self.assertEqual(self.v.get(css)[0], 200)
        # The body limit: a 2 KiB body is now too large.
        status, _, _ = self.v.request("POST", "/api/v1/admin/levels", {"Content-Type": "application/json"},
                                      "x" * 2048)
        self.assertEqual(status, 413)
        # The level: information is no longer logged (the reload's own summary is information).
        self.assertNotIn("read again", self.v.log())

    def test_what_needs_a_restart_is_named_and_a_broken_file_changes_nothing(self):
        self.write_config([('base_url = "http://localhost:8080"', 'base_url = "https://status.example.org"')])
        self.reload(expect="applied only by a restart")
        self.assertIn("applied only by a restart: site (but site.assets_override)", self.v.log())
        self.write_config(broken=True)
        self.reload(expect="the configuration is not reloaded")
        self.assertEqual(self.v.get("/fr/")[0], 200)

    def test_sigusr1_reopens_the_access_log_after_logrotate(self):
        self.v.get("/fr/?before-rotation")
        self.v.wait_for(lambda: "before-rotation" in self.read(self.access), what="the access log")
        os.rename(self.access, self.access + ".1")
        self.reload(sig=signal.SIGUSR1, expect="the access log is open again")
        self.v.get("/fr/?after-rotation")
        self.v.wait_for(lambda: "after-rotation" in self.read(self.access), what="the new access log")
        self.assertNotIn("after-rotation", self.read(self.access + ".1"))


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
