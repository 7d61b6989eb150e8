"""Hovers and completion from the generated catalogue, through the engine (newest release).

The catalogue's facts themselves are checked against real wheels in test_catalogue*.py; here
we check that the engine finds the right name of the right callable in real-looking code."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.engine import COMMON_CALLABLES, Glossary
from transformers_glossary_ls.spotting import VARIABLE_HOMES

from .conftest import cursor_of

PRELUDE = (
    "from transformers import AutoModelForCausalLM, AutoTokenizer, TrainingArguments\n"
    "tok = AutoTokenizer.from_pretrained('x')\n"
    "model = AutoModelForCausalLM.from_pretrained('x')\n"
)


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    g = Glossary()
    g.load()
    return g


def hover(glossary: Glossary, marked: str, markdown: bool = False) -> str | None:
    text, line, index = cursor_of(PRELUDE + marked)
    answer = glossary.hover(Glossary.open("file:///f.py", text, "python"), line, index, markdown)
    return answer.text if answer else None


def top(glossary: Glossary, marked: str, n: int = 3) -> list[str]:
    text, line, index = cursor_of(PRELUDE + marked)
    found = glossary.complete(Glossary.open("file:///f.py", text, "python"), line, index)
    return [c.filter for c in found.candidates[:n]] if found else []


# (id, code with the cursor on the name, what the hover's first line says, then other musts)
HOVERS = [
    (
        "a removed TrainingArguments keyword leads with its status",
        'args = TrainingArguments(output_dir="o", evaluation_str‸ategy="steps")',
        "Removed",
        ["eval_strategy", "TrainingArguments"],
    ),
    (
        "dtype in from_pretrained (new in 4.56)",
        'm = AutoModelForCausalLM.from_pretrained("x", dty‸pe="auto")',
        "(from_pretrained()) dtype",
        [],
    ),
    (
        "an output field of a model call",
        "outputs = model(**batch)\nloss = outputs.log‸its",
        "(ModelOutput) logits",
        ["Shape"],
    ),
    (
        "a config attribute",
        "n = model.config.hidden_si‸ze",
        "(PretrainedConfig) hidden_size",
        [],
    ),
    (
        "a trl config field",
        "from trl import SFTConfig\ncfg = SFTConfig(dataset_text_fi‸eld='text')",
        "(SFTConfig) dataset_text_field",
        ["huggingface.co/docs/trl"],
    ),
    (
        "a peft config field",
        "from peft import LoraConfig\ncfg = LoraConfig(r=8, lora_alp‸ha=16)",
        "(LoraConfig) lora_alpha",
        [],
    ),
    (
        "a model keyword names the class called, not its head family",
        "model(input_ids=x, attention_ma‸sk=m)",
        "(AutoModelForCausalLM) attention_mask",
        ["Shape"],
    ),
    (
        "a generate() keyword",
        "model.generate(ids, max_new_tok‸ens=20)",
        "(generate()) max_new_tokens",
        [],
    ),
    (
        "a snake-case variable answers like its keyword (issue 15)",
        "lora_alp‸ha = 16",
        "(LoraConfig) lora_alpha",
        [],
    ),
    (
        "a self attribute named like a TrainingArguments field",
        "self.warmup_rat‸io = 0.1",
        "warmup_ratio",
        [],
    ),
    (
        "a variable named like a trl config field",
        "dataset_text_fi‸eld = 'text'",
        "(SFTConfig) dataset_text_field",
        [],
    ),
    (
        "the Trainer keyword renamed to processing_class",
        "trainer = Trainer(model=model, tokeni‸zer=tok)",
        "Removed",
        ["processing_class"],
    ),
]


@pytest.mark.parametrize("code,first,musts", [pytest.param(*c[1:], id=c[0]) for c in HOVERS])
def test_catalogue_hovers(glossary, code, first, musts):
    text = hover(glossary, code)
    assert text is not None
    assert first in text.splitlines()[0], text
    for must in musts:
        assert must in text, text


@pytest.mark.parametrize(
    "code",
    [
        pytest.param("x.log‸its", id="attribute of an unknown value"),
        pytest.param("f(valu‸e=1)", id="keyword of an unknown call"),
        pytest.param("valu‸e = 3", id="a plain variable"),
        pytest.param("outputs = compute()\noutputs.log‸its", id="output of an unknown call"),
        pytest.param("model(not_a_real_na‸me=1)", id="a name no release has"),
        pytest.param("hidden_si‸ze = 768", id="a model config name as a variable"),
        pytest.param("num_hea‸ds = 8", id="num_heads as a variable"),
        pytest.param("obj.lora_alp‸ha = 2", id="an attribute of an unknown value"),
        pytest.param("def compute_metri‸cs(p):\n    pass", id="a function named like a keyword"),
    ],
)
def test_generic_names_stay_silent(glossary, code):
    assert hover(glossary, code) is None


# (id, code with the cursor, names that must be in the top 3, names that must not be offered)
COMPLETIONS = [
    ("generate after **inputs", "model.generate(**inputs, ‸", ["max_new_tokens"], []),
    (
        "TrainingArguments starts with what users set",
        "TrainingArguments(‸",
        ["learning_rate", "per_device_train_batch_size"],
        [],
    ),
    ("lr finds learning_rate", "TrainingArguments(output_dir='o', lr‸", ["learning_rate"], []),
    ("grad_accum", "TrainingArguments(grad_accum‸", ["gradient_accumulation_steps"], []),
    ("att: attention_mask first", "model(att‸", ["attention_mask"], []),
    ("text passed by position", "tok(texts, ‸", [], ["text"]),
    (
        "removed names are not offered",
        "TrainingArguments(evaluation_s‸",
        [],
        ["evaluation_strategy"],
    ),
    ("SFTConfig", "from trl import SFTConfig\nSFTConfig(dataset_te‸", ["dataset_text_field"], []),
    ("LoraConfig", "from peft import LoraConfig\nLoraConfig(lora_‸", ["lora_alpha"], []),
    (
        "a processor call offers images",
        "from transformers import AutoProcessor\n"
        "processor = AutoProcessor.from_pretrained('x')\nprocessor(ima‸",
        ["images"],
        [],
    ),
]


@pytest.mark.parametrize("code,musts,nots", [pytest.param(*c[1:], id=c[0]) for c in COMPLETIONS])
def test_catalogue_completion(glossary, code, musts, nots):
    first = top(glossary, code, 3)
    every = top(glossary, code, 1000)
    for must in musts:
        assert must in first, first
    for name in nots:
        assert name not in every, every[:10]
    assert "use_cache" not in top(glossary, "TrainingArguments(‸", 10)


def test_variables_are_looked_up_only_in_callables_read_ahead():
    """A snake-case variable's hover never waits for a catalogue file the engine did not read
    ahead in idle moments."""
    assert set(VARIABLE_HOMES) <= set(COMMON_CALLABLES)
