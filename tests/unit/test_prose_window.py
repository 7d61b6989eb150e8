"""A prose hover reads the lines around only when, and only as far as, the phrase covering the
word could reach them; it finds what reading every line its phrases may run into finds, on real
files and the benchmark's (every word of every line) and on lines made of phrases broken across
lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.spotting import MAX_JOINED_LINES, PROSE, Spot, Spotter
from transformers_glossary_ls.spotting.phrases import match_covering
from transformers_glossary_ls.vocabulary.model import SILENT

from .conftest import UPSTREAM, analysis_of, benchmark_corpus, make_doc


def every_line_read(spotter: Spotter, line_no: int, index: int, view) -> Spot | None:
    """The prose spot found from every line its phrases may run into (as it was found)."""
    above = []
    current = view
    for n in range(line_no - 1, max(-1, line_no - 1 - MAX_JOINED_LINES), -1):
        if not current.joins_previous:
            break
        current = spotter.view(n)
        above.append((n, current))
    below = []
    for n in range(line_no + 1, min(spotter.doc.line_count, line_no + 1 + MAX_JOINED_LINES)):
        next_view = spotter.view(n)
        if not next_view.joins_previous:
            break
        below.append((n, next_view))
    words, previous, target = [], None, -1
    for n, line_view in [*reversed(above), (line_no, view), *below]:
        joined = previous is not None and spotter._ends_open(previous[0], previous[1], words)
        line_words = spotter._line_words(n, line_view, joined)
        if n == line_no:
            for k, word in enumerate(line_words):
                if word.start <= index < word.end or (target < 0 and word.end == index):
                    target = len(words) + k
        words += line_words
        previous = (n, line_view)
    if target < 0:
        return None
    found = match_covering(words, target, spotter.vocab)
    if found is None or found[0] is SILENT:
        return None
    entry, i, j = found
    return Spot(entry, words[i].line, words[i].start, words[j].line, words[j].end, PROSE)


def assert_same_everywhere(text: str, language: str, vocab) -> int:
    analysis = analysis_of(make_doc(text, language))
    spotter = Spotter(analysis, vocab)
    checked = 0
    for line in range(analysis.doc.line_count):
        view = spotter.view(line)
        words = spotter._line_words(line, view, False)
        for index in sorted({w.start for w in words} | {w.end for w in words}):
            expected = every_line_read(spotter, line, index, view)
            assert spotter._prose(line, index, view) == expected, (line, index)
            checked += expected is not None
    return checked


PROSE_FILES = sorted([*UPSTREAM.glob("*/*.md"), *UPSTREAM.glob("*/*.mdx")])


@pytest.mark.parametrize("path", PROSE_FILES, ids=lambda p: p.name)
def test_same_phrases_in_real_files(path, vocab):
    assert_same_everywhere(path.read_text(encoding="utf-8"), "markdown", vocab)


def test_same_phrases_in_the_benchmark_files(vocab):
    """The benchmark's generated Markdown and Python (its prose hovers are what it times)."""
    corpus = benchmark_corpus()
    assert assert_same_everywhere(corpus.md.text, "markdown", vocab) > 100
    assert assert_same_everywhere(corpus.py.text, "python", vocab) > 100


def test_same_phrases_in_python_comments_and_docstrings(vocab):
    for path in sorted(UPSTREAM.glob("*/*.py")):
        assert_same_everywhere(path.read_text(encoding="utf-8"), "python", vocab)


_WORDS = st.sampled_from(
    [
        "causal",
        "language",
        "modeling",
        "attention",
        "mask",
        "self-attention",
        "the",
        "a",
        "masked",
        "model",
        "*",
        "_",
        "`x`",
        "token",
        "type",
        "ids",
        "MLM",
        "seq2seq",
        "\n",
        "\n\n",
        "-",
        "  ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(text=st.lists(_WORDS, min_size=1, max_size=40).map(" ".join))
def test_same_phrases_broken_across_lines(text, vocab):
    assert_same_everywhere(text, "markdown", vocab)


@pytest.mark.parametrize("stop", ["", "."], ids=["open", "sentence-end"])
@pytest.mark.parametrize("language", ["markdown", "python"])
def test_same_phrases_for_every_break_of_the_longest_phrases(language, stop, vocab):
    """The longest phrases, broken across one or two lines at every place, with a few words
    before and after, hovered at every word: the window's edges. With a sentence ending at
    the first break, the phrase must not join across it."""
    longest = sorted(vocab.phrases, key=len, reverse=True)[:4]
    found = 0
    for phrase in longest:
        for lead in range(0, 4):
            for cut in range(1, len(phrase)):
                for second in range(cut, len(phrase)):
                    lines = [
                        " ".join(["some"] * lead + list(phrase[:cut])) + stop,
                        " ".join(phrase[cut:second]),
                        " ".join([*phrase[second:], "and", "more", "words"]),
                    ]
                    lines = [line for line in lines if line]
                    if language == "python":
                        lines = ["# " + line for line in lines]
                    found += assert_same_everywhere("\n".join(lines) + "\n", language, vocab)
    assert found or stop  # the phrases were found across the breaks that leave them open
