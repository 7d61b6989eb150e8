"""Completion candidates for a position, ranked. Engine code: no LSP here.

Inside a call: argument names fitted to what is called (`name=`), minus those already passed.
After `name=` or inside its string: that option's values. In `batch["`: the keys a batch holds.
In comments, docstrings and Markdown prose: glossary terms after two typed letters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.analysis.document import CallContext
from transformers_glossary_ls.bounded import OVERHEAD, BoundedCache, text_size
from transformers_glossary_ls.catalogue import DEPRECATED, NOT_YET, REMOVED
from transformers_glossary_ls.facts import Fact, Facts, positional_names
from transformers_glossary_ls.lexing import markdown as md
from transformers_glossary_ls.lexing import python as py
from transformers_glossary_ls.spotting import LONG_LINE
from transformers_glossary_ls.vocabulary import Entry, Vocabulary
from transformers_glossary_ls.vocabulary.usage import Usage

ARGUMENT, KEY, VALUE, TERM = "argument", "key", "value", "term"
MAX_ITEMS = 50  # more are cut, and the list says it is incomplete
MAX_CACHED_LISTS = 512
NAMES_PER_STEP = 1  # idle-time list building: ~20 us of work between two looks at input
MAX_CACHED_LIST_BYTES = 32 * 1024 * 1024
MIN_PROSE_PREFIX = 2
FUZZY_CUTOFF = 60
MIN_FUZZY = 3  # one or two letters match almost anything in order

_WORD_SPLIT = re.compile(r"[\s_\-]+")
_IDENT_TAIL = re.compile(py.IDENTIFIER.pattern + "$")  # the identifier being typed
_WORD_TAIL = re.compile(r"[A-Za-z0-9_]+$")
_KEY_OPENER = re.compile(r"(\[|\{|,|\.get\(|\.pop\(|\bin)\s*$")


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see `phrases.Word`
class Candidate:
    label: str
    insert: str
    filter: str
    kind: str  # argument, key, value or term
    entry_id: str
    description: str  # short: a shape, a type
    summary: str
    tier: int  # 0 exact, 1 prefix or all initials (or nothing typed), 2 a word's prefix, 3 fuzzy
    rank: int  # order among all candidates, best first
    head: str | None = None
    value: str | None = None  # for VALUE candidates: the choice shown
    fact_key: str | None = None  # the catalogue callable documenting it, if any
    deprecated: bool = False  # in the release in force


@dataclass(frozen=True, slots=True)
class ArgumentList:
    """What a kind of call takes, ranked; the same for every request on that kind of call."""

    ordered: dict[str, Entry | Fact]  # a fact where we wrote no entry (made one when shown)
    fact_keys: dict[str, str]  # name -> the catalogue callable documenting it
    positional: tuple[str, ...]  # names in the order they are taken by position
    deprecated: frozenset[str] = frozenset()  # in the release in force
    made: dict[str, Entry] = field(default_factory=dict)  # entries made for facts, once

    def entry(self, option: Entry | Fact) -> Entry:
        if isinstance(option, Entry):
            return option
        made = self.made.get(option.param.name)
        if made is None:
            made = self.made[option.param.name] = option.as_entry()
        return made


@dataclass(frozen=True, slots=True)
class Completion:
    """Candidates, and the span of the cursor's line (string indices) they replace."""

    start: int
    end: int
    candidates: list[Candidate]

    @property
    def incomplete(self) -> bool:
        """Cut at MAX_ITEMS: the client must ask again as more is typed, not filter this list."""
        return len(self.candidates) >= MAX_ITEMS


