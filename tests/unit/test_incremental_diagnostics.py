"""An edit re-checks only the calls it touches (issue 14, section 5): a checker keeps each chunk
of the call index's findings until the chunk, or a name its calls looked up, changes. Counted in
calls checked (never timed), and every answer equal to a fresh checker's on the same text.

The document is real code: the vendored early-2024 notebooks (TrainingArguments calls with
keywords 4.51 no longer takes) repeated past twenty blocks, with a `model.generate()` call after
each copy, whose receiver is looked up blocks above it.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from transformers_glossary_ls import diagnostics
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.analysis.calls import CHUNK_LINES, LOOK_AHEAD_LINES
from transformers_glossary_ls.analysis.receivers import BINDING_BLOCKS
from transformers_glossary_ls.bounded import BoundedCache
from transformers_glossary_ls.diagnostics import Checker
from transformers_glossary_ls.engine import Glossary

from tests.unit.conftest import edit_near, line_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upstream" / "old_tutorials"
RELEASE = "4.51.3"
GENERATE = "out = model.generate(input_ids, max_new_tokens=5, attention_masks=mask)"


def _glossary() -> Glossary:
    glossary = Glossary()
    glossary.use_versions({"transformers": RELEASE})
    return glossary


def _python_text() -> str:
    notebook = (FIXTURES / "notebooks_examples.py").read_text(encoding="utf-8")
    head = 'model = AutoModelForCausalLM.from_pretrained("gpt2")\n'
    return head + "".join(notebook + "\n" + GENERATE + "\n" for _ in range(25))


def _markdown_text() -> str:
    chapters = (FIXTURES / "course_chapters.md").read_text(encoding="utf-8")
    return "\n".join([chapters] * 100)


def _fresh(analysis: Analysis):
    """What a checker that never saw the document finds in its text now."""
    other = Glossary.open(analysis.doc.uri, analysis.doc.text, analysis.doc.language_id)
    return _glossary().diagnostics(other)


def _calls_in_blocks(analysis: Analysis, blocks: range) -> int:
    return sum(len(analysis.chunk_calls(k, c)) for k, c in analysis.chunks() if k in blocks)


# (id, language, needle on the edited line, block, edit as (column or None for a new line, text))
EDITS = [
    ("keystroke in a keyword", "python", "evaluation_strategy", 9, (4, "x")),
    ("keystroke in a value", "python", '"epoch"', 14, (-2, "s")),
    ("a line inserted above calls", "python", "TrainingArguments(", 3, (None, "x = 1")),
    ("a line inserted in prose", "markdown", "evaluation_strategy", 6, (None, "Some prose.")),
    ("keystroke in a fence", "markdown", "evaluation_strategy", 11, (4, "x")),
]


@pytest.mark.parametrize(
    "language,needle,block,edit", [e[1:] for e in EDITS], ids=[e[0] for e in EDITS]
)
def test_an_edit_rechecks_its_block_only(language, needle, block, edit):
    glossary = _glossary()
    text = _python_text() if language == "python" else _markdown_text()
    analysis = Glossary.open(f"file:///t.{'py' if language == 'python' else 'md'}", text)
    assert len(analysis.doc.blocks) > 20
    first = glossary.diagnostics(analysis)
    total = glossary.checker.calls_checked
    assert first and total == sum(1 for _ in analysis.calls())

    assert glossary.diagnostics(analysis) == first  # nothing changed: nothing re-checked
    assert glossary.checker.calls_checked == total

    edit_near(analysis, needle, block, edit)
    found = glossary.diagnostics(analysis)
    rechecked = glossary.checker.calls_checked - total
    assert found == _fresh(analysis)
    # The edited block's calls, and at most the last chunks of the block above (whose calls'
    # arguments may run on into the edited one).
    assert 0 < rechecked <= _calls_in_blocks(analysis, range(block - 1, block + 1))
    assert rechecked < total / 10


def _calls_opening_in(analysis: Analysis, lines: range) -> int:
    return sum(1 for call in analysis.calls() if call.open[0] in lines)


@pytest.mark.parametrize("keystrokes", [1, 5], ids=["one keystroke", "five, then a check"])
def test_a_keystroke_rechecks_the_chunks_whose_lines_it_changed(keystrokes):
    """A chunk of the edited block whose lines, and the lines below that its calls may run on
    into, are as they were keeps its findings: keystrokes re-check the calls opened in the few
    chunks above them, not the block's."""
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    glossary.diagnostics(analysis)
    total = glossary.checker.calls_checked
    line = line_of(analysis, "evaluation_strategy", 9)
    at = analysis.doc.line(line).index("evaluation_strategy") + 4
    for typed in range(keystrokes):
        analysis.doc.replace(line, at + typed, line, at + typed, "x")
    assert glossary.diagnostics(analysis) == _fresh(analysis)
    rechecked = glossary.checker.calls_checked - total
    near = range(line - CHUNK_LINES - LOOK_AHEAD_LINES, line + CHUNK_LINES)
    assert 0 < rechecked <= _calls_opening_in(analysis, near)
    assert rechecked < _calls_in_blocks(analysis, range(9, 10)) / 2


