"""A report's JSON is kept with the findings (render.DiagnosticsJson): a finding is rendered and
serialised once, reused while its block is untouched (moved by lines above or not), and made
again when its block changes, or for another position encoding or release. Whatever was
reused, the JSON is what lsprotocol's converter writes for the same diagnostics. Counted in
findings rendered, never timed.

This tests the boundary that writes LSP JSON, so, unlike the engine's tests, it imports
lsprotocol (for its converter, the reference) and render.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from lsprotocol import types
from lsprotocol.converters import get_converter
from transformers_glossary_ls import render
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.analysis.calls import CHUNK_LINES, LOOK_AHEAD_LINES
from transformers_glossary_ls.capabilities import Client
from transformers_glossary_ls.diagnostics import Part, select
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.positions import UTF8, UTF16, UTF32
from transformers_glossary_ls.protocol import strict_converter
from transformers_glossary_ls.server import GlossaryServer

from tests.unit.conftest import edit_near, line_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "old_tutorials"
RELEASE = "4.51.3"
# Characters before the keyword that count differently in UTF-8, UTF-16 and UTF-32.
WIDE = 'args = TrainingArguments(output_dir="😀ü", evaluation_strategy="epoch")'
GENERATE = "out = model.generate(input_ids, max_new_tokens=5, attention_masks=mask)"
CLIENTS = [
    pytest.param(Client(encoding=UTF16, diagnostic_tags=True), id="utf-16, tags"),
    pytest.param(Client(encoding=UTF8), id="utf-8, no tags"),
    pytest.param(Client(encoding=UTF32, diagnostic_tags=True), id="utf-32, tags"),
]
TAGS = Client(encoding=UTF16, diagnostic_tags=True)


def _glossary(release: str = RELEASE) -> Glossary:
    glossary = Glossary()
    glossary.use_versions({"transformers": release})
    return glossary


def _text() -> str:
    """Real code past twenty blocks: the vendored notebooks (keywords 4.51 no longer takes),
    a line whose keyword comes after wide characters, and a generate() call, 25 times."""
    notebook = (FIXTURES / "notebooks_examples.py").read_text(encoding="utf-8")
    head = 'model = AutoModelForCausalLM.from_pretrained("gpt2")\n'
    return head + "".join(f"{notebook}\n{WIDE}\n{GENERATE}\n" for _ in range(25))


def _converters(findings, analysis: Analysis, client: Client) -> str:
    """What lsprotocol's converter writes for the same diagnostics (compact JSON)."""
    converter = get_converter()
    items = [converter.unstructure(render.diagnostic(f, analysis.doc, client)) for f in findings]
    return json.dumps(items, separators=(",", ":"))


def _report(glossary: Glossary, analysis: Analysis, written: render.DiagnosticsJson) -> str:
    return written.items(glossary.diagnostic_parts(analysis), analysis.doc)


def _findings_near_block(glossary: Glossary, analysis: Analysis, block: int) -> int:
    """Findings of the calls of a block and of the last chunks of the block above it (whose
    calls may run on into it: those chunks are checked again when the block changes); a
    call's keywords may run on past its block too."""
    start = analysis.doc.block_start(block) - CHUNK_LINES - LOOK_AHEAD_LINES
    end = analysis.doc.block_start(block) + len(analysis.doc.blocks[block].lines)
    end += LOOK_AHEAD_LINES
    return sum(start <= f.line < end for f in glossary.diagnostics(analysis))


@pytest.mark.parametrize("client", CLIENTS)
def test_the_json_is_the_converters(client):
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    assert len(analysis.doc.blocks) > 20
    items = _report(glossary, analysis, render.DiagnosticsJson(client, strict_converter()))
    findings = glossary.diagnostics(analysis)
    assert any(f.line and "😀" in analysis.doc.line(f.line) for f in findings)
    assert any(f.deprecated for f in findings) or not client.diagnostic_tags
    assert items == _converters(findings, analysis, client)  # byte for byte, compact
    assert json.loads(items) == json.loads(_converters(findings, analysis, client))


def test_a_deprecated_finding_carries_its_tag_and_links():
    glossary = _glossary("4.45.2")  # evaluation_strategy deprecated there, not removed
    analysis = Glossary.open("file:///t.py", _text())
    written = render.DiagnosticsJson(TAGS, strict_converter())
    items = json.loads(_report(glossary, analysis, written))
    deprecated = [d for d in items if d["code"] == "TG002"]
    assert deprecated and all(d["tags"] == [2] for d in deprecated)
    assert any("codeDescription" in d for d in items)
    assert items == json.loads(_converters(glossary.diagnostics(analysis), analysis, TAGS))


# (id, needle on the edited line, block, edit as (column or None for a new line, text),
#  whether every block below moves)
EDITS = [
    ("keystroke in a keyword", "evaluation_strategy", 9, (4, "x"), False),
    ("keystroke in a value", '"epoch"', 14, (-2, "s"), False),
    ("keystroke on the wide line", "😀", 6, (0, "é"), False),
    ("a line inserted above calls", "TrainingArguments(", 3, (None, "x = 1"), True),
]


