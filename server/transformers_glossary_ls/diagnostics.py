"""Findings on the keywords of calls we can identify, for the releases in force.

A keyword the release no longer takes (TG001), one it deprecates (TG002), one the call never
takes there (TG003), and a value outside an option's allowed choices (TG004). Each finding has
the exact range of the keyword or value and the safe fixes. Calls come from the analysis's call
index; nothing here rescans a document. Engine code: no LSP (`render` makes diagnostics).
"""

from __future__ import annotations

import dataclasses
import re
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import Analysis, CallSite, receivers
from transformers_glossary_ls.analysis.calls import Group
from transformers_glossary_ls.bounded import OVERHEAD, BoundedCache
from transformers_glossary_ls.catalogue import (
    DEPRECATED,
    NOT_YET,
    OK,
    REMOVED,
    Param,
    head_family,
)
from transformers_glossary_ls.facts import Fact, Facts

REMOVED_KEYWORD = "TG001"
DEPRECATED_KEYWORD = "TG002"
UNKNOWN_KEYWORD = "TG003"
BAD_VALUE = "TG004"
VOCABULARY_ERROR = "TG100"  # a defect in a vocabulary file, shown in that file
CODES = {
    REMOVED_KEYWORD: "removed-keyword",
    DEPRECATED_KEYWORD: "deprecated-keyword",
    UNKNOWN_KEYWORD: "unknown-keyword",
    BAD_VALUE: "bad-value",
    VOCABULARY_ERROR: "vocabulary-error",
}

ERROR, WARNING, INFORMATION, HINT = "error", "warning", "information", "hint"


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace `text` over one line's [start, end) (string indices)."""

    line: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    title: str
    edit: Edit


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    message: str
    line: int
    start: int
    end: int
    fixes: tuple[Fix, ...] = ()
    deprecated: bool = False  # the name still works but is on its way out
    url: str | None = None  # the upstream page of the name, where the catalogue has one


# ---- what each kind of call does with a keyword it does not take ----------------------------
@dataclass(frozen=True, slots=True)
class Behaviour:
    """What a call does with a keyword it does not take, read from the wheels' sources."""

    unknown: str | None  # severity of an unknown keyword; None: never flagged (precision)
    effect: str  # said in the message: what happens at run time


# Checked against transformers 4.40.2, 4.51.3 and 5.25.0 and trl 1.16.0 (see docs/diagnostics.md).
DATACLASS = Behaviour(ERROR, "the call raises TypeError (unexpected keyword argument)")
CONSTRUCTOR = Behaviour(ERROR, "the call raises TypeError (unexpected keyword argument)")
GENERATE = Behaviour(ERROR, "generate() raises ValueError (`model_kwargs` not used by the model)")
GENERATION_CONFIG = Behaviour(HINT, "GenerationConfig keeps it as an attribute nothing reads")
FORWARD_5 = Behaviour(WARNING, "the forward's `**kwargs` swallows it: it has no effect")
FORWARD_4 = Behaviour(
    WARNING, "a TypeError, or no effect where the model's forward takes `**kwargs`"
)
# Any config attribute is a valid keyword there: never "unknown".
PASSED_ON = Behaviour(
    None, "from_pretrained() passes it on to the config and the constructor, unread"
)
NOT_CHECKED = Behaviour(None, "it is no longer read")

