"""Write the benchmark corpora as JSONL into the work folder (never into the repo).

    python -m bench.corpus reuters        # the shared Reuters-21578 .sgm files, read with searchapp's reader
    python -m bench.corpus time           # the TIME collection (ranking quality)
    python -m bench.corpus 100k 1m        # synthetic news (bench/synth.py)

Every engine indexes the same JSONL: one object per line with searchapp's Article fields (id, title,
body, published, dateline, publisher, ...). Reuters is read once, with
`searchapp.readers.dispatch.read_paths`, and written without the hand-assigned gold codes.
A corpus folder is complete when its ``DONE`` file exists (it holds the article count).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
from pathlib import Path

from bench.common import REUTERS_DIR, TIME_DIR, BenchError, corpus_dir, log, parse_size


def _finish(folder: Path, tmp: Path, info: dict) -> None:
    (tmp / "DONE").write_text(json.dumps(info, indent=2) + "\n")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)


def reuters_files() -> list[Path]:
    files = sorted(REUTERS_DIR.glob("reut2-*.sgm"))
    if not files:
        raise BenchError(f"no Reuters-21578 files in {REUTERS_DIR} (the shared data lives in ../shared/data)")
    return files


def make_reuters(folder: Path) -> dict:
    from searchapp.readers import Skipped
    from searchapp.readers.dispatch import read_paths

    files = reuters_files()
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    n = skipped = 0
    with open(tmp / "reuters.jsonl", "w", encoding="utf-8") as out:
        for item in read_paths(files):
            if isinstance(item, Skipped):
                skipped += 1
                continue
            out.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")
            n += 1
    info = {"corpus": "reuters", "articles": n, "skipped_by_reader": skipped,
            "source": [f.name for f in files]}
    _finish(folder, tmp, info)
    return info


# "*TEXT 017 01/04/63 PAGE 020"; one header in the file reads "08/30 63", so any separator before the year.
_TIME_HEADER = re.compile(r"^\*TEXT\s+(\d+)\b(?:\s+(\d\d)/(\d\d)\D{1,3}(\d\d))?")


def parse_time_collection(path: Path) -> list[dict]:
    """TIME.ALL -> [{"id": "time-17", "docno": "17", "published": ..., "body": ...}] (docno as in qrels)."""
    docs: list[dict] = []
    current: dict | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None:
            current["body"] = " ".join(" ".join(lines).split())
            docs.append(current)

    with open(path, encoding="latin-1") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("*STOP"):
                break
            m = _TIME_HEADER.match(line)
            if m:
                flush()
                num, mm, dd, yy = m.groups()
                docno = str(int(num))
                current = {"id": f"time-{docno}", "docno": docno, "title": "", "publisher": "TIME",
                           "published": dt.datetime(1900 + int(yy), int(mm), int(dd)).isoformat() if yy else None}
                lines = []
            elif current is not None and line.strip():
                lines.append(line.strip())
    flush()
    return docs


def make_time(folder: Path) -> dict:
    source = TIME_DIR / "TIME.ALL"
    if not source.exists():
        raise BenchError(f"no TIME collection at {TIME_DIR} (the shared data lives in ../shared/data)")
    docs = parse_time_collection(source)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with open(tmp / "time.jsonl", "w", encoding="utf-8") as out:
        for d in docs:
            out.write(json.dumps({k: v for k, v in d.items() if k != "docno"}) + "\n")
    info = {"corpus": "time", "articles": len(docs)}
    _finish(folder, tmp, info)
    return info


def make(name: str) -> dict:
    folder = corpus_dir(name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    log(f"corpus {name}: writing {folder}")
    if name == "reuters":
        info = make_reuters(folder)
    elif name == "time":
        info = make_time(folder)
    elif (n := parse_size(name)) is not None:
        from bench import synth

        info = synth.make_corpus(n, folder)
    else:
        raise BenchError(f"unknown corpus {name!r}: reuters, time, or a size like 100k")
    log(f"corpus {name}: {info['articles']:,} articles")
    return info


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="+", help="reuters, time, or synthetic sizes like 100k 1m")
    ap.add_argument("--force", action="store_true", help="regenerate even if the corpus exists")
    args = ap.parse_args(argv)
    for name in args.names:
        if args.force or not (corpus_dir(name) / "DONE").exists():
            make(name)
        else:
            log(f"corpus {name}: already in {corpus_dir(name)}")


if __name__ == "__main__":
    main()
