"""A repository's own vocabulary (`.transformers-glossary.yaml` at a workspace folder's root),
over stdio: found with no setting, layered over the built-in vocabulary, reloaded when it
changes, and held to the trust rules of repository content."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from tests.lspclient import TIMEOUT, LspClient, hover_params

MESSAGE = "window/showMessage"
VOCAB = ".transformers-glossary.yaml"

TEAM = """\
version: 1
entries:
  - id: golden-set
    term: golden set
    kind: concept
    summary: Our team's hand-checked evaluation examples.
    definition: The 500 examples every release candidate is scored on.
    url: https://example.org/wiki/golden-set
"""

OVERRIDE = """\
entries:
  - overrides: attention_mask
    summary: In our pipeline the collator builds it; never pass it by hand.
"""

CLASH = """\
entries:
  - id: attention_mask
    term: attention_mask
    kind: argument
    summary: Our own words, by accident under a built-in id.
    definition: Clashes.
    url: https://example.org/wiki/mask
"""


def spawn(tmp_path: Path, **kw) -> LspClient:
    """A server with a cache folder of its own."""
    return LspClient.spawn(env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}, **kw)


def start(server: LspClient, root: Path, capabilities: dict | None = None, **options) -> None:
    server.initialize(
        capabilities,
        rootUri=root.as_uri(),
        workspaceFolders=[{"uri": root.as_uri(), "name": "repo"}],
        initializationOptions=options or None,
    )


def hover_text(server: LspClient, uri: str, line: int, character: int) -> str:
    answer = server.hover(uri, line, character)
    assert "result" in answer, answer
    return json.dumps(answer["result"])


def until_hover(server, uri, line, character, needle, present=True) -> str:
    """Ask again until the answer holds `needle` (or no longer does): vocabularies load aside."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        text = hover_text(server, uri, line, character)
        if (needle in text) == present or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def shown_messages(server: LspClient) -> list[str]:
    return [m["params"]["message"] for m in server.messages if m.get("method") == MESSAGE]


def test_found_with_no_setting_and_hover_says_where(tmp_path):
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        server.open(notes, "Scored on the golden set.\n", "markdown")
        text = until_hover(server, notes, 0, 17, "hand-checked")
        assert "hand-checked" in text
        assert f"`{VOCAB}:3`" in text  # file:line, relative to the workspace folder
        # The team's own link is labelled by its site, not as the Transformers docs.
        assert "[Docs (example.org)](https://example.org/wiki/golden-set)" in text
        assert not shown_messages(server)
        server.check_alive()  # the built-in vocabulary is still there
    finally:
        server.stop()


def test_an_override_by_id_changes_the_built_in_entry(tmp_path):
    (tmp_path / VOCAB).write_text(OVERRIDE, encoding="utf-8")
    code = (tmp_path / "train.py").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        server.open(code, "model(attention_mask=m)\n")
        text = until_hover(server, code, 0, 10, "collator builds it")
        assert "collator builds it" in text
        assert "*overrides*" in text and "arguments.yaml" in text  # which entry it changed
        assert "batch_size" in text  # the catalogue's facts and the rest of the entry stay
        assert not shown_messages(server)
    finally:
        server.stop()


def test_an_accidental_clash_is_reported_and_the_built_in_entry_stays(tmp_path):
    (tmp_path / VOCAB).write_text(CLASH, encoding="utf-8")
    code = (tmp_path / "train.py").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        message = server.wait_for(lambda m: m.get("method") == MESSAGE)["params"]["message"]
        assert VOCAB in message and "overrides:" in message
        server.open(code, "model(attention_mask=m)\n")
        assert "by accident" not in hover_text(server, code, 0, 10)
    finally:
        server.stop()


def watching_client(tmp_path: Path) -> tuple[LspClient, list[dict]]:
    """A client that supports dynamic registration of file watching, and its registrations."""
    registrations: list[dict] = []

    def on_request(message: dict):
        if message["method"] == "client/registerCapability":
            registrations.extend(message["params"]["registrations"])
        return None

    return spawn(tmp_path, on_request=on_request), registrations


WATCH = {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}}}


def test_reload_on_did_change_watched_files(tmp_path):
    notes = (tmp_path / "notes.md").as_uri()
    server, registrations = watching_client(tmp_path)
    try:
        start(server, tmp_path, WATCH)
        server.open(notes, "Scored on the golden set.\n", "markdown")
        deadline = time.monotonic() + TIMEOUT
        while not registrations and time.monotonic() < deadline:
            time.sleep(0.02)
        (registration,) = registrations
        assert registration["method"] == "workspace/didChangeWatchedFiles"
        globs = [w["globPattern"] for w in registration["registerOptions"]["watchers"]]
        assert f"**/{VOCAB}" in globs
        assert "hand-checked" not in hover_text(server, notes, 0, 17)
        for kind, text, needle, present in (
            (1, TEAM, "hand-checked", True),  # created
            (2, TEAM.replace("hand-checked", "re-checked"), "re-checked", True),  # changed
            (3, None, "re-checked", False),  # deleted
        ):
            if text is None:
                (tmp_path / VOCAB).unlink()
            else:
                (tmp_path / VOCAB).write_text(text, encoding="utf-8")
            server.notify(
                "workspace/didChangeWatchedFiles",
                {"changes": [{"uri": (tmp_path / VOCAB).as_uri(), "type": kind}]},
            )
            assert (needle in until_hover(server, notes, 0, 17, needle, present)) == present
        assert server.shutdown() == 0
    finally:
        server.stop()


