"""The call index and receivers: which call the cursor is in, what is called, what was passed,
and what variables hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.analysis.receivers import bindings_in, bindings_of
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.kinds import class_of, kind_of_class

CURSOR = "‸"
HEADER = (
    "tok = AutoTokenizer.from_pretrained('x')\n"
    "model = AutoModelForTokenClassification.from_pretrained('x')\n"
    "model = model.to('cuda')\n"
)


def context(source: str, language: str = "python"):
    """The call context at the ‸ in `source` (HEADER prepended for Python)."""
    text = (HEADER if language == "python" else "") + source
    before, _, after = text.partition(CURSOR)
    line = before.count("\n")
    index = len(before) - (before.rfind("\n") + 1)
    suffix = ".py" if language == "python" else ".md"
    doc = Document(f"file:///t{suffix}", before + after, language)
    return Analysis(doc).call_at(line, index)


# (id, source, callee, kind, head class, passed)
CASES = [
    (
        "model call",
        "model(input_ids=x, ‸)",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"input_ids"},
    ),
    (
        "receiver re-assigned with .to() keeps its class",
        "model(‸",
        "model",
        "model",
        "AutoModelForTokenClassification",
        set(),
    ),
    (
        "tokenizer by assignment",
        "tok(texts, padding=True, ‸",
        "tok",
        "tokenizer",
        None,
        {"padding"},
    ),
    (
        "generate",
        "model.generate(ids, max_new_tokens=5, ‸)",
        "model.generate",
        "generate",
        "AutoModelForTokenClassification",
        {"max_new_tokens"},
    ),
    (
        "TrainingArguments",
        "args = TrainingArguments(output_dir='o', ‸",
        "TrainingArguments",
        "training_args",
        None,
        {"output_dir"},
    ),
    (
        "from_pretrained",
        "m = AutoModelForCausalLM.from_pretrained('x', ‸",
        "AutoModelForCausalLM.from_pretrained",
        "from_pretrained",
        "AutoModelForCausalLM",
        set(),
    ),
    (
        "unknown name guessed from its own name",
        "my_tokenizer(‸",
        "my_tokenizer",
        "tokenizer",
        None,
        set(),
    ),
    ("unknown call", "print(‸", "print", None, None, set()),
    (
        "multi-line call",
        "out = model(\n    input_ids=ids,\n    attention_mask=m,\n    ‸\n)",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"input_ids", "attention_mask"},
    ),
    (
        "keywords after the cursor count as passed",
        "model(‸, labels=y,\n    pixel_values=p)",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"labels", "pixel_values"},
    ),
    (
        "nested call: the inner one",
        "model(input_ids=tok(texts, ‸), labels=y)",
        "tok",
        "tokenizer",
        None,
        set(),
    ),
    (
        "after a nested call: the outer one",
        "model(input_ids=tok(texts), ‸",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"input_ids"},
    ),
    (
        "inner keywords are not the outer call's",
        "model(x=f(labels=1), ‸",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"x"},
    ),
    (
        "parenthesis inside a string",
        "model(input_ids=x, name='a(b', ‸",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"input_ids", "name"},
    ),
    (
        "parenthesis inside a comment",
        "model(  # call (\n    input_ids=x, ‸",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"input_ids"},
    ),
    (
        "incomplete code being typed",
        "outputs = model(input_ids=x, attention_m‸",
        "model",
        "model",
        "AutoModelForTokenClassification",
        {"input_ids"},
    ),
]


@pytest.mark.parametrize(
    "source,callee,kind,head,passed", [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_call_context(source, callee, kind, head, passed):
    ctx = context(source)
    assert ctx is not None
    assert (ctx.callee, ctx.kind, ctx.head_class, ctx.passed) == (callee, kind, head, passed)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("x = 1 + ‸", id="not in a call"),
        pytest.param("model(input_ids=[1, ‸", id="inside a list in a call"),
        pytest.param("d = {'a': ‸", id="inside a dict"),
        pytest.param("model(x)\ny = ‸", id="after a closed call"),
        pytest.param("s = 'model(‸'", id="inside a string"),
    ],
)
def test_no_call(source):
    assert context(source) is None


def test_value_position():
    assert context("tok(texts, padding=‸").value_of == "padding"
    assert context("tok(texts, padding=True, ‸").value_of is None


def test_python_fence_in_markdown():
    source = (
        "Text.\n\n```python\n"
        "model = AutoModelForCausalLM.from_pretrained('x')\n"
        "model(input_ids=x, ‸\n```\n"
    )
    ctx = context(source, "markdown")
    assert (ctx.callee, ctx.kind, ctx.head_class) == ("model", "model", "AutoModelForCausalLM")


def test_call_does_not_reach_across_the_fence():
    source = "```python\nmodel(\n```\n\n```python\nx = ‸\n```\n"
    assert context(source, "markdown") is None


def test_assignments_and_classes():
    text = "a == Foo(x)\nself.model: M = AutoModel.from_pretrained(x)\nf(x=Bar())\nm = m.to(d)\n"
    assert [(b.name, b.how, b.source) for b in bindings_in(text)] == [
        ("model", "class", "AutoModel.from_pretrained")
    ]
    assert class_of("transformers.AutoModelForCausalLM.from_pretrained") == "AutoModelForCausalLM"
    assert kind_of_class("BertTokenizerFast") == "tokenizer"
    assert kind_of_class("AutoImageProcessor") == "image_processor"
    assert kind_of_class("Seq2SeqTrainingArguments") == "training_args"
    assert kind_of_class("LlavaForConditionalGeneration") == "model"


def test_definitions_and_imports_bind_names():
    text = (
        "from transformers import Trainer, AutoModel as AM\n"
        "from train_distill import DistillationCollator, DistillationTrainer\n"
        "from .local import (\n"
        "    SFTConfig,  # the config, not `config`\n"
        "    LoraConfig as LC,\n"
        ")\n"
        "from x import *\n"
        "class DistillationTrainer(Trainer):\n"
        "    def __init__(self, *args, top_k: int = 20, **kwargs):\n"
        "        pass\n"
        "async def generate(x):\n"
        "    pass\n"
        "classic = 1\n"
        "define_it(x)\n"
    )
    assert [(b.line, b.name, b.how, b.source) for b in bindings_in(text)] == [
        (0, "Trainer", "imported", "transformers"),
        (0, "AM", "imported", "transformers"),
        (1, "DistillationCollator", "imported", "train_distill"),
        (1, "DistillationTrainer", "imported", "train_distill"),
        (3, "SFTConfig", "imported", ".local"),
        (4, "LC", "imported", ".local"),
        (7, "DistillationTrainer", "defined", "class"),
        (8, "__init__", "defined", "def"),
        (10, "generate", "defined", "def"),
        (12, "classic", "unknown", "1"),
    ]
    # Each name read alone finds the same (what a first look-up does before warm-up).
    for name in (
        "Trainer",
        "AM",
        "AutoModel",
        "DistillationTrainer",
        "SFTConfig",
        "LoraConfig",
        "LC",
        "config",
        "the",
        "generate",
        "x",
        "classic",
        "define_it",
        "top_k",
    ):
        assert bindings_of(text, name) == [b for b in bindings_in(text) if b.name == name], name


REAL_PYTHON = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "upstream").rglob("*.py"))


@pytest.mark.parametrize("path", REAL_PYTHON, ids=lambda p: p.name)
def test_one_name_at_a_time_reads_what_the_whole_reading_does(path):
    text = path.read_text(encoding="utf-8")
    every = bindings_in(text)
    names = set(re.findall(r"[A-Za-z_]\w*", text))
    for name in names:
        assert bindings_of(text, name) == [b for b in every if b.name == name], name


@pytest.mark.parametrize(
    "source",
    [
        "out = f(x).model(attention_mask=m, ‸",
        "batch[0].model(‸",
        '"a".tokenizer(‸',
        "z = (a).model(‸",
    ],
)
def test_an_attribute_of_a_value_we_cannot_name_is_no_known_call(source):
    # Not `model(` / `tokenizer(` called by name: what is called hangs off a call, a subscript
    # or a string.
    assert context(source) is None
