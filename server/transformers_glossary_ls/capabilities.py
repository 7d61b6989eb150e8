"""What the client supports, read once from `initialize` and asked of nowhere else."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from transformers_glossary_ls.positions import UTF16


@dataclass(frozen=True, slots=True)
class Client:
    encoding: str = UTF16  # the negotiated position encoding
    hover_markdown: bool = True
    completion_markdown: bool = True
    resolve_documentation: bool = False  # documentation may wait for completionItem/resolve
    label_details: bool = False
    deprecated_tag: bool = False  # completion items may carry CompletionItemTag.Deprecated

    @classmethod
    def from_initialize(
        cls, capabilities: types.ClientCapabilities | None, encoding: str | None
    ) -> Client:
        document = capabilities.text_document if capabilities else None
        hover = document.hover if document else None
        hover_formats = hover.content_format if hover and hover.content_format else None
        completion = document.completion if document else None
        item = completion.completion_item if completion else None
        doc_formats = item.documentation_format if item and item.documentation_format else None
        resolvable = item.resolve_support.properties if item and item.resolve_support else []
        return cls(
            encoding=encoding or UTF16,
            hover_markdown=hover_formats is None or types.MarkupKind.Markdown in hover_formats,
            completion_markdown=doc_formats is None or types.MarkupKind.Markdown in doc_formats,
            resolve_documentation="documentation" in resolvable,
            label_details=bool(item and item.label_details_support),
            deprecated_tag=bool(
                item
                and item.tag_support
                and types.CompletionItemTag.Deprecated in item.tag_support.value_set
            ),
        )
