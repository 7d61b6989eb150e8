"""The text of a hover (and of completion documentation) for one entry, as Markdown or plain text.

Engine code: knows entries, not LSP. `head` is the class name of the model being called, when
it is known, so `labels` can show that head's meaning first.
"""

from __future__ import annotations

import re

from transformers_glossary_ls.vocabulary import Entry, Variant, Vocabulary


def _facts(entry: Entry | Variant) -> list[tuple[str, str, bool]]:
    """(label, value, is_code) rows for the facts an entry or variant carries."""
    rows = [
        ("Shape", getattr(entry, "shape", ""), True),
        ("Dtype", getattr(entry, "dtype", ""), True),
        ("Values", getattr(entry, "values", ""), False),
    ]
    if isinstance(entry, Entry):
        rows += [
            ("Type", entry.type, True),
            ("Default", entry.default, True),
            ("Produced by", ", ".join(entry.produced_by), False),
        ]
    else:
        rows.append(("Note", entry.note, False))
    return [row for row in rows if row[1]]


def _fact_lines(rows: list[tuple[str, str, bool]], markdown: bool, indent: str = "") -> list[str]:
    lines = []
    for label, value, is_code in rows:
        if markdown:
            shown = f"`{value}`" if is_code and "`" not in value else value
            lines.append(f"{indent}- **{label}:** {shown}")
        else:
            lines.append(f"{indent}{label}: {value}")
    return lines


def _heads(variant: Variant, markdown: bool) -> str:
    """Class-name suffixes (`ForSequenceClassification` for `BertForSequenceClassification`)."""
    return ", ".join(f"`{h}`" if markdown else h for h in variant.heads)


def hover_text(
    entry: Entry, vocab: Vocabulary, markdown: bool = True, head: str | None = None
) -> str:
    """Everything a user wants on hover: term, summary, facts, definition, see also, link."""
    kind = "argument" if entry.is_argument else "glossary"
    title = f"`{entry.term}`" if entry.is_argument else entry.term
    parts: list[str] = []
    if markdown:
        parts.append(f"**{title}** · *{kind}*\n\n{entry.summary}")
    else:
        parts.append(f"{entry.term} ({kind})\n{entry.summary}")

    chosen = entry.variant_for(head) if head else None
    if chosen is not None:
        heading = f"For `{head}`:" if markdown else f"For {head}:"
        parts.append("\n".join([heading, *_fact_lines(_facts(chosen), markdown)]))
    else:
        rows = _facts(entry)
        if rows:
            parts.append("\n".join(_fact_lines(rows, markdown)))

    parts.append(entry.definition)

    others = [v for v in entry.variants if v is not chosen]
    if others:
        label = "Other model heads:" if chosen else "Per model head:"
        lines = [f"**{label}**" if markdown else label]
        for variant in others:
            summary = "; ".join(f"{name.lower()} {value}" for name, value, _ in _facts(variant))
            heads = _heads(variant, markdown)
            lines.append(f"- {heads}: {summary}" if markdown else f"  {heads}: {summary}")
        parts.append("\n".join(lines))

    if entry.versions:
        parts.append(
            f"**Versions:** {entry.versions}" if markdown else f"Versions: {entry.versions}"
        )

    related = [vocab.get(ref) for ref in (entry.concept, *entry.see_also) if ref]
    names = list(dict.fromkeys(_display(e, markdown) for e in related if e is not None))
    if names:
        parts.append(("**See also:** " if markdown else "See also: ") + ", ".join(names))

    parts.append(f"[Transformers docs]({entry.url})" if markdown else f"Docs: {entry.url}")
    text = "\n\n".join(parts)
    return text if markdown else _plain(text)


def _display(entry: Entry, markdown: bool) -> str:
    if entry.is_argument and markdown:
        return f"`{entry.term}`"
    return entry.term


_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")


def _plain(text: str) -> str:
    """Markdown made readable as plain text: code and emphasis marks dropped."""
    return _EMPHASIS.sub(r"\1", _STRONG.sub(r"\1", text)).replace("`", "")
