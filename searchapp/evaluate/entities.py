"""Measure the entity and source steps.

* ``evaluate_conll(path)`` -- CoNLL-2003 (``eng.testa``): document-level micro F1. For each document the
  SET of (type, name) over PER/LOC/ORG is compared with the gold set; counts are summed over documents.
  The document text is the tokens joined by spaces, one sentence per line, and goes through
  ``recognize()`` end to end; a predicted name is the mention's surface text, a gold name the gold tokens
  joined by spaces ("surface"). A second score applies the same canonicalisation (``gazetteer.canonical``)
  to both sides ("canonical").
* ``evaluate_reuters(dir)`` -- Reuters-21578: recall (and precision) of the hand-assigned PEOPLE, matched
  by last name, and PLACES, matched by country code (places are mapped to the corpus's 1987 country codes);
  plus the speed of the entity + sources steps in articles/s.

    python -m searchapp.evaluate.entities [--conll ../shared/data/conll2003/eng.testa]
                                          [--reuters ../shared/data/reuters21578] [--limit N]
"""
from __future__ import annotations

import argparse
import json
import time
import unicodedata
from collections import Counter
from pathlib import Path

from searchapp.article import Article
from searchapp.nlp import gazetteer
from searchapp.nlp.entities import LABELS, EntityStep, recognize, tagger
from searchapp.store.whoosh.peer import side_by_side

# --- CoNLL --------------------------------------------------------------------------------------


def _gold_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    from searchapp.nlp.entities import _spans_from_bio

    return _spans_from_bio(tags)


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _set_scores(pairs: list[tuple[set, set]]) -> dict:
    counts = {lab: [0, 0, 0] for lab in LABELS}
    for gold, pred in pairs:
        for lab in LABELS:
            g = {n for t, n in gold if t == lab}
            p = {n for t, n in pred if t == lab}
            counts[lab][0] += len(g & p)
            counts[lab][1] += len(p - g)
            counts[lab][2] += len(g - p)
    out = {lab: _prf(*c) for lab, c in counts.items()}
    out["overall"] = _prf(*(sum(c[i] for c in counts.values()) for i in range(3)))
    return out


def evaluate_conll(path: str | Path, model_path: str | None = None) -> dict:
    """Document-level micro P/R/F1 per type and overall on a CoNLL-2003 file (see module doc)."""
    from searchapp.nlp.train_ner import read_conll

    surface_pairs, canon_pairs = [], []
    n_docs = 0
    t0 = time.perf_counter()
    for doc in read_conll(path):
        n_docs += 1
        gold: set[tuple[str, str]] = set()
        for words, tags in doc:
            for lab, a, b in _gold_spans(tags):
                if lab in LABELS:
                    gold.add((lab, " ".join(words[a:b])))
        text = "\n".join(" ".join(words) for words, _ in doc)
        pred = {(m.label, " ".join(m.text.split())) for m in recognize(text, model_path=model_path)}
        surface_pairs.append((gold, pred))
        canon_pairs.append(({(t, gazetteer.canonical(t, n)) for t, n in gold},
                            {(t, gazetteer.canonical(t, n)) for t, n in pred}))
    return {
        "path": str(path),
        "documents": n_docs,
        "seconds": round(time.perf_counter() - t0, 2),
        "surface": _set_scores(surface_pairs),
        "canonical": _set_scores(canon_pairs),
    }


def conll_plain_text(doc: list[tuple[list[str], list[str]]]) -> str:
    """A CoNLL document as a reader sees an article: each sentence detokenised ("Japan 's" -> "Japan's",
    "U.S. ," -> "U.S.,"), one per line, the first line (usually a headline) first."""
    from nltk.tokenize.treebank import TreebankWordDetokenizer

    detok = TreebankWordDetokenizer()
    return "\n".join(detok.detokenize(words) for words, _ in doc) + "\n"


def _gold_names(doc: list[tuple[list[str], list[str]]]) -> set[tuple[str, str]]:
    """The gold (type, name) set as an article's name lists state it: canonical places and organisations,
    and a person's single-word mention merged into the full name it ends ("Lavrov" -> "Sergey Lavrov")."""
    mentions = []
    for words, tags in doc:
        for lab, a, b in _gold_spans(tags):
            if lab in LABELS:
                mentions.append((lab, " ".join(words[a:b])))
    full = [n for t, n in mentions if t == "PER" and " " in n]
    out = set()
    for lab, name in mentions:
        if lab == "PER" and " " not in name:
            name = max((f for f in full if f.split()[-1] == name), key=len, default=name)
        out.add((lab, gazetteer.canonical(lab, name)))
    return out