@pytest.mark.parametrize(
    "needle,block,edit,moves", [e[1:] for e in EDITS], ids=[e[0] for e in EDITS]
)
def test_an_edit_renders_the_findings_of_the_block_it_touched(needle, block, edit, moves):
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    written = render.DiagnosticsJson(TAGS, strict_converter())
    _report(glossary, analysis, written)
    total = written.rendered
    assert total == len(glossary.diagnostics(analysis))
    before = {id(part.made): part for part in glossary.diagnostic_parts(analysis)}

    line = edit_near(analysis, needle, block, edit)
    items = _report(glossary, analysis, written)

    assert items == _converters(glossary.diagnostics(analysis), analysis, TAGS)
    # Rendered: the findings made anew, those of the edited block and of the last chunks of the
    # block above; the JSON of every other finding is reused, moved or not.
    after = glossary.diagnostic_parts(analysis)
    old = {id(f) for part in before.values() for f in part.made}  # kept alive by `before`
    made = sum(id(f) not in old for part in after for f in part.made)
    rendered = written.rendered - total
    assert 0 < rendered == made <= _findings_near_block(glossary, analysis, block)
    kept = [part for part in after if id(part.made) in before]
    assert len(after) - len(kept) <= 2  # the edited block's part and the one above it
    below = [part for part in kept if part.made[0].line > line]
    assert below and all(bool(part.shift) == moves for part in below)


def test_a_report_again_renders_nothing():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    written = render.DiagnosticsJson(TAGS, strict_converter())
    first = _report(glossary, analysis, written)
    total = written.rendered
    assert _report(glossary, analysis, written) == first
    assert written.rendered == total


def test_a_selection_joins_the_kept_json_again():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    written = render.DiagnosticsJson(TAGS, strict_converter())
    parts = glossary.diagnostic_parts(analysis)
    written.items(parts, analysis.doc)
    total = written.rendered
    for only, skip in [(("TG003",), ()), ((), ("TG001",)), (("TG00",), ("TG003", "TG004"))]:
        items = written.items(parts, analysis.doc, only, skip)
        shown = select(glossary.diagnostics(analysis), only, skip)
        assert shown and items == _converters(shown, analysis, TAGS)
    assert written.rendered == total


def test_another_position_encoding_renders_again():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    utf16 = render.DiagnosticsJson(TAGS, strict_converter())
    utf8 = render.DiagnosticsJson(Client(encoding=UTF8, diagnostic_tags=True), strict_converter())
    sixteen, eight = _report(glossary, analysis, utf16), _report(glossary, analysis, utf8)
    assert sixteen != eight  # the keyword after "😀ü" is at another column
    assert utf8.rendered == utf16.rendered == len(glossary.diagnostics(analysis))
    assert eight == _converters(glossary.diagnostics(analysis), analysis, utf8.client)


def test_new_releases_render_again():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    written = render.DiagnosticsJson(TAGS, strict_converter())
    old = _report(glossary, analysis, written)
    total = written.rendered
    glossary.use_versions({"transformers": "4.40.2"})  # evaluation_strategy still taken there
    new = _report(glossary, analysis, written)
    assert new != old
    assert written.rendered - total == len(glossary.diagnostics(analysis))
    assert new == _converters(glossary.diagnostics(analysis), analysis, TAGS)


def test_findings_made_apart_from_the_checker_are_rendered_when_new():
    """A vocabulary file's defects come as one new part per report, made anew each time."""
    analysis = Glossary.open("file:///t.py", WIDE)
    findings = _glossary().diagnostics(analysis)
    written = render.DiagnosticsJson(TAGS, strict_converter())
    expected = _converters(findings, analysis, TAGS)
    assert written.items([Part(tuple(findings))], analysis.doc) == expected
    copies = tuple(dataclasses.replace(f) for f in findings)
    assert written.items([Part(copies)], analysis.doc) == expected
    assert written.rendered == 2 * len(findings)
    # The same findings in another part: their JSON holds.
    assert written.items([Part(tuple(list(copies)))], analysis.doc) == expected
    assert written.rendered == 2 * len(findings)


def test_reports_and_pushes_around_kept_json():
    items = '[{"message":"m"}]'
    assert json.loads(render.full_report(items, "7").text) == {
        "kind": "full",
        "resultId": "7",
        "items": [{"message": "m"}],
    }
    assert json.loads(render.published("file:///a%20b.py", items, 3).text) == {
        "uri": "file:///a%20b.py",
        "diagnostics": [{"message": "m"}],
        "version": 3,
    }


def test_json_goes_out_as_it_is():
    """A result or params already JSON are written as they are; nested anywhere else, read."""
    protocol = GlossaryServer().protocol
    sent: list[bytes] = []
    protocol.set_writer(SimpleNamespace(write=sent.append))
    report = render.full_report('[{"message":"m"}]', "3")
    protocol._send_data(types.DocumentDiagnosticResponse(id=7, result=report))
    pushed = render.published("file:///t.py", "[]", 2)
    protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, pushed)
    protocol._send_data(types.DocumentDiagnosticResponse(id=8, result=[report]))
    bodies = [json.loads(frame.partition(b"\r\n\r\n")[2]) for frame in sent]
    assert bodies == [
        {"jsonrpc": "2.0", "id": 7, "result": json.loads(report.text)},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": {"uri": "file:///t.py", "diagnostics": [], "version": 2},
        },
        {"jsonrpc": "2.0", "id": 8, "result": [json.loads(report.text)]},
    ]
    assert sent[0].endswith(b',"result":' + report.text.encode() + b"}")


def test_an_edit_that_changes_no_diagnostic_gives_back_the_same_report():
    """A keystroke that leaves every finding as it was (its block's part made again) gives back
    the last report's string itself: nothing joined, and the server's comparison with the last
    report (for its resultId) is one of identity."""
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _text())
    written = render.DiagnosticsJson(TAGS, strict_converter())
    first = _report(glossary, analysis, written)
    blank = line_of(analysis, "evaluation_strategy", 3) - 1
    while analysis.doc.line(blank).strip():
        blank -= 1
    analysis.doc.replace(blank, 0, blank, 0, "# a note")
    assert _report(glossary, analysis, written) is first
    line = line_of(analysis, "evaluation_strategy", 3)
    analysis.doc.replace(line, 0, line, 0, " ")  # the same keywords, a column further
    assert _report(glossary, analysis, written) != first
