"""`bindings_of` lets the regex engine find a name's assignments; it finds what visiting every
occurrence of the name finds, on texts made to trip it and on real files."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis.receivers import _bindings_of_occurrences, bindings_of

from .conftest import UPSTREAM

NAMES = ["model", "mo", "m", "outputs", "self", "args", "tokenizer", "x"]
_PIECE = st.sampled_from(
    [
        *NAMES,
        "self.",
        " ",
        "\t",
        "\n",
        "=",
        "==",
        ":",
        "(",
        ")",
        ",",
        "  ",
        "model_2",
        "a.",
        "AutoModel.from_pretrained(x)",
        "f(model)",
        "# c",
        '"s"',
        "Cls",
        "mo del",
        "é",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECE, max_size=30).map("".join), st.sampled_from(NAMES))
def test_same_bindings_as_visiting_every_occurrence(text, name):
    assert bindings_of(text, name) == _bindings_of_occurrences(text, name)


@pytest.mark.parametrize("path", sorted(UPSTREAM.glob("*/*.py")), ids=lambda p: p.name)
def test_same_bindings_in_real_files(path):
    text = path.read_text(encoding="utf-8")
    for name in ("model", "tokenizer", "outputs", "args", "trainer", "config", "inputs", "x"):
        assert bindings_of(text, name) == _bindings_of_occurrences(text, name)
