"""A repository vocabulary in real Neovim (Debian's 0.7.2: no dynamic file watching, diagnostics
pushed), with no setting: go to definition from a team term opens the file at its entry, and
the server's diagnostics show inside the vocabulary file. Uses the harness of test_neovim.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.editors.test_neovim import HARNESS, SERVER, debian_nvim, nvim  # noqa: F401 (autouse)

pytestmark = pytest.mark.editor

VOCAB = ".transformers-glossary.yaml"
TEAM = """\
entries:
  - id: golden-set
    term: golden set
    kind: concept
    summary: Our team's hand-checked evaluation examples.
    definition: The examples every candidate is scored on.
    see_also: [no-such-entry]
    url: https://example.org/golden-set
"""


def ask(root: Path, request: str, file: Path, line: int, col: int, *options: str):
    command = ["bash", str(HARNESS), "--cmd", SERVER, "--file", str(file), "--request", request]
    command += ["--line", str(line), "--col", str(col), "--timeout", "20", "--root", str(root)]
    command += ["--nvim", debian_nvim() or "nvim", *options]
    out = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"nvim_lsp.sh exited {out.returncode}:\n{out.stderr}"
    return json.loads(out.stdout)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
    (tmp_path / "notes.md").write_text("Scored on the golden set.\n", encoding="utf-8")
    return tmp_path


def test_definition_opens_the_team_file_at_its_entry(repo):
    # The team's file loads in the background after `initialized`: give it a moment per try.
    for settle in (300, 1000, 3000):
        found = ask(repo, "definition", repo / "notes.md", 0, 19, "--settle-ms", str(settle))
        if found:
            break
    location = found[0] if isinstance(found, list) else found
    assert location["uri"] == (repo / VOCAB).resolve().as_uri()
    assert location["range"]["start"]["line"] == 1


def test_diagnostics_inside_the_vocabulary_file(repo):
    found = ask(repo, "diagnostics", repo / VOCAB, 0, 0, "--language-id", "yaml")
    items = found["diagnostics"]  # published: Neovim 0.7.2 does not pull
    assert [(d["range"]["start"]["line"], d["code"]) for d in items] == [(1, "TG100")]
    assert "see_also names no entry" in items[0]["message"]
