"""Load test: many concurrent clients on /api/search while `searchapp index add` changes the index.

    python bench/load.py --index /tmp/reuters-index --clients 50 --seconds 60

Starts `searchapp serve` on a free loopback port, builds an index first if --index does not hold one
(from --corpus, default the shared Reuters files), then runs --clients threads that each send search
requests back to back for --seconds, while a second process adds --add-articles new articles to the
index (repeatedly, with fresh ids, until the time is up). Every request must answer 200 with valid JSON:
the run fails (exit code 1) on any error. Only 127.0.0.1 is ever contacted; the loop is bounded in time.

Writes bench/results/load.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
QUERIES = ["oil prices", "coffee", "trade deficit", "interest rates", "bank", "gold OR silver", "wheat exports",
           '"stock split"', "Japan", "dollar", "opec output", "crude", "place:Brazil", "date:1987-03 shares",
           "profit", "merger", "tonnes", "federal reserve", "takeover bid", "sugar"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not start on port {port}")


def client(port: int, stop: threading.Event, latencies: list, errors: list, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        q = rng.choice(QUERIES)
        path = "/api/search?" + urllib.parse.urlencode({"q": q, "page": rng.randint(1, 3)})
        t = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            if resp.status != 200:
                errors.append(f"{resp.status} for {path}: {body[:200]!r}")
            else:
                json.loads(body)
            latencies.append(time.perf_counter() - t)
        except Exception as e:  # a dropped connection is an error too
            errors.append(f"{type(e).__name__}: {e} for {path}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def adder(index: Path, workdir: Path, n: int, stop: threading.Event, runs: list, errors: list) -> None:
    round_ = 0
    while not stop.is_set():
        feed = workdir / f"add-{round_}.jsonl"
        with open(feed, "w") as f:
            for i in range(n):
                f.write(json.dumps({"id": f"load-{round_}-{i}", "title": f"Load test story {i}",
                                    "body": f"Coffee and oil prices moved in round {round_}, traders said. " * 5}) + "\n")
        t = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "searchapp", "index", "add", str(feed), "--index", str(index)],
                              capture_output=True, text=True)
        runs.append({"round": round_, "seconds": round(time.monotonic() - t, 2), "exit": proc.returncode})
        if proc.returncode != 0:
            errors.append(f"index add exited {proc.returncode}: {proc.stderr[-500:]}")
        round_ += 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=Path(tempfile.gettempdir()) / "searchapp-load-index")
    ap.add_argument("--corpus", nargs="*", default=[str(ROOT.parent / "shared" / "data" / "reuters21578")])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--add-articles", type=int, default=500)
    args = ap.parse_args()
    if args.seconds > 600 or args.clients > 500:
        ap.error("bounded: at most 600 seconds and 500 clients")

    from searchapp.store import IndexStore

    if not IndexStore(args.index).exists():
        print(f"building {args.index} from {' '.join(args.corpus)} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "searchapp", "index", "build", *args.corpus, "--index", str(args.index)],
                       check=False)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "searchapp", "serve", "--port", str(port), "--index",
                               str(args.index), "--threads", "16"], stderr=subprocess.DEVNULL)
    try:
        wait_for(port)
        stop = threading.Event()
        latencies: list[float] = []
        errors: list[str] = []
        add_runs: list[dict] = []
        with tempfile.TemporaryDirectory() as work:
            threads = [threading.Thread(target=client, args=(port, stop, latencies, errors, i))
                       for i in range(args.clients)]
            threads.append(threading.Thread(target=adder, args=(args.index, Path(work), args.add_articles, stop,
                                                                add_runs, errors)))
            started = time.monotonic()
            for t in threads:
                t.start()
            time.sleep(args.seconds)
            stop.set()
            for t in threads:
                t.join(timeout=120)
            elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    lat = sorted(latencies)
    result = {
        "clients": args.clients, "seconds": round(elapsed, 1), "requests": len(lat), "errors": len(errors),
        "requests_per_second": round(len(lat) / elapsed, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p95_ms": round(lat[int(len(lat) * 0.95) - 1] * 1000, 1) if lat else None,
        "index_add_runs": add_runs, "first_errors": errors[:10],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(result, indent=2))
    print("| clients | seconds | requests | req/s | p50 ms | p95 ms | errors | index adds during the run |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {result['clients']} | {result['seconds']} | {result['requests']:,} | {result['requests_per_second']} "
          f"| {result['p50_ms']} | {result['p95_ms']} | {result['errors']} | {len(add_runs)} |")
    for e in errors[:10]:
        print("error:", e, file=sys.stderr)
    return 1 if errors or not lat else 0


if __name__ == "__main__":
    sys.exit(main())
