"""The vocabulary: entries, and the YAML loader that is the only code knowing the schema."""

from transformers_glossary_ls.vocabulary.loader import LoadError, load_default, load_files
from transformers_glossary_ls.vocabulary.model import (
    ARGUMENT,
    CONCEPT,
    Choice,
    Entry,
    Variant,
    Vocabulary,
)

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
