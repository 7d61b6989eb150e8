"""Property-based tests and fuzzing for the engine: documents, positions, spotting, completion.

Runs briefly by default; `FUZZ_EXAMPLES=5000 pytest tests/unit/test_fuzz_engine.py` for longer.
"""

from __future__ import annotations

import os
import re
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls import documents
from transformers_glossary_ls.documents import Document, split_lines
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.positions import ENCODINGS, UTF16, UTF32, to_index, to_units
from transformers_glossary_ls.spotting import spot_all

from .conftest import analysis_of

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
GLOSSARY = Glossary()
TERM = "attention_mask"
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # LSP's line breaks, independent of documents.py

# Characters that are more than one unit in some encoding, or that Python treats specially.
WIDE = [
    "😀",
    "🤗",
    "👩‍💻",
    "中",
    "文",
    "字",
    "é",
    "e\u0301",
    "a\u0308\u0301",
    "ß",
    "Ω",
    "\u00a0",
    "𝔘",
    "€",
]
prefix_chars = st.sampled_from(WIDE) | st.characters(
    min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="\"'\\`#"
)
prefixes = st.lists(prefix_chars, max_size=25).map("".join)

TOKENS = [
    "model(",
    "attention_mask",
    "=",
    "m",
    ")",
    ", ",
    "input_ids",
    '"',
    "'",
    '"""',
    "'''",
    "#",
    " ",
    "\n",
    "\r\n",
    "\r",
    "`",
    "```",
    "```python\n",
    "```\n",
    "# ",
    "causal language",
    " modeling",
    "\\",
    "\t",
    "tokenizer(",
    "padding=",
    "return_tensors=",
    "batch[",
    "]",
    ".",
    "labels",
    "- ",
    "* ",
    "> ",
    "    ",
    "def f():\n",
    "class A:\n",
    "ZeRO",
    "token_type_ids",
    "outputs.",
    "from transformers import AutoModel\n",
    "AutoModel.from_pretrained(",
    "(",
    "[",
    "\x00",
    "\ud800",
    "\udfff",
    "\u2028",
    "\x85",
    "\x0c",
    *WIDE,
]
texts = st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=50).map("".join)
languages = st.sampled_from([("python", ".py"), ("markdown", ".md"), ("plaintext", ".txt")])


def columns(line: str, index: int, encoding: str) -> int:
    """The LSP column of string index `index`, computed independently of positions.py."""
    head = line[:index]
    if encoding == UTF32:
        return len(head)
    if encoding == UTF16:
        return len(head.encode("utf-16-le", "surrogatepass")) // 2
    return len(head.encode("utf-8", "surrogatepass"))


def index_of(line: str, column: int, encoding: str) -> int:
    """String index of an LSP column on a character boundary, computed independently."""
    for index in range(len(line) + 1):
        if columns(line, index, encoding) == column:
            return index
    raise AssertionError(f"column {column} is not on a character boundary")


def spot_key(found):
    return (
        None
        if found is None
        else (found.entry.id, found.start_line, found.start, found.end_line, found.end, found.where)
    )


def completion_key(found):
    return None if found is None else (found.start, found.end, [c.label for c in found.candidates])


# -- positions -------------------------------------------------------------------------------------
@FUZZ
@given(prefixes, st.sampled_from(["python code", "python string", "python comment", "markdown"]))
def test_hover_after_wide_characters_slices_exactly_the_term(prefix, where):
    line, language, uri = {
        "python code": (f's = "{prefix}"; model({TERM}=m)', "python", "file:///p.py"),
        "python string": (f'x = "{prefix}"; y = batch["{TERM}"]', "python", "file:///p.py"),
        "python comment": (f"# {prefix} pass the {TERM} too", "python", "file:///p.py"),
        # "Text" first: a prefix such as "~~~" or "# " would make the line a fence or heading
        "markdown": (f"Text {prefix} pass `{TERM}` here", "markdown", "file:///p.md"),
    }[where]
    doc = Document(uri, line, language)
    start = line.rindex(TERM)
    for encoding in ENCODINGS:
        for offset in (0, 5, len(TERM)):
            column = columns(line, start + offset, encoding)
            answer = GLOSSARY.hover(analysis_of(doc), 0, to_index(line, column, encoding))
            assert answer is not None, (encoding, offset, line)
            assert answer.spot.entry.term == TERM
            first = to_units(line, answer.spot.start, encoding)
            last = to_units(line, answer.spot.end, encoding)
            # the client slices its own text with our columns: that is exactly the term
            assert line[index_of(line, first, encoding) : index_of(line, last, encoding)] == TERM


line_chars = st.sampled_from([*WIDE, "\ud800", "\udc00", "\x00", "a", " ", "_"]) | st.characters()


