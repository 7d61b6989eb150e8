"""The catalogue over stdio, as an editor sees it: hover on names we wrote nothing about, with
their status, and completion of trl/peft configs with documentation on resolve."""

from __future__ import annotations

import json

import pytest

from tests.lspclient import LspClient

SCRIPT = """\
from transformers import AutoModelForCausalLM, TrainingArguments
from peft import LoraConfig
model = AutoModelForCausalLM.from_pretrained("gpt2", dtype="auto")
args = TrainingArguments(output_dir="out", evaluation_strategy="steps")
outputs = model(**batch)
loss = outputs.logits
cfg = LoraConfig(r=8, lora_alpha=16)
LoraConfig(
"""


@pytest.fixture(scope="module")
def server():
    client = LspClient.spawn()
    client.initialize(
        {
            "textDocument": {
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {
                    "completionItem": {
                        "documentationFormat": ["markdown"],
                        "resolveSupport": {"properties": ["documentation"]},
                        "labelDetailsSupport": True,
                    }
                },
            }
        }
    )
    client.open("file:///train.py", SCRIPT)
    yield client
    client.stop()


def _hover(server, line: int, word: str) -> dict:
    character = SCRIPT.splitlines()[line].index(word) + 1
    return server.hover("file:///train.py", line, character)["result"]


@pytest.mark.parametrize(
    "line,word,musts",
    [
        (2, "dtype", ["dtype"]),
        (3, "evaluation_strategy", ["Removed", "eval_strategy"]),
        (5, "logits", ["ModelOutput", "logits"]),
        (6, "lora_alpha", ["LoraConfig", "lora_alpha"]),
    ],
    ids=["dtype", "evaluation_strategy", "outputs.logits", "lora_alpha"],
)
def test_hover(server, line, word, musts):
    result = _hover(server, line, word)
    assert result is not None
    text = result["contents"]["value"]
    for must in musts:
        assert must in text, text
    start, end = result["range"]["start"], result["range"]["end"]
    assert SCRIPT.splitlines()[line][start["character"] : end["character"]] == word


def test_status_leads_the_hover(server):
    text = _hover(server, 3, "evaluation_strategy")["contents"]["value"]
    assert text.splitlines()[0].startswith("**Removed**"), text


def test_completion_of_a_peft_config_with_resolve(server):
    line = len(SCRIPT.splitlines()) - 1
    result = server.call(
        "textDocument/completion",
        {"textDocument": {"uri": "file:///train.py"}, "position": {"line": line, "character": 11}},
    )["result"]
    labels = [item["label"] for item in result["items"]]
    assert "r=" in labels and "lora_alpha=" in labels, labels[:20]
    item = next(i for i in result["items"] if i["label"] == "lora_alpha=")
    assert "documentation" not in item  # it comes on resolve
    resolved = server.call("completionItem/resolve", item)["result"]
    assert "lora_alpha" in json.dumps(resolved["documentation"])
