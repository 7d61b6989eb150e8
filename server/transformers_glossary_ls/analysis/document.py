"""The per-document analysis object: language, line states, call index, receivers."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import calls as callindex
from transformers_glossary_ls.analysis import receivers
from transformers_glossary_ls.analysis.calls import Group, Keyword
from transformers_glossary_ls.analysis.receivers import Held
from transformers_glossary_ls.analysis.states import LineStates
from transformers_glossary_ls.documents import STAMP_LINES, Document
from transformers_glossary_ls.lexing import markdown as md
from transformers_glossary_ls.lexing import python as py

PYTHON, MARKDOWN = "python", "markdown"

# MDX (Markdown with JSX, as the Hugging Face docs and course are written) reads as Markdown.
_LANGUAGE_IDS = {"python": PYTHON, "markdown": MARKDOWN, "mdx": MARKDOWN}
_SUFFIXES = {
    ".py": PYTHON,
    ".pyi": PYTHON,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".mdx": MARKDOWN,
}
MAX_NAMES_PER_BLOCK = 256
# A first visit looks for the call around the cursor on its own line and this many above it,
# each read alone, before it reads the 16-line chunks around (which are kept).
SCAN_LINES = 16
_UNSURE = object()
ELSEWHERE = -1  # the block revision of look-ups in other documents (revisions start at 1)
MAX_BLOCK_TEXTS = 32
LEX_BLOCKS_PER_STEP = 2  # ~0.1-0.3 ms of lexing a step
# A doctest prompt opening a line of a Markdown fence (the transformers docs write their
# examples so): blanked, so that `...     evaluation_strategy="epoch",` reads as the keyword.
_PROMPT = re.compile(r"[ \t]*(?:>>>|\.\.\.)(?= |\Z)")
_VALUE_OF = re.compile(r"(?:^|[(,])\s*([A-Za-z_]\w*)\s*=\s*$")


def language_of(language_id: str, uri: str = "") -> str | None:
    """python, markdown, or None for documents we do not read."""
    found = _LANGUAGE_IDS.get((language_id or "").lower())
    if found:
        return found
    path = uri.lower().split("?", 1)[0]
    for suffix, language in _SUFFIXES.items():
        if path.endswith(suffix):
            return language
    return None


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see `phrases.Word`
class CallSite:
    """A call in the document, positions absolute (line, string index)."""

    callee: str  # as written: "model", "self.tokenizer", "model.generate"
    kind: str | None  # a call kind of `kinds`, when known
    head_class: str | None  # the model class, e.g. "AutoModelForSequenceClassification"
    open: tuple[int, int]  # the opening parenthesis
    close: tuple[int, int] | None  # the closing one; None while unclosed
    keywords: tuple[Keyword, ...]  # with absolute lines
    positional: int  # how many positional arguments
    spread: bool  # has a `**kwargs` argument
    # Where each positional argument starts (absolute line, string index), in order.
    positional_at: tuple[tuple[int, int], ...] = ()
    # The callee is a class the document binds itself (`class X`, `from mine import X`): not
    # the library's, so kind and head are None and no catalogue callable answers for it.
    own: bool = False


@dataclass(frozen=True, slots=True)
class CallContext:
    """The call around a cursor: the call, and where in it the cursor stands."""

    call: CallSite
    passed: frozenset[str]  # keywords given, but for the one the cursor is in
    value_of: str | None  # the keyword whose value the cursor is in (`padding=|`)
    args_text: str  # blanked text from "(" to the cursor, nested brackets emptied

    # The call's fields, read through, for brevity at the use sites.
    @property
    def callee(self) -> str:
        return self.call.callee

    @property
    def kind(self) -> str | None:
        return self.call.kind

    @property
    def head_class(self) -> str | None:
        return self.call.head_class


@dataclass(slots=True)
class _CallCache:
    # State at the chunk's first line, and the stamps of the lines below it that its reading
    # went on to (`below` lines, in its block and the next ones; at most LOOK_AHEAD_LINES).
    key: tuple[Hashable, tuple[int, ...]]
    below: int
    groups: list[tuple]  # raw Group tuples


@dataclass
class Analysis:
    """Everything the features read from one document."""

    doc: Document
    language: str | None = None
    # `earlier(name)`: the documents read before this one that bind `name`, nearest first: a
    # notebook's earlier code cells, whose variables this one uses (`model = ...` in one cell,
    # `model.generate(...)` in a later one).
    earlier: Callable[[str], Iterable[Analysis]] | None = None
    python_states: LineStates = field(init=False)
    markdown_states: LineStates | None = field(init=False, default=None)
    # A chunk's stamp (its lines' in `Block.stamps`) -> the groups opened in that chunk
    _calls: dict[int, _CallCache] = field(init=False, default_factory=dict)
    # block revision -> name -> its bindings in that block
    _bindings: dict[int, dict[str, list[receivers.Binding]]] = field(
        init=False, default_factory=dict
    )
    _texts: dict[int, str] = field(init=False, default_factory=dict)  # a few blocks' text
    _read_whole: set[int] = field(init=False, default_factory=set)  # blocks read in full
    # Revisions that an edit made of a block read in full: read in full on their first look-up
    # too (~1 ms a block, once), where reading name by name would cost ~0.1-0.25 ms a name
    # (a regular expression compiled per name new to the cache) and the re-check after the
    # edit looks up dozens of names there.
    _read_whole_next: set[int] = field(init=False, default_factory=set)
    # block revision -> a superset of the names it binds (`note_bound_names`)
    _bound: dict[int, receivers.Names] = field(init=False, default_factory=dict)
    _front: tuple[int, int] = field(init=False, default=(0, 0))  # (first block's revision, lines)
    # While `reading()`: (block revision, name) of each bindings look-up.
    _reads: set[tuple[int, str]] | None = field(init=False, default=None)
    # The blocks' revisions as of the last edit, and where each is.
    _revisions: list[int] = field(init=False, default_factory=list)
    _index_of: dict[int, int] = field(init=False, default_factory=dict)
    # A block revision an edit replaced in place -> the block's revision now and the bindings
    # the old one had (of the names looked up there); see `unchanged_names`.
    _was: dict[int, _Was] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.language is None:
            self.language = language_of(self.doc.language_id, self.doc.uri)
        self.python_states = LineStates(self.doc, py.PYTHON)
        if self.language == MARKDOWN:
            self.markdown_states = LineStates(self.doc, md.MARKDOWN)
        self.doc.listeners.append(self._changed)
        self._note_revisions()

    def close(self) -> None:
        """Stop following the document's edits."""
        if self._changed in self.doc.listeners:
            self.doc.listeners.remove(self._changed)

    def _changed(self, block_index: int) -> None:
        self._follow_edit(block_index)
        self.python_states.changed_from(block_index)
        if self.markdown_states is not None:
            self.markdown_states.changed_from(block_index)
        blocks = len(self.doc.blocks)
        # `_calls` holds a chunk per entry: it is measured against the chunks there are (at
        # most one per CHUNK_LINES lines and one more per block), or every edit of a large
        # document would rebuild it.
        chunks = self.doc.line_count // callindex.CHUNK_LINES + blocks
        limit = 2 * blocks + 8
        if (
            len(self._calls) > 2 * chunks + 8
            or len(self._bindings) > limit
            or len(self._bound) > limit
        ):
            live = {block.revision for block in self.doc.blocks}
            stamps = {stamp for block in self.doc.blocks for stamp in block.stamps}
            self._calls = {s: c for s, c in self._calls.items() if s in stamps}
            self._bindings = {r: b for r, b in self._bindings.items() if r in live}
            self._texts = {r: t for r, t in self._texts.items() if r in live}
            self._bound = {r: b for r, b in self._bound.items() if r in live}
            self._read_whole &= live
            self._read_whole_next &= live

    def _note_revisions(self) -> None:
        self._revisions = [block.revision for block in self.doc.blocks]
        self._index_of = {r: i for i, r in enumerate(self._revisions)}

    def _follow_edit(self, block_index: int) -> None:
        """Where an edit rewrote one block in place (what typing does), remember what the
        old revision's bindings were, so that results that looked names up there can tell
        whether those names changed (`unchanged_names`)."""
        old, blocks = self._revisions, self.doc.blocks
        if not (
            len(blocks) == len(old)
            and block_index < len(old)
            and [block.revision for block in blocks[block_index + 1 :]] == old[block_index + 1 :]
        ):
            self._follow_any_edit()
            return
        # A keystroke: the blocks above `block_index` are those there were
        # (`Document.changed_from`), those below too, so that one block has a new revision, or
        # none has. What `_follow_any_edit` does then, without noting every block's revision
        # again (as much as the rest of the edit cost, at 2,000 lines).
        before, after = old[block_index], blocks[block_index].revision
        if before == after:
            return
        old[block_index] = after
        del self._index_of[before]
        self._index_of[after] = block_index
        self._follow_on(before, after)
        # Every followed revision was live, and those at `before` follow it on: no pruning.
        self._followed(before, after)

    def _follow_any_edit(self) -> None:
        """`_follow_edit`, whatever the edit did to the blocks."""
        old = self._revisions
        self._note_revisions()
        new = self._revisions
        same = len(old) == len(new)
        changed = [i for i in range(len(new)) if old[i] != new[i]] if same else []
        if len(changed) == 1:
            before, after = old[changed[0]], new[changed[0]]
            self._follow_on(before, after)
        live = self._index_of
        self._was = {r: w for r, w in self._was.items() if w.now in live}
        if len(changed) != 1:
            return  # blocks split, merged or all replaced: nothing is followed
        self._followed(before, after)

    def _follow_on(self, before: int, after: int) -> None:
        # Those followed to the block's revision before the edit follow it on (before any
        # pruning: several edits may come between two looks).
        for was in self._was.values():
            if was.now == before:
                was.now, was.ordered, was.verdicts = after, None, {}

    def _followed(self, before: int, after: int) -> None:
        """Follow the block from revision `before` to `after`, replaced in place."""
        by_name = self._bindings.get(before)
        if by_name is not None:
            self._was[before] = _Was(after, dict(by_name), before in self._read_whole)
        if before in self._read_whole or before in self._read_whole_next:
            self._read_whole_next.add(after)
        if len(self._was) > 4 * len(self._revisions) + 64:
            self._was.clear()

    def follows(self, revision: int, name: str, lines: bool = False) -> int | None:
        """For a block revision that edits replaced in place: the block's revision now, when
        its bindings of `name` read as they did then (the same assignments, in the same order
        among the names looked up there); None when they may not, or the block is not
        followed. With `lines`, also at the same lines of the block: what a look-up from
        inside the block found there (`binding` reads the last one above its line) holds."""
        was = self._was.get(revision)
        if was is None or was.now not in self._index_of:
            return None
        verdict = was.verdicts.get((name, lines))
        if verdict is None:
            index = self._index_of[was.now]
            # Read whole, so that the next edit of the block can be followed from it too.
            self.read_bindings(index)
            if name not in was.by_name and not was.whole:
                verdict = False  # never looked up there: unknown
            elif lines:  # every binding at its line: any look-up in the block reads the same
                old = was.by_name.get(name, [])
                now = self.block_bindings(index, name)
                verdict = [(b.line, b.how, b.source) for b in old] == [
                    (b.line, b.how, b.source) for b in now
                ]
            else:
                old = was.by_name.get(name, [])
                now = self.block_bindings(index, name)
                verdict = [(b.how, b.source) for b in old] == [(b.how, b.source) for b in now]
                if verdict and old:  # an alias may now read another name's assignment
                    if was.ordered is None:
                        current = {n: self.block_bindings(index, n) for n in was.by_name}
                        was.ordered = _order(was.by_name) == _order(current)
                    verdict = was.ordered
            was.verdicts[(name, lines)] = verdict
        return was.now if verdict else None

    # -- line states ---------------------------------------------------------------------------
    def python_state(self, line_no: int):
        """Python lexer state at a line's start, or False when the line is not Python."""
        if self.language == PYTHON:
            return self.python_states.at(line_no)
        if self.language != MARKDOWN:
            return False
        kind, py_state = md.classify(self.doc.line(line_no), self.markdown_state(line_no))
        return py_state if kind == md.PYTHON_CODE else False

    def markdown_state(self, line_no: int):
        assert self.markdown_states is not None
        if line_no < md.MAX_FRONTMATTER and line_no < self.frontmatter_lines():
            return md.FRONTMATTER
        return self.markdown_states.at(line_no)

    def frontmatter_lines(self) -> int:
        """How many lines the YAML frontmatter at the document's start holds (0: none)."""
        first = self.doc.blocks[0]
        if self._front[0] != first.revision:
            self._front = (first.revision, md.frontmatter_end(first.lines[: md.MAX_FRONTMATTER]))
        return self._front[1]

    def python_line(self, line_no: int) -> tuple[str, Hashable] | None:
        """A line of Python and its lexer state; None outside the document or the Python."""
        if not 0 <= line_no < self.doc.line_count:
            return None
        state = self.python_state(line_no)
        if state is False:
            return None
        text = self.doc.line(line_no)
        return (_without_prompt(text) if self.language == MARKDOWN else text), state

    def python_lines(
        self, block_index: int, offset: int = 0
    ) -> Iterator[tuple[str, Hashable] | None]:
        """(text, Python state) of each line from a block's line `offset` on; None where the
        line is not Python."""
        blocks = self.doc.blocks
        markdown = self.language == MARKDOWN
        states = self.markdown_states if markdown else self.python_states
        assert states is not None
        for k in range(block_index, len(blocks)):
            runs = states.block_runs(k)
            offsets, values = runs.offsets, runs.states
            run = bisect_right(offsets, offset) - 1
            state = values[run]
            following = offsets[run + 1] if run + 1 < len(offsets) else -1
            lines = blocks[k].lines
            for line in range(offset, len(lines)):
                text = lines[line]
                if line == following:
                    run += 1
                    state = values[run]
                    following = offsets[run + 1] if run + 1 < len(offsets) else -1
                if not markdown:
                    yield text, state
                    continue
                kind, py_state = md.classify(text, state)
                yield (_without_prompt(text), py_state) if kind == md.PYTHON_CODE else None
            offset = 0

    def _states(self) -> LineStates:
        """The line states a document of this language is read by."""
        states = self.markdown_states if self.language == MARKDOWN else self.python_states
        assert states is not None
        return states

    def _block_entry(self, block_index: int) -> Hashable:
        return self._states().entry(block_index)

    # -- the call index ------------------------------------------------------------------------
    def chunk_groups(self, block_index: int, chunk: int) -> list[tuple]:
        """The bracket groups opened in one chunk of a block (positions relative to the
        block's start), indexed once. Chunks keep the cost of a first visit small."""
        return self._chunk_cache(block_index, chunk).groups

    def chunk_key(self, block_index: int, chunk: int) -> Hashable:
        """What a chunk's groups were read from: equal keys, equal groups (positions relative
        to the block's start). A result computed from a chunk's calls can be kept under it
        (with the `reading()` it did), also through an edit of its block that left the
        chunk's lines, and those below that its reading may reach, as they were."""
        cached = self._chunk_cache(block_index, chunk)
        return self.doc.blocks[block_index].stamps[chunk], cached.key

    def _chunk_cache(self, block_index: int, chunk: int) -> _CallCache:
        block = self.doc.blocks[block_index]
        first = chunk * callindex.CHUNK_LINES
        count = min(callindex.CHUNK_LINES, block.size() - first)
        state = self._states().block_runs(block_index).at(first)
        stamp = block.stamps[chunk]
        cached = self._calls.get(stamp)
        if cached is None or cached.key != (state, self._below(block_index, chunk, cached.below)):
            lines = self.python_lines(block_index, first)
            groups, read = callindex.read_groups(lines, count, first)
            below = max(read - count, 0)
            key = (state, self._below(block_index, chunk, below))
            cached = self._calls[stamp] = _CallCache(key, below, groups)
        return cached

    def _below(self, block_index: int, chunk: int, need: int) -> tuple[int, ...]:
        """The stamps of the runs that hold the `need` lines below a chunk (fewer at the
        document's end): with its own stamp and its first line's lexer state, what its
        reading depends on, when it went on that far."""
        blocks, found = self.doc.blocks, []
        k, run = block_index, chunk + 1
        while need > 0 and k < len(blocks):
            block = blocks[k]
            stamps, lines = block.stamps, block.size()
            while need > 0 and run < len(stamps):
                found.append(stamps[run])
                need -= min(STAMP_LINES, lines - run * STAMP_LINES)
                run += 1
            k, run = k + 1, 0
        return tuple(found)

    def _chunks(self, block_index: int) -> range:
        return range(-(-self.doc.blocks[block_index].size() // callindex.CHUNK_LINES))

    def block_key(self, block_index: int) -> Hashable:
        """What a block's chunks' keys are made from, but for the block's own revision: its
        entry state and the next block's revision."""
        blocks = self.doc.blocks
        after = blocks[block_index + 1].revision if block_index + 1 < len(blocks) else 0
        return self._block_entry(block_index), after

    def block_chunks(self, block_index: int) -> range:
        """The chunks of a block's call index."""
        return self._chunks(block_index)

    def chunks(self) -> Iterator[tuple[int, int]]:
        """(block index, chunk) of every unit of the call index, in document order."""
        if self.language is None:
            return
        for k in range(len(self.doc.blocks)):
            for chunk in self._chunks(k):
                yield k, chunk

    def chunk_calls(
        self, block_index: int, chunk: int, keep: Callable[[Group], bool] | None = None
    ) -> list[CallSite]:
        """The calls whose opening parenthesis is in one chunk, in order; with `keep`, only
        those whose group it accepts (the others are not identified: no look-ups)."""
        start = self.doc.block_start(block_index)
        return [
            self._site(group, start)
            for group in map(Group.of, self.chunk_groups(block_index, chunk))
            if group.callee is not None and (keep is None or keep(group))
        ]

    def lines_calling(self, wanted: Callable[[str], bool]) -> list[tuple[int, int]]:
        """(block index, line in the block) of the lines where a call of a callee `wanted`
        accepts may open, in document order, told from the raw lines without lexing or
        indexing them: every such call the index has opens on one of them (see
        `calls.openings`)."""
        if self.language is None:
            return []
        out: list[tuple[int, int]] = []
        for k, block in enumerate(self.doc.blocks):
            text = self._block_text(block)
            line, counted = 0, 0
            for callee, at in callindex.openings(text):
                if not wanted(callee):
                    continue
                line += text.count("\n", counted, at)
                counted = at
                if not out or out[-1] != (k, line):
                    out.append((k, line))
        return out

    def line_calls(
        self, block_index: int, offset: int, keep: Callable[[Group], bool] | None = None
    ) -> list[CallSite]:
        """The calls whose opening parenthesis is on one line of a block, as its chunk's
        index has them (read as far below as the chunk's reading goes), indexed from that
        line alone and kept nowhere: for a document read once, where few lines hold a call
        worth reading. With `keep`, only those whose group it accepts."""
        lines = self.doc.blocks[block_index].size()
        first = offset - offset % callindex.CHUNK_LINES
        count = min(callindex.CHUNK_LINES, lines - first)
        reach = first + count + callindex.LOOK_AHEAD_LINES - offset
        groups = callindex.index_block(self.python_lines(block_index, offset), 1, offset, reach)
        start = self.doc.block_start(block_index)
        return [
            self._site(group, start)
            for group in map(Group.of, groups)
            if group.callee is not None and (keep is None or keep(group))
        ]

    def calls(self) -> Iterator[CallSite]:
        """Every call of the document, in order of its opening parenthesis."""
        for k, chunk in self.chunks():
            yield from self.chunk_calls(k, chunk)

    @contextmanager
    def reading(self) -> Iterator[set[tuple[int, str]]]:
        """(block revision, name) of every bindings look-up inside the `with`: what is known
        of the calls read meanwhile (their kinds, receivers) depends on those bindings and on
        the calls' own chunks alone."""
        outer, self._reads = self._reads, set()
        try:
            yield self._reads
        finally:
            if outer is not None:
                outer |= self._reads
            self._reads = outer

    def call_at(self, line_no: int, index: int) -> CallContext | None:
        """The innermost call whose parentheses hold the cursor, with where the cursor stands
        in it (for completion); None in a list or dict."""
        found = self._group_at(line_no, index)
        if found is None:
            return None
        group, start = found
        return self._context(group, start, line_no, index)

    def call_site_at(self, line_no: int, index: int) -> CallSite | None:
        """The innermost call whose parentheses hold a position; None in a list or dict."""
        found = self._group_at(line_no, index)
        return None if found is None else self._site(*found)

    def _group_at(self, line_no: int, index: int) -> tuple[Group, int] | None:
        """The innermost call group holding a position, and its block's first line."""
        if self.language is None or not 0 <= line_no < self.doc.line_count:
            return None
        if self.language == MARKDOWN and self.python_state(line_no) is False:
            # Prose, or a fence of another language: the call index ends every group at such
            # a line, so none holds it. Said here without reading the chunks above.
            return None
        block_index, offset = self.doc.locate(line_no)
        stamp = self.doc.blocks[block_index].stamps[offset // callindex.CHUNK_LINES]
        if stamp not in self._calls:
            found = self._group_on_lines_above(block_index, offset, index)
            if found is not _UNSURE:
                return found
        # The innermost group holding the cursor is the last opened before it: chunks are read
        # from the cursor's upwards, and the first that holds the cursor has the answer.
        k, c = block_index, offset // callindex.CHUNK_LINES
        for _ in range(callindex.CHUNKS_BACK + 1):
            start = self.doc.block_start(k)
            groups = self.chunk_groups(k, c)
            for group in callindex.groups_holding(groups, line_no - start, index):
                if group.callee is None:
                    return None  # inside a list, dict, subscript or plain parentheses
                return group, start
            if c > 0:
                c -= 1
            elif k > 0:
                k -= 1
                c = self._chunks(k)[-1]
            else:
                break
        return None

    def _group_on_lines_above(self, block_index: int, offset: int, index: int):
        """`_group_at` on a first visit, from the groups opened on the cursor's line and the
        few above it, each line read alone (a group's record does not depend on the lines
        above it, given the same reach: `calls.read_groups`): the innermost group holding the
        cursor opened on the nearest such line, when there is one; else _UNSURE, and the
        chunks say. A call's keyword a few lines below its name costs those lines, not the
        one or two 16-line chunks around them."""
        start = self.doc.block_start(block_index)
        count = self.doc.blocks[block_index].size()
        for line in range(offset, max(-1, offset - SCAN_LINES), -1):
            got = self.python_line(start + line)
            if got is None or not callindex.may_hold(*got, index if line == offset else None):
                continue  # ~2 us: no group it opens holds the cursor
            first = line - line % callindex.CHUNK_LINES
            reach = first + min(callindex.CHUNK_LINES, count - first) + callindex.LOOK_AHEAD_LINES
            read = self.python_lines(block_index, line)
            groups, _ = callindex.read_groups(read, 1, line, reach - line)
            for group in callindex.groups_holding(groups, offset, index):
                return (group, start) if group.callee is not None else None
        return _UNSURE

    def _site(self, group: Group, start: int) -> CallSite:
        line = start + group.line
        callee = group.callee or ""
        # A class the document defines or imports from elsewhere is not the library's class of
        # that name (a `DistillationTrainer(Trainer)` of the script's own): nothing is known.
        own = self.names_own_class(callee, line)
        kind, head = (None, None) if own else self.identify(callee, line)
        arguments = group.argument_list
        keywords = tuple(
            Keyword(a.keyword, start + a.line, a.keyword_start, a.keyword_end)
            for a in arguments
            if a.keyword is not None
        )
        close = None if group.close_line is None else (start + group.close_line, group.close_index)
        return CallSite(
            callee=callee,
            kind=kind,
            head_class=head,
            open=(start + group.line, group.index),
            close=close,
            keywords=keywords,
            positional=sum(1 for a in arguments if a.keyword is None and not a.spread),
            spread=any(a.spread for a in arguments),
            positional_at=tuple(
                (start + a.line, a.start) for a in arguments if a.keyword is None and not a.spread
            ),
            own=own,
        )

    def names_own_class(self, callee: str, line_no: int) -> bool:
        """Whether a call's class (`X(...)`, `X.from_pretrained(...)`) is one the document binds
        itself, other than by importing it from transformers, trl or peft."""
        parts = callee.split(".")
        if len(parts) == 1 or (len(parts) == 2 and parts[1] == "from_pretrained"):
            name = parts[0]
            if name[:1].isupper():
                found = self.bound(name, line_no)
                return found is not None and not receivers.from_library(found)
        return False

    def bound(self, name: str, line_no: int) -> receivers.Binding | None:
        """The last binding of a name at or above a line, here or (a notebook) in the cells
        above."""
        found = self.binding(name, line_no)
        if found is not None:
            return found[1]
        earlier = self._bound_earlier(name)
        return earlier[1] if earlier is not None else None

    def _context(self, group: Group, start: int, line_no: int, index: int) -> CallContext:
        site = self._site(group, start)
        cursor = (line_no - start, index)
        # The argument the cursor is in: the last one starting before it.
        current = None
        arguments = group.argument_list
        for argument in arguments:
            if (argument.line, argument.start) <= cursor:
                current = argument
        passed = set()
        for argument in arguments:
            if argument.keyword is None:
                continue
            if argument is current and (argument.line, argument.keyword_end) >= cursor:
                continue  # the name being typed
            passed.add(argument.keyword)
        args_text = self._args_text(site.open, line_no, index)
        value = _VALUE_OF.search(args_text)
        return CallContext(site, frozenset(passed), value.group(1) if value else None, args_text)

    def _args_text(self, opener: tuple[int, int], line_no: int, index: int) -> str:
        pieces = []
        for n in range(opener[0], line_no + 1):
            got = self.python_line(n)
            if got is None:
                break
            text = py.blank_line(*got)[0]
            if n == line_no:
                text = text[:index]
            if n == opener[0]:
                text = text[opener[1] :]
            pieces.append(text)
        return _flatten("\n".join(pieces))

    def identify(self, callee: str, line_no: int) -> tuple[str | None, str | None]:
        """(call kind, model class) of a callee as written, at a line."""
        last = callee.split(".")[-1]
        if last == "generate":
            receiver = callee.rsplit(".", 1)[0] if "." in callee else ""
            held = self.held(receiver, line_no) if receiver else None
            return kinds.GENERATE, held.cls if held is not None else None
        if last == "from_pretrained":
            return kinds.FROM_PRETRAINED, kinds.class_of(callee)
        if "." in callee and any(method == last for _, method in kinds.METHODS):
            receiver = callee.rsplit(".", 1)[0]
            held = self.held(receiver, line_no)
            owner = held.kind if held is not None else kinds.kind_of_name(receiver)
            method_kind = kinds.METHODS.get((owner, last))
            if method_kind is not None:
                return method_kind, None  # `tokenizer.pad(`: the tokenizer's keywords
        if last[:1].isupper():  # a class called directly
            kind = kinds.kind_of_class(last)
            # `BertModel(config)` builds a model: it is not the forward call.
            return (None if kind in (kinds.MODEL, kinds.CONFIG) else kind), None
        held = self.held(callee, line_no)
        if held is not None:
            kind = held.kind if held.kind in kinds.CALL_KINDS else None
            return kind, held.cls if kind == kinds.MODEL else None
        return kinds.kind_of_name(callee), None

    # -- receivers -----------------------------------------------------------------------------
    def block_bindings(
        self, block_index: int, name: str, whole: bool = True
    ) -> list[receivers.Binding]:
        """A block's bindings of one name: from the block's full reading when warm-up made
        it, else read on the first lookup of that name there. A block that an edit rewrote
        after a full reading is read in full again, unless not `whole`."""
        block = self.doc.blocks[block_index]
        if self._reads is not None:
            self._reads.add((block.revision, name))
        by_name = self._bindings.get(block.revision)
        if by_name is None:
            by_name = self._bindings[block.revision] = {}
        found = by_name.get(name)
        if found is None:
            if block.revision in self._read_whole:
                return []
            if whole and block.revision in self._read_whole_next:
                self.read_bindings(block_index)
                return self._bindings[block.revision].get(name, [])
            if len(by_name) >= MAX_NAMES_PER_BLOCK:  # names come from user text
                by_name.clear()
            names = self._bound.get(block.revision)
            if names is not None and not names.may_bind(name):
                found = by_name[name] = []  # what reading the block would find: a set look-up
            else:
                declared = names is None or names.may_declare(name)
                text = self._block_text(block)
                found = by_name[name] = receivers.bindings_of(text, name, declared)
        return found

    def note_bound_names(self, block_index: int) -> None:
        """Note the names a block may bind (~0.1 ms; `lex_ahead` does it for every block), so
        that looking up one it does not bind costs a set look-up there, not a read of the
        block: a hover's look-up of `model` walks up to 12 blocks, most of them without it."""
        block = self.doc.blocks[block_index]
        if block.revision not in self._bound:
            self._bound[block.revision] = receivers.names_in(block.joined())

    def read_bindings(self, block_index: int) -> None:
        """Read every binding of a block at once (the warm-up does), so that a lookup of any
        name there is a dictionary look-up."""
        block = self.doc.blocks[block_index]
        if block.revision in self._read_whole:
            return
        by_name: dict[str, list[receivers.Binding]] = {}
        for binding in receivers.bindings_in(block.joined()):
            by_name.setdefault(binding.name, []).append(binding)
        self._bindings[block.revision] = by_name
        self._read_whole.add(block.revision)
        self._read_whole_next.discard(block.revision)

    def _block_text(self, block) -> str:
        text = self._texts.get(block.revision)
        if text is None:
            if len(self._texts) >= MAX_BLOCK_TEXTS:
                self._texts.pop(next(iter(self._texts)))  # the oldest
            text = self._texts[block.revision] = block.joined()
        return text

    def binding(self, name: str, line_no: int) -> tuple[int, receivers.Binding] | None:
        """The last binding of `name` at or above a line: (its absolute line, it)."""
        if not 0 <= line_no < self.doc.line_count:
            return None
        block_index, offset = self.doc.locate(line_no)
        # A block rewritten since its full reading is read in full again for the re-check
        # (under `reading()`), which looks up dozens of names there; a request's look-up of
        # one name reads that name alone: ~0.1 ms, not ~1 ms (a hover right after typing).
        whole = self._reads is not None
        nearest = _UNSURE if whole else self._nearest_above(block_index, offset, name)
        if nearest is _UNSURE:
            for binding in reversed(self.block_bindings(block_index, name, whole)):
                if binding.line <= offset:
                    return self.doc.block_start(block_index) + binding.line, binding
        elif nearest is not None:
            return self.doc.block_start(block_index) + nearest.line, nearest
        blocks, read_whole, reads = self.doc.blocks, self._read_whole, self._reads
        noted = self._bound if receivers.speaks_for(name) else {}
        for k in range(block_index - 1, max(-1, block_index - 1 - receivers.BINDING_BLOCKS), -1):
            revision = blocks[k].revision
            names = noted.get(revision)
            if (revision in read_whole and name not in self._bindings[revision]) or (
                names is not None
                and name not in names.bound
                and not (whole and revision in self._read_whole_next)
            ):
                # Read in full without `name` (warm-up reads every block), or noted as not
                # binding it (`lex_ahead` notes every block): what block_bindings would
                # answer, without its call; most look-ups pass a dozen blocks.
                if reads is not None:
                    reads.add((revision, name))
                continue
            found = self.block_bindings(k, name, whole)
            if found:
                return self.doc.block_start(k) + found[-1].line, found[-1]
        return None

    def _nearest_above(self, block_index: int, offset: int, name: str):
        """The last binding of `name` in a block at or above its line `offset` (None: none),
        found by reading the lines from `offset` up, each alone: for a name the block may
        assign or annotate but does not define or import (as noted at open), each binding is
        one line's, as reading the whole block finds it. A request's first look-up of `self.inner`
        five lines below its assignment reads those lines, not the whole block (joining its
        lines alone is ~0.07 ms). _UNSURE where the block's reading is kept, or the name may be
        defined or imported there: `block_bindings` says."""
        block = self.doc.blocks[block_index]
        names = self._bound.get(block.revision)
        if (
            names is None
            or block.revision in self._read_whole
            or not name.isidentifier()
            or names.may_declare(name)
            or name in self._bindings.get(block.revision, ())
        ):
            return _UNSURE
        if not names.may_bind(name):
            return None
        lines = block.lines
        for k in range(min(offset, len(lines) - 1), -1, -1):
            if name in lines[k]:
                found = receivers.bindings_of(lines[k], name, False)
                if found:
                    return receivers.Binding(k, name, found[-1].how, found[-1].source)
        return None

    def held(self, expression: str, line_no: int, depth: int = 0) -> Held | None:
        """What an expression (`outputs`, `self.model.config`) holds at a line, when known."""
        parts = expression.removeprefix("self.").split(".")
        if depth > receivers.MAX_ALIAS_DEPTH:
            return None
        found = self.binding(parts[0], line_no)
        if found is None:
            return self._held_earlier(expression, parts[0], depth)
        at, binding = found
        base = receivers.held_by_binding(
            binding, lambda source: self.held(source, at - 1, depth + 1)
        )
        return receivers.follow_attributes(base, parts[1:])

    def _held_earlier(self, expression: str, name: str, depth: int) -> Held | None:
        """What an expression holds as the earlier documents left it: the nearest one binding
        its name answers."""
        found = self._bound_earlier(name)
        if found is None:
            return None
        other = found[0]
        return other.held(expression, other.doc.line_count - 1, depth + 1)

    def _bound_earlier(self, name: str) -> tuple[Analysis, receivers.Binding] | None:
        """The nearest earlier document binding a name, and that binding."""
        if self.earlier is None:
            return None
        if self._reads is not None:
            # What other documents bind is not this one's to follow: a look-up that reaches
            # them is recorded under a revision no block has, so what it decided is made again.
            self._reads.add((ELSEWHERE, name))
        for other in self.earlier(name):
            found = other.binding(name, other.doc.line_count - 1)
            if found is not None:
                return other, found[1]
        return None

    def bound_somewhere(self) -> Callable[[str], bool]:
        """Whether a name may be bound where `held` looks for it: on a line of the document
        that it leads (`name =`, `name:`), or in an earlier document. False means that `held`
        of it, or of anything starting with it, is None anywhere in the document as it is."""
        names: set[str] = set()
        for block in self.doc.blocks:
            names |= receivers.lead_names(self._block_text(block))
        earlier = self.earlier
        if earlier is None:
            return names.__contains__
        return lambda name: name in names or next(iter(earlier(name)), None) is not None

    def bound_names(self) -> Iterator[str]:
        """Every name the document assigns or annotates (each block read in full once)."""
        for k, block in enumerate(self.doc.blocks):
            self.read_bindings(k)
            yield from self._bindings[block.revision]

    # -- background indexing -------------------------------------------------------------------
    def lex_ahead(self, blocks_per_step: int = LEX_BLOCKS_PER_STEP) -> Iterator[None]:
        """The lexer state at every block's start, and the names each block may bind, a few
        blocks a step: what the server does right after a document opens (and the requests
        that came with it are answered), so that no later request lexes the blocks above its
        own, nor reads a block to learn that it does not bind a name."""
        if self.language is None:
            return
        states = self._states()
        k = 0
        while k < len(self.doc.blocks):
            first, k = k, min(k + blocks_per_step, len(self.doc.blocks))
            states.entry(k - 1)
            for index in range(first, k):
                # Split into lines here, between messages, so that the text the document
                # was opened with is let go once every block is (~0.05 ms a block).
                self.doc.blocks[index].split()
                self.note_bound_names(index)
            yield

    def warm_up(self) -> Iterator[None]:
        """The lexing and indexing a hover would do on its first visit to each block, done a
        block per step ahead of time, so that no hover pays for a region it is the first to see."""
        if self.language is None:
            return
        # First the lexer state at every block's start (~0.1 ms a block): a hover deep in the
        # file then lexes only its own block. Then the heavier per-block work.
        k = 0
        while k < len(self.doc.blocks):
            self._block_entry(k)
            k += 1
            yield
        k = 0
        while k < len(self.doc.blocks):
            self._block_entry(k)
            if k < len(self.doc.blocks):
                self.read_bindings(k)
                yield
            for chunk in self._chunks(k) if k < len(self.doc.blocks) else ():
                if k >= len(self.doc.blocks) or chunk >= len(self._chunks(k)):
                    break
                self.chunk_groups(k, chunk)
                yield
            k += 1


@dataclass(slots=True)
class _Was:
    now: int  # the block's revision now
    by_name: dict[str, list[receivers.Binding]]  # the old revision's, of the names looked up
    whole: bool  # by_name has every name bound there (a name missing has no binding)
    ordered: bool | None = None  # the order among by_name's assignments is kept
    # (name, at the same lines) -> reads the same
    verdicts: dict[tuple[str, bool], bool] = field(default_factory=dict)


def _order(by_name: dict[str, list[receivers.Binding]]) -> list[tuple[str, str, str]]:
    """The assignments of some names in the order they come, lines left out."""
    every = sorted((b for found in by_name.values() for b in found), key=lambda b: b.line)
    return [(b.name, b.how, b.source) for b in every]


def _without_prompt(text: str) -> str:
    """A fence line with its doctest prompt turned to spaces (string indices kept)."""
    if not text or text.lstrip()[:3] not in (">>>", "..."):
        return text
    found = _PROMPT.match(text)
    return text if found is None else " " * found.end() + text[found.end() :]


def _flatten(args: str) -> str:
    """Args text with nested brackets emptied, so only this call's own keywords remain."""
    out, depth = [], 0
    for char in args:
        if char in "([{":
            depth += 1
            out.append(char if depth == 1 else " ")
        elif char in ")]}":
            depth -= 1
            out.append(" ")
        else:
            out.append(char if depth <= 1 else " ")
    return "".join(out)
