"""The only conversion between LSP positions and Python string indices.

LSP counts a line's characters in the negotiated encoding: UTF-16 code units by default (an emoji
is two), or UTF-8 bytes, or UTF-32 code points (which is what a Python `str` index is).
"""

from __future__ import annotations

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)


def _unit_len(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    if code < 0x80:
        return 1
    if code < 0x800:
        return 2
    if code < 0x10000 or 0xD800 <= code <= 0xDFFF:
        return 3  # lone surrogates are written as three bytes by "surrogatepass"
    return 4


def to_index(line: str, units: int, encoding: str = UTF16) -> int:
    """String index of the client's column `units` on `line`; clamped to the line."""
    if units <= 0:
        return 0
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    count = 0
    for index, char in enumerate(line):
        if count >= units:
            return index
        count += _unit_len(char, encoding)
        if count > units:  # the column falls inside a character: snap to its start
            return index
    return len(line)


def to_units(line: str, index: int, encoding: str = UTF16) -> int:
    """The client's column for string index `index` on `line`."""
    index = max(0, min(index, len(line)))
    if encoding == UTF32 or line.isascii():
        return index
    head = line[:index]
    if head.isascii():
        return index
    if encoding == UTF16:
        return index + sum(1 for char in head if ord(char) > 0xFFFF)
    return sum(_unit_len(char, encoding) for char in head)


def choose_encoding(offered: list[str] | None) -> str:
    """The client's most preferred encoding that we speak; UTF-16 when it offers none."""
    for kind in offered or []:
        name = str(getattr(kind, "value", kind)).lower()
        if name in ENCODINGS:
            return name
    return UTF16
