"""Train the CRF behind ``searchapp.nlp.entities`` on CoNLL-2003 (English).

    python -m searchapp.nlp.train_ner                      # ../shared/data/conll2003/eng.{train,testa}
    python -m searchapp.nlp.train_ner --train T --dev D --model searchapp/models/ner.crfsuite

Only the WORD and NE columns are used (POS/CHUNK are not available for run-time text). IOB1 tags are
converted to BIO. MISC is learnt (so that "Russian" is not a place) and dropped at run time. The dev set is
only used for reporting; the shipped model is trained on ``eng.train`` alone with the fixed settings below,
so the same command reproduces it.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Iterator

from searchapp.nlp.entities import MODEL_PATH, Featurizer, lexicon_path, unload

PARAMS = {
    "c1": 0.05,
    "c2": 0.01,
    "max_iterations": 200,
    "feature.possible_transitions": True,
}
MIN_FREQ = 1


def read_conll(path: str | Path) -> Iterator[list[tuple[list[str], list[str]]]]:
    """Documents of (words, BIO tags) sentences."""
    doc: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []

    def flush_sentence():
        nonlocal words, tags
        if words:
            doc.append((words, iob1_to_bio(tags)))
        words, tags = [], []

    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line.startswith("-DOCSTART-"):
                flush_sentence()
                if doc:
                    yield doc
                doc = []
                continue
            if not line:
                flush_sentence()
                continue
            cols = line.split()
            words.append(cols[0])
            tags.append(cols[-1])
    flush_sentence()
    if doc:
        yield doc


def lowercase_lexicon(docs, min_count: int = 2) -> set[str]:
    """Words seen in lower case at least ``min_count`` times and more often than capitalised (outside
    ALL-CAPS lines and sentence starts)."""
    from collections import Counter

    lower: Counter = Counter()
    upper: Counter = Counter()
    for doc in docs:
        for words, _tags in doc:
            if not any(w.upper() != w for w in words):
                continue  # an ALL-CAPS line says nothing about case
            for w in words[1:]:
                if w[:1].islower():
                    lower[w] += 1
                elif w[:1].isupper():
                    upper[w.lower()] += 1
    return {w for w, n in lower.items() if n >= min_count and n > upper[w] and any(c.isalpha() for c in w)}


def iob1_to_bio(tags: list[str]) -> list[str]:
    out = []
    prev = "O"
    for t in tags:
        if t == "O":
            out.append(t)
        else:
            bio, label = t.split("-", 1)
            if bio == "B" or prev == "O" or prev.split("-", 1)[1] != label:
                out.append("B-" + label)
            else:
                out.append("I-" + label)
        prev = t
    return out


def train(train_path: str | Path, dev_path: str | Path | None, model_path: str | Path = MODEL_PATH,
          params: dict | None = None, verbose: bool = False) -> dict:
    """Train on ``train_path``, write ``model_path``, and report token counts, timing and dev scores."""
    import pycrfsuite

    t0 = time.perf_counter()
    docs = list(read_conll(train_path))
    lexicon = lowercase_lexicon(docs)
    model_path = Path(model_path)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lexicon_path(model_path), "w", encoding="utf-8") as fh:
        fh.write("# words written in lower case more often than capitalised mid-sentence in the NER training"
                 " data; used to truecase ALL-CAPS headlines\n")
        fh.write("\n".join(sorted(lexicon)) + "\n")
    feat = Featurizer(None, lexicon)
    trainer = pycrfsuite.Trainer(verbose=verbose)
    trainer.select("lbfgs", "crf1d")
    trainer.set_params({**PARAMS, **(params or {})})
    n_sent = n_tok = n_doc = 0
    for doc in docs:
        n_doc += 1
        feats = feat.document([w for w, _ in doc])
        for f, (words, tags) in zip(feats, doc):
            trainer.append(f, tags)
            n_sent += 1
            n_tok += len(words)
    tmp = model_path.with_name(model_path.name + ".tmp")
    trainer.train(str(tmp))
    tmp.replace(model_path)
    unload()
    result = {
        "train_documents": n_doc,
        "train_sentences": n_sent,
        "train_tokens": n_tok,
        "params": {**PARAMS, **(params or {})},
        "model_path": str(model_path),
        "model_bytes": model_path.stat().st_size,
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    if dev_path:
        from searchapp.evaluate.entities import evaluate_conll, evaluate_conll_tokens

        result["dev_token_level"] = evaluate_conll_tokens(dev_path, model_path=str(model_path))
        result["dev"] = evaluate_conll(dev_path, model_path=str(model_path))
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m searchapp.nlp.train_ner", description=__doc__.split("\n")[0])
    p.add_argument("--train", default="../shared/data/conll2003/eng.train")
    p.add_argument("--dev", default="../shared/data/conll2003/eng.testa")
    p.add_argument("--model", default=str(MODEL_PATH))
    p.add_argument("--c1", type=float, default=PARAMS["c1"])
    p.add_argument("--c2", type=float, default=PARAMS["c2"])
    p.add_argument("--iterations", type=int, default=PARAMS["max_iterations"])
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    result = train(args.train, args.dev or None, args.model,
                   {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations}, verbose=args.verbose)
    import json

    dev = result.pop("dev", None)
    print(json.dumps(result, indent=2))
    if dev:
        from searchapp.evaluate.entities import format_report

        print(format_report({"conll": dev}))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
