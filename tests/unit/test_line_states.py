"""Line states: the fast search for the lines that may change the state finds exactly the lines
the per-line test picks, and the states computed at open (every block at once) and after edits
(block by block, as asked) are those of stepping through the document line by line."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis import Analysis, calls
from transformers_glossary_ls.bounded import BoundedCache
from transformers_glossary_ls.documents import BLOCK_LINES, Document
from transformers_glossary_ls.lexing import markdown as md
from transformers_glossary_ls.lexing import python as py

from .conftest import UPSTREAM

MACHINES = [pytest.param(py.PYTHON, id="python"), pytest.param(md.MARKDOWN, id="markdown")]
REAL_FILES = sorted([*UPSTREAM.glob("*/*.py"), *UPSTREAM.glob("*/*.md"), *UPSTREAM.glob("*/*.mdx")])

# Pieces that open and close docstrings, fences, comments and tags, and near misses.
_PIECE = st.sampled_from(
    [
        '"""',
        "'''",
        '"',
        "'",
        "```",
        "```python",
        "~~~",
        "``",
        "<",
        ">",
        "<!--",
        "-->",
        "--> prose",
        "<Tip>",
        "</Tip>",
        "<img",
        'src="x"',
        "#",
        "\\",
        "x = 1",
        "text",
        " ",
        "    ",
        "é",
        "🤗",
    ]
)
_LINE = st.lists(_PIECE, max_size=6).map("".join)
_LINES = st.lists(_LINE, min_size=1, max_size=40)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def stepped(machine, lines, state=None):
    """The state at the start of each line, stepping every line the per-line test picks."""
    states = []
    for line in lines:
        states.append(state)
        if machine.significant(line):
            state = machine.step(line, state)
    return states


@pytest.mark.parametrize("machine", MACHINES)
@FUZZ
@given(lines=_LINES)
def test_candidates_are_the_lines_the_per_line_test_picks(machine, lines):
    expected = [(k, line) for k, line in enumerate(lines) if machine.significant(line)]
    assert machine.candidates("\n".join(lines)) == expected


@pytest.mark.parametrize("machine", MACHINES)
@FUZZ
@given(lines=_LINES)
def test_the_lines_the_filter_skips_change_no_state(machine, lines):
    """Stepping only the lines the quick filter picks gives the states stepping every line
    gives (a Markdown line `--> text` ends a comment, though it holds no "<")."""
    every, state = [], None
    for line in lines:
        every.append(state)
        state = machine.step(line, state)
    assert stepped(machine, lines) == every


def test_a_comment_closed_on_a_line_of_its_own_ends():
    lines = ["<!-- a note", "that runs on", "--> and prose after", "`attention_mask`"]
    assert stepped(md.MARKDOWN, lines)[3] is None


@pytest.mark.parametrize("machine", MACHINES)
@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_candidates_in_real_files(machine, path):
    lines = path.read_text(encoding="utf-8").split("\n")
    expected = [(k, line) for k, line in enumerate(lines) if machine.significant(line)]
    assert machine.candidates("\n".join(lines)) == expected


def _states_of(analysis: Analysis):
    states = analysis.markdown_states or analysis.python_states
    machine = states.machine
    return states, machine


