"""Go to definition, find references and workspace symbols over stdio: a spotted term leads to
the line of its entry (a team's file, or the packaged YAML); argument names in code only with
`navigation.arguments`; symbols list concepts and team entries, not the built-in arguments."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pygls.uris import to_fs_path

from tests.e2e.test_repository_vocabulary import TEAM, VOCAB, spawn, start, until_hover
from tests.lspclient import hover_params

PACKAGED = Path(__file__).resolve().parents[2] / "glossary_data"

NOTES = """\
# Evaluation

Every candidate is scored on the golden set, with an attention mask.
"""
CODE = """\
# the golden set, again
out = model(input_ids=ids, attention_mask=mask)
"""


def line_of(path: Path, needle: str) -> int:
    """0-based line of the first line holding `needle`."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in text:
            return number
    raise AssertionError(needle)


@pytest.fixture
def session(tmp_path):
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
    server = spawn(tmp_path)
    start(server, tmp_path)
    notes, code = (tmp_path / "notes.md").as_uri(), (tmp_path / "train.py").as_uri()
    server.open(notes, NOTES, "markdown")
    server.open(code, CODE)
    until_hover(server, notes, 2, 35, "hand-checked")  # the team's file is loaded
    yield server, tmp_path, notes, code
    server.stop()


def definition(server, uri: str, line: int, character: int):
    answer = server.call("textDocument/definition", hover_params(uri, line, character))
    assert "result" in answer, answer
    result = answer["result"]
    if result is None:
        return None
    return Path(to_fs_path(result["uri"])), result["range"]["start"]["line"]


@pytest.mark.parametrize(
    ("where", "line", "character", "expected"),
    [
        ("notes", 2, 35, ("team", "id: golden-set")),  # a team term in Markdown
        ("notes", 2, 55, ("concepts.yaml", "id: attention-mask")),  # a built-in term in prose
        ("code", 0, 8, ("team", "id: golden-set")),  # a team term in a comment
        ("code", 1, 30, None),  # an argument in code: pyright's or jedi's, by default
        ("notes", 0, 3, None),  # no term
    ],
    ids=["team term", "built-in prose term", "comment", "argument", "nothing"],
)
def test_definition(session, where, line, character, expected):
    server, root, notes, code = session
    found = definition(server, notes if where == "notes" else code, line, character)
    if expected is None:
        assert found is None
        return
    name, needle = expected
    path = root / VOCAB if name == "team" else PACKAGED / name
    assert found == (path.resolve(), line_of(path, needle))


def test_argument_definitions_behind_a_setting(session):
    server, _, _, code = session
    server.notify(
        "workspace/didChangeConfiguration",
        {"settings": {"transformersGlossary": {"navigation": {"arguments": True}}}},
    )
    path = PACKAGED / "arguments.yaml"
    assert definition(server, code, 1, 30) == (path.resolve(), line_of(path, "id: attention_mask"))


def test_references_in_open_documents(session):
    server, _, notes, code = session
    answer = server.call(
        "textDocument/references",
        {**hover_params(notes, 2, 35), "context": {"includeDeclaration": True}},
    )
    found = sorted((r["uri"], r["range"]["start"]["line"]) for r in answer["result"])
    assert found == sorted([(notes, 2), (code, 0)])


def test_workspace_symbols(session):
    server, root, _, _ = session
    everything = server.call("workspace/symbol", {"query": ""})["result"]
    names = {s["name"]: s for s in everything}
    assert names["golden set"]["containerName"] == VOCAB
    assert to_fs_path(names["golden set"]["location"]["uri"]) == str((root / VOCAB).resolve())
    assert "attention mask" in names  # built-in concepts
    assert "attention_mask" not in names  # built-in arguments would flood the list
    assert len(everything) < 200
    golden = server.call("workspace/symbol", {"query": "GOLDEN"})["result"]
    assert [s["name"] for s in golden] == ["golden set"]


def test_navigation_after_the_team_file_is_deleted(session):
    """Definitions follow reloads: a deleted file's entries lead nowhere."""
    server, root, notes, _ = session
    os.unlink(root / VOCAB)
    until_hover(server, notes, 2, 35, "hand-checked", present=False)  # mtime check reloads
    assert definition(server, notes, 2, 35) is None