def evaluate_conll_extract(path: str | Path) -> dict:
    """What users get: every CoNLL document written as a plain-text file and read back through the
    readers and the enrichment pipeline (``searchapp extract``), scored on its people/places/orgs lists
    against the gold names (see ``_gold_names``). Skipped documents count as finding nothing."""
    import tempfile

    from searchapp.indexer import extract
    from searchapp.nlp.train_ner import read_conll

    docs = list(read_conll(path))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="searchapp-conll-") as tmp:
        for i, doc in enumerate(docs):
            Path(tmp, f"doc{i:04d}.txt").write_text(conll_plain_text(doc), encoding="utf-8")
        found: dict[int, set[tuple[str, str]]] = {}
        skipped = []
        for item in extract([tmp]):
            if isinstance(item, Article):
                found[int(item.id[3:])] = (
                    {("PER", gazetteer.canonical("PER", n)) for n in item.people}
                    | {("LOC", gazetteer.canonical("LOC", n)) for n in item.places}
                    | {("ORG", gazetteer.canonical("ORG", n)) for n in item.orgs})
            else:
                skipped.append(f"{Path(item.where).name}: {item.reason}")
    pairs = [(_gold_names(doc), found.get(i, set())) for i, doc in enumerate(docs)]
    return {"path": str(path), "documents": len(docs), "skipped": skipped,
            "seconds": round(time.perf_counter() - t0, 2), "scores": _set_scores(pairs)}


def evaluate_conll_tokens(path: str | Path, model_path: str | None = None) -> dict:
    """Mention-level (CoNLL-style exact span) F1 of the CRF alone on the gold tokenisation, for tuning."""
    from searchapp.nlp.entities import _spans_from_bio, model
    from searchapp.nlp.train_ner import read_conll

    tg, feat = model(model_path)
    counts = Counter()
    for doc in read_conll(path):
        feats = feat.document([w for w, _ in doc])
        for f, (words, tags) in zip(feats, doc):
            gold = set(_spans_from_bio(tags))
            pred = set(_spans_from_bio(tg.tag(f)))
            counts["tp"] += len(gold & pred)
            counts["fp"] += len(pred - gold)
            counts["fn"] += len(gold - pred)
    return _prf(counts["tp"], counts["fp"], counts["fn"])


# --- Reuters-21578 ------------------------------------------------------------------------------

# ISO codes whose Reuters-21578 (1987) place code is not the country's name.
_ISO_TO_REUTERS = {
    "US": "usa", "GB": "uk", "SU": "ussr", "RU": "ussr", "UA": "ussr", "BY": "ussr", "KZ": "ussr",
    "GE": "ussr", "AM": "ussr", "AZ": "ussr", "UZ": "ussr", "LT": "ussr", "LV": "ussr", "EE": "ussr",
    "MD": "ussr", "TJ": "ussr", "TM": "ussr", "KG": "ussr", "DE": "west-germany", "DD": "east-germany",
    "KR": "south-korea", "KP": "north-korea", "AE": "uae", "CI": "ivory-coast", "MM": "burma",
    "KH": "kampuchea", "CD": "zaire", "CG": "congo", "TT": "trinidad-tobago", "VA": "vatican",
    "WS": "western-samoa", "NL": "netherlands", "CZ": "czechoslovakia", "SK": "czechoslovakia",
    "CS": "czechoslovakia", "YU": "yugoslavia", "HR": "yugoslavia", "SI": "yugoslavia", "RS": "yugoslavia",
    "BA": "yugoslavia", "MK": "yugoslavia", "ME": "yugoslavia", "YE": "yemen-arab-republic",
    "CV": "cape-verde", "SZ": "swaziland", "VG": "british-virgin-islands", "VI": "us-virgin-islands",
    "AN": "netherlands-antilles", "MO": "macao", "AG": "antigua", "HK": "hong-kong", "PR": "usa",
}


def reuters_code(place: str, codes: set[str] | None = None) -> str | None:
    """Reuters-21578 country code of a place name ("Moscow" -> "ussr", "U.K." -> "uk"), if known."""
    rec = gazetteer.place_record(place)
    if rec is None or not rec[1]:
        return None
    iso = rec[1]
    if iso in _ISO_TO_REUTERS:
        return _ISO_TO_REUTERS[iso]
    name = rec[0] if rec[2] == "country" else _iso_country_name(iso)
    code = name.lower().replace(" ", "-") if name else None
    if codes is not None and code not in codes:
        return None
    return code


