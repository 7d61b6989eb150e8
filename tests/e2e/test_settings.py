"""User settings: extra vocabulary files (relative to the workspace root), bad values."""

from __future__ import annotations

import json
from pathlib import Path

from tests.lspclient import LspClient

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
        result = server.hover("file:///notes.md", 0, 12)["result"]
        assert "learning-rate ramp" in json.dumps(result)
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
