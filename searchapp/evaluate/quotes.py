"""Measure quote extraction and speaker attribution (``searchapp.nlp.quotes``) on PolNeAR.

    python -m searchapp.evaluate.quotes [--split dev] [--polnear ../shared/data/polnear] [--entities]

Data. PolNeAR (brat standoff, one ``.ann`` per annotator). For an article with several ``.ann`` files
the first in file-name order is used (lowest annotator id), as in the corpus PROVENANCE counts; the
annotators are not merged. A ``T`` record's spans are ``start end`` pairs separated by ``;``; an ``E``
record ties Source, Cue and Content together (Source may be missing).

Definitions.

* **Direct gold quote**: a gold attribution whose Content (first span, leading spaces skipped) starts
  with an opening quote mark (“ " ‘ '), or whose first span is immediately preceded by one.
* **Match**: a predicted quote and a gold Content match when the characters they share are at least
  50% of the shorter of the two (the gold length is the sum of its spans, marks included).
* **Recall**: direct gold quotes matched by at least one predicted quote / direct gold quotes.
  ``recall_covered`` is stricter: the predicted quotes together cover at least half of the gold
  Content's characters (so a short predicted piece of a long gold quote is not enough).
* **Precision**: predicted quotes that match ANY gold Content (direct or indirect: a partial quote
  inside paraphrase is still a quote) / predicted quotes. PolNeAR does not annotate scare quotes, so
  ``precision_no_scare`` also leaves out predicted quotes of at most 3 words with speaker None (both
  numbers are reported).
* **Name source**: the gold Source contains a capitalised word that is not a pronoun, a title
  (Mr., Sen.) or a sentence-initial function word (The, His, ...). Its key (the last name) is the
  last word of the first piece of the source (split at commas, parentheses, who/which/of/from/at)
  that ends with such a word ("Mr. Trump" -> Trump, "Sen. Jeff Merkley of Oregon" -> Merkley,
  "Huma Abedin, vice chairwoman for Clinton’s campaign" -> Abedin, "Rep. Hunter’s chief of staff,
  Joe Kasper" -> Kasper), else the last such word anywhere with a possessive ’s removed
  ("Clinton’s campaign" -> Clinton).
* **Speaker accuracy**: over matched direct gold quotes with a name source, the share whose best
  matching predicted quote (largest overlap) has the key among the words of its speaker or mention.
* **Pronoun sources** (gold Source is he/she): the reference person is the key of the nearest gold
  Source with a name that starts before this quote's Source (any attribution of the same file); this
  is a proxy, since PolNeAR has no coreference. Reported: resolved to the reference, resolved to
  someone else, left None. They/we/I/it sources are counted and expected to stay None.
* **Reported speech** (PolNeAR's non-direct attributions: Content not opened by a quote mark): a
  predicted ``kind="indirect"`` quote matches a gold Content by the same 50%-of-the-shorter overlap rule.
  Recall: gold non-direct attributions matched / gold non-direct attributions; precision: predicted
  reported speech matching any gold Content / predicted reported speech; source overlaps: matched ones
  whose mention shares a character with the gold Source; speaker accuracy as for direct quotes, over
  matched ones with a name source, and over those of them whose Source overlaps a person the entity
  tagger finds in the article (a speaker is only ever a person: a poll or a committee can be right
  only through the words of the mention). The direct-quote numbers above count direct and mixed quotes only.
* **Folds** (``--folds K``): the train split's articles dealt round-robin (in name order) into K folds,
  each measured as a split with a reported-speech model trained on the other folds (``train_reported``;
  the shipped model was trained on all of train); the spread is the largest minus the smallest
  named-speaker accuracy.
* **Speed**: CPU time of ``extract_quotes`` alone, reported speech included (no entities, one core) over all texts of the
  split, best of 3 runs; and over Reuters-21578 bodies when ``reuters21578`` sits beside the
  PolNeAR folder.
"""
from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from searchapp.article import Quote
from searchapp.nlp.quotes import extract_quotes

