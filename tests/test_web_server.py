"""`searchapp serve` as users run it (a real process on a loopback port): a stream of hostile requests
does not stop it answering ordinary ones."""
from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import quote

from bench.hostile_queries import _nonsense


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _hostile_paths() -> list[str]:
    words = _nonsense(64)
    q = lambda s: quote(s, safe="")  # noqa: E731
    return [
        "/api/search?q=" + q(" ".join(f"*{c}*" for c in "aeiout")),
        "/api/search?q=" + q(" ".join(words)),
        "/api/search?q=" + q(" ".join(w + "~2" for w in ("oil", "prices", "trade", "bank", "dollar", "market"))),
        "/search?q=" + q(" ".join(words[:20])),
        "/api/export.csv?q=*",
        "/api/search?q=*&page=1000&limit=100",
        "/api/suggest?prefix=ma",
    ]


def test_ordinary_searches_are_answered_under_a_stream_of_hostile_ones(reuters_index, tmp_path):
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "searchapp", "serve", "--port", str(port), "--threads", "4",
                               "--index", str(reuters_index.root)], stdout=log, stderr=subprocess.STDOUT)
    stop = threading.Event()
    hostile: list[int] = []
    try:
        for _ in range(600):  # up to a minute to start (it loads the tables first)
            try:
                if _get(port, "/api/search?q=oil&limit=1")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("searchapp serve did not start: " + (tmp_path / "serve.log").read_text()[-2000:])

        def attacker(offset: int) -> None:
            paths = _hostile_paths()
            n = offset
            while not stop.is_set():
                hostile.append(_get(port, paths[n % len(paths)])[0])
                n += 1

        attackers = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(3)]
        for t in attackers:
            t.start()
        answers = []
        for word in ("coffee", "oil prices", "trade deficit", "wheat", "gold", "dollar", "sugar", "interest rates"):
            status, body = _get(port, "/api/search?q=" + quote(word) + "&limit=3")
            answers.append((status, json.loads(body)["total"] if status == 200 else body[:200]))
        stop.set()
        for t in attackers:
            t.join(120)
    finally:
        stop.set()
        server.terminate()
        server.wait(30)
        log.close()
    assert all(status == 200 and total > 0 for status, total in answers), answers
    assert hostile and set(hostile) <= {200, 503}, sorted(set(hostile))  # never an error but "busy, retry"
