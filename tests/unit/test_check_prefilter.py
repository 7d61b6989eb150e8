"""`check` reads a document once with a textual prefilter (issue 14, section 6): only the lines
where a call we may be sure of opens are indexed, and only their calls passing a keyword are
identified. It must never lose a finding: on the real files the other tests use,
under three releases, and on generated documents, `Checker.findings` (prefiltered) equals
`Checker.check` (every call, as the server checks). Counted in lines indexed, never timed.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.analysis import Analysis
from transformers_glossary_ls.catalogue import default_catalogue, minor
from transformers_glossary_ls.diagnostics import Checker
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.facts import Facts
from transformers_glossary_ls.notebooks import Notebook, read_ipynb

from .conftest import UPSTREAM

CATALOGUE = default_catalogue()
RELEASES = ("4.40.2", "4.51.3", None)  # None: the newest release the catalogue knows


def _checker(release: str | None) -> Checker:
    if release is None:
        return Checker(Facts(CATALOGUE))
    return Checker(Facts(CATALOGUE, {"transformers": minor(release)}, frozenset({"transformers"})))


CHECKERS = {release: _checker(release) for release in RELEASES}


def _units(path: Path, text: str) -> list[Analysis]:
    """A file's analyses as `check` reads it: the file, or a notebook's cells."""
    if path.suffix == ".ipynb":
        return [a for _cell, a in read_ipynb(text).open(path.as_uri())]
    return [Analysis(Document(path.as_uri(), text))]


def _both(checker: Checker, path: Path, text: str) -> tuple[list, list]:
    """(prefiltered, every call) findings of a file, each from analyses of their own."""
    once = [f for a in _units(path, text) for f in checker.findings(a)]
    every = [f for a in _units(path, text) for f in checker.check(a)]
    return once, every


REAL = sorted(
    p for p in UPSTREAM.rglob("*") if p.suffix in (".py", ".md", ".mdx", ".ipynb") and p.is_file()
)


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r or "newest")
def test_the_prefilter_loses_nothing_on_the_real_files(release):
    checker = CHECKERS[release]
    found = 0
    for path in REAL:
        once, every = _both(checker, path, path.read_text(encoding="utf-8"))
        assert once == every, path.name
        found += len(every)
    assert len(REAL) >= 20 and found > 0  # the comparison has findings to lose


def test_the_prefilter_leaves_most_lines_unread():
    checker = _checker(None)
    total = 0
    for path in REAL:
        for analysis in _units(path, path.read_text(encoding="utf-8")):
            checker.findings(analysis)
            total += analysis.doc.line_count
    assert 0 < checker.lines_indexed < total / 10


@pytest.mark.wheels
@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r or "newest")
def test_the_prefilter_loses_nothing_on_trl_scripts(release):
    from tests.wheels import wheel

    trl = zipfile.ZipFile(wheel("trl", CATALOGUE.newest("trl")))
    names = [n for n in trl.namelist() if n.startswith("trl/scripts/") and n.endswith(".py")]
    assert len(names) >= 6
    for name in names:
        once, every = _both(CHECKERS[release], Path("/" + name), trl.read(name).decode())
        assert once == every, name


# Each way a call can be one we are sure of, and so each way the prefilter must let it through.
# Opened on the first line of the second chunk, a keyword 70 lines below (the index follows it).
LONG_CALL = (
    "\n" * 16 + "args = TrainingArguments(\n" + "    output_dir='o',\n" * 69 + "  no_cuda=1)"
)
ROWS = [
    ("a model called by its name", "python", "model(x, attention_masks=m)\n"),
    ("self.model", "python", "self.model(x, attention_masks=m)\n"),
    (
        "a name bound to a model",
        "python",
        "lm = AutoModelForCausalLM.from_pretrained('gpt2')\nlm(input_ids, attention_masks=m)\n",
    ),
    (
        "an attribute of self bound to a model",
        "python",
        "self.lm = LlamaForCausalLM(config)\nself.lm(input_ids, attention_masks=m)\n",
    ),
    (
        "an attribute holding a kind of call",
        "python",
        "processor = AutoProcessor.from_pretrained('p')\nprocessor.tokenizer(x, padding='max')\n",
    ),
    ("generate() of a model", "python", "model.generate(x, attention_masks=m)\n"),
    ("a class by its package", "python", "transformers.TrainingArguments('o', no_cuda=True)\n"),
    ("from_pretrained()", "python", "AutoModel.from_pretrained('x', use_auth_token=True)\n"),
    ("pipeline()'s task by position", "python", "pipeline('summarization')\n"),
    ("a callee after a call", "python", "f(x); model(attention_masks=m)\n"),
    ("a callee after a digit", "python", "9model(attention_masks=m)\n"),
    (
        "a tab and a form feed",
        "python",
        "model\t(x, attention_masks=m)\nmodel\x0c(attention_masks=m)",
    ),
    (
        "keywords far below the call",
        "python",
        "model(\n" + "    x,\n" * 30 + "    attention_masks=m)\n",
    ),
    ("a call longer than a chunk", "python", LONG_CALL),
    ("a doctest in a fence", "markdown", "```python\n>>> model(x, attention_masks=m)\n```\n"),
]


@pytest.mark.parametrize("language,text", [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_each_way_to_be_sure_of_a_call_passes_the_prefilter(language, text):
    once, every = _both(
        CHECKERS[None], Path("/t" + (".py" if language == "python" else ".md")), text
    )
    assert every and once == every


@pytest.mark.parametrize(
    "text", ["f(x).model(attention_masks=m)\n", "b[0].model(attention_masks=m)\n"]
)
def test_an_attribute_of_an_unnamed_value_is_checked_by_neither(text):
    assert _both(CHECKERS[None], Path("/t.py"), text) == ([], [])


def test_a_name_bound_in_an_earlier_cell_passes_the_prefilter():
    cells = ["lm = AutoModelForCausalLM.from_pretrained('gpt2')\n", "lm(x, attention_masks=m)\n"]
    every = [f for a in _cells(cells) for f in CHECKERS[None].check(a)]
    assert every and [f for a in _cells(cells) for f in CHECKERS[None].findings(a)] == every


# -- generated documents ----------------------------------------------------------------------
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Callees in every shape the index reads (after a string, a call, a digit, spaces, a tab or a
# form feed), assignments that make a name hold a kind, and keywords and values with findings.
TOKENS = [
    "model(",
    "self.model(",
    "model.generate(",
    "lm.generate(",
    "self.lm(",
    "lm(",
    "pipeline(",
    "pipe(",
    "TrainingArguments(",
    "transformers.TrainingArguments(",
    "Seq2SeqTrainingArguments(",
    "trl.SFTConfig(",
    "SFTConfig(",
    "LoraConfig(",
    "GenerationConfig(",
    "Trainer(",
    "ModelConfig(",
    "LlamaForCausalLM(",
    "AutoModelForCausalLM.from_pretrained(",
    "AutoTokenizer.from_pretrained(",
    "ControlNetModel.from_pretrained(",
    "tokenizer(",
    "processor.tokenizer(",
    "tokenizer.pad(",
    "print(",
    '"x".join(',
    "f(x).model(",
    "9model(",
    "x9.generate(",
    "model (",
    "model\t(",
    "model\x0c(",
    "lambda: model(",
    "lm = AutoModelForCausalLM.from_pretrained('gpt2')\n",
    "lm = model\n",
    "self.lm = LlamaForCausalLM(config)\n",
    "args: TrainingArguments\n",
    "model = make()\n",
    "tok = AutoTokenizer.from_pretrained('t')\n",
    "processor = AutoProcessor.from_pretrained('p')\n",
    "pipeline = pipeline('text-generation')\n",
    "pipe = pipeline\n",
    "pipeline('summarization')",
    "processor.tokenizer(x, padding='max-length')",
    "self.lm.generation_config(attention_masks=m)",
    "lm(input_ids, attention_masks=m)",
    "self.lm(x, token_type_id=t)",
    "evaluation_strategy=",
    "eval_strategy='step'",
    "eval_strategy=",
    "attention_masks=m",
    "attention_mask=m",
    "torch_dtype=",
    "use_auth_token=True",
    "padding='max-length'",
    "report_to='wandbb'",
    "task=",
    "'summarization'",
    '"visual-question-answering"',
    "no_cuda=True",
    "warmup_ratio=0.1",
    "**kw",
    "x",
    ", ",
    ",",
    ")",
    "(",
    "[",
    "]",
    "=",
    "==",
    "\n",
    "\r\n",
    "    ",
    '"',
    "'",
    '"""',
    "#",
    "  # glossary: ignore",
    ">>> ",
    "... ",
    "```python\n",
    "```py\n",
    "```\n",
    "\\",
]
documents = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@FUZZ
@given(
    text=documents,
    language=st.sampled_from(["python", "markdown"]),
    release=st.sampled_from(RELEASES),
)
def test_the_prefilter_loses_nothing_on_generated_documents(text, language, release):
    suffix = ".py" if language == "python" else ".md"
    once, every = _both(CHECKERS[release], Path("/t" + suffix), text)
    assert once == every


def _cells(cells: list[str]) -> list[Analysis]:
    notebook = Notebook("file:///n.ipynb")
    notebook.order = [f"file:///n.ipynb#cell{k}" for k in range(len(cells))]
    return [
        notebook.open_cell(uri, text, False, "python")
        for uri, text in zip(notebook.order, cells, strict=True)
    ]


@FUZZ
@given(cells=st.lists(documents, min_size=1, max_size=3), release=st.sampled_from(RELEASES))
def test_the_prefilter_loses_nothing_in_notebook_cells(cells, release):
    """A cell's receivers may be bound in the cells above it."""
    checker = CHECKERS[release]
    once = [f for a in _cells(cells) for f in checker.findings(a)]
    every = [f for a in _cells(cells) for f in checker.check(a)]
    assert once == every
