#!/usr/bin/env python3
"""The fan-out benchmark of issue 18 (bench/run --notify): N confirmed e-mail subscribers and W
webhooks of one platform, one incident, and how long until a real SMTP server on loopback has
accepted every mail and a webhook receiver on loopback (Python's http.server, answering 200)
every post. The SMTP server is Postfix's smtp-sink (C, made for this: it accepts and counts)
when Debian's postfix is installed, else aiosmtpd counting only, which holds a core at about
1,400 mails/s on the 2-core machine and so measures itself more than Vigie; meanwhile wrk asks for the platform page, to compare
its rate with the rate before. Prints a Markdown report. Fails only when a command fails or
mail is missing at the deadline; targets are reported (all handed over in under 60 s, the
page at no less than 0.9x its usual rate).
"""
import argparse
import http.server
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("no answer from " + url)


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wrk_rate(url, seconds):
    """Requests per second of wrk on `url` (2 threads, 50 connections), or None without wrk."""
    try:
        out = subprocess.run(["wrk", "-t2", "-c50", "-d%ds" % seconds, url], capture_output=True,
                             text=True, timeout=seconds + 30).stdout
    except FileNotFoundError:
        return None
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else None


class SmtpSink:
    """Postfix's smtp-sink on a free loopback port, counting the mails it accepted (its -c
    counter, "sess=N quit=N mesg=N" on its output); or the tests' aiosmtpd sink when Postfix is
    not installed."""

    def __init__(self, root, sinkdir):
        self.count_now = 0
        self.name = "smtp-sink (Postfix)" if shutil.which("smtp-sink") else "aiosmtpd"
        if shutil.which("smtp-sink"):
            self.port = free_port()
            cmd = ["smtp-sink", "-c", "127.0.0.1:%d" % self.port, "1024"]
            if os.geteuid() == 0:
                cmd[1:1] = ["-u", "nobody"]  # smtp-sink refuses to run as root
            self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            threading.Thread(target=self._read, daemon=True).start()
            deadline = time.time() + 10
            while time.time() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", self.port), 1).close()
                    return
                except OSError:
                    time.sleep(0.05)
            raise RuntimeError("smtp-sink did not listen")
        self.sinkdir = sinkdir
        self.proc = subprocess.Popen([sys.executable, os.path.join(root, "tests/integration/smtp_sink.py"),
                                      "--dir", sinkdir, "--count-only"],
                                     cwd=os.path.join(root, "tests/integration"))
        while not os.path.exists(os.path.join(sinkdir, "port")):
            time.sleep(0.05)
        self.port = int(open(os.path.join(sinkdir, "port")).read())

    def _read(self):
        text = b""
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                return
            text = (text + chunk)[-256:]
            found = re.findall(rb"mesg=(\d+)\r", text)
            if found:
                self.count_now = int(found[-1])

    def count(self):
        if self.name != "aiosmtpd":
            return self.count_now
        try:
            return int(open(os.path.join(self.sinkdir, "count")).read() or 0)
        except (OSError, ValueError):
            return 0


