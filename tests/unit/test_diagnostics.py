"""Findings per code, each under two releases (4.45 and the newest), one row a case: the code,
the exact text its range covers and its fix, or nothing where the code is valid."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.catalogue import default_catalogue
from transformers_glossary_ls.diagnostics import (
    BAD_VALUE,
    DEPRECATED_KEYWORD,
    ERROR,
    HINT,
    REMOVED_KEYWORD,
    UNKNOWN_KEYWORD,
    WARNING,
    apply_edits,
    fix_all,
    select,
)
from transformers_glossary_ls.engine import Glossary

NEWEST = default_catalogue().newest("transformers")
OLD = "4.45"


@pytest.fixture(scope="module")
def glossaries() -> dict[str, Glossary]:
    old, new = Glossary(), Glossary()
    old.use_versions({"transformers": OLD + ".2"})
    new.use_versions({"transformers": NEWEST})
    return {OLD: old, NEWEST: new}


def _findings(glossary: Glossary, source: str, uri: str = "file:///t.py"):
    analysis = Glossary.open(uri, source)
    found = glossary.diagnostics(analysis)
    return [
        (
            f.code,
            f.severity,
            analysis.doc.line(f.line)[f.start : f.end],
            [x.edit.text for x in f.fixes],
        )
        for f in found
    ]


LLM = "model = AutoModelForCausalLM.from_pretrained('gpt2')\n"
TOK = "tokenizer = AutoTokenizer.from_pretrained('gpt2')\n"

# (id, source, release, expected findings: (code, severity, covered text, fix texts))
CASES = [
    # TG001: removed in the release in force
    (
        "evaluation_strategy-newest",
        "TrainingArguments(output_dir='o', evaluation_strategy='steps')",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "evaluation_strategy", ["eval_strategy"])],
    ),
    (
        "no_cuda-newest",
        "TrainingArguments('o', no_cuda=True)",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "no_cuda", ["use_cpu"])],
    ),
    (
        "replacement-already-passed",
        "TrainingArguments('o', no_cuda=True, use_cpu=True)",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "no_cuda", [])],
    ),
    (
        "use_auth_token-newest",
        "AutoModel.from_pretrained('m', use_auth_token=True)",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "use_auth_token", ["token"])],
    ),
    (
        "trainer-tokenizer-newest",
        "Trainer(model=m, tokenizer=t)",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "tokenizer", ["processing_class"])],
    ),
    (
        "sftconfig-max_seq_length",
        "SFTConfig(output_dir='o', max_seq_length=512)",
        OLD,
        [(REMOVED_KEYWORD, ERROR, "max_seq_length", ["max_length"])],
    ),
    ("trainer-tokenizer-old", "Trainer(model=m, tokenizer=t)", OLD, []),
    # TG002: deprecated in the release in force
    (
        "evaluation_strategy-old",
        "TrainingArguments(output_dir='o', evaluation_strategy='steps')",
        OLD,
        [(DEPRECATED_KEYWORD, WARNING, "evaluation_strategy", ["eval_strategy"])],
    ),
    (
        "torch_dtype-newest",
        "AutoModelForCausalLM.from_pretrained('m', torch_dtype='auto')",
        NEWEST,
        [(DEPRECATED_KEYWORD, WARNING, "torch_dtype", ["dtype"])],
    ),
    # `dtype` does not exist before 4.56: no finding, and no fix to offer
    ("torch_dtype-old", "AutoModelForCausalLM.from_pretrained('m', torch_dtype='auto')", OLD, []),
    # TG003: unknown to that call in that release, severity per call kind
    (
        "training-args-typo",
        "TrainingArguments('o', learning_rat=1e-4)",
        NEWEST,
        [(UNKNOWN_KEYWORD, ERROR, "learning_rat", ["learning_rate"])],
    ),
    (
        "forward-typo-newest",
        LLM + "model(input_ids=x, attention_masks=m)",
        NEWEST,
        [(UNKNOWN_KEYWORD, WARNING, "attention_masks", ["attention_mask"])],
    ),
    (
        "forward-typo-old",
        LLM + "model(input_ids=x, attention_masks=m)",
        OLD,
        [(UNKNOWN_KEYWORD, WARNING, "attention_masks", ["attention_mask"])],
    ),
    (
        "generate-typo",
        LLM + "model.generate(x, max_new_token=5, attention_mask=m, tokenizer=tok)",
        NEWEST,
        [(UNKNOWN_KEYWORD, ERROR, "max_new_token", ["max_new_tokens"])],
    ),
    (
        "generation-config-keeps-unknown",
        "GenerationConfig(temprature=0.7)",
        OLD,
        [(UNKNOWN_KEYWORD, HINT, "temprature", ["temperature"])],
    ),
    (
        "auto-from-pretrained-takes-config-attributes",
        "AutoModel.from_pretrained('m', num_labels=3, foo=1)",
        NEWEST,
        [],
    ),
    (
        "auto-tokenizer-takes-config-attributes",
        "AutoTokenizer.from_pretrained('m', use_fast=False, foo=1)",
        NEWEST,
        [],
    ),
    (
        "use_auth_token-auto-tokenizer",
        "AutoTokenizer.from_pretrained('m', use_auth_token=True)",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "use_auth_token", ["token"])],
    ),
    # The replacement takes another value: no rename is offered.
    (
        "tp_plan-newest",
        "AutoModelForCausalLM.from_pretrained('m', tp_plan='auto')",
        NEWEST,
        [(DEPRECATED_KEYWORD, WARNING, "tp_plan", [])],
    ),
    (
        "image-processor-use_fast-newest",
        "AutoImageProcessor.from_pretrained('m', use_fast=True)",
        NEWEST,
        [(DEPRECATED_KEYWORD, WARNING, "use_fast", [])],
    ),
    ("spread-hides-unknown", LLM + "model(attention_masks=m, **batch)", NEWEST, []),
    ("generate-of-another-library", "llm.generate(prompts, use_tqdm=False)", NEWEST, []),
    ("unknown-receiver", "runner(attention_masks=m)", NEWEST, []),
    ("user-function-named-like-a-model", "load_model(path='x')", NEWEST, []),
    ("user-class-model-config", "ModelConfig(foo=1)", NEWEST, []),
    # Seen in peft's examples: a class shaped like a model head is called, not a forward.
    (
        "data-collator-for-lm",
        "DataCollatorForLanguageModeling(tokenizer=tokenizer, mlm=False)",
        NEWEST,
        [],
    ),
    ("diffusers-model-class", "ControlNetModel(controlnet_cond=c)", NEWEST, []),
    (
        "diffusers-model-forward",
        "controlnet = ControlNetModel.from_pretrained(p)\ncontrolnet(x, controlnet_cond=c)",
        NEWEST,
        [],
    ),
    ("model-class-built", "LlamaForCausalLM(config, attention_masks=m)", NEWEST, []),
    # generate() reads these itself (4.57+ in a helper it hands its kwargs to)
    (
        "generate-own-kwargs-newest",
        LLM + "model.generate(ids, tokenizer=tok, assistant_tokenizer=t2, stop_strings=['x'])",
        NEWEST,
        [],
    ),
    # 4.45: `tokenizer` and `stop_strings` are taken, `assistant_tokenizer` only from 4.46
    (
        "generate-own-kwargs-old",
        LLM + "model.generate(ids, tokenizer=tok, assistant_tokenizer=t2, stop_strings=['x'])",
        OLD,
        [(UNKNOWN_KEYWORD, ERROR, "assistant_tokenizer", [])],
    ),
    # TG004: a value outside the choices
    (
        "eval_strategy-value",
        "TrainingArguments('o', eval_strategy='step')",
        NEWEST,
        [(BAD_VALUE, ERROR, "'step'", ["'steps'"])],
    ),
    # report_to: the integrations of that release, "all" and "none"; a string or a list
    (
        "report_to-typo-newest",
        "TrainingArguments('o', report_to='wandbb')",
        NEWEST,
        [(BAD_VALUE, ERROR, "'wandbb'", ["'wandb'"])],
    ),
    (
        "report_to-typo-old",
        "TrainingArguments('o', report_to='wandbb')",
        OLD,
        [(BAD_VALUE, ERROR, "'wandbb'", ["'wandb'"])],
    ),
    (
        "report_to-list-item",
        "TrainingArguments('o', report_to=['wandb', 'tensorbord'])",
        NEWEST,
        [(BAD_VALUE, ERROR, "'tensorbord'", ["'tensorboard'"])],
    ),
    (
        "report_to-all-none",
        "TrainingArguments('o', report_to='all')\nTrainingArguments('o', report_to=('none',))",
        NEWEST,
        [],
    ),
    # trackio joined the integrations after 4.45
    ("report_to-trackio-newest", "TrainingArguments('o', report_to='trackio')", NEWEST, []),
    (
        "report_to-trackio-old",
        "TrainingArguments('o', report_to='trackio')",
        OLD,
        [(BAD_VALUE, ERROR, "'trackio'", [])],
    ),
    (
        "padding-value",
        TOK + 'tokenizer(["a"], padding="max-length")',
        OLD,
        [(BAD_VALUE, ERROR, '"max-length"', ['"max_length"'])],
    ),
    (
        "attn-value",
        "AutoModel.from_pretrained('m', attn_implementation='flash_attention2')",
        OLD,
        [(BAD_VALUE, ERROR, "'flash_attention2'", ["'flash_attention_2'"])],
    ),
    (
        "attn-hub-kernel",
        "AutoModel.from_pretrained('m', attn_implementation='kernels/fa')",
        NEWEST,
        [],
    ),
    (
        "return_tensors-tf-newest",
        TOK + "tokenizer('a', return_tensors='tf')",
        NEWEST,
        [(BAD_VALUE, ERROR, "'tf'", [])],
    ),
    ("return_tensors-tf-old", TOK + "tokenizer('a', return_tensors='tf')", OLD, []),
    (
        "removed-task-newest",
        "pipeline('summarization', model='t5-small')",
        NEWEST,
        [(BAD_VALUE, ERROR, "'summarization'", [])],
    ),
    ("removed-task-old", "pipeline('summarization', model='t5-small')", OLD, []),
    ("pipeline-object-called", "pipe = pipeline('text-generation')\npipeline('Hello')", NEWEST, []),
    ("variable-value", "TrainingArguments('o', eval_strategy=strategy)", NEWEST, []),
    # A class the script binds itself is not the library's class of that name.
    (
        "own-class-defined",
        "class SFTConfig:\n    pass\nSFTConfig(fooo=1, evaluation_strategy='steps')",
        NEWEST,
        [],
    ),
    ("own-class-imported", "from mine import SFTConfig\nSFTConfig(fooo=1)", NEWEST, []),
    (
        "own-class-relative",
        "from .configs import (\n    SFTConfig,\n)\nSFTConfig(fooo=1)",
        NEWEST,
        [],
    ),
    ("own-class-alias", "SFTConfig = MyConfig\nSFTConfig(fooo=1)", NEWEST, []),
    (
        "own-model-class",
        "from mine import AutoModel\nAutoModel.from_pretrained('x', torch_dtype=t)",
        NEWEST,
        [],
    ),
    (
        "library-class-imported",
        "from trl import SFTConfig\nSFTConfig(fooo=1)",
        NEWEST,
        [(UNKNOWN_KEYWORD, ERROR, "fooo", [])],
    ),
    (
        "library-class-imported-from-a-submodule",
        "from transformers.training_args import (\n    TrainingArguments,  # ours? no\n)\n"
        "TrainingArguments('o', evaluation_strategy='steps')",
        NEWEST,
        [(REMOVED_KEYWORD, ERROR, "evaluation_strategy", ["eval_strategy"])],
    ),
    (
        "library-pipeline-imported",
        "from transformers import pipeline\npipeline('summarization', model='t5-small')",
        NEWEST,
        [(BAD_VALUE, ERROR, "'summarization'", [])],
    ),
    ("own-pipeline", "from mine import pipeline\npipeline('summarization')", NEWEST, []),
    # suppression
    ("suppressed", "TrainingArguments('o', fooo=1)  # glossary: ignore[TG003]", NEWEST, []),
    ("suppressed-bare", "TrainingArguments('o', fooo=1)  # glossary: ignore", NEWEST, []),
    (
        "suppressed-other-code",
        "TrainingArguments('o', fooo=1)  # glossary: ignore[TG001]",
        NEWEST,
        [(UNKNOWN_KEYWORD, ERROR, "fooo", [])],
    ),
]


@pytest.mark.parametrize(
    ("source", "release", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_findings(glossaries, source, release, expected):
    assert _findings(glossaries[release], source) == expected


def test_markdown_fences_only(glossaries):
    text = (
        "Use `TrainingArguments(evaluation_strategy='steps')` in prose: not code.\n\n"
        "```python\nargs = TrainingArguments('o', evaluation_strategy='steps')\n```\n"
        "```bash\nTrainingArguments(evaluation_strategy='steps')\n```\n"
    )
    found = _findings(glossaries[NEWEST], text, "file:///r.md")
    assert found == [(REMOVED_KEYWORD, ERROR, "evaluation_strategy", ["eval_strategy"])]


def test_fix_all_touches_only_the_names():
    glossary = Glossary()
    source = (
        "args = TrainingArguments(\r\n"
        "    output_dir='o',  # é\r\n"
        "    evaluation_strategy='step', no_cuda=True,\r\n"
        ")\r\n"
    )
    analysis = Glossary.open("file:///f.py", source)
    edits = fix_all(glossary.diagnostics(analysis))
    fixed = apply_edits(source, edits)
    assert fixed == source.replace("evaluation_strategy='step'", "eval_strategy='steps'").replace(
        "no_cuda", "use_cpu"
    )


def test_select_and_ignore():
    glossary = Glossary()
    analysis = Glossary.open("file:///s.py", "TrainingArguments('o', no_cuda=1, x=2)")
    found = glossary.diagnostics(analysis)
    assert [f.code for f in select(found, ["TG001"])] == ["TG001"]
    assert [f.code for f in select(found, (), ["TG001"])] == ["TG003"]


def test_doctest_prompts_in_a_markdown_fence(glossaries):
    """The transformers docs write examples with `>>>` and `...`: a keyword after a `...`
    prompt is the call's keyword, and its range is the name alone."""
    source = (
        "```py\n"
        ">>> args = TrainingArguments(\n"
        "...     output_dir='o',\n"
        "...     evaluation_strategy='epoch',\n"
        "... )\n"
        "...\n"
        "```\n"
    )
    found = _findings(glossaries[NEWEST], source, "file:///docs.md")
    assert found == [(REMOVED_KEYWORD, ERROR, "evaluation_strategy", ["eval_strategy"])]
