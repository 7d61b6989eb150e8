"""Signature help over stdio, under a rich client (markdown, activeParameter, label offsets) and
a bare one (plain text, string labels): the same signature, in the form each reads."""

from __future__ import annotations

import pytest

from tests.lspclient import LspClient

SOURCE = (
    "from transformers import TrainingArguments\n"
    "args = TrainingArguments('o', evaluation_strategy=, seed=1)\n"
)
LINE, CHARACTER = 1, SOURCE.splitlines()[1].index("=,") + 1
URI = "file:///tmp/signature-e2e/train.py"
RICH = {
    "textDocument": {
        "signatureHelp": {
            "signatureInformation": {
                "documentationFormat": ["markdown", "plaintext"],
                "activeParameterSupport": True,
                "parameterInformation": {"labelOffsetSupport": True},
            }
        }
    }
}
BARE: dict = {}


@pytest.fixture
def server(request):
    client = LspClient.spawn()
    init = client.initialize(request.param, initializationOptions={"transformersVersion": "5.25"})
    client.trigger = init["result"]["capabilities"]["signatureHelpProvider"]
    yield client
    assert client.shutdown() == 0
    client.stop()


def _ask(server, line: int, character: int) -> dict | None:
    server.open(URI, SOURCE)
    answer = server.call(
        "textDocument/signatureHelp",
        {"textDocument": {"uri": URI}, "position": {"line": line, "character": character}},
    )
    return answer["result"]


@pytest.mark.parametrize("server", [RICH], indirect=True)
def test_rich_client(server):
    assert server.trigger["triggerCharacters"] == ["(", ","]
    help = _ask(server, LINE, CHARACTER)
    (signature,) = help["signatures"]
    label = signature["label"]
    names = [label[a:b].split(":")[0] for a, b in (p["label"] for p in signature["parameters"])]
    assert names == ["output_dir", "evaluation_strategy", "seed"]
    assert signature["activeParameter"] == help["activeParameter"] == 1
    active = signature["parameters"][1]["documentation"]
    assert active["kind"] == "markdown" and "**Removed**" in active["value"]
    assert "eval_strategy" in active["value"]
    assert "evaluation_strategy: removed" in signature["documentation"]["value"]


@pytest.mark.parametrize("server", [BARE], indirect=True)
def test_bare_client(server):
    help = _ask(server, LINE, CHARACTER)
    (signature,) = help["signatures"]
    labels = [p["label"] for p in signature["parameters"]]
    assert all(isinstance(x, str) and x in signature["label"] for x in labels)
    assert signature.get("activeParameter") is None, signature.get("activeParameter")
    assert help["activeParameter"] == 1
    active = signature["parameters"][1]["documentation"]
    assert active["kind"] == "markdown"  # no format listed: markdown, as hover does
    # outside a call, nothing
    assert _ask(server, 0, 3) is None


PLAIN = {
    "textDocument": {
        "signatureHelp": {"signatureInformation": {"documentationFormat": ["plaintext"]}}
    }
}


@pytest.mark.parametrize("server", [PLAIN], indirect=True)
def test_plain_text_client(server):
    (signature,) = _ask(server, LINE, CHARACTER)["signatures"]
    active = signature["parameters"][1]["documentation"]
    assert active["kind"] == "plaintext"
    assert active["value"].startswith("Removed after") and "**" not in active["value"]
