"""`transformers-glossary-ls explain --all` on the shipped examples (every occurrence; the
grouped default, folders, stdin, JSON and `--full` are in tests/e2e/test_explain_cli.py)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import REPO

FILES = ["examples/train.py", "examples/model_card.md"]
LINE = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<text>.+?) -> (?P<term>[^:]+): (?P<summary>\S.*)$"
)


@pytest.fixture(scope="module")
def explained() -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "transformers_glossary_ls", "explain", "--all", *FILES],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == "", out.stderr  # the shipped vocabulary loads without warnings
    rows = []
    for text in out.stdout.splitlines():
        match = LINE.match(text)
        assert match, f"malformed line: {text!r}"
        rows.append({**match.groupdict(), "line": int(match["line"]), "col": int(match["col"])})
    return rows


def test_every_line_is_well_formed_and_points_at_its_text(explained):
    assert len(explained) > 30
    sources = {name: (REPO / name).read_text(encoding="utf-8").splitlines() for name in FILES}
    for row in explained:
        assert row["path"] in FILES
        line = sources[row["path"]][row["line"] - 1]
        start = row["col"] - 1
        if line[start:].startswith(row["text"]):
            continue
        # a phrase broken across lines is shown by its term; its first word is here
        first_word = row["term"].split()[0].lower()
        assert line[start:].lower().startswith(first_word[:4]), row


def test_files_are_listed_in_order(explained):
    keys = [(FILES.index(r["path"]), r["line"], r["col"]) for r in explained]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    "path,text,term",
    [
        ("examples/train.py", "attention_mask", "attention_mask"),  # keyword argument
        ("examples/train.py", "input_ids", "input_ids"),  # keyword and subscript key
        ("examples/train.py", "padding", "padding"),  # tokenizer option as keyword
        ("examples/train.py", "return_tensors", "return_tensors"),
        ("examples/train.py", "learning_rate", "learning_rate"),  # TrainingArguments
        ("examples/train.py", "labels", "labels"),
        ("examples/train.py", "masked language modeling", "masked language modeling"),  # docstring
        ("examples/train.py", "self-attention", "self-attention"),
        ("examples/train.py", "pre-trained", "pretrained model"),
        ("examples/train.py", "token type IDs", "token type IDs"),  # comment
        ("examples/model_card.md", "fine-tuned", "finetuned model"),
        ("examples/model_card.md", "attention_mask", "attention_mask"),  # inline code
        (
            "examples/model_card.md",
            "causal language modeling",
            "causal language modeling",
        ),  # broken line
        ("examples/model_card.md", "model head", "head"),  # python fence comment
        ("examples/model_card.md", "ZeRO", "Zero Redundancy Optimizer"),
        ("examples/model_card.md", "TP", "Tensor Parallelism"),
    ],
)
def test_expected_terms_are_found(explained, path, text, term):
    assert any(r["path"] == path and r["text"] == text and r["term"] == term for r in explained), (
        path,
        text,
        term,
    )


def test_skipped_and_code_words_are_not_reported(explained):
    card = [r for r in explained if r["path"] == "examples/model_card.md"]
    bash_line = next(
        n
        for n, line in enumerate((REPO / FILES[1]).read_text().splitlines(), 1)
        if "bash fences" in line
    )
    assert all(r["line"] != bash_line for r in card)  # the bash fence is skipped
    train = [r for r in explained if r["path"] == "examples/train.py"]
    # `tokenizer` and `model` as code are variables; "tokenizer" in prose is the glossary term;
    # `Trainer(model=...)` is a keyword of a call we know, and reported as such.
    lines = (REPO / "examples/train.py").read_text().splitlines()

    def keyword(r):
        return lines[r["line"] - 1][r["col"] - 1 + len(r["text"]) :].lstrip().startswith("=")

    assert not any(
        r["text"] in ("tokenizer", "model") and r["term"] != "tokenizer" and not keyword(r)
        for r in train
    )
    assert not any(r["text"] == "truncation" and r["line"] < 10 for r in train)


def test_a_missing_file_is_an_error_but_others_are_still_explained(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "transformers_glossary_ls",
            "explain",
            str(tmp_path / "nope.py"),
            FILES[0],
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "nope.py" in out.stderr
    assert "attention_mask" in out.stdout
