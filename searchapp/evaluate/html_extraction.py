"""Main-text extraction quality of the HTML reader on the Scrapinghub article-extraction-benchmark.

The benchmark (``../shared/data/html-pages/extraction-benchmark``) holds gzipped pages
``html/<sha256>.html.gz`` (120 in the current copy) and ``ground-truth.json`` =
``{sha256: {"articleBody": ..., "url": ...}}``.

Metric (token-level precision/recall like the benchmark's; its own evaluation code, which compares 4-gram
shingles, is not in the copy): both texts are tokenized into words with the regular expression ``\\w+`` (that is: split on whitespace *and* punctuation, punctuation dropped; case kept).
Per page, precision and recall are computed on the multiset (bag) of tokens: true positives are
``sum(min(count_pred[t], count_true[t]))``. A page whose prediction is empty has precision 0 and recall 0.
Precision and recall are averaged over pages; ``f1`` is the harmonic mean of the two averages.
``mean_page_f1`` is the average of the per-page F1 scores. ``baseline_get_text_f1`` is the same F1 for
BeautifulSoup's ``get_text()`` of the whole page (scripts and styles removed), the "dump everything" baseline.

Run: ``python -m searchapp.evaluate.html_extraction [DIR]`` (DIR defaults to
``../shared/data/html-pages/extraction-benchmark`` relative to the current directory).
"""
from __future__ import annotations

import gzip
import json
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

from searchapp.readers.html import decode_html, parse_html

DEFAULT_DIR = Path("..") / "shared" / "data" / "html-pages" / "extraction-benchmark"

_TOKEN_RE = re.compile(r"\w+")


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def page_scores(predicted: str, truth: str) -> tuple[float, float]:
    """(precision, recall) of the bag of tokens of ``predicted`` against ``truth``."""
    pred = Counter(tokenize(predicted))
    true = Counter(tokenize(truth))
    if not pred and not true:
        return 1.0, 1.0
    if not pred or not true:
        return 0.0, 0.0
    tp = sum((pred & true).values())
    return tp / sum(pred.values()), tp / sum(true.values())


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _summary(pairs: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    n = len(pairs) or 1
    precision = sum(p for p, _ in pairs) / n
    recall = sum(r for _, r in pairs) / n
    mean_page_f1 = sum(_f1(p, r) for p, r in pairs) / n
    return precision, recall, _f1(precision, recall), mean_page_f1


def load_benchmark(data_dir: Path) -> list[tuple[str, bytes, str]]:
    """[(sha, html bytes, ground-truth body)] in sha order."""
    data_dir = Path(data_dir)
    truth = json.loads((data_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for sha in sorted(truth):
        path = data_dir / "html" / f"{sha}.html.gz"
        pages.append((sha, gzip.decompress(path.read_bytes()), truth[sha].get("articleBody") or ""))
    return pages


def _get_text_baseline(data: bytes) -> str:
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(decode_html(data), "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    return soup.get_text(" ")


def evaluate(data_dir: Path, *, extract: Callable[[bytes], str] | None = None,
             baseline: bool = True, per_page: bool = False) -> dict:
    """Score the HTML reader's body extraction on the benchmark in ``data_dir``.

    Returns pages, precision, recall, f1, mean_page_f1, baseline_get_text_f1 (None if ``baseline`` is
    False), seconds and pages_per_second (for the extraction only, parsing included); with ``per_page``
    also ``page_scores``: {sha: (precision, recall)}.
    """
    extract = extract or (lambda data: parse_html(data).body)
    pages = load_benchmark(data_dir)
    if not pages:
        raise ValueError(f"no pages in {data_dir}")
    scores: dict[str, tuple[float, float]] = {}
    start = time.perf_counter()
    for sha, data, truth in pages:
        scores[sha] = page_scores(extract(data), truth)
    seconds = time.perf_counter() - start
    precision, recall, f1, mean_page_f1 = _summary(list(scores.values()))
    result: dict = {
        "pages": len(pages),
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "mean_page_f1": mean_page_f1,
        "baseline_get_text_f1": None,
        "seconds": seconds,
        "pages_per_second": len(pages) / seconds if seconds else float("inf"),
    }
    if baseline:
        base = [page_scores(_get_text_baseline(data), truth) for _, data, truth in pages]
        result["baseline_get_text_f1"] = _summary(base)[2]
    if per_page:
        result["page_scores"] = scores
    return result


def format_report(result: dict) -> str:
    lines = [
        f"HTML main-text extraction, {result['pages']} pages (bag of \\w+ tokens, per-page P/R averaged)",
        f"  precision     {result['precision']:.4f}",
        f"  recall        {result['recall']:.4f}",
        f"  F1            {result['f1']:.4f}",
        f"  mean page F1  {result['mean_page_f1']:.4f}",
    ]
    if result.get("baseline_get_text_f1") is not None:
        lines.append(f"  baseline F1   {result['baseline_get_text_f1']:.4f}  (whole-page get_text())")
    lines.append(f"  speed         {result['pages_per_second']:.1f} pages/s ({result['seconds']:.1f} s)")
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = Path(args[0]) if args else DEFAULT_DIR
    if not (data_dir / "ground-truth.json").is_file():
        print(f"no benchmark at {data_dir} (expected ground-truth.json and html/)", file=sys.stderr)
        return 2
    print(format_report(evaluate(data_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
