"""Can you count with the names? The archive's identities on the shared Reuters files.

    python -m bench.identities                       # builds an enriched Reuters index in bench/work
    python -m bench.identities --index /tmp/ix       # or measures an index you built
    python -m bench.identities --index /tmp/polnear-ix --labels bench/labels/polnear_people.tsv --groups none
                                                     # held out: PolNeAR texts, never read to write rules

Two measures, both against hand-written files in bench/labels/ (labels, never rules):

* **Precision of the 100 people identities on most articles** (`searchapp entities --type person
  --limit 100`), each labelled person / not a person in ``reuters_people.tsv``. Names without a label
  are listed and count as unknown: label them by reading the articles, then run again.
* **Alias groups** (``reuters_alias_groups.txt``): every name of a group must answer its field query
  (``person:"Reagan"``) with the same articles, more than none, and the facet of those results must
  show the group as one value.

Results: bench/results/identities.json and identities.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.common import BENCH, REUTERS_DIR, WORK, log, machine, md_table, now_iso, run_header, write_results

LABELS = BENCH / "labels" / "reuters_people.tsv"
GROUPS = BENCH / "labels" / "reuters_alias_groups.txt"
FIELDS = {"person": ("person", "people"), "place": ("place", "places"), "org": ("org", "orgs")}


def read_labels(path: Path = LABELS) -> dict[str, bool]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, name = line.split("\t", 1)
            out[name.strip()] = label.strip() == "1"
    return out


def read_groups(path: Path = GROUPS) -> list[tuple[str, list[str]]]:
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            type_, names = line.split(":", 1)
            groups.append((type_.strip(), [n.strip() for n in names.split("|") if n.strip()]))
    return groups


def people_precision(searcher, labels: dict[str, bool], top: int = 100) -> dict:
    rows = searcher.entities("person", limit=top)
    judged = [(r["name"], r["articles"], labels.get(r["name"])) for r in rows]
    known = [j for j in judged if j[2] is not None]
    right = sum(1 for j in known if j[2])
    return {"top": len(rows), "labelled": len(known), "persons": right,
            "precision": round(right / len(known), 3) if known else None,
            "not_people": [n for n, _, ok in judged if ok is False],
            "unlabelled": [n for n, _, ok in judged if ok is None]}


def check_groups(searcher, groups) -> list[dict]:
    out = []
    for type_, names in groups:
        field, facet = FIELDS[type_]
        totals, values = {}, set()
        for name in names:
            res = searcher.search(f'{field}:"{name}"', per_page=1)
            totals[name] = res.total
            values |= {v for v, _ in res.facets.get(facet, [])} & ({searcher.canonical_name(type_, n) for n in names}
                                                                   | set(names))
        ok = len(set(totals.values())) == 1 and min(totals.values()) > 0 and len(values) == 1
        out.append({"type": type_, "names": names, "totals": totals, "facet_values": sorted(values), "ok": ok})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, default=None, help="An enriched index of the Reuters files.")
    ap.add_argument("--data", type=Path, default=REUTERS_DIR)
    ap.add_argument("--labels", type=Path, default=LABELS, help="hand labels of people (label<TAB>name)")
    ap.add_argument("--groups", default=str(GROUPS), help="alias groups to check, or 'none'")
    args = ap.parse_args()
    from searchapp import indexer
    from searchapp.search import Searcher
    from searchapp.store import IndexStore

    meta = machine()
    index = args.index
    if index is None:
        if not args.data.exists():
            sys.exit(f"data not found: {args.data}")
        index = WORK / "identities-reuters"
        log(f"building an enriched index of {args.data} in {index} ...")
        started = time.perf_counter()
        indexer.build(IndexStore(index), [args.data])
        meta["build_seconds"] = round(time.perf_counter() - started, 1)
    searcher = Searcher(IndexStore(index))
    precision = people_precision(searcher, read_labels(args.labels))
    groups = check_groups(searcher, read_groups(Path(args.groups))) if args.groups != "none" else []
    meta["finished"] = now_iso()
    result = {"meta": meta, "index": str(index), "people": precision, "groups": groups,
              "groups_ok": sum(g["ok"] for g in groups), "groups_total": len(groups)}
    rows = [[g["type"], " = ".join(g["names"]), ", ".join(str(t) for t in dict.fromkeys(g["totals"].values())),
             "; ".join(g["facet_values"]), "yes" if g["ok"] else "**no**"] for g in groups]
    md = "\n".join([
        run_header("Identities on the Reuters files", meta),
        f"- People identities on most articles: {precision['top']}; labelled {precision['labelled']}; "
        f"persons {precision['persons']} → **precision {precision['precision']}** (target ≥ 0.95).",
        f"- Not people: {', '.join(precision['not_people']) or 'none'}.",
        f"- Unlabelled (label them in {args.labels}): {', '.join(precision['unlabelled']) or 'none'}.",
        f"- Alias groups answering identically with one facet value: **{result['groups_ok']} of {len(groups)}**.",
        "",
        md_table(["type", "names", "articles", "facet value", "one identity"], rows),
    ])
    write_results("identities", result, md)
    print(md)


if __name__ == "__main__":
    main()
