"""The engine's front door: the vocabulary (loaded on first use) and the questions asked of it.

Nothing here knows LSP; `server.py` translates. The CLI's `explain` uses the same calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transformers_glossary_ls.calls import block_assignments
from transformers_glossary_ls.completion import Candidate, Completer, Completion
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.hovertext import hover_text
from transformers_glossary_ls.spotting import CODE, Spot, language_of, spot, spot_all
from transformers_glossary_ls.spotting.markdown import MARKDOWN
from transformers_glossary_ls.spotting.python import PYTHON
from transformers_glossary_ls.spotting.state import state_at
from transformers_glossary_ls.vocabulary import LoadError, Vocabulary, load_default

log = logging.getLogger(__name__)
MAX_CACHED_TEXTS = 4096


@dataclass(frozen=True)
class HoverAnswer:
    spot: Spot
    text: str


class Glossary:
    """The vocabulary and the engine calls over it."""

    def __init__(self, extra_files: tuple[str, ...] = ()) -> None:
        self.extra_files = extra_files
        self._vocab: Vocabulary | None = None
        self._errors: list[LoadError] = []
        self._lock = threading.Lock()
        self._texts: dict[tuple[str, str | None, bool], str] = {}

    @property
    def vocab(self) -> Vocabulary:
        """The vocabulary, loaded on first use so that startup stays as cheap as pygls allows."""
        if self._vocab is None:
            with self._lock:
                if self._vocab is None:
                    vocab, errors = load_default([Path(p).expanduser() for p in self.extra_files])
                    for error in errors:
                        log.error("vocabulary: %s", error)
                    self._errors = errors
                    self._vocab = vocab
        return self._vocab

    @property
    def errors(self) -> list[LoadError]:
        _ = self.vocab
        return self._errors

    def hover(
        self, doc: Document, line: int, index: int, markdown: bool = True
    ) -> HoverAnswer | None:
        found = spot(doc, self.vocab, line, index)
        if found is None:
            return None
        head = self.head_at(doc, found) if found.entry.variants else None
        return HoverAnswer(found, self.text(found.entry.id, head, markdown))

    def text(self, entry_id: str, head: str | None = None, markdown: bool = True) -> str | None:
        """Hover text of an entry, built once per (entry, head, format): the vocabulary is fixed."""
        key = (entry_id, head, markdown)
        text = self._texts.get(key)
        if text is None:
            entry = self.vocab.get(entry_id)
            if entry is None:
                return None
            if len(self._texts) >= MAX_CACHED_TEXTS:  # heads come from user text: stay bounded
                self._texts.clear()
            text = self._texts[key] = hover_text(entry, self.vocab, markdown, head)
        return text

    def head_at(self, doc: Document, found: Spot) -> str | None:
        """The model class being called where an argument was found, when it is known."""
        language = language_of(doc.language_id, doc.uri)
        if found.where != CODE or language is None:
            return None
        ctx = Completer(doc, self.vocab, language).context(found.start_line, found.start)
        return ctx.head_class if ctx is not None else None

    def complete(
        self, doc: Document, line: int, index: int, prose: bool = True
    ) -> Completion | None:
        language = language_of(doc.language_id, doc.uri)
        if language is None:
            return None
        return Completer(doc, self.vocab, language, prose).at(line, index)

    def documentation(
        self,
        entry_id: str,
        head: str | None = None,
        markdown: bool = True,
        value: str | None = None,
    ) -> str | None:
        """Completion documentation for an entry, led by the offered value if there is one."""
        text = self.text(entry_id, head, markdown)
        if text is None or value is None:
            return text
        entry = self.vocab.entries[entry_id]
        doc = next((c.doc for c in entry.choices if value in (c.value, c.value[1:-1])), "")
        if not doc:
            return text
        lead = f"`{value}`" if markdown else value
        return f"{lead}: {doc}\n\n{text}"

    def candidate_documentation(self, candidate: Candidate, markdown: bool = True) -> str | None:
        return self.documentation(candidate.entry_id, candidate.head, markdown, candidate.value)

    def warm_up(self, doc: Document) -> Iterator[None]:
        """The lexing and indexing a hover would do on its first visit to each block, done a
        block per step ahead of time, so that no hover pays for a region it is the first to see."""
        language = language_of(doc.language_id, doc.uri)
        if language is None:
            return
        machine = PYTHON if language == "python" else MARKDOWN
        k = 0
        while k < len(doc.blocks):
            state_at(doc, doc.block_start(k), machine)
            block_assignments(doc.blocks[k])
            k += 1
            yield

    def explain(self, doc: Document) -> Iterator[Spot]:
        return spot_all(doc, self.vocab)
