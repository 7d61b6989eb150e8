"""Engine answers -> lsprotocol types, in the client's position encoding and markup."""

from __future__ import annotations

from lsprotocol import types

from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.engine import HoverAnswer
from transformers_glossary_ls.positions import to_units
from transformers_glossary_ls.spotting import Spot


def span_range(doc: Document, spot: Spot, encoding: str) -> types.Range:
    return types.Range(
        start=types.Position(spot.start_line, to_units(doc.line(spot.start_line), spot.start, encoding)),
        end=types.Position(spot.end_line, to_units(doc.line(spot.end_line), spot.end, encoding)),
    )


def markup(text: str, markdown: bool) -> types.MarkupContent:
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.MarkupContent(kind=kind, value=text)


def hover(answer: HoverAnswer, doc: Document, encoding: str, markdown: bool) -> types.Hover:
    return types.Hover(contents=markup(answer.text, markdown), range=span_range(doc, answer.spot, encoding))
