"""Shared helpers for the engine's unit tests. Nothing here (or in any unit test) imports
pygls or lsprotocol: the engine must stand on its own."""

from __future__ import annotations

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
