"""Shared helpers for the engine's unit tests. Nothing here (or in any unit test) imports
pygls or lsprotocol: the engine must stand on its own."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.documents import Document, split_lines
from transformers_glossary_ls.vocabulary import Vocabulary, load_default

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
UPSTREAM = FIXTURES / "upstream"

CURSOR = "‸"  # marks the cursor in table rows; removed before the text is spotted


@pytest.fixture(scope="session")
def vocab() -> Vocabulary:
    loaded, errors = load_default()
    assert not errors, [str(e) for e in errors]
    return loaded


def make_doc(text: str, language: str) -> Document:
    suffix = {"python": ".py", "markdown": ".md"}.get(language, ".txt")
    return Document(f"file:///tmp/sample{suffix}", text, language)


def analysis_of(doc: Document) -> Analysis:
    """The one analysis of a test's document, kept with it so that it follows the edits."""
    found = getattr(doc, "_test_analysis", None)
    if found is None:
        found = doc._test_analysis = Analysis(doc)
    return found


def cursor_of(marked: str) -> tuple[str, int, int]:
    """(text without the cursor mark, line, string index) of a text with one CURSOR mark."""
    assert marked.count(CURSOR) == 1, f"need exactly one {CURSOR} in {marked!r}"
    before = marked[: marked.index(CURSOR)]
    lines = split_lines(before)
    return marked.replace(CURSOR, ""), len(lines) - 1, len(lines[-1])


def line_of(analysis: Analysis, needle: str, block: int) -> int:
    """The first line holding `needle` from the start of a block on."""
    for number in range(analysis.doc.block_start(block), analysis.doc.line_count):
        if needle in analysis.doc.line(number):
            return number
    raise AssertionError(needle)


def edit_near(analysis: Analysis, needle: str, block: int, edit: tuple[int | None, str]) -> int:
    """Apply `edit` to the first line holding `needle` from a block on: (column in `needle`,
    negative from its end, text typed there) or (None, a line inserted above it). Returns
    that line's number."""
    line = line_of(analysis, needle, block)
    column, new = edit
    if column is None:
        analysis.doc.replace(line, 0, line, 0, new + "\n")
    else:
        at = analysis.doc.line(line).index(needle) + (column % len(needle))
        analysis.doc.replace(line, at, line, at, new)
    return line


@functools.lru_cache(maxsize=2)
def benchmark_corpus(size: int = 2000, seed: int = 6):
    """The benchmark's generated Python and Markdown files (`benchmarks/generate.py`), the
    documents its latencies are timed on."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate  # noqa: PLC0415 - the benchmark's own generator
    finally:
        sys.path.pop(0)
    return generate(size, seed)
