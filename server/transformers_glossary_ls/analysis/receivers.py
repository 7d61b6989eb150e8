"""What a variable holds, from how it was last assigned above a line.

`model = AutoModelForCausalLM.from_pretrained(...)` makes `model` a model of that class;
`outputs = model(...)` makes `outputs` that model's outputs; `cfg = model.config` a config;
`args: TrainingArguments` a TrainingArguments. A block's bindings of a name are read when that
name is first looked up (once per block revision), visiting only the name's occurrences;
lookups go back a bounded number of blocks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from transformers_glossary_ls import kinds

# How many blocks (512-1,023 lines each) above the line's own a binding is looked for: a few
# thousand lines, so a lookup in a huge file never scans all of it.
BINDING_BLOCKS = 12
MAX_ALIAS_DEPTH = 6

CLASS, CALL, ALIAS, UNKNOWN = "class", "call", "alias", "unknown"
# `class X` / `def X` (source: "class" or "def"), and `from M import X` (source: M as written).
# They bind a name too: a class the document defines or imports from elsewhere is not the
# library's class of that name.
DEFINED, IMPORTED = "defined", "imported"

# A line-anchored literal lead (`name =` or `name:`) finds the few candidate lines fast; the
# rest of the line is then read with `_ANNOTATED` or as the assigned value.
_LEAD = re.compile(r"^[ \t]*(?:self\.)?([A-Za-z_]\w*)[ \t]*(=(?!=)|:)", re.MULTILINE)
_ANNOTATED = re.compile(r"[ \t]*([A-Za-z_][\w.]*)[^=\n]*(?:=(?!=)[ \t]*([^\n]*)|$)")
_CALL = re.compile(r"([A-Za-z_][\w.]*)[ \t]*\(")
_CHAIN = re.compile(r"[A-Za-z_][\w.]*")
_LEAD_NAME = re.compile(r"^[ \t]*(?:self\.)?([A-Za-z_]\w*)[ \t]*(?:=(?!=)|:)", re.MULTILINE)
_WORD = r"(?<![\w.]){}(?!\w)"
_AFTER = re.compile(r"[ \t]*(=(?!=)|:)")
# All three, read for every name of a text at once in one pass (`bindings_in`).
_ANY_LEAD = re.compile(
    r"^[ \t]*(?:"
    r"(?:self\.)?([A-Za-z_]\w*)[ \t]*(=(?!=)|:)"
    r"|(?:async[ \t]+)?(class|def)[ \t]+([A-Za-z_]\w*)"
    r"|from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n]*))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")
_DEFINED_NAMES = re.compile(r"(?:class|def)[ \t]+(\w+)")
_IMPORT_STATEMENT = re.compile(r"[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*(\([^)]*\)|[^\n]*)")
_IMPORTED_NAME = re.compile(r"([A-Za-z_]\w*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?")
_IMPORTED_WORDS = re.compile(r"[A-Za-z_]\w*")  # every name `_IMPORTED_NAME` can read


@dataclass(slots=True, unsafe_hash=True)  # not frozen: see `phrases.Word`
class Binding:
    """`name` was assigned at `line` (block-relative) from `source`, read as `how`."""

    line: int
    name: str
    how: str  # class, call, alias or unknown
    source: str  # the class expression, the callee, the aliased expression


@dataclass(frozen=True, slots=True)
class Held:
    """What a variable holds: a value kind and, for models, the class."""

    kind: str
    cls: str | None = None


# A line's lead as `bindings_of` reads one, whatever the name: the names it finds are a superset
# of those `bindings_of` finds bound (see `may_be_bound`).
_BOUND_NAME = re.compile(r"[ \t]*(?:self\.)?(\w+)[ \t]*(?:=(?!=)|:)")
_BOUND_NAMES = re.compile(r"\n" + _BOUND_NAME.pattern)  # the engine skips to each line break
_WORD_CHARS = re.compile(r"\w+")
# A name seen at most this often in a text is looked for with str.find (~0.5 us an occurrence
# in a block with a wide character); past it, with its own compiled patterns (~3x faster, but
# compiling them is ~0.3 ms, once per process per name). A look-up reads a block once per
# revision, so a pattern pays off only where a name fills block after block with hundreds of
# occurrences; below that, compiling would be a request's slowest step.
FEW_OCCURRENCES = 128


@dataclass(frozen=True, slots=True)
class Names:
    """The names a text may bind (`bound`: assign, annotate, define or import), and among them
    those it may define or import (`declared`); both supersets (`else:` is in `bound`)."""

    bound: frozenset[str]
    declared: frozenset[str]

    def may_bind(self, name: str) -> bool:
        """Whether `bindings_of(text, name)` may find something."""
        return may_be_bound(name, self.bound)

    def may_declare(self, name: str) -> bool:
        """Whether a `class`/`def` line or an import of the text may bind `name`: where not,
        `bindings_of` need not look for them (most of its work on a block)."""
        return name in self.declared or not speaks_for(name)


def names_in(text: str) -> Names:
    """The names a text's lines may bind, and those they may define or import."""
    first = _BOUND_NAME.match(text)
    leads = _BOUND_NAMES.findall(text)
    if first is not None:
        leads.append(first.group(1))
    declared = _DEFINED_NAMES.findall(text)
    for _, statement in _import_statements(text):
        imported = statement.group(2)
        # Words, and the names `_IMPORTED_NAME` reads (`model` in `import émodel`: it starts
        # at a letter of A-Z, a-z or `_`, inside a word).
        declared += _WORD_CHARS.findall(imported) + _IMPORTED_WORDS.findall(imported)
    return Names(frozenset(leads).union(declared), frozenset(declared))