def _assert_states(analysis: Analysis) -> None:
    states, machine = _states_of(analysis)
    # The states first: blocks not split into lines yet are lexed from the text they came in.
    got = [states.at(n) for n in range(analysis.doc.line_count)]
    lines = list(analysis.doc.lines())
    assert got == stepped(machine, lines)


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_states_of_blocks_not_split_yet_are_those_of_their_lines(path):
    """A document opened from a text is lexed from the text (its blocks not split into lines);
    the states are those of the lines, split, stepped one by one."""
    text = path.read_text(encoding="utf-8") * 3
    language = "python" if path.suffix == ".py" else "markdown"
    analysis = Analysis(Document(f"file:///t{path.suffix}", text, language))
    states, machine = _states_of(analysis)
    got = [states.at(n) for n in range(analysis.doc.line_count)]
    assert all(block._text is not None for block in analysis.doc.blocks)  # none split
    assert got == stepped(machine, text.split("\n"))


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_states_lexed_ahead_are_every_block_stepped_through(path):
    """`lex_ahead` (what the server runs right after a document opens, so that no request
    lexes the blocks above its own) finds every block's entry state, a few blocks a step; the
    states are those of stepping line by line, and those a request finds lazily."""
    text = path.read_text(encoding="utf-8") * 3  # several blocks
    language = "python" if path.suffix == ".py" else "markdown"
    lazy = Analysis(Document(f"file:///t{path.suffix}", text, language))
    analysis = Analysis(Document(f"file:///t{path.suffix}", text, language))
    states, _ = _states_of(analysis)
    steps = list(analysis.lex_ahead(blocks_per_step=2))
    blocks = len(analysis.doc.blocks)
    assert len(steps) == -(-blocks // 2) and len(states.entries) == blocks
    _assert_states(analysis)
    lazy_states, _ = _states_of(lazy)
    assert lazy_states.entry(blocks - 1) == states.entries[-1]
    assert lazy_states.entries == states.entries


def test_states_after_edits_that_flip_everything_below():
    """An edit that opens a docstring at the top changes the state of every block below; one
    that closes it changes them back; and states asked lazily after each agree with stepping."""
    source = 'x = 1\n"""doc"""\ny = f(a=1)\n' * (BLOCK_LINES * 2)
    analysis = Analysis(Document("file:///t.py", source, "python"))
    doc = analysis.doc
    last = doc.line_count - 1
    assert analysis.python_state(last) is None
    doc.replace(0, 0, 0, 0, '"""\n')
    assert analysis.python_state(last) == '"""'
    _assert_states(analysis)
    doc.replace(0, 0, 1, 0, "")
    assert analysis.python_state(last) is None
    _assert_states(analysis)


_EDIT = st.tuples(
    st.integers(0, 4 * BLOCK_LINES),
    st.integers(0, 3),
    st.sampled_from(['"""', "```", "```python\n", "\n", "<!--", "-->\n", "~~~\n", "x", ""]),
)


@pytest.mark.parametrize("language", ["python", "markdown"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(_EDIT, min_size=1, max_size=6))
def test_states_after_random_edits(language, edits):
    base = 'text = """a\n' if language == "python" else "```python\nx = '''\n"
    line = 'y = g(b=2)  # """\n' if language == "python" else "prose <Tip>\n"
    text = base + line * (3 * BLOCK_LINES)
    analysis = Analysis(Document(f"file:///t.{language[:2]}", text, language))
    doc = analysis.doc
    for at, deleted, inserted in edits:
        at = min(at, doc.line_count - 1)
        end = min(at + deleted, doc.line_count - 1)
        doc.replace(at, 0, end, 0, inserted)
        # A state asked deep in the document first, then all of them.
        analysis.python_state(doc.line_count - 1)
        _assert_states(analysis)


MARKDOWN_FILES = sorted([*UPSTREAM.glob("*/*.md"), *UPSTREAM.glob("*/*.mdx")])


@pytest.mark.parametrize("path", MARKDOWN_FILES, ids=lambda p: p.name)
def test_no_call_holds_a_markdown_line_that_is_not_python(path):
    """`call_site_at` answers None on prose without reading the call index: what the index
    itself says there (every group ends at a line that is not Python)."""
    analysis = Analysis(Document("file:///t.md", path.read_text(encoding="utf-8"), "markdown"))
    doc = analysis.doc
    for line in range(doc.line_count):
        if analysis.python_state(line) is not False:
            continue
        block_index, offset = doc.locate(line)
        text = doc.line(line)
        for index in {0, len(text) // 2, len(text)}:
            assert analysis.call_site_at(line, index) is None
            k, chunk = block_index, offset // calls.CHUNK_LINES
            for _ in range(calls.CHUNKS_BACK + 1):  # what reading the index would find
                start = doc.block_start(k)
                held = calls.groups_holding(analysis.chunk_groups(k, chunk), line - start, index)
                assert next(held, None) is None, (line, index)
                if chunk:
                    chunk -= 1
                elif k:
                    k, chunk = k - 1, analysis.block_chunks(k - 1)[-1]
                else:
                    break


@pytest.mark.parametrize("limit", [8, md.MAX_STEPPED])
def test_markdown_steps_remembered_are_the_steps(monkeypatch, limit):
    """The Markdown machine remembers (line, state) -> state; what it answers, from memory or
    after clearing it, is what stepping the line answers."""
    monkeypatch.setattr(md, "_STEPPED", BoundedCache(limit, 1 << 20))
    for path in REAL_FILES:
        if path.suffix == ".py":
            continue
        state = None
        for line in path.read_text(encoding="utf-8").split("\n") * 2:
            expected = md._step(line, state)
            assert md.MARKDOWN.step(line, state) == expected
            state = expected
    assert 0 < len(md._STEPPED) <= limit