OPEN_MARKS = "“\"‘'"
_WORD = re.compile(r"[^\W\d_][\w’'.\-]*")
_NOT_NAME = frozenset(
    """The A An This That These Those His Her Their Its Our My Your He She They We I It You Who Which
    One Some Many Most Both Another Other Such All Each Every Several Two Three But And Or So If When
    While As In On At For From With According Mr. Mrs. Ms. Dr. Sen. Rep. Gov. Gen. Mr Mrs Ms Dr Sen
    Rep Gov Gen President Secretary Senator Governor Speaker Minister Former Vice Rev. Rev Jr. Jr Sr. Sr
    II III IV""".split()
)
_PRONOUN_SOURCES = {"he", "she"}
_OTHER_PRONOUNS = {"they", "we", "i", "it", "you", "who", "which", "that"}


# --- reading ------------------------------------------------------------------------------------


def read_ann(path: str | Path) -> list[dict]:
    """Attributions of one brat file: dicts with 'source', 'cue', 'content' lists of (start, end)."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[dict[str, str]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("T"):
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    continue  # continuation of a multi-line covered text
                label, _, offsets = parts[1].partition(" ")
                try:
                    pairs = [tuple(int(x) for x in piece.split()) for piece in offsets.split(";")]
                except ValueError:
                    continue
                spans[parts[0]] = (label, [(a, b) for a, b in pairs])
            elif line.startswith("E"):
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    continue
                events.append(dict(item.split(":", 1) for item in parts[1].split() if ":" in item))
    out = []
    for ev in events:
        rec = {}
        for role in ("Source", "Cue", "Content"):
            ref = ev.get(role)
            if ref in spans:
                rec[role.lower()] = spans[ref][1]
        if "content" in rec:
            out.append(rec)
    return out


def load_split(polnear_dir: str | Path, split: str = "dev") -> list[tuple[str, str, list[dict]]]:
    """[(name, text, attributions)] for a split, one annotator file per text (the first by name)."""
    base = Path(polnear_dir)
    if (base / "data").is_dir():
        base = base / "data"
    d = base / split
    files: dict[str, list[str]] = {}
    for f in sorted(os.listdir(d / "attributions")):
        if f.endswith(".ann"):
            files.setdefault(f[:-4].rsplit("_", 1)[0], []).append(f)
    out = []
    for name, anns in sorted(files.items()):
        text_path = d / "text" / f"{name}.txt"
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf-8")
        out.append((name, text, read_ann(d / "attributions" / anns[0])))
    return out


# --- helpers ------------------------------------------------------------------------------------


def is_direct(text: str, content: list[tuple[int, int]]) -> bool:
    s = content[0][0]
    e = content[0][1]
    while s < e and text[s].isspace():
        s += 1
    return text[s : s + 1] in tuple(OPEN_MARKS) or (s > 0 and text[s - 1] in OPEN_MARKS)


def _overlap(a: int, b: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    shared = sum(max(0, min(b, e) - max(a, s)) for s, e in spans)
    return shared, sum(e - s for s, e in spans)


def matches(q: Quote, spans: list[tuple[int, int]]) -> int:
    """Shared characters when they are >= 50% of the shorter span, else 0."""
    shared, glen = _overlap(q.start, q.end, spans)
    shorter = min(q.end - q.start, glen)
    return shared if shorter > 0 and shared * 2 >= shorter else 0


def _strip_poss(w: str) -> str:
    return w[:-2] if w.endswith(("’s", "'s")) else w.rstrip("’'")


_HEAD_SPLIT = re.compile(r",|\(|\)| who | which | wearing | of | from | at ")


def _is_key(w: str) -> bool:
    return w[:1].isupper() and w not in _NOT_NAME and w.rstrip(".") not in _NOT_NAME


def name_key(source_text: str) -> str | None:
    """The last name in a gold source: the last word of the first piece of it (pieces are split at
    commas, parentheses and who/which/of/from/at) that ends with a capitalised word that is not a
    pronoun or title ("Sen. Jeff Merkley of Oregon" -> Merkley, "Hunter’s chief of staff, Joe
    Kasper" -> Kasper); else the last such word anywhere, possessive removed ("Clinton’s campaign"
    -> Clinton). None when the source has no such word (he, the campaign)."""
    for piece in _HEAD_SPLIT.split(source_text):
        words = [w for w in _WORD.findall(piece) if w.rstrip(".") not in ("Jr", "Sr", "II", "III", "IV")]
        if words:
            last = words[-1].rstrip(".’'") if not words[-1].endswith(".") or len(words[-1]) > 3 else words[-1]
            if _is_key(last) and not last.endswith(("’s", "'s")) and last not in _NOT_NAME:
                return last
    caps = [w for w in (_strip_poss(w) for w in _WORD.findall(source_text)) if _is_key(w)]
    return caps[-1] if caps else None


def _pred_words(q: Quote) -> set[str]:
    words = set()
    for s in (q.speaker or "", q.mention.text if q.mention else ""):
        words.update(_strip_poss(w) for w in _WORD.findall(s))
    return words


# --- evaluation ---------------------------------------------------------------------------------


def evaluate(
    polnear_dir: str | Path, split: str = "dev", *, entities: bool = False, details: bool = False, reuters: bool = True,
    data: list | None = None, speed: bool = True,
) -> dict:
    """Quote recall/precision and speaker accuracy on one PolNeAR split (definitions: module doc).

    With ``entities=True`` ``extract_quotes`` is given the article's entities
    (``searchapp.nlp.entities.recognize``); otherwise it runs on its own. The entities also tell which
    gold sources hold a person, for the reported-speech breakdown, either way.
    """
    from searchapp.nlp.entities import recognize

    data = load_split(polnear_dir, split) if data is None else data

    n_direct = n_recalled = n_covered = 0
    n_pred = n_pred_ok = n_pred_ns = n_pred_ns_ok = 0
    n_name = n_name_ok = 0
    pron = Counter()
    other_pron = Counter()
    errors: list[dict] = []
    n_quotes_total = 0
    ind = Counter()

    for name, text, recs in data:
        ents = recognize(text)
        found = extract_quotes(text, ents if entities else None, reported=True)
        preds = [q for q in found if q.kind != "indirect"]
        n_quotes_total += len(preds)
        all_content = [r["content"] for r in recs]
        people = [(e.start, e.end) for e in ents if e.label == "PER"]
        _score_indirect(text, recs, [q for q in found if q.kind == "indirect"], all_content, ind, errors, name, details,
                        people)
        for q in preds:
            ok = any(matches(q, c) for c in all_content)
            n_pred += 1
            n_pred_ok += ok
            scare = q.speaker is None and len(q.text.split()) <= 3
            if not scare:
                n_pred_ns += 1
                n_pred_ns_ok += ok
            if not ok and details:
                errors.append({"kind": "fp", "article": name, "quote": q.text[:80], "speaker": q.speaker})
        name_sources = sorted(
            (r["source"][0][0], k)
            for r in recs
            if r.get("source")
            for k in [name_key(" ".join(text[a:b] for a, b in r["source"]))]
            if k
        )
        for r in recs:
            if not is_direct(text, r["content"]):
                continue
            n_direct += 1
            scored = [(matches(q, r["content"]), q) for q in preds]
            scored = [(m, q) for m, q in scored if m]
            if not scored:
                if details:
                    s = r["content"][0][0]
                    errors.append({"kind": "fn", "article": name, "gold": text[s : s + 80]})
                continue
            n_recalled += 1
            covered = sum(_overlap(q.start, q.end, r["content"])[0] for _m, q in scored)
            n_covered += covered * 2 >= sum(e - s for s, e in r["content"])
            best = max(scored, key=lambda mq: mq[0])[1]
            if not r.get("source"):
                continue
            src_text = " ".join(text[a:b] for a, b in r["source"]).strip()
            key = name_key(src_text)
            low = src_text.lower()
            if key:
                n_name += 1
                ok = key in _pred_words(best)
                n_name_ok += ok
                if not ok and details:
                    errors.append({"kind": "speaker", "article": name, "gold": src_text, "pred": best.speaker,
                                   "mention": best.mention.text if best.mention else None, "quote": best.text[:60]})
            elif low in _PRONOUN_SOURCES:
                src_start = r["source"][0][0]
                refs = [k for s, k in name_sources if s < src_start]
                pron["total"] += 1
                if not refs:
                    pron["no_reference"] += 1
                    continue
                ref = refs[-1]
                if best.speaker is None:
                    pron["none"] += 1
                elif ref in _pred_words(best):
                    pron["right"] += 1
                else:
                    pron["wrong"] += 1
                    if details:
                        errors.append({"kind": "pronoun", "article": name, "gold": src_text, "ref": ref,
                                       "pred": best.speaker, "quote": best.text[:60]})
            elif low in _OTHER_PRONOUNS:
                other_pron["total"] += 1
                other_pron["none" if best.speaker is None else "named"] += 1

    # speed: extract_quotes alone, best of 3
    texts = [t for _n, t, _r in data]
    best_time = min(_timed(texts) for _ in range(3)) if speed else 0.0
    result = {
        "split": split,
        "articles": len(data),
        "entities": entities,
        "predicted_quotes": n_quotes_total,
        "direct_gold": n_direct,
        "recall": _ratio(n_recalled, n_direct),
        "recalled": n_recalled,
        "recall_covered": _ratio(n_covered, n_direct),
        "precision": _ratio(n_pred_ok, n_pred),
        "precision_correct": n_pred_ok,
        "precision_no_scare": _ratio(n_pred_ns_ok, n_pred_ns),
        "predicted_no_scare": n_pred_ns,
        "precision_no_scare_correct": n_pred_ns_ok,
        "speaker_accuracy": _ratio(n_name_ok, n_name),
        "speaker_name_sources": n_name,
        "speaker_correct": n_name_ok,
        "pronoun_he_she": {
            "total": pron["total"],
            "with_reference": pron["total"] - pron["no_reference"],
            "right": pron["right"],
            "wrong": pron["wrong"],
            "none": pron["none"],
            "right_rate": _ratio(pron["right"], pron["total"] - pron["no_reference"]),
            "right_when_resolved": _ratio(pron["right"], pron["right"] + pron["wrong"]),
        },
        "pronoun_other": dict(other_pron),
        "indirect": {
            "gold": ind["gold"],
            "predicted": ind["pred"],
            "recall": _ratio(ind["recalled"], ind["gold"]),
            "recalled": ind["recalled"],
            "precision": _ratio(ind["pred_ok"], ind["pred"]),
            "precision_correct": ind["pred_ok"],
            "source_overlap": _ratio(ind["source_ok"], ind["recalled"]),
            "speaker_accuracy": _ratio(ind["name_ok"], ind["name"]),
            "speaker_name_sources": ind["name"],
            "speaker_correct": ind["name_ok"],
            # the same, where the entity tagger finds a person in the gold source (a speaker is only ever
            # a person: a poll's or a committee's name can be right only through the mention)
            "speaker_accuracy_person_sources": _ratio(ind["person_ok"], ind["person"]),
            "speaker_person_sources": ind["person"],
            "speaker_person_correct": ind["person_ok"],
        },
        "articles_per_s": round(len(texts) / best_time, 1) if best_time else None,
        "ms_per_article": round(1000 * best_time / len(texts), 3) if texts else None,
    }
    reuters_dir = Path(polnear_dir).resolve().parent / "reuters21578"
    if reuters and reuters_dir.is_dir():
        bodies = reuters_bodies(reuters_dir)
        if bodies:
            t = min(_timed(bodies) for _ in range(3))
            result["reuters"] = {
                "articles": len(bodies),
                "articles_per_s": round(len(bodies) / t, 1),
                "ms_per_article": round(1000 * t / len(bodies), 4),
                "with_quotes": sum(1 for b in bodies if extract_quotes(b)),
            }
    if details:
        result["errors"] = errors
    return result


def _score_indirect(text: str, recs: list[dict], preds: list[Quote], all_content: list, ind: Counter,
                    errors: list[dict], name: str, details: bool, people: list[tuple[int, int]]) -> None:
    """Reported speech against PolNeAR's non-direct attributions (definitions: module doc)."""
    for q in preds:
        ind["pred"] += 1
        ok = any(matches(q, c) for c in all_content)
        ind["pred_ok"] += ok
        if not ok and details:
            errors.append({"kind": "indirect_fp", "article": name, "content": q.text[:80], "cue": q.cue})
    for r in recs:
        if is_direct(text, r["content"]):
            continue
        ind["gold"] += 1
        scored = [(m, q) for q in preds if (m := matches(q, r["content"]))]
        if not scored:
            if details:
                s = r["content"][0][0]
                errors.append({"kind": "indirect_fn", "article": name, "gold": text[s : s + 80]})
            continue
        ind["recalled"] += 1
        best = max(scored, key=lambda mq: mq[0])[1]
        if r.get("source") and best.mention and _overlap(best.mention.start, best.mention.end, r["source"])[0]:
            ind["source_ok"] += 1
        key = name_key(" ".join(text[a:b] for a, b in r["source"])) if r.get("source") else None
        if key:
            ind["name"] += 1
            ok = key in _pred_words(best)
            ind["name_ok"] += ok
            if any(_overlap(a, b, r["source"])[0] for a, b in people):
                ind["person"] += 1
                ind["person_ok"] += ok
            if not ok and details:
                errors.append({"kind": "indirect_speaker", "article": name, "gold": key, "pred": best.speaker,
                               "mention": best.mention.text if best.mention else None})


