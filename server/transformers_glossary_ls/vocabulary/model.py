"""Vocabulary entries and the lookup tables built over them (no I/O, no LSP)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CONCEPT = "concept"
ARGUMENT = "argument"

# Prose words: ASCII letters, digits and underscores. Hyphens and spaces separate words, so
# "self-attention" and "self attention" are the same two-word phrase.
WORD_RE = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class Variant:
    """What an argument means for a family of model heads (matched by class-name suffix)."""

    heads: tuple[str, ...]
    shape: str = ""
    dtype: str = ""
    values: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A value offered after `name=`, written as Python source."""

    value: str
    doc: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    term: str
    kind: str
    summary: str
    definition: str
    url: str
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    concept: str = ""
    shape: str = ""
    dtype: str = ""
    values: str = ""
    produced_by: tuple[str, ...] = ()
    type: str = ""
    default: str = ""
    versions: str = ""
    callables: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    variants: tuple[Variant, ...] = ()
    false_friends: tuple[str, ...] = ()  # phrases holding the term that mean something else
    false_friend_abbreviations: tuple[str, ...] = ()  # case-exact words that are not the term
    source: str = ""  # file:line it was loaded from (absolute path): messages, definitions
    # Where a user's or a team's entry came from, as a hover shows it (`team.yaml:12`);
    # "" for the built-in vocabulary.
    origin: str = ""
    replaces: str = ""  # `overrides` or `extends`, when the entry changes an earlier one
    replaced: str = ""  # the origin (or source) of the entry it changed

    @property
    def is_argument(self) -> bool:
        return self.kind == ARGUMENT

    def variant_for(self, class_name: str) -> Variant | None:
        """The variant whose head suffix ends `class_name` (longest suffix wins)."""
        best: Variant | None = None
        best_len = 0
        for variant in self.variants:
            for head in variant.heads:
                if class_name.endswith(head) and len(head) > best_len:
                    best, best_len = variant, len(head)
        return best


# What a false friend spells: a match that covers the words and says nothing. Never an entry of
# the vocabulary, never listed; spotting drops it.
SILENT = Entry(id="", term="", kind="silent", summary="", definition="", url="")


def phrase_key(text: str) -> tuple[str, ...]:
    """Lower-cased words of a phrase: the key prose is matched on."""
    return tuple(w.lower() for w in WORD_RE.findall(text))


def _number_variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The phrase with its last word in singular and plural form."""
    *head, last = key
    forms = {last}
    if last.endswith(("s", "x", "z", "ch", "sh")) and not last.endswith("ss"):
        forms.add(last + "es")
    else:
        forms.add(last + "s")
    if last.endswith("ies") and len(last) > 4:
        forms.add(last[:-3] + "y")
    elif last.endswith("es") and last[:-2].endswith(("x", "ch", "sh", "ss")):
        forms.add(last[:-2])
    elif last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        forms.add(last[:-1])
    return [(*head, form) for form in sorted(forms)]


@dataclass
class Vocabulary:
    """All entries plus the indexes spotting and completion need."""

    entries: dict[str, Entry] = field(default_factory=dict)
    # identifier -> argument entry (names and their aliases)
    arguments: dict[str, Entry] = field(default_factory=dict)
    # lower-cased word tuple -> concept entry (terms, aliases, plural/singular forms)
    phrases: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    # exact token -> entry (MLM, ZeRO, seq2seq)
    abbreviations: dict[str, Entry] = field(default_factory=dict)
    max_phrase_words: int = 1
    # call kind (model, tokenizer, generate, ...) -> the arguments it takes, in file order
    by_callable: dict[str, list[Entry]] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: list[Entry]) -> Vocabulary:
        vocab = cls()
        explicit: dict[tuple[str, ...], Entry] = {}
        derived: dict[tuple[str, ...], Entry] = {}
        silent: dict[tuple[str, ...], Entry] = {}
        for entry in entries:
            vocab.entries[entry.id] = entry
            if entry.is_argument:
                for name in (entry.term, *entry.aliases):
                    vocab.arguments.setdefault(name, entry)
                for kind in entry.callables:
                    vocab.by_callable.setdefault(kind, []).append(entry)
                continue
            for abbr in entry.abbreviations:
                vocab.abbreviations.setdefault(abbr, entry)
            for word in entry.false_friend_abbreviations:
                vocab.abbreviations.setdefault(word, SILENT)
            for phrase in entry.false_friends:
                key = phrase_key(phrase)
                for form in _number_variants(key) if key else ():
                    silent.setdefault(form, SILENT)
            for phrase in (entry.term, *entry.aliases):
                key = phrase_key(phrase)
                if not key:
                    continue
                explicit.setdefault(key, entry)
                for form in _number_variants(key):
                    derived.setdefault(form, entry)
        # A spelling someone wrote down beats one we derived by pluralising another entry.
        # A false friend hides the shorter term inside it; a spelling written as a term beats it.
        vocab.phrases = {**derived, **silent, **explicit}
        vocab.max_phrase_words = max((len(k) for k in vocab.phrases), default=1)
        return vocab

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def argument(self, name: str) -> Entry | None:
        return self.arguments.get(name)
