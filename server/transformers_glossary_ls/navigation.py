"""Go to definition, find references and workspace symbols over the vocabulary's entries.
Engine code: answers with file paths and 0-based lines, never LSP types.

Defaults (see README "The vocabulary"): prose terms (comments, docstrings, Markdown) and the
entries of user and team files always navigate; argument names in code only with the setting
`navigation.arguments`, so that next to pyright or jedi a keyword's definition stays theirs.
Workspace symbols list concepts and user and team entries; built-in argument entries only with
the same setting. Generated catalogue names have no entry of their own to open: they are left
out of both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.spotting import CODE, Spot
from transformers_glossary_ls.vocabulary import Entry, Vocabulary

MAX_SYMBOLS = 500
MAX_REFERENCES = 2000


@dataclass(frozen=True, slots=True)
class Place:
    """Where an entry is written: a file and a 0-based line."""

    path: str
    line: int


def written_at(entry: Entry) -> Place | None:
    """The file and line an entry was loaded from; None for a generated catalogue name."""
    path, _, line = entry.source.rpartition(":")
    if not path or not line.isdigit():
        return None
    return Place(path, max(int(line) - 1, 0))


def navigable(spot: Spot, arguments: bool) -> bool:
    """Whether a spotted term leads to its entry: see the module's docstring."""
    return spot.where != CODE or arguments or bool(spot.entry.origin)


def listed(entry: Entry, arguments: bool) -> bool:
    """Whether an entry is offered as a workspace symbol."""
    return not entry.is_argument or arguments or bool(entry.origin)


def symbols(vocab: Vocabulary, query: str, arguments: bool) -> list[tuple[Entry, Place]]:
    """Entries whose term or id holds every word of `query` (case-insensitive), terms first."""
    words = query.lower().split()
    found = []
    for entry in vocab.entries.values():
        if not listed(entry, arguments):
            continue
        text = f"{entry.term} {entry.id}".lower()
        place = written_at(entry)
        if place is not None and all(w in text for w in words):
            found.append((entry, place))
            if len(found) >= MAX_SYMBOLS:
                break
    return found


def references(
    entry_id: str, documents: Iterable[tuple[Analysis, Iterator[Spot]]]
) -> list[tuple[Analysis, Spot]]:
    """Every spot of an entry in the documents given (each with its spots)."""
    found = []
    for analysis, spots in documents:
        for spot in spots:
            if spot.entry.id == entry_id:
                found.append((analysis, spot))
                if len(found) >= MAX_REFERENCES:
                    return found
    return found


__all__ = ["Place", "listed", "navigable", "references", "symbols", "written_at"]
