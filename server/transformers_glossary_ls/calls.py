"""Which call is the cursor in, what is being called, and what has already been passed.

Engine code over plain lines of Python. Strings and comments are blanked out first (their
delimiters kept), so a parenthesis inside a string never confuses the bracket matching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from transformers_glossary_ls.spotting import python as py

LOOK_BACK_LINES = 60  # how far up a call's opening parenthesis is looked for
LOOK_AHEAD_LINES = 20  # how far down its other keyword arguments are read
# How many blocks (512-1,023 lines each) above the cursor's a variable's assignment is looked
# for: a few thousand lines, so that a hover in a huge file never scans the whole of it. Past
# that the variable's own name still tells the kind of call (`model`, `tokenizer`).
ASSIGNMENT_BLOCKS = 12

_CALLEE = re.compile(r"([A-Za-z_][\w.]*)\s*$")
_KEYWORD = re.compile(r"(?:^|[(,])\s*([A-Za-z_]\w*)\s*=(?!=)")
_VALUE_OF = re.compile(r"(?:^|[(,])\s*([A-Za-z_]\w*)\s*=\s*$")
# `x = Cls(` / `self.x: T = Cls.from_pretrained(`: the call is found first (a fast literal
# search), then the line's start is checked to be a plain assignment target.
_ASSIGNED_CALL = re.compile(r"=[ \t]*([A-Za-z_][\w.]*)[ \t]*\(")
_TARGET = re.compile(r"[ \t]*(?:self\.)?([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?")

MODEL, TOKENIZER, PROCESSOR, GENERATE, TRAINING_ARGS, FROM_PRETRAINED = (
    "model",
    "tokenizer",
    "processor",
    "generate",
    "training_args",
    "from_pretrained",
)
IMAGE_PROCESSOR, FEATURE_EXTRACTOR = "image_processor", "feature_extractor"


@dataclass
class CallContext:
    """The call around the cursor."""

    callee: str  # as written: "model", "self.tokenizer", "model.generate"
    kind: str | None  # one of the kinds above, when known
    head_class: str | None  # model class, e.g. "AutoModelForSequenceClassification"
    passed: set[str] = field(default_factory=set)  # keyword names already in the call
    value_of: str | None = None  # the keyword whose value the cursor is in (`padding=|`)
    args_text: str = ""  # the blanked text from "(" to the cursor


def blank_line(line: str, state) -> tuple[str, object]:
    """The line with string contents and comments replaced by spaces; and the exit state."""
    segments, exit_state = py.lex_line(line, state)
    chars = list(line)
    for seg in segments:
        if seg.kind != py.CODE:
            start = seg.start - 1 if seg.kind == py.COMMENT else seg.start  # the "#" too
            chars[start : seg.end] = " " * (seg.end - start)
    return "".join(chars), exit_state


def kind_of_class(name: str) -> str | None:
    """Kind of object a class (or factory) name makes."""
    last = name.split(".")[-1]
    if "TrainingArguments" in last:
        return TRAINING_ARGS
    for marker, kind in (
        ("ImageProcessor", IMAGE_PROCESSOR),
        ("FeatureExtractor", FEATURE_EXTRACTOR),
        ("Processor", PROCESSOR),
        ("Tokenizer", TOKENIZER),
    ):
        if marker in name:
            return kind
    if "Model" in name or "For" in name or name.startswith("Auto"):
        return MODEL
    return None


def kind_of_name(name: str) -> str | None:
    """Guess from a variable's own name, when its assignment is not in view."""
    low = name.split(".")[-1].lower()
    if "tokenizer" in low or low in ("tok", "tknzr"):
        return TOKENIZER
    if "image_processor" in low:
        return IMAGE_PROCESSOR
    if "feature_extractor" in low:
        return FEATURE_EXTRACTOR
    if "processor" in low:
        return PROCESSOR
    if "model" in low:
        return MODEL
    if low in ("args", "training_args"):
        return TRAINING_ARGS
    return None


def class_of(assigned: str) -> str:
    """The class in `Cls.from_pretrained` / `Cls` / `transformers.Cls.from_pretrained`."""
    parts = [p for p in assigned.split(".") if p[:1].isupper()]
    return parts[-1] if parts else assigned.split(".")[-1]


LineSource = Callable[[int], "tuple[str, object] | None"]


