"""Hostile data from the client and from vocabulary files, over stdio against the real server:
completionItem/resolve accepts only the `data` the server itself sent, memory stays bounded, a
FIFO among the vocabulary files never blocks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.lspclient import LspClient, hover_params

RESOLVE = {
    "textDocument": {
        "completion": {"completionItem": {"resolveSupport": {"properties": ["documentation"]}}}
    }
}
CODE = (
    "from transformers import AutoModelForSequenceClassification, AutoTokenizer\n"
    "model = AutoModelForSequenceClassification.from_pretrained('x')\n"
    "tok = AutoTokenizer.from_pretrained('x')\n"
    "model(\n"
    'tok(x, return_tensors="\n'
)
URI = "file:///tmp/resolve.py"


def spawn(tmp_path: Path) -> LspClient:
    return LspClient.spawn(env={**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = spawn(tmp_path_factory.mktemp("resolve"))
    server.initialize(RESOLVE)
    server.open(URI, CODE)
    yield server
    try:
        assert server.shutdown() == 0
    finally:
        server.stop()


def sent_items(server: LspClient) -> list[dict]:
    """Items as the server sends them: model arguments (head, call) and option values."""
    items = []
    for line, character in ((3, 6), (4, len('tok(x, return_tensors="'))):
        answer = server.call("textDocument/completion", hover_params(URI, line, character))
        items += answer["result"]["items"]
    assert {"id", "head", "call"} <= set().union(*(item["data"] for item in items))
    assert any("value" in item["data"] for item in items)
    return items


def resolve(server: LspClient, item: dict) -> dict:
    answer = server.call("completionItem/resolve", item)
    assert "result" in answer, answer
    return answer["result"]


def test_every_item_the_server_sent_resolves(server):
    for item in sent_items(server):
        assert "documentation" in resolve(server, item), item["data"]


BIG = "A" * 2000
MANGLED = {
    "not an object": "labels",
    "a list": ["labels"],
    "null": None,
    "unknown key": {"id": "labels", "extra": 1},
    "id not a string": {"id": 5},
    "id too long": {"id": "labels" + BIG},
    "unknown id": {"id": "no-such-entry"},
    "head too long": {"id": "labels", "head": BIG + "ForSequenceClassification"},
    "head not a class name": {"id": "labels", "head": "<img src=x>ForSequenceClassification"},
    "value too long": {"id": "return_tensors", "value": "pt" + BIG},
    "call not a string": {"id": "labels", "call": ["model"]},
    "unknown call": {"id": "labels", "call": "spaceship"},
}


@pytest.mark.parametrize("data", list(MANGLED.values()), ids=list(MANGLED))
def test_data_the_server_did_not_send_gets_no_documentation(server, data):
    item = {"label": "labels", "data": data}
    assert "documentation" not in resolve(server, item)
    server.check_alive()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_resolve_with_huge_heads_does_not_grow_memory(server):
    """Each request carries a 1 MB head: nothing of it may be kept (once: +290 MB in 300)."""

    def rss_kb() -> int:
        status = Path(f"/proc/{server.proc.pid}/status").read_text()
        return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])

    def burst(count: int) -> None:
        for k in range(count):
            head = f"H{k}" + "x" * 1_000_000 + "ForSequenceClassification"
            item = {"label": "labels", "data": {"id": "labels", "head": head}}
            msg_id = server.request("completionItem/resolve", item)
            server.response(msg_id)
            server.forget()  # the client's copy of each 1 MB echo

    burst(20)  # buffers reach their working size
    before = rss_kb()
    burst(150)
    assert rss_kb() - before < 60_000, "150 MB of heads must not be kept"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_among_the_vocabulary_files_never_blocks(tmp_path):
    fifo = tmp_path / "terms.yaml"
    os.mkfifo(fifo)
    server = spawn(tmp_path)
    try:
        server.initialize(initializationOptions={"extraGlossaryFiles": [str(fifo)]})
        server.check_alive()
        shown = server.wait_for(lambda m: m.get("method") == "window/showMessage")
        assert "not a regular file" in json.dumps(shown)
        assert server.shutdown() == 0  # shutdown answered, exit obeyed
    finally:
        server.stop()
