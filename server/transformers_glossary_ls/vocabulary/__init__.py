"""The vocabulary: entries, and the YAML loader that is the only code knowing the schema."""

from transformers_glossary_ls.vocabulary.loader import LoadError, load_default, load_files
from transformers_glossary_ls.vocabulary.model import Choice, Entry, Variant, Vocabulary

__all__ = ["Choice", "Entry", "LoadError", "Variant", "Vocabulary", "load_default", "load_files"]
