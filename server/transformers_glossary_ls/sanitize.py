"""Hover and completion Markdown made safe to render: plain Markdown only.

Text comes from user vocabulary files, which a repository may ship. An editor renders hovers as
Markdown, where a `command:` link runs an editor command, `javascript:`/`data:` links and raw HTML
do what a page would, and a remote image is a request to someone else's server. So: links keep
their text and only http(s) destinations, images become their alt text, HTML is shown as text.
Code spans are left as they are (their content is shown literally anyway).
"""

from __future__ import annotations

import re

ALLOWED_SCHEMES = ("http://", "https://")

_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)  # a code span, or a fence's backticks
_TEXT = r"((?:[^\[\]]|\[[^\[\]]*\])*)"  # link text: one level of brackets inside
_DEST = r"\s*(<[^>\n]*>|(?:[^\s()]|\([^\s()]*\))*)"  # CommonMark: <...>, or balanced parens
_TITLE = r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*"
_IMAGE = re.compile(r"!\[" + _TEXT + r"\](?:\(" + _DEST + _TITLE + r"\)|\[[^\]]*\])?")
_LINK = re.compile(r"\[" + _TEXT + r"\]\(" + _DEST + _TITLE + r"\)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(\S*).*$", re.MULTILINE)
_OPENER = re.compile(r"\]\(\s*<?(\S*)")  # what is left of a link the patterns above missed


def allowed_url(url: str) -> bool:
    return url.strip().strip("<>").lower().startswith(ALLOWED_SCHEMES)


def safe_markdown(text: str) -> str:
    """`text` with every link not to http(s), every image and all raw HTML defused."""
    out, last = [], 0
    for span in _CODE.finditer(text):
        out.append(_safe_prose(text[last : span.start()]))
        out.append(span.group())
        last = span.end()
    out.append(_safe_prose(text[last:]))
    return "".join(out)


def _safe_prose(text: str) -> str:
    if "[" not in text and "](" not in text:
        # No link, image, definition or opener can be here (each needs one of the two): most
        # pieces of a hover, and one test instead of five regex passes.
        return text.replace("<", "&lt;")
    text = _IMAGE.sub(lambda m: m.group(1), text)  # no remote images: the alt text stays
    text = _LINK.sub(lambda m: m.group() if allowed_url(m.group(2)) else m.group(1), text)
    text = _DEFINITION.sub(lambda m: m.group() if allowed_url(m.group(1)) else "", text)
    # A safety net for shapes the patterns above do not parse: escaped, they link nowhere.
    text = text.replace("![", "!\\[")
    text = _OPENER.sub(_escape_opener, text)
    # Raw HTML and autolinks (`<command:x>`) shown as text. Idempotent: no `<` is left.
    return text.replace("<", "&lt;")


def _escape_opener(m: re.Match) -> str:
    return m.group() if allowed_url(m.group(1)) else "]\\(" + m.group()[2:]


__all__ = ["allowed_url", "safe_markdown"]
