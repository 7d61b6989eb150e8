"""Notebooks: each cell a document of its own, read in cell order.

A code cell is analysed as Python and looks back through the code cells above it for what its
variables hold (`model = AutoModelForCausalLM...` in one cell tells a later `model(...)` what is
called); a Markdown cell is read as Markdown. The server keeps a `Notebook` per notebook the
client opened (LSP notebook sync); `read_ipynb` reads an `.ipynb` file for `explain` and `check`,
keeping where each cell's source lies in the file, so that `check --fix` can change the fixed
text and nothing else.

Reading a file never decodes the outputs: they are skipped token by token (a base64 image is
one regex match), and only `cell_type` and `source` are read.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.analysis.document import MARKDOWN, PYTHON, language_of
from transformers_glossary_ls.documents import Document


class Notebook:
    """The cells of one open notebook, in the client's order."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.order: list[str] = []  # every cell's URI, as the client orders them
        self.cells: dict[str, Analysis] = {}  # the cells whose text we were sent
        self.revision = 0  # new whenever a cell or the order changes
        self._positions: dict[str, int] | None = None
        # name -> positions of the Python cells binding it, in order; None once stale
        self._binders: dict[str, list[int]] | None = None

    def open_cell(
        self, uri: str, text: str, markup: bool, language_id: str = "", version: int = 0
    ) -> Analysis:
        """A cell's analysis (a new one if the cell was open): Markdown for a Markdown cell,
        else as its language says (only Python is read)."""
        language = MARKDOWN if markup else language_of(language_id)
        if language == MARKDOWN and not markup:
            language = None  # a code cell in Markdown is not what Jupyter means by one
        analysis = Analysis(Document(uri, text, language_id, version), language)
        if language is None:
            analysis.language = None  # not guessed from the URI: a cell's is the notebook's
        if language == PYTHON:
            analysis.earlier = lambda name: self.earlier(uri, name)
            analysis.doc.listeners.append(self._stale)  # an edit may bind or unbind a name
        old = self.cells.pop(uri, None)
        if old is not None:
            old.close()
            if self._stale in old.doc.listeners:
                old.doc.listeners.remove(self._stale)
        self.cells[uri] = analysis
        self._stale()
        return analysis

    def _stale(self, _block: int = 0) -> None:
        self.revision += 1
        self._binders = None

    def close_cell(self, uri: str) -> Analysis | None:
        analysis = self.cells.pop(uri, None)
        if analysis is not None:
            analysis.close()
            if self._stale in analysis.doc.listeners:
                analysis.doc.listeners.remove(self._stale)
            self._stale()
        return analysis

    def splice(self, start: int, delete_count: int, uris: list[str]) -> bool:
        """Replace `delete_count` cells from `start` with `uris`; False (nothing changed) when
        the change does not fit the notebook."""
        if not 0 <= start <= len(self.order) or delete_count < 0:
            return False
        self.order[start : start + delete_count] = uris
        self._positions = None
        self._stale()
        return True

    def position(self, uri: str) -> int | None:
        if self._positions is None:
            self._positions = {u: k for k, u in enumerate(self.order)}
        return self._positions.get(uri)

    def earlier(self, uri: str, name: str) -> Iterator[Analysis]:
        """The Python cells above a cell that bind `name`, nearest first. Looked up in an index
        of every cell's bound names, made again after a change: a 500-cell notebook costs a
        bisection, not a walk through every cell above."""
        at = self.position(uri)
        if at is None:
            return
        binders = self._binders
        if binders is None:
            binders = self._binders = {}
            for k, cell in enumerate(self.order):
                analysis = self.cells.get(cell)
                if analysis is not None and analysis.language == PYTHON:
                    for bound in analysis.bound_names():
                        binders.setdefault(bound, []).append(k)
        found = binders.get(name, ())
        for k in range(bisect_left(found, at) - 1, -1, -1):
            analysis = self.cells.get(self.order[found[k]])
            if analysis is not None:
                yield analysis

    def from_cell(self, uri: str) -> list[str]:
        """The open code cells from a cell on, in order (what an edit there may change)."""
        at = self.position(uri)
        rest = self.order if at is None else self.order[at:]
        return [u for u in rest if (a := self.cells.get(u)) is not None and a.language == PYTHON]

    def close(self) -> list[str]:
        """Close every cell; the URIs of those that were open."""
        closed = list(self.cells)
        for analysis in self.cells.values():
            analysis.close()
        self.cells.clear()
        return closed


