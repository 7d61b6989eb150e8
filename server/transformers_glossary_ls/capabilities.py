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
    pull_diagnostics: bool = False  # asks with textDocument/diagnostic: we never push then
    diagnostic_refresh: bool = False  # takes workspace/diagnostic/refresh
    diagnostic_tags: bool = False  # shows DiagnosticTag.Deprecated
    signature_markdown: bool = True
    signature_active_parameter: bool = False  # reads SignatureInformation.activeParameter
    label_offsets: bool = False  # parameter labels may be [start, end) in the signature label
    work_done_progress: bool = False  # takes window/workDoneProgress/create and `$/progress`
    watched_files_dynamic: bool = False  # takes a didChangeWatchedFiles registration from us

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
        pull = document.diagnostic if document else None
        push = document.publish_diagnostics if document else None
        workspace = capabilities.workspace if capabilities else None
        refresh = workspace.diagnostics if workspace else None
        sig = document.signature_help if document else None
        sig_info = sig.signature_information if sig else None
        sig_formats = sig_info.documentation_format if sig_info else None
        sig_params = sig_info.parameter_information if sig_info else None
        tags = (pull.tag_support if pull else None) or (push.tag_support if push else None)
        window = capabilities.window if capabilities else None
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
            pull_diagnostics=pull is not None,
            diagnostic_refresh=bool(refresh and refresh.refresh_support),
            diagnostic_tags=bool(tags and types.DiagnosticTag.Deprecated in tags.value_set),
            signature_markdown=not sig_formats or types.MarkupKind.Markdown in sig_formats,
            signature_active_parameter=bool(sig_info and sig_info.active_parameter_support),
            label_offsets=bool(sig_params and sig_params.label_offset_support),
            work_done_progress=bool(window and window.work_done_progress),
            watched_files_dynamic=bool(
                workspace
                and workspace.did_change_watched_files
                and workspace.did_change_watched_files.dynamic_registration
            ),
        )
