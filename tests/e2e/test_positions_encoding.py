"""Position encodings over stdio: UTF-16 by default, UTF-8 and UTF-32 when the client offers them.

A hover after emoji, CJK and combining characters lands on the right term and returns the range
that, sliced by the client in its encoding, is exactly the term; edits use the encoding too.
(The same property is checked exhaustively, without the wire, in tests/unit/test_fuzz_engine.py.)
"""

from __future__ import annotations

import pytest

from tests.lspclient import LspClient, hover_params

CLIENTS = {  # name: (positionEncodings offered, encoding expected)
    "default": (None, "utf-16"),
    "utf-8": (["utf-8"], "utf-8"),
    "utf-32": (["utf-32"], "utf-32"),
    "prefers utf-32 over utf-8": (["utf-32", "utf-8"], "utf-32"),
}

LINES = [  # (language, line, term)
    ("python", 's = "😀🤗👩‍💻"; model(attention_mask=m)', "attention_mask"),
    ("python", '名前 = "中文字"; model(input_ids=x)', "input_ids"),
    ("python", 'e\u0301 = "a\u0308\u0301"; model(token_type_ids=t)', "token_type_ids"),
    ("python", "# 🤗 the attention_mask and 中文", "attention_mask"),
    ("python", 'batch["𝔘𝔘"], batch["attention_mask"]', "attention_mask"),
    ("markdown", "🤗🤗 中文 e\u0301: pass `attention_mask` here", "attention_mask"),
]


def column(line: str, index: int, encoding: str) -> int:
    head = line[:index]
    if encoding == "utf-32":
        return len(head)
    if encoding == "utf-16":
        return len(head.encode("utf-16-le")) // 2
    return len(head.encode("utf-8"))


def sliced(line: str, start: int, end: int, encoding: str) -> str:
    """What a client in `encoding` sees between two columns of `line`."""
    if encoding == "utf-32":
        return line[start:end]
    if encoding == "utf-16":
        data = line.encode("utf-16-le")
        return data[2 * start : 2 * end].decode("utf-16-le")
    return line.encode("utf-8")[start:end].decode("utf-8")


@pytest.fixture(scope="module")
def servers():
    started = {name: LspClient.spawn() for name in CLIENTS}  # start together: startup is the cost
    try:
        for name, server in started.items():
            offered, expected = CLIENTS[name]
            capabilities = {"general": {"positionEncodings": offered}} if offered else {}
            result = server.initialize(capabilities)
            assert result["result"]["capabilities"].get("positionEncoding", "utf-16") == expected
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.mark.parametrize("name", list(CLIENTS))
def test_hover_ranges_slice_exactly_the_term(servers, name):
    server, encoding = servers[name], CLIENTS[name][1]
    for k, (language, line, term) in enumerate(LINES):
        uri = f"file:///tmp/enc-{k}.{'py' if language == 'python' else 'md'}"
        server.open(uri, line + "\n", language)
        start = line.rindex(term)
        for offset in (0, len(term) // 2, len(term)):
            answer = server.hover(uri, 0, column(line, start + offset, encoding))
            assert answer.get("result"), (name, line, offset, answer)
            assert term in answer["result"]["contents"]["value"]
            r = answer["result"]["range"]
            assert r["start"]["line"] == r["end"]["line"] == 0
            assert sliced(line, r["start"]["character"], r["end"]["character"], encoding) == term
        # a column in the middle of a wide character does not crash or mislead
        for units in range(0, column(line, start, encoding)):
            answer = server.hover(uri, 0, units)
            assert "error" not in answer
            if answer["result"]:
                assert term not in answer["result"]["contents"]["value"].splitlines()[0]


@pytest.mark.parametrize("name", list(CLIENTS))
def test_incremental_edits_after_wide_characters_use_the_encoding(servers, name):
    server, encoding = servers[name], CLIENTS[name][1]
    uri = "file:///tmp/enc-edit.py"
    line = 's = "😀中e\u0301"; model(input_ids=x)'
    server.open(uri, line)
    # replace input_ids by attention_mask, addressed in the client's encoding
    start = line.index("input_ids")
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 0, "character": column(line, start, encoding)},
                        "end": {
                            "line": 0,
                            "character": column(line, start + len("input_ids"), encoding),
                        },
                    },
                    "text": "attention_mask",
                }
            ],
        },
    )
    new = line.replace("input_ids", "attention_mask")
    answer = server.call(
        "textDocument/hover", hover_params(uri, 0, column(new, start + 3, encoding))
    )
    r = answer["result"]["range"]
    assert sliced(new, r["start"]["character"], r["end"]["character"], encoding) == "attention_mask"
    completion = server.call(
        "textDocument/completion", hover_params(uri, 0, column(new, start + 4, encoding))
    )
    items = completion["result"]["items"]
    assert items
    edit = items[0]["textEdit"]["range"]
    replaced = sliced(new, edit["start"]["character"], edit["end"]["character"], encoding)
    assert replaced and "attention_mask".startswith(replaced)
