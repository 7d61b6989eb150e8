"""Engine answers -> lsprotocol types, in the client's position encoding and markup."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable

from lsprotocol import types
from pygls.uris import from_fs_path

from transformers_glossary_ls.bounded import OVERHEAD, BoundedCache
from transformers_glossary_ls.capabilities import Client
from transformers_glossary_ls.completion import Candidate, Completion
from transformers_glossary_ls.diagnostics import (
    CODES,
    ERROR,
    HINT,
    INFORMATION,
    WARNING,
    Edit,
    Finding,
    Fix,
    Part,
    shown,
)
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.engine import HoverAnswer
from transformers_glossary_ls.navigation import Place
from transformers_glossary_ls.positions import to_units
from transformers_glossary_ls.protocol import Json
from transformers_glossary_ls.signature import UNKNOWN, Signature
from transformers_glossary_ls.spotting import Spot


def span_range(doc: Document, spot: Spot, encoding: str) -> types.Range:
    return types.Range(
        start=types.Position(
            spot.start_line, to_units(doc.line(spot.start_line), spot.start, encoding)
        ),
        end=types.Position(spot.end_line, to_units(doc.line(spot.end_line), spot.end, encoding)),
    )


def location(place: Place) -> types.Location:
    """The start of the line an entry is written on (column 0 is the same in every encoding)."""
    start = types.Position(place.line, 0)
    return types.Location(
        uri=from_fs_path(place.path) or place.path, range=types.Range(start=start, end=start)
    )


def reference(doc: Document, spot: Spot, client: Client) -> types.Location:
    return types.Location(uri=doc.uri, range=span_range(doc, spot, client.encoding))


def symbol(entry, place: Place) -> types.SymbolInformation:
    """An entry as a workspace symbol: concepts as strings, arguments as fields; the container
    says where it was written (`built-in` for the shipped vocabulary)."""
    kind = types.SymbolKind.Field if entry.is_argument else types.SymbolKind.String
    where = entry.origin.rpartition(":")[0] if entry.origin else "built-in"
    return types.SymbolInformation(
        name=entry.term, kind=kind, location=location(place), container_name=where
    )


def vocabulary_completion(
    found: tuple[int, list[str], bool], doc: Document, line: int, index: int, client: Client
) -> dict:
    """Keys (`summary: `) or ids, replacing the word typed so far."""
    start, labels, keys = found
    text = doc.line(line)
    edit_range = types.Range(
        start=types.Position(line, to_units(text, start, client.encoding)),
        end=types.Position(line, to_units(text, index, client.encoding)),
    )
    kind = types.CompletionItemKind.Property if keys else types.CompletionItemKind.Reference
    items = [
        types.CompletionItem(
            label=label,
            kind=kind,
            text_edit=types.TextEdit(range=edit_range, new_text=f"{label}: " if keys else label),
        )
        for label in labels
    ]
    return {"isIncomplete": False, "items": items}


def markup(text: str, markdown: bool) -> types.MarkupContent:
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.MarkupContent(kind=kind, value=text)


def hover(answer: HoverAnswer, doc: Document, client: Client) -> Json:
    """A hover written as JSON directly: the JSON cattrs writes for a `types.Hover` of
    `markup(answer.text)` over `span_range(answer.spot)`, at a tenth of the cost on a request
    answered every time the mouse rests."""
    span = span_range(doc, answer.spot, client.encoding)
    kind = "markdown" if client.hover_markdown else "plaintext"
    return Json(
        f'{{"contents":{{"kind":"{kind}","value":{json.dumps(answer.text)}}},'
        f'"range":{{"start":{{"line":{span.start.line},"character":{span.start.character}}},'
        f'"end":{{"line":{span.end.line},"character":{span.end.character}}}}}}}'
    )


def completion_list(
    result: Completion | None,
    doc: Document,
    line: int,
    client: Client,
    documentation: Callable[[Candidate], str | None],
) -> dict:
    """Our candidates as an LSP CompletionList: an edit over the typed text, docs now or later.

    Built as JSON-ready dicts rather than lsprotocol objects: a list of ~40 items is answered on
    every keystroke, and converting that many attrs objects through cattrs took half the time.
    (The server writes the same list with `CompletionJson`, which keeps each item's JSON.)
    """
    if result is None:
        return {"isIncomplete": False, "items": []}
    edit_range = _edit_range(result, doc.line(line), line, client.encoding)
    items = [
        _item(candidate, edit_range, _documentation(candidate, client, documentation), client)
        for candidate in result.candidates
    ]
    return {"isIncomplete": result.incomplete, "items": items}


def _edit_range(result: Completion, text: str, line: int, encoding: str) -> dict:
    return {
        "start": {"line": line, "character": to_units(text, result.start, encoding)},
        "end": {"line": line, "character": to_units(text, result.end, encoding)},
    }


def _documentation(
    candidate: Candidate, client: Client, documentation: Callable[[Candidate], str | None]
) -> str | None:
    """The documentation sent with an item: none where the client resolves it later."""
    return None if client.resolve_documentation else documentation(candidate)


def _item(candidate: Candidate, edit_range: object, docs: str | None, client: Client) -> dict:
    item = {
        "label": candidate.label,
        "kind": _KINDS[candidate.kind],
        "sortText": sort_text(candidate),
        "filterText": candidate.filter,
        "textEdit": {"range": edit_range, "newText": candidate.insert},
        "data": _data(candidate),
    }
    if candidate.deprecated and client.deprecated_tag:
        item["tags"] = [types.CompletionItemTag.Deprecated.value]
    if client.label_details:
        # The shape sits next to the label; the summary opens the documentation already.
        if candidate.description:
            item["labelDetails"] = {"description": candidate.description}
    else:
        item["detail"] = " — ".join(p for p in (candidate.description, candidate.summary) if p)
    if docs:
        item["documentation"] = {"kind": _markup_kind(client.completion_markdown), "value": docs}
    return item


MAX_ITEM_JSONS = 4096  # completion items whose JSON is kept (the lists of a few calls' names)
MAX_ITEM_JSON_BYTES = 8 * 1024 * 1024
# Stands for the edit's range in a kept item's JSON (the only part two answers do not share).
_RANGE_MARK = "\0range\0"
_RANGE_JSON = json.dumps(_RANGE_MARK)
_EMPTY_LIST = Json('{"isIncomplete": false, "items": []}')


class CompletionJson:
    """Completion lists written as JSON for one client, each item's JSON kept.

    A list of ~40 items is answered on every keystroke, and `json.dumps` of it (~0.25 ms) was
    the largest part of a completion's time in the server. Two answers with the same candidate
    differ only in the edit's range, so an item's JSON is kept in two pieces around it, keyed by
    the candidate and the documentation sent with it. The text is what `json.dumps` writes of
    `completion_list(...)`."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._items: BoundedCache[tuple[Candidate, str | None], tuple[str, str]] = BoundedCache(
            MAX_ITEM_JSONS, MAX_ITEM_JSON_BYTES, _item_json_size
        )

    def write(
        self,
        result: Completion | None,
        doc: Document,
        line: int,
        documentation: Callable[[Candidate], str | None],
    ) -> Json:
        if result is None:
            return _EMPTY_LIST
        client = self.client
        edit_range = _edit_range(result, doc.line(line), line, client.encoding)
        range_json = json.dumps(edit_range)
        texts = []
        for candidate in result.candidates:
            docs = _documentation(candidate, client, documentation)
            key = (candidate, docs)
            pieces = self._items.get(key)
            if pieces is None:
                text = json.dumps(_item(candidate, _RANGE_MARK, docs, client))
                head, mark, tail = text.partition(_RANGE_JSON)
                if not mark or _RANGE_JSON in tail:  # the mark in the item's own text
                    texts.append(json.dumps(_item(candidate, edit_range, docs, client)))
                    continue
                pieces = self._items.put(key, (head, tail))
            texts.append(pieces[0] + range_json + pieces[1])
        incomplete = "true" if result.incomplete else "false"
        return Json(f'{{"isIncomplete": {incomplete}, "items": [{", ".join(texts)}]}}')


