"""`explain` and `check` with `--vocabulary FILE` and the project's own
`.transformers-glossary.yaml`, found from the current folder as the server finds it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.e2e.test_repository_vocabulary import CLASH, TEAM, VOCAB
from tests.lspclient import SERVER

NOTES = "Scored on the golden set.\n"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "XDG_CACHE_HOME": str(cwd / ".cache")}
    return subprocess.run(
        [*SERVER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_explain_picks_up_the_project_file_from_a_subfolder(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text(NOTES, encoding="utf-8")
    out = run(tmp_path / "docs", "explain", "notes.md")
    assert out.returncode == 0, out.stderr
    assert "golden set -> golden set: Our team's hand-checked evaluation examples." in out.stdout


def test_explain_stops_at_the_repository_root(tmp_path):
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")  # above the repository: not ours
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "notes.md").write_text(NOTES, encoding="utf-8")
    out = run(repo, "explain", "notes.md")
    assert "golden set" not in out.stdout


def test_explain_with_a_vocabulary_file(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "team.yaml").write_text(TEAM, encoding="utf-8")
    (tmp_path / "notes.md").write_text(NOTES, encoding="utf-8")
    out = run(tmp_path, "explain", "--vocabulary", "team.yaml", "notes.md")
    assert "hand-checked" in out.stdout and out.stderr == ""
    missing = run(tmp_path, "explain", "--vocabulary", "nope.yaml", "notes.md")
    assert "nope.yaml: file not found" in missing.stderr


def test_check_reports_a_broken_vocabulary_as_a_finding(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / VOCAB).write_text(CLASH, encoding="utf-8")
    (tmp_path / "train.py").write_text("x = 1\n", encoding="utf-8")
    out = run(tmp_path, "check", "--format", "json", ".")
    assert out.returncode == 1, out.stderr
    (row,) = json.loads(out.stdout)
    assert row["code"] == "TG100" and row["line"] == 2
    assert row["path"] == str((tmp_path / VOCAB).resolve())
    assert "overrides:" in row["message"]
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
    assert run(tmp_path, "check", ".").returncode == 0
    (tmp_path / "extra.yaml").write_text(CLASH, encoding="utf-8")
    out = run(tmp_path, "check", "--vocabulary", "extra.yaml", ".")
    assert out.returncode == 1 and "extra.yaml:2:1: TG100" in out.stdout
