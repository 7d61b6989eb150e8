"""Per-line lexical state (inside a docstring? inside a fence?) for any line, cheaply.

A line's state depends on every line above it. Each block of a `Document` memoises the states of
its lines for a given entry state, and the document keeps the entry state of each block, valid up
to the first block an edit touched. A hover therefore re-lexes at most the blocks an edit changed;
on an unchanged document it is a lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from transformers_glossary_ls.documents import Block, Document


@dataclass(frozen=True)
class Machine:
    """A line-state machine: `step(line, state)` is only called where `significant(line)`."""

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


def _line_states(block: Block, entry: Hashable, machine: Machine) -> list:
    key = (machine.key, entry)
    states = block.memo.get(key)
    if states is None:
        states = [entry]
        state = entry
        significant, step = machine.significant, machine.step
        for text in block.lines:
            if significant(text):
                state = step(text, state)
            states.append(state)
        block.memo[key] = states
    return states


def state_at(doc: Document, line_no: int, machine: Machine) -> Hashable:
    """The state at the start of line `line_no`."""
    cache = doc.cache.get(machine.key)
    if cache is None:
        cache = doc.cache[machine.key] = _BlockEntryStates(machine.initial)
    block_index, offset = doc.locate(line_no)
    blocks, entries = doc.blocks, cache.entries
    while len(entries) <= block_index:
        k = len(entries) - 1
        entries.append(_line_states(blocks[k], entries[k], machine)[-1])
    return _line_states(blocks[block_index], entries[block_index], machine)[offset]
