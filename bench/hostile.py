"""Hostile input, generated here (never copied from anywhere): the cases of issue #12.

* `issue_corpus(root)`: a folder with one of every kind, small (tests/test_hostile_input.py indexes it
  beside the README's list, `tests.test_reliability.hostile_folder`), and what must become of each.
* `LARGE_CASES`: one big input each, up to the article limit and past it (bench/memory.py measures
  peak memory and time of `index build` and `index add` on each).
"""
from __future__ import annotations

import itertools
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

MiB = 1 << 20
GOOD_BODY = "The harbour council approved the {} plan on Monday after a long debate, officials said."


@dataclass
class Expected:
    """What indexing a generated folder must give. Report locations are relative to its root."""

    good: set[str] = field(default_factory=set)  # ids that must be indexed
    bad: dict[str, str] = field(default_factory=dict)  # where (file[:line]) -> a fragment of the reason
    partial: dict[str, str] = field(default_factory=dict)  # id -> a fragment of the note


# -- text generators ---------------------------------------------------------------------------------

_SYLLABLES = ["ba", "ko", "ri", "tan", "mel", "sor", "vi", "den", "lu", "par", "gus", "ten", "mo", "ral",
              "shi", "fen", "dro", "ka", "ple", "nor"]


def prose(nbytes: int, seed: int = 1) -> str:
    """About ``nbytes`` of news-like prose in paragraphs: made-up words with a Zipf distribution over
    a 30,000-word vocabulary (as many distinct words and word pairs as real text), quotes with
    speakers, names. Deterministic for a seed."""
    rng = random.Random(seed)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < 30_000:
        w = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    cumulative = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    names = [f"{a.title()} {b.title()}" for a, b in zip(words[500:560], words[900:960])]
    paragraphs, size = [], 0
    while size < nbytes:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            s = " ".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(6, 22))).capitalize()
            r = rng.random()
            sentences.append(f'"{s}," {rng.choice(names)} said.' if r < 0.25
                             else f'{rng.choice(names)} said: "{s}."' if r < 0.35 else s + ".")
        paragraphs.append(" ".join(sentences))
        size += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def tag_soup(nbytes: int, seed: int = 2) -> str:
    """An HTML page of about ``nbytes`` that is nearly all tags, never closed: a tree of ~10 bytes a node."""
    rng = random.Random(seed)
    tags = ["div", "span", "b", "i", "p", "a", "li", "td", "font", "em"]
    parts, size = ["<html><head><title>Soup</title></head><body>"], 0
    while size < nbytes:
        parts.append(f"<{rng.choice(tags)} class=c{rng.randint(0, 9)}>w{rng.randint(0, 99)} ")
        size += len(parts[-1])
    return "".join(parts) + "</body></html>"


def reuters_record(newid: int, body: str, title: str = "Council plan") -> str:
    return (f'<REUTERS TOPICS="NO" NEWID="{newid}">\n<DATE>26-FEB-1987 15:01:01.79</DATE>\n'
            f"<TEXT>\n<TITLE>{title}</TITLE>\n<BODY>{body}</BODY></TEXT>\n</REUTERS>\n")


def html_page(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in body.split("\n\n"))
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>\n{paragraphs}</article></body></html>"


# -- the small corpus --------------------------------------------------------------------------------

def _jsonl_lines(long_line_bytes: int) -> tuple[list[bytes], Expected]:
    """The feed: good lines around every kind of bad one. Returns the lines and what must come of them."""
    exp = Expected()
    lines: list[bytes] = []

    def good(i: int, **extra) -> None:
        record = {"id": f"j{i}", "title": f"Story {i}", "body": GOOD_BODY.format(f"j{i}"), **extra}
        lines.append(json.dumps(record).encode())
        exp.good.add(f"j{i}")

    def bad(line: bytes | str, reason: str) -> None:
        lines.append(line.encode() if isinstance(line, str) else line)
        exp.bad[f"feed.jsonl:{len(lines)}"] = reason
        good(len(lines) + 1)  # the next line is read as if nothing happened

    good(1)
    body = '"body": "The council met."'
    bad('{"id": "c\\ud800", "title": "Lone surrogate", ' + body + "}", "lone surrogate")
    bad(json.dumps({"id": "spk", "body": "He said hi.", "quotes": [{"text": "hi", "start": 8, "end": 10, "speaker": 7}]}),
        "'speaker' must be a string or null, not a number")
    bad('{"id": "q1", "quotes": [1], ' + body + "}", "quote 1: must be an object, not a number")
    bad('{"id": "q2", "quotes": [null], ' + body + "}", "quote 1: must be an object, not null")
    bad('{"id": "d1", "published": "9999-12-31T23:59:59-14:00", ' + body + "}", "outside the years 1 to 9999")
    bad('{"id": "d2", "published": "0001-01-01T00:00:00+05:00", ' + body + "}", "outside the years 1 to 9999")
    bad('{"id": "inf", "quotes": [{"text": "x", "start": Infinity, "end": 1}], ' + body + "}", "Infinity is not a JSON number")
    bad("[" * 100_000, "nested too deeply")
    bad('{"id": "deep", ' + body + ', "extra": ' + '{"k": ' * 5000 + "1" + "}" * 5000 + "}", "nested too deeply")
    bad('{"id": 12, ' + body + "}", "field 'id' must be a string, not a number")
    bad('{"id": true, ' + body + "}", "field 'id' must be a string, not true")
    bad('{"id": "nan", "body": NaN}', "NaN is not a JSON number")
    bad('{"id": "num", "body": 3.5}', "field 'body' must be a string, not a number")
    bad('{"id": "   ", ' + body + "}", "the id is blank")
    bad('{"id": "nothing", "title": " ", "body": ""}', "empty article")
    bad(b'{"id": "latin", "body": "caf\xe9"}', "not UTF-8")
    bad("{broken", "invalid JSON")
    bad('{"id": "big", "body": "' + "x" * long_line_bytes + '"}', "line longer than the")
    good(len(lines) + 1, byline="By Jane Doe")
    return lines, exp


