"""Snippets: the window with the most matches, cut at words."""
import random

from searchapp.search import snippets


def test_snippet_window_is_the_one_with_most_matches():
    """The bisection in snippet_of picks the same window as counting the matches after every start."""
    def counted(text, spans, width=snippets.SNIPPET_CHARS):  # the window choice, one count per start
        best_start, best_count = spans[0][0], 0
        for i, (start, _) in enumerate(spans):
            count = sum(1 for _, e in spans[i:] if e <= start + width)
            if count > best_count:
                best_start, best_count = start, count
        return best_start

    rng = random.Random(3)
    words = [rng.choice(["troops", "said", "Moscow", "the", "talks", "a", "Lavrov"]) for _ in range(400)]
    text = " ".join(words)
    starts = [sum(len(w) + 1 for w in words[:i]) for i in range(len(words))]
    for _ in range(200):
        picked = sorted(rng.sample(range(len(words)), rng.randint(1, 80)))
        spans = [(starts[i], starts[i] + len(words[i])) for i in picked]
        begin = snippets.cut_left(text, max(0, counted(text, spans) - snippets.SNIPPET_CHARS // 4))
        shown = "".join(seg.text for seg in snippets.snippet_of(text, spans))
        assert shown.lstrip("…").startswith(text[begin:begin + 20])