# Tasks pipeline() still takes under another name (5.25.0 `_resolve_deprecated_task`).
REDIRECTED_TASKS = {"image-to-text": "image-text-to-text"}
# Class names that user code often defines itself: a call of one is not trl's.
GENERIC_CLASSES = frozenset({"ModelConfig", "BaseConfig", "BaseTrainer"})
# Variables called by these names are taken at their word when their assignment is not in view.
CALLED_BY_NAME = frozenset({"model", "tokenizer", "processor", "image_processor"})
# Attributes whose value is called as a kind of call of its own (`processor.tokenizer(...)`).
_CALL_KIND_ATTRIBUTES = frozenset(
    attribute for (_, attribute), kind in kinds.ATTRIBUTES.items() if kind in kinds.CALL_KINDS
)
_MAX_CLASSES = 4096
_MAX_CLASSES_BYTES = 1024 * 1024
_AUTO = re.compile(
    r"Auto(Model\w*|Tokenizer|Processor|ImageProcessor|FeatureExtractor|VideoProcessor|Config)$"
)
# Enums whose constructor raises ValueError on a value outside them.
_STRICT_TYPES = re.compile(
    r"Strategy|SchedulerType|OptimizerNames|TensorType|ChannelDimension|PaddingStrategy"
)
# A rename is the same only under a condition: `warmup_steps` takes a ratio once it is a float.
_SAME_MEANING_IF: dict[tuple[str, str], Callable[[Param], bool]] = {
    ("warmup_ratio", "warmup_steps"): lambda p: "float" in (p.type or ""),
    # Never: the value changes shape (`tp_plan="auto"` becomes
    # `distributed_config=DistributedConfig(tp_plan="auto")`; `use_fast=True` becomes
    # `backend="torchvision"`).
    ("tp_plan", "distributed_config"): lambda p: False,
    ("use_fast", "backend"): lambda p: False,
}
_SUGGEST_CUTOFF = 80  # rapidfuzz ratio for a did-you-mean
_VALUE_CUTOFF = 70
_IGNORE = re.compile(r"#\s*glossary:\s*ignore(?:\[([\w\s,]*)\])?")
_STRING = re.compile(r"""(["'])((?:(?!\1)[^\\\n])*)\1(?=\s*(?:[,)\]#]|$))""")
_ASSIGN = re.compile(r"\s*=\s*")
# A string item of a list or tuple literal on one line: `["wandb", "tensorboard"]`.
_LIST_ITEM = re.compile(r"""\s*((["'])(?:(?!\2)[^\\\n])*\2)\s*(?:,|$)""")
_TRANSLATION = re.compile(r"translation_\w+_to_\w+")


def behaviour_of(key: str, package: str | None, transformers_major: int) -> Behaviour:
    if key in ("training_args", "Seq2SeqTrainingArguments"):
        return DATACLASS
    if package in ("trl", "peft") and key.endswith("Config"):
        return DATACLASS
    if key in ("trainer", "Seq2SeqTrainer") or (package == "trl" and key.endswith("Trainer")):
        return CONSTRUCTOR
    if key == "generate":
        return GENERATE
    if key == "generation_config":
        return GENERATION_CONFIG
    if key.startswith("from_pretrained"):  # before the model test: `from_pretrained:AutoModel`
        return PASSED_ON
    if key == "model" or key.startswith("model:") or head_family(key):
        return FORWARD_5 if transformers_major >= 5 else FORWARD_4
    return NOT_CHECKED


@dataclass(frozen=True, slots=True)
class Part:
    """The findings of one block of a document, in order. `made` is the tuple the checker
    made and keeps: the same object for as long as the block's findings are reused, however
    far lines above have moved the block since (`shift` lines, down when positive). A caller
    can keep what it derives from the findings under that identity (`render` keeps their
    JSON so) and only redo it for the parts an edit touched."""

    made: tuple[Finding, ...]
    shift: int = 0

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The findings at their lines now."""
        if not self.shift:
            return self.made
        return tuple(_shift(f, self.shift) for f in self.made)


@dataclass(frozen=True, slots=True)
class _Kept:
    """The findings of one chunk of the call index, kept until the chunk or a block its
    calls' receivers were looked up in changes."""

    key: Hashable  # the chunk's key in the call index
    reads: dict[int, frozenset[str]]  # block revision -> the names whose bindings were looked up
    blocks: frozenset[int]  # the revisions in `reads`
    start: int  # the block's first line when the findings were made
    findings: tuple[Finding, ...]  # absolute lines, as of `start`


@dataclass(frozen=True, slots=True)
class _KeptBlock:
    """A block's kept chunks, reused whole while the block, its entry state, the next block
    and the bindings of every name its chunks looked up read the same."""

    key: Hashable  # the block's key in the analysis
    revision: int  # the block's revision when walked
    chunks: dict[int, _Kept]  # their reads and starts as of when each was last walked
    reads: dict[int, frozenset[str]]  # all its chunks' look-ups, by block revision
    blocks: frozenset[int]  # the revisions in `reads`
    start: int  # the block's first line when `part` was made (its shift is as of then)
    part: Part  # all its chunks' findings


@dataclass(slots=True)
class _Walk:
    """What the checker keeps for one document: a kept block per block, in document order, as
    of the blocks' revisions at the last walk, and where each looked names up."""

    revisions: list[int] = field(default_factory=list)
    blocks: list[_KeptBlock] = field(default_factory=list)
    # A block revision looked up -> the revisions of the blocks whose findings did: the blocks
    # an edit of that block may concern, found without visiting the others.
    readers: dict[int, set[int]] = field(default_factory=dict)
    # Blocks whose look-ups reached beyond the document's blocks (a notebook's earlier cells,
    # which their revisions do not follow): walked every time.
    unsettled: set[int] = field(default_factory=set)


