"""Signature help for calls of known kinds: the parameters passed so far and the active one.

A model forward takes hundreds of names; a list of all of them helps nobody. We show what the
call already passes, in its order, plus the parameter the cursor is on. The call comes from the
analysis's call context (no rescan). Engine code: no LSP (`render` makes the LSP types).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from transformers_glossary_ls import kinds
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.catalogue import OK
from transformers_glossary_ls.facts import Fact, Facts, positional_of

UNKNOWN = "unknown"  # a keyword the call does not take in the release in force

_KEYWORD = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)")
_NAME_ONLY = re.compile(r"\s*([A-Za-z_]\w*)\s*\Z")


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    label: str  # `eval_strategy: IntervalStrategy | str = "no"`, as shown in the signature
    status: str  # ok, deprecated, removed, not_yet (catalogue statuses) or unknown
    documentation: str | None  # the hover text of the name, status first


@dataclass(frozen=True, slots=True)
class Signature:
    shown: str  # the callable as the user knows it: "TrainingArguments", "LlamaForCausalLM"
    parameters: tuple[Parameter, ...]
    active: int | None  # index into `parameters`; None when the cursor is on no known name

    @property
    def label(self) -> str:
        return f"{self.shown}({', '.join(p.label for p in self.parameters)})"

    def offsets(self) -> list[tuple[int, int]]:
        """[start, end) of each parameter's label in `label` (string indices)."""
        out, at = [], len(self.shown) + 1
        for p in self.parameters:
            out.append((at, at + len(p.label)))
            at += len(p.label) + 2
        return out


def signature_at(
    analysis: Analysis,
    facts: Facts,
    line: int,
    index: int,
    describe: Callable[[Fact, str | None], str],
) -> Signature | None:
    """The signature of the call around a cursor, when the catalogue knows the call.
    `describe(fact, head)` gives a name's documentation (the hover's text)."""
    ctx = analysis.call_at(line, index)
    if ctx is None:
        return None
    call = ctx.call
    key = facts.key_of(call)
    if key is None:
        return None
    head = call.head_class if call.kind == kinds.MODEL else None
    shown = (head or facts.shown(key)).removesuffix("()")  # the label adds its own
    # The argument the cursor is in: the text after the call's last own comma.
    args = ctx.args_text[1:]  # without "("
    position = args.count(",")
    current = args.rpartition(",")[2]
    by_position = positional_of(key)
    named = _KEYWORD.match(current)
    typed = _NAME_ONLY.match(current)
    if named is not None:
        active_name: str | None = named.group(1)
    elif typed is not None and facts.lookup(key, typed.group(1), head) is not None:
        active_name = typed.group(1)  # a name typed without its "=" yet
    elif position < len(by_position):
        active_name = by_position[position]
    else:
        active_name = None
    names = list(by_position[: call.positional])
    names += [k.name for k in call.keywords if k.name not in names]
    if active_name is not None and active_name not in names:
        names.append(active_name)
    params = tuple(_parameter(facts, key, name, head, describe) for name in names)
    active = names.index(active_name) if active_name is not None else None
    return Signature(shown, params, active)


def _parameter(
    facts: Facts, key: str, name: str, head: str | None, describe: Callable
) -> Parameter:
    fact = facts.lookup(key, name, head)
    if fact is None:
        return Parameter(name, name, UNKNOWN, None)
    label = fact.signature.partition(") ")[2] or name  # without the "(Callable) " prefix
    return Parameter(name, label, fact.status, describe(fact, head))


__all__ = ["OK", "UNKNOWN", "Parameter", "Signature", "signature_at"]
