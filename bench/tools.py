#!/usr/bin/env python3
"""Helpers of bench/run (stdlib only, loopback only, every loop bounded in time or count).

  tools.py writer PORT TOKEN SECONDS OUT   an admin write every 100 ms for SECONDS
  tools.py visible PORT TOKEN COUNT        COUNT writes, each checked on page, feed and API
  tools.py idle PORT COUNT SECONDS READY   hold COUNT idle keep-alive connections
  tools.py port                            a free loopback port

Each prints one line "KEY=VALUE ..." that bench/run parses.
"""
import asyncio
import http.client
import json
import socket
import statistics
import sys
import threading
import time

HOST = "127.0.0.1"
LEVEL_LABEL = {"minor": "Perturbation mineure", "operational": "Opérationnel"}


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def write_level(conn, token, level):
    """One admin write; returns its latency in ms. Raises on anything but 200."""
    body = json.dumps({"platform": "weavy", "service": "studio", "level": level,
                       "regions": ["fr"]})
    t0 = time.monotonic()
    conn.request("POST", "/api/v1/admin/levels", body=body,
                 headers={"Authorization": "Bearer " + token,
                          "Content-Type": "application/json"})
    res = conn.getresponse()
    data = res.read()
    ms = (time.monotonic() - t0) * 1000
    if res.status != 200:
        raise RuntimeError("admin write answered %d: %r" % (res.status, data[:200]))
    return ms


def cmd_writer(port, token, seconds, out):
    """Alternates minor/operational every 100 ms (absolute schedule) for `seconds`."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    lat = []
    failures = 0
    start = time.monotonic()
    n = 0
    while True:
        due = start + n * 0.1
        now = time.monotonic()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        try:
            lat.append(write_level(conn, token, "minor" if n % 2 == 0 else "operational"))
        except Exception as e:  # noqa: BLE001 - counted and reported
            failures += 1
            sys.stderr.write("writer: %s\n" % e)
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=10)
        n += 1
    # Leave the service operational.
    try:
        write_level(conn, token, "operational")
    except Exception:  # noqa: BLE001
        pass
    line = ("writes=%d failures=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
            % (len(lat), failures, pct(lat, 50), pct(lat, 99), max(lat) if lat else 0))
    with open(out, "w") as f:
        f.write(line + "\n")


def cmd_visible(port, token, count):
    """After each write returns, polls the service page, its feed and the API (each on its
    own connection, at the same time) until the new level shows; the delay is from the
    write's response to the end of the first GET that showed it."""
    checks = {
        "page": ("/fr/weavy/services/studio",
                 lambda body, lvl: ('class="global-status"><span class="level level-%s"' % lvl)
                 in body),
        "feed": ("/feeds/fr/weavy/services/studio.rss",
                 lambda body, lvl: ("<title>Interface studio : %s</title>" % LEVEL_LABEL[lvl])
                 in body.split("</item>")[0]),
        "api": ("/api/v1/platforms/weavy/services/studio",
                lambda body, lvl: json.loads(body)["status"]["level"] == lvl),
    }
    conns = {k: http.client.HTTPConnection(HOST, port, timeout=10) for k in checks}
    wconn = http.client.HTTPConnection(HOST, port, timeout=10)
    delays = {k: [] for k in checks}
    polls = {k: 0 for k in checks}
    writes = []
    for i in range(count):
        level = "minor" if i % 2 == 0 else "operational"
        writes.append(write_level(wconn, token, level))
        t_resp = time.monotonic()
        results = {}

        def check(name):
            path, ok = checks[name]
            c = conns[name]
            while time.monotonic() - t_resp < 5:
                c.request("GET", path)
                r = c.getresponse()
                body = r.read().decode("utf-8")
                polls[name] += 1
                if r.status == 200 and ok(body, level):
                    results[name] = (time.monotonic() - t_resp) * 1000
                    return
            results[name] = float("inf")

        threads = [threading.Thread(target=check, args=(k,)) for k in checks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for k, v in results.items():
            delays[k].append(v)
        time.sleep(0.05)
    write_level(wconn, token, "operational")
    worst = max(max(v) for v in delays.values())
    parts = ["writes=%d" % count, "write_p50_ms=%.2f" % pct(writes, 50),
             "write_max_ms=%.2f" % max(writes), "worst_ms=%.2f" % worst]
    for k in checks:
        parts.append("%s_worst_ms=%.2f" % (k, max(delays[k])))
        parts.append("%s_median_ms=%.2f" % (k, statistics.median(delays[k])))
        parts.append("%s_extra_polls=%d" % (k, polls[k] - count))
    print(" ".join(parts))


async def hold_idle(port, count, seconds, ready_file):
    """Opens `count` connections, makes one keep-alive request on each, then holds them
    idle for `seconds` (or until the file `ready_file`.stop appears)."""
    conns = []
    failed = 0
    req = b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n"

    async def one():
        nonlocal failed
        try:
            r, w = await asyncio.open_connection(HOST, port)
            w.write(req)
            await w.drain()
            head = await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), 10)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await asyncio.wait_for(r.readexactly(length), 10)
            if not head.startswith(b"HTTP/1.1 200"):
                failed += 1
            conns.append((r, w))
        except Exception:  # noqa: BLE001 - counted
            failed += 1

    batch = 500
    for i in range(0, count, batch):
        await asyncio.gather(*(one() for _ in range(min(batch, count - i))))
    with open(ready_file, "w") as f:
        f.write("open=%d failed=%d\n" % (len(conns), failed))
    deadline = time.monotonic() + seconds
    import os
    while time.monotonic() < deadline and not os.path.exists(ready_file + ".stop"):
        await asyncio.sleep(0.2)
    # Still open? A closed one reads EOF at once.
    alive = 0
    for r, w in conns:
        if not r.at_eof() and not w.is_closing():
            alive += 1
        w.close()
    print("open=%d failed=%d alive_at_end=%d" % (len(conns), failed, alive))


def main(argv):
    cmd = argv[1]
    if cmd == "writer":
        cmd_writer(int(argv[2]), argv[3], float(argv[4]), argv[5])
    elif cmd == "visible":
        cmd_visible(int(argv[2]), argv[3], int(argv[4]))
    elif cmd == "idle":
        asyncio.run(hold_idle(int(argv[2]), int(argv[3]), float(argv[4]), argv[5]))
    elif cmd == "port":
        s = socket.socket()
        s.bind((HOST, 0))
        print(s.getsockname()[1])
        s.close()
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
