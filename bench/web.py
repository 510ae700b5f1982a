"""Web benchmark: `searchapp serve` under concurrent load on loopback, and "page vs bare search".

    python -m bench.web                                   # Reuters index, 16 clients, 20 s per endpoint
    python -m bench.web --clients 32 --duration 30
    python -m bench.web --api-only                        # only /api/search (e.g. while the pages change)

1. Starts ``python -m searchapp serve --host 127.0.0.1 --port <free port> --index <the Reuters searchapp
   index>`` as a subprocess (its log goes to bench/work/web-server.log) and waits until it answers.
2. Warm-up: every query of bench/queries.txt once on each endpoint.
3. Sequential (one client): each query, in a shuffled order per round, as ``/search?q=`` (the whole page:
   query, snippets, facets, histogram, rendering), ``/api/search?q=`` (the same as JSON) and, in this
   process, a bare library call ``Searcher.search(q, facets=False, snippets=False)`` (top 10, no snippets
   or facets) on the same index. Per-query median over the rounds; "page vs bare" is
   p50(page) / p50(bare) (target: at most 2x).
4. Load: ``--clients`` threads, each with its own keep-alive ``http.client`` connection, cycling through
   the queries from different starting points for ``--duration`` seconds (and at most
   ``--max-requests`` requests) per endpoint: requests/s, p50/p95 latency and errors (anything but
   HTTP 200, or a failed connection; zero expected).

The load generator runs on the same 2 cores as the server (and other people's work), so requests/s is
a floor. Only 127.0.0.1 is used. Results: bench/results/web.json and web.md.
"""
from __future__ import annotations

import argparse
import http.client
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.common import (QUERIES_FILE, ROOT, WORK, fmt, log, machine, md_table, now_iso, percentile, ratio,
                          run_header, write_results)
from bench.engines import load_queries
from bench.index import ensure_indexes, index_dir

HOST = "127.0.0.1"
ENDPOINTS = {"page": "/search?q=", "api": "/api/search?q="}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """`searchapp serve` in a subprocess, stopped (by its own pid) on exit."""

    def __init__(self, index: Path, threads: int | None = None):
        self.port = free_port()
        self.log_path = WORK / "web-server.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "searchapp", "serve", "--host", HOST, "--port", str(self.port),
               "--index", str(index)]
        if threads:
            cmd += ["--threads", str(threads)]
        self.cmd = cmd
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"`searchapp serve` exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                status, _, _ = request(self.port, ENDPOINTS["api"] + "oil")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"`searchapp serve` did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def request(port: int, path: str, conn: http.client.HTTPConnection | None = None
            ) -> tuple[int, int, tuple[float, float | None] | None]:
    """GET ``path``: (status, body bytes, (the app's own time, the search's share) in ms from the
    Server-Timing header).
    Uses ``conn`` (keep-alive) if given, else a new connection."""
    own = conn is None
    c = conn or http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        c.request("GET", path)
        resp = c.getresponse()
        body = resp.read()
        timing = resp.getheader("Server-Timing") or ""
        app_ms, search_ms = server_ms(timing), server_ms(timing, "search")
        return resp.status, len(body), (app_ms, search_ms) if app_ms is not None else None
    finally:
        if own:
            c.close()


def server_ms(header: str, metric: str = "app") -> float | None:
    """``app;dur=4.21, search;dur=2.10`` -> 4.21 for "app" (the time the request took inside the app:
    search and rendering), 2.10 for "search" (the library search within it)."""
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name == metric and params.startswith("dur="):
            return float(params[4:])
    return None


def _paths(queries: list[str], endpoint: str) -> list[str]:
    return [ENDPOINTS[endpoint] + quote(q, safe="") for q in queries]


# -- sequential: page vs api vs bare library call --------------------------------------------------------

