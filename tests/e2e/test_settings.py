"""User settings: extra vocabulary files (relative to the workspace root), workspace-level files
(kept inside the workspace), bad values and bad paths."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.lspclient import TIMEOUT, LspClient, frame, hover_params

MESSAGE = "window/showMessage"
NOTES = "file:///notes.md"

USER_TERMS = """\
entries:
  - id: warmup-schedule
    term: warmup schedule
    kind: concept
    summary: Our team's word for the learning-rate ramp at the start of training.
    definition: The learning rate rises linearly from zero over `warmup_steps`.
    url: https://huggingface.co/docs/transformers/main_classes/optimizer_schedules
"""


def test_extra_glossary_file_relative_to_the_workspace(tmp_path: Path):
    (tmp_path / "terms.yaml").write_text(USER_TERMS, encoding="utf-8")
    server = LspClient.spawn()
    try:
        server.initialize(
            rootUri=tmp_path.as_uri(),
            initializationOptions={"extraGlossaryFiles": ["terms.yaml"]},
        )
        server.open("file:///notes.md", "We use a warmup schedule here.\n", "markdown")
        assert "learning-rate ramp" in until_hover(server, NOTES, 0, 12, "ramp")  # loads aside
        # the shipped vocabulary is still there
        server.open("file:///t.py", "model(attention_mask=m)\n")
        assert "batch_size" in json.dumps(server.hover("file:///t.py", 0, 8)["result"])
        assert not [m for m in server.messages if m.get("method") == "window/showMessage"]
    finally:
        server.stop()


def test_a_bad_setting_is_told_once_and_defaults_are_kept():
    server = LspClient.spawn()
    try:
        server.initialize(initializationOptions={"logLevel": 3, "completion": {"prose": "yes"}})
        server.open("file:///notes.md", "causal language modeling\n", "markdown")
        assert server.hover("file:///notes.md", 0, 3)["result"] is not None
        shown = [m for m in server.messages if m.get("method") == "window/showMessage"]
        assert len(shown) == 2  # one per bad value
        assert "logLevel" in shown[0]["params"]["message"]
    finally:
        server.stop()


# -- bad paths: one message each, the other settings still apply, requests keep working ---------
PROSE = "We use causal language modeling and att"  # completion at the end offers terms


def spawn(tmp_path: Path) -> LspClient:
    """A server with a cache folder of its own."""
    return LspClient.spawn(env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})


def shown_messages(server: LspClient) -> list[str]:
    return [m["params"]["message"] for m in server.messages if m.get("method") == MESSAGE]


def prose_items(server: LspClient) -> list[dict]:
    answer = server.call("textDocument/completion", hover_params(NOTES, 0, len(PROSE)))
    assert "result" in answer, answer
    return answer["result"]["items"]


def change(server: LspClient, **settings) -> None:
    server.notify(
        "workspace/didChangeConfiguration", {"settings": {"transformersGlossary": settings}}
    )


def hover_text(server: LspClient, uri: str, line: int, character: int) -> str:
    answer = server.hover(uri, line, character)
    assert "result" in answer, answer  # never -32603
    return json.dumps(answer["result"])


def until_hover(server: LspClient, uri: str, line: int, character: int, needle: str) -> str:
    """Ask again until the answer holds `needle`: a vocabulary loads in the background."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        text = hover_text(server, uri, line, character)
        if needle in text or time.monotonic() > deadline:
            return text
        time.sleep(0.02)


@pytest.mark.parametrize(
    "bad",
    ["terms\0.yaml", "~nosuchuser-tgls/terms.yaml", ""],
    ids=["NUL byte", "unknown user", "empty"],
)
def test_a_bad_path_in_a_change_is_one_message_and_the_rest_applies(tmp_path, bad):
    (tmp_path / "terms.yaml").write_text(USER_TERMS, encoding="utf-8")
    server = spawn(tmp_path)
    try:
        server.initialize(rootUri=tmp_path.as_uri())
        server.open(NOTES, PROSE + "\nA warmup schedule.\n", "markdown")
        assert prose_items(server)
        change(server, extraGlossaryFiles=[bad, "terms.yaml"], completion={"prose": False})
        assert prose_items(server) == []  # the other setting applied
        assert "causal" in hover_text(server, NOTES, 0, 10)  # and requests keep working
        assert "learning-rate ramp" in until_hover(server, NOTES, 1, 5, "ramp")  # the good path
        (message,) = shown_messages(server)
        assert "extraGlossaryFiles" in message
        change(server, extraGlossaryFiles=[bad, "terms.yaml"], completion={"prose": False})
        assert "causal" in hover_text(server, NOTES, 0, 10)
        assert len(shown_messages(server)) == 1  # the same problem is not told twice
        assert server.shutdown() == 0
    finally:
        server.stop()


@pytest.mark.parametrize(
    "bad", ["terms\0.yaml", "~nosuchuser-tgls/terms.yaml"], ids=["NUL byte", "unknown user"]
)
def test_a_bad_path_at_initialize_is_one_message_and_the_rest_applies(tmp_path, bad):
    (tmp_path / "terms.yaml").write_text(USER_TERMS, encoding="utf-8")
    server = spawn(tmp_path)
    try:
        server.initialize(  # asserts a result, not an error
            rootUri=tmp_path.as_uri(),
            initializationOptions={
                "extraGlossaryFiles": [bad, "terms.yaml"],
                "completion": {"prose": False},
            },
        )
        server.open(NOTES, PROSE + "\nA warmup schedule.\n", "markdown")
        assert prose_items(server) == []
        assert "learning-rate ramp" in until_hover(server, NOTES, 1, 5, "ramp")
        (message,) = shown_messages(server)
        assert "extraGlossaryFiles" in message and "ignored" in message
        assert server.shutdown() == 0
    finally:
        server.stop()