class Checker:
    """Findings for documents, for the releases in force of one `Facts` (a new `Facts`, for
    other releases or installed classes, gets a new checker: the releases are in the key of
    everything kept here). Which codes are shown is chosen after, from what is kept."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.catalogue = facts.catalogue
        self._names: dict[str, list[str]] = {}  # key -> names it takes (ok) in the release
        # Per open document (by identity, dropped with it): what its last walk kept.
        self._kept: dict[int, tuple[weakref.ref[Analysis], _Walk]] = {}
        self.calls_checked = 0  # calls whose findings were made rather than reused
        self.blocks_walked = 0  # blocks visited by `update` (the others were not looked at)
        # Callee of a class call -> `may_check`; callees come from user text: bounded in bytes.
        self._classes: BoundedCache[str, bool] = BoundedCache(_MAX_CLASSES, _MAX_CLASSES_BYTES)
        self.lines_indexed = 0  # lines whose calls `findings` indexed (the prefilter let by)

    # -- the walk -------------------------------------------------------------------------------
    def check(self, analysis: Analysis) -> list[Finding]:
        return [f for part in self.parts(analysis) for f in part.findings]

    def parts(self, analysis: Analysis) -> list[Part]:
        """The document's findings, a part per block that has any, in document order."""
        for _ in self.update(analysis):
            pass
        if analysis.language is None:
            return []
        doc, found = analysis.doc, []
        for k, kept in enumerate(self._kept_for(analysis).blocks):
            part = kept.part
            if part.made:
                start = doc.block_start(k)
                if start != kept.start:  # lines above it moved since
                    part = Part(part.made, part.shift + start - kept.start)
                found.append(part)
        return found

    def update(self, analysis: Analysis) -> Iterator[None]:
        """Bring the findings kept for a document up to date, yielding after each call checked
        (the server pauses there between messages).

        Only the blocks an edit concerns are visited: those whose revision is new, the one
        above them (its calls may run on into them), those below whose lexer state at entry
        changed, those that looked names up in a block edited since (`readers`) and those that
        looked beyond the document. There, a block or a chunk of the call index whose lines
        and look-ups are unchanged keeps what it found: an edit re-checks the calls of the
        block it touched and those whose receiver it rebinds (see docs/diagnostics.md). The
        rest costs a comparison of the blocks' revisions with the last walk's."""
        if analysis.language is None:
            return
        walk = self._kept_for(analysis)
        new, old = [block.revision for block in analysis.doc.blocks], walk.revisions
        n, m = len(new), len(old)
        same = 0  # blocks kept at the start, and at the end
        while same < min(n, m) and new[same] == old[same]:
            same += 1
        tail = 0
        while tail < min(n, m) - same and new[n - 1 - tail] == old[m - 1 - tail]:
            tail += 1
        edited = same < n - tail or n != m
        if not (edited or walk.unsettled):
            return
        live = set(new)
        was = dict(zip(old[same : m - tail], walk.blocks[same : m - tail], strict=True))
        gone = was.keys() - live
        index = {revision: k for k, revision in enumerate(new)}
        todo = set(range(max(same - 1, 0), n - tail)) if edited else set()
        for revision in gone:
            todo.update(index[r] for r in walk.readers.get(revision, ()) if r in index)
        todo.update(index[r] for r in walk.unsettled if r in index)
        blocks = walk.blocks[:same] + [None] * (n - tail - same) + walk.blocks[m - tail :]
        for k in range(same, n - tail):
            blocks[k] = was.get(new[k])
        # A block edited in place (as many blocks as before, this one's revision new): its
        # chunks whose lines did not change may keep their findings (`_walk_block`).
        rewritten = {
            k: walk.blocks[k]
            for k in range(same, n - tail)
            if n == m and blocks[k] is None and old[k] in gone
        }
        changed: list[tuple[int, _KeptBlock | None, _KeptBlock]] = []
        order, at = sorted(todo), 0
        below = n - tail if edited else n  # the next block whose entry state may have changed
        while (k := min(order[at] if at < len(order) else n, below)) < n:
            while at < len(order) and order[at] <= k:
                at += 1
            self.blocks_walked += 1
            before, key = blocks[k], analysis.block_key(k)
            if k == below:  # its entry state changed with the blocks above: the next's may too
                below = k + 1 if before is None or before.key != key else n
            kept = yield from self._walk_block(analysis, k, key, before, live, rewritten.get(k))
            if kept is not before:
                blocks[k] = kept
                changed.append((new[k], before, kept))
        # Nothing is kept before the walk is done: one left halfway (the server's, when the
        # document changes meanwhile) leaves the last walk as it was.
        for revision, before, kept in changed:
            if before is not None:
                _forget(walk, revision, before)
            _note(walk, revision, kept, live)
        for revision in gone:
            _forget(walk, revision, was[revision])
            walk.readers.pop(revision, None)
        walk.revisions, walk.blocks = new, blocks

    def _walk_block(
        self,
        analysis: Analysis,
        k: int,
        key: Hashable,
        old: _KeptBlock | None,
        live: set[int],
        rewritten: _KeptBlock | None = None,
    ) -> Iterator[None]:
        """A block's kept findings now (the generator's value), yielding after each call
        checked. `rewritten`: what was kept for the block this one replaced in place (an edit
        inside it), whose chunks with unchanged lines (`chunk_key`) and look-ups may be kept."""
        if old is not None and old.key == key:
            # Its look-ups in blocks edited since, followed once for the whole block.
            whole = old if old.blocks <= live else _followed(analysis, old, live)
            if whole is not None:
                return whole
        start = analysis.doc.block_start(k)
        chunks: dict[int, _Kept] = {}
        made = False  # a chunk's findings made anew
        earlier = old if old is not None else rewritten
        # The revision the block had: a kept chunk's look-ups there came from inside it, and
        # hold only where the names' bindings are at the same lines.
        own = None if rewritten is None else rewritten.revision
        for chunk in analysis.block_chunks(k):
            key_of_chunk = analysis.chunk_key(k, chunk)
            was = earlier.chunks.get(chunk) if earlier is not None else None
            if was is not None and was.key == key_of_chunk:
                if not was.blocks <= live:
                    was = _followed(analysis, was, live, own)
                if was is not None:
                    chunks[chunk] = was if was.start == start else _moved(was, start)
                    continue
            made = True
            found: list[Finding] = []
            with analysis.reading() as reads:
                calls = analysis.chunk_calls(k, chunk)
            for call in calls:
                with analysis.reading() as more:
                    found += self._check(analysis, call)
                reads |= more
                self.calls_checked += 1
                yield
            looked = _by_block(reads)
            chunks[chunk] = _Kept(
                key_of_chunk, looked, _one(frozenset(looked)), start, tuple(found)
            )
        looked_up: dict[int, frozenset[str]] = {}
        for c in chunks.values():
            for revision, names in c.reads.items():
                looked_up[revision] = looked_up.get(revision, frozenset()) | names
        if earlier is not None and not made:  # the same findings: the same part
            part = Part(earlier.part.made, earlier.part.shift + start - earlier.start)
        else:
            part = Part(tuple(f for c in chunks.values() for f in c.findings))
        revision = analysis.doc.blocks[k].revision
        return _KeptBlock(key, revision, chunks, looked_up, frozenset(looked_up), start, part)

    # -- a document read once -----------------------------------------------------------------
    def findings(self, analysis: Analysis) -> list[Finding]:
        """What `check` finds, in the same order, for a document read once (the command
        line): nothing is kept for later edits, and what cannot have a finding is left
        unread. A textual prefilter finds the lines where a call we may be sure of opens
        (`may_check`, on the raw lines); only those lines' calls are indexed, and of those
        only the calls passing a keyword (or `pipeline(`, whose task may be positional) are
        identified and checked."""
        if analysis.language is None:
            return []
        bound = analysis.bound_somewhere()

        def wanted(callee: str) -> bool:
            return self.may_check(analysis, callee, bound)

        def keep(group: Group) -> bool:
            return (group.passes_keyword or group.callee == "pipeline") and wanted(
                group.callee or ""
            )

        found: list[Finding] = []
        for k, offset in analysis.lines_calling(wanted):
            self.lines_indexed += 1
            for call in analysis.line_calls(k, offset, keep):
                found += self._check(analysis, call)
        return found

    def may_check(self, analysis: Analysis, callee: str, bound: Callable[[str], bool]) -> bool:
        """Whether `_check` may find anything in a call of `callee`, told from the name alone:
        False only where it finds nothing whatever the call passes. `bound(name)`: whether
        `name` may be assigned where the document's look-ups go (else `held` of it is None)."""
        parts = callee.removeprefix("self.").split(".")
        last = parts[-1]
        if last[:1].isupper():
            known = self._classes.get(callee)
            if known is None:
                # A class called: `identify`, `key_of` and `_sure` read nothing but its name.
                kind, head = analysis.identify(callee, 0)
                site = CallSite(callee, kind, head, (0, 0), None, (), 0, False)
                key = self.facts.key_of(site)
                sure = key is not None and self._sure(analysis, site, key)
                known = self._classes.put(callee, sure)
            return known
        if last in ("generate", "from_pretrained"):
            return True
        if len(parts) > 1:  # an attribute holds a call kind only as `kinds.ATTRIBUTES` say
            return last in _CALL_KIND_ATTRIBUTES
        # A name: what its assignment holds, or, with none, the name itself (`_is`).
        return last in CALLED_BY_NAME or callee == "pipeline" or bound(last)

    def _kept_for(self, analysis: Analysis) -> _Walk:
        entry = self._kept.get(id(analysis))
        if entry is None or entry[0]() is not analysis:
            token = id(analysis)
            ref = weakref.ref(analysis, lambda _, t=token: self._kept.pop(t, None))
            entry = self._kept[token] = (ref, _Walk())
        return entry[1]

    def _check(self, analysis: Analysis, call: CallSite) -> list[Finding]:
        last = call.callee.rpartition(".")[2]
        if call.kind is None and not last[:1].isupper() and call.callee != "pipeline":
            return []  # nothing we know: the cheap way out for most calls
        key = self.facts.key_of(call)
        if key is None or not self._sure(analysis, call, key):
            return []
        found = self._check_call(analysis, call, key)
        return [f for f in found if not _suppressed(analysis.doc.line(f.line), f.code)]

    def _sure(self, analysis: Analysis, call: CallSite, key: str) -> bool:
        """Whether the call is what its kind says, beyond reasonable doubt (precision first)."""
        line = call.open[0]
        last = call.callee.rpartition(".")[2]
        if call.kind == kinds.GENERATE and last == "generate":
            receiver = call.callee.rpartition(".")[0]
            return bool(receiver) and self._is(analysis, receiver, line, kinds.MODEL)
        if call.kind == kinds.FROM_PRETRAINED:
            cls = call.head_class or ""
            return bool(
                _AUTO.match(cls)
                or self.catalogue.is_model_class(cls)
                or (cls.endswith(("Tokenizer", "TokenizerFast")) and len(cls) > 13)
            )
        if last[:1].isupper():  # a class called: by its own name or from its package
            if call.kind != kinds.MODEL and behaviour_of(key, None, 5) in (FORWARD_4, FORWARD_5):
                # `LlamaForCausalLM(config)` builds a model (its keywords are the config's),
                # and a name shaped like one (`DataCollatorForLanguageModeling`,
                # diffusers' `ControlNetModel`) is no model forward at all.
                return False
            prefix = call.callee.rpartition(".")[0]
            return last not in GENERIC_CLASSES and prefix in ("", *kinds.LIBRARIES)
        if key == "pipeline":
            # The function, not a variable of that name.
            found = analysis.binding("pipeline", line)
            return found is None or receivers.from_library(found[1])
        head = call.head_class or ""
        if call.kind == kinds.MODEL and head and not head.startswith("Auto"):
            if not self.catalogue.is_model_class(head):
                return False  # `ControlNetModel.from_pretrained(...)`: diffusers' model
        return call.kind is not None and self._is(analysis, call.callee, line, call.kind)

    @staticmethod
    def _is(analysis: Analysis, expression: str, line: int, kind: str) -> bool:
        """Whether an expression holds a value of `kind`: by its assignment when one is in
        view, else (a bare name) by the name itself."""
        held = analysis.held(expression, line)
        if held is not None:
            return held.kind == kind
        parts = expression.removeprefix("self.").split(".")
        if len(parts) > 1 or analysis.binding(parts[0], line) is not None:
            return False  # assigned something we cannot tell
        return parts[0] in CALLED_BY_NAME and kinds.kind_of_name(parts[0]) == kind

    # -- one call -------------------------------------------------------------------------------
    def _check_call(self, analysis: Analysis, call: CallSite, key: str) -> Iterator[Finding]:
        facts = self.facts
        package = self.catalogue.package_of(key)
        behaviour = behaviour_of(key, package, self._major("transformers"))
        head = call.head_class if call.kind == kinds.MODEL else None
        shown = head or facts.shown(key)
        passed = {k.name for k in call.keywords}
        for kw in call.keywords:
            fact = facts.lookup(key, kw.name, head)
            status = fact.status if fact is not None else None
            if status not in (OK, DEPRECATED) and self._taken_anyway(key, kw.name):
                continue
            where = (kw.line, kw.start, kw.end)
            if fact is not None and status == REMOVED:
                yield self._removed(fact, shown, behaviour, where, passed, key)
            elif fact is not None and status == DEPRECATED:
                yield self._deprecated(fact, shown, where, passed, key)
            elif status in (None, NOT_YET):
                if behaviour.unknown is not None and not call.spread:
                    yield self._unknown(kw.name, fact, shown, behaviour, where, passed, key)
                continue
            if fact is not None:
                text = analysis.doc.line(kw.line)
                value = _ASSIGN.match(text, kw.end)
                if value is not None:
                    at = value.end()
                    if text[at : at + 1] in "[(" and "list" in (fact.param.type or "").lower():
                        end = _closing(text, at)
                        items = _LIST_ITEM.finditer(text, at + 1, end) if end > 0 else ()
                        for item in items:
                            yield from self._value(fact, shown, kw.line, text, item.start(1))
                    else:
                        yield from self._value(fact, shown, kw.line, text, at)
        if key == "pipeline" and call.positional_at and "task" not in passed:
            fact = facts.lookup(key, "task")
            line, index = call.positional_at[0]
            if fact is not None:
                # `pipeline = pipeline(...)` then `pipeline("a prompt")` calls the object: only
                # a string shaped like a task name, and known or close to one, is a task.
                yield from self._value(fact, shown, line, analysis.doc.line(line), index, False)

    def _taken_anyway(self, key: str, name: str) -> bool:
        if key != "generate":
            return False
        # generate() hands what it does not read itself to the model's forward.
        for candidate in (name, name.removeprefix("decoder_")):
            fact = self.facts.lookup("model", candidate)
            if fact is not None and fact.status in (OK, DEPRECATED):
                return True
        return False

    # -- the findings ---------------------------------------------------------------------------
    def _removed(self, fact, shown, behaviour, where, passed, key) -> Finding:
        p = fact.param
        message = (
            f"`{p.name}` was removed from {shown} after {p.last_release} "
            f"({_release(fact)}): {behaviour.effect}."
        )
        if p.replacement:
            message += f" Use `{p.replacement}`."
        fixes = self._rename(p, p.replacement, passed, key, where)
        return Finding(REMOVED_KEYWORD, ERROR, message, *where, fixes, url=p.url)

    def _deprecated(self, fact, shown, where, passed, key) -> Finding:
        p = fact.param
        message = f"`{p.name}` is deprecated in {shown} since {p.deprecated_since}"
        if p.removal_planned:
            message += f", removal announced for {p.removal_planned}"
        message += f" ({_release(fact)})."
        if p.replacement:
            message += f" Use `{p.replacement}`."
        fixes = self._rename(p, p.replacement, passed, key, where)
        return Finding(DEPRECATED_KEYWORD, WARNING, message, *where, fixes, True, p.url)

    def _unknown(self, name, fact, shown, behaviour, where, passed, key) -> Finding:
        release = self._release_of(key)
        if fact is not None:  # NOT_YET: a later release has it
            message = (
                f"`{name}` is not in {shown} yet ({release}; new in "
                f"{fact.param.first_release}): {behaviour.effect}."
            )
        else:
            message = f"`{name}` is not a keyword of {shown} ({release}): {behaviour.effect}."
        suggestion = self._suggest(key, name, passed)
        fixes: tuple[Fix, ...] = ()
        if suggestion is not None:
            message += f" Did you mean `{suggestion}`?"
            line, start, end = where
            fixes = (Fix(f"Rename to `{suggestion}`", Edit(line, start, end, suggestion)),)
        return Finding(UNKNOWN_KEYWORD, behaviour.unknown or HINT, message, *where, fixes)

    def _value(
        self, fact: Fact, shown: str, line: int, text: str, at: int, sure: bool = True
    ) -> Iterator[Finding]:
        """A string value outside the option's choices; when the argument may be something
        else (`sure` false), only a value that is a removed task or a spelling away from one."""
        p = fact.param
        allowed = [c[1:-1] for c in p.choices if c[:1] in "\"'"]
        literal = _STRING.match(text, at)
        if not allowed or literal is None or text[at - 1 : at].isalpha():
            return
        value = literal.group(2)
        if _allowed(p.name, value, allowed):
            return
        start, end = literal.span()
        message = f"`{p.name}` of {shown} does not take {literal.group(0)} ({_release(fact)})"
        severity, effect = WARNING, ""
        removed = False
        if p.name == "task":
            task = self.facts.lookup("pipeline_task", value)
            if task is not None and task.status == REMOVED:
                removed = True
                message = (
                    f"The {literal.group(0)} task was removed from pipeline() after "
                    f"{task.param.last_release} ({_release(task)})"
                )
            severity, effect = ERROR, "pipeline() raises KeyError"
        elif p.name == "attn_implementation" or _STRICT_TYPES.search(p.type or ""):
            severity, effect = ERROR, "the call raises ValueError"
        elif p.name == "report_to":  # integrations are looked up when the Trainer is built
            severity, effect = ERROR, "the Trainer raises ValueError when it is built"
        message += f": {effect}." if effect else "."
        nearest = _nearest(value, allowed, _VALUE_CUTOFF)
        fixes: tuple[Fix, ...] = ()
        if not (sure or removed or nearest is not None):
            return
        if nearest is not None and not removed:  # a removed task's successor is no typo away
            quote = literal.group(1)
            new = f"{quote}{nearest}{quote}"
            message += f" Did you mean {new}?"
            fixes = (Fix(f"Replace with {new}", Edit(line, start, end, new)),)
        elif not removed:
            message += " It takes " + ", ".join(f'"{a}"' for a in allowed[:8])
            message += ", ..." if len(allowed) > 8 else "."
        yield Finding(BAD_VALUE, severity, message, line, start, end, fixes, url=p.url)

    # -- helpers --------------------------------------------------------------------------------
    def _rename(self, p: Param, new: str | None, passed, key, where) -> tuple[Fix, ...]:
        """The rename to `new`, when it is safe in the release in force."""
        if not new or new in passed:
            return ()
        target = self.facts.lookup(key, new)
        if target is None or target.status != OK:
            return ()
        guard = _SAME_MEANING_IF.get((p.name, new))
        if guard is not None and not guard(target.param):
            return ()
        line, start, end = where
        return (Fix(f"Rename `{p.name}` to `{new}`", Edit(line, start, end, new)),)

    def _suggest(self, key: str, name: str, passed: set[str]) -> str | None:
        names = self._names.get(key)
        if names is None:
            names = self._names[key] = [
                f.param.name for f in self.facts.names_of(key) if f.status == OK
            ]
        return _nearest(name, [n for n in names if n not in passed], _SUGGEST_CUTOFF)

    def _release_of(self, key: str) -> str:
        package = self.catalogue.package_of(key) or "transformers"
        release = self.facts.releases.get(package) or self.catalogue.newest(package)
        mine = package in self.facts.yours
        return f"you have {package} {release}" if mine else f"{package} {release}"

    def _major(self, package: str) -> int:
        release = self.facts.releases.get(package) or self.catalogue.newest(package) or "5"
        return int(release.split(".")[0])