class Hooks:
    """A webhook receiver on loopback that counts the posts it answered 200."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with hooks.lock:
                    hooks.count += 1

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--subscribers", type=int, default=100_000)
    ap.add_argument("--webhooks", type=int, default=1_000)
    ap.add_argument("--deadline", type=int, default=1800, help="seconds to wait for every mail")
    args = ap.parse_args()
    data = os.path.join(args.tmp, "data")
    sinkdir = os.path.join(args.tmp, "sink")
    os.makedirs(sinkdir)
    config = os.path.join(args.root, "vigie.toml")
    port = free_port()
    procs = []

    def serve(env):
        p = subprocess.Popen([args.binary, "serve", "--config", config, "--data", data, "--listen",
                              "127.0.0.1:%d" % port, "--seed",
                              os.path.join(args.root, "scenarios", "demo.toml")],
                             cwd=args.root, env=dict(os.environ, **env),
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(args.tmp, "serve.log"), "a"))
        procs.append(p)
        wait_http("http://127.0.0.1:%d/healthz" % port)
        return p

    try:
        # The site, then its subscribers written straight into its SQLite file (as an import
        # of that many would), confirmed, following the platform the incident is on.
        first = serve({})
        first.send_signal(signal.SIGTERM)
        first.wait(30)
        db = sqlite3.connect(os.path.join(data, "vigie.db"))
        now = int(time.time())
        with db:
            db.executemany(
                "INSERT INTO subscribers(id, email, email_key, region, lang, created_at, "
                "confirmed_at, from_notice) VALUES (?,?,?,?,?,?,?,0)",
                ((i, "s%06d@bench.example" % i, "s%06d@bench.example" % i,
                  "fr" if i % 3 else "na", "fr" if i % 2 else "en", now, now)
                 for i in range(1, args.subscribers + 1)))
            db.executemany("INSERT INTO subscriptions(subscriber_id, platform, topic, target) "
                           "VALUES (?, 'infinity', 'platform', 0)",
                           ((i,) for i in range(1, args.subscribers + 1)))
            # The webhooks: each its own endpoint on the receiver, each with its own key.
            first_hook = args.subscribers + 1
            hooks = Hooks()
            hook_ids = range(first_hook, first_hook + args.webhooks)
            db.executemany(
                "INSERT INTO subscribers(id, email, email_key, region, lang, created_at, "
                "confirmed_at, from_notice, channel, endpoint, secret) "
                "VALUES (?,?,?,?,?,?,?,0,'webhook',?,?)",
                ((i, "ops%04d@bench.example" % i,
                  "ops%04d@bench.example webhook http://127.0.0.1:%d/hook/%d" % (i, hooks.port, i),
                  "fr", "en", now, now, "http://127.0.0.1:%d/hook/%d" % (hooks.port, i),
                  "%064x" % i) for i in hook_ids))
            db.executemany("INSERT INTO subscriptions(subscriber_id, platform, topic, target) "
                           "VALUES (?, 'infinity', 'platform', 0)", ((i,) for i in hook_ids))
        db.close()
        sink = SmtpSink(args.root, sinkdir)
        procs.append(sink.proc)
        smtp_port = sink.port
        vigie = serve({"VIGIE_EMAIL_SMTP_URL": "smtp://127.0.0.1:%d" % smtp_port,
                       "VIGIE_EMAIL_FROM": "Statut <status@bench.example>",
                       "VIGIE_NOTIFY_WEBHOOK_PRIVATE": "true"})
        token = subprocess.run([args.binary, "token", "create", "bench", "--role", "editor",
                                "--config", config, "--data", data], cwd=args.root,
                               capture_output=True, text=True, check=True).stdout.strip()
        page = "http://127.0.0.1:%d/fr/infinity/" % port
        before = wrk_rate(page, 5)

        count = sink.count
        start = time.time()
        req = urllib.request.Request(
            "http://127.0.0.1:%d/api/v1/admin/events" % port, method="POST",
            data=json.dumps({"kind": "incident", "platform": "infinity",
                             "title": {"fr": "Banc d'essai", "en": "Benchmark"},
                             "services": {"web-client": "major"}}).encode(),
            headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=30).read()
        during = wrk_rate(page, 5)
        marks = {}
        hooks_done = None
        while ((count() < args.subscribers or hooks.count < args.webhooks)
               and time.time() - start < args.deadline):
            for share in (0.1, 0.5):
                if share not in marks and count() >= share * args.subscribers:
                    marks[share] = time.time() - start
            if hooks_done is None and hooks.count >= args.webhooks:
                hooks_done = time.time() - start
            time.sleep(0.2)
        took = time.time() - start
        got = count()
        if hooks_done is None and hooks.count >= args.webhooks:
            hooks_done = took
        hwm = vm_hwm(vigie.pid)
        print("## Fan-out: %s e-mail subscribers and %s webhooks, one incident\n"
              % (format(args.subscribers, ","), format(args.webhooks, ",")))
        print("SMTP server: %s.\n" % sink.name)
        print("| figure | value | target |\n|---|---:|---|")
        done = got >= args.subscribers and hooks.count >= args.webhooks
        print("| webhooks answered 200 | %s of %s%s | all |"
              % (format(hooks.count, ","), format(args.webhooks, ","),
                 " (the last at %.1f s)" % hooks_done if hooks_done else ""))
        print("| handed to SMTP | %s of %s | all |" % (format(got, ","), format(args.subscribers, ",")))
        print("| time to the last one | %.1f s | < 60 s: %s |" % (took, "met" if done and took < 60 else "missed"))
        print("| rate | %.0f mails/s | |" % (got / took if took else 0))
        for share, t in sorted(marks.items()):
            print("| time to %d %% | %.1f s | |" % (share * 100, t))
        print("| Vigie's peak RSS (VmHWM) | %.1f MB | bounded |" % hwm)
        if before and during:
            print("| /fr/infinity/ with wrk -c50, before / during | %.0f / %.0f req/s (%.2fx) | >= 0.9x: %s |"
                  % (before, during, during / before, "met" if during >= 0.9 * before else "missed"))
        print()
        return 0 if done else 1
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()


if __name__ == "__main__":
    sys.exit(main())
