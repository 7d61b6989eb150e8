"""Glossary phrases in prose: words, and the longest phrase covering a word.

Words are ASCII letters, digits and underscores, so "tokenizer" never contains "token" and a CJK
character right before "token" does not glue onto it; underscores at a word's edges are emphasis
(`_causal language modeling_`), not part of it. Two words belong to one phrase only when
nothing but spaces, tabs, hyphens or emphasis markers stand between them, or a line break inside
one paragraph or comment block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from transformers_glossary_ls.vocabulary import Entry, Vocabulary

WORD = re.compile(r"[A-Za-z0-9_]+")
_JOINER = re.compile(r"[ \t*_-]+")
EDGE = " \t*_-"  # what may follow a phrase's last word on a line it continues past


# Not frozen: made per word (segment) of every line read, and a frozen dataclass's __init__
# is ~4x slower. Hashable all the same; nothing changes one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Word:
    text: str
    line: int
    start: int
    end: int
    joined: bool  # part of a phrase with the word before it?


def words_in(text: str, line: int, start: int, end: int, joined_first: bool) -> list[Word]:
    """Words of text[start:end]; `joined_first` says whether the first may join the previous."""
    words: list[Word] = []
    prev_end = None
    for match in WORD.finditer(text, start, end):
        first, last = match.span()
        while first < last and text[first] == "_":
            first += 1
        while last > first and text[last - 1] == "_":
            last -= 1
        if first == last:
            continue  # only underscores
        if prev_end is None:
            joined = joined_first and not text[start:first].strip(" \t*>_")
        else:
            joined = bool(_JOINER.fullmatch(text, prev_end, first))
        words.append(Word(text[first:last], line, first, last, joined))
        prev_end = last
    return words


def ends_open(text: str, end: int, last_word_end: int) -> bool:
    """Whether a phrase may continue past the end of this piece onto the next line."""
    return not text[last_word_end:end].strip(EDGE)


def lookup(words: list[Word], i: int, j: int, vocab: Vocabulary) -> Entry | None:
    """The entry spelled by words[i..j] (inclusive), if they form one phrase."""
    if i == j:
        token = words[i].text
        entry = vocab.abbreviations.get(token)
        if entry is not None:
            return entry
        if "_" in token:
            return vocab.arguments.get(token)
    for k in range(i + 1, j + 1):
        if not words[k].joined:
            return None
    return vocab.phrases.get(tuple(w.text.lower() for w in words[i : j + 1]))


def match_covering(
    words: list[Word], target: int, vocab: Vocabulary
) -> tuple[Entry, int, int] | None:
    """The longest phrase that covers words[target] (earliest start on a tie)."""
    longest = vocab.max_phrase_words
    for size in range(min(longest, len(words)), 0, -1):
        for i in range(max(0, target - size + 1), min(target, len(words) - size) + 1):
            entry = lookup(words, i, i + size - 1, vocab)
            if entry is not None:
                return entry, i, i + size - 1
    return None


def scan(words: list[Word], vocab: Vocabulary) -> list[tuple[Entry, int, int]]:
    """Leftmost-longest, non-overlapping phrases in a run of words."""
    found = []
    i, longest = 0, vocab.max_phrase_words
    while i < len(words):
        for size in range(min(longest, len(words) - i), 0, -1):
            entry = lookup(words, i, i + size - 1, vocab)
            if entry is not None:
                found.append((entry, i, i + size - 1))
                i += size
                break
        else:
            i += 1
    return found