def test_reload_by_mtime_without_file_watching(tmp_path):
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)  # no capabilities: nothing is registered
        server.open(notes, "Scored on the golden set.\n", "markdown")
        assert "hand-checked" not in hover_text(server, notes, 0, 17)
        (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
        # A hover (or an open, change or save) looks at the file's stat at most once a second.
        assert "hand-checked" in until_hover(server, notes, 0, 17, "hand-checked")
        edited = TEAM.replace("hand-checked", "re-checked")
        (tmp_path / VOCAB).write_text(edited, encoding="utf-8")
        assert "re-checked" in until_hover(server, notes, 0, 17, "re-checked")
        assert not [m for m in server.messages if m.get("method") == "client/registerCapability"]
    finally:
        server.stop()


def test_a_folder_of_vocabularies_is_read_in_name_order(tmp_path):
    folder = tmp_path / ".transformers-glossary"
    folder.mkdir()
    (folder / "a-terms.yaml").write_text(TEAM, encoding="utf-8")
    (folder / "b-more.yaml").write_text(
        "entries:\n  - extends: golden-set\n    definition: Refreshed every quarter.\n",
        encoding="utf-8",
    )
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        server.open(notes, "Scored on the golden set.\n", "markdown")
        text = until_hover(server, notes, 0, 17, "quarter")
        assert "500 examples" in text and "Refreshed every quarter" in text
        assert "*extends*" in text and "a-terms.yaml:3" in text
    finally:
        server.stop()


# -- repository content: the trust rules apply ---------------------------------------------------
HOSTILE = """\
entries:
  - id: golden-set
    term: golden set
    kind: concept
    summary: Click [here](command:workbench.action.terminal.new) now.
    definition: |
      <img src="https://evil.example/x.png"> ![pixel](https://evil.example/p.png)
      [run](javascript:alert(1)) and [fine](https://example.org/ok).
    url: https://example.org/wiki/golden-set
"""


def test_links_and_html_in_a_repository_entry_are_defused(tmp_path):
    (tmp_path / VOCAB).write_text(HOSTILE, encoding="utf-8")
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        server.open(notes, "Scored on the golden set.\n", "markdown")
        text = until_hover(server, notes, 0, 17, "Click")
        value = json.loads(text)["contents"]["value"]
        assert "](command:" not in value and "Click here now" in value
        assert "](javascript:" not in value and "<img" not in value and "![" not in value
        assert "[fine](https://example.org/ok)" in value
    finally:
        server.stop()


SECRET = "sk-SECRET-9c1e"


def test_a_vocabulary_that_resolves_outside_the_workspace_is_refused(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "secret.yaml"
    outside.write_text(TEAM.replace("Our team's", SECRET), encoding="utf-8")
    (repo / VOCAB).symlink_to(outside)
    notes = (repo / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, repo)
        message = server.wait_for(lambda m: m.get("method") == MESSAGE)["params"]["message"]
        assert VOCAB in message and "outside the workspace" in message
        server.open(notes, "Scored on the golden set.\n", "markdown")
        assert SECRET not in hover_text(server, notes, 0, 17)
        server.check_alive()
        assert SECRET not in json.dumps(server.messages) + server.stderr
    finally:
        server.stop()


def test_an_untrusted_workspace_reads_no_repository_vocabulary(tmp_path):
    """The VS Code extension sends `repositoryVocabulary: false` until the workspace is
    trusted, then `true`."""
    (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path, repositoryVocabulary=False)
        server.open(notes, "Scored on the golden set.\n", "markdown")
        server.check_alive()  # settings applied; with no files to read, nothing loads aside
        assert "hand-checked" not in hover_text(server, notes, 0, 17)
        server.notify(
            "workspace/didChangeConfiguration",
            {"settings": {"transformersGlossary": {"repositoryVocabulary": True}}},
        )
        assert "hand-checked" in until_hover(server, notes, 0, 17, "hand-checked")
    finally:
        server.stop()


def test_a_fifo_named_like_the_vocabulary_never_hangs_the_server(tmp_path):
    os.mkfifo(tmp_path / VOCAB)
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path)
        server.open(notes, "causal language modeling\n", "markdown")
        answer = server.call("textDocument/hover", hover_params(notes, 0, 3))
        assert "causal" in json.dumps(answer["result"]).lower()
        message = server.wait_for(lambda m: m.get("method") == MESSAGE)["params"]["message"]
        assert "not a regular file" in message
        server.check_alive()
    finally:
        server.stop()


def test_a_refused_registration_falls_back_to_the_mtime_check(tmp_path):
    notes = (tmp_path / "notes.md").as_uri()
    server = spawn(tmp_path)
    try:
        start(server, tmp_path, WATCH)  # says it takes the registration, then refuses it
        asked = server.wait_for(lambda m: m.get("method") == "client/registerCapability")
        server.send(
            {"jsonrpc": "2.0", "id": asked["id"], "error": {"code": -32601, "message": "no"}}
        )
        server.open(notes, "Scored on the golden set.\n", "markdown")
        (tmp_path / VOCAB).write_text(TEAM, encoding="utf-8")
        assert "hand-checked" in until_hover(server, notes, 0, 17, "hand-checked")
        assert "Traceback" not in server.stderr
    finally:
        server.stop()
