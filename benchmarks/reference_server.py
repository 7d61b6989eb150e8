"""The reference server: the floor any pygls 2.x server can reach.

It keeps documents in pygls's stock document store (incremental sync, the default),
answers every hover with one constant ``MarkupContent`` and every completion with a
constant short list, and does nothing else. Whatever time it takes is the cost of
starting Python, importing pygls/lsprotocol, (de)serialising JSON-RPC messages and
applying edits in the stock store — the costs every pygls server pays.

Run: ``python benchmarks/reference_server.py`` (stdio).
"""

from __future__ import annotations

import sys

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer(
    "glossary-benchmark-reference",
    "1.0",
    text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
)

HOVER = types.Hover(
    contents=types.MarkupContent(
        kind=types.MarkupKind.Markdown,
        value="**reference** — a constant hover from the benchmark's reference server.",
    )
)

COMPLETIONS = types.CompletionList(
    is_incomplete=False,
    items=[
        types.CompletionItem(label=name, kind=types.CompletionItemKind.Property, detail="reference")
        for name in ("attention_mask", "input_ids", "labels", "token_type_ids")
    ],
)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(params: types.HoverParams) -> types.Hover:
    return HOVER


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=['"', "(", ","]),
)
def completion(params: types.CompletionParams) -> types.CompletionList:
    return COMPLETIONS


if __name__ == "__main__":
    if "--version" in sys.argv:
        print("glossary-benchmark-reference 1.0")
        sys.exit(0)
    server.start_io()