def rank(prefix: str, names: list[str]) -> list[tuple[int, str]]:
    """(tier, name) ordered: exact, prefix or all its initials, a word's prefix, fuzzy; input
    order breaks ties.

    Fuzzy matches must contain the typed letters in order (so junk never shows) and score
    at least FUZZY_CUTOFF with rapidfuzz.
    """
    if not prefix:
        return [(1, name) for name in names]
    low = prefix.lower()
    parts = [p for p in _WORD_SPLIT.split(low) if p]
    letters = low.replace("_", "")
    in_order = re.compile(".*?".join(map(re.escape, letters))) if len(low) >= MIN_FUZZY else None
    # `typed` at a word's start is a look-up in the name's words joined (see `_shape`).
    at_a_word = _SEP + low if _SEP not in low and len(parts) <= 1 else None
    exact, starts, word_starts, fuzzy = [], [], [], []
    for position, name in enumerate(names):
        name_low, words, initials, joined = _shape(name)
        if name_low == low:
            exact.append((0, name))
        elif name_low.startswith(low) or (len(words) >= 2 and low == initials):
            # An abbreviation of the whole name (`lr` for learning_rate) is as good as its
            # start: measured use decides between them (learning_rate before lr_scheduler_type).
            starts.append((1, name))
        elif (
            (at_a_word in joined or (len(low) >= 2 and len(words) >= 2 and low in initials))
            if at_a_word is not None and joined is not None
            else _word_match(low, parts, words, initials)
        ):
            word_starts.append((2, name))
        elif in_order is not None and in_order.search(name_low):
            score = fuzzy_scorers().WRatio(low, name_low)
            if score >= FUZZY_CUTOFF:
                fuzzy.append((-score, position, name))
    fuzzy.sort()
    return exact + starts + word_starts + [(3, name) for _, _, name in fuzzy]


@lru_cache(maxsize=1)
def fuzzy_scorers():
    """rapidfuzz's `fuzz`, imported where first needed: it is ~9 ms of a start otherwise. The
    server imports it in the first idle moment after `initialized`."""
    from rapidfuzz import fuzz  # noqa: PLC0415 - see the docstring

    return fuzz


_SEP = "\0"  # joins a name's words: no word holds it (a name that does has no joined form)


@lru_cache(maxsize=16384)  # names come from the vocabulary and the catalogue: a bounded set
def _shape(name: str) -> tuple[str, tuple[str, ...], str, str | None]:
    """A name lower-cased, its words, their initials, and the words each led by `_SEP`
    (a word starts with `typed` where `_SEP + typed` is in it: one look-up, not a loop)."""
    low = name.lower()
    words = tuple(_WORD_SPLIT.split(low))
    joined = None if _SEP in low else _SEP + _SEP.join(words)
    return low, words, "".join(word[:1] for word in words), joined


def _word_match(typed: str, parts: list[str], words: tuple[str, ...], initials: str) -> bool:
    """A word starts with what was typed; or its parts start consecutive words (`grad_accum`
    -> gradient_accumulation_steps); or its letters are consecutive initials (`lr` ->
    learning_rate, `bs` -> per_device_train_batch_size)."""
    if any(word.startswith(typed) for word in words):
        return True
    if len(parts) > 1:
        for i in range(len(words) - len(parts) + 1):
            if all(words[i + k].startswith(part) for k, part in enumerate(parts)):
                return True
        return False
    return len(typed) >= 2 and len(words) >= 2 and typed in initials


def _description(entry: Entry, head: str | None = None) -> str:
    variant = entry.variant_for(head) if head else None
    if variant is not None and variant.shape:
        return variant.shape
    if entry.shape:
        return entry.shape
    if entry.type:
        return f"{entry.type} = {entry.default}" if entry.default else entry.type
    return ""