def folds(polnear_dir: str | Path, k: int = 5, split: str = "train") -> dict:
    """Named-speaker accuracy (direct and reported) on ``k`` folds of a split (articles dealt round-robin
    in name order), with the spread (largest minus smallest) and the mean. On train, each fold is read
    with a reported-speech model trained on the other folds (the shipped one has seen them all)."""
    data = load_split(polnear_dir, split)
    rows = []
    for f in range(k):
        with _model_without(data, f, k) if split == "train" else contextlib.nullcontext():
            r = evaluate(polnear_dir, split, data=data[f::k], reuters=False, speed=False)
        rows.append({"fold": f + 1, "articles": r["articles"], "speaker_accuracy": r["speaker_accuracy"],
                     "pronoun_right_rate": r["pronoun_he_she"]["right_rate"],
                     "indirect_recall": r["indirect"]["recall"], "indirect_precision": r["indirect"]["precision"],
                     "indirect_speaker_accuracy": r["indirect"]["speaker_accuracy"]})
    acc = [row["speaker_accuracy"] for row in rows]
    return {"split": split, "k": k, "folds": rows, "mean": round(sum(acc) / k, 4),
            "spread": round(max(acc) - min(acc), 4)}


@contextlib.contextmanager
def _model_without(data: list, f: int, k: int):
    from searchapp.nlp import train_reported
    from searchapp.nlp.quotes import learned

    with tempfile.TemporaryDirectory(prefix="searchapp-fold-") as tmp:
        model = Path(tmp) / "reported.crfsuite"
        train_reported.train([t for n, t in enumerate(data) if n % k != f], model)
        with learned.use_model(model):
            yield


