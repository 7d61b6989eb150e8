"""The per-document analysis: the call index (every call, its keyword ranges) and receivers."""

from __future__ import annotations

import copy
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls import documents
from transformers_glossary_ls.analysis import Analysis, Held, receivers
from transformers_glossary_ls.documents import BLOCK_LINES, Document

from .conftest import cursor_of


def analysed(text: str, language: str = "python") -> Analysis:
    suffix = ".py" if language == "python" else ".md"
    return Analysis(Document(f"file:///a{suffix}", text, language))


def keywords(analysis: Analysis) -> list[tuple[str, str, int, int, int]]:
    """(callee, keyword, line, start, end) of every keyword of every call, in order."""
    return [
        (call.callee, k.name, k.line, k.start, k.end)
        for call in analysis.calls()
        for k in call.keywords
    ]


def ranges_slice_names(analysis: Analysis) -> None:
    for call in analysis.calls():
        for k in call.keywords:
            assert analysis.doc.line(k.line)[k.start : k.end] == k.name


# (id, source, [(callee, keyword, line)])
INDEX_CASES = [
    (
        "one line",
        "model(input_ids=x, attention_mask=m)",
        [("model", "input_ids", 0), ("model", "attention_mask", 0)],
    ),
    (
        "nested: each call its own keywords",
        "model(input_ids=tok(texts, padding=True), labels=y)",
        [("tok", "padding", 0), ("model", "input_ids", 0), ("model", "labels", 0)],
    ),
    (
        "multi-line",
        "out = model(\n    input_ids=ids,\n\n    attention_mask=m,\n)",
        [("model", "input_ids", 1), ("model", "attention_mask", 3)],
    ),
    (
        "split by comments and strings",
        "model(  # a ( in a comment\n    x='a(b,c=d)',  # )\n    labels=y)",
        [("model", "x", 1), ("model", "labels", 2)],
    ),
    ("a **kwargs spread is no keyword", "model(**batch, labels=y)", [("model", "labels", 0)]),
    ("a comparison is no keyword", "f(a == b, c=1)", [("f", "c", 0)]),
    ("a dict literal inside", "f(a={'k': 1, 'j': 2}, b=2)", [("f", "a", 0), ("f", "b", 0)]),
    (
        "a lambda default",
        "f(key=lambda x: g(y=x), z=1)",
        [("f", "key", 0), ("g", "y", 0), ("f", "z", 0)],
    ),
    ("not calls", "if (a):\n    return (b, c)\nx = [d(e=1)]", [("d", "e", 2)]),
]


@pytest.mark.parametrize("source,expected", [pytest.param(*c[1:], id=c[0]) for c in INDEX_CASES])
def test_call_index_keywords(source, expected):
    analysis = analysed(source)
    found = keywords(analysis)
    assert sorted((c, k, line) for c, k, line, _, _ in found) == sorted(expected)
    ranges_slice_names(analysis)


def test_call_index_counts_positionals_and_spreads():
    (call,) = [c for c in analysed("tok(texts, pairs, padding=True, **extra)").calls()]
    assert (call.positional, call.spread, call.close) == (2, True, (0, 39))


def test_unclosed_call_being_typed():
    (call,) = list(analysed("outputs = model(input_ids=x, att").calls())
    assert call.close is None and [k.name for k in call.keywords] == ["input_ids"]


def test_call_index_at_any_size_across_blocks():
    filler = "x = 1\n"
    head = filler * (BLOCK_LINES * 4 - 2)  # the call straddles a block boundary
    source = head + "model(\n    input_ids=x,\n    attention_mask=m,\n)\n" + filler * 5000
    analysis = analysed(source)
    found = keywords(analysis)
    line = BLOCK_LINES * 4 - 2
    assert [(k, n) for _, k, n, _, _ in found] == [
        ("input_ids", line + 1),
        ("attention_mask", line + 2),
    ]
    assert analysis.call_at(line + 2, 8).callee == "model"


@pytest.mark.parametrize("first", [0, 7, BLOCK_LINES - 20], ids=["top", "mid-chunk", "block end"])
def test_a_call_spanning_many_chunks_is_found_from_its_last_keyword(first):
    """A call is indexed in the chunk of its opening bracket; a cursor 55 lines below, several
    chunks further (and maybe in the next block), still finds it, and an inner call wins."""
    body = "".join(f"    option_{i}=v,\n" for i in range(54))
    source = "x = 1\n" * first + "TrainingArguments(\n" + body + "    report_to=f(a=1),\n)\n"
    analysis = analysed(source + "y = 2\n" * 100)
    last = first + 55
    assert analysis.call_site_at(last, 6).callee == "TrainingArguments"
    assert analysis.call_site_at(last, 18).callee == "f"
    assert analysis.call_site_at(last + 2, 0) is None