def _iso_country_name(iso: str) -> str | None:
    exact, _ = gazetteer._places()
    for canonical, code, kind, _pop in exact.values():
        if kind == "country" and code == iso:
            return canonical
    return None


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def _last_name(name: str) -> str:
    parts = _fold(name).replace("-", " ").replace(".", " ").split()
    return parts[-1] if parts else ""


def read_reuters(directory: str | Path, limit: int | None = None) -> list[Article]:
    """Articles with a body from ``reut2-*.sgm``, read by the project's Reuters reader (reflowed paragraphs,
    dateline, publisher "Reuters"); a minimal BeautifulSoup (html.parser, latin-1) reader if that is absent."""
    try:
        from searchapp.readers.reuters import read as project_read
    except ImportError:  # pragma: no cover
        project_read = None
    out: list[Article] = []
    for path in sorted(Path(directory).glob("reut2-*.sgm")):
        records = project_read(path) if project_read else _read_sgm(path)
        for a in records:
            if isinstance(a, Article) and a.body.strip():
                out.append(a)
                if limit and len(out) >= limit:
                    return out
    return out


def _read_sgm(path: Path) -> list[Article]:  # pragma: no cover - fallback only
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes().decode("latin-1"), "html.parser")
    out = []
    for node in soup.find_all("reuters"):
        body = node.find("body")
        if body is None:
            continue
        title = node.find("title")

        def codes(tag: str) -> list[str]:
            t = node.find(tag)
            return [d.get_text() for d in t.find_all("d")] if t else []

        out.append(Article(id=node.get("newid", ""), title=title.get_text().strip() if title else "",
                           body=body.get_text(), gold_people=codes("people"), gold_places=codes("places")))
    return out


