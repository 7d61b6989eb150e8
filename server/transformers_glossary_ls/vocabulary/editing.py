"""A vocabulary file being edited: its defects at their lines, the entry under the cursor, and
what completion offers (the schema's keys, the ids a reference may name). Engine code: reads
no file of the user's (the text comes from the editor), knows no LSP."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from transformers_glossary_ls.vocabulary.loader import (
    KNOWN_FIELDS,
    REQUIRED,
    LoadError,
    _load_read,
    _parse_file,
    _read,
)
from transformers_glossary_ls.vocabulary.model import Entry, Vocabulary

KEYS = tuple(
    [*REQUIRED, *sorted(k for k in KNOWN_FIELDS if k not in REQUIRED and not k.startswith("__"))]
)
REFERENCE_KEYS = ("see_also", "concept", "overrides", "extends")
_KEY_AT = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_]*)$")
_ID_AT = re.compile(
    r"^\s*(?:-\s+)?(" + "|".join(REFERENCE_KEYS) + r")\s*:\s*(?:\[[^\]]*?)?([\w-]*)$"
)
_ENTRY_START = re.compile(r"^\s*-\s+[A-Za-z_]+\s*:")


@dataclass
class Checked:
    """A vocabulary file's text loaded over the layers below it."""

    vocab: Vocabulary
    errors: list[LoadError]  # those of this file only
    entries: list[tuple[int, Entry]] = field(default_factory=list)  # (0-based line, entry)

    def entry_at(self, line: int) -> Entry | None:
        """The entry written at (or above, within its block) a 0-based line."""
        found = None
        for start, entry in self.entries:
            if start <= line:
                found = entry
        return found


_PARSED_BELOW = 64  # files of the layers below whose parse is kept (the built-in ones: ~6)
_parsed: dict[tuple[str, bytes], tuple[list[dict], list[LoadError]]] = {}
_parsed_lock = threading.Lock()


def _parse_below(path: Path, content: bytes | None):
    """A file of the layers below, parsed once per content (the raw entries are only read)."""
    key = (str(path), content or b"")
    with _parsed_lock:
        found = _parsed.get(key)
    if found is None:
        found = _parse_file(path, content)
        with _parsed_lock:
            if len(_parsed) >= _PARSED_BELOW:
                _parsed.clear()
            _parsed[key] = found
    return found


def check_text(path: str, text: str, below: list[Path], label: str) -> Checked:
    """`text` as the file `path` would load over the files `below` (the built-in ones first).
    The files below are read each time (a `stat`-cheap read) but parsed once per content."""
    files = [(p, *_read(p)) for p in below]
    mine = Path(path)
    files.append((mine, text.encode("utf-8", errors="surrogateescape"), []))

    def parse(file: Path, content: bytes | None):
        return _parse_file(file, content) if file is mine else _parse_below(file, content)

    vocab, errors = _load_read(files, {path: label}, parse)
    mine = [e for e in errors if e.file == path]
    prefix = f"{path}:"
    entries = sorted(
        (int(e.source[len(prefix) :]) - 1, e)
        for e in vocab.entries.values()
        if e.source.startswith(prefix) and e.source[len(prefix) :].isdigit()
    )
    return Checked(vocab, mine, entries)


_REFERENCE_LINE = re.compile(r"^\s*(?:-\s+)?(see_also|concept)\s*:")
_ID = re.compile(r"[\w-]+")


def reference_at(line_text: str, index: int) -> str | None:
    """The id a `see_also` or `concept` line names at a string index."""
    if not _REFERENCE_LINE.match(line_text):
        return None
    key_end = line_text.index(":") + 1
    for found in _ID.finditer(line_text, key_end):
        if found.start() <= index <= found.end():
            return found.group()
    return None


def completions(
    text_before: str, ids: list[str], lines_above: list[str]
) -> tuple[int, list[str], bool] | None:
    """What to offer at a cursor preceded by `text_before` on its line: (where the word being
    typed starts, labels, whether they are keys). Ids after a reference key (`see_also: [`,
    `concept:`, `overrides:`), keys where a key may start inside the `entries` list."""
    found = _ID_AT.match(text_before)
    if found:
        typed = found.group(2)
        return len(text_before) - len(typed), [i for i in ids if i.startswith(typed)], False
    found = _KEY_AT.match(text_before)
    inside = any(_ENTRY_START.match(line) for line in lines_above) or found and found.group(1)
    if found and inside and (found.group(1) or text_before.startswith(" ")):
        typed = found.group(2)
        return len(found.group(1)), [k for k in KEYS if k.startswith(typed)], True
    return None


__all__ = ["KEYS", "Checked", "check_text", "completions", "reference_at"]