def bound_names(text: str) -> frozenset[str]:
    """The names a text's lines may assign, annotate, define or import (a superset: `else:`
    is in it)."""
    return names_in(text).bound


def _import_statements(text: str) -> Iterator[tuple[int, re.Match]]:
    """(offset, match) of each `from M import ...` statement that starts a line, found from
    the word `import` (rare in a block) rather than by trying every line."""
    pos = 0
    while (found := text.find("import", pos)) >= 0:
        line_start = text.rfind("\n", 0, found) + 1
        statement = _IMPORT_STATEMENT.match(text, line_start)
        if statement is not None and statement.end(1) < found:
            yield line_start, statement
            pos = max(statement.end(), found + 6)
        else:
            pos = found + 6


def _definitions_and_imports(text: str, name: str, rare: bool | None) -> list[tuple[int, str, str]]:
    """(offset of the name, how, source) of each `class`/`def` line and import binding `name`,
    as `bindings_in` reads them; `rare` as `_bindings_of` takes it."""
    found = []
    defined = _defined_matches(text, name) if rare is False else _definitions(text, name, rare)
    for start, at, end, how in defined:
        line_start = text.rfind("\n", 0, start) + 1
        lead = text[line_start:start].lstrip(" \t")
        if lead in ("", "async ", "async\t") and _opens(text, end):
            found.append((at, DEFINED, how))
    if name in text:
        for _, statement in _import_statements(text):
            if name not in statement.group(2):
                continue
            at = statement.start(2)
            for part in _IMPORTED_NAME.finditer(_blank_comments(statement.group(2))):
                if part.group(1) == "as":
                    continue
                which = 2 if part.group(2) else 1
                if part.group(which) == name:
                    found.append((at + part.start(which), IMPORTED, statement.group(1)))
    found.sort()
    return found


@functools.lru_cache(maxsize=256)  # names come from user text: bounded
def _defined(name: str) -> re.Pattern:
    return re.compile(r"(class|def)[ \t]+(" + re.escape(name) + r")(?!\w)")


def _defined_matches(text: str, name: str) -> Iterator[tuple[int, int, int, str]]:
    """(start of `class`/`def`, of the name, end of the name, which) of each match of
    `_defined(name)`."""
    for match in _defined(name).finditer(text):
        yield match.start(), match.start(2), match.end(), match.group(1)


def _definitions(
    text: str, name: str, rare: bool | None = True
) -> Iterator[tuple[int, int, int, str]]:
    """What `_defined_matches` yields (and names followed by more of a longer name, which
    `_opens` rejects), found by visiting each occurrence of the name: for a
    name seen a few times, compiling its own pattern would cost more than the search. With
    `rare` None, past FEW_OCCURRENCES occurrences the pattern finds the rest."""
    pos, seen = 0, 0
    while (at := text.find(name, pos)) >= 0:
        seen += 1
        if rare is None and seen > FEW_OCCURRENCES:
            yield from (found for found in _defined_matches(text, name) if found[1] >= at)
            return
        pos = at + len(name)  # followed by more of a longer name: `_opens` says no
        head = at
        while head > 0 and text[head - 1] in " \t":
            head -= 1
        if head == at:
            continue  # `class`/`def` and the name are apart by blanks
        for how in ("class", "def"):
            if text.startswith(how, head - len(how)):
                yield head - len(how), at, pos, how
                break


def may_be_bound(name: str, bound: frozenset[str]) -> bool:
    """Whether `bindings_of(text, name)` may find something, given `bound_names(text)`; True
    for a name the set cannot speak for (one that is not all word characters)."""
    return name in bound or not speaks_for(name)


