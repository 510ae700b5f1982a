"""What a hit's stored document costs to read, by how its highlighting offsets are kept: a `Spans` per
term (searchapp before 2026-12-07) against three strings a field (`TermSpans`, store/whoosh/schema.py).

    python -m bench.stored_offsets --index bench/work/indexes/synth-100k/searchapp-noenrich [--docs 2000]

Takes ``--docs`` random articles of an index, keeps each stored document both ways (pickled at
protocol 2 and compressed by zlib, as Whoosh stores it), and times reading each back and looking up
two of its words (what a hit's snippet does), best of 3 rounds. Both ways must give the same spans.
Results: bench/results/stored_offsets.{json,md}.
"""
from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
import zlib

from bench.common import md_table, now_iso, write_results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", required=True, help="a searchapp index folder")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    from searchapp.store import IndexStore
    from searchapp.store.whoosh.schema import Spans, TermSpans

    with IndexStore(args.index).searcher() as s:
        articles = s.docnums("kind", "article")
        picked = random.Random(1).sample(articles, min(args.docs, len(articles)))
        stored = [s.stored(d) for d in picked]
    ways: dict[str, list[bytes]] = {"a Spans per term": [], "TermSpans (three strings a field)": []}
    probes = []
    for doc in stored:
        offsets = doc.get("offsets") or {}
        as_dicts = {f: {t: Spans("I", v) for t, v in spans.items()} for f, spans in offsets.items()}
        as_terms = {f: TermSpans.of(spans) for f, spans in as_dicts.items()}
        for name, form in zip(ways, (as_dicts, as_terms)):
            ways[name].append(zlib.compress(pickle.dumps({**doc, "offsets": form}, 2)))
        words = sorted((as_dicts.get("body") or {"": ()}).items(), key=lambda kv: -len(kv[1]))[:2]
        probes.append([w for w, _ in words])
    rows, out = [], {}
    for name, blobs in ways.items():
        best = float("inf")
        for _ in range(args.rounds):
            started = time.perf_counter()
            found = []
            for blob, words in zip(blobs, probes):
                body = pickle.loads(zlib.decompress(blob))["offsets"].get("body") or {}
                found.append([list(body.get(w) or ()) for w in words])
            best = min(best, time.perf_counter() - started)
        out[name] = {"us_per_doc": best / len(blobs) * 1e6, "bytes": sum(map(len, blobs)) / len(blobs), "found": found}
        rows.append([name, out[name]["us_per_doc"], out[name]["bytes"]])
    names = list(ways)
    same = out[names[0]]["found"] == out[names[1]]["found"]
    md = (f"# A hit's stored document, by its offsets' form ({now_iso()})\n\n"
          f"`python -m bench.stored_offsets --index {args.index} --docs {args.docs}`: {len(stored)} articles, "
          f"read back and two words looked up, best of {args.rounds}; same spans: {'yes' if same else 'NO'}\n\n"
          + md_table(["offsets kept as", "us per document", "bytes stored (zlib)"], rows, 1))
    write_results("stored_offsets", {k: {kk: vv for kk, vv in v.items() if kk != "found"} for k, v in out.items()}
                  | {"same": same, "at": now_iso(), "docs": len(stored)}, md)
    print(md)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