def test_edits_restale_only_what_they_touch():
    source = "model(input_ids=x)\n" + "y = 2\n" * (BLOCK_LINES * 3)
    analysis = analysed(source)
    assert len(list(analysis.calls())) == 1
    doc = analysis.doc
    kept = {
        k: v
        for k, v in analysis._calls.items()
        if k in {s for b in doc.blocks[2:] for s in b.stamps}
    }
    assert kept
    doc.replace(0, 6, 0, 6, "labels=y, ")  # inside the first call
    (call,) = list(analysis.calls())
    assert [k.name for k in call.keywords] == ["labels", "input_ids"]
    assert all(analysis._calls[k] is v for k, v in kept.items())  # untouched blocks kept
    doc.replace(0, 0, 0, 0, '"""\n')  # a docstring opened above everything: no calls left
    assert list(analysis.calls()) == []
    doc.replace(0, 0, 1, 0, "")
    assert len(list(analysis.calls())) == 1


def test_calls_inside_markdown_fences_only():
    text = (
        "Call model(input_ids=x) in prose.\n\n"
        "```python\nmodel(labels=y)\n```\n\n```js\nf(a=1)\n```\n"
    )
    assert [(c, k) for c, k, *_ in keywords(analysed(text, "markdown"))] == [("model", "labels")]


# --- receivers --------------------------------------------------------------------------------

PRELUDE = (
    "from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments\n"
    "tok = AutoTokenizer.from_pretrained('x')\n"
    "model = AutoModelForCausalLM.from_pretrained('x')\n"
)
CAUSAL = "AutoModelForCausalLM"

# (id, source with a cursor, expression, what it holds)
RECEIVER_CASES = [
    ("class from from_pretrained", "‸", "model", Held("model", CAUSAL)),
    ("tokenizer", "‸", "tok", Held("tokenizer")),
    (
        "outputs of a model call",
        "outputs = model(**batch)\n‸",
        "outputs",
        Held("model_output", CAUSAL),
    ),
    ("encodings of a tokenizer call", "batch = tok(texts)\n‸", "batch", Held("encoding")),
    ("annotation", "def f():\n    args: TrainingArguments\n    ‸", "args", Held("training_args")),
    ("constructor", "args = TrainingArguments(output_dir='o')\n‸", "args", Held("training_args")),
    ("attribute chain", "‸", "model.config", Held("config")),
    (
        "self attribute chain",
        "self.model = model\n‸",
        "self.model.generation_config",
        Held("generate"),
    ),
    ("alias of an attribute", "cfg = model.config\n‸", "cfg", Held("config")),
    ("alias of an alias", "m = model\nm2 = m\n‸", "m2", Held("model", CAUSAL)),
    (
        "a wrapper keeps the model",
        "model = get_peft_model(model, cfg)\n‸",
        "model",
        Held("model", CAUSAL),
    ),
    (
        "moved to a device keeps the model",
        "model = model.to('cuda')\n‸",
        "model",
        Held("model", CAUSAL),
    ),
    ("reassigned to something else", "outputs = model(x)\noutputs = 3\n‸", "outputs", None),
    ("reassigned to generate() output", "out = model(x)\nout = model.generate(x)\n‸", "out", None),
    ("only bindings above count", "‸\noutputs = model(x)", "outputs", None),
    ("an attribute we do not know", "‸", "model.foo", None),
    (
        "a keyword line inside a call is no assignment",
        "Trainer(\n    model=other,\n)\n‸",
        "model",
        Held("model", CAUSAL),
    ),
    ("self-referencing aliases end", "a = b\nb = a\n‸", "a", None),
]


@pytest.mark.parametrize(
    "source,expression,expected", [pytest.param(*c[1:], id=c[0]) for c in RECEIVER_CASES]
)
def test_receivers(source, expression, expected):
    text, line, _ = cursor_of(PRELUDE + source)
    assert analysed(text).held(expression, line) == expected