_K = TypeVar("_K", _Kept, _KeptBlock)


# One object for each set of names (or of revisions) kept: a chunk's look-ups are mostly those
# of its neighbours (`model` in the blocks above), and a frozenset is ~200 bytes, which made these
# sets most of what the kept findings of a 20,000-line file held (6 MB).
MAX_SETS = 8192


def _set_size(key: frozenset, _value: frozenset) -> int:
    return OVERHEAD + sum(len(item) for item in key if isinstance(item, str))


_SETS: BoundedCache[frozenset, frozenset] = BoundedCache(MAX_SETS, 1 << 20, _set_size)


def _one(items: frozenset) -> frozenset:
    found = _SETS.get(items)
    return _SETS.put(items, items) if found is None else found


def _by_block(reads: set[tuple[int, str]]) -> dict[int, frozenset[str]]:
    by_block: dict[int, set[str]] = {}
    for revision, name in reads:
        by_block.setdefault(revision, set()).add(name)
    return {revision: _one(frozenset(names)) for revision, names in by_block.items()}


def _followed(analysis: Analysis, kept: _K, live: set[int], own: int | None = None) -> _K | None:
    """Kept findings whose look-ups went to blocks edited since: still right when every name
    looked up there reads the same (then kept under the blocks' new revisions), else None.
    In block revision `own` (the findings' own block as it was), at the same lines too."""
    reads = dict(kept.reads)
    for revision in kept.blocks - live:
        names = reads.pop(revision)
        now = None
        for name in names:  # the first name that reads otherwise decides
            followed = analysis.follows(revision, name, revision == own)
            if followed is None or (now is not None and followed != now):
                return None
            now = followed
        if now is None:
            return None
        reads[now] = reads.get(now, frozenset()) | names
    return dataclasses.replace(kept, reads=reads, blocks=frozenset(reads))


