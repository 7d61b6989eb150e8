"""`bindings_of` lets the regex engine find a name's assignments; it finds what visiting every
occurrence of the name finds, on texts made to trip it and on real files. The names a block may
bind (noted when a document opens) hold every name it binds, so a look-up that skips the
blocks without the name finds what reading them finds."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis import Analysis, receivers
from transformers_glossary_ls.analysis.receivers import (
    _bindings_of,
    _bindings_of_occurrences,
    bindings_in,
    bindings_of,
    bound_names,
    may_be_bound,
    names_in,
)
from transformers_glossary_ls.documents import Document

from .conftest import UPSTREAM, benchmark_corpus

REAL_SCRIPTS = sorted(UPSTREAM.glob("*/*.py"))

NAMES = ["model", "mo", "m", "outputs", "self", "args", "tokenizer", "x"]
_PIECE = st.sampled_from(
    [
        *NAMES,
        "self.",
        " ",
        "\t",
        "\n",
        "=",
        "==",
        ":",
        "(",
        ")",
        ",",
        "  ",
        "model_2",
        "a.",
        "AutoModel.from_pretrained(x)",
        "f(model)",
        "# c",
        '"s"',
        "Cls",
        "mo del",
        "é",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECE, max_size=30).map("".join), st.sampled_from(NAMES))
def test_same_bindings_as_visiting_every_occurrence(text, name):
    assert bindings_of(text, name) == _bindings_of_occurrences(text, name)


@pytest.mark.parametrize("path", sorted(UPSTREAM.glob("*/*.py")), ids=lambda p: p.name)
def test_same_bindings_in_real_files(path):
    text = path.read_text(encoding="utf-8")
    for name in ("model", "tokenizer", "outputs", "args", "trainer", "config", "inputs", "x"):
        assert bindings_of(text, name) == _bindings_of_occurrences(text, name)


LEADS = [
    "model = AutoModel.from_pretrained(x)",
    "self.model = m",
    "  self.model: Cls",
    "\tmodel=1",
    "x = 1\nself.model = f()",
    "x = 1\n    model : Cls = y",
    "mé = 1",
    "e\u0301 = 1",
    "self.self.model = 1",
    "selfmodel = 1",
    "model == 1",
]


@pytest.mark.parametrize("text", LEADS)
@pytest.mark.parametrize("name", ["model", "mé", "e\u0301", "self"])
def test_the_names_a_line_may_bind(text, name):
    if bindings_of(text, name):
        assert may_be_bound(name, bound_names(text))
    assert not bindings_of("x = 1\n" + text, "absent")


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECE, max_size=30).map("".join), st.sampled_from([*NAMES, "mé", "e\u0301"]))
def test_the_names_a_block_may_bind_hold_every_name_it_binds(text, name):
    """A name missing from `bound_names` has no binding there: a walk skips the block."""
    if bindings_of(text, name):
        assert may_be_bound(name, bound_names(text))


def _benchmark_texts() -> list[tuple[str, str, str]]:
    corpus = benchmark_corpus()
    return [("bench.py", corpus.py.text, "python"), ("bench.md", corpus.md.text, "markdown")]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        *(
            pytest.param(p.read_text(encoding="utf-8") * 4, "python", id=p.name)
            for p in REAL_SCRIPTS
        ),
        *(pytest.param(text, language, id=name) for name, text, language in _benchmark_texts()),
    ],
)
def test_look_ups_after_lex_ahead_are_those_without(text, language):
    """With the bound names noted (what `lex_ahead` does at open), every look-up finds what
    reading the blocks finds: a request's, which reads the lines above it in its own block
    for a name no definition or import there binds, and a re-check's (under `reading()`),
    which records the blocks it read."""
    ahead = Analysis(Document("file:///a.py", text, language))
    plain = Analysis(Document("file:///b.py", text, language))
    list(ahead.lex_ahead())
    assert ahead._bound  # noted
    names = {b.name for b in bindings_in(text)} | {"model", "nothing_here", "x", "a.b", "inner"}
    names = sorted(names)
    last = ahead.doc.line_count - 1
    for line in range(0, last + 1, 37):
        for name in names:
            assert ahead.binding(name, line) == plain.binding(name, line), (name, line)
            # The same answer, from the same blocks: what a re-check after an edit goes by.
            with ahead.reading() as ahead_reads, plain.reading() as plain_reads:
                assert ahead.binding(name, line) == plain.binding(name, line), (name, line)
            assert _by_block(ahead, ahead_reads) == _by_block(plain, plain_reads), (name, line)


def _by_block(analysis: Analysis, reads: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Reads by block index rather than revision (each document numbers its own)."""
    index = {block.revision: k for k, block in enumerate(analysis.doc.blocks)}
    return {(index[revision], name) for revision, name in reads}


