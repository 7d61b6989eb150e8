"""The call index: every bracket group of a document's Python, with its callee and arguments.

Each chunk of a block (CHUNK_LINES lines) indexes the groups whose opening bracket lies in it,
reading on past its end (at most LOOK_AHEAD_LINES) to find their closing brackets and later
arguments. Strings and comments are blanked first, so a parenthesis inside a string never
confuses the matching. Lines are stored relative to the block's start, so an edit above a block
does not stale its index; the cache (in `Analysis`) is keyed by the chunk's stamp (see
`documents.Block.stamps`), the lexer state at its start and the stamps of the lines below it
that its reading went on to (`read_groups`: as far as its last group open, often none).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from transformers_glossary_ls.documents import STAMP_LINES
from transformers_glossary_ls.lexing.python import blank_line

# How far below its opening bracket a group is followed. An unclosed group (code being typed)
# holds the lines up to this far below it: the distance a call's arguments plausibly span.
LOOK_AHEAD_LINES = 60
# Blocks are indexed in chunks of this many lines, so a first visit indexes little. A group held
# by a cursor was opened in the cursor's chunk or in one of the few above it that reach it.
CHUNK_LINES = STAMP_LINES  # a chunk's lines are one run of the document's stamps
CHUNKS_BACK = -(-LOOK_AHEAD_LINES // CHUNK_LINES)  # chunks above the cursor's that may hold it

_SIGNIFICANT = re.compile(r"[()\[\]{},]")
_CALLEE = re.compile(r"([A-Za-z_][\w.]*)\s*$")
# An opening parenthesis and the run of name characters before it (spaces between), read in
# reversed raw text: strings and comments are left in, and finding every "(" is fast where a
# forward search would try each character of each name.
_OPENING_REVERSED = re.compile(r"\([^\S\r\n]*([\w.]*)")
_NAME_START = re.compile(r"[A-Za-z_]")
_RUN_REVERSED = re.compile(r"[\w.]*")
_KEYWORD_AT = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)")
_SPREAD_AT = re.compile(r"\s*\*\*")
_NOT_SPACE = re.compile(r"\S")  # what str.strip() keeps
_OPENER = re.compile(r"[(\[{]")
_PAIR = re.compile(r"[(\[{][^()\[\]{}]*[)\]}]")  # an opening bracket and the next, closing
# Words that stand before a parenthesis without calling anything.
_NOT_CALLEES = frozenset(
    "and as assert async await del elif else except for from global if import in is lambda "
    "nonlocal not or print_function raise return while with yield".split()
)

# (line text, Python lexer state at its start) for consecutive lines; None for a line that is
# not Python (Markdown around a fence).
PythonLines = Iterator["tuple[str, Hashable] | None"]
_QUOTES_OR_COMMENT = re.compile(r"['\"#]")


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see `phrases.Word`
class Keyword:
    """A keyword argument: `name=` with the name's range."""

    name: str
    line: int
    start: int
    end: int


# The index holds many small records (one per bracket and per argument, a few per line). They
# are stored as plain tuples of plain values, which the garbage collector stops tracking (it
# keeps tracking tuple subclasses), so a 200,000-line file's index adds nothing to collection
# pauses; `Group.of` and `Argument.of` give them their field names where they are read.
class Argument(NamedTuple):
    """One argument of a group: where it starts, and its keyword if it has one."""

    line: int  # relative to the block's start
    start: int
    keyword: str | None = None
    keyword_start: int = 0
    keyword_end: int = 0
    spread: bool = False  # `**kwargs`

    @classmethod
    def of(cls, raw: tuple) -> Argument:
        return cls._make(raw)


class Group(NamedTuple):
    """A bracket group opened in a block. A call when `callee` is set."""

    bracket: str
    line: int  # of the opening bracket, relative to the block's start
    index: int
    callee: str | None
    close_line: int | None  # None: not closed within LOOK_AHEAD_LINES
    close_index: int
    arguments: tuple[tuple, ...]  # raw Argument tuples

    @classmethod
    def of(cls, raw: tuple) -> Group:
        return cls._make(raw)

    @property
    def argument_list(self) -> list[Argument]:
        return [Argument._make(raw) for raw in self.arguments]

    @property
    def passes_keyword(self) -> bool:
        return any(raw[2] is not None for raw in self.arguments)


@dataclass(slots=True)
class _Building:
    """A group while its lines are read."""

    bracket: str
    line: int
    index: int
    callee: str | None
    close_line: int | None = None
    close_index: int = 0
    arguments: list[tuple] = field(default_factory=list)  # raw Argument tuples

    def done(self, offset: int) -> tuple:
        """The group as a plain tuple (see `Group`), lines counted from `offset`."""
        return (
            self.bracket,
            self.line + offset,
            self.index,
            self.callee,
            None if self.close_line is None else self.close_line + offset,
            self.close_index,
            tuple((a[0] + offset, *a[1:]) for a in self.arguments),
        )


@dataclass(slots=True)
class _Open:
    group: _Building | None  # None for groups opened past the block's end (another block's)
    expect_argument: bool = True


def index_block(
    lines: PythonLines, count: int, offset: int = 0, reach: int | None = None
) -> list[tuple]:
    """The groups opened in the first `count` of `lines` (see `read_groups`)."""
    return read_groups(lines, count, offset, reach)[0]


