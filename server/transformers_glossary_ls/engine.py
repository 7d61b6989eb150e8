"""The engine's front door: the vocabulary (loaded once, on first use) and the questions asked of it.

Nothing here knows LSP; `server.py` translates. The CLI's `explain` uses the same calls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.hovertext import hover_text
from transformers_glossary_ls.spotting import Spot, spot, spot_all
from transformers_glossary_ls.vocabulary import LoadError, Vocabulary, load_default

log = logging.getLogger(__name__)


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
        return HoverAnswer(found, hover_text(found.entry, self.vocab, markdown))

    def explain(self, doc: Document) -> Iterator[Spot]:
        return spot_all(doc, self.vocab)