def sequential(port: int, queries: list[str], index: Path, rounds: int) -> dict[str, Any]:
    from searchapp.search import Searcher
    from searchapp.store import IndexStore

    searcher = Searcher(IndexStore(index))
    for q in queries:  # warm the in-process store like the server's
        searcher.search(q, facets=False, snippets=False)
    samples: dict[str, dict[int, list[float]]] = {k: {} for k in ("page", "api", "bare", "page_app", "api_app",
                                                                      "page_search", "page_rest")}
    statuses: dict[str, dict[int, int]] = {"page": {}, "api": {}}
    pages, apis = _paths(queries, "page"), _paths(queries, "api")
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    order = list(range(len(queries)))
    for r in range(rounds):
        random.Random(100 + r).shuffle(order)
        for i in order:
            for kind in ("page", "api", "bare"):
                t0 = time.perf_counter()
                if kind == "bare":
                    searcher.search(queries[i], facets=False, snippets=False)
                else:
                    status, _, timing = request(port, (pages if kind == "page" else apis)[i], conn)
                    statuses[kind][status] = statuses[kind].get(status, 0) + 1
                    if timing is not None:
                        samples[kind + "_app"].setdefault(i, []).append(timing[0])
                        if kind == "page" and timing[1] is not None:
                            samples["page_search"].setdefault(i, []).append(timing[1])
                            samples["page_rest"].setdefault(i, []).append(timing[0] - timing[1])
                samples[kind].setdefault(i, []).append((time.perf_counter() - t0) * 1000)
    conn.close()
    out: dict[str, Any] = {}
    if not samples["page_app"] or not samples["api_app"]:
        raise RuntimeError("the server sent no Server-Timing header (app;dur=...): is it an older searchapp?")
    for kind, per_query in samples.items():
        med = [statistics.median(v) for v in per_query.values()]
        out[kind] = {"n": len(med), "p50_ms": round(percentile(med, 50), 3), "p95_ms": round(percentile(med, 95), 3),
                     "mean_ms": round(statistics.fmean(med), 3)}
    out["statuses"] = {k: {str(s): n for s, n in v.items()} for k, v in statuses.items()}
    # The target compares costs: the page's own time in the server (query, snippets, facets, histogram,
    # rendering) against the bare library call; the round trip adds loopback HTTP, which a library
    # call does not pay, and is reported beside it.
    out["page_vs_bare_p50"] = round(ratio(out["page_app"]["p50_ms"], out["bare"]["p50_ms"]), 2)
    out["api_vs_bare_p50"] = round(ratio(out["api_app"]["p50_ms"], out["bare"]["p50_ms"]), 2)
    out["page_round_trip_vs_bare_p50"] = round(ratio(out["page"]["p50_ms"], out["bare"]["p50_ms"]), 2)
    return out


# -- load --------------------------------------------------------------------------------------------------

