"""Duplicate groups (``searchapp.archive.duplicates``): pair precision and recall, and what grouping costs.

    python -m bench.duplicates                         # the shared Reuters files: quality, then cost
    python -m bench.duplicates --data DIR              # any folder of Reuters-21578 .sgm files
    python -m bench.duplicates --skip-cost             # quality only (seconds, once the articles are read)
    python -m bench.duplicates --tune                  # also the threshold grid on the tuning split

The benchmark. The real articles are split by publication day (a seeded hash of the date) into a
**tuning** half and a **report** half. In each half, ``--seeds`` stories are drawn (seeded) among those
that have at least 40 words, at least one <TOPICS> code, and at least one *hard negative*: another real
story of the same day that shares a topic (the next coffee report, the afternoon money-market update).
Each drawn story gets 1 to 4 synthetic syndicated copies, each from a made-up outlet, published minutes
to a day and a half later, with a random mix of: another headline; the last paragraphs cut or one
paragraph dropped (the lead, at least half of the paragraphs and 40% of the words kept: a copy, not a
teaser); a paragraph moved; a dateline, byline, credit line, copyright or subscription notice and a
sign-off added; and 1 to 4 small edits inside sentences (a synonym, an abbreviation spelt out, a word
dropped or added, two letters swapped; never a figure). Some copies change nothing but the headline,
boilerplate and publisher: exact copies.

The universe of a half is every real article of its days plus the copies, grouped from scratch.
A *true pair* is two members of one family (a drawn story and its copies). Measured on the pairs of
predicted groups that involve a family member: precision = pairs inside one family / all such pairs;
recall = true pairs predicted / all true pairs. A pair of a family member with a same-day same-topic
story is counted again as a *hard-negative error*. Reuters itself repeats some stories (re-sent,
corrected, rewritten): a story is never drawn if another article of the same week opens a paragraph with
the same six words and a word-level ``difflib`` alignment covers 70% of the shorter of the two, with no
figure of the shorter missing from the longer -- so that grouping it with its own repeat is not counted
as an error. Groups among the real articles alone are reported as counts, without a verdict.

Tuning (``--tune``, on the tuning half only): a grid of shingle sizes and thresholds, and of LSH
settings; the rule is the most recall at a precision of at least 0.99, among equal recalls the strictest
thresholds. The defaults of ``Params`` are what this rule chose.

The cost. In a fresh process (``--one-grouping``), on the articles already read (at index time the
build has them): ``DuplicateIndex().add(all articles)`` plus ``save``, the datasketch import included;
against ``searchapp.indexer.build(store, files, enrich=False)`` (what ``searchapp index build
--no-enrich`` runs, on every core), alternating, ``--rounds`` rounds; the ratio of the best of each.
Target: grouping <= 15% of the build.

Results: bench/results/duplicates.json and duplicates.md.
"""
from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import difflib
import hashlib
import itertools
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import (REUTERS_DIR, ROOT, WORK, BenchError, fmt, log, machine, md_table, now_iso, run_header,
                          write_results)

SPLITS = ("tuning", "report")
MIN_WORDS = 40
MIN_KEPT = 0.4  # a trimmed copy keeps at least this share of the story's words
TARGETS = {"precision": 0.97, "recall": 0.93, "cost": 0.15}

# Made-up outlets, people and places for the copies' boilerplate (none is an outlet of the data).
_OUTLET_A = ("Daily", "Evening", "Morning", "Northern", "Metro", "Coastal", "Capital", "Valley", "Harbour",
             "Prairie", "Lakeside", "Midland")
_OUTLET_B = ("Ledger", "Courier", "Tribune", "Gazette", "Herald", "Wire", "Sentinel", "Chronicle", "Dispatch",
             "Observer", "Bulletin", "Examiner")