@FUZZ
@given(st.lists(line_chars, max_size=30).map("".join))
def test_positions_round_trip_in_every_encoding(line):
    for encoding in ENCODINGS:
        for index in range(len(line) + 1):
            column = to_units(line, index, encoding)
            assert column == columns(line, index, encoding)
            assert to_index(line, column, encoding) == index
        total = columns(line, len(line), encoding)
        for column in range(-2, total + 3):
            index = to_index(line, column, encoding)
            assert 0 <= index <= len(line)
            # a column inside a character snaps to that character's start
            assert to_units(line, index, encoding) <= max(column, 0)


# -- fuzzing the engine ----------------------------------------------------------------------------
@FUZZ
@given(texts, languages, st.lists(st.tuples(st.integers(-2, 12), st.integers(-3, 90)), max_size=12))
def test_spot_and_complete_never_raise_and_stay_in_the_document(text, language, positions):
    language_id, suffix = language
    doc = Document(f"file:///fuzz{suffix}", text, language_id)
    for line, index in positions:
        answer = GLOSSARY.hover(analysis_of(doc), line, index)
        GLOSSARY.hover(analysis_of(doc), line, index, markdown=False)
        GLOSSARY.complete(analysis_of(doc), line, index)
        if answer is not None:
            found = answer.spot
            assert 0 <= found.start_line <= found.end_line < doc.line_count
            assert 0 <= found.start <= len(doc.line(found.start_line))
            assert 0 <= found.end <= len(doc.line(found.end_line))
            assert (found.start_line, found.start) < (found.end_line, found.end)
            assert found.start_line <= line <= found.end_line
    for found in spot_all(analysis_of(doc), GLOSSARY.vocab):
        assert (found.start_line, found.start) < (found.end_line, found.end)


def reference_replace(raw, start_line, start_index, end_line, end_index, text):
    """`raw` (terminators and all) edited as LSP defines it: a CR and an LF that the edit brings
    together are one line break."""
    spans, pos = [], 0
    for match in LINE_BREAK.finditer(raw):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(raw)))

    def offset(line, index):
        if line < 0:
            return 0
        if line >= len(spans):
            return spans[-1][1]
        start, end = spans[line]
        return start + max(0, min(index, end - start))

    a, b = sorted([offset(start_line, start_index), offset(end_line, end_index)])
    return raw[:a] + text + raw[b:]


# Line starts and ends, and lone line breaks, are drawn often: an edit there can bring a CR and
# an LF together into one line break.
edit_lines = st.integers(-2, 14)
edit_indexes = st.sampled_from([0, 999]) | st.integers(-3, 40)
edits = st.lists(
    st.tuples(
        edit_lines,
        edit_indexes,
        edit_lines,
        edit_indexes,
        st.sampled_from(["", "\r", "\n", "x\r", "\nx"]) | texts,
    ),
    max_size=10,
)


@FUZZ
@given(
    texts,
    languages,
    edits,
    st.integers(1, 4),
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 40)), min_size=1, max_size=6),
)
def test_edits_match_a_reference_and_caches_match_a_fresh_document(
    text, language, changes, block_lines, probes
):
    """Small blocks, so that edits split, merge and drop blocks; spotting between edits, so that
    stale caches would show."""
    language_id, suffix = language
    with patch.object(documents, "BLOCK_LINES", block_lines):
        doc = Document(f"file:///edit{suffix}", text, language_id)
        raw = text
        for start_line, start_index, end_line, end_index, new_text in changes:
            doc.replace(start_line, start_index, end_line, end_index, new_text)
            raw = reference_replace(raw, start_line, start_index, end_line, end_index, new_text)
            lines = split_lines(raw)
            assert doc.text == "\n".join(lines)
            assert doc.line_count == len(lines)
            for line, index in probes[:2]:  # warm the caches
                GLOSSARY.hover(analysis_of(doc), line, index)
        fresh = Document(doc.uri, doc.text, language_id)
        for line, index in probes:
            assert spot_key(_hover_spot(doc, line, index)) == spot_key(
                _hover_spot(fresh, line, index)
            )
            assert completion_key(
                GLOSSARY.complete(analysis_of(doc), line, index)
            ) == completion_key(GLOSSARY.complete(analysis_of(fresh), line, index))


def _hover_spot(doc, line, index):
    answer = GLOSSARY.hover(analysis_of(doc), line, index)
    return answer.spot if answer else None


def test_documents_only_break_lines_where_lsp_does():
    doc = Document("file:///x.py", "a\r\nb\rc\nd\u2028e\x85f\x0cg\x1ch\x1di\x1ej", "python")
    assert [doc.line(i) for i in range(doc.line_count)] == [
        "a",
        "b",
        "c",
        "d\u2028e\x85f\x0cg\x1ch\x1di\x1ej",
    ]