def test_a_binding_5000_lines_above_is_found():
    text = PRELUDE + "x = 1\n" * 5000 + "outputs = model(ids)\n" + "y = 2\n" * 10
    analysis = analysed(text)
    last = analysis.doc.line_count - 2
    assert analysis.held("outputs", last) == Held("model_output", CAUSAL)
    assert analysis.held("model", last) == Held("model", CAUSAL)
    context = analysis.call_at(last, 0)
    assert context is None
    analysis.doc.replace(last, 0, last, 0, "model(")
    assert analysis.call_at(last, 6).head_class == CAUSAL


def test_calls_know_their_receivers():
    text = (
        PRELUDE
        + "outputs = model(input_ids=x)\n"
        + "model.generate(ids, max_new_tokens=5)\n"
        + "tok(t, padding=True)\n"
    )
    found = [(c.callee, c.kind, c.head_class) for c in analysed(text).calls()]
    assert found[-3:] == [
        ("model", "model", CAUSAL),
        ("model.generate", "generate", CAUSAL),
        ("tok", "tokenizer", None),
    ]


def test_a_block_read_whole_is_read_whole_again_after_an_edit():
    """The re-check after a keystroke looks up dozens of names in the edited block: read in full
    on the first (one pass), not name by name, and the same bindings either way."""
    source = "model = AutoModel.from_pretrained('x')\n" + "y = model(input_ids=x)\n" * 600
    analysis = analysed(source)
    analysis.read_bindings(0)
    analysis.doc.replace(5, 0, 5, 0, "z = 1  ")
    revision = analysis.doc.blocks[0].revision
    assert revision not in analysis._read_whole
    found = analysis.block_bindings(0, "model")
    assert revision in analysis._read_whole
    text = "\n".join(analysis.doc.blocks[0].lines)
    assert found == receivers.bindings_of(text, "model")
    assert analysis.block_bindings(0, "z") == receivers.bindings_of(text, "z")
    untouched = analysis.doc.blocks[1].revision
    analysis.block_bindings(1, "model")  # never read whole: read name by name
    assert untouched not in analysis._read_whole


def test_a_chunk_is_read_again_only_when_an_edit_touched_the_lines_it_read():
    """A chunk's calls depend on its lines and on those below it that its reading went on to
    (as far as its last call still open): an edit below that reach leaves its index as it was."""
    lines = ["f(a=1)"] * 100
    lines[20] = "g(b=1,"  # chunk 1 (lines 16-31) holds a call open down to line 37
    lines[37] = "  c=2)"
    analysis = analysed("\n".join(lines) + "\n")
    assert len(list(analysis.calls())) == 99
    cached = dict(analysis._calls)
    stamps = analysis.doc.blocks[0].stamps
    analysis.doc.replace(36, 0, 36, 0, "x")  # chunk 2, read by chunk 1's open call
    analysis.doc.replace(60, 0, 60, 0, "x")  # chunk 3, read by no chunk above
    list(analysis.calls())
    again = {
        chunk
        for chunk, stamp in enumerate(stamps)
        if analysis._calls[stamp] is not cached.get(stamp)
    }
    assert again == {1, 2, 3}
    fresh = analysed(analysis.doc.text)
    assert list(analysis.calls()) == list(fresh.calls())


# --- following a keystroke's block: the short way and the general way agree --------------------

_FOLLOWED = ("_revisions", "_index_of", "_was", "_read_whole", "_read_whole_next")
# What `_changed` prunes once it grows: both ways must start from the same, or one prunes what
# the other, starting after the first had pruned, finds already gone.
_PRUNED = ("_calls", "_bindings", "_texts", "_bound")


def _followed(analysis: Analysis) -> dict:
    state = {name: copy.deepcopy(getattr(analysis, name)) for name in _FOLLOWED}
    state["_was"] = {
        revision: (was.now, was.by_name, was.whole, was.ordered, was.verdicts)
        for revision, was in state["_was"].items()
    }
    return state


_SOURCE_LINE = st.sampled_from(
    ["model = AutoModel.from_pretrained('x')", "y = model(input_ids=x)", "tok = model", "", "  z"]
)
_TYPED = st.sampled_from(["", "x", "m", " = ", "model", "(", "\n", "\n  ", "a\nb = c\n"])


