#!/usr/bin/env python3
"""The cluster phase of bench/run (--cluster): two Vigie nodes on one PostgreSQL behind nginx
(an upstream with keep-alive), everything on loopback, each part real.

  cluster.py --binary B --root R --tmp T --nginx N [--duration S] [--connections C] [--smoke]

Measures, and prints as Markdown:
  - the main endpoints through nginx to the two nodes, against nginx serving the same bytes
    from files (the same nginx process, another server block);
  - write -> visible on the other node (a write on node A, polled on node B's API);
  - reads through nginx while PostgreSQL is stopped for a few seconds (failures must be 0), and
    how long the nodes take to be ready again once it is back;
  - leader failover: kill -9 of the node holding the clock lease, until the other holds it.
Exits 1 when a request failed or a part did not start; missed figures are reported only.
Stdlib only; every wait is bounded.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tools  # noqa: E402

HOST = "127.0.0.1"
ENDPOINTS = [("home", "/fr/", None), ("platform", "/fr/infinity/", None),
             ("rss", "/feeds/fr/infinity/status.rss", None), ("summary", "/api/v2/summary.json", None),
             ("304", "/fr/infinity/", "inm")]


def say(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))


def get(port, path, headers=None, timeout=5):
    c = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def run(cmd, **kwargs):
    """Runs cmd; its standard output, or the end of the run with its error output."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kwargs)
    if p.returncode != 0:
        raise SystemExit("bench cluster: %s failed: %s" % (" ".join(cmd), p.stderr.strip()))
    return p.stdout


