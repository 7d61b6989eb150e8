"""One analysis per open document: what every feature asks of a document's text.

Owned by the engine and kept beside the document for its life: the language (resolved once),
line states, the call index (every call with its callee, kind and arguments) and what variables
hold. Caches are typed fields keyed by block revisions, so an edit costs what it touches. Hover,
completion and spotting all read from here; none calls another.
"""

from transformers_glossary_ls.analysis.document import (
    Analysis,
    CallSite,
    language_of,
)
from transformers_glossary_ls.analysis.receivers import Held

__all__ = ["Analysis", "CallSite", "Held", "language_of"]