def speaks_for(name: str) -> bool:
    """Whether the sets of `names_in` can say that a text does not bind `name`: it is all word
    characters."""
    return _WORD_CHARS.fullmatch(name) is not None


def bindings_in(text: str) -> list[Binding]:
    """Every assignment, annotation, definition and import of a text, in order: what
    `bindings_of` finds for each name, read for all names at once."""
    ordered: list[Binding] = []
    line, last = 0, 0
    for match in _ANY_LEAD.finditer(text):
        name, mark, defines, defined, module, names = match.groups()
        if name is not None:
            line += text.count("\n", last, match.start())
            last = match.start()
            binding = _read_one(text, line, name, mark, match.end())
            if binding is not None:
                ordered.append(binding)
        elif defined is not None:
            if _opens(text, match.end()):
                line += text.count("\n", last, match.start())
                last = match.start()
                ordered.append(Binding(line, defined, DEFINED, defines))
        else:
            at = match.start(6)
            # Comments blanked (offsets kept): their words are no names.
            for part in _IMPORTED_NAME.finditer(_blank_comments(names)):
                if part.group(1) == "as":
                    continue
                which = 2 if part.group(2) else 1
                offset = at + part.start(which)
                line += text.count("\n", last, offset)
                last = offset
                ordered.append(Binding(line, part.group(which), IMPORTED, module))
    return ordered


def from_library(binding: Binding) -> bool:
    """Whether a binding imports its name from transformers, trl or peft."""
    return binding.how == IMPORTED and binding.source.split(".")[0] in kinds.LIBRARIES


def _opens(text: str, at: int) -> bool:
    """`class X:` / `def f (`: the name is followed, past blanks, by `(` or `:`."""
    while text[at : at + 1] in (" ", "\t"):
        at += 1
    return text[at : at + 1] in ("(", ":")


def lead_names(text: str) -> set[str]:
    """The names that lead a line as `name =` or `name:` (`self.` allowed): every name
    `bindings_of` can find a binding of in the text, and some it finds none of."""
    return set(_LEAD_NAME.findall(text))


def bindings_of(text: str, name: str, declared: bool = True) -> list[Binding]:
    """The assignments, annotations, definitions and imports of one name in a text, in order.

    The regex engine skips to the name (a literal prefix) and keeps only its occurrences
    followed by `=` or `:` (a few per block); only those are checked as the lead of a line:
    several times faster than a line-anchored regex over the block, and than visiting every
    occurrence of the name (`model` is in most lines of a training script). `declared=False`
    (`Names.may_declare` said no) skips looking for `class`/`def` lines and imports of it,
    three quarters of the work on a block of a training script.
    """
    if not name.isidentifier():
        return _bindings_of_occurrences(text, name)
    return _bindings_of(text, name, declared)


def _bindings_of(text: str, name: str, declared: bool, rare: bool | None = None) -> list[Binding]:
    """`rare`: look for the name with `str.find` (True) or with its own patterns (False); None:
    with `str.find` up to FEW_OCCURRENCES occurrences, then with the patterns: most names
    cost no compiling of their patterns, and none a count of it over the text first."""
    ordered: list[Binding] = []
    line, last_offset = 0, 0
    others = _definitions_and_imports(text, name, rare) if declared else []
    assigned = _assigned_matches(text, name) if rare is False else _assignments(text, name, rare)
    for found, mark, end in assigned:
        line_start = text.rfind("\n", 0, found) + 1
        if text[line_start:found].lstrip(" \t") not in ("", "self."):
            continue
        while others and others[0][0] < found:  # definitions and imports above it first
            line, last_offset = _add_other(ordered, text, name, others.pop(0), line, last_offset)
        line += text.count("\n", last_offset, line_start)
        last_offset = line_start
        binding = _read_one(text, line, name, mark, end)
        if binding is not None:
            ordered.append(binding)
    for other in others:
        line, last_offset = _add_other(ordered, text, name, other, line, last_offset)
    return ordered


def _assigned_matches(text: str, name: str, pos: int = 0) -> Iterator[tuple[int, str, int]]:
    """(start, `=` or `:`, end) of each match of `_assigned(name)` from `pos` on."""
    for match in _assigned(name).finditer(text, pos):
        yield match.start(), match.group(1), match.end()