def format_folds(result: dict) -> str:
    lines = [f"PolNeAR {result['split']}, {result['k']} folds: named-speaker accuracy mean {result['mean']:.3f}, "
             f"spread {result['spread']:.3f}"]
    for row in result["folds"]:
        lines.append(f"  fold {row['fold']} ({row['articles']} articles): named {row['speaker_accuracy']:.3f}  "
                     f"he/she right {_fmt(row['pronoun_right_rate'])}  reported recall "
                     f"{_fmt(row['indirect_recall'])} precision {_fmt(row['indirect_precision'])} "
                     f"named {_fmt(row['indirect_speaker_accuracy'])}")
    return "\n".join(lines)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _timed(texts: list[str]) -> float:
    """CPU seconds (this process) to run ``extract_quotes`` over ``texts``: steadier than wall time on
    a shared machine."""
    t0 = time.process_time()
    for t in texts:
        extract_quotes(t, reported=True)
    return time.process_time() - t0


_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)


def reuters_bodies(directory: str | Path) -> list[str]:
    """Article bodies of the Reuters-21578 SGML files (latin-1, entities unescaped)."""
    out = []
    for path in sorted(Path(directory).glob("reut2-*.sgm")):
        raw = path.read_bytes().decode("latin-1")
        out.extend(html.unescape(m.group(1)) for m in _BODY.finditer(raw))
    return out


