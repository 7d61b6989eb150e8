"""A vocabulary file's YAML read safely. Imported only where a YAML text is read (a file the
vocabulary cache does not hold, or one being edited): PyYAML is ~14 ms of a start that finds
the cache warm."""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 20

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Refused(Exception):
    """The text uses what a vocabulary never needs: an alias, or nesting deeper than MAX_DEPTH."""


class Unreadable(Exception):
    """Not YAML: `line` (1-based; 0 when unknown) and `problem` (PyYAML's words, with the bits
    of the file it quotes: the caller leaves them out)."""

    def __init__(self, line: int, problem: str | None) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records line numbers and refuses anchors/aliases and deep nesting.

    Aliases are refused outright: our data never needs them, and they are how a small file
    expands into an exponential one ("billion laughs").
    """

    def __init__(self, stream: str, line_key: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._line_key = line_key

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # A node constructed before is reached again only through an alias.
        if node in self.constructed_objects:
            raise Refused(f"line {node.start_mark.line + 1}: anchors and aliases are not allowed")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise Refused(f"line {node.start_mark.line + 1}: nesting deeper than {MAX_DEPTH}")
            return super().construct_object(node, deep=True)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        mapping = super().construct_mapping(node, deep=True)
        mapping[self._line_key] = node.start_mark.line + 1
        return mapping


def read(text: str, line_key: str) -> Any:
    """The data of one YAML document, each mapping with its 1-based line under `line_key`.
    Raises Unreadable for a syntax error, Refused for anything else (an alias, deep nesting,
    what PyYAML fails on otherwise: named by its type alone)."""
    loader = _Loader(text, line_key)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise Unreadable(mark.line + 1 if mark else 0, exc.problem) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise Refused(type(exc).__name__) from None
    finally:
        loader.dispose()
