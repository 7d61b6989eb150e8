"""The text of a hover (and of completion documentation) for one entry, as Markdown or plain text.

Markdown leaves here sanitised (`sanitize.py`): entries may come from a user's or a repository's
vocabulary file.

Engine code: knows entries, not LSP. `head` is the class name of the model being called, when
it is known, so `labels` can show that head's meaning first.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

from transformers_glossary_ls.catalogue import DEPRECATED, NOT_YET, REMOVED
from transformers_glossary_ls.facts import Fact
from transformers_glossary_ls.sanitize import safe_markdown
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

    parts.append(f"[{link_label(entry.url)}]({entry.url})" if markdown else f"Docs: {entry.url}")
    if entry.origin:
        parts.append(origin_line(entry, markdown))
    if not markdown:
        return _plain("\n\n".join(parts))
    return "\n\n".join(map(_safe_part, parts))


@functools.lru_cache(maxsize=2048)
def _safe_part(text: str) -> str:
    """A part of a hover made safe alone, and kept. Parts are joined by blank lines, across
    which no link, image, code span or raw HTML runs: parts made safe stay safe side by side.
    Most recur from one text to the next (an entry's definition in the text of every head and
    every keyword it explains): a text for a new model class makes its heading safe, not its
    whole length again (~0.2 ms for `labels`)."""
    return safe_markdown(text)


# The libraries whose docs our built-in entries link to, by their folder on the docs site.
_DOCS_NAMES = {"transformers": "Transformers", "trl": "TRL", "peft": "PEFT"}
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


def link_label(url: str) -> str:
    """What a hover calls an entry's link: the library for the Hugging Face docs, else the
    site, so that a team's own link does not read as the Transformers docs."""
    try:
        parsed = urlsplit(url.strip().strip("<>"))
        host = (parsed.hostname or "").lower()
    except ValueError:  # e.g. an unbalanced "[" in the host
        return "Docs"
    if host == "huggingface.co" and parsed.path.startswith("/docs/"):
        library = parsed.path.split("/")[2]
        return f"{_DOCS_NAMES[library]} docs" if library in _DOCS_NAMES else "Hugging Face docs"
    # The host is shown only when it is a plain name: the URL is a repository's text.
    return f"Docs ({host})" if _HOST.fullmatch(host) else "Docs"


def origin_line(entry: Entry, markdown: bool = True) -> str:
    """Where a user's or a team's entry was written, and which entry it changes."""
    changes = f", {entry.replaces} {entry.replaced}" if entry.replaces else ""
    if not markdown:
        return f"From {entry.origin}{changes}"
    replaced = f", *{entry.replaces}* {_code(entry.replaced)}" if entry.replaces else ""
    return f"*From* {_code(entry.origin)}{replaced}"


def _display(entry: Entry, markdown: bool) -> str:
    if entry.is_argument and markdown:
        return f"`{entry.term}`"
    return entry.term


_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")


def _plain(text: str) -> str:
    """Markdown made readable as plain text: code and emphasis marks dropped."""
    return _EMPHASIS.sub(r"\1", _STRONG.sub(r"\1", text)).replace("`", "")


# --- generated from the catalogue -------------------------------------------------------------


def status_line(fact: Fact, markdown: bool = True) -> str:
    """What the user must know first: removed, deprecated, renamed or not yet there."""
    p, status = fact.param, fact.status
    use = f"; use `{p.replacement}` instead" if p.replacement else ""
    if not markdown:
        use = use.replace("`", "")
    strong = (lambda s: f"**{s}**") if markdown else (lambda s: s)
    if status == REMOVED:
        last = p.present[-1][1] if p.present else None
        where = f" after {last}" if last else ""
        have = f"you have {fact.release}" if fact.yours else f"not in {_release(fact)}"
        return f"{strong('Removed')}{where} ({have}){use}."
    if status == DEPRECATED:
        since = f" since {p.deprecated_since}" if p.deprecated_since else ""
        planned = f", removal announced for {p.removal_planned}" if p.removal_planned else ""
        yours = f" (you have {fact.release})" if fact.yours else ""
        return f"{strong('Deprecated')}{since}{planned}{yours}{use}."
    if p.ignored and status not in (REMOVED, NOT_YET):
        # No "since": the generator tells a dropped keyword from a used one only where the
        # function drops it itself (`_ = kwargs.pop(...)`, also in a loop), not where a
        # callee does, so the first release it records may be late.
        where = f"your {fact.release}" if fact.yours else _release(fact)
        return f"{strong('Ignored')} in {where}: accepted, and dropped without effect."
    if status == NOT_YET:
        if fact.yours:
            return f"{strong('Not in your ' + str(fact.release))}: new in {p.first_release}."
        return f"{strong('Not yet in ' + _release(fact))}: new in {p.first_release}."
    return ""


