"""Run as systemd runs it: the notify protocol (READY=1 once the site answers, WATCHDOG=1 while
the event loops answer, STOPPING=1) on a real datagram socket as NOTIFY_SOCKET, journald's
priority prefixes when stderr is the journal, one JSON object per line with --log-format json,
and the shipped unit, checked by systemd-analyze."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import harness


class NotifyTest(unittest.TestCase):
    def test_ready_watchdog_and_stopping(self):
        tmp = tempfile.mkdtemp(prefix="vigie-notify-")
        self.addCleanup(shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(10)
        self.addCleanup(sock.close)
        started = time.time()
        v = harness.Vigie(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        self.addCleanup(v.close)
        ready = sock.recv(4096).decode()
        self.assertTrue(ready.startswith("READY=1\nSTATUS=listening on http://"), ready)
        self.assertEqual(v.get("/fr/")[0], 200, "ready means it answers")
        pings = []
        while time.time() - started < 30 and len(pings) < 3:
            pings.append(sock.recv(4096).decode())
        self.assertEqual(pings, ["WATCHDOG=1"] * 3, "a ping every half WatchdogSec")
        v.terminate()
        rest = []
        sock.settimeout(2)
        try:
            while True:
                rest.append(sock.recv(4096).decode())
        except socket.timeout:
            pass
        self.assertIn("STOPPING=1\nSTATUS=stopping", rest)


class HugePagesTest(unittest.TestCase):
    """serve starts once more with glibc's huge-page tunable, as the same process under the same
    name; an operator's own GLIBC_TUNABLES (the unit's, or even empty) stands."""

    def environ(self, pid):
        with open("/proc/%d/environ" % pid, "rb") as f:
            return [e.decode() for e in f.read().split(b"\0") if e]

    def test_serve_asks_for_huge_pages_in_the_same_process(self):
        v = harness.Vigie()
        self.addCleanup(v.close)
        self.assertEqual(v.get("/fr/")[0], 200)
        self.assertIn("GLIBC_TUNABLES=glibc.malloc.hugetlb=1", self.environ(v.proc.pid))
        with open("/proc/%d/comm" % v.proc.pid) as f:
            self.assertEqual(f.read().strip(), os.path.basename(harness.ARGS.binary)[:15])

    def test_the_operators_tunables_stand(self):
        v = harness.Vigie(env={"GLIBC_TUNABLES": ""})
        self.addCleanup(v.close)
        self.assertEqual(v.get("/fr/")[0], 200)
        env = self.environ(v.proc.pid)
        self.assertIn("GLIBC_TUNABLES=", env)
        self.assertNotIn("GLIBC_TUNABLES=glibc.malloc.hugetlb=1", env)


class LogFormatTest(unittest.TestCase):
    def run_briefly(self, args, env=None):
        tmp = tempfile.mkdtemp(prefix="vigie-log-")
        self.addCleanup(shutil.rmtree, tmp, True)
        err_path = os.path.join(tmp, "stderr")
        port = harness.free_port()
        with open(err_path, "w") as err:
            st = os.fstat(err.fileno())
            full = dict(os.environ)
            full.update(env(st) if env else {})
            p = subprocess.Popen([harness.ARGS.binary, "serve", "--config",
                                  os.path.join(harness.ARGS.source, "vigie.toml"), "--data",
                                  os.path.join(tmp, "data"), "--listen", "127.0.0.1:%d" % port] + args,
                                 cwd=harness.ARGS.source, stdout=subprocess.DEVNULL, stderr=err, env=full)
            site = harness.Http()
            site.port = port
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    if site.get("/healthz")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.05)
            p.terminate()
            p.wait(15)
        with open(err_path) as f:
            return f.read().splitlines()

    def test_journald_prefixes_when_stderr_is_the_journal(self):
        lines = self.run_briefly([], env=lambda st: {"JOURNAL_STREAM": "%d:%d" % (st.st_dev, st.st_ino)})
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^<[346]>[^<]", "priority first, no timestamp of ours")
        self.assertTrue(any(l.startswith("<6>listening on") for l in lines), lines)

    def test_json_lines_for_log_shippers(self):
        lines = self.run_briefly(["--log-format", "json"])
        self.assertTrue(lines)
        for line in lines:
            entry = json.loads(line)
            self.assertEqual(set(entry), {"time", "level", "log", "msg"}, line)
            self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(entry["level"], ("info", "warning", "error"))
        self.assertTrue(any(json.loads(l)["msg"].startswith("listening on") for l in lines))


class UnitTest(unittest.TestCase):
    def test_the_shipped_unit_is_valid_and_hardened(self):
        analyze = shutil.which("systemd-analyze")
        self.assertIsNotNone(analyze, "systemd-analyze (Debian's systemd) is a test dependency")
        unit = os.path.join(harness.ARGS.source, "deploy", "vigie.service")
        # The exposure level, in tenths: 20 is 2.0 on systemd's scale of 0 (safe) to 10.
        p = subprocess.run([analyze, "security", "--offline=true", "--threshold=20", unit],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr)
        self.assertIn("Overall exposure level for vigie.service", p.stdout)


if __name__ == "__main__":
    harness.parse_args()
    unittest.main(verbosity=2)
