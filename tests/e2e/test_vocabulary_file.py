"""Inside a vocabulary file, over stdio: its defects as diagnostics at their lines, a hover on an
entry shows how it renders, completion offers the schema's keys and the ids a reference may
name. Other YAML files get nothing."""

from __future__ import annotations

import pytest

from tests.e2e.test_repository_vocabulary import VOCAB, spawn, start
from tests.lspclient import hover_params

BROKEN = """\
entries:
  - id: golden-set
    term: golden set
    kind: concept
    summary: Hand-checked <b>examples</b>, see [x](command:evil).
    definition: Scored on every release.
    see_also: [holdout, no-such-id]
    url: https://example.org/golden-set
  - id: golden-set
    term: golden again
    kind: concept
    summary: s
    definition: d
    url: https://example.org
  - id: bad-kind
    term: bad kind
    kind: glossary
    summary: s
    definition: d
    url: https://example.org
  - id: holdout
    term: holdout
    kind: concept
    summary: Data kept out of training.
    definition: Never trained on.
    url: https://example.org/holdout
"""

PULL = {"textDocument": {"diagnostic": {}}}


@pytest.fixture
def session(tmp_path):
    (tmp_path / VOCAB).write_text(BROKEN, encoding="utf-8")
    server = spawn(tmp_path)
    start(server, tmp_path, PULL)
    uri = (tmp_path / VOCAB).as_uri()
    server.open(uri, BROKEN, "yaml")
    yield server, tmp_path, uri
    server.stop()


def test_defects_at_their_lines(session):
    server, _, uri = session
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    found = sorted(
        (d["range"]["start"]["line"], d["code"], d["message"]) for d in answer["result"]["items"]
    )
    lines = [(line, code) for line, code, _ in found]
    assert lines == [(1, "TG100"), (8, "TG100"), (14, "TG100")], found
    assert "see_also names no entry" in found[0][2]  # item 2 of see_also
    assert "duplicate id" in found[1][2]
    assert "kind must be one of" in found[2][2]


def test_fixed_text_has_no_defects(session):
    server, _, uri = session
    fixed = BROKEN.replace(", no-such-id", "").replace(
        "id: golden-set\n    term: golden again", "id: golden-again\n    term: golden again"
    )
    fixed = fixed.replace("kind: glossary", "kind: concept")
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]},
    )
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert answer["result"]["items"] == []


def test_hover_shows_the_entry_as_it_renders(session):
    server, _, uri = session
    value = server.hover(uri, 5, 8)["result"]["contents"]["value"]
    assert value.startswith("**golden set** · *glossary*")
    assert "&lt;b>" in value and "](command:" not in value  # sanitized as on any hover
    assert f"*From* `{VOCAB}:2`" in value
    assert server.hover(uri, 0, 2)["result"] is None  # above every entry


@pytest.mark.parametrize(
    ("line_text", "expected", "unexpected"),
    [
        ("    see_also: [hold", ["holdout"], ["golden-set"]),
        ("    see_also: [holdout, gold", ["golden-set"], ["holdout"]),
        ("    overrides: attention_ma", ["attention_mask"], []),  # built-in ids too
        ("    sum", ["summary"], ["definition"]),
        ("    ", ["id", "term", "see_also", "overrides", "extends"], []),
    ],
)
def test_completion(session, line_text, expected, unexpected):
    server, _, uri = session
    text = BROKEN + line_text
    server.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]},
    )
    line = text.count("\n")
    answer = server.call("textDocument/completion", hover_params(uri, line, len(line_text)))
    labels = [item["label"] for item in answer["result"]["items"]]
    for label in expected:
        assert label in labels
    for label in unexpected:
        assert label not in labels


def test_other_yaml_files_get_nothing(session):
    server, root, _ = session
    other = (root / "config.yaml").as_uri()
    server.open(other, BROKEN, "yaml")
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": other}})
    assert answer["result"]["items"] == []
    assert server.hover(other, 5, 8)["result"] is None
    completion = server.call("textDocument/completion", hover_params(other, 4, 7))["result"]
    assert completion["items"] == []


def test_definition_of_a_see_also_id(session):
    server, root, uri = session
    answer = server.call("textDocument/definition", hover_params(uri, 6, 18))  # `holdout`
    assert answer["result"]["uri"].endswith(VOCAB)
    assert answer["result"]["range"]["start"]["line"] == BROKEN.splitlines().index(
        "  - id: holdout"
    )
    nothing = server.call("textDocument/definition", hover_params(uri, 6, 30))  # no-such-id
    assert nothing["result"] is None


def test_defects_are_pushed_to_a_client_that_does_not_pull(tmp_path):
    (tmp_path / VOCAB).write_text(BROKEN, encoding="utf-8")
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        uri = (tmp_path / VOCAB).as_uri()
        server.open(uri, BROKEN, "yaml")
        pushed = server.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            )
        )
        lines = sorted(d["range"]["start"]["line"] for d in pushed["params"]["diagnostics"])
        assert lines == [1, 8, 14]
    finally:
        server.stop()
