"""`transformers-glossary-ls explain` as a newcomer runs it: grouped per file by default, every
occurrence with --all, folders, stdin, JSON, the whole hover with --full, and a quiet end when
the reader of its output goes away (`| head`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.lspclient import SERVER

REPO = Path(__file__).resolve().parents[2]
CODE = (
    "# causal language modeling: the attention mask hides padding\n"
    "outputs = model(input_ids=ids, attention_mask=mask)\n"
    "again = model(input_ids=ids, attention_mask=mask, labels=y)\n"
)
CARD = "# Card\n\nTrained with causal language modeling.\n"


def _run(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # HOME and PATH only: no VIRTUAL_ENV of the test run leaks in.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [*SERVER, "explain", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "train.py").write_text(CODE)
    (tmp_path / "README.md").write_text(CARD)
    (tmp_path / "notes.txt").write_text("attention_mask\n")  # not Python or Markdown
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "x.py").write_text("model(attention_mask=m)\n")  # skipped
    return tmp_path


def _json(out: subprocess.CompletedProcess) -> list[dict]:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_each_term_once_per_file_with_its_count(project):
    out = _run(project, "src/pkg/train.py")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    mask = [line for line in lines if "-> attention_mask" in line]
    assert mask == [
        "src/pkg/train.py:2:32: attention_mask -> attention_mask (2 times): Mask of 1s and 0s"
        " telling the model which tokens are real and which are padding."
    ]
    assert sum("-> input_ids (2 times):" in line for line in lines) == 1
    assert sum("-> labels:" in line for line in lines) == 1  # once: no count
    assert len(lines) == len({line.split(" -> ")[1].split(":")[0] for line in lines})


def test_all_lists_every_occurrence(project):
    grouped = _json(_run(project, "--format", "json", "src/pkg/train.py"))
    every = _json(_run(project, "--format", "json", "--all", "src/pkg/train.py"))
    assert len(every) == sum(row["count"] for row in grouped)
    assert all(row["count"] == 1 for row in every)
    firsts = {}
    for row in every:
        firsts.setdefault(row["id"], row)
    assert [{**r, "count": 1} for r in grouped] == list(firsts.values())


def test_folders_recursively_hidden_folders_and_other_files_left_out(project):
    rows = _json(_run(project, "--format", "json", "."))
    assert sorted({row["path"] for row in rows}) == ["README.md", "src/pkg/train.py"]
    card = next(r for r in rows if r["path"] == "README.md")
    assert (card["line"], card["column"], card["end_column"]) == (3, 14, 38)
    assert card["text"] == card["term"] == "causal language modeling"
    assert card["id"] == "causal-language-modeling"


@pytest.mark.parametrize(
    "args,text,expected",
    [
        (["-"], CODE, "<stdin>:2:32: attention_mask -> attention_mask (2 times): "),
        (["--language", "markdown", "-"], CARD, "<stdin>:3:14: causal language modeling -> "),
    ],
    ids=["python by default", "markdown when asked"],
)
def test_stdin(tmp_path, args, text, expected):
    out = _run(tmp_path, *args, stdin=text)
    assert out.returncode == 0, out.stderr
    assert any(line.startswith(expected) for line in out.stdout.splitlines()), out.stdout


def test_full_prints_the_whole_hover_in_plain_text(project):
    out = _run(project, "--full", "-", stdin="outputs = model(attention_mask=mask)\n")
    assert out.returncode == 0, out.stderr
    head, *body = out.stdout.splitlines()
    assert head.startswith("<stdin>:1:17: attention_mask -> attention_mask: Mask of 1s")
    shown = "\n".join(body)
    assert body[0] == "    (model forward) attention_mask: torch.Tensor | None = None"
    assert "    Shape: (batch_size, sequence_length)" in body
    assert "    Dtype: torch.LongTensor" in body
    assert "`" not in shown and "**" not in shown  # plain text for a terminal
    rows = _json(_run(project, "--full", "--format", "json", "-", stdin="model(labels=y)\n"))
    assert rows[0]["hover"].startswith("(model forward) labels")


def test_full_answers_for_the_release_of_the_folder(project):
    (project / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["transformers==4.40.2"]\n'
    )
    code = 'args = TrainingArguments(output_dir="o", eval_strategy="steps")\n'
    rows = _json(_run(project, "--full", "--format", "json", "-", stdin=code))
    row = next(r for r in rows if r["id"] == "eval_strategy")
    assert "Not in your 4.40" in row["hover"].splitlines()[0], row["hover"]


def test_no_traceback_when_the_reader_goes_away(tmp_path):
    """Megabytes of output into `head -1`: a broken pipe ends it quietly."""
    big = "model(attention_mask=m)\n" * 20000
    (tmp_path / "big.py").write_text(big)
    command = " ".join([*SERVER, "explain", "--all", "--full", "big.py"])
    out = subprocess.run(
        ["bash", "-c", f'set -o pipefail; {command} | head -1; echo "status ${{PIPESTATUS[0]}}"'],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = out.stdout.splitlines()
    assert lines[0].startswith("big.py:1:7: attention_mask -> attention_mask: ")
    assert lines[-1] == "status 1"
    assert out.stderr == ""  # no traceback, no "Exception ignored"


def test_readme_install_example_still_runs():
    out = subprocess.run(
        [*SERVER, "explain", "examples/train.py"], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0]
    assert first.startswith("examples/train.py:1:4: Fine-tune -> finetuned model: ")