_FIRST = ("Anna", "Ben", "Carla", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jon", "Kofi", "Lena")
_LAST = ("Moreau", "Okafor", "Lindqvist", "Tanaka", "Walsh", "Novak", "Haddad", "Silva", "Brennan", "Kowalski")
_CITIES = ("LONDON", "NEW YORK", "TOKYO", "WASHINGTON", "CHICAGO", "FRANKFURT", "PARIS", "SYDNEY")
_MONTHS = ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct", "Nov", "Dec")
# Small edits inside sentences: the word, what a copy desk may make of it.
_SYNONYMS = {"said": "says", "pct": "percent", "mln": "million", "dlrs": "dollars", "bln": "billion",
             "company": "firm", "expected": "anticipated", "increase": "rise", "decrease": "fall",
             "announced": "said", "sources": "officials", "about": "around", "U.S.": "US", "shares": "stock",
             "would": "will", "also": "further", "told": "informed", "statement": "release"}
_DROPPABLE = {"also", "the", "that", "its", "very", "still", "further"}
_NUMBER = re.compile(r"\d")
_FIGURE = re.compile(r"\d+(?:\.\d+)*")


# -- the articles -----------------------------------------------------------------------------------

def load_articles(data: Path) -> list[dict[str, Any]]:
    """Every dated article of the .sgm files in ``data`` (read once with searchapp's reader, then cached
    in bench/work/ with their <TOPICS>)."""
    files = sorted(data.glob("*.sgm"))
    if not files:
        raise BenchError(f"no .sgm files in {data} (the shared data lives in ../shared/data/reuters21578)")
    stamp = hashlib.sha1(json.dumps([(f.name, f.stat().st_size) for f in files]).encode()).hexdigest()[:12]
    cache = WORK / "duplicates" / f"articles-{stamp}.jsonl"
    if not cache.exists():
        from searchapp.readers import Skipped
        from searchapp.readers.dispatch import read_paths

        log(f"reading {len(files)} files in {data}")
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            for item in read_paths(files):
                if not isinstance(item, Skipped):
                    out.write(json.dumps({"id": item.id, "title": item.title, "body": item.body,
                                          "published": item.published.isoformat() if item.published else None,
                                          "publisher": item.publisher, "dateline": item.dateline,
                                          "topics": item.gold_topics}) + "\n")
        tmp.rename(cache)
    articles = []
    with open(cache, encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            if a["published"]:
                a["published"] = dt.datetime.fromisoformat(a["published"])
                articles.append(a)
    return articles


def split_of(day: dt.date, seed: int) -> str:
    digest = hashlib.sha1(f"{seed}:{day.isoformat()}".encode()).digest()
    return SPLITS[digest[0] & 1]


def _plain_words(text: str) -> list[str]:
    return [w for w in (w.strip(".,;:()<>\"'") for w in text.lower().split()) if w]


def _figures(tokens: list[str]) -> set[str]:
    return set(_FIGURE.findall(" ".join(tokens).replace(",", "")))


def reuters_twins(articles: list[dict[str, Any]]) -> set[str]:
    """Ids of the articles Reuters itself repeats: another article of the same week that opens a
    paragraph with the same six words, whose word-level ``difflib`` alignment covers at least 70% of
    the shorter text, with no figure of the shorter text missing from the longer."""
    blocks: dict[tuple, set[int]] = collections.defaultdict(set)
    tokens = [_plain_words(a["body"]) for a in articles]
    for i, (a, t) in enumerate(zip(articles, tokens)):
        if len(t) < 20:  # a one-line notice repeats its wording for every company: not a story's twin
            continue
        week = a["published"].date().toordinal() // 7
        for paragraph in a["body"].split("\n\n"):
            opening = tuple(_plain_words(paragraph)[:6])
            if len(opening) == 6:
                for w in (week, week + 1):
                    blocks[(opening, w)].add(i)
    twins: set[str] = set()
    checked: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > 50:
            continue
        for i, j in itertools.combinations(sorted(members), 2):
            if (i, j) in checked:
                continue
            checked.add((i, j))
            short, long = sorted((tokens[i], tokens[j]), key=len)
            if not _figures(short) <= _figures(long):
                continue
            matcher = difflib.SequenceMatcher(None, short, long, autojunk=False)
            if sum(b.size for b in matcher.get_matching_blocks()) >= 0.7 * len(short):
                twins.update((articles[i]["id"], articles[j]["id"]))
    return twins


# -- synthetic copies -------------------------------------------------------------------------------

def _headline(rng: random.Random, title: str, paragraphs: list[str]) -> str:
    words = title.split()
    choice = rng.randrange(4)
    if choice == 0 and paragraphs:
        lead = paragraphs[0].split()[:rng.randint(6, 10)]
        return " ".join(lead).rstrip(",.;:").capitalize()
    if choice == 1:
        return title.title()
    if choice == 2 and len(words) > 3:
        return " ".join(words[:rng.randint(2, len(words) - 1)]).title()
    return rng.choice(("UPDATE 1-", "UPDATE 2-", "WRAPUP-", "")) + title.capitalize() + rng.choice(("", " - sources",
                                                                                                   " - report"))


def _edit(rng: random.Random, paragraphs: list[str], edits: int) -> list[str]:
    paragraphs = list(paragraphs)
    for _ in range(edits):
        p = rng.randrange(len(paragraphs))
        words = paragraphs[p].split(" ")
        spots = [i for i, w in enumerate(words) if w and not _NUMBER.search(w)]
        if not spots:
            continue
        i = rng.choice(spots)
        word = words[i]
        core = word.strip(",.;:\"'()")
        kind = rng.randrange(4)
        if kind == 0 and core in _SYNONYMS:
            words[i] = word.replace(core, _SYNONYMS[core])
        elif kind == 1 and core.lower() in _DROPPABLE and len(words) > 3:
            del words[i]
        elif kind == 2:
            words.insert(i, rng.choice(("also", "now", "reportedly", "on Tuesday", "however,")))
        elif len(core) >= 6:
            k = rng.randrange(1, len(core) - 2)
            words[i] = word.replace(core, core[:k] + core[k + 1] + core[k] + core[k + 2:])
        else:
            synonyms = [j for j, w in enumerate(words) if w.strip(",.;:\"'()") in _SYNONYMS]
            if synonyms:
                j = rng.choice(synonyms)
                core = words[j].strip(",.;:\"'()")
                words[j] = words[j].replace(core, _SYNONYMS[core])
        paragraphs[p] = " ".join(words)
    return paragraphs


def make_copy(rng: random.Random, story: dict[str, Any], number: int) -> tuple[dict[str, Any], list[str]]:
    """A syndicated copy of ``story`` and the list of what was changed."""
    paragraphs = [p for p in story["body"].split("\n\n") if p.strip()]
    outlet = f"The {rng.choice(_OUTLET_A)} {rng.choice(_OUTLET_B)}"
    changes = ["publisher"]
    exact = rng.random() < 0.15
    title = story["title"]
    if rng.random() < 0.7:
        title = _headline(rng, title, paragraphs)
        changes.append("headline")
    if not exact:
        n = len(paragraphs)
        if n >= 3 and rng.random() < 0.45:
            # A trimmed copy keeps the lead, at least the first half of the paragraphs and MIN_KEPT of the
            # words (a copy, not a teaser); a story that allows no such cut is left whole.
            total = len(story["body"].split())
            if rng.random() < 0.6:
                keeps = [k for k in range(max(2, (n + 1) // 2), n)
                         if len(" ".join(paragraphs[:k]).split()) >= MIN_KEPT * total]
                if keeps:
                    keep = rng.choice(keeps)
                    paragraphs = paragraphs[:keep]
                    changes.append(f"cut last {n - keep} of {n} paragraphs")
            else:
                droppable = [i for i in range(1, n) if len(paragraphs[i].split()) <= (1 - MIN_KEPT) * total]
                if droppable:
                    del paragraphs[rng.choice(droppable)]
                    changes.append("dropped a paragraph")
        n = len(paragraphs)
        if n >= 3 and rng.random() < 0.35:
            i = rng.randrange(1, n)
            moved = paragraphs.pop(i)
            paragraphs.insert(rng.choice([j for j in range(1, n) if j != i] or [i]), moved)
            changes.append("moved a paragraph")
        if rng.random() < 0.7:
            edits = rng.randint(1, 4)
            paragraphs = _edit(rng, paragraphs, edits)
            changes.append(f"{edits} edits")
    if rng.random() < 0.75:
        short = outlet.split()[-1]
        city = (story.get("dateline") or rng.choice(_CITIES)).upper()
        person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        when = story["published"]
        if paragraphs and rng.random() < 0.7:
            paragraphs[0] = rng.choice((f"{city} ({outlet[4:]}) - ", f"{city}, {_MONTHS[when.month - 1]} {when.day} - ",
                                        f"{city} ({short}) -- ")) + paragraphs[0]
        if rng.random() < 0.5:
            paragraphs.insert(0, rng.choice((f"By {person}", f"By {person}, {short} correspondent",
                                             f"BY {person.upper()}")))
        extras = [f"(Reporting by {person}; Editing by {rng.choice(_FIRST)} {rng.choice(_LAST)})",
                  f"Copyright {when.year} {outlet}. All rights reserved.",
                  f"Click here to subscribe to {outlet} alerts.",
                  f"Additional reporting by {rng.choice(_FIRST)} {rng.choice(_LAST)}",
                  short.upper()]
        paragraphs.extend(rng.sample(extras, rng.randint(1, 3)))
        changes.append("boilerplate")
    published = story["published"] + dt.timedelta(minutes=rng.randint(5, 36 * 60))
    copy = {"id": f"{story['id']}/copy-{number}", "title": title, "body": "\n\n".join(paragraphs),
            "published": published, "publisher": outlet, "topics": story["topics"]}
    return copy, changes


def change_kind(what: str) -> str:
    """'cut last 2 of 5 paragraphs' -> 'cut paragraphs', '3 edits' -> 'edits'."""
    return {"cut": "cut paragraphs"}.get(what.split()[0], "edits" if what[0].isdigit() else what)


# -- one half ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class Half:
    name: str
    articles: list[dict[str, Any]]  # real articles and copies
    family: dict[str, str]  # member id -> drawn story id
    hard_negatives: dict[str, set[str]]  # drawn story id -> same-day same-topic real stories
    changes: collections.Counter
    what: dict[str, list[str]]  # copy id -> what was changed


def make_half(name: str, real: list[dict[str, Any]], twins: set[str], seeds: int, rng: random.Random) -> Half:
    by_day_topic: dict[tuple, list[str]] = collections.defaultdict(list)
    for a in real:
        for t in a["topics"]:
            by_day_topic[(a["published"].date(), t)].append(a["id"])

    def negatives(a: dict[str, Any]) -> set[str]:
        out = set()
        for t in a["topics"]:
            out.update(by_day_topic[(a["published"].date(), t)])
        return out - {a["id"]} - twins

    eligible = [a for a in real if a["id"] not in twins and len(a["body"].split()) >= MIN_WORDS and negatives(a)]
    drawn = rng.sample(eligible, min(seeds, len(eligible)))
    family: dict[str, str] = {}
    hard: dict[str, set[str]] = {}
    changes: collections.Counter = collections.Counter()
    what_of: dict[str, list[str]] = {}
    articles = list(real)
    for story in drawn:
        family[story["id"]] = story["id"]
        hard[story["id"]] = negatives(story)
        for number in range(1, rng.randint(1, 4) + 1):
            copy, what = make_copy(rng, story, number)
            articles.append(copy)
            family[copy["id"]] = story["id"]
            what_of[copy["id"]] = what
            changes.update(map(change_kind, what))
            changes["copies"] += 1
            if not any(w not in ("publisher", "headline", "boilerplate") for w in what):
                changes["exact copies"] += 1
    rng.shuffle(articles)
    return Half(name, articles, family, hard, changes, what_of)


def evaluate(half: Half, pairs: set[tuple[str, str]]) -> dict[str, Any]:
    sizes = collections.Counter(half.family.values())
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    tp = fp = hard_fp = real_only = 0
    errors = []
    for a, b in pairs:
        fa, fb = half.family.get(a), half.family.get(b)
        if fa is None and fb is None:
            real_only += 1
        elif fa is not None and fa == fb:
            tp += 1
        else:
            fp += 1
            if (fa is not None and b in half.hard_negatives[fa]) or (fb is not None and a in half.hard_negatives[fb]):
                hard_fp += 1
            errors.append((a, b))
    hard_pairs = sum(len(half.hard_negatives[s]) * n for s, n in sizes.items())
    members = collections.defaultdict(list)
    for m, f in half.family.items():
        members[f].append(m)
    missed = [(a, b) for ids in members.values() for a, b in itertools.combinations(sorted(ids), 2)
              if (a, b) not in pairs]
    missed_by_change = collections.Counter(change_kind(w) for a, b in missed for w in half.what.get(b, []))
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / true_pairs if true_pairs else 1.0,
        "true_pairs": true_pairs, "predicted_pairs_with_copies": tp + fp, "correct": tp, "wrong": fp,
        "hard_negative_pairs": hard_pairs, "hard_negative_errors": hard_fp,
        "pairs_among_real_articles": real_only, "families": len(sizes),
        "articles": len(half.articles), "errors_sample": sorted(errors)[:20], "missed_sample": missed[:20],
        "missed_by_change": dict(missed_by_change),
    }


def group_pairs(index) -> set[tuple[str, str]]:
    return set(index.pairs())


def run_half(half: Half, params) -> tuple[dict[str, Any], Any]:
    from searchapp.archive.duplicates import DuplicateIndex

    index = DuplicateIndex(params)
    started = time.perf_counter()
    index.add(half.articles)
    seconds = time.perf_counter() - started
    result = evaluate(half, group_pairs(index))
    result["seconds"] = seconds
    result["kinds"] = dict(collections.Counter(g.kind for g in index.groups()))
    return result, index


# -- tuning -----------------------------------------------------------------------------------------

GRID = {"containment": (0.5, 0.6, 0.7, 0.8), "jaccard": (0.0, 0.1, 0.2, 0.3),
        "missing_numbers": (0.0, 0.1, 1.0), "missing_names": (0.2, 0.34, 1.0),
        "missing_lead_names": (0.2, 0.34, 0.5, 1.0)}
GRID_SHINGLES = (3, 4, 5)


GRID_LSH = ((32, 16), (48, 24), (64, 32))  # (num_perm, bands), with the default thresholds
# The rule: the most recall on the tuning half at a precision of at least TUNING_PRECISION; among equal
# recalls, the strictest thresholds (more containment and Jaccard, fewer missing numbers and names).
TUNING_PRECISION = 0.99


def _strictness(g: dict[str, Any]) -> tuple:
    return (-g["containment"], -g["jaccard"], g["missing_numbers"], g["missing_names"], g["missing_lead_names"],
            g["shingle"])


def tune_lsh(half: Half, base) -> list[dict[str, Any]]:
    """The LSH settings of ``GRID_LSH`` on one half, with the other settings of ``base``."""
    rows = []
    for num_perm, bands in GRID_LSH:
        r, _ = run_half(half, dataclasses.replace(base, num_perm=num_perm, bands=bands))
        rows.append({"num_perm": num_perm, "bands": bands, "precision": r["precision"], "recall": r["recall"]})
    return rows


def tune(half: Half, base) -> list[dict[str, Any]]:
    """Every combination of ``GRID_SHINGLES`` and ``GRID`` on one half: one permissive run per shingle
    size, whose links are all the LSH candidates, re-judged per combination (union-find, with the
    exact copies)."""
    rows = []
    for k in GRID_SHINGLES:
        permissive = dataclasses.replace(base, shingle=k, containment=0.0, jaccard=0.0, missing_numbers=1.0,
                                         missing_names=1.0, missing_lead_names=1.0)
        _, index = run_half(half, permissive)
        links = [(a, b, index.similarity(a, b)) for a, b in index.links()]
        exact = collections.defaultdict(list)
        for i in index.ids():
            exact[index.key(i)].append(i)
        for c, j, m, e, f in itertools.product(*GRID.values()):
            accepted = [(a, b) for a, b, s in links if s.containment >= c and s.jaccard >= j
                        and s.missing_numbers <= m and s.missing_names <= e and s.missing_lead_names <= f]
            accepted += [(ids[0], other) for ids in exact.values() for other in ids[1:]]
            r = evaluate(half, _component_pairs(accepted))
            rows.append({"shingle": k, "containment": c, "jaccard": j, "missing_numbers": m, "missing_names": e,
                         "missing_lead_names": f,
                         "precision": r["precision"], "recall": r["recall"]})
    return rows


def _component_pairs(edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair inside the connected components of ``edges`` (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    members = collections.defaultdict(list)
    for x in list(parent):
        members[find(x)].append(x)
    return {tuple(sorted(p)) for g in members.values() for p in itertools.combinations(g, 2)}


# -- cost -------------------------------------------------------------------------------------------

def _group_once(data: Path, folder: Path) -> dict[str, Any]:
    """In a fresh process (``--one-grouping``), as at index time: the articles are read (not timed),
    then grouped and saved (timed, the datasketch import and cold word-hash cache included)."""
    articles = load_articles(data)
    from searchapp.archive.duplicates import Record

    records = [Record(a["id"], a["title"], a["body"], a["published"], a["publisher"]) for a in articles]
    started, cpu_started = time.perf_counter(), time.process_time()
    from searchapp.archive.duplicates import DuplicateIndex

    index = DuplicateIndex()
    index.add(records)
    index.save(folder)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    groups = index.groups()
    return {"seconds": seconds, "cpu_seconds": cpu, "articles": len(records), "groups": len(groups),
            "grouped_articles": sum(len(g.ids) for g in groups),
            "kinds": dict(collections.Counter(g.kind for g in groups)),
            "file_bytes": sum(f.stat().st_size for f in folder.glob("duplicates.*"))}


def cost(data: Path, rounds: int) -> dict[str, Any]:
    from searchapp import indexer
    from searchapp.store import IndexStore

    files = sorted(data.glob("*.sgm"))
    build, group = [], []
    for r in range(rounds):
        with tempfile.TemporaryDirectory(prefix="searchapp-dups-") as work:
            for step in (("build", "group") if r % 2 == 0 else ("group", "build")):
                if step == "build":
                    started = time.perf_counter()
                    indexer.build(IndexStore(Path(work) / "ix"), files, enrich=False)
                    build.append(time.perf_counter() - started)
                else:
                    out = subprocess.run([sys.executable, "-m", "bench.duplicates", "--data", str(data),
                                          "--one-grouping", work], capture_output=True, text=True, check=True,
                                         cwd=ROOT)
                    group.append(json.loads(out.stdout.strip().splitlines()[-1]))
        log(f"round {r + 1}: build {build[-1]:.1f} s, grouping {group[-1]['seconds']:.2f} s")
    seconds = [g["seconds"] for g in group]
    return {**group[-1], "build_seconds": build, "group_seconds": seconds,
            "group_cpu_seconds": [g["cpu_seconds"] for g in group], "ratio": min(seconds) / min(build),
            "ratio_per_round": [g / b for g, b in zip(seconds, build)]}


# -- main -------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REUTERS_DIR, help="folder of Reuters-21578 .sgm files")
    ap.add_argument("--seed", type=int, default=13, help="seed of the split and of the copies")
    ap.add_argument("--seeds", type=int, default=400, help="stories drawn per half")
    ap.add_argument("--rounds", type=int, default=2, help="cost: alternating build/grouping rounds")
    ap.add_argument("--skip-cost", action="store_true")
    ap.add_argument("--tune", action="store_true", help="print the threshold grid on the tuning half")
    ap.add_argument("--one-grouping", type=Path, help=argparse.SUPPRESS)  # one timed grouping (cost)
    args = ap.parse_args()
    if args.one_grouping:
        print(json.dumps(_group_once(args.data, args.one_grouping)))
        return

    from searchapp.archive.duplicates import Params

    meta = machine()
    articles = load_articles(args.data)
    log(f"{len(articles)} dated articles; looking for Reuters' own repeats")
    twins = reuters_twins(articles)
    params = Params()
    results: dict[str, Any] = {"data": str(args.data), "seed": args.seed, "seeds_per_half": args.seeds,
                               "params": dataclasses.asdict(params), "reuters_twins": len(twins), "halves": {}}
    halves = {}
    for n, name in enumerate(SPLITS):
        real = [a for a in articles if split_of(a["published"].date(), args.seed) == name]
        halves[name] = make_half(name, real, twins, args.seeds, random.Random(args.seed * 10 + n))
        result, _ = run_half(halves[name], params)
        result["changes"] = dict(halves[name].changes)
        results["halves"][name] = result
        log(f"{name}: precision {result['precision']:.4f}, recall {result['recall']:.4f} "
            f"({result['true_pairs']} true pairs, {result['wrong']} wrong, {result['articles']} articles)")
    if args.tune:
        grid = tune(halves["tuning"], params)
        results["grid"] = grid
        results["grid_lsh"] = tune_lsh(halves["tuning"], params)
        results["grid_best"] = sorted((g for g in grid if g["precision"] >= TUNING_PRECISION),
                                      key=lambda g: (-g["recall"], *_strictness(g)))[:10]
        results["chosen"] = {"thresholds": results["grid_best"][0], "lsh": max(
            results["grid_lsh"], key=lambda g: (g["precision"] >= TUNING_PRECISION, g["recall"], -g["num_perm"]))}
        log(f"chosen on the tuning half: {results['chosen']}")
    if not args.skip_cost:
        results["cost"] = cost(args.data, args.rounds)
    meta["finished"] = now_iso()
    results["machine"] = meta
    md = report(results)
    paths = write_results("duplicates", results, md)
    print(md)
    log(f"results: {paths[0]} and {paths[1]}")


def report(results: dict[str, Any]) -> str:
    meta = results["machine"]
    out = [run_header("Duplicate groups", meta), "",
           f"`python -m bench.duplicates` on {results['data']} (seed {results['seed']}, {results['seeds_per_half']} "
           f"stories drawn per half; {results['reuters_twins']} articles Reuters repeats itself left undrawn)", ""]
    rows = []
    for name, r in results["halves"].items():
        rows.append((name, r["precision"], r["recall"], r["true_pairs"], r["correct"], r["wrong"],
                     f"{r['hard_negative_errors']} of {r['hard_negative_pairs']}", r["pairs_among_real_articles"],
                     r["articles"], r["seconds"]))
    out.append(md_table(("half", "pair precision", "pair recall", "true pairs", "found", "wrong",
                         "hard negatives grouped", "pairs among real articles", "articles", "seconds"), rows, 4))
    out.append(f"\nTargets on the report half: precision >= {TARGETS['precision']}, recall >= {TARGETS['recall']}.")
    changes = results["halves"]["report"]["changes"]
    out.append("\nCopies on the report half: " + ", ".join(f"{k}: {v}" for k, v in sorted(changes.items())))
    if "grid_best" in results:
        out.append(f"\nChosen on the tuning half: {results['chosen']}")
        out.append("\nThe grid on the tuning half, precision >= 0.99, most recall first (then strictest):\n")
        keys = list(results["grid_best"][0]) if results["grid_best"] else []
        out.append(md_table(keys, [[g[k] for k in keys] for g in results["grid_best"]], 4))
        out.append("\nLSH settings on the tuning half (other settings as used):\n")
        columns = ("num_perm", "bands", "precision", "recall")
        out.append(md_table(columns, [[g[k] for k in columns] for g in results["grid_lsh"]], 4))
    c = results.get("cost")
    if c:
        out.append("")
        out.append(md_table(("articles", "build s (best)", "grouping s (best)", "grouping CPU s", "ratio (best/best)",
                             "ratio per round", "file bytes", "groups"),
                            [(c["articles"], min(c["build_seconds"]), min(c["group_seconds"]),
                              min(c["group_cpu_seconds"]), c["ratio"],
                              " ".join(fmt(x, 3) for x in c["ratio_per_round"]), c["file_bytes"], c["groups"])], 3))
        out.append(f"\nGroups among all {c['articles']:,} articles: {c['kinds']} ({c['grouped_articles']:,} articles).")
        out.append(f"\nTarget: grouping <= {TARGETS['cost']:.0%} of the build.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