def test_a_kept_chunk_of_the_edited_block_reads_its_own_block_at_the_same_lines():
    """Edits that move an assignment of the edited block past a call (same line count, the
    call's lines untouched) make the call's chunk checked again: what a look-up from inside
    the block finds depends on where the assignments are, not only on which they are."""
    glossary = _glossary()
    bind = 'lm = AutoModelForCausalLM.from_pretrained("gpt2")'
    call = "out = lm.generate(input_ids, max_new_tokens=5, attention_masks=mask)"
    lines = ["x = 0"] * 400
    lines[0], lines[100], lines[200] = bind, call, bind
    analysis = Glossary.open("file:///t.py", "\n".join(lines) + "\n")
    assert [f.line for f in glossary.diagnostics(analysis)] == [100]  # `lm` is a model there
    # In one go, before any check: line 0's assignment is gone, one more comes at line 300.
    analysis.doc.replace(0, 0, 0, len(bind), "x = 0")
    analysis.doc.replace(300, 0, 300, len("x = 0"), bind)
    assert glossary.diagnostics(analysis) == _fresh(analysis) == []  # `lm` unknown at line 100


def test_an_edit_that_rebinds_a_receiver_rechecks_the_calls_that_looked_it_up():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    before = glossary.diagnostics(analysis)
    flagged = [f for f in before if "attention_masks" in f.message]
    assert flagged  # `model` is a model: its generate() is checked
    total = glossary.checker.calls_checked

    # `model` now holds something we cannot tell, from block 5 on: the generate() calls below
    # it (as far as a look-up goes back) are no longer sure, and get nothing.
    line = analysis.doc.block_start(5) + 3
    analysis.doc.replace(line, 0, line, 0, "model = make_model()\n")
    after = glossary.diagnostics(analysis)
    assert after == _fresh(analysis)
    assert len([f for f in after if "attention_masks" in f.message]) < len(flagged)
    rechecked = glossary.checker.calls_checked - total
    # The edited block's calls, and the generate() calls below that looked `model` up there.
    dependants = sum(
        1
        for k, c in analysis.chunks()
        if 5 < k <= 5 + BINDING_BLOCKS
        for call in analysis.chunk_calls(k, c)
        if call.callee == "model.generate"
    )
    assert dependants >= 10
    assert rechecked >= _calls_in_blocks(analysis, range(5, 6)) + dependants
    assert rechecked < total / 2

    # Undo it: the same findings as at first, again checked only where `model` was looked up.
    analysis.doc.replace(line, 0, line + 1, 0, "")
    assert glossary.diagnostics(analysis) == before


def test_a_second_edit_of_the_same_block_is_followed_too():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    glossary.diagnostics(analysis)
    line = line_of(analysis, "evaluation_strategy", 8)
    per_edit = []
    for _ in range(3):
        total = glossary.checker.calls_checked
        analysis.doc.replace(line, 0, line, 0, " ")
        assert glossary.diagnostics(analysis) == _fresh(analysis)
        per_edit.append(glossary.checker.calls_checked - total)
    assert max(per_edit) <= _calls_in_blocks(analysis, range(7, 9))


def test_new_releases_check_everything_again():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    old = glossary.diagnostics(analysis)
    total = glossary.checker.calls_checked
    glossary.use_versions({"transformers": "4.40.2"})  # evaluation_strategy still taken there
    new = glossary.diagnostics(analysis)
    assert glossary.checker.calls_checked == total  # a new checker, counting from zero
    assert len(new) < len(old)
    assert new == Glossary.diagnostics(glossary, Glossary.open("file:///t.py", _python_text()))


def test_a_closed_document_leaves_nothing_behind():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    glossary.diagnostics(analysis)
    assert len(glossary.checker._kept) == 1
    analysis.close()
    del analysis
    assert not glossary.checker._kept


def test_a_cell_whose_receiver_another_cell_binds_is_checked_again_when_that_cell_moves():
    """A notebook cell's call whose receiver an earlier cell binds depends on that cell, which
    the cell's own revisions do not follow: such a call is checked again on every walk."""
    from transformers_glossary_ls.notebooks import Notebook

    glossary = _glossary()
    notebook = Notebook("file:///n.ipynb")
    uris = ["cell:1", "cell:2"]
    notebook.splice(0, 0, uris)
    bind = "lm = AutoModelForCausalLM.from_pretrained('gpt2')\n"
    notebook.open_cell(uris[0], bind, False, "python")
    use = notebook.open_cell(uris[1], "out = lm(input_ids=x, use_cahce=True)\n", False, "python")
    assert [f.code for f in glossary.checker.check(use)] == ["TG003"]  # use_cahce
    notebook.splice(0, 2, list(reversed(uris)))  # the call's cell now comes first
    assert glossary.checker.check(use) == []  # `lm` is not known there: nothing said
    notebook.splice(0, 2, uris)
    assert [f.code for f in glossary.checker.check(use)] == ["TG003"]  # known again


