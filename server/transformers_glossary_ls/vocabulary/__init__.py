"""The vocabulary: entries, and the YAML loader that is the only code knowing the schema.

The loader (and YAML with it) is imported when one of its names is first asked for: the model
alone serves those that never load a vocabulary (`check` of a project without one).
"""

from typing import TYPE_CHECKING

from transformers_glossary_ls.vocabulary.model import (
    ARGUMENT,
    CONCEPT,
    Choice,
    Entry,
    Variant,
    Vocabulary,
)

if TYPE_CHECKING:
    from transformers_glossary_ls.vocabulary.loader import LoadError, load_default, load_files

_FROM_LOADER = frozenset({"LoadError", "load_default", "load_files"})


def __getattr__(name: str):
    if name in _FROM_LOADER:
        from transformers_glossary_ls.vocabulary import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ARGUMENT",
    "CONCEPT",
    "Choice",
    "Entry",
    "LoadError",
    "Variant",
    "Vocabulary",
    "load_default",
    "load_files",
]
