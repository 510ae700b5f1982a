"""Synthetic news corpora for the scaling benchmarks: deterministic, any size, Reuters-like text.

    python -m bench.synth 100000                      # -> bench/work/corpora/synth-100k/part-000.jsonl ...
    python -m bench.corpus 100k 1m                    # the same, by corpus name

A word-bigram model trained on the Reuters bodies (and a second one on the headlines) writes every
article; the vocabulary, word frequencies and sentence lengths therefore follow Reuters, so the query
set (bench/queries.txt) finds realistic numbers of hits. Each article also gets:

* a headline, a date spread uniformly over 1980-2019, publisher "Synthetic Wire";
* 1-2 places and, in about half of the articles, 1-2 people, written into the text ("In West Germany,
  ...", "Paul Volcker said ...") and listed in the ``places``/``people`` fields, so ``place:`` and
  ``person:`` queries work even in a build without enrichment. The names come from the Reuters
  PLACES/PEOPLE category lists (codes, not article text).

Articles are written in shards of 50,000 (``part-NNN.jsonl``), so searchapp's build can use every
core. Shard ``k`` is generated from its own seeded generator (``random.Random(f"{seed}-{k}")``): the
output depends only on the seed, the shard size and the Reuters corpus, and shards are generated in
parallel. The model itself is nothing but successor lists: sampling a uniformly random successor
occurrence of the current word is sampling from the bigram distribution.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.common import REUTERS_DIR, corpus_dir, corpus_files, iter_articles, log

SEED = 1987
SHARD_SIZE = 50_000
FIRST_DAY = dt.datetime(1980, 1, 1)
LAST_DAY = dt.datetime(2019, 12, 31, 23, 59, 59)
MAX_SENTENCE = 60

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[A-Za-z]+(?:['&-][A-Za-z]+)*|\d+(?:[.,]\d+)*|[.,;:()$%]")
_START, _END = 0, 1  # token ids: sentence start, sentence end ("." or end of headline)
_FIRST_NAMES = ("James", "Paul", "Robert", "John", "Michael", "David", "Richard", "Peter", "Helmut",
                "Yasuhiro", "Gerhard", "Jacques", "Nigel", "Karl", "Maria", "Anne", "Elizabeth", "Margaret")
_PLACE_NAMES = {"usa": "United States", "uk": "United Kingdom", "ussr": "Soviet Union",
                "uae": "United Arab Emirates"}


@dataclass
class Bigram:
    """Successor lists, flattened: the successors of token t are nexts[offset[t]:offset[t] + count[t]]."""

    words: list[str]
    nexts: list[int]
    offset: list[int]
    count: list[int]

    @classmethod
    def train(cls, sentences) -> "Bigram":
        ids: dict[str, int] = {"<s>": _START, "</s>": _END}
        succ: list[list[int]] = [[], []]
        for tokens in sentences:
            prev = _START
            for tok in tokens:
                t = ids.get(tok)
                if t is None:
                    t = ids[tok] = len(ids)
                    succ.append([])
                succ[prev].append(t)
                prev = t
            succ[prev].append(_END)
        nexts, offset, count = [], [], []
        for s in succ:
            offset.append(len(nexts))
            count.append(len(s))
            nexts.extend(s)
        words = [""] * len(ids)
        for w, i in ids.items():
            words[i] = w
        return cls(words, nexts, offset, count)

    def sentence(self, rnd, limit: int = MAX_SENTENCE) -> list[str]:
        nexts, offset, count, words = self.nexts, self.offset, self.count, self.words
        out, t = [], _START
        for _ in range(limit):
            n = count[t]
            if not n:
                break
            t = nexts[offset[t] + int(rnd() * n)]
            if t == _END:
                break
            out.append(words[t])
        return out


@dataclass
class Model:
    body: Bigram
    title: Bigram
    sentence_counts: list[int]  # sentences per Reuters article: the length distribution
    people: list[str]
    places: list[str]


def _sentences(text: str):
    """Token lists per sentence ("." ends a sentence and is kept as its last token)."""
    current: list[str] = []
    for tok in _TOKEN.findall(text):
        current.append(tok)
        if tok == ".":
            yield current
            current = []
    if current:
        yield current


def _names(filename: str) -> list[str]:
    path = REUTERS_DIR / filename
    return [line.strip() for line in path.read_text(encoding="latin-1").splitlines() if line.strip()]


def _person(code: str) -> str:
    parts = [p.capitalize() for p in code.split("-")]
    if len(parts) == 1:  # most codes are surnames: give them a first name, always the same one
        parts.insert(0, _FIRST_NAMES[sum(map(ord, code)) % len(_FIRST_NAMES)])
    return " ".join(parts)


def _place(code: str) -> str:
    return _PLACE_NAMES.get(code, " ".join(p.capitalize() for p in code.split("-")))


def train() -> Model:
    bodies: list[list[str]] = []
    titles: list[list[str]] = []
    counts: list[int] = []
    for a in iter_articles(corpus_files("reuters")):
        sents = list(_sentences(a.get("body") or ""))
        if sents:
            bodies.extend(sents)
            counts.append(len(sents))
        title = _TOKEN.findall(a.get("title") or "")
        if 2 <= len(title) <= 14:
            titles.append(title)
    return Model(Bigram.train(bodies), Bigram.train(titles), counts,
                 [_person(c) for c in _names("all-people-strings.lc.txt")],
                 [_place(c) for c in _names("all-places-strings.lc.txt")])


_SPACE_BEFORE = re.compile(r" ([.,;:)%])")
_SPACE_AFTER = re.compile(r"([($]) ")


def _detok(tokens: list[str]) -> str:
    return _SPACE_AFTER.sub(r"\1", _SPACE_BEFORE.sub(r"\1", " ".join(tokens)))


def article(model: Model, number: int, rng: random.Random) -> dict:
    rnd = rng.random
    sentences = [_detok(model.body.sentence(rnd)) for _ in range(rng.choice(model.sentence_counts))]
    sentences = [s for s in sentences if s] or ["No comment."]
    places = rng.sample(model.places, rng.choice((1, 1, 2)))
    people = rng.sample(model.people, rng.choice((1, 2))) if rnd() < 0.5 else []
    for place in places:
        i = rng.randrange(len(sentences))
        s = sentences[i]
        sentences[i] = f"In {place}, {s[0].lower() + s[1:] if s[:2].istitle() else s}"
    for person in people:
        s = _detok(model.body.sentence(rnd)) or "it had no comment."
        sentences.insert(rng.randrange(len(sentences) + 1), f"{person} said {s}")
    body = sentences[0]
    for s in sentences[1:]:
        body += ("\n\n" if rnd() < 0.6 else " ") + s
    title = _detok(model.title.sentence(rnd, 14)) or "NEWS"
    seconds = int(rnd() * (LAST_DAY - FIRST_DAY).total_seconds())
    return {
        "id": f"synth-{number:07d}",
        "title": title,
        "body": body,
        "published": (FIRST_DAY + dt.timedelta(seconds=seconds)).isoformat(),
        "publisher": "Synthetic Wire",
        "people": people,
        "places": places,
    }


_MODEL: Model | None = None


def _write_shard(job: tuple[int, int, int, int, str]) -> int:
    shard, first, count, seed, folder = job
    rng = random.Random(f"{seed}-{shard}")
    path = Path(folder) / f"part-{shard:03d}.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for number in range(first, first + count):
            f.write(json.dumps(article(_MODEL, number, rng), ensure_ascii=False) + "\n")
    return count


def generate(n: int, folder: Path, *, seed: int = SEED, shard_size: int = SHARD_SIZE, procs: int = 2) -> int:
    """Write ``n`` articles into ``folder`` as part-NNN.jsonl shards."""
    global _MODEL
    log("synth: training the bigram model on Reuters")
    _MODEL = train()
    log(f"synth: {len(_MODEL.body.words):,} words, {len(_MODEL.body.nexts):,} bigrams; writing {n:,} articles")
    folder.mkdir(parents=True, exist_ok=True)
    jobs = [(k, first, min(shard_size, n - first), seed, str(folder))
            for k, first in enumerate(range(0, n, shard_size))]
    if procs > 1 and len(jobs) > 1 and "fork" in mp.get_all_start_methods():
        with mp.get_context("fork").Pool(procs) as pool:  # workers inherit the model
            done = sum(pool.imap(_write_shard, jobs))
    else:
        done = sum(map(_write_shard, jobs))
    return done


def make_corpus(n: int, folder: Path, **kwargs) -> dict:
    """Generate into a temporary folder and rename it into place when complete (used by bench.corpus)."""
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    done = generate(n, tmp, **kwargs)
    info = {"corpus": folder.name, "articles": done, "seed": kwargs.get("seed", SEED),
            "shard_size": kwargs.get("shard_size", SHARD_SIZE), "generator": "bench/synth.py (word bigrams)"}
    (tmp / "DONE").write_text(json.dumps(info, indent=2) + "\n")
    if folder.exists():
        shutil.rmtree(folder)
    tmp.rename(folder)
    return info


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("articles", type=int, help="number of articles, e.g. 100000")
    ap.add_argument("--out", help="output folder (default: bench/work/corpora/synth-<size>)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--shard-size", type=int, default=SHARD_SIZE)
    ap.add_argument("--procs", type=int, default=2)
    args = ap.parse_args(argv)
    n = args.articles
    name = f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)
    folder = Path(args.out) if args.out else corpus_dir(name)
    info = make_corpus(n, folder, seed=args.seed, shard_size=args.shard_size, procs=args.procs)
    log(f"synth: {info['articles']:,} articles in {folder}")


if __name__ == "__main__":
    main()