_DECLARING = st.sampled_from(["class ", "def ", "async ", "from m import ", " as ", "import "])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(_PIECE, _DECLARING), max_size=30).map("".join),
    st.sampled_from([*NAMES, "mé", "e\u0301"]),
)
def test_a_name_no_definition_or_import_may_bind_is_read_without_looking_for_them(text, name):
    """Where `Names.may_declare` says no, skipping `class`/`def` lines and imports finds the
    same bindings (what a first look-up in a block does)."""
    names = names_in(text)
    assert names.bound == bound_names(text)
    assert bindings_of(text, name, names.may_declare(name)) == bindings_of(text, name)


@pytest.mark.parametrize("path", sorted(UPSTREAM.glob("*/*.py")), ids=lambda p: p.name)
def test_a_name_no_definition_or_import_may_bind_in_real_files(path):
    text = path.read_text(encoding="utf-8")
    names = names_in(text)
    for name in ("model", "tokenizer", "outputs", "args", "Trainer", "AutoModel", "main", "x"):
        assert bindings_of(text, name, names.may_declare(name)) == bindings_of(text, name), name


@pytest.mark.parametrize("text", ["from m import émodel", "model = x\nfrom m import émodel"])
def test_an_import_binds_what_the_import_reader_reads(text):
    """The import reader takes `model` out of `émodel` (a name starts at A-Z, a-z or `_`):
    the names a block may bind hold it too, so a look-up finds the same with them noted."""
    names = names_in(text)
    assert names.may_bind("model") and names.may_declare("model")
    assert bindings_of(text, "model", names.may_declare("model")) == bindings_of(text, "model")


_DEFINING = st.sampled_from(
    ["class", "def", "class ", "def ", "async def ", "xdef ", "def\t ", "(", ":", " as ", "é"]
)
DEFINITIONS = [
    "def model(x):",
    "class\tmodel:",
    "async def model():",
    "  def  model :",
    "def model_2(x):",
    "def modelé():",
    "defmodel(x):",
    "xdef model():",
    "def model\ndef model(",
    "def model = 1",
]


@pytest.mark.parametrize("text", DEFINITIONS)
@pytest.mark.parametrize("few", [0, 1, 2])
def test_definitions_found_past_a_few_occurrences_are_those_of_the_pattern(text, few):
    text = f"model = 1\n{text}\nmodel_2 = model\n{text}"
    with patch.object(receivers, "FEW_OCCURRENCES", few):
        for name in ("model", "model_2", "x"):
            assert _bindings_of(text, name, True) == _bindings_of(text, name, True, rare=False)


@pytest.mark.parametrize("text", DEFINITIONS)
def test_definitions_found_with_str_find_are_those_of_the_pattern(text):
    for name in ("model", "model_2", "x"):
        assert _bindings_of(text, name, True, rare=True) == _bindings_of(
            text, name, True, rare=False
        ), name
    assert bool(_bindings_of(text, "model", True, rare=True)) == (
        text.lstrip().startswith(("def model", "class\tmodel", "async", "def  model"))
        and not text.startswith(("def model_2", "def modelé", "def model = 1"))
    )


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.one_of(_PIECE, _DEFINING, _DECLARING), max_size=30).map("".join),
    st.sampled_from([*NAMES, "mé", "model_2", "e\u0301"]),
    st.booleans(),
)
def test_a_rare_name_found_with_str_find_binds_as_with_its_patterns(text, name, declared):
    """A name seen a few times is looked for without compiling its own patterns: the same
    assignments, definitions and imports."""
    if not name.isidentifier():
        return
    assert _bindings_of(text, name, declared, rare=True) == _bindings_of(
        text, name, declared, rare=False
    )


@pytest.mark.parametrize("path", sorted(UPSTREAM.glob("*/*.py")), ids=lambda p: p.name)
def test_a_rare_name_binds_as_with_its_patterns_in_real_files(path):
    text = path.read_text(encoding="utf-8")
    names = {b.name for b in bindings_in(text)} | {"model", "main", "Trainer", "nothing_here"}
    for name in sorted(n for n in names if n.isidentifier()):
        expected = _bindings_of(text, name, True, rare=False)
        assert _bindings_of(text, name, True, rare=True) == expected, name
        assert bindings_of(text, name) == expected, name
        assert bindings_of(text, name, False) == _bindings_of(text, name, False, rare=False)


@settings(max_examples=800, deadline=None)
@given(
    st.lists(st.one_of(_PIECE, _DEFINING, _DECLARING), max_size=30).map("".join),
    st.sampled_from([*NAMES, "model_2"]),
    st.booleans(),
    st.integers(min_value=0, max_value=3),
)
def test_a_name_seen_more_often_than_a_few_times_is_found_by_its_patterns_from_there_on(
    text, name, declared, few
):
    """Past FEW_OCCURRENCES occurrences a look-up goes on with the name's patterns, from
    wherever it got to: the same bindings as either way alone."""
    with patch.object(receivers, "FEW_OCCURRENCES", few):
        assert _bindings_of(text, name, declared) == _bindings_of(text, name, declared, rare=False)
