"""Python, one line at a time: code, comments, strings and docstrings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transformers_glossary_ls.lexing.machine import Machine, lines_at

CODE, COMMENT, STRING, DOCSTRING = "code", "comment", "string", "docstring"

_SPECIAL = re.compile(r"[#'\"]")
_CLOSERS = {q: re.compile(r"\\.|" + re.escape(q), re.DOTALL) for q in ('"', "'", '"""', "'''")}
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# Not frozen: made per word (segment) of every line read, and a frozen dataclass's __init__
# is ~4x slower. Hashable all the same; nothing changes one after it is made.
@dataclass(slots=True, unsafe_hash=True)
class Segment:
    kind: str
    start: int
    end: int


def _find_close(line: str, pos: int, quote: str) -> int:
    for match in _CLOSERS[quote].finditer(line, pos):
        if match.group() == quote:
            return match.start()
    return -1


def lex_line(line: str, state: str | None) -> tuple[list[Segment], str | None]:
    """Split a line into segments; `state` is the open triple quote the line starts inside."""
    segments: list[Segment] = []
    pos, end = 0, len(line)
    if state:
        close = _find_close(line, 0, state)
        if close < 0:
            return [Segment(DOCSTRING, 0, end)], state
        segments.append(Segment(DOCSTRING, 0, close))
        pos = close + 3
    while pos < end:
        match = _SPECIAL.search(line, pos)
        if match is None:
            segments.append(Segment(CODE, pos, end))
            break
        i = match.start()
        if i > pos:
            segments.append(Segment(CODE, pos, i))
        char = line[i]
        if char == "#":
            segments.append(Segment(COMMENT, i + 1, end))
            break
        quote = char * 3 if line.startswith(char * 3, i) else char
        start = i + len(quote)
        close = _find_close(line, start, quote)
        if close < 0:
            if len(quote) == 3:
                segments.append(Segment(DOCSTRING, start, end))
                return segments, quote
            segments.append(Segment(STRING, start, end))  # unterminated: ends with the line
            break
        segments.append(Segment(DOCSTRING if len(quote) == 3 else STRING, start, close))
        pos = close + len(quote)
    return segments, None


def has_triple_quote(line: str) -> bool:
    return '"""' in line or "'''" in line


def _triple_quote_lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
    # Each quote found with str.find (a scan in C), the rest of its line skipped.
    end = len(text) if end is None else end
    positions: list[int] = []
    for quote in ('"""', "'''"):
        at = text.find(quote, start, end)
        while at >= 0:
            positions.append(at)
            at = text.find("\n", at, end)
            if at < 0:
                break
            at = text.find(quote, at + 1, end)
    positions.sort()
    return lines_at(text, positions, start)


_UNSURE = object()


def _quick_step(line: str, state):
    """The exit state of lines holding only docstring quotes and comments, with str methods;
    `_UNSURE` when a single-quoted string or a backslash needs the full lexer."""
    pos = 0
    while True:
        if state is not None:
            close = line.find(state, pos)
            if close < 0:
                return state
            if "\\" in line[pos:close]:
                return _UNSURE
            pos, state = close + 3, None
        match = _SPECIAL.search(line, pos)
        if match is None:
            return None
        i = match.start()
        char = line[i]
        if char == "#":
            return None
        if not line.startswith(char * 3, i):
            return _UNSURE
        state, pos = char * 3, i + 3


def _step(line: str, state):
    quick = _quick_step(line, state)
    return lex_line(line, state)[1] if quick is _UNSURE else quick


PYTHON = Machine(
    key="python",
    initial=None,
    significant=has_triple_quote,
    step=_step,
    candidates=_triple_quote_lines,
)


def segment_at(segments: list[Segment], index: int) -> Segment | None:
    """The segment holding `index`, or the one ending right at it (cursor after a word)."""
    for seg in segments:
        if seg.start <= index < seg.end:
            return seg
    for seg in segments:
        if seg.end == index and seg.end > seg.start:
            return seg
    return None


def identifier_at(text: str, index: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """(start, end) of the identifier touching `index` within text[lo:hi], or (index, index)."""
    hi = len(text) if hi is None else hi
    start = index
    while (
        start > lo
        and (text[start - 1].isalnum() or text[start - 1] == "_")
        and text[start - 1].isascii()
    ):
        start -= 1
    end = index
    while end < hi and (text[end].isalnum() or text[end] == "_") and text[end].isascii():
        end += 1
    while start < end and text[start].isdigit():
        start += 1
    return start, end


def is_comment_line(segments: list[Segment], line: str) -> Segment | None:
    """The comment segment of a line that holds nothing but a comment."""
    if not segments or segments[-1].kind != COMMENT:
        return None
    for seg in segments[:-1]:
        if seg.kind != CODE or line[seg.start : seg.end].strip():
            return None
    return segments[-1]


# A line outside any docstring, with no triple quote and no backslash, lexes as this regex
# finds: a comment to the end, or a string from its quote to the next same quote (or to the
# end, unterminated). `blank_line` then blanks the matches in one pass of the regex engine.
_SIMPLE_SPECIAL = re.compile(r"#.*|\"[^\"]*\"?|'[^']*'?")


def _blanked(match: re.Match) -> str:
    text = match.group()
    if text[0] == "#":
        return " " * len(text)
    if len(text) > 1 and text[-1] == text[0]:
        return text[0] + " " * (len(text) - 2) + text[0]
    return text[0] + " " * (len(text) - 1)


def blank_line(line: str, state) -> tuple[str, str | None]:
    """The line with string contents and comments replaced by spaces (quotes kept), and the
    exit state: bracket matching then never sees a parenthesis inside a string."""
    if state is None and "\\" not in line and '"""' not in line and "'''" not in line:
        return _SIMPLE_SPECIAL.sub(_blanked, line), None
    return _blank_segments(line, state)


def _blank_segments(line: str, state) -> tuple[str, str | None]:
    """`blank_line` from the line's segments, for any line."""
    segments, exit_state = lex_line(line, state)
    if len(segments) == 1 and segments[0].kind == CODE:
        return line, exit_state
    chars = list(line)
    for seg in segments:
        if seg.kind != CODE:
            start = seg.start - 1 if seg.kind == COMMENT else seg.start  # the "#" too
            chars[start : seg.end] = " " * (seg.end - start)
    return "".join(chars), exit_state
