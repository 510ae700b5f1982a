"""Reading a posting list from Xapian shards: a posting iterator against searchapp's read (one match).

    python -m bench.xapian_reading [--postings 100000] [--shards 2]

Starts a real cluster (bench/cluster.py: ``xapian-tcpsrv`` per shard on 127.0.0.1), writes one term in
every document (wdf 1-7), opens the shards as one database, and times reading that term's whole posting
list (docids and wdfs) two ways: Xapian's posting iterator through the Python bindings, and
searchapp's `Snapshot._read` (store/xapian/snapshot.py: one match weighted by the wdf alone). Both must
give the same postings. Also a local database of the same documents. Results:
bench/results/xapian_reading.{json,md}.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from array import array
from pathlib import Path

from bench.cluster import Cluster, available
from bench.common import md_table, now_iso, write_results

TERM = b"Xbody:word"


def _iterated(db) -> tuple[array, array]:
    docs, wdfs = array("i"), array("d")
    for p in db.postlist(TERM):
        docs.append(p.docid - 1)
        wdfs.append(p.wdf)
    return docs, wdfs


def _fill(db, start: int, count: int) -> None:
    import xapian

    for n in range(start, start + count):
        doc = xapian.Document()
        doc.add_term(TERM, 1 + n % 7)
        db.add_document(doc)
    db.commit()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--postings", type=int, default=100_000, help="documents (one posting each)")
    ap.add_argument("--shards", type=int, default=2)
    args = ap.parse_args(argv)
    if (why := available()) is not None:
        print(why, file=sys.stderr)
        return 2
    import xapian

    from searchapp.store.whoosh.schema import build_schema
    from searchapp.store.xapian import parse_address
    from searchapp.store.xapian.snapshot import Snapshot

    rows, runs = [], []
    with tempfile.TemporaryDirectory(prefix="bench-xapian-reading-") as tmp:
        local = xapian.WritableDatabase(str(Path(tmp) / "local"), xapian.DB_CREATE_OR_OVERWRITE)
        _fill(local, 0, args.postings)
        local.close()
        with Cluster(args.shards, Path(tmp) / "cluster") as cluster:
            per_shard = -(-args.postings // args.shards)
            for n, address in enumerate(cluster.addresses):
                db = xapian.remote_open_writable(*parse_address(address))
                _fill(db, n * per_shard, min(per_shard, args.postings - n * per_shard))
                db.close()
            for where in ("local", f"{args.shards} shards"):
                if where == "local":
                    db, addresses = xapian.Database(str(Path(tmp) / "local")), []
                else:
                    db, addresses = xapian.Database(), cluster.addresses
                    for address in addresses:
                        db.add_database(xapian.remote_open(*parse_address(address)))
                snapshot = Snapshot(db, build_schema(), max(1, len(addresses)), addresses)
                started = time.perf_counter()
                docs, wdfs = _iterated(db)
                iterator_s = time.perf_counter() - started
                started = time.perf_counter()
                read_docs, read_wdfs = snapshot._read(TERM)
                read_s = time.perf_counter() - started
                order = sorted(range(len(docs)), key=docs.__getitem__)
                same = (read_docs.tolist() == [docs[i] for i in order]
                        and read_wdfs.tolist() == [wdfs[i] for i in order])
                db.close()
                run = {"where": where, "postings": len(docs), "iterator_s": iterator_s, "match_s": read_s,
                       "iterator_us_per_posting": iterator_s / len(docs) * 1e6,
                       "match_us_per_posting": read_s / len(docs) * 1e6, "same": same}
                runs.append(run)
                rows.append([where, len(docs), iterator_s, read_s, run["iterator_us_per_posting"],
                             run["match_us_per_posting"], "yes" if same else "NO"])
                print(f"{where}: iterator {iterator_s:.2f} s, match {read_s:.2f} s, same {same}", file=sys.stderr)
    md = (f"# Reading a posting list from Xapian ({now_iso()})\n\n"
          f"`python -m bench.xapian_reading --postings {args.postings} --shards {args.shards}`\n\n"
          + md_table(["database", "postings", "posting iterator s", "one match s", "iterator us/posting",
                      "match us/posting", "same postings"], rows, 3))
    write_results("xapian_reading", {"runs": runs, "at": now_iso()}, md)
    print(md)
    return 0 if all(r["same"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