def _ranked(
    prefix: str,
    options: dict[str, Entry | Fact],
    kind: str,
    insert_suffix: str = "",
    description: Callable[[Entry], str] = _description,
    head: str | None = None,
    listed: ArgumentList | None = None,
) -> list[Candidate]:
    """Candidates for `options` (label -> entry, or a catalogue fact standing for one) that
    match `prefix`, best first."""
    fact_keys = listed.fact_keys if listed is not None else {}
    candidates = []
    for k, (tier, label) in enumerate(rank(prefix, list(options))[:MAX_ITEMS]):
        option = options[label]
        entry = listed.entry(option) if listed is not None else option
        candidates.append(
            Candidate(
                label=label + (insert_suffix if kind == ARGUMENT else ""),
                insert=label + insert_suffix,
                filter=label,
                kind=kind,
                entry_id=entry.id,
                description=description(entry),
                summary=entry.summary,
                tier=tier,
                rank=k,
                head=head,
                fact_key=fact_keys.get(label),
                deprecated=listed is not None and label in listed.deprecated,
            )
        )
    return candidates


class ArgumentLists:
    """What each kind of call takes, ranked; built once per kind and kept (bounded)."""

    def __init__(self, vocab: Vocabulary, facts: Facts | None, usage: Usage | None = None):
        self.vocab = vocab
        self.facts = facts
        self.usage = usage
        # Class names come from user text: bounded by count and by (estimated) bytes.
        self._lists: BoundedCache[tuple[str | None, str | None], ArgumentList] = BoundedCache(
            MAX_CACHED_LISTS, MAX_CACHED_LIST_BYTES, _list_size
        )

    def rebound(self, facts: Facts, changed: set[str]) -> ArgumentLists:
        """The lists over new facts that answer as the old ones did but for the `changed` keys
        (new installed docs change only the installed classes' own lists): those are built
        again when asked, the others are kept (rebuilding one costs 10-30 ms)."""
        other = ArgumentLists(self.vocab, facts, self.usage)
        for (kind, key), listed in self._lists.items():
            if key not in changed:
                other._lists.put((kind, key), listed)
        return other

    def get(self, kind: str | None, key: str | None) -> ArgumentList:
        listed = self._lists.get((kind, key))
        if listed is None:
            listed = self._lists.put((kind, key), _to_the_end(self._build(kind, key)))
        return listed

    def build_steps(self, kind: str | None, key: str | None) -> Iterator[None]:
        """Build and keep one kind's list a few names per step (a big one, a model's 400
        names, is 10-20 ms in one go: too long for a pause between two requests)."""
        if self._lists.get((kind, key)) is not None:
            return
        listed = yield from self._build(kind, key)
        self._lists.put((kind, key), listed)

    def _build(self, kind: str | None, key: str | None) -> Generator[None, None, ArgumentList]:
        """Names passed most often in real code first, then our hand-written entries in file
        order, then the rest by name; deprecated names last. Names the release no longer takes
        are not there."""
        written = self.vocab.by_callable.get(kind, []) if kind else []
        found: dict[str, Fact] = {}
        if self.facts is not None and key:
            for fact in self.facts.iter_names(key):
                found.setdefault(fact.param.name, fact)
                if len(found) % NAMES_PER_STEP == 0:
                    yield
        facts = [found[n] for n in sorted(found)]
        by_name: dict[str, Entry | Fact] = {}
        exact = None
        if key and self.facts is not None and self.facts.complete(key):
            exact = {f.param.name for f in facts}
        for k, entry in enumerate(written, 1):
            if k % NAMES_PER_STEP == 0:
                yield
            if exact is not None and entry.term not in exact:
                continue  # the class's own forward (installed, or the catalogue's) says
            if key and self.facts is not None:
                known = self.facts.lookup(key, entry.term)
                if known is not None and known.status in (REMOVED, NOT_YET):
                    continue  # a TypeError, or silently swallowed, in the release in force
            by_name.setdefault(entry.term, entry)
        late = set()
        for k, fact in enumerate(facts, 1):
            if k % NAMES_PER_STEP == 0:
                yield
            name = fact.param.name
            if fact.status == DEPRECATED:
                late.add(name)
            entry = self.vocab.arguments.get(name)
            if entry is not None and not self.facts.speaks_for(entry, fact):
                entry = None  # written for another kind of call (generate()'s `inputs`)
            by_name.setdefault(name, entry or fact)
        usage_key = kind or key
        counts = self.usage.counts(usage_key) if self.usage is not None and usage_key else {}
        written_order = {entry.term: k for k, entry in enumerate(written)}

        keys: dict[str, tuple] = {}
        for k, name in enumerate(by_name, 1):
            if k % (4 * NAMES_PER_STEP) == 0:
                yield
            mine = written_order.get(name)
            keys[name] = (name in late, -counts.get(name, 0), mine is None, mine or 0, name)
        yield
        ordered = {name: by_name[name] for name in sorted(by_name, key=keys.__getitem__)}
        return ArgumentList(
            ordered,
            {f.param.name: f.key for f in facts},
            tuple(positional_names(facts, len(facts))),
            frozenset(late),
        )


