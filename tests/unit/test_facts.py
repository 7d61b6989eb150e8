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
        "tokenizer.pad( takes the tokenizer's keywords",
        "batch = tok.pad(features, paddi‸ng='longest', return_tensors='pt')",
        "(tokenizer()) padding",
        [],
    ),
    (
        "a keyword 5.x accepts and drops says so first",
        'm = AutoModelForCausalLM.from_pretrained("x", from_t‸f=True)',
        "Ignored in 5.25",
        ["(from_pretrained()) from_tf"],
    ),
    (
        'tp_plan: deprecated for distributed_config ("Passing `tp_plan` directly to ...")',
        'm = AutoModelForCausalLM.from_pretrained("x", tp_pl‸an="auto")',
        "Deprecated since 5.16",
        ["(from_pretrained()) tp_plan", "use distributed_config", "distributed_config=Distributed"],
    ),
    (
        "AutoTokenizer's own use_fast, which 5.x pops and drops",
        'tok = AutoTokenizer.from_pretrained("x", use_fa‸st=True)',
        "Ignored in 5.25",
        ["(from_pretrained()) use_fast"],
    ),
    (
        "AutoTokenizer's own tokenizer_type",
        'tok = AutoTokenizer.from_pretrained("x", tokenizer_ty‸pe="bert")',
        "(from_pretrained()) tokenizer_type",
        [],
    ),
    (
        "AutoTokenizer: what the tokenizer's from_pretrained takes",
        'tok = AutoTokenizer.from_pretrained("x", cache_d‸ir="c")',
        "(from_pretrained()) cache_dir",
        [],
    ),
    (
        "AutoImageProcessor's use_fast: deprecated for backend in 5.x",
        'p = AutoImageProcessor.from_pretrained("x", use_fa‸st=True)',
        "Deprecated",
        ["(from_pretrained()) use_fast", "use backend instead"],
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
    (
        "a concrete class offers what its own forward takes",
        "from transformers import PerceiverForOpticalFlow\n"
        "flow = PerceiverForOpticalFlow.from_pretrained('deepmind/optical-flow-perceiver')\n"
        "flow(inp‸",
        ["inputs"],
        ["input_ids", "input_features"],
    ),
    ("SFTConfig", "from trl import SFTConfig\nSFTConfig(dataset_te‸", ["dataset_text_field"], []),
    ("LoraConfig", "from peft import LoraConfig\nLoraConfig(lora_‸", ["lora_alpha"], []),
    (
        "AutoTokenizer.from_pretrained offers its own keywords",
        "AutoTokenizer.from_pretrained('x', tokenizer_t‸",
        ["tokenizer_type"],
        [],
    ),
    (
        "AutoTokenizer.from_pretrained offers the tokenizer's too",
        "AutoTokenizer.from_pretrained('x', cache_d‸",
        ["cache_dir"],
        [],
    ),
    (
        "an AutoModel's from_pretrained offers the model's, not AutoTokenizer's",
        "AutoModelForCausalLM.from_pretrained('x', ‸",
        ["dtype", "device_map"],
        ["use_fast", "tokenizer_type"],
    ),
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


# (id, code with the cursor, what the hover must say, what it must not)
ENTRY_PER_CALL = [
    (
        "generate()'s words for its inputs",
        "model.generate(inpu‸ts=prompt_ids)",
        ["(generate()) inputs", "Prompt tensor for generate()"],
        [],
    ),
    (
        "a model's own inputs are not generate()'s",
        "from transformers import PerceiverForOpticalFlow\n"
        "flow = PerceiverForOpticalFlow.from_pretrained('deepmind/optical-flow-perceiver')\n"
        "flow(inpu‸ts=patches)",
        ["(PerceiverForOpticalFlow) inputs", "(batch_size, 2, 27, height, width)"],
        ["generate()", "Prompt tensor"],
    ),
]


@pytest.mark.parametrize("code,musts,nots", [pytest.param(*c[1:], id=c[0]) for c in ENTRY_PER_CALL])
def test_our_words_only_for_the_calls_they_were_written_for(glossary, code, musts, nots):
    text = hover(glossary, code)
    assert text is not None
    for must in musts:
        assert must in text, text
    for wrong in nots:
        assert wrong not in text, text


# The examples of issue 11 §3, each with the top 3 it must give, in order (newest release,
# usage.json's counts). What the issue found wrong is in the comment.
PROCESSOR = (
    "from transformers import AutoProcessor\nprocessor = AutoProcessor.from_pretrained('x')\n"
)
RANKING = [
    (
        "generate after **inputs (twelve model inputs came first)",
        "model.generate(**inputs, ‸",
        ["max_new_tokens", "do_sample", "max_length"],
    ),
    (
        "TrainingArguments( (started with use_cache)",
        "TrainingArguments(‸",
        ["learning_rate", "per_device_train_batch_size", "num_train_epochs"],
    ),
    (
        "lr (did not find learning_rate)",
        "TrainingArguments(output_dir='o', lr‸",
        ["learning_rate", "lr_scheduler_type", "lr_scheduler_kwargs"],
    ),
    (
        "att (put cross_attn_head_mask before attention_mask)",
        "model(att‸",
        ["attention_mask", "output_attentions", "decoder_attention_mask"],
    ),
    (
        "tokenizer(texts, (offered text= again)",
        "tok(texts, ‸",
        ["truncation", "return_tensors", "padding"],
    ),
    (
        "an AutoProcessor call (offered only tokenizer keywords)",
        PROCESSOR + "processor(‸",
        ["return_tensors", "images", "text"],
    ),
    (
        "bs",
        "TrainingArguments(bs‸",
        ["per_device_train_batch_size", "per_device_eval_batch_size", "auto_find_batch_size"],
    ),
    ("grad_accum", "TrainingArguments(grad_accum‸", ["gradient_accumulation_steps"]),
]


@pytest.mark.parametrize("code,expected", [pytest.param(*c[1:], id=c[0]) for c in RANKING])
def test_ranking_of_the_issues_examples(glossary, code, expected):
    assert top(glossary, code) == expected


def test_variables_are_looked_up_only_in_callables_read_ahead():
    """A snake-case variable's hover never waits for a catalogue file the engine did not read
    ahead in idle moments."""
    assert set(VARIABLE_HOMES) <= set(COMMON_CALLABLES)