def format_report(result: dict) -> str:
    p = result["pronoun_he_she"]
    i = result["indirect"]
    lines = [
        f"PolNeAR {result['split']}: {result['articles']} articles, "
        f"{result['direct_gold']} direct gold quotes, {result['predicted_quotes']} predicted quotes"
        f"{' (with entities)' if result.get('entities') else ''}",
        f"  quote recall (direct)           {result['recall']:.3f}  ({result['recalled']}/{result['direct_gold']})",
        f"  recall, >=50% of gold covered   {result['recall_covered']:.3f}",
        f"  quote precision (all)           {result['precision']:.3f}  ({result['precision_correct']}/{result['predicted_quotes']})",
        f"  precision w/o scare quotes      {result['precision_no_scare']:.3f}  "
        f"({result['precision_no_scare_correct']}/{result['predicted_no_scare']})",
        f"  speaker accuracy (names)        {result['speaker_accuracy']:.3f}  "
        f"({result['speaker_correct']}/{result['speaker_name_sources']})",
        f"  he/she sources                  {p['total']} ({p['with_reference']} with a reference): "
        f"right {p['right']}, wrong {p['wrong']}, none {p['none']}; "
        f"right rate {_fmt(p['right_rate'])}, right when resolved {_fmt(p['right_when_resolved'])}",
        f"  they/we/I/it/who sources        {result['pronoun_other']}",
        f"  reported speech (non-direct)    recall {_fmt(i['recall'])} ({i['recalled']}/{i['gold']}), precision "
        f"{_fmt(i['precision'])} ({i['precision_correct']}/{i['predicted']}), source overlaps "
        f"{_fmt(i['source_overlap'])}, named-speaker {_fmt(i['speaker_accuracy'])} "
        f"({i['speaker_correct']}/{i['speaker_name_sources']}; where the tagger finds a person in the source "
        f"{_fmt(i['speaker_accuracy_person_sources'])}, {i['speaker_person_correct']}/{i['speaker_person_sources']})",
        f"  speed (CPU, one core)           {result['articles_per_s']} articles/s "
        f"({result['ms_per_article']} ms/article)",
    ]
    if "reuters" in result:
        r = result["reuters"]
        lines.append(
            f"  speed, Reuters-21578            {r['articles_per_s']} articles/s ({r['ms_per_article']} ms/article, "
            f"{r['articles']} articles, {r['with_quotes']} with quotes)"
        )
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m searchapp.evaluate.quotes", description=__doc__.split("\n")[0])
    ap.add_argument("--polnear", default=str(Path("..") / "shared" / "data" / "polnear"))
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    ap.add_argument("--entities", action="store_true", help="give extract_quotes the entities of searchapp.nlp.entities")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--folds", type=int, default=0, metavar="K", help="also K folds of train: each fold and the spread")
    ap.add_argument("--errors", type=int, default=0, metavar="N", help="print N errors of each kind (to stdout only)")
    args = ap.parse_args(argv)
    if not Path(args.polnear).is_dir():
        print(f"PolNeAR not found at {args.polnear}", file=sys.stderr)
        return 2
    result = evaluate(args.polnear, args.split, entities=args.entities, details=bool(args.errors))
    errors = result.pop("errors", [])
    print(json.dumps(result, indent=2) if args.json else format_report(result))
    if args.folds:
        cv = folds(args.polnear, args.folds)
        print(json.dumps(cv, indent=2) if args.json else format_folds(cv))
    if args.errors:
        seen = Counter()
        for e in errors:
            if seen[e["kind"]] < args.errors:
                seen[e["kind"]] += 1
                print(json.dumps(e, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
