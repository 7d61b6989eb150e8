"""Per-line lexical state (inside a docstring? inside a fence?) for any line, cheaply.

A line's state depends on every line above it. For each block of a document we keep where the
state changes inside it (for a given entry state), keyed by the block's revision, and the entry
state of each block, valid up to the first block an edit touched. A hover therefore re-lexes at
most the blocks an edit changed; on an unchanged document it is a lookup.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Hashable
from dataclasses import dataclass, field

from transformers_glossary_ls.documents import Block, Document
from transformers_glossary_ls.lexing.machine import Machine


@dataclass(frozen=True, slots=True)
class StateRuns:
    """Where the state changes inside a block: line offsets and the state from each on."""

    offsets: list[int]
    states: list[Hashable]

    @property
    def exit(self) -> Hashable:
        return self.states[-1]

    def at(self, offset: int) -> Hashable:
        return self.states[bisect_right(self.offsets, offset) - 1]


def runs_of(block: Block, entry: Hashable, machine: Machine) -> StateRuns:
    """Step through the few lines a cheap test picks as able to change the state (found in
    the block's text: a block not yet split into lines stays so)."""
    step = machine.step
    offsets, states = [0], [entry]
    state = entry
    for number, line in machine.candidates(*block.span()):
        new = step(line, state)
        if new != state:
            offsets.append(number + 1)
            states.append(new)
            state = new
    return StateRuns(offsets, states)


@dataclass(slots=True)
class _Cached:
    revision: int
    entry: Hashable
    runs: StateRuns


@dataclass
class LineStates:
    """The states of one machine over one document's lines."""

    doc: Document
    machine: Machine
    # Entry state of each block, valid for blocks before len(entries).
    entries: list[Hashable] = field(default_factory=list)
    # Runs per block revision (and the entry state they were computed from).
    runs: dict[int, _Cached] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entries = [self.machine.initial]

    def changed_from(self, block_index: int) -> None:
        # The entry state of the changed block itself depends only on the blocks above it.
        del self.entries[block_index + 1 :]
        if len(self.runs) > 2 * len(self.doc.blocks) + 8:  # drop the runs of replaced blocks
            live = {block.revision for block in self.doc.blocks}
            self.runs = {r: c for r, c in self.runs.items() if r in live}

    def block_runs(self, block_index: int) -> StateRuns:
        blocks, entries = self.doc.blocks, self.entries
        while len(entries) <= block_index:
            k = len(entries) - 1
            entries.append(self._runs(blocks[k], entries[k]).exit)
        return self._runs(blocks[block_index], entries[block_index])

    def entry(self, block_index: int) -> Hashable:
        """The state at the start of a block."""
        self.block_runs(block_index)
        return self.entries[block_index]

    def at(self, line_no: int) -> Hashable:
        """The state at the start of line `line_no`."""
        block_index, offset = self.doc.locate(line_no)
        return self.block_runs(block_index).at(offset)

    def _runs(self, block: Block, entry: Hashable) -> StateRuns:
        cached = self.runs.get(block.revision)
        if cached is None or cached.entry != entry:
            cached = self.runs[block.revision] = _Cached(
                block.revision, entry, runs_of(block, entry, self.machine)
            )
        return cached.runs
