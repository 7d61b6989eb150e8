"""Open documents, stored so that an edit costs what it touches.

pygls's stock `TextDocument` keeps one string: every change rebuilds it and every lookup re-splits
it into lines, so a keystroke in a 200,000-line file costs time proportional to the file. Here a
document is a list of blocks of lines. An edit rewrites the lines it spans inside one or two
blocks; a lookup finds its block by bisection. Each block carries a `revision`, new whenever
its lines change, so an analysis (see `analysis/`) can cache per-block results keyed by it, and
a `stamp` per run of STAMP_LINES lines, new whenever a line of the run changes or lines above it
in the block come or go, so that what is read from a few lines (a chunk of the call index) can be
kept through an edit elsewhere in its block; and listeners hear which block an edit started in.

Lines are stored without their terminators. As in LSP, `\\n`, `\\r\\n` and `\\r` end a line and
nothing else does (`str.splitlines` would also split on U+2028, U+0085 and form feeds). Each
line's terminator is kept beside it, because an edit can bring a `\\r` and a `\\n` together
(a `\\r` typed before an `\\n`, or a deletion of what separated them), and then the two are one
line break, as they are for the client.
"""

from __future__ import annotations

import gc
import itertools
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager

LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_KEPT = re.compile(r"(\r\n|\r|\n)")
BLOCK_LINES = 512  # blocks are split when they reach twice this
STAMP_LINES = 16  # a block's lines are stamped in runs of this many (`Block.stamps`)


def split_lines(text: str) -> list[str]:
    """Lines of `text` as LSP counts them; always at least one (possibly empty) line."""
    if "\r" not in text:
        return text.split("\n")  # the common case, several times faster than the regex
    return LINE_BREAK.split(text)


def split_with_ends(text: str) -> tuple[list[str], list[str]]:
    """Lines of `text` and the terminator of each ("" after the last line)."""
    if "\r" not in text:
        lines = text.split("\n")
        return lines, ["\n"] * (len(lines) - 1) + [""]
    parts = _LINE_BREAK_KEPT.split(text)
    return parts[0::2], [*parts[1::2], ""]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No collection while a whole text becomes lines: a collection meanwhile walks the list
    of every line (hundreds of thousands of strings, which hold no references) for nothing,
    ~5 ms a time at 200,000 lines, several times over."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


_REVISIONS = itertools.count(1)
_STAMPS = itertools.count(1)


