"""Starts the real vigie binary on a free loopback port with a temporary data directory.

Standard library only: these tests must run on a fresh Debian 12 with /usr/bin/python3.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

ARGS = None


def parse_args():
    """Reads --binary and --source, leaves the rest to unittest."""
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--source", required=True)
    ARGS, rest = p.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    return ARGS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Http:
    """GETs and other requests to a server on 127.0.0.1:self.port."""

    def connection(self, source=None):
        """source: the loopback address to connect from (127.0.0.2, ...), as another visitor."""
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                          source_address=(source, 0) if source else None)

    def request(self, method, path, headers=None, body=None, source=None):
        conn = self.connection(source)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            res = conn.getresponse()
            data = res.read()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, data
        finally:
            conn.close()

    def get(self, path, headers=None):
        return self.request("GET", path, headers)

    def json(self, path, headers=None, expect=200):
        status, hdrs, body = self.get(path, headers)
        if status != expect:
            raise AssertionError("%s: expected %d, got %d: %r" % (path, expect, status, body[:300]))
        assert hdrs["content-type"].startswith("application/json"), hdrs
        return json.loads(body)


class Vigie(Http):
    """One vigie process serving the vendor's catalog and the demo scenario."""

    def __init__(self, seed=True, env=None, data=None, scenario=None, clock=False, config=None):
        """seed: True for the demo scenario, False for none, or a scenario file's path.
        scenario: a scenario's TOML text, loaded on first start instead of `seed`.
        data: the data directory (a new temporary one by default).
        clock: True to move the binary's clock with advance() instead of sleeping.
        config: another configuration file than the shipped vigie.toml."""
        self.data = data or tempfile.mkdtemp(prefix="vigie-it-")
        self.port = free_port()
        cmd = [ARGS.binary, "serve", "--config", config or os.path.join(ARGS.source, "vigie.toml"),
               "--data", self.data, "--listen", "127.0.0.1:%d" % self.port]
        if scenario is not None:
            seed = os.path.join(self.data, "scenario.toml")
            with open(seed, "w") as f:
                f.write(scenario)
        if seed is True:
            seed = os.path.join(ARGS.source, "scenarios", "demo.toml")
        if seed:
            cmd += ["--seed", seed]
        self.offset = 0
        self.clock_file = None
        if clock:
            self.clock_file = os.path.join(self.data, "clock-offset")
            self._write_offset()
            cmd += ["--clock-offset-file", self.clock_file]
        self.stdout = open(os.path.join(self.data, "stdout.log"), "w+")
        self.stderr = open(os.path.join(self.data, "stderr.log"), "w+")
        self.env = dict(env or {})
        full_env = dict(os.environ)
        full_env.update(self.env)
        self.proc = subprocess.Popen(cmd, cwd=ARGS.source, stdout=self.stdout, stderr=self.stderr,
                                     env=full_env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("vigie exited with %s: %s" % (self.proc.returncode, self.log()))
            try:
                status, _, _ = self.get("/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("vigie did not answer /healthz in 30 s: " + self.log())

    def _write_offset(self):
        with open(self.clock_file, "w") as f:
            f.write(str(self.offset))
        # A new modification time each time, whatever the file system's timestamp granularity:
        # the binary re-reads the file when its mtime changes.
        self._mtime_ns = getattr(self, "_mtime_ns", time.time_ns()) + 1_000_000
        os.utime(self.clock_file, ns=(self._mtime_ns, self._mtime_ns))

    def advance(self, seconds):
        """Moves the binary's clock `seconds` forward (Vigie(clock=True) only). The transition
        timer looks at the clock every 100 ms; wait_for() what should follow."""
        assert self.clock_file, "start Vigie(clock=True) to move its clock"
        self.offset += seconds
        self._write_offset()

    def now(self):
        """The binary's time (seconds since the epoch)."""
        return time.time() + self.offset

    def wait_for(self, condition, timeout=10, what="the condition"):
        """Polls `condition()` until it is true; fails after `timeout` seconds."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.05)
        raise AssertionError("%s did not happen within %d s; the binary's log ends with:\n%s"
                             % (what, timeout, "\n".join(self.log().splitlines()[-15:])))

    def token(self, name="bot", role="editor"):
        """A new admin API token, made with the CLI as an operator would."""
        code, out, err = run_cli("token", "create", name, "--role", role, data=self.data, env=self.env)
        assert code == 0, err
        return out.strip()

    def log(self):
        self.stderr.flush()
        with open(self.stderr.name) as f:
            return f.read()

    def access_log(self):
        self.stdout.flush()
        with open(self.stdout.name) as f:
            return f.read()

    def terminate(self, timeout=15):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def close(self):
        self.terminate()
        self.stdout.close()
        self.stderr.close()
        shutil.rmtree(self.data, ignore_errors=True)


class MirrorSite(Http):
    """nginx serving a static mirror of Vigie (`vigie mirror --to DIR`, or [mirror] dir) with
    deploy/nginx-mirror.conf as shipped, but for the mirror's folder and the port: the site as
    a host keeps it when every node and the database are gone."""

    BROTLI = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"

    def __init__(self, mirror):
        self.dir = tempfile.mkdtemp(prefix="vigie-nginx-")
        self.port = free_port()
        with open(os.path.join(ARGS.source, "deploy", "nginx-mirror.conf")) as f:
            site = f.read().replace("/var/lib/vigie/mirror", mirror).replace(
                "listen 80;", "listen 127.0.0.1:%d;" % self.port)
        load = ""
        if os.path.exists(self.BROTLI):
            load = "load_module %s;" % self.BROTLI
        else:
            site = site.replace("brotli_static on;", "")
        with open(os.path.join(self.dir, "site.conf"), "w") as f:
            f.write(site)
        with open(os.path.join(self.dir, "nginx.conf"), "w") as f:
            f.write("""%s
daemon off;
worker_processes 1;
pid %s/nginx.pid;
error_log %s/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path %s/body;
  include %s/site.conf;
}
""" % (load, self.dir, self.dir, self.dir, self.dir))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen([nginx, "-p", self.dir, "-c", os.path.join(self.dir, "nginx.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read().decode())
            try:
                if self.get("/fr/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("nginx did not serve the mirror in 10 s")

    def close(self):
        self.proc.terminate()
        self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def mirror_of(v, env=None):
    """The static mirror of what Vigie `v` holds, written by `vigie mirror --to` into a new
    folder nginx's workers can read."""
    mirror = tempfile.mkdtemp(prefix="vigie-mirror-")
    os.chmod(mirror, 0o755)
    code, _, err = run_cli("mirror", "--to", mirror, data=v.data, env=env if env is not None else v.env)
    assert code == 0, err
    return mirror


class SiteTest(unittest.TestCase):
    """A test class with one vigie for all its tests (self.v): VIGIE holds the keyword
    arguments of Vigie(), prepare() what to add before the tests (users, tokens)."""

    VIGIE = {}

    @classmethod
    def setUpClass(cls):
        cls.v = Vigie(**cls.VIGIE)
        try:
            cls.prepare()
        except BaseException:
            cls.v.close()
            raise

    @classmethod
    def prepare(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.v.close()


def run_cli(*args, cwd=None, data=None, env=None, stdin=None):
    """Runs `vigie ARGS...` with the shipped configuration; returns (code, stdout, stderr).
    env: variables added to this process's environment (VIGIE_STORAGE_URL, ...).
    stdin: the text given on standard input (a password)."""
    cmd = [ARGS.binary] + list(args)
    if data is not None:
        cmd += ["--config", os.path.join(ARGS.source, "vigie.toml"), "--data", data]
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(cmd, cwd=cwd or ARGS.source, capture_output=True, text=True, timeout=120,
                       env=full_env, input=stdin)
    return p.returncode, p.stdout, p.stderr


class PgCluster:
    """A PostgreSQL 15 server of the test's own (tests/pg/cluster: initdb and pg_ctl in a
    temporary directory, on a free loopback port, as an unprivileged user). stop() and
    start() break and mend it under running nodes; close() stops it and removes it."""

    def __init__(self, primary=None, sync=False):
        """primary: another PgCluster this one is a streaming standby of (synchronous when
        `sync`: the primary waits for it at each commit)."""
        self.dir = tempfile.mkdtemp(prefix="vigie-pg-")
        if primary:
            self.server = self._run("standby", primary.dir, *(["sync"] if sync else [])).strip()
        else:
            self.server = self._run("start").strip()  # postgresql://vigie@127.0.0.1:PORT/postgres
        self.databases = 0

    def _run(self, what, *more):
        p = subprocess.run([os.path.join(ARGS.source, "tests", "pg", "cluster"), what, self.dir] + list(more),
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("tests/pg/cluster %s: %s" % (what, p.stderr))
        return p.stdout

    def database(self, name="vigie"):
        """A new, empty database on the server: its URL."""
        self.databases += 1
        db = "%s_%d" % (name, self.databases)
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.server, "-c",
                        'CREATE DATABASE "%s"' % db], check=True, capture_output=True, timeout=60)
        return self.server.rsplit("/", 1)[0] + "/" + db

    def stop(self):
        self._run("stop")

    def start(self):
        self._run("again")

    def crash(self):
        """kill -9 of the server, as a machine that goes away."""
        self._run("crash")

    def promote(self):
        """A standby becomes the primary."""
        self._run("promote")

    def hostport(self):
        """"127.0.0.1:PORT", for a URI naming several hosts."""
        return self.server.split("@", 1)[1].split("/", 1)[0]

    def close(self):
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
