#!/usr/bin/env python3
"""The scale phase of bench/run (`bench/run --scale`): Vigie with 20 platforms x 100 services
and 100,000 past events (issue 7). Standard library only; loopback only; every wait bounded.

  scale.py --binary PATH --root DIR --tmp DIR [--events N] [--writes N] [--reps N]
           [--restarts N] [--write-budget S] [--render-budget S] [--seed N] [--no-demo]

Steps (each timed; bench/run prints the Markdown report this writes on stdout):
 1. `vigie migrate` on an empty data dir, then bench/gen_scale.py writes the catalog, a config
    pointing at it and a `vigie export`-format dump (its version from an export of the empty store);
    `vigie import dump` loads it (one transaction). `vigie token create` makes a token.
 2. Cold start, RESTARTS times: from the fork of `vigie serve` until /healthz answers 200,
    and until /readyz answers 200 with "ready"; RSS and peak RSS then; SIGTERM and the time
    to exit (status 0 required). After the first one, the status-change rows are counted: a
    start that adds rows means Vigie's derivation disagrees with the generated history.
 3. On the last instance: RSS after start; GET of every kind of page, feed and API (the first
    render after start; sizes and item counts); RSS after that warm-up.
 4. Rebuild: admin writes (POST /api/v1/admin/levels, a bearer token): WRITES of them, or by
    default up to 20 until WRITE_BUDGET (45) seconds have passed (at least 3); each response
    time. Vigie answers a write
    once the new snapshot is published, so this is the write plus the rebuild. Lines of the
    server's log that report a publish or rebuild duration are quoted when there are any.
 5. First render after a write: each round restarts the server; then for each endpoint, a
    fresh write, then at once one GET of the endpoint (browser-like Accept-Encoding: gzip,
    deflate, br), on a connection opened before the write; then a second GET (served from the
    cache). The endpoint was never asked for in that process, so the write could not warm it:
    a cold render. REPS rounds over the endpoints, or by default up to 3, no new round after
    RENDER_BUDGET (60) seconds (at least 1).
 6. Peak RSS (VmHWM) at the end; SIGTERM.
 7. The same endpoints on the demo site (vigie.toml + scenarios/demo.toml, same binary), for
    the sizes: feeds and history pages must stay bounded (items capped), not grow with the
    number of events.
Exit status: 0 unless a request failed, a command failed or Vigie crashed; a missed target is
reported, never fatal.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"
BROWSER_AE = "gzip, deflate, br"


class Failed(Exception):
    """A request or command that failed: fatal."""


def say(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def proc_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def mb(kb):
    return "%.0f MB" % (kb / 1024.0) if kb >= 10240 else "%.1f MB" % (kb / 1024.0)


def ms(s):
    v = s * 1000.0
    return "%.2f" % v if v < 10 else "%.1f" % v if v < 100 else "{:,.0f}".format(v)


def run(cmd, cwd, what, timeout=1800):
    """Runs a command; returns (stdout, seconds, max RSS of the child in kB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Failed("%s: no end after %d s" % (what, timeout))
    secs = time.monotonic() - t0
    if p.returncode != 0:
        raise Failed("%s exited with %d: %s" % (what, p.returncode, (err or out)[-2000:]))
    return out, secs, err


def run_rss(cmd, cwd, what, timeout=1800):
    """Runs a command, returns (stdout, seconds, peak RSS in kB of that child alone)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = t0 + timeout
    chunks = []
    # Read all output, then reap with wait4 to get this child's rusage.
    while True:
        b = p.stdout.read(65536)
        if not b:
            break
        chunks.append(b)
        if time.monotonic() > deadline:
            p.kill()
            break
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    secs = time.monotonic() - t0
    out = b"".join(chunks).decode("utf-8", "replace")
    if p.returncode != 0:
        raise Failed("%s exited with %d: %s" % (what, p.returncode, out[-2000:]))
    return out, secs, ru.ru_maxrss


class Server:
    """One `vigie serve` child process."""

    def __init__(self, binary, root, config, data, log, extra=()):
        self.binary, self.root, self.config, self.data, self.log = binary, root, config, data, log
        self.extra = list(extra)
        self.port = free_port()
        self.p = None

    def start(self, deadline_s=180):
        """Starts and waits; returns (seconds to /healthz 200, seconds to /readyz ready)."""
        logf = open(self.log, "a")
        t0 = time.monotonic()
        self.p = subprocess.Popen(
            [self.binary, "serve", "--config", self.config, "--data", self.data, "--listen",
             "%s:%d" % (HOST, self.port)] + self.extra,
            cwd=self.root, stdout=logf, stderr=subprocess.STDOUT)
        logf.close()
        health = ready = None
        while time.monotonic() - t0 < deadline_s:
            if self.p.poll() is not None:
                raise Failed("vigie exited at start with %d (log: %s)\n%s"
                             % (self.p.returncode, self.log, tail(self.log)))
            path = "/healthz" if health is None else "/readyz"
            try:
                c = http.client.HTTPConnection(HOST, self.port, timeout=5)
                c.request("GET", path)
                r = c.getresponse()
                body = r.read()
                c.close()
            except (OSError, http.client.HTTPException):
                time.sleep(0.005)
                continue
            now = time.monotonic() - t0
            if health is None:
                if r.status == 200:
                    health = now
                    continue
            elif r.status == 200 and b'"ready"' in body:
                ready = now
                return health, ready
            time.sleep(0.005)
        raise Failed("vigie did not answer /healthz and /readyz within %d s" % deadline_s)

    def alive(self):
        if self.p is None or self.p.poll() is not None:
            raise Failed("vigie crashed (exit %s); log %s:\n%s"
                         % (self.p.returncode if self.p else "?", self.log, tail(self.log)))

    def kb(self, key):
        return proc_kb(self.p.pid, key)

    def stop(self, timeout=60):
        """SIGTERM; returns seconds to exit. Exit status must be 0."""
        if self.p is None:
            return 0.0
        t0 = time.monotonic()
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            raise Failed("vigie did not exit within %d s of SIGTERM" % timeout)
        secs = time.monotonic() - t0
        self.p = None
        if rc != 0:
            raise Failed("vigie exited with %d on SIGTERM:\n%s" % (rc, tail(self.log)))
        return secs

    def kill(self):
        if self.p is not None and self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.p = None


def tail(path, n=20):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def get(conn, path, headers=None):
    """One GET on an open connection; returns (status, body, headers dict, seconds)."""
    t0 = time.monotonic()
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    secs = time.monotonic() - t0
    return r.status, body, {k.lower(): v for k, v in r.getheaders()}, secs


def fetch(port, path, headers=None, timeout=120):
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        st, body, h, secs = get(c, path, headers)
    finally:
        c.close()
    if st != 200:
        raise Failed("GET %s answered %d: %r" % (path, st, body[:200]))
    return body, h, secs


class Writer:
    """Admin writes on one keep-alive connection: the probe service's level in region fr,
    minor and operational in turn."""

    def __init__(self, port, token, platform, service):
        self.port, self.token, self.platform, self.service = port, token, platform, service
        self.n = 0
        self.conn = None

    def write(self):
        level = "minor" if self.n % 2 == 0 else "operational"
        self.n += 1
        body = json.dumps({"platform": self.platform, "service": self.service, "level": level,
                           "regions": ["fr"], "note": "bench --scale"})
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
                self.conn.connect()
            try:
                t0 = time.monotonic()
                self.conn.request("POST", "/api/v1/admin/levels", body=body,
                                  headers={"Authorization": "Bearer " + self.token,
                                           "Content-Type": "application/json"})
                r = self.conn.getresponse()
                data = r.read()
                secs = time.monotonic() - t0
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # An idle keep-alive connection the server closed: once more on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            if r.status != 200:
                raise Failed("admin write answered %d: %r" % (r.status, data[:200]))
            return secs
        raise Failed("admin write: no answer")

    def close(self):
        if self.conn:
            self.conn.close()


# Endpoints. {p} platform, {s} service, {last} the last history page, {ev} an event id.
# kind: how to count items; cap: the most items it may hold whatever the data.
ENDPOINTS = [
    # name, path, item kind, cap, in first-render set
    ("home", "/fr/", None, None, True),
    ("home en", "/en/", None, None, False),
    ("platform page", "/fr/{p}/", None, None, True),
    ("service page", "/fr/{p}/services/{s}", None, None, True),
    ("event page", "/fr/events/{ev}", None, None, False),
    ("history p.1", "/fr/{p}/history", "history", 20, True),
    ("history last page", "/fr/{p}/history?page={last}", "history", 20, True),
    ("history, incidents", "/fr/{p}/history?kind=incident", "history", 20, False),
    ("events RSS", "/feeds/fr/{p}/events.rss", "rss", 50, True),
    ("events Atom", "/feeds/fr/{p}/events.atom", "atom", 50, False),
    ("events JSON Feed", "/feeds/fr/{p}/events.json", "jsonfeed", 50, False),
    ("status RSS", "/feeds/fr/{p}/status.rss", "rss", 50, True),
    ("status Atom", "/feeds/fr/{p}/status.atom", "atom", 50, False),
    ("status JSON Feed", "/feeds/fr/{p}/status.json", "jsonfeed", 50, False),
    ("service status RSS", "/feeds/fr/{p}/services/{s}.rss", "rss", 50, False),
    ("messages RSS", "/feeds/fr/{p}/messages.rss", "rss", 50, False),
    ("site messages RSS", "/feeds/fr/messages.rss", "rss", 50, False),
    ("maintenance iCal", "/feeds/fr/{p}/maintenance.ics", "ics", None, False),
    ("/history.rss (all platforms)", "/history.rss", "rss", 50, True),
    ("/history.atom", "/history.atom", "atom", 50, False),
    ("/api/v2/summary.json", "/api/v2/summary.json", None, None, True),
    ("/api/v2/components.json", "/api/v2/components.json", None, None, False),
    ("/api/v2/incidents.json", "/api/v2/incidents.json", "v2incidents", 50, True),
    ("/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances.json", "v2maint", 50, False),
    ("/{p}/api/v2/incidents.json", "/{p}/api/v2/incidents.json", "v2incidents", 50, False),
    ("/api/v1/platforms/{p}", "/api/v1/platforms/{p}", None, None, False),
    ("/api/v1/platforms/{p}/events", "/api/v1/platforms/{p}/events", "v1events", 50, True),
    ("…/events?limit=200", "/api/v1/platforms/{p}/events?limit=200", "v1events", 200, False),
    ("/api/v1/platforms/{p}/services/{s}", "/api/v1/platforms/{p}/services/{s}", None, None, False),
    ("badge", "/badge/fr/{p}.svg", None, None, False),
]


def count_items(kind, body):
    if kind is None:
        return None
    text = body.decode("utf-8", "replace")
    try:
        if kind == "history":
            return text.count('<article class="event ')
        if kind == "rss":
            return text.count("<item>")
        if kind == "atom":
            return text.count("<entry>")
        if kind == "ics":
            return text.count("BEGIN:VEVENT")
        j = json.loads(text)
        if kind == "jsonfeed":
            return len(j["items"])
        if kind == "v2incidents":
            return len(j["incidents"])
        if kind == "v2maint":
            return len(j["scheduled_maintenances"])
        if kind == "v1events":
            return len(j["events"])
    except (ValueError, KeyError):
        return None
    return None


def last_page(port, platform):
    """The number of history pages in region fr, read from the English page (so that the
    French one measured next is still a first render)."""
    body, _, _ = fetch(port, "/en/%s/history" % platform)
    m = re.search(r"Page 1 (?:sur|of) (\d+)", body.decode("utf-8", "replace"))
    return int(m.group(1)) if m else 1


def event_id(port, platform):
    body, _, _ = fetch(port, "/api/v1/platforms/%s/events?state=past&limit=1" % platform)
    ev = json.loads(body)["events"]
    return ev[0]["id"] if ev else 1


def survey(port, subst):
    """GET of every endpoint (identity): size, items, time. The first GET after start, so
    also its first render."""
    out = {}
    for name, path, kind, cap, _ in ENDPOINTS:
        url = path.format(**subst)
        body, h, secs = fetch(port, url)
        gz, _, _ = fetch(port, url, {"Accept-Encoding": "gzip"})
        out[name] = {"url": url, "bytes": len(body), "gzip": len(gz), "items": count_items(kind, body),
                     "cap": cap, "secs": secs}
    return out


def fmt_int(n):
    return "{:,}".format(n)


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--platforms", type=int, default=20)
    ap.add_argument("--services", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--restarts", type=int, default=3)
    # Given explicitly, --writes and --reps are done in full; by default they are time-boxed:
    # up to 20 writes while under 45 s (at least 3), up to 3 rounds while under 60 s (at
    # least 1), so that a slow rebuild still gives a run of a few minutes.
    ap.add_argument("--writes", type=int, default=None)
    ap.add_argument("--write-budget", type=float, default=45)
    ap.add_argument("--reps", type=int, default=None)
    ap.add_argument("--render-budget", type=float, default=60)
    ap.add_argument("--no-demo", action="store_true")
    ap.add_argument("--store", choices=["sqlite", "postgresql"], default="sqlite",
                    help="where the scale site is stored: the data dir's SQLite file, or a "
                         "throwaway PostgreSQL 15 server (tests/pg/cluster) under --tmp")
    a = ap.parse_args(argv)

    servers = []

    def on_signal(signum, frame):
        raise SystemExit(130)

    signal.signal(signal.SIGTERM, on_signal)
    pg_dir = os.path.join(a.tmp, "pg")
    cluster = os.path.join(a.root, "tests", "pg", "cluster")
    try:
        if a.store == "postgresql":
            # PostgreSQL's own user reaches its directory under --tmp.
            os.chmod(a.tmp, 0o755)
            say("starting PostgreSQL 15 (tests/pg/cluster)")
            server = run([cluster, "start", pg_dir], a.root, "tests/pg/cluster start")[0].strip()
            run(["psql", "-q", server, "-c", "CREATE DATABASE vigie_scale"], a.root,
                "CREATE DATABASE")
            # Every command and server of the scale site reads it (not the demo's).
            os.environ["VIGIE_STORAGE_URL"] = server.rsplit("/", 1)[0] + "/vigie_scale"
        return phase(a, servers)
    except Failed as e:
        say("FAILED: %s" % e)
        return 1
    finally:
        for s in servers:
            s.kill()
        if a.store == "postgresql" and os.path.exists(os.path.join(pg_dir, "data")):
            subprocess.run([cluster, "stop", pg_dir], capture_output=True)


def phase(a, servers):
    binary = os.path.abspath(a.binary)
    gen_dir = os.path.join(a.tmp, "scale")
    data = os.path.join(a.tmp, "scale-data")
    os.makedirs(gen_dir, exist_ok=True)
    t_phase = time.monotonic()
    info = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": "%d cores, %.0f GiB" % (os.cpu_count(), os.sysconf("SC_PAGE_SIZE")
                                               * os.sysconf("SC_PHYS_PAGES") / 2 ** 30),
            "binary": binary}
    loads = ["start %s" % open("/proc/loadavg").read().split()[0]]

    # ---- 1. Data.
    # The dump's version comes from the binary: the export of an empty, migrated data dir.
    cfg0 = os.path.join(a.root, "vigie.toml")
    run([binary, "migrate", "--config", cfg0, "--data", data], a.root, "vigie migrate")
    out, _, _ = run([binary, "export", "--config", cfg0, "--data", data], a.root, "vigie export")
    schema = json.loads(out)["schema_version"]
    say("generating %d events (%d platforms x %d services, seed %d)"
        % (a.events, a.platforms, a.services, a.seed))
    out, gen_secs, gen_rss = run_rss(
        [sys.executable, os.path.join(a.root, "bench", "gen_scale.py"), "--out", gen_dir,
         "--events", str(a.events), "--platforms", str(a.platforms), "--services", str(a.services),
         "--seed", str(a.seed), "--schema-version", str(schema), "--config-template", cfg0],
        a.root, "bench/gen_scale.py")
    gen = dict(kv.split("=", 1) for kv in out.split() if "=" in kv)
    probe = json.load(open(os.path.join(gen_dir, "probe.json")))
    config = os.path.join(gen_dir, "vigie.toml")
    dump = os.path.join(gen_dir, "dump.json")
    say("generated in %.1f s: %s events, %s updates, %s status changes, dump %s MB"
        % (gen_secs, gen["events"], gen["updates"], gen["status_changes"],
           int(gen["dump_bytes"]) // 1000000))
    run([binary, "check-config", "--config", config], a.root, "vigie check-config")
    say("vigie import dump")
    _, imp_secs, imp_rss = run_rss([binary, "import", "dump", dump, "--config", config, "--data", data],
                                   a.root, "vigie import dump")
    say("imported in %.1f s (peak RSS %s)" % (imp_secs, mb(imp_rss)))
    pg_url = os.environ.get("VIGIE_STORAGE_URL")

    def psql(query):
        return run(["psql", "-tAq", pg_url, "-c", query], a.root, "psql")[0].strip()

    db = os.path.join(data, "vigie.db")
    if pg_url:
        db_bytes = int(psql("SELECT pg_database_size(current_database())"))
    else:
        db_bytes = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data))
    token, _, _ = run([binary, "token", "create", "bench-scale", "--config", config, "--data", data],
                      a.root, "vigie token create")
    token = token.strip()
    if not token:
        raise Failed("vigie token create printed no token")

    def count_changes():
        if pg_url:
            return int(psql("SELECT count(*) FROM status_changes"))
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        try:
            return c.execute("SELECT count(*) FROM status_changes").fetchone()[0]
        finally:
            c.close()

    # ---- 2. Cold starts.
    log = os.path.join(a.tmp, "scale-vigie.log")
    starts = []
    added_at_start = None
    srv = None
    for i in range(max(1, a.restarts)):
        srv = Server(binary, a.root, config, data, log)
        servers.append(srv)
        say("cold start %d of %d" % (i + 1, a.restarts))
        health, ready = srv.start()
        row = {"health": health, "ready": ready, "rss": srv.kb("VmRSS"), "hwm": srv.kb("VmHWM")}
        if i < a.restarts - 1:
            row["stop"] = srv.stop()
            servers.remove(srv)
            if i == 0:
                added_at_start = count_changes() - int(gen["status_changes"])
        starts.append(row)
        say("  /healthz after %.2f s, /readyz after %.2f s, RSS %s"
            % (health, ready, mb(row["rss"])))
    port = srv.port
    rss_start = srv.kb("VmRSS")

    # ---- 3. Every kind of page once (first render after start), sizes.
    p, s = probe["platform"], probe["service"]
    subst = {"p": p, "s": s, "last": last_page(port, p), "ev": event_id(port, p)}
    say("warming every kind of page (history has %d pages)" % subst["last"])
    sizes = survey(port, subst)
    srv.alive()
    rss_warm = srv.kb("VmRSS")
    loads.append("after warm-up %s" % open("/proc/loadavg").read().split()[0])

    # ---- 4. Rebuild after a write.
    w = Writer(port, token, p, s)
    lat = []
    t0 = time.monotonic()
    n_writes = a.writes or 20
    budget = float("inf") if a.writes else a.write_budget
    say("admin writes: up to %d, %s s budget" % (n_writes, budget))
    while len(lat) < n_writes and (len(lat) < min(3, n_writes) or time.monotonic() - t0 < budget):
        lat.append(w.write())
        srv.alive()
    rss_writes = srv.kb("VmRSS")
    say("  %d writes: median %s ms, max %s ms" % (len(lat), ms(statistics.median(lat)), ms(max(lat))))
    loads.append("after writes %s" % open("/proc/loadavg").read().split()[0])

    # ---- 5. First render after a write.
    render_set = [(n, path) for n, path, _, _, first in ENDPOINTS if first]
    first = {n: [] for n, _ in render_set}
    cached = {n: [] for n, _ in render_set}
    write_lat2 = []
    retried = 0
    t0 = time.monotonic()
    rounds = 0
    n_rounds = a.reps or 3
    budget = float("inf") if a.reps else a.render_budget
    say("first render after a write: %d endpoints, up to %d rounds, %s s budget"
        % (len(render_set), n_rounds, budget))
    hwm_before = srv.kb("VmHWM")  # this instance's peak, before the restarts below
    while rounds < n_rounds and (rounds < 1 or time.monotonic() - t0 < budget):
        rounds += 1
        # A fresh process per round: each endpoint is then asked for once in it, right after
        # its own write, so no snapshot before had its body (nothing to warm: a cold render).
        hwm_before = max(hwm_before, srv.kb("VmHWM"))
        srv.stop()
        srv.start()
        for name, path in render_set:
            url = path.format(**subst)
            c = http.client.HTTPConnection(HOST, port, timeout=120)
            c.connect()  # opened before the write: the GET's time is the server's
            write_lat2.append(w.write())
            try:
                st, body, _, secs = get(c, url, {"Accept-Encoding": BROWSER_AE})
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server dropped the unused connection while the write ran (its read
                # timeout): the request never reached it, so this is still the first GET.
                c.close()
                retried += 1
                c = http.client.HTTPConnection(HOST, port, timeout=120)
                st, body, _, secs = get(c, url, {"Accept-Encoding": BROWSER_AE})
            if st != 200:
                raise Failed("GET %s after a write answered %d" % (url, st))
            st2, _, _, secs2 = get(c, url, {"Accept-Encoding": BROWSER_AE})
            if st2 != 200:
                raise Failed("GET %s (second) answered %d" % (url, st2))
            c.close()
            first[name].append(secs)
            cached[name].append(secs2)
        srv.alive()
        say("  round %d done (%.0f s)" % (rounds, time.monotonic() - t0))
    w.close()
    loads.append("end %s" % open("/proc/loadavg").read().split()[0])

    # ---- 6. Memory at the end, stop.
    hwm_end = max(hwm_before, srv.kb("VmHWM"))
    rss_end = srv.kb("VmRSS")
    stop_last = srv.stop()
    servers.remove(srv)
    publish_lines = []
    rebuilds = []  # model load + snapshot build of each publish after a write, from the log
    for line in open(log, errors="replace"):
        m = re.search(r"snapshot (\d+): model loaded in ([\d.]+) ms, snapshot built in ([\d.]+) ms", line)
        if m and int(m.group(1)) > 1:  # snapshot 1 is the start's
            rebuilds.append((float(m.group(2)) + float(m.group(3))) / 1000.0)
        if re.search(r"(?i)(publish|rebuil|snapshot)", line) and re.search(r"\d(\.\d+)?\s*(ms|µs|us|s)\b", line):
            publish_lines.append(line.strip())

    # ---- 7. The demo, for the sizes.
    demo_sizes = None
    if not a.no_demo:
        os.environ.pop("VIGIE_STORAGE_URL", None)  # the demo site is SQLite's, in its data dir
        say("the same endpoints on the demo site")
        ddata = os.path.join(a.tmp, "demo-data")
        os.makedirs(ddata, exist_ok=True)
        dsrv = Server(binary, a.root, cfg0, ddata, os.path.join(a.tmp, "demo-vigie.log"),
                      ["--seed", os.path.join(a.root, "scenarios", "demo.toml")])
        servers.append(dsrv)
        dsrv.start()
        dsub = {"p": "infinity", "s": "web-client", "last": last_page(dsrv.port, "infinity"),
                "ev": event_id(dsrv.port, "infinity")}
        demo_sizes = survey(dsrv.port, dsub)
        dsrv.stop()
        servers.remove(dsrv)

    # ---- Report.
    w_ = sys.stdout.write
    w_("## bench/run --scale: %s (store: %s)\n\n" % (info["date"], a.store))
    w_("Machine: %s. Binary: `%s`. Load average (1 min): %s. The whole phase took %.0f s.\n\n"
       % (info["machine"], binary, ", ".join(loads), time.monotonic() - t_phase))
    w_("### Data\n\n")
    w_("- Generated by `bench/gen_scale.py --seed %d` in %.1f s (peak RSS %s): %s platforms, "
       "%s services, %s events (%s past: %s incidents, %s maintenances of which %s cancelled, "
       "%s actions, %s announcements; %s in progress or planned), %s affected services, %s updates, "
       "%s messages, %s manual levels, %s status changes; %s MB of text; dump %s MB.\n"
       % (a.seed, gen_secs, mb(gen_rss), gen["platforms"], fmt_int(int(gen["services"])),
          fmt_int(int(gen["events"])), fmt_int(int(gen["past"])), fmt_int(int(gen["incidents"])),
          fmt_int(int(gen["maintenance"])), gen["cancelled"], fmt_int(int(gen["actions"])),
          fmt_int(int(gen["announcements"])), gen["live"], fmt_int(int(gen["impacts"])),
          fmt_int(int(gen["updates"])), gen["messages"], gen["manual_levels"],
          fmt_int(int(gen["status_changes"])), "%.0f" % (int(gen["text_chars"]) / 1e6),
          "%.0f" % (int(gen["dump_bytes"]) / 1e6)))
    w_("- `vigie import dump`: %.1f s, peak RSS %s; database %s MB.\n"
       % (imp_secs, mb(imp_rss), "%.0f" % (db_bytes / 1e6)))
    if added_at_start is not None:
        w_("- Status-change rows the first start added: %d (0: Vigie's derivation agrees with the "
           "generated history).\n" % added_at_start)
    w_("- Probe: platform `%s` (%s history pages in fr), service `%s`, event %s.\n\n"
       % (p, subst["last"], s, subst["ev"]))

    w_("### Cold start\n\n| start | /healthz 200 s | /readyz ready s | RSS then | peak RSS then | exit on SIGTERM s |\n"
       "|---:|---:|---:|---:|---:|---:|\n")
    for i, r in enumerate(starts):
        w_("| %d | %.2f | %.2f | %s | %s | %s |\n"
           % (i + 1, r["health"], r["ready"], mb(r["rss"]), mb(r["hwm"]),
              "%.2f" % r["stop"] if "stop" in r else "%.2f (at the end)" % stop_last))
    w_("\n### Rebuild after a write\n\n")
    w_("%d admin writes (`POST /api/v1/admin/levels`, one service's level in region fr), each "
       "answered once the new snapshot is published: median %s ms, min %s ms, max %s ms. "
       "The %d writes of the first-render rounds: median %s ms, max %s ms.\n"
       % (len(lat), ms(statistics.median(lat)), ms(min(lat)), ms(max(lat)), len(write_lat2),
          ms(statistics.median(write_lat2)), ms(max(write_lat2))))
    if rebuilds:
        w_("\nThe server's log gives each publish's rebuild (model load + snapshot build, "
           "before warming the cached bodies and the commit): median %s ms, max %s ms over %d "
           "publishes.\n" % (ms(statistics.median(rebuilds)), ms(max(rebuilds)), len(rebuilds)))
    if publish_lines:
        w_("\nThe server's log about publishing (%d lines; the last 5):\n\n" % len(publish_lines))
        for line in publish_lines[-5:]:
            w_("    %s\n" % line[:300])
    else:
        w_("\nThe server's log reports no publish or rebuild duration.\n")
    w_("\n### First render after a write\n\n")
    w_("Each GET right after its own write (Accept-Encoding: %s), %d round(s); then the same "
       "GET again, from the cache. Each round runs on a freshly started server, where each "
       "endpoint is asked for once, right after its write: no snapshot before had its body, "
       "so the Publisher could not warm it, and the time is a cold render. The GET goes on a "
       "connection opened before the write (%d of them were closed by the server during a "
       "long write and the GET went on a new one, its connect time included).\n\n"
       % (BROWSER_AE, rounds, retried))
    w_("| endpoint | path | n | first median ms | first max ms | cached median ms | target < 20 ms |\n"
       "|---|---|---:|---:|---:|---:|---|\n")
    worst_first = 0.0
    for name, path in render_set:
        f = first[name]
        worst_first = max(worst_first, max(f))
        w_("| %s | `%s` | %d | %s | %s | %s | %s |\n"
           % (name, path.format(**subst), len(f), ms(statistics.median(f)), ms(max(f)),
              ms(statistics.median(cached[name])), "met" if max(f) < 0.020 else "missed"))
    w_("\n### Sizes: scale against the demo\n\n")
    w_("Identity bodies (and gzip) of the first GET after start; items counted in the body. "
       "\"first GET ms\" is the first render after start at scale.\n\n")
    w_("| endpoint | path at scale | demo B | scale B | scale gzip B | scale/demo | items demo | items scale | cap | first GET ms | bounded |\n"
       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
    unbounded = []
    for name, path, kind, cap, _ in ENDPOINTS:
        sc = sizes[name]
        de = demo_sizes[name] if demo_sizes else None
        if cap is not None and sc["items"] is not None:
            ok = sc["items"] <= cap
            verdict = "yes" if ok else "NO"
            if not ok:
                unbounded.append(name)
        elif kind == "ics":
            verdict = "by time (90 days)"
        else:
            verdict = "-"
        w_("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n"
           % (name, sc["url"], fmt_int(de["bytes"]) if de else "-", fmt_int(sc["bytes"]),
              fmt_int(sc["gzip"]),
              "%.1fx" % (sc["bytes"] / de["bytes"]) if de and de["bytes"] else "-",
              de["items"] if de and de["items"] is not None else "-",
              sc["items"] if sc["items"] is not None else "-", cap if cap else "-",
              ms(sc["secs"]), verdict))
    w_("\n### Memory\n\n")
    w_("- RSS right after start: %s; after warming every kind of page: %s; after the %d writes: "
       "%s; at the end: %s.\n" % (mb(rss_start), mb(rss_warm), len(lat), mb(rss_writes), mb(rss_end)))
    w_("- Peak RSS (VmHWM): %s right after start, %s over the whole run of the last instance "
       "(the highest of the instances of the first-render rounds).\n"
       % (mb(starts[-1]["hwm"]), mb(hwm_end)))

    worst_start = max(r["ready"] for r in starts)
    all_writes = lat + write_lat2
    worst_write = max(all_writes)
    max_mem = max(hwm_end, max(r["hwm"] for r in starts))
    w_("\n### Targets (issue 7, scale)\n\n| target | measured | result |\n|---|---|---|\n")
    rows = [
        ("cold start < 2 s (process start to /readyz ready)",
         "%s s (worst of %d; /healthz: %s s)" % ("%.2f" % worst_start, len(starts),
                                                 ", ".join("%.2f" % r["health"] for r in starts)),
         worst_start < 2.0),
        ("snapshot rebuild after a write < 100 ms (server log: model load + build)",
         ("median %s ms, max %s ms (%d publishes); the write's whole response: median %s ms, "
          "max %s ms" % (ms(statistics.median(rebuilds)), ms(max(rebuilds)), len(rebuilds),
                         ms(statistics.median(all_writes)), ms(worst_write)))
         if rebuilds else
         "median %s ms, max %s ms (%d writes' response time; no rebuild in the log)"
         % (ms(statistics.median(all_writes)), ms(worst_write), len(all_writes)),
         (max(rebuilds) if rebuilds else worst_write) < 0.100),
        ("first render of any page after a write < 20 ms",
         "worst %s ms (%s)" % (ms(worst_first), max(first, key=lambda k: max(first[k]))),
         worst_first < 0.020),
        ("memory < 500 MB (peak RSS)", mb(max_mem), max_mem < 500 * 1024),
        ("history pages and feeds bounded", "all within their caps" if not unbounded
         else "over the cap: " + ", ".join(unbounded), not unbounded),
    ]
    for t, v, ok in rows:
        w_("| %s | %s | %s |\n" % (t, v, "met" if ok else "**missed**"))
    med_write = statistics.median(all_writes)
    w_("\n### Targets (issue 16, scale on the store of several nodes: %s)\n\n"
       "| target | measured | result |\n|---|---|---|\n" % a.store)
    for t, v, ok in [
        ("memory < 150 MB (peak RSS)", mb(max_mem), max_mem < 150 * 1024),
        ("a write answered in < 20 ms (median of the admin writes' responses)",
         "median %s ms, max %s ms (%d writes)" % (ms(med_write), ms(worst_write), len(all_writes)),
         med_write < 0.020),
        ("`vigie import dump` < 500 MB (peak RSS)", mb(imp_rss), imp_rss < 500 * 1024),
        ("cold start < 1 s (process start to /readyz ready)",
         "%s s (worst of %d)" % ("%.2f" % worst_start, len(starts)), worst_start < 1.0),
    ]:
        w_("| %s | %s | %s |\n" % (t, v, "met" if ok else "**missed**"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