def find_call(
    line_at: LineSource,
    line_no: int,
    index: int,
    assignment_of: Callable[[str], str | None],
) -> CallContext | None:
    """The innermost call whose parentheses hold the cursor at (line_no, index).

    `line_at(n)` gives line n and its lexer entry state, or None where the Python ends (outside
    the document or the Markdown fence). Lines are read backwards from the cursor only until
    the unclosed parenthesis is found. `assignment_of(name)` returns what a variable was last
    assigned from, e.g. "AutoModelForCausalLM.from_pretrained".
    """
    pieces: list[str] = []  # blanked lines, from the cursor's upwards
    depth, opener = 0, None
    for n in range(line_no, max(-1, line_no - LOOK_BACK_LINES - 1), -1):
        got = line_at(n)
        if got is None:
            break
        text = blank_line(*got)[0]
        if n == line_no:
            text = text[:index]
        pieces.append(text)
        for i in range(len(text) - 1, -1, -1):
            char = text[i]
            if char in ")]}":
                depth += 1
            elif char in "([{":
                if depth == 0:
                    opener = (i, char)
                    break
                depth -= 1
        if opener is not None:
            break
    if opener is None or opener[1] != "(":
        return None  # not in brackets, or inside a list/dict/subscript
    start, _ = opener
    match = _CALLEE.search(pieces[-1], 0, start)
    if match is None:
        return None
    args_text = _flatten("\n".join([pieces[-1][start:], *reversed(pieces[:-1])]))
    context = CallContext(callee=match.group(1), kind=None, head_class=None, args_text=args_text)
    context.passed = set(_KEYWORD.findall(args_text)) | _keywords_after(line_at, line_no, index)
    value = _VALUE_OF.search(args_text)
    context.value_of = value.group(1) if value else None
    _identify(context, assignment_of)
    return context


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


def _keywords_after(line_at: LineSource, line_no: int, index: int) -> set[str]:
    """Keyword names passed between the cursor and the call's closing parenthesis."""
    pieces, depth, closed = [], 0, False
    for n in range(line_no, line_no + 1 + LOOK_AHEAD_LINES):
        got = line_at(n)
        if got is None:
            break
        text = blank_line(*got)[0]
        if n == line_no:
            text = text[index:]
        for i, char in enumerate(text):
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    text, closed = text[:i], True
                    break
                depth -= 1
        pieces.append(text)
        if closed:
            break
    # Skip the argument the cursor is typing: what stands before the first comma is ours.
    rest = _flatten("(" + "\n".join(pieces))
    comma = rest.find(",")
    return set(_KEYWORD.findall(rest[comma:])) if comma >= 0 else set()


def _identify(context: CallContext, assignment_of: Callable[[str], str | None]) -> None:
    callee = context.callee
    last = callee.split(".")[-1]
    if last == "generate":
        context.kind = GENERATE
        receiver = callee.rsplit(".", 1)[0] if "." in callee else ""
        assigned = assignment_of(receiver) if receiver else None
        context.head_class = class_of(assigned) if assigned else None
        return
    if last == "from_pretrained":
        context.kind = FROM_PRETRAINED
        context.head_class = class_of(callee)
        return
    if last[:1].isupper():  # a class called directly
        context.kind = kind_of_class(last)
        if context.kind == MODEL:
            context.kind = None  # `BertModel(config)` builds a model; it is not the forward call
        return
    assigned = assignment_of(callee)
    if assigned is not None:
        cls = class_of(assigned)
        context.kind = kind_of_class(cls) or kind_of_class(assigned)
        if context.kind == MODEL:
            context.head_class = cls
        return
    context.kind = kind_of_name(callee)


def assignments_in(text: str) -> list[tuple[int, str, str]]:
    """(character offset, variable, called class) for each `x = Cls(` in text; calls of things
    that name no class (`model = model.to(device)`) are left out: they say nothing of the class."""
    found = []
    for match in _ASSIGNED_CALL.finditer(text):
        value = match.group(1)
        if not any(part[:1].isupper() for part in value.split(".")):
            continue
        at = match.start()
        if at and text[at - 1] in "=!<>":
            continue  # a comparison, not an assignment
        line_start = text.rfind("\n", 0, at) + 1
        target = _TARGET.fullmatch(text, line_start, at)
        if target is not None:
            found.append((line_start, target.group(1), value))
    return found


def block_assignments(block) -> tuple[list[tuple[int, str, str]], dict[str, str]]:
    """A block's `x = Cls(...)` assignments in order, and the last one per name; memoised."""
    found = block.memo.get("assignments")
    if found is None:
        text = "\n".join(block.lines)
        ordered, line, last = [], 0, 0
        for offset, var, value in assignments_in(text):
            line += text.count("\n", last, offset)
            last = offset
            ordered.append((line, var, value))
        found = block.memo["assignments"] = (ordered, {var: value for _, var, value in ordered})
    return found


def assignment_lookup(doc, line_no: int) -> Callable[[str], str | None]:
    """`name -> what it was last assigned from` above `line_no` in `doc` (a `Document`)."""

    def lookup(name: str) -> str | None:
        name = name.removeprefix("self.")
        block_index, offset = doc.locate(line_no)
        ordered, _ = block_assignments(doc.blocks[block_index])
        for line, var, value in reversed(ordered):
            if var == name and line <= offset:
                return value
        for k in range(block_index - 1, max(-1, block_index - 1 - ASSIGNMENT_BLOCKS), -1):
            value = block_assignments(doc.blocks[k])[1].get(name)
            if value is not None:
                return value
        return None

    return lookup