def wait_until(cond, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if cond():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit("bench cluster: %s did not happen within %d s" % (what, seconds))


class Node:
    def __init__(self, args, name, env, seed):
        self.name = name
        self.port = int(tools_port())
        self.data = os.path.join(args.tmp, name)
        os.makedirs(self.data)
        cmd = [args.binary, "serve", "--config", "vigie.toml", "--data", self.data,
               "--listen", "%s:%d" % (HOST, self.port), "--quiet"]
        if seed:
            cmd += ["--seed", "scenarios/demo.toml"]
        self.log = open(os.path.join(args.tmp, name + ".log"), "w")
        self.proc = subprocess.Popen(cmd, cwd=args.root, env=env, stdout=self.log, stderr=self.log)
        wait_until(lambda: get(self.port, "/readyz")[0] == 200, 30, "node %s ready" % name)

    def leader(self):
        status, _, body = get(self.port, "/readyz")
        return status == 200 and json.loads(body).get("clock_leader") is True

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def tools_port():
    import socket
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wrk(url, conns, seconds, headers=()):
    cmd = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "10s", "-s",
           os.path.join(os.path.dirname(os.path.abspath(__file__)), "report.lua")]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
    if not line:
        raise SystemExit("bench cluster: wrk gave no result for %s" % url)
    r = tools.parse_kv(line)
    r = {k: int(v) for k, v in r.items()}
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["failed"] = r["status_errors"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
    return r


def nginx_conf(tmp, www, proxy_port, static_port, nodes):
    upstream = "\n".join("    server %s:%d max_fails=2 fail_timeout=5s;" % (HOST, n.port) for n in nodes)
    return """
daemon off;
worker_processes 2;
pid {tmp}/nginx/nginx.pid;
error_log {tmp}/nginx/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/nginx/body;
  proxy_temp_path {tmp}/nginx/proxy;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  upstream vigie {{
{upstream}
    keepalive 64;
  }}
  # The cluster, as docs/deployment.md shows it.
  server {{
    listen {host}:{proxy_port};
    location / {{
      proxy_pass http://vigie;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_next_upstream error timeout http_502 http_503;
    }}
    location = /live {{
      proxy_pass http://vigie;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 1h;
    }}
  }}
  # The same bytes from files.
  server {{
    listen {host}:{static_port};
    root {www};
    index index.html;
    types {{ text/html html; application/json json; application/rss+xml rss; }}
    default_type text/html;
    charset utf-8;
    charset_types text/html application/json application/rss+xml;
    add_header Cache-Control "public, max-age=15";
  }}
}}
""".format(tmp=tmp, upstream=upstream, host=HOST, proxy_port=proxy_port, static_port=static_port, www=www)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", required=True)
    p.add_argument("--root", required=True)
    p.add_argument("--tmp", required=True)
    p.add_argument("--nginx", required=True)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args()
    secs = 2 if args.smoke else args.duration
    visible_writes = 10 if args.smoke else 100
    failures = []
    nodes, nginx = [], None
    pg_dir = os.path.join(args.tmp, "pg")
    cluster = os.path.join(args.root, "tests", "pg", "cluster")
    try:
        say("starting PostgreSQL (tests/pg/cluster)")
        server = run([cluster, "start", pg_dir]).strip()
        run(["psql", "-q", server, "-c", "CREATE DATABASE vigie_bench"])
        env = dict(os.environ, VIGIE_STORAGE_URL=server.rsplit("/", 1)[0] + "/vigie_bench")
        say("starting two nodes")
        nodes = [Node(args, "node-a", env, seed=True), Node(args, "node-b", env, seed=False)]
        a, b = nodes
        token = run([args.binary, "token", "create", "bench", "--config", "vigie.toml", "--data",
                     a.data], cwd=args.root, env=env).strip()

        # The bytes a node sends, as files for the static server.
        www = os.path.join(args.tmp, "www")
        for _, path, cond in ENDPOINTS:
            if cond:
                continue
            f = os.path.join(www, path.lstrip("/"), "index.html") if path.endswith("/") else \
                os.path.join(www, path.lstrip("/"))
            os.makedirs(os.path.dirname(f), exist_ok=True)
            status, _, body = get(a.port, path)
            if status != 200:
                raise SystemExit("bench cluster: GET %s answered %d" % (path, status))
            with open(f, "wb") as out:
                out.write(body)
        # nginx's workers (nobody) read the files (the PostgreSQL directory stays its owner's).
        run(["chmod", "-R", "a+rX", www])
        os.makedirs(os.path.join(args.tmp, "nginx"), exist_ok=True)
        proxy_port, static_port = tools_port(), tools_port()
        conf = os.path.join(args.tmp, "nginx", "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(args.tmp, www, proxy_port, static_port, nodes))
        nginx = subprocess.Popen([args.nginx, "-e", os.path.join(args.tmp, "nginx", "error.log"),
                                  "-p", os.path.join(args.tmp, "nginx"), "-c", conf],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: get(proxy_port, "/fr/")[0] == 200 and get(static_port, "/fr/")[0] == 200,
                   10, "nginx")

        # ---- The main endpoints.
        say("main endpoints, %d connections, %d s each" % (args.connections, secs))
        etag_cluster = get(proxy_port, "/fr/infinity/")[1].get("etag", "")
        etag_static = get(static_port, "/fr/infinity/")[1].get("etag", "")
        rows = []
        for name, path, cond in ENDPOINTS:
            wrk("http://%s:%d/fr/" % (HOST, proxy_port), 10, 1)  # warm the upstream connections
            hc = ["If-None-Match: " + etag_cluster] if cond else []
            hs = ["If-None-Match: " + etag_static] if cond else []
            rc = wrk("http://%s:%d%s" % (HOST, proxy_port, path), args.connections, secs, hc)
            rs = wrk("http://%s:%d%s" % (HOST, static_port, path), args.connections, secs, hs)
            rows.append((name, rc, rs))
            if rc["failed"] or rs["failed"]:
                failures.append("%s: %d failed through the cluster, %d from files" % (name, rc["failed"], rs["failed"]))

        # ---- Write -> visible on the other node.
        say("write -> visible on the other node, %d writes" % visible_writes)
        wconn = http.client.HTTPConnection(HOST, a.port, timeout=10)
        rconn = http.client.HTTPConnection(HOST, b.port, timeout=10)
        delays = []
        for i in range(visible_writes):
            level = "minor" if i % 2 == 0 else "operational"
            tools.write_level(wconn, token, level)
            t0 = time.monotonic()
            while True:
                rconn.request("GET", "/api/v1/platforms/weavy/services/studio")
                r = rconn.getresponse()
                body = r.read()
                if r.status == 200 and json.loads(body)["status"]["level"] == level:
                    delays.append((time.monotonic() - t0) * 1000)
                    break
                if time.monotonic() - t0 > 5:
                    failures.append("a write did not show on the other node within 5 s")
                    delays.append(5000)
                    break

        # ---- Reads while PostgreSQL is stopped.
        outage = 2 if args.smoke else 4
        load_secs = outage + (4 if args.smoke else 8)
        say("reads through nginx while PostgreSQL is stopped for %d s" % outage)
        result = {}
        t = threading.Thread(target=lambda: result.update(
            wrk("http://%s:%d/fr/infinity/" % (HOST, proxy_port), args.connections, load_secs)))
        t.start()
        time.sleep(1)
        run([cluster, "stop", pg_dir])
        wait_until(lambda: all(get(n.port, "/readyz")[0] == 503 for n in nodes), 10,
                   "the nodes noticing the outage")
        time.sleep(outage)
        run([cluster, "again", pg_dir])
        back = time.monotonic()
        wait_until(lambda: all(get(n.port, "/readyz")[0] == 200 for n in nodes), 30,
                   "the nodes ready again")
        ready_after = time.monotonic() - back
        t.join()
        if result.get("failed", 1):
            failures.append("%d reads failed while PostgreSQL was stopped" % result.get("failed", -1))

        # ---- Leader failover.
        say("leader failover: kill -9 of the node holding the clock lease")
        wait_until(lambda: any(n.leader() for n in nodes), 10, "a leader")
        leader = next(n for n in nodes if n.leader())
        other = b if leader is a else a
        leader.stop(signal.SIGKILL)
        killed = time.monotonic()
        wait_until(other.leader, 30, "the other node taking the lease")
        failover = time.monotonic() - killed
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        for n in nodes:
            n.stop()
        subprocess.run([cluster, "stop", pg_dir], capture_output=True)

    print("## Two nodes on PostgreSQL behind nginx (bench/run --cluster)\n")
    print("%d connections, %d s per run; the cluster is nginx (upstream, keep-alive) in front of "
          "two Vigie nodes on one PostgreSQL 15, everything on this machine's cores; \"files\" is "
          "the same nginx serving the bytes a node sends.\n" % (args.connections, secs))
    print("| endpoint | cluster req/s | files req/s | ratio | cluster p50 / p99 ms | files p50 / p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rc, rs in rows:
        print("| %s | %s | %s | %.2fx | %s / %s | %s / %s |" % (
            name, tools.fmt_rps(rc["rps"]), tools.fmt_rps(rs["rps"]), rc["rps"] / rs["rps"],
            tools.fmt_ms(rc["p50_us"]), tools.fmt_ms(rc["p99_us"]),
            tools.fmt_ms(rs["p50_us"]), tools.fmt_ms(rs["p99_us"])))
    print()
    print("| figure | value | target |")
    print("|---|---:|---|")
    print("| write on node A -> visible on node B, p50 | %.1f ms | |" % tools.pct(delays, 50))
    print("| write on node A -> visible on node B, p99 | %.1f ms | under 100 ms |" % tools.pct(delays, 99))
    print("| write on node A -> visible on node B, max | %.1f ms | |" % max(delays))
    print("| reads through nginx while PostgreSQL stopped %d s (%s requests) | %d failed | 0 |" % (
        outage, "{:,}".format(result.get("requests", 0)), result.get("failed", -1)))
    print("| nodes ready again after PostgreSQL returned | %.1f s | |" % ready_after)
    print("| clock lease taken by the other node after kill -9 of the leader | %.1f s | under 10 s |" % failover)
    print()
    for f in failures:
        print("FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
