"""Hover and completion Markdown made safe to render: plain Markdown only.

Text comes from user vocabulary files, which a repository may ship. An editor renders hovers as
Markdown, where a `command:` link runs an editor command, `javascript:`/`data:` links and raw HTML
do what a page would, and a remote image is a request to someone else's server. So: links keep
their text and only http(s) destinations, images become their alt text, HTML is shown as text.
Code spans and fenced code blocks are left as they are (their content is shown literally
anyway), but only where a CommonMark renderer (VS Code's markdown-it) surely sees one: a run of
backticks closed by a run of the same length within one paragraph, a fence opened at a line's
start. Wherever that is less than sure, the text is made safe as prose: shown a little
differently at worst, never live. A property test renders random hostile text with markdown-it
and finds no link but http(s), no image and no HTML.
"""

from __future__ import annotations

import re

ALLOWED_SCHEMES = ("http://", "https://")

_RUN = re.compile(r"`+")  # a backtick string: CommonMark reads runs whole
_BLANK_LINE = re.compile(r"(\n[ \t]*\n)")  # ends every paragraph
# A line that may start a block (a heading, quote, list item, fence, table row, rule, setext
# underline, HTML block; indented code first) and so may end the paragraph above it.
_MAY_START_BLOCK = re.compile(
    r"[ \t]*(?:[#>|<:]|[*+-](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|`{3}|~{3}"
    r"|(?:[*_-][ \t]*){3,}$|=+[ \t]*$)"
)
# A fence opened at a line's very start (not inside a list item or a quote, where the item's
# end would end it too): it runs to a closing fence or to the end of the text.
_FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$", re.MULTILINE)
_TEXT = r"((?:[^\[\]]|\[[^\[\]]*\])*)"  # link text: one level of brackets inside
_DEST = r"\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"  # CommonMark: <...>, or balanced parens
_TITLE = r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*"
_IMAGE = re.compile(r"!\[" + _TEXT + r"\](?:\(" + _DEST + _TITLE + r"\)|\[[^\]]*\])?")
_LINK = re.compile(r"\[" + _TEXT + r"\]\(" + _DEST + _TITLE + r"\)")
# What is left of a link the patterns above missed, and of a reference definition (in a list
# item or a quote too: `- [r]: command:x`). Only the two characters are matched: one match never
# hides the next.
_OPENER = re.compile(r"\](?=\(\s*<?(\S*))")
_LABEL_END = re.compile(r"\](?=:[ \t]*<?(\S*))")


def allowed_url(url: str) -> bool:
    return url.strip().strip("<>").lower().startswith(ALLOWED_SCHEMES)


def safe_markdown(text: str) -> str:
    """`text` with every link not to http(s), every image and all raw HTML defused."""
    if "[" not in text and "]" not in text and "<" not in text:
        return text  # what every step below leaves as it is: no link, image or HTML can be here
    return _outside(text, _fences(text), _safe_paragraphs)


def _outside(text: str, kept, make_safe) -> str:
    """`text` with what lies outside the `kept` (start, end) spans, in order, made safe."""
    out, last = [], 0
    for start, end in kept:
        out.append(make_safe(text[last:start]))
        out.append(text[start:end])
        last = end
    out.append(make_safe(text[last:]))
    return "".join(out)


def _fences(text: str):
    """(start, end) of each fenced code block opened at a line's start, in order."""
    at = 0
    while (opened := _FENCE.search(text, at)) is not None:
        fence, info = opened.groups()
        if fence[0] == "`" and "`" in info:
            at = opened.end()  # not a fence: a backtick fence's info string has no backticks
            continue
        closing = re.compile(
            rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE
        ).search(text, opened.end())
        end = closing.end() if closing is not None else len(text)
        yield opened.start(), end
        at = end


def _safe_paragraphs(text: str) -> str:
    if "`" not in text:
        return _safe_prose(text)
    return "".join(
        piece if k % 2 else _safe_paragraph(piece)
        for k, piece in enumerate(_BLANK_LINE.split(text))
    )


def _safe_paragraph(text: str) -> str:
    """Text between blank lines. Its code spans are kept only where it is surely one
    paragraph: where a line may start a block, a span kept on the wrong side of the paragraph's
    end would shift the pairing of every backtick after it."""
    if "`" not in text:
        return _safe_prose(text)
    lines = text.split("\n")
    if len(lines) > 1 and (
        lines[0].startswith(("    ", "\t")) or any(map(_MAY_START_BLOCK.match, lines))
    ):
        return _safe_prose(text)
    return _outside(text, _code_spans(text), _safe_prose)


def _code_spans(text: str):
    """(start, end) of each code span of one paragraph, in order: a backtick string (its
    first backtick not escaped) closed by the next string of the same length."""
    runs = [run.span() for run in _RUN.finditer(text)]
    i = 0
    while i < len(runs):
        start, end = runs[i]
        before = text[:start]
        if (len(before) - len(before.rstrip("\\"))) % 2:
            start += 1  # an escaped backtick is a character: the rest of the run may open
        closed = next(
            (j for j in range(i + 1, len(runs)) if runs[j][1] - runs[j][0] == end - start),
            None,
        )
        if end > start and closed is not None:
            yield start, runs[closed][1]
            i = closed + 1
        else:
            i += 1


def _safe_prose(text: str) -> str:
    if "[" not in text and "]" not in text:
        # No link, image, definition or what is left of one can be here (each needs one of
        # the two): most pieces of a hover, and two tests instead of six regex passes.
        return text.replace("<", "&lt;")
    # What replaces a link or an image is never empty: backticks on either side of an empty
    # piece would join into one longer run, and the code spans around would pair otherwise.
    text = _IMAGE.sub(lambda m: m.group(1) or "image", text)  # no remote images: the alt text
    text = _LINK.sub(_link_text, text)
    # A safety net for shapes the patterns above do not parse, and for reference definitions
    # (`[r]: command:x`, in a list item too): escaped, they link nowhere.
    text = text.replace("![", "!\\[")
    text = _OPENER.sub(_escape_opener, text)
    text = _LABEL_END.sub(_escape_label_end, text)
    # Raw HTML and autolinks (`<command:x>`) shown as text. Idempotent: no `<` is left.
    return text.replace("<", "&lt;")


def _link_text(m: re.Match) -> str:
    if allowed_url(m.group(2)):
        return m.group()
    return m.group(1) or "\\[\\]"


def _escape_label_end(m: re.Match) -> str:
    return "]" if allowed_url(m.group(1)) else "]\\"  # `]\:`: a colon, not a definition


def _escape_opener(m: re.Match) -> str:
    return "]" if allowed_url(m.group(1)) else "]\\"  # `]\(`: a parenthesis, not a link


__all__ = ["allowed_url", "safe_markdown"]