def _moved(kept: _Kept, start: int) -> _Kept:
    """Kept findings of a chunk that lines above it moved: every line shifted alike."""
    findings = tuple(_shift(f, start - kept.start) for f in kept.findings)
    return dataclasses.replace(kept, start=start, findings=findings)


def _forget(walk: _Walk, revision: int, kept: _KeptBlock) -> None:
    """A block's kept findings are gone or replaced: it no longer reads where they looked."""
    for looked in kept.blocks:
        readers = walk.readers.get(looked)
        if readers is not None:
            readers.discard(revision)
            if not readers:
                del walk.readers[looked]
    walk.unsettled.discard(revision)


def _note(walk: _Walk, revision: int, kept: _KeptBlock, live: set[int]) -> None:
    for looked in kept.blocks:
        walk.readers.setdefault(looked, set()).add(revision)
    if not kept.blocks <= live:
        walk.unsettled.add(revision)


def _shift(f: Finding, shift: int) -> Finding:
    fixes = tuple(
        dataclasses.replace(x, edit=dataclasses.replace(x.edit, line=x.edit.line + shift))
        for x in f.fixes
    )
    return dataclasses.replace(f, line=f.line + shift, fixes=fixes)


def _nearest(query: str, choices: list[str], cutoff: int) -> str | None:
    """The choice nearest to `query` by rapidfuzz's ratio, if at least `cutoff`. rapidfuzz is
    imported by the first finding that asks: `check` of clean files starts without it."""
    from rapidfuzz import fuzz, process

    found = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else None


