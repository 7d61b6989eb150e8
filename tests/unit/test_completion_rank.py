"""`rank` tests a word's start with one look-up in a name's joined words; it orders names as
testing each word in turn (`_word_match`) does, whatever the names and the typed text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from transformers_glossary_ls.completion import (
    _WORD_SPLIT,
    FUZZY_CUTOFF,
    MIN_FUZZY,
    _word_match,
    rank,
)

_PIECES = [
    "a",
    "at",
    "att",
    "atten",
    "tion",
    "mask",
    "lr",
    "l",
    "r",
    "_",
    "__",
    "-",
    " ",
    "\0",
    "É",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)


def _rank_word_by_word(prefix: str, names: list[str]) -> list[tuple[int, str]]:
    """`rank` as written before the joined look-up: every word of every name tested."""
    if not prefix:
        return [(1, name) for name in names]
    low = prefix.lower()
    parts = [p for p in _WORD_SPLIT.split(low) if p]
    letters = low.replace("_", "")
    in_order = re.compile(".*?".join(map(re.escape, letters))) if len(low) >= MIN_FUZZY else None
    exact, starts, word_starts, fuzzy = [], [], [], []
    for position, name in enumerate(names):
        name_low = name.lower()
        words = tuple(_WORD_SPLIT.split(name_low))
        initials = "".join(word[:1] for word in words)
        if name_low == low:
            exact.append((0, name))
        elif name_low.startswith(low) or (len(words) >= 2 and low == initials):
            starts.append((1, name))
        elif _word_match(low, parts, words, initials):
            word_starts.append((2, name))
        elif in_order is not None and in_order.search(name_low):
            score = fuzz.WRatio(low, name_low)
            if score >= FUZZY_CUTOFF:
                fuzzy.append((-score, position, name))
    fuzzy.sort()
    return exact + starts + word_starts + [(3, name) for _, _, name in fuzzy]


@settings(max_examples=1000, deadline=None)
@given(_TEXT, st.lists(_TEXT, max_size=12))
def test_rank_is_word_by_word_ranking(prefix, names):
    assert rank(prefix, names) == _rank_word_by_word(prefix, names)


def test_rank_table():
    names = ["attention_mask", "decoder_attention_mask", "learning_rate", "lr_scheduler_type"]
    for typed, expected in [
        ("atte", [(1, "attention_mask"), (2, "decoder_attention_mask")]),
        ("mask", [(2, "attention_mask"), (2, "decoder_attention_mask")]),
        ("lr", [(1, "learning_rate"), (1, "lr_scheduler_type")]),
        ("dec_att", [(2, "decoder_attention_mask")]),  # consecutive words' starts
        ("att_mask", [(2, "attention_mask"), (2, "decoder_attention_mask")]),
    ]:
        assert [r for r in rank(typed, names) if r[0] < 3] == expected, typed
