"""`explain` and `check` on Jupyter notebooks: cells by number, positions `cell:line:col`,
invalid JSON and huge outputs tolerated, and `check --fix` changing the fixed text and no other
byte of a real notebook (its escapes, outputs, metadata and formatting kept)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.lspclient import SERVER

UPSTREAM = Path(__file__).parents[1] / "fixtures" / "upstream" / "notebooks"
REAL = UPSTREAM / "push_to_hub_pt.ipynb"  # huggingface/notebooks, course/videos


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [*SERVER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _notebook(cells: list[tuple[str, object]], language: str | None = None, **extra) -> str:
    metadata = {"language_info": {"name": language}} if language else {}
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source, **extra}
                for kind, source in cells
            ],
            "metadata": metadata,
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    )


def test_check_reports_cell_line_column(tmp_path):
    copy = tmp_path / "nb.ipynb"
    copy.write_bytes(REAL.read_bytes())
    out = _run(tmp_path, "check", "--target-version", "5.0", "nb.ipynb")
    assert out.returncode == 1, out.stderr
    lines = out.stdout.splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["nb.ipynb:11:5:5:", "TG001"],  # cell 11, line 5: `    evaluation_strategy="epoch",`
        ["nb.ipynb:12:9:5:", "TG001"],  # cell 12: Trainer(..., tokenizer=tokenizer)
    ]
    assert "evaluation_strategy" in lines[0] and "`tokenizer`" in lines[1]
    rows = json.loads(
        _run(tmp_path, "check", "--target-version", "5.0", "--format", "json", "nb.ipynb").stdout
    )
    assert [(r["cell"], r["line"], r["column"], r["code"]) for r in rows] == [
        (11, 5, 5, "TG001"),
        (12, 9, 5, "TG001"),
    ]
    github = _run(tmp_path, "check", "--target-version", "5.0", "--format", "github", "nb.ipynb")
    assert github.stdout.startswith(
        "::error file=nb.ipynb,title=TG001 (cell 11, line 5, column 5)::`evaluation_strategy`"
    )
    assert copy.read_bytes() == REAL.read_bytes()  # reading never rewrites


def test_fix_changes_only_the_fixed_text(tmp_path):
    original = REAL.read_bytes()
    copy = tmp_path / "nb.ipynb"
    copy.write_bytes(original)
    out = _run(tmp_path, "check", "--target-version", "5.0", "--fix", "nb.ipynb")
    assert out.returncode == 0, (out.stdout, out.stderr)
    assert "fixed 2 finding(s)" in out.stderr
    old_kw, new_kw = (
        b'"    evaluation_strategy=\\"epoch\\",\\n"',
        b'"    eval_strategy=\\"epoch\\",\\n"',
    )
    old_tok, new_tok = b'"    tokenizer=tokenizer,\\n"', b'"    processing_class=tokenizer,\\n"'
    assert original.count(old_kw) == 1 and original.count(old_tok) == 1
    assert copy.read_bytes() == original.replace(old_kw, new_kw).replace(old_tok, new_tok)


def test_fix_keeps_escapes_and_outputs_byte_for_byte(tmp_path):
    # Written by hand as a JSON writer may: non-ASCII escaped, a surrogate pair, a line split over
    # two strings of the source, an output, odd spacing.
    text = (
        '{"cells": [{"cell_type": "code", "execution_count": 3, "metadata": {"x": [1, 2.5e3]},\n'
        '  "outputs": [{"output_type": "stream", "name": "stdout", "text": ["caf\\u00e9\\n"]}],\n'
        '  "source": ["from transformers import TrainingArguments\\n",\n'
        '             "# caf\\u00e9 \\ud83e\\udd17 \\"quoted\\"\\n",\n'
        '             "a = TrainingArguments(\\"o\\", \\u00e9=1, no_cuda=True",\n'
        '             ", evaluation_str", "ategy=\\"no\\")"]}],\n'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    path = tmp_path / "nb.ipynb"
    path.write_text(text, encoding="utf-8")
    out = _run(tmp_path, "check", "--target-version", "5.0", "--fix", "nb.ipynb")
    # `no_cuda` is fixed in place; `evaluation_strategy`, split over two strings, is left.
    assert path.read_text(encoding="utf-8") == text.replace("no_cuda=True", "use_cpu=True")
    assert out.stdout.splitlines()[0].startswith("nb.ipynb:1:3:")
    assert "evaluation_strategy" in out.stdout


def test_explain_reads_markdown_and_code_cells(tmp_path):
    out = _run(tmp_path, "explain", str(REAL))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    # cell 8, line 2: `    return tokenizer(examples["sentence"], truncation=True)`
    assert any(line.startswith(f"{REAL}:8:2:44: truncation -> truncation") for line in lines)
    assert any(f"{REAL}:11:5:5: evaluation_strategy" in line for line in lines)


def test_cells_of_a_later_cell_use_earlier_variables(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(
        _notebook(
            [
                (
                    "code",
                    "from transformers import AutoModelForCausalLM\n"
                    "lm = AutoModelForCausalLM.from_pretrained('gpt2')",
                ),
                ("markdown", ["Here `lm` is a causal language model."]),
                ("code", "out = lm(input_ids=x, use_cahce=True)"),
            ]
        )
    )
    out = _run(tmp_path, "check", "--target-version", "5.0", "nb.ipynb")
    assert [line.split(" ")[:2] for line in out.stdout.splitlines()] == [
        ["nb.ipynb:3:1:23:", "TG003"]
    ]


def test_other_kernels_and_raw_cells_are_not_read_as_python(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text(
        _notebook(
            [("code", "TrainingArguments('o', no_cuda=True)"), ("raw", "no_cuda=True")],
            language="R",
        )
    )
    out = _run(tmp_path, "check", "--target-version", "5.0", "nb.ipynb")
    assert out.returncode == 0 and out.stdout == ""


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"cells": [{"cell_type": "code", "source": ["x"',
        '{"nbformat": 4}',
        "[1, 2]",
        '{"cells": [{"cell_type": "code", "source": [1]}]}',
        "",
    ],
)
def test_invalid_notebooks_are_skipped_with_a_message(tmp_path, text):
    path = tmp_path / "bad.ipynb"
    path.write_text(text)
    (tmp_path / "ok.py").write_text("TrainingArguments('o', no_cuda=True)\n")
    out = _run(tmp_path, "check", "--target-version", "5.0", "bad.ipynb", "ok.py")
    assert out.returncode == 2
    assert "bad.ipynb: not a notebook we can read" in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stdout.startswith("ok.py:1:24: TG001")  # the other file is still checked
    assert path.read_text() == text
    explained = _run(tmp_path, "explain", "bad.ipynb", "ok.py")
    assert explained.returncode == 1 and "not a notebook we can read" in explained.stderr
    assert "ok.py:1:" in explained.stdout


def test_huge_outputs_are_skipped_not_read(tmp_path):
    image = "iVBORw0KGgo" * 1_500_000  # ~16 MB of base64 in one output
    cells = json.loads(_notebook([("code", ["TrainingArguments('o', no_cuda=True)"])]))
    cells["cells"][0]["outputs"] = [
        {"output_type": "display_data", "data": {"image/png": image}, "metadata": {}}
    ] + [{"output_type": "stream", "name": "stdout", "text": ["no_cuda=True\n"] * 20_000}]
    path = tmp_path / "big.ipynb"
    path.write_text(json.dumps(cells, indent=1))
    before = path.read_bytes()
    out = _run(tmp_path, "check", "--target-version", "5.0", "big.ipynb")
    assert out.stdout.splitlines() == [out.stdout.splitlines()[0]]  # the source only
    assert out.stdout.startswith("big.ipynb:1:1:24: TG001")
    out = _run(tmp_path, "check", "--target-version", "5.0", "--fix", "big.ipynb")
    assert path.read_bytes() == before.replace(b"no_cuda=True)", b"use_cpu=True)", 1)


def test_folders_include_notebooks_and_mdx(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.ipynb").write_text(
        _notebook([("code", "TrainingArguments('o', no_cuda=True)")])
    )
    (tmp_path / "docs" / "b.mdx").write_text(
        "<Tip>\n\n```py\nTrainingArguments('o', no_cuda=True)\n```\n\n</Tip>\n"
    )
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{broken")
    out = _run(tmp_path, "check", "--target-version", "5.0")
    assert [line.split(" ")[0] for line in out.stdout.splitlines()] == [
        "docs/a.ipynb:1:1:24:",
        "docs/b.mdx:4:24:",
    ]