# -- .ipynb files ---------------------------------------------------------------------------------
class NotebookError(ValueError):
    """The file is not a notebook we can read (invalid JSON, or no list of cells)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """One JSON string of a cell's source: its decoded text and where its token lies."""

    text: str
    start: int  # the opening quote, as an index into the file's text
    end: int  # after the closing quote


@dataclass(frozen=True, slots=True)
class Cell:
    number: int  # 1-based, counting every cell of the file
    kind: str  # "code", "markdown", "raw", ...
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces)


@dataclass(frozen=True, slots=True)
class NotebookFile:
    text: str  # the file, decoded
    cells: tuple[Cell, ...]
    language: str  # the kernel's language as the metadata says ("python" when unsaid)

    def open(self, uri: str) -> list[tuple[Cell, Analysis]]:
        """An analysis per Markdown cell and per code cell (when the notebook is Python),
        linked as in an editor: code cells see the variables of those above them."""
        notebook = Notebook(uri)
        notebook.order = [f"{uri}#cell{c.number}" for c in self.cells]
        out = []
        for cell, cell_uri in zip(self.cells, notebook.order, strict=True):
            if cell.kind == "markdown":
                out.append((cell, notebook.open_cell(cell_uri, cell.text, True, "markdown")))
            elif cell.kind == "code" and self.language == "python":
                out.append((cell, notebook.open_cell(cell_uri, cell.text, False, "python")))
        return out

    def raw_span(self, cell: Cell, line: int, start: int, end: int) -> tuple[int, int] | None:
        """Where a cell's text between two points of one line lies in the file; None when it
        runs over two JSON strings."""
        if "\r" in cell.text:
            return None  # lines split as a Document splits them: "\n" alone, here
        lines = cell.text.split("\n")
        offset = sum(len(text) + 1 for text in lines[:line])
        first, last = offset + start, offset + end
        at = 0
        for piece in cell.pieces:
            if at <= first and last <= at + len(piece.text) and first < at + len(piece.text):
                body = piece.start + 1
                return body + _raw_length(self.text, body, first - at), body + _raw_length(
                    self.text, body, last - at
                )
            at += len(piece.text)
        return None

    def with_edits(self, edits: list[tuple[int, int, str]]) -> str:
        """The file with each (start, end) span replaced by text, JSON-escaped; else as it was."""
        out, last = [], 0
        for start, end, text in sorted(edits):
            out.append(self.text[last:start])
            out.append(json.dumps(text, ensure_ascii=False)[1:-1])
            last = end
        out.append(self.text[last:])
        return "".join(out)


