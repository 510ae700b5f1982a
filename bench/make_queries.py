"""Generate bench/queries.txt: a fixed, realistic query set drawn from the Reuters corpus.

    python -m bench.make_queries            # rewrites bench/queries.txt (deterministic: same data, same file)

Run once and commit the output; the benchmarks read the committed file, so results stay comparable
across commits. Every query is built from corpus statistics (document frequencies, frequent word pairs,
the hand-assigned PLACES/PEOPLE codes), never from article text: no sentence or headline is copied.

Categories (``category<TAB>query`` per line, searchapp's query syntax, AND of the parts):

========== ===== ================================================================================
two_word    40   two words that occur together in one article (each in 20-2,000 articles)
phrase      30   frequent adjacent word pairs and triples, as "phrases"
title       25   ``title:word``, alone or with a word of an article with that title word
date        25   a word and a range ``date:[1987-03-02 to 1987-03-15]`` inside the corpus's dates
place       20   ``place:japan``, ``place:"west germany"``, alone or with a word of an article tagged
                 with that place (searchapp only)
person      20   ``person:volcker``, alone or with a word of an article tagged with that person
                 (searchapp only)
rare        25   words in 2-5 articles, alone or with a word of the same article
common      25   the most frequent content words, alone or in pairs (the slow case for AND)
long        20   4-6 words typical of one article, in no particular order (may need the OR fallback)
========== ===== ================================================================================
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import re
from collections import Counter

from bench.common import QUERIES_FILE, REUTERS_DIR, iter_articles, corpus_files, log

SEED = 21578
_WORD = re.compile(r"[a-z]+")


def stop_words() -> frozenset[str]:
    """Words no engine should see as content: Whoosh's stop list, searchapp's, and query operators."""
    from whoosh.analysis import STOP_WORDS as WHOOSH_STOPS

    from searchapp.analysis import STOP_WORDS as SEARCHAPP_STOPS

    extra = set("""and or not to near reuter reuters said also would will inc corp ltd the about above after
        again against all any because before being below between both could did does doing down during each
        few further here how more most non mid off once only other over own same should some such through
        too under until very while just now blah one two three four five six seven eight nine ten""".split())
    return frozenset(WHOOSH_STOPS) | SEARCHAPP_STOPS | extra


def _gold_codes() -> dict[str, tuple[list[str], list[str]]]:
    """Article id -> (PLACES codes, PEOPLE codes), read with searchapp's Reuters reader."""
    from bench.corpus import reuters_files
    from searchapp.readers import Skipped
    from searchapp.readers.dispatch import read_paths

    return {item.id: (item.gold_places, item.gold_people)
            for item in read_paths(reuters_files()) if not isinstance(item, Skipped)}


# Reuters PLACES codes whose words differ from the canonical place names searchapp indexes.
_PLACE_NAMES = {"usa": "united states", "uk": "united kingdom", "ussr": "soviet union",
                "uae": "united arab emirates", "hong-kong": "hong kong"}


