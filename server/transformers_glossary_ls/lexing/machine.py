"""A line-state machine: what a line's state (inside a docstring, inside a fence) depends on."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Machine:
    """`step(line, state)` is only called on lines where `significant` holds (a cheap substring
    test); every other line leaves the state as it is. `candidates(text, start, end)` is
    (number, text) of each line of `text[start:end]` (lines joined by "\n") where `significant`
    holds, found all at once, faster than line by line: a block not yet split into lines is
    read where it is, in the text it was opened with."""

    key: str
    initial: Hashable
    significant: Callable[[str], bool]
    step: Callable[[str, Hashable], Hashable]
    candidates: Callable[[str, int, int], list[tuple[int, str]]]


def lines_at(text: str, positions: list[int], start: int = 0) -> list[tuple[int, str]]:
    """(number counted from `start`, text) of each line of `text` holding one of the sorted
    `positions` (all past `start`, which begins a line), once."""
    found: list[tuple[int, str]] = []
    line, counted, end = 0, start, -1
    for at in positions:
        if at <= end:
            continue  # on the line just taken
        line += text.count("\n", counted, at)
        counted = at
        first = text.rfind("\n", start, at) + 1 or start
        end = text.find("\n", at)
        if end < 0:
            end = len(text)
        found.append((line, text[first:end]))
    return found
