"""Which vocabulary term is at a position, and every term in a document.

Plain Python: knows documents and the vocabulary, nothing of LSP. Positions here are string
indices into a line; `positions.py` converts them to and from what the client speaks.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import Analysis, CallSite
from transformers_glossary_ls.analysis.document import MARKDOWN, PYTHON
from transformers_glossary_ls.facts import Fact, Facts
from transformers_glossary_ls.lexing import markdown as md
from transformers_glossary_ls.lexing import python as py
from transformers_glossary_ls.spotting.phrases import EDGE, Word, match_covering, scan, words_in
from transformers_glossary_ls.vocabulary import Entry, Vocabulary
from transformers_glossary_ls.vocabulary.model import SILENT

__all__ = ["CODE", "MARKDOWN", "PROSE", "PYTHON", "STRING", "Spot", "Spotter", "spot", "spot_all"]

CODE, STRING, PROSE = "code", "string", "prose"
_RECEIVER = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\.[ \t]*$")  # `outputs.` before a name
MAX_JOINED_LINES = 3  # how far a phrase may run across line breaks
LONG_LINE = 100_000  # longer lines are read only near the cursor, as code
LONG_WINDOW = 2_000
# Where a snake-case variable's name is looked up when our vocabulary has no entry for it, in
# order: the calls whose keywords people keep in variables, all among the callables the engine
# reads ahead in idle moments (a hover never waits for another file). Not model configs or
# forwards: a `hidden_size` or `num_heads` in a user's own module is the user's own business.
VARIABLE_HOMES = (
    "training_args",
    "generation_config",
    "from_pretrained",
    "tokenizer",
    "trainer",
    "LoraConfig",
    "SFTConfig",
)


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see `phrases.Word`
class Spot:
    """A vocabulary term found in a document: where it is and what it means."""

    entry: Entry
    start_line: int
    start: int
    end_line: int
    end: int
    where: str  # code, string or prose
    fact: Fact | None = None  # what the catalogue says of it, where the call or receiver is known


@dataclass(slots=True)
class LineView:
    """The parts of one line that spotting reads."""

    code: list[tuple[int, int]] = field(default_factory=list)
    strings: list[tuple[int, int]] = field(default_factory=list)
    prose: list[tuple[int, int]] = field(default_factory=list)
    code_spans: list[tuple[int, int]] = field(default_factory=list)
    joins_previous: bool = False  # the first prose piece continues the previous line's prose


def _python_view(text: str, state, previous: str | None, previous_state) -> LineView:
    segments, _ = py.lex_line(text, state)
    view = LineView()
    for seg in segments:
        if seg.kind == py.CODE:
            view.code.append((seg.start, seg.end))
        elif seg.kind == py.STRING:
            view.strings.append((seg.start, seg.end))
        else:
            view.prose.append((seg.start, seg.end))
    if previous is None or not view.prose:
        return view
    if state and segments[0].kind == py.DOCSTRING and segments[0].start == 0:
        view.joins_previous = True  # a docstring's continuation line
    elif py.is_comment_line(segments, text):
        prev_segments, _ = py.lex_line(previous, previous_state)
        view.joins_previous = py.is_comment_line(prev_segments, previous) is not None
    return view


class Spotter:
    """Finds vocabulary terms in one document, in its language."""

    def __init__(self, analysis: Analysis, vocab: Vocabulary, facts: Facts | None = None) -> None:
        self.analysis = analysis
        self.facts = facts
        self.doc = analysis.doc
        self.vocab = vocab
        self.python_state = analysis.python_state
        self.markdown_state = analysis.markdown_state
        # (line, index) -> the call there: a hover asks it twice (the keyword's fact, then
        # the model class its text is for), and on a first visit each look-up reads lines.
        self._calls: dict[tuple[int, int], CallSite | None] = {}

    def call_site_at(self, line_no: int, index: int) -> CallSite | None:
        """The analysis' `call_site_at`, asked once per position in this spotter's life (a
        request: nothing is edited meanwhile)."""
        key = (line_no, index)
        if key in self._calls:
            return self._calls[key]
        found = self._calls[key] = self.analysis.call_site_at(line_no, index)
        return found

    def head_class(self, found: Spot) -> str | None:
        """The model class being called where a keyword was found, when it is known."""
        if found.where != CODE:
            return None
        call = self.call_site_at(found.start_line, found.start)
        return call.head_class if call is not None else None

    # -- line analysis -----------------------------------------------------------------------
    def view(self, line_no: int, around: int = 0) -> LineView:
        text = self.doc.line(line_no)
        if len(text) > LONG_LINE:
            return LineView(
                code=[(max(0, around - LONG_WINDOW), min(len(text), around + LONG_WINDOW))]
            )
        if self.analysis.language == MARKDOWN:  # what python_state does, the kind kept
            kind, state = md.classify(text, self.markdown_state(line_no))
            if kind != md.PYTHON_CODE:
                state = False
        else:
            kind, state = md.PROSE, self.python_state(line_no)
        if state is not False:
            previous = self.doc.line(line_no - 1) if line_no > 0 else None
            prev_state = self.python_state(line_no - 1) if line_no > 0 else False
            if prev_state is False:
                previous = None
            return _python_view(text, state, previous, prev_state)
        if kind != md.PROSE:
            return LineView()
        view = LineView(
            prose=md.prose_pieces(text),
            code_spans=[(m.start(2), m.end(2)) for m in md.CODE_SPAN.finditer(text)],
        )
        if line_no > 0:
            previous = self.doc.line(line_no - 1)
            prev_kind, _ = md.classify(previous, self.markdown_state(line_no - 1))
            view.joins_previous = prev_kind == md.PROSE and md.joins_previous(previous, text)
        return view

    def _line_words(self, line_no: int, view: LineView, joined_first: bool) -> list[Word]:
        text = self.doc.line(line_no)
        words: list[Word] = []
        for k, (start, end) in enumerate(view.prose):
            words += words_in(text, line_no, start, end, joined_first and k == 0)
        return words

    def _ends_open(self, line_no: int, view: LineView, words: list[Word]) -> bool:
        """Whether the last prose word of a line may join the first word of the next line."""
        text = self.doc.line(line_no)
        if not words or not view.prose or words[-1].line != line_no:
            return False
        return not text[words[-1].end :].strip(EDGE)

    # -- one position ------------------------------------------------------------------------
    def at(self, line_no: int, index: int) -> Spot | None:
        if not 0 <= line_no < self.doc.line_count:
            return None
        text = self.doc.line(line_no)
        if not 0 <= index <= len(text):
            return None
        view = self.view(line_no, index)
        for start, end in view.code:
            if start <= index <= end:
                spot = self._identifier(text, line_no, index, start, end, keyword_rule=True)
                if spot is not None or index < end:
                    return spot
        for start, end in view.strings:
            if start <= index <= end:
                return self._string_key(text, line_no, start, end)
        for start, end in view.code_spans:
            if start <= index <= end:
                return self._code_span(text, line_no, index, start, end)
        for start, end in view.prose:
            if start <= index <= end:
                return self._prose(line_no, index, view)
        return None

    def _identifier(
        self, text: str, line_no: int, index: int, lo: int, hi: int, keyword_rule: bool
    ) -> Spot | None:
        start, end = py.identifier_at(text, index, lo, hi)
        if end <= start:
            return None
        if text[end:hi].lstrip(" \t").startswith("("):
            return None  # `trainer.push_to_hub(`: a method or function, not the option
        entry = self.vocab.arguments.get(text[start:end])
        if not keyword_rule and entry is not None and not _in_code_span(text, start, end, lo, hi):
            return None  # `torch.optim.AdamW` in inline code: a module path, not the option
        if keyword_rule and self.facts is not None:
            fact = self._fact(text, line_no, start, end)
            if fact is not None:
                return Spot(entry or fact.as_entry(), line_no, start, line_no, end, CODE, fact)
        if entry is None:
            if keyword_rule and self.facts is not None:
                fact = self._named_like_a_keyword(text, start, end)
                if fact is not None:
                    return Spot(fact.as_entry(), line_no, start, line_no, end, CODE, fact)
            return None
        if (
            keyword_rule
            and not _may_be_bare(entry)
            and not self._used_as_option(text, line_no, start, end)
        ):
            return None
        return Spot(entry, line_no, start, line_no, end, CODE)

    def _code_span(self, text: str, line_no: int, index: int, lo: int, hi: int) -> Spot | None:
        whole = self._abbreviation(text, line_no, lo, hi)
        if whole is not None:
            return whole
        return self._identifier(text, line_no, index, lo, hi, keyword_rule=False)

    def _abbreviation(self, text: str, line_no: int, lo: int, hi: int) -> Spot | None:
        """Inline code that is only an abbreviation (`NF4`, `SFT`) names the concept."""
        entry = self.vocab.abbreviations.get(text[lo:hi])
        if entry is None or entry is SILENT:
            return None
        return Spot(entry, line_no, lo, line_no, hi, CODE)

    def _fact(self, text: str, line_no: int, start: int, end: int) -> Fact | None:
        """What the catalogue says of a keyword of a call we know (`TrainingArguments(x=`) or an
        attribute of a value we know (`outputs.logits`, `model.config.hidden_size`)."""
        assert self.facts is not None
        name = text[start:end]
        after = text[end : end + 3].lstrip(" \t")
        if after.startswith("=") and not after.startswith("=="):
            if not self.facts.may_take(name):
                return None  # no call takes it: an assignment, or a keyword we know nothing of
            call = self.call_site_at(line_no, start)
            return self.facts.keyword(call, name) if call is not None else None
        receiver = _RECEIVER.search(text, 0, start)
        if receiver is None:
            return None
        held = self.analysis.held(receiver.group(1), line_no)
        return self.facts.attribute(held, name) if held is not None else None

    def _named_like_a_keyword(self, text: str, start: int, end: int) -> Fact | None:
        """A snake-case variable we wrote nothing about (`lora_alpha = 16`, `self.warmup_ratio`)
        answers like the keyword of the first common call that takes it."""
        assert self.facts is not None
        name = text[start:end]
        if "_" not in name.strip("_"):
            return None
        before = text[:start].rstrip(" \t")
        if before.endswith(".") and not before.endswith("self."):
            return None  # an attribute of something we cannot place
        for key in VARIABLE_HOMES:
            fact = self.facts.lookup(key, name)
            if fact is not None:
                return fact
        return None

    def _used_as_option(self, text: str, line_no: int, start: int, end: int) -> bool:
        """Whether an option's name stands for the option here.

        A snake-case name (`trust_remote_code`, `max_length`) is specific enough to be ours
        wherever it is not called: a keyword, an attribute (`self.max_new_tokens`) or a plain
        variable (`learning_rate = 2e-5`). A one-word name (`revision`, `seed`, `optim`) is too
        common to trust anywhere: it counts only as a keyword of a call we identify
        (`dict(revision=...)` is not ours) or an attribute of a value we know (`args.seed`, not
        `torch.optim` or `self.text`).
        """
        generic = "_" not in text[start:end]
        if not generic:
            return True  # `max_length = 128`, `self.max_new_tokens`, `f(x, trust_remote_code=True)`
        before = text[:start].rstrip(" \t")
        if before.endswith("."):
            if before.endswith("self."):
                return False  # `self.text` is the class's own business
            receiver = _RECEIVER.search(text, 0, start)
            return (
                receiver is not None and self.analysis.held(receiver.group(1), line_no) is not None
            )
        after = text[end:].lstrip(" \t")
        if not after.startswith("=") or after.startswith("=="):
            return False
        # A one-word name: a keyword only inside a call we can place.
        call = self.call_site_at(line_no, start)
        return call is not None and call.kind is not None

    def _string_key(self, text: str, line_no: int, start: int, end: int) -> Spot | None:
        """A model input named in a string: `batch["attention_mask"]`, `["token_type_ids"]`."""
        content = text[start:end]
        entry = self.vocab.arguments.get(content) if py.IDENTIFIER.fullmatch(content) else None
        if entry is None or not _may_be_bare(entry):
            return None  # `batch["text"]` is the user's column, not the tokenizer's argument
        return Spot(entry, line_no, start, line_no, end, STRING)

    def _prose(self, line_no: int, index: int, view: LineView) -> Spot | None:
        # The phrase covering the word at the cursor spans at most `longest` words: the lines
        # around are read only when the line's own words leave it room to reach them. What
        # `match_covering` reads of the words is the same either way: those within `longest`
        # of the target (it does not look at a span's first word's `joined`).
        longest = self.vocab.max_phrase_words
        own = self._line_words(line_no, view, False)
        target = _target(own, index)
        if target < 0:
            return None
        before, after = target, len(own) - target - 1  # words of its own line around it
        if before < longest - 1 or after < longest - 1:
            words, target = self._words_around(line_no, index, view, before, after)
        else:
            words = own
        found = match_covering(words, target, self.vocab)
        if found is None or found[0] is SILENT:
            return None  # nothing, or a false friend ("Transformer Engine", "access token")
        entry, i, j = found
        return Spot(entry, words[i].line, words[i].start, words[j].line, words[j].end, PROSE)

    def _words_around(
        self, line_no: int, index: int, view: LineView, before: int, after: int
    ) -> tuple[list[Word], int]:
        """The words of a prose line and of the lines above and below that its phrases may
        run into, and the index of the word at the cursor among them. `before` and `after`:
        the words of its own line before and after the cursor's. Lines are read only until
        they hold the words a phrase through the cursor can reach (`max_phrase_words` - 1 on
        each side): the first word of the topmost line read is never one a phrase through the
        cursor joins to, so whether it joins the line above does not matter."""
        reach = self.vocab.max_phrase_words - 1
        # The lines above that this line's phrase may continue from, nearest first, and those
        # below it may continue onto, with their words, each line's first word marked joined
        # (put right once the line before it is known).
        lines_above: list[tuple[int, LineView, list[Word]]] = []
        current, have = view, before
        for n in range(line_no - 1, max(-1, line_no - 1 - MAX_JOINED_LINES), -1):
            if have >= reach or not current.joins_previous:
                break
            current = self.view(n)
            line_words = self._line_words(n, current, True)
            lines_above.append((n, current, line_words))
            have += len(line_words)
        lines_below: list[tuple[int, LineView, list[Word]]] = []
        have = after
        for n in range(line_no + 1, min(self.doc.line_count, line_no + 1 + MAX_JOINED_LINES)):
            if have >= reach:
                break
            next_view = self.view(n)
            if not next_view.joins_previous:
                break
            line_words = self._line_words(n, next_view, True)
            lines_below.append((n, next_view, line_words))
            have += len(line_words)

        words: list[Word] = []
        previous: tuple[int, LineView] | None = None
        target = -1
        for n, line_view, known in [*reversed(lines_above), (line_no, view, None), *lines_below]:
            joined = previous is not None and self._ends_open(previous[0], previous[1], words)
            if known is None:
                line_words = self._line_words(n, line_view, joined)
            else:
                line_words = known
                if not joined and line_words:
                    line_words[0].joined = False  # what reading it with `joined` False gives
            if n == line_no:
                target = len(words) + _target(line_words, index)
            words += line_words
            previous = (n, line_view)
        return words, target

    # -- the whole document ------------------------------------------------------------------
    def all(self) -> Iterator[Spot]:
        """Every term in the document, in order (prose phrases leftmost-longest)."""
        run: list[Word] = []
        pending: list[Spot] = []  # code spots met while a prose run is still open
        previous: tuple[int, LineView] | None = None
        for line_no in range(self.doc.line_count):
            text = self.doc.line(line_no)
            view = self.view(line_no)
            joined = (
                previous is not None
                and view.joins_previous
                and self._ends_open(previous[0], previous[1], run)
            )
            if not view.joins_previous:
                yield from self._flush(run, pending)
                run, pending = [], []
            run += self._line_words(line_no, view, joined)
            spots = []
            for start, end in view.code:
                spots += self._code_identifiers(text, line_no, start, end)
            for start, end in view.strings:
                spot = self._string_key(text, line_no, start, end)
                if spot:
                    spots.append(spot)
            for start, end in view.code_spans:
                whole = self._abbreviation(text, line_no, start, end)
                if whole is not None:
                    spots.append(whole)
                else:
                    spots += self._code_identifiers(text, line_no, start, end, keyword_rule=False)
            pending += sorted(spots, key=lambda s: s.start)
            previous = (line_no, view)
        yield from self._flush(run, pending)

    def _code_identifiers(
        self, text: str, line_no: int, lo: int, hi: int, keyword_rule: bool = True
    ) -> list[Spot]:
        spots = []
        for match in py.IDENTIFIER.finditer(text, lo, hi):
            if match.start() > 0 and (text[match.start() - 1].isalnum()):
                continue
            spot = self._identifier(text, line_no, match.start(), lo, hi, keyword_rule)
            if spot is not None:
                spots.append(spot)
        return spots

    def _flush(self, run: list[Word], pending: list[Spot]) -> Iterator[Spot]:
        """The run's phrases merged, in document order, with the code spots met meanwhile."""
        phrases = (
            Spot(entry, run[i].line, run[i].start, run[j].line, run[j].end, PROSE)
            for entry, i, j in scan(run, self.vocab)
            if entry is not SILENT
        )
        return heapq.merge(phrases, pending, key=lambda s: (s.start_line, s.start))