def _item_json_size(key: tuple[Candidate, str | None], pieces: tuple[str, str]) -> int:
    """About what a kept item's JSON costs: its pieces, its documentation and the candidate's
    longest strings (user vocabularies can make them long)."""
    candidate, docs = key
    texts = (*pieces, docs or "", candidate.label, candidate.summary, candidate.description)
    return OVERHEAD + sum(len(text) for text in texts)


def sort_text(candidate: Candidate) -> str:
    """The client sorts by this string: the match tier first, then our rank."""
    return f"{candidate.tier}{candidate.rank:04d}"


def _markup_kind(markdown: bool) -> str:
    return types.MarkupKind.Markdown.value if markdown else types.MarkupKind.PlainText.value


MAX_DATA_TEXT = 1024  # characters of any string in an item's `data`
_DATA_KEYS = frozenset({"id", "head", "value", "call"})
_CLASS_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _data(candidate: Candidate) -> dict:
    """What completionItem/resolve needs to find the documentation again: kept small."""
    data = {"id": candidate.entry_id}
    if candidate.head and _is_head(candidate.head):
        data["head"] = candidate.head
    if candidate.value is not None:
        data["value"] = candidate.value
    if candidate.fact_key is not None:
        data["call"] = candidate.fact_key
    return data


def resolve_key(data: object) -> tuple[str, str | None, str | None, str | None] | None:
    """(id, head, value, call) from an item's `data` when it has the shape `_data` gives it:
    only our keys, strings of bounded size, a head that is a class name. Anything else is not
    what we sent, and is answered without documentation (and without being cached)."""
    if not isinstance(data, dict) or not data.keys() <= _DATA_KEYS:
        return None
    fields = [data.get(key) for key in ("id", "head", "value", "call")]
    if not isinstance(fields[0], str) or not all(
        field is None or (isinstance(field, str) and len(field) <= MAX_DATA_TEXT)
        for field in fields
    ):
        return None
    if fields[1] is not None and not _is_head(fields[1]):
        return None
    return fields[0], fields[1], fields[2], fields[3]