def _assignments(text: str, name: str, rare: bool | None = True) -> Iterator[tuple[int, str, int]]:
    """What `_assigned_matches` yields that can lead a line, found by visiting each occurrence
    of the name (one inside another occurrence of it is inside a longer name: no lead). With
    `rare` None, past FEW_OCCURRENCES occurrences the pattern finds the rest."""
    pos, seen = 0, 0
    while (found := text.find(name, pos)) >= 0:
        seen += 1
        if rare is None and seen > FEW_OCCURRENCES:
            yield from _assigned_matches(text, name, found)
            return
        pos = found + len(name)
        mark = _AFTER.match(text, pos)
        if mark is not None:
            yield found, mark.group(1), mark.end()


def _add_other(ordered, text, name, other, line, last_offset) -> tuple[int, int]:
    offset, how, source = other
    line += text.count("\n", last_offset, offset)
    ordered.append(Binding(line, name, how, source))
    return line, offset


@functools.lru_cache(maxsize=256)  # names come from user text: bounded
def _assigned(name: str) -> re.Pattern:
    """`name` followed by what `_AFTER` matches."""
    return re.compile(re.escape(name) + _AFTER.pattern)


def _bindings_of_occurrences(text: str, name: str) -> list[Binding]:
    """`bindings_of` visiting every occurrence of the name with `str.find` (for a name that is
    not an identifier, whose occurrences may overlap what follows one). Such a name is never
    what a `class`/`def` line or an import binds: only assignments and annotations are read."""
    ordered: list[Binding] = []
    line, last_offset, pos = 0, 0, 0
    while (found := text.find(name, pos)) >= 0:
        pos = found + len(name)
        line_start = text.rfind("\n", 0, found) + 1
        if text[line_start:found].lstrip(" \t") not in ("", "self."):
            continue
        mark = _AFTER.match(text, pos)
        if mark is None:
            continue
        line += text.count("\n", last_offset, line_start)
        last_offset = line_start
        binding = _read_one(text, line, name, mark.group(1), mark.end())
        if binding is not None:
            ordered.append(binding)
    return ordered


def _blank_comments(text: str) -> str:
    return _COMMENT.sub(lambda m: " " * len(m.group()), text)


def _read_one(text: str, line: int, name: str, mark: str, at: int) -> Binding | None:
    """The binding whose `name =` or `name:` lead ends at `at`, read to the end of its line."""
    end = text.find("\n", at)
    rest = text[at : end if end >= 0 else len(text)]
    if mark == "=":
        return _binding(line, name, None, rest.strip())
    annotated = _ANNOTATED.match(rest)
    if annotated is None:
        return None  # `else:`, `lambda x: ...`, a dict entry
    return _binding(line, name, *annotated.groups())


def _binding(line: int, name: str, annotation: str | None, value: str | None) -> Binding | None:
    if annotation and annotation[:1].isupper() or (annotation and "." in annotation):
        if kinds.kind_of_class(annotation) is not None:
            return Binding(line, name, CLASS, annotation)
    if value is None:
        return None  # a bare annotation of a type we do not know
    value = value.split("#", 1)[0].strip()
    if not value or value.endswith(","):
        return None  # `name=value,` inside a call spanning lines is a keyword, not an assignment
    call = _CALL.match(value)
    if call is not None:
        callee = call.group(1)
        if any(part[:1].isupper() for part in callee.split(".")):
            return Binding(line, name, CLASS, callee)
        if re.search(_WORD.format(re.escape(name)), value):
            # `model = model.to(device)`, `model = get_peft_model(model, cfg)`: still that model.
            return None
        return Binding(line, name, CALL, callee)
    chain = _CHAIN.fullmatch(value)
    if chain is not None:
        source = value.removeprefix("self.")
        # `self.model = model`: attributes and locals share names here, so this changes nothing.
        return None if source == name else Binding(line, name, ALIAS, source)
    return Binding(line, name, UNKNOWN, value[:80])


def held_by_binding(binding: Binding, resolve) -> Held | None:
    """What a binding makes its variable hold; `resolve(expression)` answers for what it names."""
    if binding.how == CLASS:
        cls = kinds.class_of(binding.source)
        kind = kinds.kind_of_class(cls) or kinds.kind_of_class(binding.source)
        if kind is None:
            return None
        return Held(kind, cls if kind == kinds.MODEL else None)
    if binding.how == CALL:
        callee = resolve(binding.source)
        if callee is None:
            return None
        result = kinds.RESULT_OF_CALL.get(callee.kind)
        return Held(result, callee.cls) if result else None
    if binding.how == ALIAS:
        return resolve(binding.source)
    return None


def follow_attributes(held: Held | None, attributes: list[str]) -> Held | None:
    """`model.config` -> a config; an attribute we know nothing of -> None."""
    for attribute in attributes:
        if held is None:
            return None
        kind = kinds.ATTRIBUTES.get((held.kind, attribute))
        held = Held(kind) if kind else None
    return held