_API_REFERENCE = re.compile(r"~|(?:transformers|torch|peft|trl|accelerate|datasets)\.")
_FILE_NAME = re.compile(r"\.(?:json|jsonl|py|txt|yaml|yml|bin|safetensors|model|md)\b")


def _in_code_span(text: str, start: int, end: int, lo: int, hi: int) -> bool:
    """Whether a name in inline code is the argument, not something named after it.

    Not in an API reference (`` `~transformers.PreTrainedModel.push_to_hub` ``, the doc
    builder's link to the method) or a file name (`generation_config.json`); a one-word name
    (`optim`, `padding`) not as a piece of a dotted path (`torch.optim`, `optim.AdamW`).
    """
    if _API_REFERENCE.match(text, lo) or _FILE_NAME.match(text, end, hi):
        return False
    if "_" in text[start:end]:
        return True
    return not (text[lo:start].rstrip(" \t").endswith(".") or text[end:hi].startswith("."))


def _target(words: list[Word], index: int) -> int:
    """The word at the cursor: the last holding it, else the first ending at it; -1: none."""
    target = -1
    for k, word in enumerate(words):
        if word.start <= index < word.end or (target < 0 and word.end == index):
            target = k
    return target


def _may_be_bare(entry: Entry) -> bool:
    """Model inputs are distinctive names; options (`padding`, `seed`) only count as keywords."""
    return not entry.callables or kinds.MODEL in entry.callables


def spot(
    analysis: Analysis, vocab: Vocabulary, line_no: int, index: int, facts: Facts | None = None
) -> Spot | None:
    """The term at (line, string index) of a document, or None."""
    if analysis.language is None:
        return None
    return Spotter(analysis, vocab, facts).at(line_no, index)


def spot_all(analysis: Analysis, vocab: Vocabulary, facts: Facts | None = None) -> Iterator[Spot]:
    if analysis.language is None:
        return iter(())
    return Spotter(analysis, vocab, facts).all()