def _fresh_stamps(lines: int) -> list[int]:
    return [next(_STAMPS) for _ in range(-(-lines // STAMP_LINES))]


class Block:
    """A run of lines of a document.

    A block made from an opened text refers to its span of that text and splits it into
    `lines` and `ends` on their first use: a first hover deep in a large file reads the blocks
    above it from the text as it came (their lexer states), where splitting 200,000 lines at
    open was a fifth of that hover. (Slicing the text per block costs as much as splitting it
    when one character needs four bytes, so nothing is copied before it is needed.) Reading
    `lines` or `ends` splits; nothing else does. The text is freed when its last block is split."""

    __slots__ = ("lines", "ends", "revision", "stamps", "_text", "_start", "_end", "_size")

    lines: list[str]
    # The terminator of each line: "\n", "\r\n" or "\r"; "" after the document's last line.
    ends: list[str]
    # Unique across all blocks ever made: a new one whenever the lines change.
    revision: int
    # One per run of STAMP_LINES lines (the last run may be shorter), unique across all blocks
    # ever made: a new one whenever a line of the run changes, or lines above it in the block
    # are added or removed (its lines are then other lines of the block).
    stamps: list[int]

    def __init__(self, lines: list[str], ends: list[str]) -> None:
        self.lines, self.ends = lines, ends
        self.revision = next(_REVISIONS)
        self.stamps = _fresh_stamps(len(lines))
        self._text: str | None = None
        self._start = self._end = self._size = 0

    @classmethod
    def unsplit(cls, text: str, start: int, end: int, size: int, last: bool) -> Block:
        """A block of the `size` lines of `text[start:end]` (no "\r" in it), all ending in
        "\n" (not in the span) but, when `last`, the last one."""
        block = cls.__new__(cls)
        block.revision = next(_REVISIONS)
        block.stamps = _fresh_stamps(size)
        block._text, block._start, block._end = text, start, end
        block._size = -size if last else size
        return block

    def __getattr__(self, name: str):
        # Reached only for an unset slot: `lines` or `ends` of a block not split yet.
        if self._text is None or name not in ("lines", "ends"):
            raise AttributeError(name)
        self.split()
        return getattr(self, name)

    def split(self) -> None:
        """Make `lines` and `ends` from the span, if not done yet."""
        text = self._text
        if text is None:
            return
        self.lines = text[self._start : self._end].split("\n")
        self.ends = ["\n"] * len(self.lines)
        if self._size < 0:
            self.ends[-1] = ""
        self._text = None

    def size(self) -> int:
        """How many lines, without splitting them."""
        return len(self.lines) if self._text is None else abs(self._size)

    def span(self) -> tuple[str, int, int]:
        """(text, start, end): the lines joined by "\n" are `text[start:end]` (without
        copying them out of the opened text while the block is not split)."""
        if self._text is None:
            joined = "\n".join(self.lines)
            return joined, 0, len(joined)
        return self._text, self._start, self._end

    def joined(self) -> str:
        """The lines joined by "\n" (their terminators aside)."""
        if self._text is None:
            return "\n".join(self.lines)
        return self._text[self._start : self._end]


class Document:
    """The text of one open document, as lines in blocks."""

    def __init__(self, uri: str, text: str, language_id: str = "", version: int = 0) -> None:
        self.uri = uri
        self.language_id = language_id
        self.version = version
        # Called with the index of the first block an edit touched (0 for a full replace).
        self.listeners: list[Callable[[int], None]] = []
        self._blocks: list[Block] = []
        self._starts: list[int] = []
        self._set_text(text)

    # -- reading ---------------------------------------------------------------------------
    @property
    def line_count(self) -> int:
        return self._starts[-1] + self._blocks[-1].size()

    def line(self, number: int) -> str:
        """The text of line `number` (0-based), or "" past the end."""
        if number < 0:
            return ""
        block_index = bisect_right(self._starts, number) - 1
        block = self._blocks[block_index]
        offset = number - self._starts[block_index]
        return block.lines[offset] if offset < len(block.lines) else ""

    def locate(self, number: int) -> tuple[int, int]:
        """(block index, line offset inside the block) of a line that exists."""
        block_index = bisect_right(self._starts, number) - 1
        return block_index, number - self._starts[block_index]

    @property
    def blocks(self) -> list[Block]:
        return self._blocks

    def block_start(self, block_index: int) -> int:
        return self._starts[block_index]

    def lines(self, start: int = 0, stop: int | None = None):
        """Iterate over lines `start` .. `stop` - 1."""
        stop = self.line_count if stop is None else min(stop, self.line_count)
        number = max(start, 0)
        while number < stop:
            block_index, offset = self.locate(number)
            for text in self._blocks[block_index].lines[offset:]:
                if number >= stop:
                    return
                yield text
                number += 1

    @property
    def text(self) -> str:
        return "\n".join(block.joined() for block in self._blocks)

    # -- writing ---------------------------------------------------------------------------
    def replace_all(self, text: str, version: int | None = None) -> None:
        self._set_text(text)
        self.changed_from(0)
        if version is not None:
            self.version = version

    def replace(
        self,
        start_line: int,
        start_index: int,
        end_line: int,
        end_index: int,
        text: str,
        version: int | None = None,
    ) -> None:
        """Replace the text between two (line, string index) points; out-of-range points clamp."""
        if start_line == end_line and self._replace_in_line(
            start_line, start_index, end_index, text
        ):
            if version is not None:
                self.version = version
            return
        self._replace_span(start_line, start_index, end_line, end_index, text)
        if version is not None:
            self.version = version

    def _replace_in_line(self, number: int, start_index: int, end_index: int, text: str) -> bool:
        """A keystroke: an edit inside one existing line that brings no line break. Does what
        `_replace_span` does, without its general steps (~3x faster); False, having done
        nothing, for any other edit."""
        if number < 0 or "\n" in text or "\r" in text:
            return False
        starts = self._starts
        block_index = bisect_right(starts, number) - 1
        block = self._blocks[block_index]
        offset = number - starts[block_index]
        if offset >= len(block.lines):
            return False  # past the last line: clamped by the general way
        line = block.lines[offset]
        size = len(line)
        start = 0 if start_index < 0 else min(start_index, size)
        end = 0 if end_index < 0 else min(end_index, size)
        if end < start:
            start, end = end, start
        new = line[:start] + text + line[end:]
        if not new and block.ends[offset] == "\n":
            return False  # an emptied line after one ending in "\r" may make a CRLF with it
        block.lines[offset] = new
        block.revision = next(_REVISIONS)
        block.stamps[offset // STAMP_LINES] = next(_STAMPS)
        self.changed_from(block_index)
        return True

    def _replace_span(
        self, start_line: int, start_index: int, end_line: int, end_index: int, text: str
    ) -> None:
        """`replace`, for any edit."""
        last = self.line_count - 1
        start_line, start_index = self._clamp(start_line, start_index, last)
        end_line, end_index = self._clamp(end_line, end_index, last)
        if (end_line, end_index) < (start_line, start_index):
            start_line, start_index, end_line, end_index = (
                end_line,
                end_index,
                start_line,
                start_index,
            )

        first_block, first_offset = self.locate(start_line)
        last_block, last_offset = self.locate(end_line)
        head = self._blocks[first_block].lines[first_offset][:start_index]
        tail = self._blocks[last_block].lines[last_offset][end_index:]
        if text:
            new_lines, new_ends = split_with_ends(head + text + tail)
        else:
            new_lines, new_ends = [head + tail], [""]
        # The terminators on either side of the edited span are not part of it and stay.
        new_ends[-1] = self._blocks[last_block].ends[last_offset]
        if new_ends[-1] == "\n" and len(new_lines) > 1 and not new_lines[-1]:
            if new_ends[-2] == "\r":  # the span ends in "\r", right before an "\n": one CRLF
                del new_lines[-1], new_ends[-1]
                new_ends[-1] = "\r\n"
        if new_ends[0] == "\n" and not new_lines[0]:
            before = self._line_before(first_block, first_offset)
            if before is not None and before[0].ends[before[1]] == "\r":
                # The line before ends in "\r" and the span starts with "\n": one CRLF. The
                # line's text is unchanged, so its block keeps its revision.
                del new_lines[0], new_ends[0]
                before[0].ends[before[1]] = "\r\n"

        first = self._blocks[first_block]
        run = first_offset // STAMP_LINES
        if first_block == last_block:
            first.lines[first_offset : last_offset + 1] = new_lines
            first.ends[first_offset : last_offset + 1] = new_ends
            in_place = len(new_lines) == last_offset + 1 - first_offset
        else:
            rest = self._blocks[last_block]
            first.lines[first_offset:] = new_lines + rest.lines[last_offset + 1 :]
            first.ends[first_offset:] = new_ends + rest.ends[last_offset + 1 :]
            del self._blocks[first_block + 1 : last_block + 1]
            in_place = False
        first.revision = next(_REVISIONS)
        if in_place:  # as many lines as before: only the runs of the lines replaced change
            stop = last_offset // STAMP_LINES + 1
            first.stamps[run:stop] = _fresh_stamps((stop - run) * STAMP_LINES)
        else:  # the lines below moved within the block: every run from the edit's on
            first.stamps[run:] = _fresh_stamps(len(first.lines) - run * STAMP_LINES)
        self._rebalance(first_block, last_block + 1)
        self.changed_from(first_block)

    def changed_from(self, block_index: int) -> None:
        """Tell listeners that blocks from `block_index` on may have changed."""
        for listener in self.listeners:
            listener(block_index)

    # -- internals -------------------------------------------------------------------------
    def _line_before(self, block_index: int, offset: int) -> tuple[Block, int] | None:
        """(block, offset) of the line before the given one, or None for the first line."""
        if offset:
            return self._blocks[block_index], offset - 1
        if block_index:
            previous = self._blocks[block_index - 1]
            return previous, len(previous.lines) - 1
        return None

    def _clamp(self, line: int, index: int, last: int) -> tuple[int, int]:
        if line < 0:
            return 0, 0
        if line > last:
            return last, len(self.line(last))
        return line, max(0, min(index, len(self.line(line))))

    def _set_text(self, text: str) -> None:
        if "\r" in text:  # rare; its line breaks take the regular expression
            with _collector_paused():
                self._set_lines(*split_with_ends(text))
            return
        self._blocks = _unsplit_blocks(text, BLOCK_LINES)
        self._reindex()

    def _set_lines(self, lines: list[str], ends: list[str]) -> None:
        self._blocks = [
            Block(lines[i : i + BLOCK_LINES], ends[i : i + BLOCK_LINES])
            for i in range(0, len(lines), BLOCK_LINES)
        ] or [Block([""], [""])]
        self._reindex()

    def _rebalance(self, block_index: int, old_stop: int) -> None:
        """After an edit that made blocks `block_index` .. `old_stop` - 1 into the one at
        `block_index`: split it if it grew too long, drop it if it is empty."""
        block = self._blocks[block_index]
        stop = block_index + 1
        if len(block.lines) >= 2 * BLOCK_LINES:
            pieces = [
                Block(block.lines[i : i + BLOCK_LINES], block.ends[i : i + BLOCK_LINES])
                for i in range(0, len(block.lines), BLOCK_LINES)
            ]
            self._blocks[block_index : block_index + 1] = pieces
            stop = block_index + len(pieces)
        elif not block.lines:
            if len(self._blocks) > 1:
                del self._blocks[block_index]
                stop = block_index
            else:
                block.lines.append("")
                block.ends.append("")
                block.stamps[:] = _fresh_stamps(1)
        self._reindex(block_index, old_stop, stop)

    def _reindex(self, first: int = 0, old_stop: int | None = None, stop: int = 0) -> None:
        """Where each block starts. With `old_stop`, after an edit that made blocks `first` ..
        `old_stop` - 1 into those now at `first` .. `stop` - 1: the blocks after them are those
        there were, shifted by as many lines as the edit added (~4 us for an edit half-way
        down 200,000 lines, where counting every block's lines took ~31)."""
        old = self._starts
        if old_stop is None:
            first, stop, total = 0, len(self._blocks), 0
        else:
            total = old[first]  # the blocks above are those there were
        starts = old[:first]
        for block in self._blocks[first:stop]:
            starts.append(total)
            total += block.size()
        if old_stop is not None and old_stop < len(old):
            shift = total - old[old_stop]
            starts += [start + shift for start in old[old_stop:]] if shift else old[old_stop:]
        self._starts = starts


def _unsplit_blocks(text: str, size: int) -> list[Block]:
    """Blocks of `size` lines (the last may have fewer) over a text with no "\r", each
    referring to its span of the text: its ends found by counting line breaks (~7 ms for the
    benchmark's 200,000 lines, where splitting them took 21-23)."""
    blocks: list[Block] = []
    length, start = len(text), 0
    # A guess at where the block's last line break is, from the lines so far (or a sample).
    sample = text.count("\n", 0, 65536)
    per_line = min(length, 65536) / (sample + 1)
    while True:
        guess = min(length, start + int(per_line * size))
        count = text.count("\n", start, guess)
        end = guess
        if count < size:  # on to the size-th line break
            while count < size:
                at = text.find("\n", end)
                if at < 0:
                    blocks.append(Block.unsplit(text, start, length, count + 1, last=True))
                    return blocks
                count, end = count + 1, at + 1
        else:  # back to it: drop the line breaks past it, then stand just after the last
            while count > size:
                end = text.rfind("\n", start, end)
                count -= 1
            end = text.rfind("\n", start, end) + 1
        # `end` is just past the block's size-th line break
        blocks.append(Block.unsplit(text, start, end - 1, size, last=False))
        per_line = max((end - start) / size, 1.0)
        start = end