def _closing(text: str, at: int) -> int:
    """Where the bracket opened at `at` closes on the same line (its index), else -1 (no
    items are read then)."""
    close = "]" if text[at] == "[" else ")"
    end = text.find(close, at)
    return end if end >= 0 and text.find(text[at], at + 1, end) < 0 else -1


def _release(fact: Fact) -> str:
    said = f"{fact.param.package} {fact.release}"
    return f"you have {said}" if fact.yours else said


def _allowed(name: str, value: str, allowed: list[str]) -> bool:
    if value in allowed:
        return True
    if name == "attn_implementation" and ("/" in value or "|" in value):
        return True  # a kernel from the Hub, or a combination such as "paged|sdpa"
    if name == "debug":  # several options, space-separated
        return all(part in allowed for part in value.split())
    if name == "task":
        if "translation" in allowed and _TRANSLATION.fullmatch(value):
            return True
        if value in REDIRECTED_TASKS and REDIRECTED_TASKS[value] in allowed:
            return True  # renamed with a warning, still works
    # A choice written as a pattern: "pissa_niter_[number of iters]".
    return any("[" in a and value.startswith(a.split("[")[0]) for a in allowed)


def _suppressed(text: str, code: str) -> bool:
    """`# glossary: ignore` or `# glossary: ignore[TG003, TG004]` on the finding's line."""
    for match in _IGNORE.finditer(text):
        codes = match.group(1)
        if codes is None or code in {c.strip() for c in codes.split(",")}:
            return True
    return False