def _is_head(head: str) -> bool:
    return len(head) <= MAX_DATA_TEXT and _CLASS_NAME.match(head) is not None


_KINDS = {
    "argument": types.CompletionItemKind.Field.value,
    "key": types.CompletionItemKind.Field.value,
    "value": types.CompletionItemKind.Value.value,
    "term": types.CompletionItemKind.Text.value,
}


_SEVERITIES = {
    ERROR: types.DiagnosticSeverity.Error,
    WARNING: types.DiagnosticSeverity.Warning,
    INFORMATION: types.DiagnosticSeverity.Information,
    HINT: types.DiagnosticSeverity.Hint,
}
SOURCE = "transformers-glossary"


def _range(doc: Document, line: int, start: int, end: int, encoding: str) -> types.Range:
    text = doc.line(line)
    return types.Range(
        start=types.Position(line, to_units(text, start, encoding)),
        end=types.Position(line, to_units(text, end, encoding)),
    )


def diagnostic(finding: Finding, doc: Document, client: Client) -> types.Diagnostic:
    tags = (
        [types.DiagnosticTag.Deprecated] if finding.deprecated and client.diagnostic_tags else None
    )
    return types.Diagnostic(
        range=_range(doc, finding.line, finding.start, finding.end, client.encoding),
        message=finding.message,
        severity=_SEVERITIES[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=finding.url) if finding.url else None,
        source=SOURCE,
        tags=tags,
        data={"name": CODES[finding.code]},
    )


# A diagnostic's JSON up to its first line number; the line number comes twice (the range's
# start and end: a finding is on one line).
_HEAD = '{"range":{"start":{"line":'
_COMPACT = (",", ":")


@dataclasses.dataclass(slots=True)
class _PartJson:
    """The JSON of one part's findings, each cut around its line number: a part that lines
    above have moved is written again by joining strings, without rendering anything."""

    made: tuple[Finding, ...]  # the part's findings as made (its identity keys this)
    pieces: list[tuple[int, str, str, str]]  # (line as made, code, after 1st line, after 2nd)
    written: tuple | None = None  # (shift, selection) that `text` was joined for
    text: str = ""


