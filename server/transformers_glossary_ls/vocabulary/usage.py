"""How often users pass each name to each kind of call (`glossary_data/usage.json`, measured by
`tools/count_usage.py` in real user code): completion offers the names users reach for first."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from transformers_glossary_ls.vocabulary.loader import default_data_dir

log = logging.getLogger(__name__)


class Usage:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_data_dir() / "usage.json"
        self._counts: dict[str, dict[str, int]] | None = None

    def load(self) -> None:
        if self._counts is not None:
            return
        try:
            data = json.loads(self.path.read_bytes())
            counts = data["counts"]
            if not isinstance(counts, dict):
                raise TypeError("counts is not a mapping")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("usage counts unavailable (%s): completion ranks by name", exc)
            counts = {}
        self._counts = {
            str(kind): {str(n): int(c) for n, c in names.items() if isinstance(c, int)}
            for kind, names in counts.items()
            if isinstance(names, dict)
        }

    def counts(self, kind: str) -> dict[str, int]:
        if self._counts is None:
            self.load()
        assert self._counts is not None
        return self._counts.get(kind, {})