def read_groups(
    lines: PythonLines, count: int, offset: int = 0, reach: int | None = None
) -> tuple[list[tuple], int]:
    """The groups opened in the first `count` of `lines`, in order of their opening bracket,
    and how many of `lines` were read: the groups depend on those lines alone (and on the
    lexer state at the first), so they hold while those lines are the same.

    `lines` may run on past them (at most LOOK_AHEAD_LINES are read) so that groups opened
    near the end find their closing bracket. A line that is not Python ends every open group.
    Lines in the result are counted from the first line read, plus `offset`. `reach`: how many
    lines are read at most, when not `count` and LOOK_AHEAD_LINES more.

    A group's record does not depend on the lines above its own (brackets opened there are
    outside it), so the groups of one line are the same read from that line as from the top
    of its chunk, given the same `reach`.
    """
    groups: list[_Building] = []
    stack: list[_Open] = []
    owned = 0  # groups on the stack that were opened in the block
    reach = count + LOOK_AHEAD_LINES if reach is None else reach
    read = 0
    for rel, got in enumerate(lines):
        past_end = rel >= count
        if past_end and (owned == 0 or rel >= reach):
            break
        read = rel + 1
        if got is None:
            for opened in stack:
                if opened.group is not None:
                    opened.group.close_line, opened.group.close_index = rel, -1
            stack.clear()
            owned = 0
            if past_end:
                break
            continue
        text, state = got
        if state is not None or _QUOTES_OR_COMMENT.search(text):
            text = blank_line(text, state)[0]
        if stack and stack[-1].expect_argument:
            _start_argument(stack[-1], text, rel, 0)
        for match in _SIGNIFICANT.finditer(text):
            char, i = match.group(), match.start()
            if char in "([{":
                group = None
                if not past_end:
                    callee = None
                    if char == "(":
                        found = callee_before(text, i)
                        # `f(x).model(`, `batch[0].model(`, `"a".upper(`: an attribute of a
                        # value we cannot name is no call we know.
                        if (
                            found is not None
                            and found[0] not in _NOT_CALLEES
                            and text[found[1] - 1 : found[1]] != "."
                        ):
                            callee = found[0]
                    group = _Building(char, rel, i, callee)
                    groups.append(group)
                    owned += 1
                opened = _Open(group)
                stack.append(opened)
                _start_argument(opened, text, rel, i + 1)
            elif char == ",":
                if stack:
                    stack[-1].expect_argument = True
                    _start_argument(stack[-1], text, rel, i + 1)
            elif stack:  # a closing bracket; one with nothing open belongs to a block above
                closed = stack.pop().group
                if closed is not None:
                    closed.close_line, closed.close_index = rel, i
                    owned -= 1
    return [group.done(offset) for group in groups], read


def callee_before(text: str, at: int) -> tuple[str, int] | None:
    """(name, its start) of what `_CALLEE` finds in `text[:at]`: the run of name characters
    (blanks after it) that ends there, from its first letter or underscore. Read backwards
    from `at`, where the search would try every position of the line: ~1 us, not ~5."""
    head = text[:at].rstrip()
    run = _RUN_REVERSED.match(head[::-1]).group()[::-1]
    start = _NAME_START.search(run)
    if start is None:
        return None
    return run[start.start() :], len(head) - len(run) + start.start()


def may_hold(text: str, state: Hashable, index: int | None = None) -> bool:
    """Whether a group `read_groups` finds opened on a line (read from that line) may hold a
    cursor on a later line (`index` None: one still open at the line's end; a closing bracket
    closes the last one open, whatever its kind) or on the line at `index` (one opened
    before it)."""
    if state is not None or _QUOTES_OR_COMMENT.search(text):
        text = blank_line(text, state)[0]
    if index is not None:
        return _OPENER.search(text, 0, index) is not None
    if _OPENER.search(text) is None:
        return False
    removed = 1
    while removed:  # innermost pairs first, as a stack closes them
        text, removed = _PAIR.subn("", text)
    return _OPENER.search(text) is not None


def _start_argument(opened: _Open, text: str, rel: int, at: int) -> None:
    """Record the argument starting at text[at:], unless the rest of the line is blank."""
    if not opened.expect_argument:
        return
    first = _NOT_SPACE.search(text, at)  # found in place: slicing the rest made long lines slow
    if first is None:
        return  # it starts on a later line
    opened.expect_argument = False
    group = opened.group
    if group is None or group.callee is None:
        return
    start = first.start()
    if text[start] in ")]},":
        return  # `f()`, a trailing comma or a missing argument: nothing to record
    keyword = _KEYWORD_AT.match(text, at)
    if keyword is not None:
        argument = (rel, start, keyword.group(1), keyword.start(1), keyword.end(1), False)
    else:
        argument = (rel, start, None, 0, 0, _SPREAD_AT.match(text, at) is not None)
    group.arguments.append(argument)


def openings(text: str) -> list[tuple[str, int]]:
    """(callee, index of its parenthesis) of each `name(` in raw text, in order, those in
    strings and comments too: every call `index_block` finds in the same lines, and more,
    without lexing them. Blanking keeps every character of code and every quote, so the run of
    name characters before a call's parenthesis is the same in raw text, and the callee is read
    from it as `_CALLEE` reads it: from its first letter or underscore."""
    found = []
    last = len(text) - 1
    for match in _OPENING_REVERSED.finditer(text[::-1]):
        run = match.group(1)
        if not run:
            continue
        run = run[::-1]
        if not (run[0] == "_" or run[0].isascii() and run[0].isalpha()):
            start = _NAME_START.search(run)
            if start is None:
                continue
            run = run[start.start() :]
        found.append((run, last - match.start()))
    found.reverse()
    return found


def groups_holding(groups: list[tuple], line: int, index: int) -> Iterator[Group]:
    """Groups holding (line, index), innermost first (block-relative positions)."""
    cursor = (line, index)
    for raw in reversed(groups):
        _, open_line, open_index, _, close_line, close_index, _ = raw
        if cursor <= (open_line, open_index):
            continue
        if close_line is None:
            if line - open_line > LOOK_AHEAD_LINES:
                continue
        elif cursor > (close_line, close_index):
            continue
        yield Group._make(raw)