class DiagnosticsJson:
    """One document's diagnostics as the JSON of a report's items, for one client.

    Each finding is rendered (`diagnostic`), unstructured by the protocol's converter and
    serialised once, when the part holding it (`diagnostics.Part`, a block's findings) is new:
    the checker gives back the same part for a block an edit did not touch, so a report after
    an edit renders the findings of the touched blocks and joins the kept JSON of the others.
    The client's position encoding and tag support are in the JSON: another client, another
    `DiagnosticsJson`."""

    def __init__(self, client: Client, converter) -> None:
        self.client = client
        self.converter = converter
        self._parts: dict[int, _PartJson] = {}  # id(part.made) -> its JSON, for the parts now
        self.rendered = 0  # findings rendered so far (not reused)
        # The last report's parts' texts and their join: the same texts (what most keystrokes
        # leave) give back the same string, not a join of ~1.3 MB for a 200,000-line file.
        self._texts: list[str] = []
        self._joined = "[]"

    def items(
        self,
        parts: Iterable[Part],
        doc: Document,
        only: Iterable[str] = (),
        skip: Iterable[str] = (),
    ) -> str:
        """The JSON array of the diagnostics of `parts` whose codes are shown (see
        `diagnostics.shown`), in order; `doc` is the document the parts were found in now."""
        only, skip = tuple(only), tuple(skip)
        parts = list(parts)
        kept, self._parts = self._parts, {}
        entries = [kept.pop(id(part.made), None) for part in parts]
        # A block walked again keeps the findings of its chunks that were not checked again
        # (the same objects) in its new part: their JSON holds too.
        spare = {
            id(finding): (finding, piece)
            for entry in kept.values()
            for finding, piece in zip(entry.made, entry.pieces, strict=True)
        }
        texts = []
        for part, entry in zip(parts, entries, strict=True):
            if entry is None or entry.made is not part.made:
                entry = self._render(part, doc, spare)
            self._parts[id(part.made)] = entry
            wanted = (part.shift, only, skip)
            if entry.written != wanted:
                shift = part.shift
                entry.text = ",".join(
                    f"{_HEAD}{line + shift}{first}{line + shift}{rest}"
                    for line, code, first, rest in entry.pieces
                    if shown(code, only, skip)
                )
                entry.written = wanted
            if entry.text:
                texts.append(entry.text)
        if texts != self._texts:
            self._texts, self._joined = texts, f"[{','.join(texts)}]"
        return self._joined

    def _render(self, part: Part, doc: Document, spare: dict) -> _PartJson:
        pieces = []
        for finding in part.made:
            reused = spare.get(id(finding))
            if reused is not None and reused[0] is finding:
                pieces.append(reused[1])  # its line's text is the same: its JSON too
                continue
            shift = part.shift
            now = dataclasses.replace(finding, line=finding.line + shift) if shift else finding
            value = self.converter.unstructure(diagnostic(now, doc, self.client))
            where = value.pop("range")  # first, as the converter writes it
            first = f',"character":{where["start"]["character"]}}},"end":{{"line":'
            tail = json.dumps(value, separators=_COMPACT, allow_nan=False)
            rest = f',"character":{where["end"]["character"]}}}}},{tail[1:]}'
            pieces.append((finding.line, finding.code, first, rest))
            self.rendered += 1
        return _PartJson(part.made, pieces)


def full_report(items: str, result_id: str) -> Json:
    """A `RelatedFullDocumentDiagnosticReport` of items in JSON already."""
    return Json(f'{{"kind":"full","resultId":{json.dumps(result_id)},"items":{items}}}')


def published(uri: str, items: str, version: int | None) -> Json:
    """`PublishDiagnosticsParams` of items in JSON already."""
    tail = f',"version":{int(version)}' if version is not None else ""
    return Json(f'{{"uri":{json.dumps(uri)},"diagnostics":{items}{tail}}}')


def text_edit(edit: Edit, doc: Document, client: Client) -> types.TextEdit:
    return types.TextEdit(
        range=_range(doc, edit.line, edit.start, edit.end, client.encoding), new_text=edit.text
    )


def quick_fix(fix: Fix, finding: Finding, alone: bool, doc: Document, client: Client):
    return types.CodeAction(
        title=fix.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic(finding, doc, client)],
        is_preferred=alone or None,
        edit=types.WorkspaceEdit(changes={doc.uri: [text_edit(fix.edit, doc, client)]}),
    )


def fix_all(edits: list[Edit], doc: Document, client: Client) -> types.CodeAction:
    return types.CodeAction(
        title="Fix all transformers-glossary findings",
        kind=types.CodeActionKind.SourceFixAll,
        edit=types.WorkspaceEdit(changes={doc.uri: [text_edit(e, doc, client) for e in edits]}),
    )


# How a parameter's status reads after its name in the signature's own documentation.
_STATUS_WORDS = {
    "deprecated": "deprecated",
    "removed": "removed",
    "not_yet": "not in this release yet",
    UNKNOWN: "not a keyword of this call",
}


def signature_help(signature: Signature, client: Client) -> types.SignatureHelp:
    """One signature; its parameters as label offsets where the client reads them (a name may
    appear twice in a label), else as strings."""
    label = signature.label
    markdown = client.signature_markdown
    parameters = []
    for p, (start, end) in zip(signature.parameters, signature.offsets(), strict=True):
        where: str | tuple[int, int] = p.label
        if client.label_offsets:
            # Counted in the units positions are counted in (the spec: "as Position does").
            where = (to_units(label, start, client.encoding), to_units(label, end, client.encoding))
        docs = markup(p.documentation, markdown) if p.documentation else None
        parameters.append(types.ParameterInformation(label=where, documentation=docs))
    flagged = [
        f"{p.name}: {_STATUS_WORDS[p.status]}"
        for p in signature.parameters
        if p.status in _STATUS_WORDS
    ]
    info = types.SignatureInformation(
        label=label,
        documentation=markup("; ".join(flagged), markdown) if flagged else None,
        parameters=parameters,
        active_parameter=signature.active if client.signature_active_parameter else None,
    )
    return types.SignatureHelp(
        signatures=[info], active_signature=0, active_parameter=signature.active
    )