# -- workspace-level paths stay inside the workspace ----------------------------------------------
SECRET = "sk-SECRET-7f3a"


def test_workspace_paths_stay_inside_the_workspace_folders(tmp_path):
    workspace = tmp_path / "repo"
    (workspace / "docs").mkdir(parents=True)
    (workspace / "docs" / "terms.yaml").write_text(USER_TERMS, encoding="utf-8")
    secret = tmp_path / "secret.yaml"  # outside: a vocabulary-shaped file would load if read
    secret.write_text(USER_TERMS.replace("Our team's word", SECRET), encoding="utf-8")
    (workspace / "link.yaml").symlink_to(secret)
    outside = [
        "../secret.yaml",
        str(secret),
        "link.yaml",
        "docs/../../secret.yaml",
        "~/secret.yaml",
        "/proc/self/environ",
    ]
    server = spawn(tmp_path)
    try:
        server.initialize(
            rootUri=workspace.as_uri(),
            workspaceFolders=[{"uri": workspace.as_uri(), "name": "repo"}],
            initializationOptions={"workspaceGlossaryFiles": ["docs/terms.yaml", *outside]},
        )
        server.open(NOTES, "A warmup schedule.\n", "markdown")
        assert "learning-rate ramp" in until_hover(server, NOTES, 0, 5, "ramp")
        (message,) = shown_messages(server)
        assert "workspaceGlossaryFiles" in message and "outside the workspace" in message
        # The user's own settings may point anywhere.
        change(server, extraGlossaryFiles=[str(secret)])
        assert SECRET in until_hover(server, NOTES, 0, 5, SECRET)
        assert server.shutdown() == 0
        everything = json.dumps(server.messages[:-1]) + server.stderr
        assert everything.count(SECRET) == 1  # in the last hover only, never in a message
    finally:
        server.stop()


def test_workspace_paths_without_a_workspace_are_refused(tmp_path):
    (tmp_path / "terms.yaml").write_text(USER_TERMS, encoding="utf-8")
    server = spawn(tmp_path)
    try:
        server.initialize(initializationOptions={"workspaceGlossaryFiles": ["terms.yaml"]})
        server.check_alive()
        (message,) = shown_messages(server)
        assert "workspaceGlossaryFiles" in message
    finally:
        server.stop()


def test_error_messages_never_quote_the_file(tmp_path):
    path = tmp_path / "environ"
    path.write_text(f"entries:\n  - {SECRET}\n  - PATH=/usr/bin\n", encoding="utf-8")
    server = spawn(tmp_path)
    try:
        server.initialize(initializationOptions={"extraGlossaryFiles": [str(path)]})
        message = server.wait_for(lambda m: m.get("method") == MESSAGE)["params"]["message"]
        assert "vocabulary problems" in message and "not a mapping" in message
        server.check_alive()
        assert SECRET not in json.dumps(server.messages) + server.stderr
    finally:
        server.stop()


# -- a large vocabulary loads off the request path ------------------------------------------------
def big_vocabulary(path: Path, fillers: int) -> None:
    """USER_TERMS with new words for its term, and `fillers` entries more."""
    lines = [USER_TERMS.replace("Our team's word for", "NEW WORDS for")]
    for k in range(fillers):
        lines.append(
            f"  - id: filler-{k}\n    term: filler term {k}\n    kind: concept\n"
            f"    summary: Filler {k}.\n    definition: Filler {k}.\n"
            "    url: https://example.org/filler\n"
        )
    path.write_text("".join(lines), encoding="utf-8")


def test_a_large_vocabulary_loads_while_requests_are_answered_from_the_old_one(tmp_path):
    (tmp_path / "terms.yaml").write_text(USER_TERMS, encoding="utf-8")
    big_vocabulary(tmp_path / "big.yaml", 5_000)
    server = spawn(tmp_path)
    try:
        server.initialize(
            rootUri=tmp_path.as_uri(), initializationOptions={"extraGlossaryFiles": ["terms.yaml"]}
        )
        server.open(NOTES, "A warmup schedule.\nA filler term 4999.\n", "markdown")
        assert "learning-rate ramp" in until_hover(server, NOTES, 0, 5, "ramp")
        # The change and a hover in one write: the hover is handled right after the change.
        change = {
            "jsonrpc": "2.0",
            "method": "workspace/didChangeConfiguration",
            "params": {"settings": {"transformersGlossary": {"extraGlossaryFiles": ["big.yaml"]}}},
        }
        hover_id, hover_frame = server.request_frame(
            "textDocument/hover", hover_params(NOTES, 0, 5)
        )
        server.send_bytes(frame(change) + hover_frame)
        first = json.dumps(server.response(hover_id)["result"])
        assert "learning-rate ramp" in first and "NEW WORDS" not in first  # the old vocabulary
        # Then the new one takes over, all of it.
        assert "NEW WORDS" in until_hover(server, NOTES, 0, 5, "NEW WORDS")
        assert "Filler 4999." in hover_text(server, NOTES, 1, 5)
        assert not shown_messages(server)
        assert server.shutdown() == 0
    finally:
        server.stop()