def select(findings: Iterable[Finding], only: Iterable[str] = (), skip: Iterable[str] = ()):
    """Findings whose code starts with one of `only` (all when empty) and none of `skip`."""
    only, skip = tuple(only), tuple(skip)
    return [f for f in findings if shown(f.code, only, skip)]


def shown(code: str, only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> bool:
    """Whether a code starts with one of `only` (any when empty) and none of `skip`."""
    return (not only or code.startswith(only)) and not (skip and code.startswith(skip))


def fix_all(findings: Iterable[Finding]) -> list[Edit]:
    """One edit per finding that has exactly one fix, none overlapping, in document order."""
    edits = sorted(
        {f.fixes[0].edit for f in findings if len(f.fixes) == 1}, key=lambda e: (e.line, e.start)
    )
    out: list[Edit] = []
    for edit in edits:
        if out and out[-1].line == edit.line and out[-1].end > edit.start:
            continue
        out.append(edit)
    return out


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with the edits made (lines split as documents split them); every other byte kept."""
    starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    out, last = [], 0
    for edit in sorted(edits, key=lambda e: (e.line, e.start)):
        begin = starts[edit.line] + edit.start
        out.append(text[last:begin])
        out.append(edit.text)
        last = starts[edit.line] + edit.end
    out.append(text[last:])
    return "".join(out)
