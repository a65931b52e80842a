#!/usr/bin/env python3
"""Helpers of bench/run (stdlib only, loopback only, every loop bounded in time or count).

  tools.py writer PORT TOKEN SECONDS OUT   an admin write every 100 ms for SECONDS
  tools.py visible PORT TOKEN COUNT        COUNT writes, each checked on page, feed and API
  tools.py idle PORT COUNT SECONDS READY   hold COUNT idle keep-alive connections
  tools.py port                            a free loopback port
  tools.py table RESULTS INFO              the report of bench/run (Markdown)

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


def parse_kv(line):
    out = {}
    for part in line.split():
        if "=" in part:
            k, v = part.split("=", 1)
            out[k] = v
    return out


def fmt_ms(us):
    ms = us / 1000.0
    return "%.2f" % ms if ms < 10 else "%.1f" % ms if ms < 100 else "%.0f" % ms


def fmt_rps(r):
    return "{:,.0f}".format(r)


def cmd_table(results_path, info_path):
    """Prints the report (Markdown); exit 1 when a request failed."""
    info = {}
    for l in open(info_path):
        if "=" in l:
            k, v = l.rstrip("\n").split("=", 1)
            info[k] = v
    runs = [parse_kv(l) for l in open(results_path) if l.strip()]
    failures = []
    for r in runs:
        bad = int(r["status_errors"]) + int(r["connect"]) + int(r["read"]) + int(r["write"])
        if int(r["requests"]) == 0 or bad:
            failures.append("%s %s %s c=%s round %s: %s requests, non-2xx/3xx %s, connect %s, "
                            "read %s, write %s" % (r["server"], r["phase"], r["endpoint"],
                                                   r["conns"], r["round"], r["requests"],
                                                   r["status_errors"], r["connect"], r["read"],
                                                   r["write"]))
        r["rps"] = int(r["requests"]) / (int(r["duration_us"]) / 1e6)
        r["resp"] = int(r["bytes"]) / max(1, int(r["requests"]))
        # CPU time the server spent per request (all its threads or workers), in µs.
        r["cpu"] = (int(r.get("cpu_ticks", 0)) * 1e6 / float(info.get("clk_tck", 100))
                    / max(1, int(r["requests"])))

    def agg(server, phase, endpoint, conns):
        sel = [r for r in runs if r["server"] == server and r["phase"] == phase
               and r["endpoint"] == endpoint and r["conns"] == conns]
        if not sel:
            return None
        med = lambda key: statistics.median(float(x[key]) for x in sel)  # noqa: E731
        return {"rps": med("rps"), "p50": med("p50_us"), "p99": med("p99_us"),
                "resp": med("resp"), "cpu": med("cpu"), "n": len(sel),
                "timeouts": sum(int(x["timeout"]) for x in sel), "runs": sel}

    order = []
    for r in runs:
        key = (r["endpoint"], r["conns"])
        if r["phase"] == "main" and key not in order:
            order.append(key)
    conns_order = sorted({c for _, c in order}, key=int)
    endpoints = []
    for e, _ in order:
        if e not in endpoints:
            endpoints.append(e)

    w = sys.stdout.write
    w("## bench/run (%s mode): %s\n\n" % (info.get("mode"), info.get("date")))
    nginx = ("nginx %s (2 workers, brotli: %s)" % (info["nginx_version"], info.get("nginx_brotli"))
             if "nginx_version" in info else "nginx not run")
    niced = (" under nice -n %s" % info["wrk_nice"]) if info.get("wrk_nice") else ""
    w("Machine: %s. wrk %s%s, -t2, keep-alive, %s s per run, median of %s round(s); %s.\n\n"
      % (info.get("machine"), info.get("wrk_version"), niced, info.get("duration_s"),
         info.get("rounds"), nginx))
    w("| endpoint | conns | body B | Vigie req/s | nginx req/s | Vigie/nginx | Vigie p50 ms "
      "| Vigie p99 ms | nginx p50 ms | nginx p99 ms | CPU µs/req Vigie/nginx | target |\n")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
    targets_met = targets_total = 0
    for c in conns_order:
        for e in endpoints:
            v = agg("vigie", "main", e, c)
            n = agg("nginx", "main", e, c)
            if not v:
                continue
            body = info.get("body_" + e, "?")
            if n:
                ratio = v["rps"] / n["rps"]
                p99x = v["p99"] / max(1.0, n["p99"])
                need = 1.0 if e == "304" else 0.8
                ok = ratio >= need and p99x <= 1.5
                targets_total += 1
                targets_met += ok
                verdict = "met" if ok else "missed (need >=%.1fx, p99 <=1.5x: p99 %.1fx)" % (need, p99x)
                w("| %s | %s | %s | %s | %s | %.2f | %s | %s | %s | %s | %.1f / %.1f | %s |\n"
                  % (e, c, body, fmt_rps(v["rps"]), fmt_rps(n["rps"]), ratio, fmt_ms(v["p50"]),
                     fmt_ms(v["p99"]), fmt_ms(n["p50"]), fmt_ms(n["p99"]), v["cpu"], n["cpu"],
                     verdict))
            else:
                w("| %s | %s | %s | %s | - | - | %s | %s | - | - | %.1f / - | - |\n"
                  % (e, c, body, fmt_rps(v["rps"]), fmt_ms(v["p50"]), fmt_ms(v["p99"]),
                     v["cpu"]))
    w("\n")
    # Response sizes on the wire (headers + body), to see that both send the same.
    sizes = []
    for e in endpoints:
        v = agg("vigie", "main", e, conns_order[0])
        n = agg("nginx", "main", e, conns_order[0])
        sizes.append("%s %.0f/%s" % (e, v["resp"], "%.0f" % n["resp"] if n else "-"))
    w("Bytes per response on the wire, headers included (Vigie/nginx): %s.\n\n" % ", ".join(sizes))

    writes = [(e, c) for e in ("platform", "rss") for c in conns_order
              if agg("vigie", "writes", e, c)]
    if writes:
        w("### Admin write every 100 ms during the load (every write invalidates the cache)\n\n")
        w("| endpoint | conns | Vigie req/s | p50 ms | p99 ms | vs nginx req/s | p99 vs nginx "
          "| writes | write p50 ms | write p99 ms | write max ms | target |\n")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
        for e, c in writes:
            v = agg("vigie", "writes", e, c)
            n = agg("nginx", "main", e, c)
            ws = v["runs"]
            wp50 = statistics.median(float(x["w_p50_ms"]) for x in ws)
            wp99 = statistics.median(float(x["w_p99_ms"]) for x in ws)
            wmax = max(float(x["w_max_ms"]) for x in ws)
            wn = sum(int(x["w_writes"]) for x in ws)
            wfail = sum(int(x["w_failures"]) for x in ws)
            if wfail:
                failures.append("%d admin writes failed during %s c=%s" % (wfail, e, c))
            ratio = v["rps"] / n["rps"] if n else float("nan")
            p99x = v["p99"] / max(1.0, n["p99"]) if n else float("nan")
            ok = n is not None and ratio >= 0.8 and p99x <= 1.5
            if n:
                targets_total += 1
                targets_met += ok
            w("| %s | %s | %s | %s | %s | %.2fx | %.1fx | %d | %.1f | %.1f | %.1f | %s |\n"
              % (e, c, fmt_rps(v["rps"]), fmt_ms(v["p50"]), fmt_ms(v["p99"]), ratio, p99x, wn,
                 wp50, wp99, wmax, "met" if ok else "missed"))
        w("\n")

    w("### Other figures\n\n")
    mb = lambda kb: "%.1f MB" % (int(kb) / 1024.0)  # noqa: E731
    lines = []
    if "idle_rss_kb" in info:
        ok = int(info["idle_rss_kb"]) < 30 * 1024
        lines.append("Idle RSS right after start: %s (target < 30 MB: %s); after warm-up %s"
                     % (mb(info["idle_rss_kb"]), "met" if ok else "missed",
                        mb(info.get("warm_rss_kb", 0))))
    if "peak_rss_kb" in info:
        lines.append("Peak RSS (VmHWM) after the load runs: %s" % mb(info["peak_rss_kb"]))
    if "peak_rss_writes_kb" in info:
        lines.append("Peak RSS after the runs with writes: %s" % mb(info["peak_rss_writes_kb"]))
    for phase in ("idle", "load"):
        k = "visible_%s_worst_ms" % phase
        if k in info:
            worst = float(info[k])
            lines.append(
                "Write -> visible (%s, %s writes; page / feed / API worst %s / %s / %s ms, "
                "medians %s / %s / %s ms; write latency p50 %s ms, max %s ms): worst %.1f ms "
                "(target <= 50 ms: %s)"
                % ("no other load" if phase == "idle" else "50 connections loading the platform page",
                   info.get("visible_%s_writes" % phase),
                   info.get("visible_%s_page_worst_ms" % phase),
                   info.get("visible_%s_feed_worst_ms" % phase),
                   info.get("visible_%s_api_worst_ms" % phase),
                   info.get("visible_%s_page_median_ms" % phase),
                   info.get("visible_%s_feed_median_ms" % phase),
                   info.get("visible_%s_api_median_ms" % phase),
                   info.get("visible_%s_write_p50_ms" % phase),
                   info.get("visible_%s_write_max_ms" % phase),
                   worst, "met" if worst <= 50 else "missed"))
    if "idle10k_rss_kb" in info:
        v = agg("vigie", "idle10k", "platform", "50")
        base = agg("vigie", "before10k", "platform", "50") or agg("vigie", "main", "platform", "50")
        speed = v["rps"] / base["rps"] if base else float("nan")
        ok = int(info["idle10k_rss_kb"]) < 300 * 1024 and speed >= 0.8
        lines.append("%s idle keep-alive connections held: RSS %s (after the load beside them %s); "
                     "meanwhile the platform page at 50 connections: %s req/s, p99 %s ms "
                     "(%.2fx the run just before without them: %s req/s, p99 %s ms) "
                     "(target < 300 MB at full speed: %s) [%s]"
                     % (info.get("idle10k_open"), mb(info["idle10k_rss_kb"]),
                        mb(info.get("idle10k_rss_after_kb", 0)), fmt_rps(v["rps"]),
                        fmt_ms(v["p99"]), speed, fmt_rps(base["rps"]), fmt_ms(base["p99"]),
                        "met" if ok else "missed",
                        info.get("idle10k_result", "")))
    if "final_peak_rss_kb" in info:
        lines.append("Peak RSS (VmHWM) over the whole run: %s" % mb(info["final_peak_rss_kb"]))
    if "loads" in info:
        lines.append("Load average (1 min) during the run: %s (the benchmark alone keeps it near 2-4: wrk's 2 threads and the server's 2; "
                     "clearly more means other work on the machine skewed the figures)"
                     % info["loads"])
    if "slow_writes" in info:
        lines.append("Writes slower than 250 ms (Vigie's log: waiting for the writes before, change + SQLite commit): %s"
                     % (info["slow_writes"] or "none"))
    timeouts = sum(int(r["timeout"]) for r in runs)
    if timeouts:
        lines.append("wrk timeouts (> 10 s, not counted as failures): %d" % timeouts)
    if targets_total:
        lines.append("Throughput/p99 targets met: %d of %d" % (targets_met, targets_total))
    for l in lines:
        w("- %s\n" % l)
    if failures:
        w("\n### FAILED REQUESTS\n\n")
        for f in failures:
            w("- %s\n" % f)
        return 1
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "writer":
        cmd_writer(int(argv[2]), argv[3], float(argv[4]), argv[5])
    elif cmd == "visible":
        cmd_visible(int(argv[2]), argv[3], int(argv[4]))
    elif cmd == "idle":
        asyncio.run(hold_idle(int(argv[2]), int(argv[3]), float(argv[4]), argv[5]))
    elif cmd == "table":
        sys.exit(cmd_table(argv[2], argv[3]))
    elif cmd == "port":
        s = socket.socket()
        s.bind((HOST, 0))
        print(s.getsockname()[1])
        s.close()
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
