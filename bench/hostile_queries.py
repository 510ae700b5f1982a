"""Hostile queries against a running server: what one browser tab can make the server do.

    python -m bench.hostile_queries --index bench/work/reuters/searchapp
    python -m bench.hostile_queries --index DIR --rounds 3
    python -m bench.hostile_queries --index DIR --export-rows 20000   # at 1M: the first 20,000 rows of each export

Starts `searchapp serve` on a free loopback port (bench/web.py's `Server`) and sends, one at a time,
the typical queries and the hostile ones (unknown words, many fuzzy words and wildcards, the longest
query allowed, long ``q`` on the article and speaker pages, name suggestions, exports of everything),
each ``--rounds`` times. For each: the status, the server's own time (its ``Server-Timing: app``
header, the request inside the app) and the wall time on the loopback (for exports, which stream
after the header is sent, the time to the last byte). Everything generated here; nothing copied.

The figure of merit is the slowest hostile request beside the typical one, in the same run.
Results: bench/results/hostile_queries.json and hostile_queries.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

from bench.common import fmt, log, machine, md_table, now_iso, run_header, write_results
from bench.web import HOST, Server, server_ms


def _nonsense(n: int, seed: int = 7) -> list[str]:
    """Words that are in no dictionary: consonant runs no language writes."""
    rng = random.Random(seed)
    return ["".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(rng.randint(5, 9))) for _ in range(n)]


def _cases(article_id: str, speaker: str) -> list[tuple[str, str, str]]:
    """(kind, label, path)."""
    nonsense = _nonsense(200)
    common = ("oil prices trade bank dollar market shares profit exports coffee wheat gold tonnes rate "
              "government company year net loss sales billion").split()
    fuzzy6 = " ".join(w + "~2" for w in common[:6])
    wild6 = " ".join(f"*{c}*" for c in "aeiout")
    long_q = " ".join(common[i % len(common)] for i in range(64))  # the most words a query may have
    typo = "".join(nonsense[:1])
    q = lambda s: quote(s, safe="")  # noqa: E731
    return [
        ("typical", "api: oil prices", "/api/search?q=oil+prices"),
        ("typical", "page: coffee", "/search?q=coffee"),
        ("typical", "api: place filter", "/api/search?q=trade&f.places=Japan"),
        ("hostile", "unknown word", f"/api/search?q={q(typo)}"),
        ("hostile", "two unknown words", f"/api/search?q={q(' '.join(nonsense[:2]))}"),
        ("hostile", "64 unknown words", f"/api/search?q={q(' '.join(nonsense[:64]))}"),
        ("hostile", "200 unknown words (refused)", f"/api/search?q={q(' '.join(nonsense[:200])[:1000])}"),
        ("hostile", "a fuzzy word", "/api/search?q=opec~"),
        ("hostile", "six fuzzy words, 2 edits", f"/api/search?q={q(fuzzy6)}"),
        ("hostile", "six infix wildcards", f"/api/search?q={q(wild6)}"),
        ("hostile", "six unknown infix wildcards", f"/api/search?q={q(' '.join('*' + w + '*' for w in nonsense[:6]))}"),
        ("hostile", "64 common words", f"/api/search?q={q(long_q)}"),
        ("hostile", "64 common words as OR", f"/api/search?q={q(' OR '.join(long_q.split()[:40]))}"),
        ("hostile", "proximity phrase", f"/api/search?q={q(chr(34) + 'oil prices' + chr(34) + '~5')}"),
        ("hostile", "misspelt words (Did you mean)", f"/api/search?q={q('cofee prises brazl')}"),
        ("hostile", "page: six fuzzy words", f"/search?q={q(fuzzy6)}"),
        ("hostile", "article page, long q", f"/article/{q(article_id)}?q={q((fuzzy6 + ' ' + wild6 + ' ' + long_q)[:1000])}"),
        ("hostile", "speaker page, long q", f"/speaker/{q(speaker)}?q={q((wild6 + ' ' + fuzzy6)[:1000])}"),
        ("hostile", "speaker page, 64 words", f"/speaker/{q(speaker)}?q={q(long_q)}"),
        ("hostile", "suggest: two letters", "/api/suggest?prefix=ma"),
        ("export", "export: everything", "/api/export.csv?q=*"),
        ("export", "export: six wildcards", f"/api/export.csv?q={q(wild6)}"),
        ("export", "export: quotes of everything", "/api/export.csv?q=*&rows=quotes"),
        ("hostile", "page 1000 of everything", "/api/search?q=*&page=1000&limit=100"),
    ]


def fetch(port: int, path: str, max_lines: int | None = None) -> tuple[int, float | None, float, int, float, int]:
    """(status, server ms, wall ms to the last byte, bytes, wall ms to the first byte of the body, lines);
    with ``max_lines``, the connection is closed once that many lines came (a client that stops reading)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    try:
        start = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        size = lines = 0
        first = None
        while chunk := resp.read1(1 << 16):
            first = first if first is not None else (time.perf_counter() - start) * 1000
            size += len(chunk)
            lines += chunk.count(b"\n")
            if max_lines is not None and lines >= max_lines:
                break
        wall = (time.perf_counter() - start) * 1000
        return resp.status, server_ms(resp.getheader("Server-Timing") or ""), wall, size, first or wall, lines
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True, help="a searchapp index folder (Reuters)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--export-rows", type=int, default=None,
                    help="read only this many rows of each export (default: all; an export of 1M rows takes minutes)")
    args = ap.parse_args(argv)
    with Server(args.index) as server:
        server.wait_ready()
        found = json.loads(_get(server.port, "/api/search?q=said&limit=1"))["hits"][0]["id"]
        speakers = json.loads(_get(server.port, "/api/search?q=*&limit=1"))["facets"].get("speakers") or [{"value": "x"}]
        cases = _cases(found, speakers[0]["value"])
        limit = {"export": args.export_rows + 1 if args.export_rows else None}  # the header line too
        for kind, _, path in cases:  # once, untimed: the file cache
            fetch(server.port, path, limit.get(kind))
        runs: dict[str, list[tuple[int, float | None, float, int]]] = {label: [] for _, label, _ in cases}
        for r in range(args.rounds):
            for kind, label, path in cases:
                runs[label].append(fetch(server.port, path, limit.get(kind)))
            log(f"round {r + 1}/{args.rounds}")
    rows, exports, summary = [], [], {"typical": 0.0, "hostile": 0.0}
    for kind, label, path in cases:
        statuses = "/".join(map(str, sorted({r[0] for r in runs[label]})))
        app = [r[1] for r in runs[label] if r[1] is not None]
        wall_ms = statistics.median(r[2] for r in runs[label])
        worst = max(r[2] for r in runs[label])
        if kind == "export":  # streams: its cost is its rows; the first rows come at once
            n = statistics.median(r[5] for r in runs[label]) - 1
            exports.append((label, statuses, n, statistics.median(r[4] for r in runs[label]), wall_ms,
                            n / (wall_ms / 1000) if wall_ms else None))
            continue
        summary[kind] = max(summary[kind], worst)
        rows.append((kind, label, statuses, statistics.median(app) if app else None, wall_ms, worst,
                     statistics.median(r[3] for r in runs[label])))
    meta = {**machine(), "index": str(args.index), "rounds": args.rounds, "export_rows": args.export_rows,
            "finished": now_iso()}
    markdown = (run_header("Hostile queries against `searchapp serve`", meta) + "\n"
                + md_table(["kind", "request", "status", "server ms (median)", "wall ms (median)", "wall ms (worst)",
                            "bytes"], rows, digits=1)
                + f"\n\nSlowest typical request: {fmt(summary['typical'], 1)} ms; slowest hostile request: "
                  f"{fmt(summary['hostile'], 1)} ms (wall, to the last byte).\n\n"
                + "Exports stream: what they cost grows with their rows"
                + (f" (the first {args.export_rows:,} rows of each read)" if args.export_rows else "") + ".\n\n"
                + md_table(["export", "status", "rows", "first byte ms", "last byte ms", "rows/s"], exports, digits=1)
                + "\n")
    write_results("hostile_queries", {**meta, "cases": [(k, lbl, p) for k, lbl, p in cases], "runs": runs,
                                      "slowest": summary}, markdown)
    print(markdown)
    return 0


def _get(port: int, path: str) -> bytes:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        conn.request("GET", path)
        return conn.getresponse().read()
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
