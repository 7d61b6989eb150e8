"""Markdown (and MDX, as the Hugging Face docs write it), one line at a time: prose, inline
code, fenced code blocks, and what is markup rather than prose: HTML comments and JSX/HTML tags
running over several lines, `[[autodoc]]` lines, MDX `import`/`export` lines, `[[anchor]]`
ids, and a YAML frontmatter (found by the analysis, which knows where the document starts).
The text between a `<Tip>`'s tags is prose; the tags are not."""

from __future__ import annotations

import re

from transformers_glossary_ls.bounded import BoundedCache
from transformers_glossary_ls.lexing.machine import Machine, lines_at
from transformers_glossary_ls.lexing.python import has_triple_quote, lex_line

PYTHON_FENCES = {"python", "py", "python3", "ipython", "pycon", "ipython3"}

_FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})[ \t]*([^\s`{]*)")
CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
# Spans of a prose line that are not prose: code, link targets, URLs, one-line HTML comments.
_NOT_PROSE = re.compile(
    r"(`+)(?!`).+?(?<!`)\1(?!`)|\]\([^)]*\)|<https?://[^>]*>|https?://\S+|<!--.*?-->|<[^>\n]{1,200}>"
    r"|\[\[[^\]\n]{0,200}\]\]"
)
# Whole lines of markup: doc-builder directives and MDX's ESM lines.
_MARKUP_LINE = re.compile(
    r"[ \t]*(?:\[\[autodoc\]\]|import\s.*\sfrom\s+['\"]|import\s+['\"]"
    r"|export\s+(?:const|default|function|let)\b)"
)
# A JSX/HTML tag opening a line and left open there: its name alone, or followed by an attribute
# (`<CourseFloatingBanner chapter={2}`, `<img src="..."`); a "<" before plain words is not one.
_TAG_OPEN = re.compile(r"[ \t]{0,3}<[A-Za-z][\w.:-]*(?:[ \t]*$|[ \t]+[\w:.@-]+=[^>]*$)")
COMMENT, TAG, FRONTMATTER = ("comment",), ("tag",), ("frontmatter",)
MAX_FRONTMATTER = 100  # lines
_FRONT_END = {"---", "..."}
_BLOCK_START = re.compile(
    r" {0,3}(#{1,6}(\s|$)|>|[-*+][ \t]|\d{1,9}[.)][ \t]|\||(?:[-*_][ \t]*){3,}$)"
)
_QUOTE = re.compile(r" {0,3}> ?")
HEADING = re.compile(r" {0,3}#{1,6}(\s|$)")


def fence_open(line: str) -> tuple[str, int, str] | None:
    """(fence character, fence length, language) when the line opens a fenced block."""
    match = _FENCE_OPEN.match(line)
    if match is None:
        return None
    fence = match.group(1)
    if fence[0] == "`" and "`" in line[match.end(1) :]:
        return None  # a backtick fence's info string may not contain backticks
    return fence[0], len(fence), match.group(2).lower()


def fence_closes(line: str, char: str, length: int) -> bool:
    stripped = line.strip()
    return (
        len(line) - len(line.lstrip(" ")) <= 3
        and len(stripped) >= length
        and stripped == char * len(stripped)
    )


def _comment_opens(line: str) -> bool:
    start = line.rfind("<!--")
    return start >= 0 and "-->" not in line[start + 4 :]


def _step(line: str, state):
    if state is None:
        opened = fence_open(line)
        if opened is not None:
            return ("fence", *opened, None)
        if _comment_opens(line):
            return COMMENT
        return TAG if _TAG_OPEN.match(line) else None
    if state is COMMENT or state == COMMENT:
        return None if "-->" in line else COMMENT
    if state == TAG:
        # Ends at a line ending the tag; a fence or another tag (an unclosed one left behind)
        # is read afresh.
        if "<" in line or fence_open(line) is not None:
            return _step(line, None)
        return None if line.endswith(">") else TAG
    _, char, length, lang, py_state = state
    if fence_closes(line, char, length):
        return None
    if lang in PYTHON_FENCES and has_triple_quote(line):
        return ("fence", char, length, lang, lex_line(line, py_state)[1])
    return state


def _significant(line: str) -> bool:
    """May open or close a fence, a docstring inside a python fence, an HTML comment (opened
    by "<!--", closed by "-->" anywhere on a line) or a tag running over lines (opened by a "<",
    ended by a line ending in ">")."""
    return (
        "<" in line
        or line[-1:] == ">"
        or "-->" in line
        or "```" in line
        or "~~~" in line
        or '"""' in line
        or "'''" in line
    )


# What `_significant` looks for, in a block's lines joined by "\n": the regex engine skips to
# the few characters these start with, where six tests per line cost more than the stepping.
_SIGNIFICANT = re.compile(r"<|-->|>(?=\n|\Z)|```|~~~|\"\"\"|'''")


def _significant_lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
    end = len(text) if end is None else end
    positions: list[int] = []
    search = _SIGNIFICANT.search
    match = search(text, start, end)
    while match is not None:
        at = match.start()
        positions.append(at)
        at = text.find("\n", at, end)
        if at < 0:
            break
        match = search(text, at + 1, end)  # on from the next line: each line once
    return lines_at(text, positions, start)


# (line, state) -> the state after it: the lines that change the state are mostly the same few
# fences ("```", "```python") and tags, met thousands of times in a large document. Bounded in
# bytes too: a line is the user's text.
MAX_STEPPED = 4096
_STEPPED: BoundedCache[tuple, object] = BoundedCache(MAX_STEPPED, 1 << 20)
_UNSEEN = object()


def _step_remembered(line: str, state):
    key = (line, state)
    found = _STEPPED.get(key, _UNSEEN)
    if found is _UNSEEN:
        found = _STEPPED.put(key, _step(line, state))
    return found


MARKDOWN = Machine(
    key="markdown",
    initial=None,
    significant=_significant,
    step=_step_remembered,
    candidates=_significant_lines,
)

# What a line is, given the state it starts in.
PROSE, FENCE_MARK, PYTHON_CODE, OTHER_CODE, MARKUP = "prose", "fence", "python", "code", "markup"


def classify(line: str, state) -> tuple[str, str | None]:
    """(kind of line, Python lexer state for lines inside a python fence)."""
    if state is None:
        if fence_open(line):
            return FENCE_MARK, None
        if _comment_opens(line) or _TAG_OPEN.match(line) or _MARKUP_LINE.match(line):
            return MARKUP, None
        return PROSE, None
    if state[0] != "fence":
        return MARKUP, None  # inside a comment, a tag or the frontmatter
    _, char, length, lang, py_state = state
    if fence_closes(line, char, length):
        return FENCE_MARK, None
    return (PYTHON_CODE, py_state) if lang in PYTHON_FENCES else (OTHER_CODE, None)


def frontmatter_end(lines: list[str]) -> int:
    """How many of a document's first lines are its YAML frontmatter (0 when it has none)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for k in range(1, min(len(lines), MAX_FRONTMATTER)):
        if lines[k].rstrip() in _FRONT_END:
            return k + 1
    return 0


def prose_pieces(line: str) -> list[tuple[int, int]]:
    """(start, end) spans of a prose line that hold prose (code, links, URLs cut out)."""
    pieces, pos = [], 0
    for match in _NOT_PROSE.finditer(line):
        if match.start() > pos:
            pieces.append((pos, match.start()))
        pos = match.end()
    if pos < len(line):
        pieces.append((pos, len(line)))
    return pieces


def code_span_at(line: str, index: int) -> tuple[int, int] | None:
    """(start, end) of the content of the inline code span holding `index`."""
    for match in CODE_SPAN.finditer(line):
        if match.start(2) <= index <= match.end(2):
            return match.start(2), match.end(2)
        if match.start() > index:
            break
    return None


def joins_previous(previous: str, line: str) -> bool:
    """Whether `line` continues the paragraph of `previous` (so a phrase may span the break)."""
    if not previous.strip() or not line.strip() or HEADING.match(previous):
        return False
    quoted = _QUOTE.match(previous), _QUOTE.match(line)
    if quoted[0] and quoted[1]:  # two lines of one blockquote: compare what they quote
        return joins_previous(previous[quoted[0].end() :], line[quoted[1].end() :])
    return _BLOCK_START.match(line) is None