def evaluate_reuters(directory: str | Path, limit: int | None = None, model_path: str | None = None) -> dict:
    """Recall/precision of gold PEOPLE (by last name) and PLACES (by country code), and speed."""
    from searchapp.nlp.sources import SourceStep

    directory = Path(directory)
    t0 = time.perf_counter()
    articles = read_reuters(directory, limit)
    read_s = time.perf_counter() - t0
    codes_file = directory / "all-places-strings.lc.txt"
    codes = {ln.strip() for ln in codes_file.read_text(encoding="latin-1").split()} if codes_file.exists() else None
    ent, src = EntityStep(model_path), SourceStep()
    tagger(model_path)  # load before timing
    ent(Article(id="warm", body="Warm up."))
    words = sum(len(a.body.split()) + len(a.title.split()) for a in articles)
    # best of 3 runs over chunks of 200 articles (first 2,000 only): what one quiet core does, since a busy
    # machine inflates single-pass timings
    best = []
    for i in range(0, min(len(articles), 2000), 200):
        chunk = articles[i:i + 200]
        runs = []
        for _ in range(3):
            c0 = time.process_time()
            for a in chunk:
                src(ent(a))
            runs.append((time.process_time() - c0) / len(chunk))
        best.append(min(runs))
    best.sort()
    best_ms = 1000 * best[len(best) // 2] if best else 0.0
    whoosh_ms, step_ms = side_by_side(articles[:1000], lambda a: src(ent(a)))
    t1, c1 = time.perf_counter(), time.process_time()
    for a in articles:
        src(ent(a))
    secs = time.perf_counter() - t1
    cpu = time.process_time() - c1
    ppl = Counter()
    plc = Counter()
    for a in articles:
        if a.gold_people:
            gold_last = {g.split("-")[-1] for g in a.gold_people}
            pred_last = {_last_name(p) for p in a.people}
            ppl["gold"] += len(gold_last)
            ppl["found"] += len(gold_last & pred_last)
            ppl["pred"] += len(pred_last)
            ppl["pred_ok"] += len(pred_last & gold_last)
            ppl["articles"] += 1
        pred_codes = {c for c in (reuters_code(p, codes) for p in a.places) if c}
        if a.gold_places:
            gold = set(a.gold_places)
            plc["gold"] += len(gold)
            plc["found"] += len(gold & pred_codes)
            plc["pred"] += len(pred_codes)
            plc["pred_ok"] += len(pred_codes & gold)
            plc["articles"] += 1

    def pr(c: Counter) -> dict:
        return {"articles": c["articles"], "gold": c["gold"],
                "recall": round(c["found"] / c["gold"], 4) if c["gold"] else 0.0,
                "predicted": c["pred"],
                "precision": round(c["pred_ok"] / c["pred"], 4) if c["pred"] else 0.0}

    return {
        "directory": str(directory),
        "articles": len(articles),
        "limit": limit,
        "avg_words": round(words / max(1, len(articles)), 1),
        "read_seconds": round(read_s, 1),
        "step_seconds": round(secs, 2),
        "articles_per_second": round(len(articles) / secs, 1) if secs else 0.0,
        "ms_per_article": round(1000 * secs / max(1, len(articles)), 3),
        "cpu_ms_per_article": round(1000 * cpu / max(1, len(articles)), 3),
        "best_of_3_ms_per_article": round(best_ms, 3),
        "plain_whoosh_ms_per_article": round(whoosh_ms, 3),
        "steps_ms_per_article_side_by_side": round(step_ms, 3),
        "steps_vs_plain_whoosh": round(step_ms / whoosh_ms, 2) if whoosh_ms else None,
        "people": pr(ppl),
        "places": pr(plc),
    }


# --- report -------------------------------------------------------------------------------------


def format_report(result: dict) -> str:
    lines = []
    conll = result.get("conll")
    if conll:
        lines.append(f"CoNLL-2003 {conll['path']}: {conll['documents']} documents, document-level micro "
                     f"P/R/F1 over (type, name) sets ({conll['seconds']} s)")
        for kind in ("surface", "canonical"):
            sc = conll[kind]
            lines.append(f"  {kind:<9}  " + "  ".join(
                f"{lab} P {sc[lab]['precision']:.3f} R {sc[lab]['recall']:.3f} F1 {sc[lab]['f1']:.3f}"
                for lab in (*LABELS, "overall")))
    ext = result.get("conll_extract")
    if ext:
        sc = ext["scores"]
        lines.append(f"CoNLL-2003 through `searchapp extract` (plain text, as indexing reads it): "
                     f"{ext['documents']} documents, {len(ext['skipped'])} skipped ({ext['seconds']} s)")
        lines.append("  names     " + "  ".join(
            f"{lab} P {sc[lab]['precision']:.3f} R {sc[lab]['recall']:.3f} F1 {sc[lab]['f1']:.3f}"
            for lab in (*LABELS, "overall")))
    reu = result.get("reuters")
    if reu:
        lines.append(f"Reuters-21578 {reu['directory']}: {reu['articles']} articles"
                     f"{' (limit %d)' % reu['limit'] if reu.get('limit') else ''}, {reu['avg_words']} words avg")
        for key in ("people", "places"):
            r = reu[key]
            lines.append(f"  {key:<7} recall {r['recall']:.3f} of {r['gold']} gold in {r['articles']} articles;"
                         f" precision {r['precision']:.3f} of {r['predicted']} predicted")
        lines.append(f"  speed   entities+sources {reu['articles_per_second']:.0f} articles/s "
                     f"({reu['ms_per_article']:.3f} ms/article wall, {reu['cpu_ms_per_article']:.3f} ms CPU;"
                     f" one process); best of 3 on 200-article chunks {reu['best_of_3_ms_per_article']:.3f} ms"
                     f" = {1000 / max(reu['best_of_3_ms_per_article'], 1e-9):.0f} articles/s")
        if reu.get("steps_vs_plain_whoosh"):
            lines.append(f"  vs plain Whoosh indexing, side by side on 1,000 articles: Whoosh "
                         f"{reu['plain_whoosh_ms_per_article']:.3f} ms/article, entities+sources "
                         f"{reu['steps_ms_per_article_side_by_side']:.3f} ms/article "
                         f"(ratio {reu['steps_vs_plain_whoosh']:.2f}; indexing with enrichment = "
                         f"{1 + reu['steps_vs_plain_whoosh']:.2f}x plain)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m searchapp.evaluate.entities", description=__doc__.split("\n")[0])
    p.add_argument("--conll", default="../shared/data/conll2003/eng.testa")
    p.add_argument("--reuters", default="../shared/data/reuters21578")
    p.add_argument("--limit", type=int, default=None, help="Reuters articles to use (default: all)")
    p.add_argument("--model", default=None)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    result = {}
    if args.conll and Path(args.conll).exists():
        result["conll"] = evaluate_conll(args.conll, args.model)
    if args.reuters and Path(args.reuters).is_dir():
        result["reuters"] = evaluate_reuters(args.reuters, args.limit, args.model)
    if not result:
        p.error("no data found (see --conll / --reuters)")
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
