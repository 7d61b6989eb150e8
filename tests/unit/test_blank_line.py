"""`blank_line` (strings and comments blanked, so brackets inside them are not seen) takes a
short way for the common line: the same text as lexing the line into segments."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.lexing.python import _blank_segments, blank_line

from .conftest import UPSTREAM

_PIECE = st.sampled_from(
    [
        '"',
        "'",
        '"""',
        "'''",
        "#",
        "\\",
        "\\'",
        '\\"',
        "(",
        ")",
        "[",
        "]",
        ",",
        "=",
        "x",
        " ",
        "f(a=1)",
        "é",
        "🤗",
        "\t",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_PIECE, max_size=14).map("".join), st.sampled_from([None, '"""', "'''"]))
def test_the_same_text_as_blanking_segments(line, state):
    assert blank_line(line, state) == _blank_segments(line, state)


@pytest.mark.parametrize("path", sorted(UPSTREAM.glob("*/*.py")), ids=lambda p: p.name)
def test_the_same_text_on_real_lines(path):
    state = None
    for line in path.read_text(encoding="utf-8").split("\n"):
        assert blank_line(line, state) == _blank_segments(line, state)
        state = _blank_segments(line, state)[1]
