"""A prose hover reads the lines around its own only until they hold the words a phrase through
the cursor can reach. The spots are those of reading every joined line around it (the code
before, kept here as the oracle), at every word of real Markdown pages, the notebooks' text, the
benchmark's generated files and texts made to trip it."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.spotting import (
    MAX_JOINED_LINES,
    PROSE,
    SILENT,
    Spot,
    Spotter,
    _target,
    match_covering,
)
from transformers_glossary_ls.spotting.phrases import WORD

from .conftest import REPO, UPSTREAM


def _prose_reading_every_line(self, line_no, index, view):
    """`Spotter._prose` as it was: every joined line around (up to MAX_JOINED_LINES) read."""
    longest = self.vocab.max_phrase_words
    own = self._line_words(line_no, view, False)
    target = _target(own, index)
    if target < 0:
        return None
    above, below = target < longest - 1, len(own) - target < longest
    if above or below:
        lines_above, current = [], view
        for n in range(line_no - 1, max(-1, line_no - 1 - MAX_JOINED_LINES), -1):
            if not above or not current.joins_previous:
                break
            current = self.view(n)
            lines_above.append((n, current))
        lines_below = []
        for n in range(line_no + 1, min(self.doc.line_count, line_no + 1 + MAX_JOINED_LINES)):
            if not below:
                break
            next_view = self.view(n)
            if not next_view.joins_previous:
                break
            lines_below.append((n, next_view))
        words, previous, target = [], None, -1
        for n, line_view in [*reversed(lines_above), (line_no, view), *lines_below]:
            joined = previous is not None and self._ends_open(previous[0], previous[1], words)
            line_words = self._line_words(n, line_view, joined)
            if n == line_no:
                target = len(words) + _target(line_words, index)
            words += line_words
            previous = (n, line_view)
    else:
        words = own
    found = match_covering(words, target, self.vocab)
    if found is None or found[0] is SILENT:
        return None
    entry, i, j = found
    return Spot(entry, words[i].line, words[i].start, words[j].line, words[j].end, PROSE)


def _spots(vocab, text: str, language: str) -> list:
    doc = Document(f"file:///tmp/reach.{'md' if language == 'markdown' else 'py'}", text, language)
    spotter = Spotter(Analysis(doc), vocab)
    out = []
    for line_no in range(doc.line_count):
        line = doc.line(line_no)
        for match in WORD.finditer(line):
            for index in (match.start(), match.end() - 1):
                spot = spotter.at(line_no, index)
                out.append(spot and (spot.entry.id, spot.start_line, spot.start, spot.end))
    return out


def _both(vocab, text: str, language: str) -> tuple[list, list]:
    read_as_needed = _spots(vocab, text, language)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Spotter, "_prose", _prose_reading_every_line)
        reading_all = _spots(vocab, text, language)
    return read_as_needed, reading_all


def _benchmark_texts() -> tuple[str, str]:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate  # noqa: PLC0415 - the benchmark's own generator
    finally:
        sys.path.pop(0)
    corpus = generate(2000, 6)
    return corpus.md.text, corpus.py.text


PAGES = sorted(  # the labelled prose pages, the notebooks' and tutorials' text
    p for p in UPSTREAM.rglob("*") if p.suffix in (".md", ".mdx") and p.stat().st_size < 400_000
)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_real_pages_spot_the_same(vocab, path):
    new, old = _both(vocab, path.read_text(encoding="utf-8"), "markdown")
    assert new == old


def test_the_benchmark_files_spot_the_same(vocab):
    markdown, python = _benchmark_texts()
    for text, language in ((markdown, "markdown"), (python, "python")):
        new, old = _both(vocab, text, language)
        assert any(new)
        assert new == old, language


_PIECES = st.sampled_from(
    [
        "causal",
        "language",
        "modeling",
        "attention",
        "mask",
        "self-attention",
        "the",
        "of",
        "pre",
        "training",
        "fine-tuning",
        "masked",
        "LM",
        "*",
        "_",
        " ",
        "  ",
        "-",
        "\n",
        "\n\n",
        "`code`",
        "# ",
        "> ",
        "- ",
        ",",
        ".",
        "model",
        "heads",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_made_texts_spot_the_same(vocab, text):
    new, old = _both(vocab, text, "markdown")
    assert new == old


PHRASES = [
    "reinforcement learning from human feedback",
    "group relative policy optimization",
    "causal language modeling",
    "attention mask",
]


def _splits(words: list[str]) -> list[str]:
    """The phrase with a line break after any of its words (at most MAX_JOINED_LINES), and
    with a sentence ending before the break (the phrase must then not join across it)."""
    out = []
    for mask in range(2 ** (len(words) - 1)):
        breaks = [k for k in range(len(words) - 1) if mask >> k & 1]
        if len(breaks) > MAX_JOINED_LINES:
            continue
        for mark in ("\n", ".\n"):
            out.append("".join(w + (mark if k in breaks else " ") for k, w in enumerate(words)))
    return out


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", ""),
        ("We use\n", "\nhere."),
        ("It ends.\n", " and more\nwords follow"),
        ("one two three four\n", " x"),
        ("a\nb\n", "\nc\nd"),
        ("- ", "\n- next item"),
    ],
)
def test_phrases_across_lines_spot_the_same(vocab, phrase, before, after):
    """Every way a long phrase breaks across lines, after a line that ends a sentence or
    continues it: the lines read as needed reach every word the phrase needs."""
    for split in _splits(phrase.split()):
        text = before + split.rstrip() + after + "\n"
        new, old = _both(vocab, text, "markdown")
        assert new == old, text