def fact_rows(fact: Fact) -> list[tuple[str, str, bool]]:
    """(label, value, is_code) rows of the facts the catalogue holds for a name."""
    p = fact.param
    rows = [
        ("Shape", p.shape or "", True),
        ("Dtype", p.dtype or "", True),
        ("Note", p.note or "", False),
    ]
    if p.effective_default and p.effective_default != p.default:
        rows.append(("In effect when unset", p.effective_default, True))
    if p.choices:
        rows.append(("Choices", ", ".join(p.choices[:24]), True))
    if p.alias_of:
        rows.append(("Alias of", p.alias_of, True))
    spans = ", ".join(a if a == b else f"{a}–{b}" for a, b in p.present)
    if spans:
        rows.append(("Releases", spans + ("" if p.last_release else " (current)"), False))
    return [row for row in rows if row[1]]


def fact_text(
    fact: Fact,
    entry: Entry | None,
    vocab: Vocabulary,
    markdown: bool = True,
    head: str | None = None,
    installed: tuple[str, str] | None = None,
    entry_text: str | None = None,
) -> str:
    """The hover of a catalogue name: its status first when it is not plainly there, then a
    signature line as Pylance writes it, then our own words where we wrote an entry, else the
    facts the catalogue holds; last, `installed` = (where, text): what the user's installed
    package says of it, read at run time. `entry_text`: the entry's own hover text
    (`hover_text(entry, vocab, markdown, head)`), when the caller has it already."""
    parts = []
    status = status_line(fact, markdown)
    if status:
        parts.append(status)
    parts.append(_code(fact.signature) if markdown else fact.signature)
    ours = None
    if entry is not None:
        ours = entry_text or hover_text(entry, vocab, markdown, head)
        parts.append(ours)
        # Our entry's words lead; the facts it does not carry itself (a shape we read from the
        # model code, the releases) come from the catalogue.
        wanted = {"Releases"}
        if not (entry.shape or entry.variants):
            wanted |= {"Shape", "Note"} | (set() if entry.dtype else {"Dtype"})
        rows = [row for row in fact_rows(fact) if row[0] in wanted]
        if rows:
            parts.insert(len(parts) - 1, "\n".join(_fact_lines(rows, markdown)))
    else:
        rows = fact_rows(fact)
        if rows:
            parts.append("\n".join(_fact_lines(rows, markdown)))
        if fact.param.url:
            package = {"trl": "TRL", "peft": "PEFT"}.get(fact.param.package, "Transformers")
            url = fact.param.url
            parts.append(f"[{package} docs]({url})" if markdown else f"Docs: {url}")
    if installed is not None:
        where, said = installed
        rule = "---\n\n" if markdown else ""
        parts.append(f"{rule}{_emphasis('From your ' + where, markdown)}:\n\n{said}")
    if not markdown:
        return _plain("\n\n".join(parts))
    # Each part made safe alone (`_safe_part`); the entry's text, safe already, as it is.
    return "\n\n".join(part if part is ours else _safe_part(part) for part in parts)


def _emphasis(text: str, markdown: bool) -> str:
    return f"*{text}*" if markdown else text


def _code(text: str) -> str:
    """Inline code that survives backticks in the text."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _release(fact: Fact) -> str:
    return fact.release or "the newest release"
