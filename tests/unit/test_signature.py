"""Signature help, one row a case: the names shown (passed ones and the active one, never the
whole list), which is active, their statuses in the release in force, and the active one's
documentation, which is the hover's text."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.catalogue import default_catalogue
from transformers_glossary_ls.engine import Glossary

from tests.unit.conftest import cursor_of

NEWEST = default_catalogue().newest("transformers")
OLD = "4.45"
TA = "from transformers import TrainingArguments\nargs = TrainingArguments("
TOK = "tokenizer = AutoTokenizer.from_pretrained('gpt2')\n"
LLM = "model = AutoModelForCausalLM.from_pretrained('gpt2')\n"


@pytest.fixture(scope="module")
def glossaries() -> dict[str, Glossary]:
    old, new = Glossary(), Glossary()
    old.use_versions({"transformers": OLD + ".2"})
    new.use_versions({"transformers": NEWEST})
    return {OLD: old, NEWEST: new}


# (id, source with ‸, release, shown callable, [(name, status)], active name, in active's docs)
CASES = [
    (
        "open-paren-positional",
        TA + "‸",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok")],
        "output_dir",
        "output_dir",
    ),
    (
        "value-being-typed",
        TA + "'o', eval_strategy='st‸",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok"), ("eval_strategy", "ok")],
        "eval_strategy",
        '"steps"',
    ),
    (
        "removed-newest",
        TA + "'o', evaluation_strategy=‸",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok"), ("evaluation_strategy", "removed")],
        "evaluation_strategy",
        "Removed",
    ),
    (
        "deprecated-old",
        TA + "'o', evaluation_strategy=‸",
        OLD,
        "TrainingArguments",
        [("output_dir", "ok"), ("evaluation_strategy", "deprecated")],
        "evaluation_strategy",
        "Deprecated",
    ),
    (
        "not-yet-old",
        TA + "'o', eval_strategy='steps', use_liger_kernel=‸",
        "4.40",
        "TrainingArguments",
        [("output_dir", "ok"), ("eval_strategy", "not_yet"), ("use_liger_kernel", "not_yet")],
        "use_liger_kernel",
        "new in",
    ),
    (
        "name-without-equals",
        TA + "'o', max_steps‸",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok"), ("max_steps", "ok")],
        "max_steps",
        "max_steps",
    ),
    (
        "after-comma-no-active",
        TA + "'o', max_steps=10, ‸",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok"), ("max_steps", "ok")],
        None,
        None,
    ),
    (
        "later-keywords-shown",
        TA + "'o', learning_rate=‸, seed=1)",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok"), ("learning_rate", "ok"), ("seed", "ok")],
        "learning_rate",
        "learning_rate",
    ),
    (
        "unknown-keyword",
        TA + "'o', lerning_rate=1, seed=‸",
        NEWEST,
        "TrainingArguments",
        [("output_dir", "ok"), ("lerning_rate", "unknown"), ("seed", "ok")],
        "seed",
        "seed",
    ),
    (
        "tokenizer-second-positional",
        TOK + "tokenizer('q', ‸",
        NEWEST,
        "tokenizer",
        [("text", "ok"), ("text_pair", "ok")],
        "text_pair",
        "text_pair",
    ),
    (
        "model-forward-few-not-all",
        LLM + "out = model(input_ids=ids, attention_mask=‸",
        NEWEST,
        "AutoModelForCausalLM",
        [("input_ids", "ok"), ("attention_mask", "ok")],
        "attention_mask",
        "attention_mask",
    ),
    ("nested-call-is-its-own", TA + "'o', report_to=list(‸", NEWEST, None, None, None, None),
    ("unknown-callee", "foo(x, y=‸", NEWEST, None, None, None, None),
    ("outside-any-call", TA + "'o')\n‸", NEWEST, None, None, None, None),
]


@pytest.mark.parametrize(
    "source, release, shown, params, active, docs",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_signature(glossaries, source, release, shown, params, active, docs):
    glossary = glossaries.get(release)
    if glossary is None:
        glossary = Glossary()
        glossary.use_versions({"transformers": release + ".0"})
    text, line, index = cursor_of(source)
    found = glossary.signature(Glossary.open("file:///t.py", text, "python"), line, index, False)
    if shown is None:
        assert found is None
        return
    assert found is not None
    assert found.shown == shown
    assert [(p.name, p.status) for p in found.parameters] == params
    names = [p.name for p in found.parameters]
    assert found.active == (names.index(active) if active else None)
    if active:
        text = found.parameters[found.active].documentation
        assert docs in text
    # Each label offset names its own parameter in the signature's label.
    for p, (start, end) in zip(found.parameters, found.offsets(), strict=True):
        assert found.label[start:end] == p.label


def test_active_documentation_is_the_hover_text(glossaries):
    """The same words as hovering the keyword, status line included."""
    glossary = glossaries[NEWEST]
    text, line, index = cursor_of(TA + "'o', evaluation_strategy=‸")
    analysis = Glossary.open("file:///t.py", text, "python")
    found = glossary.signature(analysis, line, index, True)
    hovered = glossary.hover(analysis, line, text.splitlines()[1].index("evaluation"), True)
    assert found.parameters[found.active].documentation == hovered.text