def issue_corpus(root: Path, long_line_bytes: int = 9 * MiB) -> Expected:
    """Every case of the issue, small, in ``root`` (created): good articles around bad ones."""
    root.mkdir(parents=True)
    exp = Expected()
    lines, feed = _jsonl_lines(long_line_bytes)
    (root / "feed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    exp.good |= feed.good
    exp.bad.update(feed.bad)

    # File names: bytes that are not UTF-8, a newline. Indexed, with the name made printable as the id.
    story = "Plan\n\nThe council approved the plan on Monday.\n"
    (root / os.fsdecode(b"bad\xff.txt")).write_bytes(story.encode())
    exp.good.add("bad\\xff")
    (root / "new\nline.txt").write_text(story)
    exp.good.add("new\\nline")
    # ... and bad files with such names: the report stays one line each.
    (root / os.fsdecode(b"empty\xfe.txt")).write_bytes(b"")
    exp.bad["empty\\xfe.txt"] = "empty file"
    (root / "empty\nname.txt").write_bytes(b"")
    exp.bad["empty\\nname.txt"] = "empty file"
    # Encodings: UTF-16 without a byte order mark; one NUL byte in an HTML page.
    (root / "utf16le.txt").write_bytes(GOOD_BODY.format("utf16").encode("utf-16-le"))
    exp.good.add("utf16le")
    (root / "utf16be.txt").write_bytes(GOOD_BODY.format("utf16be").encode("utf-16-be"))
    exp.good.add("utf16be")
    (root / "nul.html").write_bytes(html_page("One NUL", GOOD_BODY.format("nul") + "\x00 It was fine.").encode())
    exp.good.add("nul")
    # FIFOs named like articles: refused before anything opens them (else build and add hang).
    for name in ("fifo.jsonl", "fifo.txt"):
        os.mkfifo(root / name)
        exp.bad[name] = "not a regular file (a FIFO)"
    # Tag soup past the tag limit: indexed with the page's whole text, and said so.
    (root / "soup.html").write_text(tag_soup(600_000))
    exp.good.add("soup")
    exp.partial["soup"] = "main text not extracted"
    # Reuters: a record of too many tags, one past the size limit, good ones around them.
    with open(root / "records.sgm", "w", encoding="latin-1") as f:
        f.write('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n')
        f.write(reuters_record(1, GOOD_BODY.format("first")))
        exp.bad["records.sgm:8"] = "tags, over the 1,000 a Reuters record may have"
        f.write(reuters_record(2, "<b>x</b> " * 1500))
        exp.bad["records.sgm:14"] = "record over the 8 MiB article limit"
        f.write(reuters_record(3, (GOOD_BODY.format("huge") + "\n") * (9 * MiB // len(GOOD_BODY))))
        f.write(reuters_record(4, GOOD_BODY.format("after")))
    exp.good |= {"reuters-1", "reuters-4"}
    return exp


# -- the large cases (bench/memory.py) -----------------------------------------------------------------

def _write_reuters_60mb(path: Path) -> None:
    with open(path, "w", encoding="latin-1") as f:
        f.write(reuters_record(1, GOOD_BODY.format("before")))
        f.write('<REUTERS TOPICS="NO" NEWID="2">\n<TEXT><TITLE>Huge</TITLE><BODY>')
        chunk = GOOD_BODY.format("huge") * 1000
        for _ in range(60 * 1000 * 1000 // len(chunk)):
            f.write(chunk)
        f.write("</BODY></TEXT>\n</REUTERS>\n")
        f.write(reuters_record(3, GOOD_BODY.format("after")))


def _write_prose(suffix: str, nbytes: int = 7_900_000) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        text = prose(nbytes)
        if suffix == ".txt":
            path.write_text("A long report\n\n" + text)
        elif suffix == ".html":
            path.write_text(html_page("A long report", text))
        else:
            path.write_text(json.dumps({"id": "long-report", "title": "A long report", "body": text}) + "\n")
    return write


# name -> (file name, writer, what may happen: "indexed", "partial" (indexed without some extraction: a
# step over its budget or a body over the enrichment limit) or "skipped" (reported; the file's other
# articles indexed))
LARGE_CASES: dict[str, tuple[str, Callable[[Path], None], tuple[str, ...]]] = {
    "reuters-60mb-record": ("huge.sgm", _write_reuters_60mb, ("skipped",)),
    "tag-soup-7.5mb-html": ("soup.html", lambda p: p.write_text(tag_soup(int(7.5 * 1000 * 1000))), ("partial",)),
    "prose-7.9mb-txt": ("prose.txt", _write_prose(".txt"), ("partial",)),
    "prose-7.9mb-html": ("prose.html", _write_prose(".html"), ("partial",)),
    "prose-7.9mb-jsonl": ("prose.jsonl", _write_prose(".jsonl"), ("partial",)),
    # Markup nested 100,000 deep (a parser that recursed would fail; one that walked it badly, crawl).
    "nested-divs-100k-html": ("nested.html", lambda p: p.write_text(
        "<html><body>" + "<div>" * 100_000 + "<p>deep words at the bottom</p>" + "</div>" * 100_000 + "</body></html>"),
        ("indexed", "partial", "skipped")),
    # Just under the enrichment limit: the most text every step runs on (each within its budget, or not).
    "prose-0.25mb-txt": ("prose.txt", _write_prose(".txt", 260_000), ("indexed", "partial")),
}
