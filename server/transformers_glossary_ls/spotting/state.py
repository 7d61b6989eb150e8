"""Per-line lexical state (inside a docstring? inside a fence?) for any line, cheaply.

A line's state depends on every line above it. Each block of a `Document` memoises the states of
its lines for a given entry state, and the document keeps the entry state of each block, valid up
to the first block an edit touched. A hover therefore re-lexes at most the blocks an edit changed;
on an unchanged document it is a lookup.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from transformers_glossary_ls.documents import Block, Document


@dataclass(frozen=True)
class Machine:
    """A line-state machine: `step(line, state)` is only called on lines where `significant`
    holds (a cheap substring test); every other line leaves the state as it is."""

    key: str
    initial: Hashable
    significant: Callable[[str], bool]
    step: Callable[[str, Hashable], Hashable]


class _BlockEntryStates:
    """Entry state of each block, valid for blocks before `len(entries)`."""

    def __init__(self, initial: Hashable) -> None:
        self.entries = [initial]

    def invalidate_from(self, block_index: int) -> None:
        # The entry state of the changed block itself depends only on the blocks above it.
        del self.entries[block_index + 1 :]


def _block_states(block: Block, entry: Hashable, machine: Machine) -> tuple[list[int], list]:
    """Where the state changes inside a block: (line offsets, states), starting at (0, entry).

    A cheap test picks the few lines that can change the state; only those are stepped
    through.
    """
    key = (machine.key, entry)
    found = block.memo.get(key)
    if found is None:
        lines, significant, step = block.lines, machine.significant, machine.step
        offsets, states = [0], [entry]
        state = entry
        for line in [k for k, text in enumerate(lines) if significant(text)]:
            new = step(lines[line], state)
            if new != state:
                offsets.append(line + 1)
                states.append(new)
                state = new
        found = block.memo[key] = (offsets, states)
    return found


def state_at(doc: Document, line_no: int, machine: Machine) -> Hashable:
    """The state at the start of line `line_no`."""
    cache = doc.cache.get(machine.key)
    if cache is None:
        cache = doc.cache[machine.key] = _BlockEntryStates(machine.initial)
    block_index, offset = doc.locate(line_no)
    blocks, entries = doc.blocks, cache.entries
    while len(entries) <= block_index:
        k = len(entries) - 1
        entries.append(_block_states(blocks[k], entries[k], machine)[1][-1])
    offsets, states = _block_states(blocks[block_index], entries[block_index], machine)
    return states[bisect_right(offsets, offset) - 1]
