"""LSP columns <-> Python string indices, in UTF-16 (default), UTF-8 and UTF-32."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.positions import (
    ENCODINGS,
    UTF8,
    UTF16,
    UTF32,
    choose_encoding,
    to_index,
    to_units,
)

EMOJI = "\U0001f600"  # 2 UTF-16 units, 4 UTF-8 bytes, 1 code point
CJK = "中"  # 1 UTF-16 unit, 3 UTF-8 bytes
COMBINING = "e\u0301"  # two code points: "e" + COMBINING ACUTE ACCENT (2 UTF-8 bytes)
LONE_HIGH, LONE_LOW = "\ud83d", "\ude00"


def units_of(text: str, encoding: str) -> int:
    """The reference: encode and count."""
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text)


# (line, string index, utf-16 column, utf-8 column, utf-32 column)
TABLE = [
    pytest.param("attention_mask", 9, 9, 9, 9, id="ascii"),
    pytest.param(f"{EMOJI} mask", 0, 0, 0, 0, id="before emoji"),
    pytest.param(f"{EMOJI} mask", 1, 2, 4, 1, id="after emoji"),
    pytest.param(f"{EMOJI} mask", 3, 4, 6, 3, id="in word after emoji"),
    pytest.param(f"{EMOJI}{EMOJI}x", 2, 4, 8, 2, id="two emoji"),
    pytest.param(f"{CJK}{CJK} token", 3, 3, 7, 3, id="CJK"),
    pytest.param(f"{COMBINING} token", 3, 3, 4, 3, id="combining"),
    pytest.param("é token", 2, 2, 3, 2, id="latin-1 letter"),
    pytest.param(f"{LONE_HIGH}x", 1, 1, 3, 1, id="lone high surrogate"),
    pytest.param(f"{LONE_LOW}x", 1, 1, 3, 1, id="lone low surrogate"),
    pytest.param(f"# {EMOJI} {CJK} self-attention", 5, 6, 10, 5, id="emoji and CJK before term"),
    pytest.param("\ttab", 1, 1, 1, 1, id="tab"),
    pytest.param("", 0, 0, 0, 0, id="empty line"),
]


@pytest.mark.parametrize("line,index,utf16,utf8,utf32", TABLE)
def test_table(line, index, utf16, utf8, utf32):
    for encoding, column in ((UTF16, utf16), (UTF8, utf8), (UTF32, utf32)):
        assert to_units(line, index, encoding) == column
        assert to_index(line, column, encoding) == index
        assert units_of(line[:index], encoding) == column


def test_default_encoding_is_utf16():
    line = f"{EMOJI} attention_mask"
    assert to_units(line, 2) == 3
    assert to_index(line, 3) == 2


@pytest.mark.parametrize(
    "encoding,column,index",
    [
        (UTF16, 1, 0),  # between the two halves of a surrogate pair: snap to the emoji's start
        (UTF8, 1, 0),
        (UTF8, 3, 0),  # inside the emoji's four bytes
        (UTF8, 4, 1),
        (UTF8, 6, 2),  # inside "中"'s three bytes (5..7): snap to its start
    ],
)
def test_column_inside_a_character_snaps_to_its_start(encoding, column, index):
    assert to_index(f"{EMOJI}a{CJK}b", column, encoding) == index


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_clamping(encoding):
    line = f"a{EMOJI}b"
    assert to_index(line, -5, encoding) == 0
    assert to_index(line, 10_000, encoding) == len(line)
    assert to_units(line, -5, encoding) == 0
    assert to_units(line, 10_000, encoding) == units_of(line, encoding)
    assert to_index("", 3, encoding) == 0
    assert to_index("abc", 99, encoding) == 3


CHARS = st.one_of(
    st.characters(),  # any code point except surrogates
    st.sampled_from([EMOJI, CJK, "\u0301", LONE_HIGH, LONE_LOW, "\t", "\u2028", "\x00", "\uffff"]),
)


@settings(max_examples=300, deadline=None)
@given(line=st.lists(CHARS, max_size=30).map("".join), data=st.data())
def test_round_trip(line, data):
    index = data.draw(st.integers(0, len(line)))
    for encoding in ENCODINGS:
        column = to_units(line, index, encoding)
        assert column == units_of(line[:index], encoding)
        assert to_index(line, column, encoding) == index


@settings(max_examples=300, deadline=None)
@given(line=st.lists(CHARS, max_size=30).map("".join), column=st.integers(-3, 130))
def test_to_index_is_the_last_character_start_not_after_the_column(line, column):
    for encoding in ENCODINGS:
        index = to_index(line, column, encoding)
        assert 0 <= index <= len(line)
        assert to_units(line, index, encoding) <= max(column, 0)
        if index < len(line):
            assert to_units(line, index + 1, encoding) > column


@pytest.mark.parametrize(
    "offered,expected",
    [
        (None, UTF16),
        ([], UTF16),
        (["utf-16"], UTF16),
        (["utf-8"], UTF8),
        (["utf-32"], UTF32),
        (["utf-8", "utf-16"], UTF8),  # the client's order of preference wins
        (["utf-32", "utf-8"], UTF32),
        (["UTF-8"], UTF8),
        (["latin-1", "utf-8"], UTF8),  # unknown kinds are skipped
        (["ucs-2"], UTF16),
    ],
)
def test_choose_encoding(offered, expected):
    assert choose_encoding(offered) == expected


def test_choose_encoding_accepts_enum_like_values():
    class Kind:  # what lsprotocol's PositionEncodingKind members look like, without importing it
        def __init__(self, value):
            self.value = value

    assert choose_encoding([Kind("utf-8"), Kind("utf-16")]) == UTF8
    assert choose_encoding([Kind("bogus")]) == UTF16
