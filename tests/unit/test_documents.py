"""Document.replace against a reference model: a plain Python string edited the same way.

The reference keeps the raw text, terminators and all, and converts (line, index) points to
offsets the way LSP defines lines (`\\n`, `\\r\\n` and `\\r` end a line; nothing else does).
"""

from __future__ import annotations

import itertools
import re
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls import documents
from transformers_glossary_ls.documents import BLOCK_LINES, STAMP_LINES, Document, split_lines

_BREAK = re.compile(r"\r\n|\r|\n")


class Reference:
    """The obvious, slow model of a document: one string."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _line_spans(self) -> list[tuple[int, int]]:
        """(start offset, end offset without terminator) of every line."""
        spans, pos = [], 0
        for match in _BREAK.finditer(self.text):
            spans.append((pos, match.start()))
            pos = match.end()
        spans.append((pos, len(self.text)))
        return spans

    def _offset(self, line: int, index: int) -> int:
        spans = self._line_spans()
        if line < 0:
            return 0
        if line >= len(spans):
            return spans[-1][1]
        start, end = spans[line]
        return start + max(0, min(index, end - start))

    def replace(self, start_line, start, end_line, end, text) -> None:
        a, b = self._offset(start_line, start), self._offset(end_line, end)
        a, b = min(a, b), max(a, b)
        self.text = self.text[:a] + text + self.text[b:]

    @property
    def lines(self) -> list[str]:
        return _BREAK.split(self.text)


def raw_text(doc: Document) -> str:
    """The document's text with each line's own terminator."""
    return "".join(
        line + end
        for block in doc.blocks
        for line, end in zip(block.lines, block.ends, strict=True)
    )


def assert_same(doc: Document, ref: Reference) -> None:
    expected = ref.lines
    # where each block starts, counted without splitting any
    sizes = [block.size() for block in doc.blocks]
    assert [doc.block_start(k) for k in range(len(sizes))] == [0, *itertools.accumulate(sizes)][:-1]
    assert raw_text(doc) == ref.text
    assert doc.line_count == len(expected)
    assert list(doc.lines()) == expected
    assert doc.text == "\n".join(expected)
    for number in (0, len(expected) // 2, len(expected) - 1):
        assert doc.line(number) == expected[number]
    assert doc.line(len(expected)) == ""
    assert doc.line(-1) == ""
    # blocks are consistent with line numbers
    assert sum(len(block.lines) for block in doc.blocks) == doc.line_count
    assert all(block.lines for block in doc.blocks)


# --- splitting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,lines",
    [
        ("", [""]),
        ("a", ["a"]),
        ("a\n", ["a", ""]),
        ("a\r\nb", ["a", "b"]),
        ("a\rb", ["a", "b"]),
        ("a\n\rb", ["a", "", "b"]),
        ("a\r\r\nb", ["a", "", "b"]),
        ("\n\n", ["", "", ""]),
        ("a\u2028b", ["a\u2028b"]),  # LINE SEPARATOR is not an LSP line break
        ("a\u2029b", ["a\u2029b"]),  # nor PARAGRAPH SEPARATOR
        ("a\x85b", ["a\x85b"]),  # nor NEL
        ("a\x0cb", ["a\x0cb"]),  # nor form feed
        ("a\x0bb\x1cc\x1dd\x1ee", ["a\x0bb\x1cc\x1dd\x1ee"]),  # nor VT, FS, GS, RS
    ],
)
def test_split_lines(text, lines):
    assert split_lines(text) == lines
    doc = Document("u", text)
    assert list(doc.lines()) == lines
    assert doc.line_count == len(lines)


def test_not_line_breaks_survive_edits():
    doc = Document("u", "x\u2028y")
    doc.replace(0, 1, 0, 1, "\x85\x0c")
    assert doc.line_count == 1
    assert doc.line(0) == "x\x85\x0c\u2028y"


# --- deterministic edits ------------------------------------------------------------------------


def test_empty_document():
    doc = Document("u", "")
    assert doc.line_count == 1 and doc.line(0) == "" and doc.text == ""
    doc.replace(0, 0, 0, 0, "")
    assert doc.text == ""
    doc.replace(0, 0, 0, 0, "abc\ndef")
    assert list(doc.lines()) == ["abc", "def"]
    doc.replace(0, 0, 1, 3, "")
    assert doc.line_count == 1 and doc.text == ""


@pytest.mark.parametrize(
    "edit,expected",
    [
        ((0, -5, 0, 2, "X"), ["Xcd", "efgh", "ij"]),  # negative index clamps to 0
        ((-3, 4, 0, 2, "X"), ["Xcd", "efgh", "ij"]),  # negative line clamps to (0, 0)
        ((1, 99, 1, 99, "X"), ["abcd", "efghX", "ij"]),  # index past the line end
        ((9, 0, 9, 0, "X"), ["abcd", "efgh", "ijX"]),  # line past the end: end of document
        ((1, 2, 99, 99, ""), ["abcd", "ef"]),  # end past the end
        ((2, 1, 0, 2, "-"), ["ab-j"]),  # end before start: swapped
        ((0, 4, 1, 0, ""), ["abcdefgh", "ij"]),  # join two lines
        ((0, 2, 0, 2, "\r\n"), ["ab", "cd", "efgh", "ij"]),  # CRLF inserted
        ((0, 2, 0, 2, "\r"), ["ab", "cd", "efgh", "ij"]),  # CR inserted
        ((0, 0, 2, 2, ""), [""]),  # everything removed
    ],
)
def test_replace_cases(edit, expected):
    doc = Document("u", "abcd\nefgh\r\nij")
    doc.replace(*edit)
    assert list(doc.lines()) == expected


def test_version_is_recorded():
    doc = Document("u", "a", version=1)
    doc.replace(0, 0, 0, 0, "b", version=7)
    assert doc.version == 7
    doc.replace_all("c", version=9)
    assert doc.version == 9 and doc.text == "c"


def test_large_document_block_spanning_edits():
    size = BLOCK_LINES * 2 + 300
    text = "\n".join(f"line {n}" for n in range(size))
    doc, ref = Document("u", text), Reference(text)
    assert len(doc.blocks) >= 3
    edits = [
        (BLOCK_LINES - 2, 3, BLOCK_LINES * 2 + 5, 1, "X\nY\nZ"),  # across three blocks
        (10, 0, 10, 0, "\n".join(f"new {n}" for n in range(BLOCK_LINES * 3))),  # forces a split
        (0, 0, BLOCK_LINES * 3, 0, ""),  # a huge delete
        (5, 2, 5, 2, "a\r\nb\rc\n"),  # mixed terminators in inserted text
        (doc.line_count, 0, doc.line_count, 0, "\ntail"),  # append past the end
    ]
    for edit in edits:
        doc.replace(*edit)
        ref.replace(*edit)
        assert_same(doc, ref)
    assert max(len(block.lines) for block in doc.blocks) < 2 * BLOCK_LINES


# --- property: random edits on both --------------------------------------------------------------

NEWLINES = {"LF": "\n", "CRLF": "\r\n", "CR": "\r", "mixed": ""}
BREAKS = st.sampled_from(["\n", "\r\n", "\r"])
WORD = st.sampled_from(
    ["", "a", "bc", "def ", "\t", "é", "\U0001f600", "中", "\u2028", "\x85", "\x0c"]
)


def _text(newline: str, max_lines: int):
    """Lines joined by `newline`; for "mixed", any line breaks anywhere, so that texts may start
    with an LF or end with a CR and an edit can bring a CR and an LF together."""
    if not newline:
        return st.lists(WORD | BREAKS, max_size=4 * max_lines).map("".join)
    line = st.lists(WORD, max_size=4).map("".join)
    return st.lists(line, min_size=1, max_size=max_lines).map(newline.join)


@st.composite
def _edit(draw, newline: str, lines: int):
    start_line = draw(st.integers(-1, lines + 1))
    end_line = draw(st.integers(-1, lines + 1))
    start, end = draw(st.integers(-1, 8)), draw(st.integers(-1, 8))
    return start_line, start, end_line, end, draw(_text(newline, 4))


def _runs(doc: Document) -> dict[int, tuple[str, ...]]:
    """Each stamp and the lines of its run, checking that every block has a stamp a run."""
    found = {}
    for block in doc.blocks:
        assert len(block.stamps) == -(-len(block.lines) // STAMP_LINES)
        for run, stamp in enumerate(block.stamps):
            assert stamp not in found  # unique
            found[stamp] = tuple(block.lines[run * STAMP_LINES : (run + 1) * STAMP_LINES])
    return found


def assert_stamps_kept_with_their_lines(doc: Document, before: dict) -> dict:
    """A stamp that an edit kept is on a run of the same lines (at the same place in its
    block: `Block.stamps` is indexed by run)."""
    now = _runs(doc)
    for stamp, lines in now.items():
        if stamp in before:
            assert lines == before[stamp]
    return now


def _run_edits(data, newline: str, text: str, rounds: int) -> None:
    doc, ref = Document("u", text), Reference(text)
    assert_same(doc, ref)
    runs = _runs(doc)
    for _ in range(rounds):
        edit = data.draw(_edit(newline, doc.line_count))
        doc.replace(*edit)
        ref.replace(*edit)
        assert_same(doc, ref)
        runs = assert_stamps_kept_with_their_lines(doc, runs)


@pytest.mark.parametrize("newline", list(NEWLINES.values()), ids=list(NEWLINES))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_small_blocks(newline, data):
    """With two-line blocks, almost every edit splits, merges or empties blocks."""
    with patch.object(documents, "BLOCK_LINES", 2):
        _run_edits(data, newline, data.draw(_text(newline, 30)), rounds=12)


def _join(lines: list[str], newline: str) -> str:
    if newline:
        return newline.join(lines)
    breaks = itertools.cycle(["\n", "\r", "\r\n", "\n"])
    return "".join(line + next(breaks) for line in lines[:-1]) + lines[-1] if lines else ""


@pytest.mark.parametrize("newline", list(NEWLINES.values()), ids=list(NEWLINES))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_real_blocks(newline, data):
    """Documents over 2 * BLOCK_LINES lines, with edits anywhere in them."""
    rows = [f"row {n} \U0001f600" for n in range(BLOCK_LINES * 2 + 100)]
    base = _join(rows, newline)
    doc, ref = Document("u", base), Reference(base)
    runs = _runs(doc)
    for _ in range(6):
        start_line = data.draw(st.integers(0, doc.line_count))
        end_line = data.draw(st.integers(start_line, start_line + BLOCK_LINES + 50))
        count = data.draw(st.integers(0, BLOCK_LINES + 50))
        text = _join([f"new {n}" for n in range(count)], newline)
        if not newline:  # may start with an LF after a CR, or end with a CR before an LF
            text = data.draw(BREAKS) + text + data.draw(BREAKS)
        edit = (
            start_line,
            data.draw(st.integers(0, 9)),
            end_line,
            data.draw(st.integers(0, 9)),
            text,
        )
        doc.replace(*edit)
        ref.replace(*edit)
        assert_same(doc, ref)
        runs = assert_stamps_kept_with_their_lines(doc, runs)


# --- stamps: what an edit leaves of a block keeps its stamps -----------------------------------

ROWS = BLOCK_LINES * 2  # two blocks of 32 runs each


def _restamped(edit) -> list[tuple[int, int]]:
    """(block, run) of the runs whose stamps an edit of ROWS numbered rows changed."""
    doc = Document("u", "\n".join(f"row {n}" for n in range(ROWS)))
    before = [list(block.stamps) for block in doc.blocks]
    doc.replace(*edit)
    return [
        (k, run)
        for k, block in enumerate(doc.blocks)
        for run, stamp in enumerate(block.stamps)
        if k >= len(before) or run >= len(before[k]) or before[k][run] != stamp
    ]


RUNS = BLOCK_LINES // STAMP_LINES


@pytest.mark.parametrize(
    "edit,restamped",
    [
        pytest.param((40, 2, 40, 2, "x"), [(0, 2)], id="keystroke: its run"),
        pytest.param((47, 0, 48, 3, "ab\ncd"), [(0, 2), (0, 3)], id="two lines, two runs"),
        pytest.param(
            (600, 0, 600, 0, "x\n"),
            [(1, run) for run in range(5, RUNS + 1)],  # 513 lines: one more run
            id="a line inserted: its run and those below in the block",
        ),
        pytest.param(
            (600, 0, 601, 0, ""),
            [(1, run) for run in range(5, RUNS)],
            id="a line deleted: likewise",
        ),
        pytest.param(
            (500, 0, 520, 0, ""),
            [(0, run) for run in range(31, 2 * RUNS - 1)],  # 1004 lines in one block
            id="blocks merged: from the edit on",
        ),
    ],
)
def test_an_edit_restamps_the_runs_whose_lines_it_changed_or_moved(edit, restamped):
    assert _restamped(edit) == restamped


# --- a CR and an LF brought together by an edit are one line break -----------------------------


def merge(id, text, *edits, lines):
    return pytest.param(text, list(edits), lines, id=id)


@pytest.mark.parametrize(
    "text,edits,lines",
    [
        merge("CR typed before an LF", "a\nb", (0, 1, 0, 1, "\r"), lines=["a", "b"]),
        merge("LF typed after a CR", "a\rb", (1, 0, 1, 0, "\n"), lines=["a", "b"]),
        merge(
            "text ending in CR before an LF", "a\nb", (0, 1, 0, 1, "x\ry\r"), lines=["ax", "y", "b"]
        ),
        merge(
            "text starting with LF after a CR", "a\rb", (1, 0, 1, 0, "\nx\n"), lines=["a", "x", "b"]
        ),
        merge("deleting what separates CR and LF", "a\rb\nc", (1, 0, 1, 1, ""), lines=["a", "c"]),
        merge("deleting lines between CR and LF", "a\rb\nc\nd", (1, 0, 2, 1, ""), lines=["a", "d"]),
        merge(
            "replacing what separates by nothing", "a\rbc\nd", (1, 0, 1, 2, ""), lines=["a", "d"]
        ),
        merge(
            "CR typed after a CRLF stays two",
            "a\r\nb",
            (1, 0, 1, 0, "\r"),
            lines=["a", "", "b"],
        ),
        merge(
            "CR typed before a CRLF stays two", "a\r\nb", (0, 1, 0, 1, "\r"), lines=["a", "", "b"]
        ),
        merge(
            "LF typed after a CRLF stays two", "a\r\nb", (1, 0, 1, 0, "\n"), lines=["a", "", "b"]
        ),
        merge("LF typed after an LF stays two", "a\nb", (1, 0, 1, 0, "\n"), lines=["a", "", "b"]),
        merge(
            "CR typed at the end of the document", "a\nb", (1, 1, 1, 1, "\r"), lines=["a", "b", ""]
        ),
        merge("LF typed after a final CR", "a\r", (1, 0, 1, 0, "\n"), lines=["a", ""]),
        merge("CR typed before LF at the start", "\nb", (0, 0, 0, 0, "\r"), lines=["", "b"]),
        merge(
            "CR then LF, typed one by one",
            "ab",
            (0, 1, 0, 1, "\r"),
            (1, 0, 1, 0, "\n"),
            lines=["a", "b"],
        ),
        merge(
            "CR, LF, then text between them",
            "ab",
            (0, 1, 0, 1, "\r\n"),
            (0, 1, 0, 1, "x"),
            lines=["ax", "b"],
        ),
        merge(
            "merged, then edited after",
            "a\nb\nc",
            (0, 1, 0, 1, "\r"),
            (1, 1, 1, 1, "!"),
            (2, 0, 2, 0, "?"),
            lines=["a", "b!", "?c"],
        ),
        merge(
            "merged, then the CRLF removed",
            "a\rb\nc",
            (1, 0, 1, 1, ""),
            (0, 1, 1, 0, ""),
            lines=["ac"],
        ),
    ],
)
def test_cr_and_lf_brought_together_are_one_line_break(text, edits, lines):
    doc, ref = Document("u", text), Reference(text)
    for edit in edits:
        doc.replace(*edit)
        ref.replace(*edit)
    assert ref.lines == lines  # the table itself agrees with LSP's rule
    assert list(doc.lines()) == lines
    assert_same(doc, ref)


@pytest.mark.parametrize(
    "text,edit,lines",
    [
        # With two-line blocks, the CR ends the last line of the block before the edited one.
        pytest.param("a\nb\rc\nd", (2, 0, 2, 0, "\n"), ["a", "b", "c", "d"], id="LF after CR"),
        pytest.param("a\nb\rc\nd", (2, 0, 2, 1, ""), ["a", "b", "d"], id="delete between"),
        pytest.param("a\nb\rc\nd\ne", (2, 0, 3, 1, ""), ["a", "b", "e"], id="delete across blocks"),
    ],
)
def test_cr_and_lf_brought_together_across_a_block_boundary(text, edit, lines):
    with patch.object(documents, "BLOCK_LINES", 2):
        doc, ref = Document("u", text), Reference(text)
        assert len(doc.blocks) > 1
        before = doc.blocks[0].revision
        doc.replace(*edit)
        ref.replace(*edit)
        assert list(doc.lines()) == lines
        assert_same(doc, ref)
        assert doc.blocks[0].revision == before  # only its last line's terminator changed


# --- a keystroke's short way does what the general way does ------------------------------------


def _shape(doc: Document) -> list[tuple[int, int, tuple[int, ...]]]:
    return [(block.revision, len(block.lines), tuple(block.stamps)) for block in doc.blocks]


def _renewed(before: list, after: list) -> list:
    """Per block: its line count, whether its revision is new, and which of its stamps are."""
    assert len(before) == len(after)
    return [
        (lines, revision != was, [s != t for s, t in zip(stamps, old, strict=False)])
        for (was, _, old), (revision, lines, stamps) in zip(before, after, strict=True)
    ]


@pytest.mark.parametrize("newline", list(NEWLINES.values()), ids=list(NEWLINES))
@pytest.mark.parametrize("block_lines", [2, BLOCK_LINES])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_an_edit_inside_a_line_is_applied_as_the_general_way_applies_it(newline, block_lines, data):
    """`replace` takes a short way for an edit inside one line that brings no line break
    (`_replace_in_line`): the same lines and line breaks, and the same blocks, runs and
    listeners told of it, as `_replace_span`, the way for any edit."""
    text = data.draw(_text(newline, 30))
    with patch.object(documents, "BLOCK_LINES", block_lines):
        short, general = Document("u", text), Document("u", text)
        heard: dict[str, list[int]] = {"short": [], "general": []}
        short.listeners.append(heard["short"].append)
        general.listeners.append(heard["general"].append)
        for _ in range(12):
            line = data.draw(st.integers(-1, short.line_count))
            start, end = data.draw(st.integers(-1, 8)), data.draw(st.integers(-1, 8))
            typed = data.draw(WORD | BREAKS if not newline else WORD)
            was_short, was_general = _shape(short), _shape(general)
            short.replace(line, start, line, end, typed)
            general._replace_span(line, start, line, end, typed)
            assert raw_text(short) == raw_text(general)
            assert [len(b.lines) for b in short.blocks] == [len(b.lines) for b in general.blocks]
            if len(was_short) == len(short.blocks):
                assert _renewed(was_short, _shape(short)) == _renewed(was_general, _shape(general))
            assert heard["short"] == heard["general"]


def test_a_keystroke_takes_the_short_way():
    doc = Document("u", "ab\ncd\r\nef")
    with patch.object(Document, "_replace_span", side_effect=AssertionError("general way")):
        doc.replace(1, 1, 1, 1, "x")  # typed
        doc.replace(1, 2, 1, 1, "")  # backspaced, the range given end first
        doc.replace(2, 0, 2, 9, "g")  # the end clamped to the line
    assert raw_text(doc) == "ab\ncd\r\ng"
    with patch.object(Document, "_replace_span") as general:
        doc.replace(0, 0, 0, 0, "\n")  # a line break: the general way
        doc.replace(9, 0, 9, 0, "x")  # past the last line: likewise
    assert general.call_count == 2


@pytest.mark.parametrize("enabled", [True, False])
def test_no_collection_while_a_text_becomes_lines(monkeypatch, enabled):
    """A collection while a text is split into lines and blocks would walk the list of every
    line (strings, which hold no references) for nothing: ~5 ms a time at 200,000 lines. The
    collector comes back as it was."""
    import gc

    started: list[int] = []
    busy = {"depth": 0}

    def marked(function):
        def run(*args):
            busy["depth"] += 1
            try:
                return function(*args)
            finally:
                busy["depth"] -= 1

        return run

    def record(phase, info):
        if phase == "start" and busy["depth"]:
            started.append(info["generation"])

    monkeypatch.setattr(documents, "split_with_ends", marked(documents.split_with_ends))
    monkeypatch.setattr(Document, "_set_lines", marked(Document._set_lines))
    threshold = gc.get_threshold()
    was = gc.isenabled()
    gc.set_threshold(1)  # any container made may start a collection
    gc.callbacks.append(record)
    (gc.enable if enabled else gc.disable)()
    try:
        doc = Document("file:///a.py", "x = 1\n" * 5000)
        doc.replace_all("y = 2\n" * 5000)
        assert gc.isenabled() is enabled
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*threshold)
        (gc.enable if was else gc.disable)()
    assert started == []
    assert doc.line(4999) == "y = 2"


# --- a text opened is split into lines block by block, when they are first read -----------------


@settings(max_examples=400, deadline=None)
@given(
    rows=st.lists(st.sampled_from(["", "x", "a b", "🤗 é", "x" * 90]), max_size=40),
    tail=st.sampled_from(["", "\n", "\n\n"]),
    block_lines=st.sampled_from([1, 2, 3, 7]),
)
def test_an_opened_text_makes_the_blocks_its_lines_would(rows, tail, block_lines):
    text = "\n".join(rows) + tail
    with patch.object(documents, "BLOCK_LINES", block_lines):
        lazy = Document("file:///t.py", text)
        eager = Document("file:///t.py", "")
        eager._set_lines(*documents.split_with_ends(text))
    assert [block.size() for block in lazy.blocks] == [len(b.lines) for b in eager.blocks]
    assert [block.joined() for block in lazy.blocks] == ["\n".join(b.lines) for b in eager.blocks]
    spans = [block.span() for block in lazy.blocks]
    assert [t[a:b] for t, a, b in spans] == [block.joined() for block in lazy.blocks]
    assert all(block._text is not None for block in lazy.blocks)  # nothing split so far
    assert [(b.lines, b.ends, len(b.stamps)) for b in lazy.blocks] == [
        (b.lines, b.ends, len(b.stamps)) for b in eager.blocks
    ]
    assert [block.size() for block in lazy.blocks] == [len(b.lines) for b in lazy.blocks]
    assert_same(lazy, Reference(text))


def test_only_the_blocks_whose_lines_are_read_are_split():
    text = "\n".join(f"row {n} 🤗" for n in range(BLOCK_LINES * 4 + 10))
    doc = Document("file:///t.py", text)
    assert len(doc.blocks) == 5 and doc.line_count == BLOCK_LINES * 4 + 10
    assert doc.line(BLOCK_LINES * 2 + 3) == f"row {BLOCK_LINES * 2 + 3} 🤗"
    assert [block._text is None for block in doc.blocks] == [False, False, True, False, False]
    doc.replace(1, 0, 1, 0, "new\nlines\n")  # an edit splits the block it touches
    assert [block._text is None for block in doc.blocks] == [True, False, True, False, False]
    assert doc.line(BLOCK_LINES * 4 + 11) == f"row {BLOCK_LINES * 4 + 9} 🤗"
    assert list(doc.lines()) == ["row 0 🤗", "new", "lines", *text.split("\n")[1:]]
    assert all(block._text is None for block in doc.blocks)  # the opened text is let go


def test_a_text_with_carriage_returns_is_split_at_once():
    doc = Document("file:///t.py", "a\r\nb\rc\nd")
    assert all(block._text is None for block in doc.blocks)
    assert list(doc.lines()) == ["a", "b", "c", "d"]
