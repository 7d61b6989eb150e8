"""What JupyterLab's jupyterlab-lsp really sends for a notebook, replayed over stdio.

`tests/fixtures/jupyterlab/session.json` was read off our server's stdin while JupyterLab 4.6.6 with
jupyterlab-lsp 5.3.0 had `train.ipynb` (next to it) open: the code cells arrive as ONE Python
document, cells joined by blank lines, Markdown cells as empty lines, IPython magics rewritten to
`get_ipython()` calls or, inside an unwrapped `%%time`/`%%capture` cell, left as they are (`!ls`,
`%matplotlib inline`, `model.generate?`); the Markdown cells arrive as one Markdown document,
opened twice. None of that may produce a false diagnostic or stop the server, and hovers answer
in both documents, a variable of an earlier cell naming the model of a later call.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lspclient import LspClient

SESSION = Path(__file__).parents[1] / "fixtures" / "jupyterlab" / "session.json"
MESSAGES = json.loads(SESSION.read_text(encoding="utf-8"))["messages"]
PY = "file:///tmp/jupyterlab-notebooks/train.ipynb"
MD = PY + ".python-markdown.md"


def _final_text(uri: str) -> str:
    text = ""
    for m in MESSAGES:
        doc = m.get("params", {}).get("textDocument", {})
        if doc.get("uri") != uri:
            continue
        if m["method"] == "textDocument/didOpen":
            text = doc["text"]
        elif m["method"] == "textDocument/didChange":
            text = m["params"]["contentChanges"][-1]["text"]
    return text


def _last_version(uri: str) -> int:
    return [
        m["params"]["textDocument"]["version"]
        for m in MESSAGES
        if m.get("params", {}).get("textDocument", {}).get("uri") == uri
    ][-1]


PY_LINES = _final_text(PY).split("\n")
MD_LINES = _final_text(MD).split("\n")


def _at(lines: list[str], line_has: str, word: str) -> tuple[int, int]:
    """(line, character) inside `word`, on the first line containing `line_has`."""
    for i, line in enumerate(lines):
        if line_has in line and word in line:
            start = line.find(word, line.index(line_has))
            return i, (start if start >= 0 else line.index(word)) + 2
    raise AssertionError(f"{line_has!r} / {word!r} not in the virtual document")


@pytest.fixture(scope="module")
def lab():
    client = LspClient.spawn(on_request=lambda message: None)
    for message in MESSAGES:
        params = message.get("params")
        if message["method"] == "initialize":
            answer = client.call("initialize", params)
            assert "result" in answer, answer
            continue
        if message["method"] == "workspace/didChangeConfiguration":
            # JupyterLab sends what Settings > Language Servers > configuration holds: here, the
            # release the answers are for (the captured session sent {}).
            params = {"settings": {"transformersGlossary": {"transformersVersion": "5.25"}}}
        client.notify(message["method"], params)
    yield client
    assert client.shutdown() == 0
    client.stop()


def _pushed(client: LspClient, uri: str) -> list[dict]:
    version = _last_version(uri)
    found = client.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        )
    )
    return found["params"]["diagnostics"]


def test_the_fixture_holds_what_the_test_is_about():
    """The captured documents have the shape described above (so the test tests it)."""
    assert "\n\n\n\n\n\nimport torch" in _final_text(PY)  # a Markdown cell between code cells
    assert 'get_ipython().run_line_magic("pip", ' in _final_text(PY)
    assert 'get_ipython().getoutput("pip list | grep torch")' in _final_text(PY)
    assert "files = !ls\n%matplotlib inline\nmodel.generate?\n??model" in _final_text(PY)
    assert "causal language modeling" in _final_text(MD)
    opens = [m for m in MESSAGES if m["method"] == "textDocument/didOpen"]
    assert [m["params"]["textDocument"]["languageId"] for m in opens] == [
        "python",
        "markdown",
        "markdown",
    ]


def test_magics_and_joined_cells_raise_only_the_real_finding(lab):
    found = [
        (d["code"], PY_LINES[d["range"]["start"]["line"]], d["range"]["start"]["character"])
        for d in _pushed(lab, PY)
    ]
    line = 'old = TrainingArguments(output_dir="o", evaluation_strategy="epoch")'
    assert found == [("TG001", line, line.index("evaluation_strategy"))]
    assert _pushed(lab, MD) == []


HOVERS = [
    # (document, line containing, word hovered, the hover contains / None for no hover)
    pytest.param(
        PY, "out = model(", "attention_mask", "(AutoModel) attention_mask", id="later-cell"
    ),
    pytest.param(
        PY,
        "args = TrainingArguments(",
        "eval_strategy",
        "(TrainingArguments) eval_strategy",
        id="inside-%%time",
    ),
    pytest.param(
        PY,
        "old = TrainingArguments(",
        "evaluation_strategy",
        "**Removed** after 4.50",
        id="inside-%%capture",
    ),
    pytest.param(PY, "files = !ls", "files", None, id="shell-assignment"),
    pytest.param(PY, "%matplotlib inline", "matplotlib", None, id="line-magic-left-as-is"),
    pytest.param(PY, "model.generate?", "generate", None, id="pinfo"),
    pytest.param(PY, 'run_line_magic("pip"', "install", None, id="%pip"),
    pytest.param(PY, "getoutput(", "grep", None, id="!pip"),
    pytest.param(PY, "# START_CELL_MAGIC", "START_CELL_MAGIC", None, id="marker-comment"),
    pytest.param(MD, "GPT-2", "causal language modeling", "causal language modeling", id="md-cell"),
    pytest.param(MD, "Batches", "attention mask", "attention mask", id="second-md-cell"),
]


@pytest.mark.parametrize(("uri", "line_has", "word", "expected"), HOVERS)
def test_hover_in_the_virtual_documents(lab, uri, line_has, word, expected):
    line, character = _at(PY_LINES if uri == PY else MD_LINES, line_has, word)
    answer = lab.hover(uri, line, character)
    assert "error" not in answer, answer
    result = answer["result"]
    if expected is None:
        assert result is None, result["contents"]["value"][:200]
    else:
        assert result is not None
        assert expected in result["contents"]["value"]


def test_the_server_keeps_serving(lab):
    lab.check_alive()
