"""A first visit looks for the call around the cursor on its own line and the few above it,
each read alone, before reading the chunks around: wherever that finds an answer, it is the
chunks' answer. Checked at every bracket, comma, name and `=` of real scripts, Markdown pages
with Python fences and the benchmark's generated files, and on texts made to trip it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.analysis import document as analysis_document
from transformers_glossary_ls.documents import Document

from .conftest import UPSTREAM, benchmark_corpus

_SPOTS = re.compile(r"[()\[\]{},=]|\b[A-Za-z_]\w*")


def _answers(text: str, language: str) -> tuple[int, int]:
    """(positions the scan answered, those it left to the chunks); fails where it differs."""
    suffix = ".md" if language == "markdown" else ".py"
    doc = Document(f"file:///tmp/scan{suffix}", text, language)
    scanning, chunked = Analysis(doc), Analysis(doc)
    answered = unsure = 0
    with pytest.MonkeyPatch.context() as patch:
        for line_no in range(doc.line_count):
            line = doc.line(line_no)
            for match in _SPOTS.finditer(line):
                for index in (match.start(), match.end()):
                    if language == "markdown" and scanning.python_state(line_no) is False:
                        continue  # `_group_at` answers None before either way
                    block, offset = doc.locate(line_no)
                    found = scanning._group_on_lines_above(block, offset, index)
                    if found is analysis_document._UNSURE:
                        unsure += 1
                        continue
                    answered += 1
                    patch.setattr(analysis_document, "SCAN_LINES", 0)  # the chunks alone
                    expected = chunked._group_at(line_no, index)
                    patch.undo()
                    assert found == expected, (line_no, index, line)
    return answered, unsure


REAL = sorted([*UPSTREAM.glob("*/*.py")])
PAGES = sorted([*UPSTREAM.glob("*/*.md"), *UPSTREAM.glob("*/*.mdx")])


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_real_scripts(path):
    answered, _ = _answers(path.read_text(encoding="utf-8"), "python")
    assert answered


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_real_pages(path):
    _answers(path.read_text(encoding="utf-8"), "markdown")


def test_the_benchmark_files():
    corpus = benchmark_corpus()
    answered, unsure = _answers(corpus.py.text, "python")
    assert answered > unsure  # most first visits are answered by the scan
    assert _answers(corpus.md.text, "markdown")[0]


@pytest.mark.parametrize("lead", [0, 5, 15])
@pytest.mark.parametrize("arguments", [3, 40, 58, 59, 60, 61, 62, 70, 76, 77, 90])
@pytest.mark.parametrize("closed", [True, False])
def test_calls_that_reach_far(lead, arguments, closed):
    """Calls whose closing bracket is about as far below them as a chunk's reading goes (the
    chunk's own lines and LOOK_AHEAD_LINES more), or missing, at several places in a chunk."""
    text = "x = 1\n" * lead + "out = model(\n" + "    a=1,\n" * arguments
    text += ")\n" if closed else ""
    text += "y = f(b=2)\n" * 3
    answered, _ = _answers(text, "python")
    assert answered


_PIECES = st.sampled_from(
    [
        "model(",
        "f(",
        "x",
        "=",
        "a=1",
        ",",
        ")",
        "(",
        "[",
        "]",
        "{",
        "}",
        "\n",
        "\n    ",
        '"(s"',
        "# (",
        '"""',
        "**kw",
        "tok.pad(",
        "  ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_made_texts(text):
    _answers(text, "python")
