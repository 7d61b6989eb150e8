"""A line-state machine: what a line's state (inside a docstring, inside a fence) depends on."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Machine:
    """`step(line, state)` is only called on lines where `significant` holds (a cheap substring
    test); every other line leaves the state as it is. `candidates(lines)` is the numbers of the
    lines of a list where `significant` holds, found all at once, faster than line by line."""

    key: str
    initial: Hashable
    significant: Callable[[str], bool]
    step: Callable[[str, Hashable], Hashable]
    candidates: Callable[[list[str]], list[int]]