_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_SCALAR = re.compile(r"-?[0-9][0-9.eE+-]*|true|false|null")
_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def _raw_length(text: str, body: int, count: int) -> int:
    """How many characters of a JSON string's body (from `body`) hold its first `count`
    decoded characters."""
    j, k = body, 0
    while k < count:
        if text[j] == "\\":
            escape = _ESCAPE.match(text, j)
            assert escape is not None
            j = escape.end()
            code = escape.group(1)
            if code and 0xD800 <= int(code, 16) < 0xDC00:  # a surrogate pair decodes to one
                low = _ESCAPE.match(text, j)
                if low and low.group(1) and 0xDC00 <= int(low.group(1), 16) < 0xE000:
                    j = low.end()
        else:
            j += 1
        k += 1
    return j - body


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text, self.i = text, 0

    def fail(self, what: str) -> NotebookError:
        line = self.text.count("\n", 0, self.i) + 1
        return NotebookError(f"invalid JSON at line {line}: {what}")

    def peek(self) -> str:
        self.i = _WS.match(self.text, self.i).end()  # type: ignore[union-attr]
        return self.text[self.i : self.i + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.fail(f"expected {char!r}")
        self.i += 1

    def string(self) -> Piece:
        self.peek()
        found = _STRING.match(self.text, self.i)
        if found is None:
            raise self.fail("expected a string")
        try:
            value, _ = json.decoder.scanstring(self.text, found.start() + 1, False)
        except ValueError as exc:
            raise self.fail(str(exc)) from None
        self.i = found.end()
        return Piece(value, found.start(), found.end())

    def members(self) -> Iterator[str]:
        """The keys of an object, in order; the caller reads or skips each value."""
        self.expect("{")
        if self.peek() == "}":
            self.i += 1
            return
        while True:
            key = self.string().text
            self.expect(":")
            yield key
            if self.peek() == ",":
                self.i += 1
                continue
            self.expect("}")
            return

    def elements(self) -> Iterator[None]:
        self.expect("[")
        if self.peek() == "]":
            self.i += 1
            return
        while True:
            yield
            if self.peek() == ",":
                self.i += 1
                continue
            self.expect("]")
            return

    def skip(self) -> None:
        """Pass over one value without decoding it."""
        depth = 0
        while True:
            char = self.peek()
            if char == '"':
                found = _STRING.match(self.text, self.i)
                if found is None:
                    raise self.fail("unterminated string")
                self.i = found.end()
            elif char in ("{", "["):
                depth += 1
                self.i += 1
            elif char in ("}", "]"):
                depth -= 1
                self.i += 1
                if depth < 0:
                    raise self.fail(f"unexpected {char!r}")
            elif char in (",", ":") and depth > 0:
                self.i += 1
                continue
            else:
                found = _SCALAR.match(self.text, self.i)
                if found is None:
                    raise self.fail("unexpected character" if char else "unexpected end")
                self.i = found.end()
            if depth == 0:
                return


def read_ipynb(text: str) -> NotebookFile:
    """The cells of a notebook file's text; NotebookError when it is not one."""
    scan = _Scanner(text)
    cells: list[Cell] = []
    language = "python"
    found_cells = False
    for key in scan.members():
        if key == "cells":
            found_cells = True
            for _ in scan.elements():
                cells.append(_cell(scan, len(cells) + 1))
        elif key == "metadata":
            language = _language(scan) or language
        else:
            scan.skip()
    if scan.peek():
        raise scan.fail("text after the notebook")
    if not found_cells:
        raise NotebookError("no cells (not an nbformat 4 notebook)")
    return NotebookFile(text, tuple(cells), language)


def _cell(scan: _Scanner, number: int) -> Cell:
    kind, pieces = "", ()
    for key in scan.members():
        if key == "cell_type" and scan.peek() == '"':
            kind = scan.string().text
        elif key == "source":
            if scan.peek() == '"':
                pieces = (scan.string(),)
            else:
                found = []
                for _ in scan.elements():
                    found.append(scan.string())
                pieces = tuple(found)
        else:
            scan.skip()  # outputs, metadata, execution_count: never decoded
    return Cell(number, kind, pieces)


def _language(scan: _Scanner) -> str | None:
    """The kernel's language from the notebook's metadata (`language_info.name`)."""
    language = None
    for key in scan.members():
        if key == "language_info" and scan.peek() == "{":
            for inner in scan.members():
                if inner == "name" and scan.peek() == '"':
                    language = scan.string().text.lower()
                else:
                    scan.skip()
        else:
            scan.skip()
    return language