def _fresh_checker(glossary: Glossary, analysis: Analysis):
    """What a checker that never saw the document finds in it now, blocks as they are (a
    document opened anew splits its text into blocks of its own, and how far a receiver is
    looked up is counted in blocks)."""
    return Checker(glossary.facts).check(analysis)


def test_a_keystroke_visits_the_blocks_it_concerns_only():
    """The walk goes to the edited block, the one above it, the blocks whose calls looked names
    up in it, and the next one (whose entry state may have changed), not to the other blocks."""
    glossary = _glossary()
    notebook = (FIXTURES / "notebooks_examples.py").read_text(encoding="utf-8")
    head = 'model = AutoModelForCausalLM.from_pretrained("gpt2")\n'
    text = head + "".join(notebook + "\n" + GENERATE + "\n" for _ in range(100))
    analysis = Glossary.open("file:///t.py", text)
    assert len(analysis.doc.blocks) > 80
    glossary.diagnostics(analysis)
    for block, edit in [(40, (4, "x")), (60, (None, "x = 1"))]:
        walked = glossary.checker.blocks_walked
        edit_near(analysis, "evaluation_strategy", block, edit)
        assert glossary.diagnostics(analysis) == _fresh_checker(glossary, analysis)
        assert glossary.checker.blocks_walked - walked <= 3 + BINDING_BLOCKS


# Edits as (needle, block, text replacing the needle's line, or how many lines from it to delete)
RANDOM_EDITS = [
    ("evaluation_strategy", 4, 'args = TrainingArguments("o", evaluation_strategy="epoch")x', 0),
    ("evaluation_strategy", 9, None, 700),  # lines across a block boundary: blocks merge
    ("TrainingArguments(", 3, "x = 1\n" * 1100, 0),  # a paste: the block splits
    ("evaluation_strategy", 12, 'doc = """', 0),  # a string opened: every block below changes
    ("evaluation_strategy", 14, 'end = """', 0),  # closed again further down
    ("model.generate", 6, "model = make_model()", 0),  # `model` rebound above generate() calls
    ("evaluation_strategy", 2, None, 1),
    ("evaluation_strategy", 0, 'args = TrainingArguments("o", evaluation_strategy="no")', 0),
    ("model.generate", 20, None, 600),  # to the end of the document
    ("evaluation_strategy", 7, "x", 0),  # below the rebinding, in a block followed since
]


def test_edits_of_every_kind_answer_as_a_fresh_checker():
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    glossary.diagnostics(analysis)
    for needle, block, text, delete in RANDOM_EDITS:
        line = line_of(analysis, needle, min(block, len(analysis.doc.blocks) - 1))
        if text is None:
            analysis.doc.replace(line, 0, line + delete, 0, "")
        else:
            analysis.doc.replace(line, 0, line, len(analysis.doc.line(line)), text)
        assert glossary.diagnostics(analysis) == _fresh_checker(glossary, analysis), needle
    analysis.doc.replace_all(_python_text())
    assert glossary.diagnostics(analysis) == _fresh(analysis)


@pytest.mark.parametrize("shared_sets", [4, diagnostics.MAX_SETS])
def test_seeded_random_edits_answer_as_a_fresh_checker(monkeypatch, shared_sets):
    """Keystrokes, new lines and deleted lines at random places, one after another: blocks
    followed, moved, visited or not by each walk keep answering as a new checker would (also
    when the table of shared name sets is cleared all the time)."""
    monkeypatch.setattr(diagnostics, "_SETS", BoundedCache(shared_sets, 1 << 20))
    rng = random.Random(14)
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    glossary.diagnostics(analysis)
    doc = analysis.doc
    for _ in range(12):
        line = rng.randrange(doc.line_count)
        text = doc.line(line)
        at = rng.randrange(len(text) + 1)
        kind = rng.choice(["keystroke", "line", "delete", "model"])
        if kind == "keystroke":
            doc.replace(line, at, line, at, rng.choice(["x", "_", "(", "=", ",", "'", '"']))
        elif kind == "line":
            doc.replace(line, at, line, at, "\n")
        elif kind == "delete":
            doc.replace(line, 0, min(line + rng.randrange(1, 40), doc.line_count - 1), 0, "")
        else:
            doc.replace(line, 0, line, 0, "model = make_model()\n")
        assert glossary.diagnostics(analysis) == _fresh_checker(glossary, analysis), kind


def test_equal_sets_of_names_looked_up_are_kept_once():
    """The kept findings of every chunk say which names they looked up where; equal sets are
    one object (a frozenset is ~200 bytes: at 20,000 lines they had been 6 MB)."""
    glossary = _glossary()
    analysis = Glossary.open("file:///t.py", _python_text())
    glossary.diagnostics(analysis)
    walk = glossary.checker._kept_for(analysis)
    sets = [
        names
        for kept in walk.blocks
        for chunk in kept.chunks.values()
        for names in (*chunk.reads.values(), chunk.blocks)
    ]
    assert len(sets) > 2 * len(set(sets)) > 0
    assert len({id(names) for names in sets}) == len(set(sets))
