"""MDX over stdio: a `.mdx` file read as Markdown whatever language id the editor gives it (VS
Code, knowing no MDX, says `plaintext`; Neovim with the README's filetype line says `mdx`)."""

from __future__ import annotations

import pytest

from tests.lspclient import LspClient

PAGE = (
    "<CourseFloatingBanner chapter={2}\n"
    '  notebooks={[{label: "Colab", value: "x"}]} />\n'
    "\n"
    "<Tip>\n"
    "Pass the attention mask with padded batches.\n"
    "</Tip>\n"
    "\n"
    "```py\n"
    "args = TrainingArguments('o', no_cuda=True)\n"
    "```\n"
)


@pytest.fixture
def server():
    client = LspClient.spawn()
    client.initialize(
        {"textDocument": {"diagnostic": {}}},
        initializationOptions={"transformersVersion": "5.25"},
    )
    yield client
    assert client.shutdown() == 0
    client.stop()


@pytest.mark.parametrize("language", ["plaintext", "mdx"])
def test_mdx_page_reads_as_markdown(server, language):
    uri = f"file:///tmp/mdx-e2e/page-{language}.mdx"
    server.open(uri, PAGE, language)
    prose = server.hover(uri, 4, 12)["result"]
    assert prose and "attention mask" in prose["contents"]["value"]
    assert server.hover(uri, 1, 16)["result"] is None  # `label:` inside the JSX tag
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": uri}})
    assert [(d["code"], d["range"]["start"]["line"]) for d in answer["result"]["items"]] == [
        ("TG001", 8)
    ]