def generate() -> list[tuple[str, str]]:
    rng = random.Random(SEED)
    stops = stop_words()
    articles = list(iter_articles(corpus_files("reuters")))
    log(f"queries: {len(articles):,} Reuters articles")

    df: Counter = Counter()
    title_df: Counter = Counter()
    pairs: Counter = Counter()
    triples: Counter = Counter()
    doc_words: list[list[str]] = []
    dates: list[dt.date] = []
    for a in articles:
        tokens = _WORD.findall((a.get("body") or "").lower())
        title_tokens = _WORD.findall((a.get("title") or "").lower())
        content = [w for w in tokens + title_tokens if len(w) >= 3 and w not in stops]
        df.update(set(content))
        title_df.update({w for w in title_tokens if len(w) >= 3 and w not in stops})
        doc_words.append(content)
        for i in range(len(tokens) - 1):
            a1, a2 = tokens[i], tokens[i + 1]
            if len(a1) >= 3 and len(a2) >= 3 and a1 not in stops and a2 not in stops:
                pairs[(a1, a2)] += 1
                if i + 2 < len(tokens):
                    a3 = tokens[i + 2]
                    if len(a3) >= 3 and a3 not in stops:
                        triples[(a1, a2, a3)] += 1
        if a.get("published"):
            dates.append(dt.date.fromisoformat(a["published"][:10]))

    def pick(seq, k):
        return rng.sample(sorted(seq), k)

    def companion(docs: list[int], word: str) -> str:
        """Another moderately frequent word of one of ``docs`` (so the pair has hits, as real queries do)."""
        for _ in range(20):
            words = sorted(set(doc_words[rng.choice(docs)]) & moderate - {word})
            if words:
                return rng.choice(words)
        return rng.choice(sorted(moderate))

    def docs_with(word: str) -> list[int]:
        return [i for i, ws in enumerate(doc_words) if word in ws]

    out: list[tuple[str, str]] = []
    moderate = {w for w, n in df.items() if 20 <= n <= 2000}

    # two_word: two of the most frequent moderate words of one article
    seen: set[str] = set()
    while sum(1 for c, _ in out if c == "two_word") < 40:
        words = sorted(w for w, _ in Counter(w for w in rng.choice(doc_words) if w in moderate).most_common(6))
        if len(words) < 2:
            continue
        q = " ".join(rng.sample(words, 2))
        if q not in seen:
            seen.add(q)
            out.append(("two_word", q))

    # phrase: frequent word pairs (24) and triples (6)
    for p in pick([p for p, n in pairs.items() if n >= 15], 24):
        out.append(("phrase", f'"{" ".join(p)}"'))
    for t in pick([t for t, n in triples.items() if n >= 8], 6):
        out.append(("phrase", f'"{" ".join(t)}"'))

    # title: title words, alone (15) or with a body word (10)
    title_words = [w for w, n in title_df.items() if 10 <= n <= 500]
    for w in pick(title_words, 15):
        out.append(("title", f"title:{w}"))
    for w in pick(title_words, 10):
        out.append(("title", f"title:{w} {companion(docs_with(w), w)}"))

    # date: a word within a range of 7, 14 or 31 days inside the corpus's dates
    first, last = min(dates), max(dates)
    date_words = [w for w, n in df.items() if 50 <= n <= 3000]
    for w in pick(date_words, 25):
        span = rng.choice((7, 14, 31))
        start = first + dt.timedelta(days=rng.randrange(max(1, (last - first).days - span)))
        end = start + dt.timedelta(days=span - 1)
        out.append(("date", f"{w} date:[{start.isoformat()} to {end.isoformat()}]"))

    # place / person: from the hand-assigned codes (searchapp's entity fields)
    gold = _gold_codes()
    index_of = {a["id"]: i for i, a in enumerate(articles)}
    place_docs: dict[str, list[int]] = {}
    person_docs: dict[str, list[int]] = {}
    for article_id, (pl, pe) in gold.items():
        if article_id in index_of:
            for code in pl:
                place_docs.setdefault(code, []).append(index_of[article_id])
            for code in pe:
                person_docs.setdefault(code, []).append(index_of[article_id])

    def place_name(code: str) -> str:
        name = _PLACE_NAMES.get(code, code.replace("-", " "))
        return f'"{name}"' if " " in name else name

    common_places = [c for c, docs in place_docs.items() if len(docs) >= 20]
    for i, code in enumerate(pick(common_places, 20)):
        extra = f" {companion(place_docs[code], '')}" if i % 2 else ""
        out.append(("place", f"place:{place_name(code)}{extra}"))
    common_people = [c for c, docs in person_docs.items() if len(docs) >= 5]
    for i, code in enumerate(pick(common_people, min(20, len(common_people)))):
        surname = code.split("-")[-1]
        extra = f" {companion(person_docs[code], surname)}" if i % 2 else ""
        out.append(("person", f"person:{surname}{extra}"))

    # rare: words in 2-5 articles, alone (15) or with a common word (10)
    rare = [w for w, n in df.items() if 2 <= n <= 5 and len(w) >= 5]
    top = [w for w, _ in df.most_common(80)]
    for w in pick(rare, 15):
        out.append(("rare", w))
    for w in pick(rare, 10):
        out.append(("rare", f"{w} {companion(docs_with(w), w)}"))

    # common: frequent words, alone (10) and in pairs (15)
    for w in pick(top[:40], 10):
        out.append(("common", w))
    for _ in range(15):
        a, b = rng.sample(top[:60], 2)
        out.append(("common", f"{a} {b}"))

    # long: 4-6 of one article's most frequent content words, shuffled
    while sum(1 for c, _ in out if c == "long") < 20:
        words = [w for w, _ in Counter(rng.choice(doc_words)).most_common(8) if df[w] >= 5]
        if len(words) < 6:
            continue
        k = rng.choice((4, 5, 6))
        out.append(("long", " ".join(rng.sample(words[:8], k))))
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(QUERIES_FILE))
    args = ap.parse_args(argv)
    queries = generate()
    header = [f"# The benchmark query set: {len(queries)} queries generated by `python -m bench.make_queries` "
              f"(seed {SEED})",
              f"# from the Reuters-21578 corpus in {REUTERS_DIR.name}/. Format: category<TAB>query (searchapp syntax).",
              "# Generated once and committed; regenerate only on purpose (results then stop being comparable)."]
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(header) + "\n")
        for category, q in queries:
            f.write(f"{category}\t{q}\n")
    counts = Counter(c for c, _ in queries)
    log(f"queries: wrote {len(queries)} to {args.out}: " + ", ".join(f"{c} {n}" for c, n in counts.items()))


if __name__ == "__main__":
    main()