def _general(analysis: Analysis, block_index: int) -> None:
    analysis._follow_any_edit()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_keystroke_is_followed_as_the_general_way_follows_any_edit(data):
    """`_follow_edit` takes a short way when an edit left every block but the one it started
    in as it was (typing inside a block): the same revisions noted, the same blocks followed
    and the same verdicts kept as `_follow_any_edit`, the way for any edit."""
    lines = data.draw(st.lists(_SOURCE_LINE, min_size=1, max_size=40))
    with patch.object(documents, "BLOCK_LINES", 4):
        analysis = Analysis(Document("file:///a.py", "\n".join(lines), "python"))
        doc = analysis.doc
        told: list[int] = []
        doc.listeners.insert(0, told.append)
        for _ in range(10):
            for index in data.draw(st.lists(st.integers(0, len(doc.blocks) - 1), max_size=2)):
                analysis.read_bindings(index)
                for revision in list(analysis._was):
                    analysis.follows(revision, "model", data.draw(st.booleans()))
            kept = (*_FOLLOWED, *_PRUNED)
            before = {name: copy.deepcopy(getattr(analysis, name)) for name in kept}
            start = data.draw(st.integers(0, doc.line_count - 1))
            end = data.draw(st.integers(start, min(start + 2, doc.line_count - 1)))
            edit = (start, data.draw(st.integers(0, 9)), end, data.draw(st.integers(0, 9)))
            doc.replace(*edit, data.draw(_TYPED))
            short = _followed(analysis)
            short_kept = {name: sorted(getattr(analysis, name)) for name in _PRUNED}
            for name, value in before.items():
                setattr(analysis, name, value)
            with patch.object(Analysis, "_follow_edit", _general):
                analysis._changed(told[-1])
            assert short == _followed(analysis)
            assert short_kept == {name: sorted(getattr(analysis, name)) for name in _PRUNED}


def test_a_keystroke_takes_the_short_way_to_follow_its_block():
    analysis = analysed("model = AutoModel.from_pretrained('x')\n" + "y = model(x)\n" * 600)
    analysis.read_bindings(0)
    revision = analysis.doc.blocks[0].revision
    with patch.object(Analysis, "_follow_any_edit", side_effect=AssertionError("general way")):
        analysis.doc.replace(3, 1, 3, 1, "x")
    assert revision in analysis._was
    with patch.object(Analysis, "_follow_any_edit") as general:
        analysis.doc.replace(3, 1, 3, 1, "\n")  # a line more, in the same block
        analysis.doc.replace(500, 0, 520, 0, "")  # two blocks made one
    general.assert_called_once()


def test_a_request_reads_one_name_where_the_re_check_reads_the_block_again():
    """After an edit of a block read in full, a request's look-up (a hover) reads the one name
    there; the re-check's (under `reading()`) reads the block in full, as before."""
    source = "model = AutoModel.from_pretrained('x')\n" + "y = model(input_ids=x)\n" * 600
    analysis = analysed(source)
    analysis.read_bindings(0)
    analysis.doc.replace(5, 0, 5, 0, "z = 1  ")
    revision = analysis.doc.blocks[0].revision
    at, found = analysis.binding("model", 300)
    assert (at, found.source) == (0, "AutoModel.from_pretrained")
    assert revision not in analysis._read_whole
    assert revision in analysis._read_whole_next
    with analysis.reading():
        assert analysis.binding("z", 300)[0] == 5
    assert revision in analysis._read_whole


_NAME = st.sampled_from(["model", "z", "y", "tok", "x"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_look_ups_after_edits_find_what_a_fresh_reading_finds(data):
    """Requests (one name at a time) and the re-check (under `reading()`) find, in a document
    read in full and then edited, the bindings a document opened with its text finds."""
    lines = data.draw(st.lists(_SOURCE_LINE, min_size=1, max_size=40))
    with patch.object(documents, "BLOCK_LINES", 4):
        analysis = Analysis(Document("file:///a.py", "\n".join(lines), "python"))
        doc = analysis.doc
        for index in range(len(doc.blocks)):
            analysis.read_bindings(index)
        for _ in range(8):
            start = data.draw(st.integers(0, doc.line_count - 1))
            edit = (start, data.draw(st.integers(0, 9)), start, data.draw(st.integers(0, 9)))
            doc.replace(*edit, data.draw(_TYPED))
            fresh = Analysis(Document("file:///b.py", doc.text, "python"))
            for _ in range(3):
                name, line = data.draw(_NAME), data.draw(st.integers(0, doc.line_count - 1))
                if data.draw(st.booleans()):
                    with analysis.reading():
                        found = analysis.binding(name, line)
                else:
                    found = analysis.binding(name, line)
                assert _absolute(found) == _absolute(fresh.binding(name, line))


def _absolute(found):
    """A look-up's binding without its line in its block (the blocks may be cut elsewhere)."""
    return found and (found[0], found[1].name, found[1].how, found[1].source)