def load(port: int, paths: list[str], clients: int, duration: float, max_requests: int) -> dict[str, Any]:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]
    issued = [0]
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration

    def client(k: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        i = k * len(paths) // clients
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    break
                issued[0] += 1
            path = paths[i % len(paths)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, _, _ = request(port, path, conn)
            except (OSError, http.client.HTTPException) as e:
                errors[k].append(f"{type(e).__name__}: {e}")
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                continue
            ms = (time.perf_counter() - t0) * 1000
            if status == 200:
                latencies[k].append(ms)
            else:
                errors[k].append(f"HTTP {status}")
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 120)
    elapsed = time.perf_counter() - start
    lat = [x for xs in latencies for x in xs]
    errs = [x for xs in errors for x in xs]
    return {"clients": clients, "seconds": round(elapsed, 2), "ok": len(lat), "errors": len(errs),
            "error_samples": sorted(set(errs))[:10], "requests_per_s": round(len(lat) / elapsed, 1),
            "p50_ms": round(percentile(lat, 50), 2), "p95_ms": round(percentile(lat, 95), 2),
            "max_ms": round(max(lat), 2) if lat else None}


# -- the run ------------------------------------------------------------------------------------------------

def run(args) -> dict[str, Any]:
    ensure_indexes(args.corpus, ["searchapp"])
    index = index_dir(args.corpus, "searchapp")
    queries = [q.text for q in load_queries(Path(args.queries))]
    endpoints = ["api"] if args.api_only else ["page", "api"]
    out: dict[str, Any] = {"corpus": args.corpus, "queries": len(queries), "endpoints": endpoints}
    with Server(index, args.threads) as server:
        log(f"web: {' '.join(server.cmd[1:])}")
        server.wait_ready()
        out["server_threads"] = args.threads or 8
        log("web: warm-up")
        for endpoint in endpoints:
            for path in _paths(queries, endpoint):
                request(server.port, path)
        if not args.api_only:
            log(f"web: sequential, {args.rounds} rounds")
            out["sequential"] = sequential(server.port, queries, index, args.rounds)
        out["load"] = {}
        for endpoint in endpoints:
            log(f"web: {endpoint}, {args.clients} clients for {args.duration:.0f} s")
            out["load"][endpoint] = load(server.port, _paths(queries, endpoint), args.clients, args.duration,
                                         args.max_requests)
        if server.proc.poll() is not None:
            raise RuntimeError(f"the server died during the benchmark:\n{server.tail()}")
    return out


def markdown(res: dict[str, Any], meta: dict[str, Any]) -> str:
    parts = [run_header(f"Web: `searchapp serve` on loopback ({res['corpus']} index, "
                        f"{res['server_threads']} server threads)", meta)]
    rows = []
    for endpoint, lr in res["load"].items():
        rows.append([f"`{ENDPOINTS[endpoint]}…`", lr["clients"], lr["seconds"], lr["requests_per_s"], lr["p50_ms"],
                     lr["p95_ms"], lr["max_ms"], lr["ok"], lr["errors"]])
    parts.append(md_table(["endpoint", "concurrent clients", "s", "requests/s", "p50 ms", "p95 ms", "max ms",
                           "requests", "errors"], rows))
    seq = res.get("sequential")
    if seq:
        parts.append(f"\nOne client at a time, {res['queries']} queries (per-query median over the rounds):\n")
        rows = [[label, seq[key]["p50_ms"], seq[key]["p95_ms"], seq[key]["mean_ms"]] for label, key in (
            ("`/search?q=` page (snippets, facets, histogram, rendering): time in the app", "page_app"),
            ("… of which the search (query, snippets, facets, histogram)", "page_search"),
            ("… of which the rest (views, rendering, Flask)", "page_rest"),
            ("`/api/search?q=` JSON: time in the app", "api_app"),
            ("bare `Searcher.search(q, facets=False, snippets=False)` in-process", "bare"),
            ("`/search?q=` page: HTTP round trip on loopback", "page"),
            ("`/api/search?q=` JSON: HTTP round trip on loopback", "api"),
        )]
        parts.append(md_table(["request", "p50 ms", "p95 ms", "mean ms"], rows))
        x = seq["page_vs_bare_p50"]
        parts.append(f"\nTarget *page vs bare search at the median at most 2x* (the page's time in the app, from "
                     f"its `Server-Timing` header): {fmt(x)}x → **{'met' if x <= 2 else 'not met'}**. "
                     f"API vs bare: {fmt(seq['api_vs_bare_p50'])}x. With the loopback round trip, which a "
                     f"library call does not pay: page {fmt(seq['page_round_trip_vs_bare_p50'])}x. "
                     f"HTTP statuses: {seq['statuses']}.")
    errs = [lr for lr in res["load"].values() if lr["errors"]]
    if errs:
        parts.append("\nErrors: " + "; ".join(", ".join(lr["error_samples"]) for lr in errs))
    parts.append("\nThe load generator shares the machine's 2 cores with the server (and other work): "
                 "requests/s is a floor.")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="reuters")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of load per endpoint (default 20)")
    ap.add_argument("--max-requests", type=int, default=50_000, help="cap on requests per endpoint")
    ap.add_argument("--rounds", type=int, default=2, help="sequential rounds (default 2)")
    ap.add_argument("--threads", type=int, default=None, help="server threads (default: searchapp serve's)")
    ap.add_argument("--api-only", action="store_true", help="only /api/search (no page, no page-vs-bare)")
    ap.add_argument("--queries", default=str(QUERIES_FILE))
    args = ap.parse_args(argv)
    meta = {**machine(), "started": now_iso()}
    res = run(args)
    meta["finished"] = now_iso()
    paths = write_results("web", {"meta": meta, **res}, markdown(res, meta))
    print(paths[1].read_text())


if __name__ == "__main__":
    main()