def _to_the_end(steps: Generator[None, None, ArgumentList]) -> ArgumentList:
    """Run a stepwise build in one go (a request that cannot wait for idle moments)."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def _list_size(key: tuple, listed: ArgumentList) -> int:
    """About what a kept list costs: its key and a slot per name (entries are shared)."""
    return text_size(key, None) + OVERHEAD * (len(listed.ordered) + len(listed.fact_keys))


class Completer:
    def __init__(
        self,
        analysis: Analysis,
        vocab: Vocabulary,
        prose: bool = True,
        facts: Facts | None = None,
        lists: ArgumentLists | None = None,
    ) -> None:
        self.analysis = analysis
        self.doc = analysis.doc
        self.vocab = vocab
        self.prose = prose
        self.facts = facts
        self.lists = lists or ArgumentLists(vocab, facts)

    # -- dispatch ------------------------------------------------------------------------------
    def at(self, line_no: int, index: int) -> Completion | None:
        if not 0 <= line_no < self.doc.line_count:
            return None
        text = self.doc.line(line_no)
        if len(text) > LONG_LINE or not 0 <= index <= len(text):
            return None
        state = self.analysis.python_state(line_no)
        if state is False:
            return self._markdown(text, line_no, index)
        segments, _ = py.lex_line(text, state)
        for seg in segments:
            if seg.kind != py.CODE and seg.start <= index <= seg.end:
                if seg.kind == py.STRING:
                    return self._string(text, line_no, index, seg)
                return self._terms(text, index)
        return self._code(text, line_no, index)

    def _markdown(self, text: str, line_no: int, index: int) -> Completion | None:
        kind, _ = md.classify(text, self.analysis.markdown_state(line_no))
        if kind != md.PROSE:
            return None
        span = md.code_span_at(text, index)
        if span is not None or text[:index].endswith("`"):
            return self._names_in_code_span(text, index)
        return self._terms(text, index)

    # -- Python code ---------------------------------------------------------------------------
    def _code(self, text: str, line_no: int, index: int) -> Completion | None:
        typed = _IDENT_TAIL.search(text, 0, index)
        prefix = typed.group() if typed else ""
        start = index - len(prefix)
        ctx = self.analysis.call_at(line_no, index)
        if ctx is None:
            return None
        before = ctx.args_text[: len(ctx.args_text) - len(prefix)].rstrip()
        if before.endswith("=") and ctx.value_of:
            return self._values(ctx.value_of, prefix, start, index, quoted=False)
        if not before.endswith(("(", ",")):
            return None
        options, listed = self._arguments(ctx)
        if not options:
            return None
        candidates = _ranked(
            prefix,
            options,
            ARGUMENT,
            "=",
            lambda e: _description(e, ctx.head_class),
            ctx.head_class,
            listed,
        )
        return Completion(start, index, candidates)

    def _arguments(self, ctx: CallContext) -> tuple[dict[str, Entry | Fact], ArgumentList]:
        """The names to offer in a call, in the order users reach for them, less those already
        passed by keyword or by position."""
        key = self.facts.key_of(ctx.call) if self.facts is not None else None
        listed = self.lists.get(self._kind(ctx), key)
        gone = ctx.passed | set(listed.positional[: ctx.call.positional])
        options = {name: e for name, e in listed.ordered.items() if name not in gone}
        return options, listed

    def _kind(self, ctx: CallContext) -> str | None:
        """The call's kind; for a call we cannot name, the kind of a keyword already passed."""
        if ctx.kind is not None:
            return ctx.kind
        known = [self.vocab.arguments[n] for n in sorted(ctx.passed) if n in self.vocab.arguments]
        return known[0].callables[0] if known and known[0].callables else None

    def _values(
        self, name: str, prefix: str, start: int, end: int, quoted: bool
    ) -> Completion | None:
        entry = self.vocab.arguments.get(name)
        if entry is None or not entry.choices:
            return None
        shown: dict[str, str] = {}
        for choice in entry.choices:
            value = choice.value
            if quoted:
                if not (len(value) >= 2 and value[0] == value[-1] and value[0] in "'\""):
                    continue
                value = value[1:-1]
            shown[value] = choice.doc
        candidates = [
            Candidate(
                label=value,
                insert=value,
                filter=value,
                kind=VALUE,
                entry_id=entry.id,
                description=entry.term,
                summary=shown[value] or entry.summary,
                tier=tier,
                rank=k,
                value=value,
            )
            for k, (tier, value) in enumerate(rank(prefix, list(shown)))
        ]
        return Completion(start, end, candidates) if candidates else None

    # -- strings: keys and option values -------------------------------------------------------
    def _string(self, text: str, line_no: int, index: int, seg: py.Segment) -> Completion | None:
        quote = text[seg.start - 1] if seg.start > 0 else '"'
        prefix = text[seg.start : index]
        opener_end = seg.start - 1
        while opener_end > 0 and text[opener_end - 1].isalpha():  # r"", b"", f""
            opener_end -= 1
        before = text[:opener_end]
        if _KEY_OPENER.search(before):
            return self._keys(prefix, seg, index, quote, terminated=seg.end < len(text))
        ctx = self.analysis.call_at(line_no, opener_end)
        if ctx is not None and ctx.value_of:
            return self._values(ctx.value_of, prefix, seg.start, index, quoted=True)
        return None

    def _keys(
        self, prefix: str, seg: py.Segment, index: int, quote: str, terminated: bool
    ) -> Completion:
        options = {e.term: e for e in self.vocab.by_callable.get(kinds.MODEL, [])}
        candidates = _ranked(prefix, options, KEY, "" if terminated else quote)
        return Completion(seg.start, index, candidates)

    # -- prose ---------------------------------------------------------------------------------
    def _terms(self, text: str, index: int) -> Completion | None:
        if not self.prose:
            return None
        typed = _WORD_TAIL.search(text, 0, index)
        if typed is None or len(typed.group()) < MIN_PROSE_PREFIX:
            return None
        prefix = typed.group()
        if "_" in prefix:
            return self._argument_names(prefix, typed.start(), index)
        shown: dict[str, Entry] = {}
        for entry in self.vocab.entries.values():
            if entry.is_argument:
                continue
            for form in (entry.term, *entry.abbreviations):
                shown.setdefault(form, entry)
        candidates = _ranked(prefix, shown, TERM, description=lambda _: "glossary")
        return Completion(typed.start(), index, candidates) if candidates else None

    def _names_in_code_span(self, text: str, index: int) -> Completion | None:
        typed = _IDENT_TAIL.search(text, 0, index)
        if typed is None or len(typed.group()) < MIN_PROSE_PREFIX:
            return None
        return self._argument_names(typed.group(), typed.start(), index)

    def _argument_names(self, prefix: str, start: int, end: int) -> Completion | None:
        candidates = _ranked(prefix, self.vocab.arguments, KEY)
        return Completion(start, end, candidates) if candidates else None
