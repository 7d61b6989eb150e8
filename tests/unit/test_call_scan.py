"""A first visit looks for the call around the cursor on its own line and the few above it,
each read alone, before reading the chunks around: wherever that finds an answer, it is the
chunks' answer. Checked at every bracket, comma, name and `=` of real scripts, Markdown pages
with Python fences and the benchmark's generated files, and on texts made to trip it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis import Analysis, calls
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


_LINE_PIECES = st.sampled_from(
    ["f(", "x", "(", ")", "[", "]", "{", "}", ",", "a=1", '"("', "')'", "# (", '"""', "'''"]
    + ["\\", " ", "b.c(", "é", '"', "'", "))", "(("]
)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(_LINE_PIECES, max_size=14).map("".join),
    st.sampled_from([None, '"""', "'''"]),
    st.integers(min_value=0, max_value=40),
)
def test_a_line_skipped_by_the_scan_opens_no_group_holding_the_cursor(text, state, index):
    """`may_hold` says no only where the groups `read_groups` finds opened on the line (read
    from it, the lines below closing everything) hold no cursor below it, nor on it at `index`."""
    lines = [(text, state), ("))))))))))))))", None)]
    groups, _ = calls.read_groups(iter(lines), 1)
    held_below = any(True for _ in calls.groups_holding(groups, 1, 0))
    held_here = any(True for _ in calls.groups_holding(groups, 0, index))
    assert calls.may_hold(text, state) or not held_below
    assert calls.may_hold(text, state, index) or not held_here


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="ab_Z9. \t\n\r\x1c\x85é٠\u2003(\xa0²\u2028𝒳", max_size=14), st.data())
def test_the_callee_read_backwards_is_the_one_the_pattern_finds(text, data):
    """`callee_before` reads the name before a parenthesis as `_CALLEE` searching from the
    line's start finds it: its first letter or underscore on, blanks after it (Unicode word
    characters and spaces too)."""
    at = data.draw(st.integers(min_value=0, max_value=len(text)))
    found = calls._CALLEE.search(text, 0, at)
    expected = None if found is None else (found.group(1), found.start())
    assert calls.callee_before(text, at) == expected
