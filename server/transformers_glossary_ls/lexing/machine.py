"""A line-state machine: what a line's state (inside a docstring, inside a fence) depends on."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass


@dataclass(frozen=True)
class Machine:
    """`step(line, state)` is only called on lines where `significant` holds (a cheap substring
    test); every other line leaves the state as it is."""

    key: str
    initial: Hashable
    significant: Callable[[str], bool]
    step: Callable[[str, Hashable], Hashable]
