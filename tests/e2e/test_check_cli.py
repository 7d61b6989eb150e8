"""`transformers-glossary-ls check` as a user and a pre-commit hook run it: output lines,
exit codes, formats, code selection, the release checked against, and --fix."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.lspclient import SERVER
from tests.wheels import make_venv, wheel

OLD_CODE = (
    "from transformers import TrainingArguments\n"
    "args = TrainingArguments(\n"
    "    output_dir='o',  # ünïcode stays\r\n"
    "    evaluation_strategy='step', no_cuda=True,\n"
    ")\n"
)
README = "# Train\n\n```python\nargs = TrainingArguments('o', eval_strategy='epoch')\n```\n"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # HOME and PATH only: no VIRTUAL_ENV of the test run leaks in.
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [*SERVER, "check", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_bytes(OLD_CODE.encode())
    (tmp_path / "README.md").write_text(README)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "skip.py").write_text("TrainingArguments('o', no_cuda=True)\n")
    return tmp_path


def test_findings_and_exit_code(project):
    out = _run(project, "--target-version", "5.25")
    assert out.returncode == 1, out.stderr
    assert out.stdout.splitlines() == [
        "src/train.py:4:5: TG001 `evaluation_strategy` was removed from TrainingArguments after"
        " 4.50 (you have transformers 5.25): the call raises TypeError (unexpected keyword"
        " argument). Use `eval_strategy`.",
        "src/train.py:4:25: TG004 `evaluation_strategy` of TrainingArguments does not take 'step'"
        " (you have transformers 5.25): the call raises ValueError. Did you mean 'steps'?",
        "src/train.py:4:33: TG001 `no_cuda` was removed from TrainingArguments after 4.57 (you"
        " have transformers 5.25): the call raises TypeError (unexpected keyword argument)."
        " Use `use_cpu`.",
    ]


def test_clean_code_exits_zero(project):
    out = _run(project, "README.md", "--target-version", "5.25")
    assert (out.returncode, out.stdout) == (0, "")


def test_select_ignore_json_and_github(project):
    out = _run(project, "--target-version", "5.25", "--select", "TG004", "--format", "json")
    rows = json.loads(out.stdout)
    assert [(r["path"], r["line"], r["column"], r["code"]) for r in rows] == [
        ("src/train.py", 4, 25, "TG004")
    ]
    assert rows[0]["fixes"] == [{"title": "Replace with 'steps'", "text": "'steps'"}]
    out = _run(project, "--target-version", "5.25", "--ignore", "TG001,TG004")
    assert (out.returncode, out.stdout) == (0, "")
    out = _run(project, "src", "--target-version", "5.25", "--format", "github")
    assert out.stdout.splitlines()[0].startswith(
        "::error file=src/train.py,line=4,col=5,title=TG001::`evaluation_strategy` was removed"
    )


def test_fix_changes_only_the_names(project):
    out = _run(project, "--fix", "--target-version", "5.25")
    assert (out.returncode, out.stdout) == (0, ""), out.stderr
    assert "fixed 3" in out.stderr
    expected = OLD_CODE.replace("evaluation_strategy='step'", "eval_strategy='steps'")
    expected = expected.replace("no_cuda", "use_cpu")
    assert (project / "src" / "train.py").read_bytes() == expected.encode()
    assert (project / "README.md").read_text() == README


def test_an_old_release_is_checked_as_such(project):
    # 4.40 has no `eval_strategy` yet: the README's valid-today code fails there.
    out = _run(project, "README.md", "--target-version", "4.40")
    assert out.returncode == 1
    assert out.stdout.startswith(
        "README.md:4:31: TG003 `eval_strategy` is not in TrainingArguments"
    )
    assert "Did you mean `evaluation_strategy`?" in out.stdout


@pytest.mark.wheels
def test_the_environment_of_the_current_folder_decides(project):
    make_venv(project / ".venv", [wheel("transformers", "4.40")])
    out = _run(project, "src")
    # 4.40: evaluation_strategy is current and no_cuda only deprecated; the bad value stays
    assert [line.split(" ")[1] for line in out.stdout.splitlines()] == ["TG004", "TG002"]
    assert "(you have transformers 4.40)" in out.stdout
