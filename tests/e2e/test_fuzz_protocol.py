"""Fuzzing the protocol layer in process: random message sequences into a real GlossaryServer
(our features, our `GlossaryProtocol.receive`), with the writer captured.

Properties: nothing raises out of `receive`; everything written is a well-formed frame holding a
JSON-RPC message; every request with a valid id sent before `exit` gets exactly one response.
Runs briefly by default; FUZZ_EXAMPLES=5000 for longer.
"""

from __future__ import annotations

import io
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.protocol import valid_id
from transformers_glossary_ls.server import GlossaryServer
from transformers_glossary_ls.server import server as real

from tests.lspclient import read_messages

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
GLOSSARY = Glossary()


class Capture:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass


class FakeConnection:
    def __init__(self) -> None:
        self.codes: list[int] = []

    def stop(self, code: int) -> None:
        self.codes.append(code)

    def watch_editor(self, pid) -> None:
        pass


def make_server() -> tuple[GlossaryServer, Capture, FakeConnection]:
    server = GlossaryServer()
    for method, handler in real.protocol.fm.features.items():
        server.feature(method, real.protocol.fm.feature_options.get(method))(
            getattr(handler, "func", handler)
        )
    server.glossary = GLOSSARY
    capture, connection = Capture(), FakeConnection()
    server.protocol.set_writer(capture)
    server.connection = connection  # type: ignore[assignment]
    return server, capture, connection


def parse_frames(data: bytes) -> list[dict]:
    """The messages written, read as strictly as from a server process (tests/lspclient.py)."""
    messages = [message for message, _, _ in read_messages(io.BytesIO(data))]
    for message in messages:
        if "error" in message and "method" not in message:
            assert isinstance(message["error"]["code"], int)
            assert isinstance(message["error"]["message"], str)
    return messages


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**33), 2**33)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
TEXT_TOKENS = [
    "model(",
    "attention_mask",
    "=",
    ")",
    "\n",
    "\r\n",
    "\r",
    "#",
    '"',
    "`",
    "😀",
    "中",
    "\x00",
    "\ud800",
    "input_ids",
    "```python\n",
    " ",
]
doc_texts = st.lists(st.sampled_from(TEXT_TOKENS), max_size=20).map("".join)
uris = st.sampled_from(["file:///a.py", "file:///b.md", "untitled:1", "file:///c.txt"])
ints = st.integers(-3, 30)
positions = st.fixed_dictionaries({"line": ints, "character": ints}) | json_values
text_documents = st.fixed_dictionaries({"uri": uris}) | json_values

params_for = {
    "textDocument/hover": st.fixed_dictionaries(
        {"textDocument": text_documents, "position": positions}
    ),
    "textDocument/completion": st.fixed_dictionaries(
        {"textDocument": text_documents, "position": positions}
    ),
    "completionItem/resolve": st.fixed_dictionaries(
        {"label": st.text(max_size=5), "data": json_values}
    )
    | json_values,
    "textDocument/didOpen": st.fixed_dictionaries(
        {
            "textDocument": st.fixed_dictionaries(
                {
                    "uri": uris,
                    "languageId": st.sampled_from(["python", "markdown", "plaintext", ""]),
                    "version": st.integers(0, 5),
                    "text": doc_texts,
                }
            )
        }
    ),
    "textDocument/didChange": st.fixed_dictionaries(
        {
            "textDocument": st.fixed_dictionaries({"uri": uris, "version": st.integers(0, 9)}),
            "contentChanges": st.lists(
                st.fixed_dictionaries({"text": doc_texts})
                | st.fixed_dictionaries(
                    {
                        "range": st.fixed_dictionaries({"start": positions, "end": positions}),
                        "text": doc_texts,
                    }
                ),
                max_size=3,
            ),
        }
    ),
    "textDocument/didClose": st.fixed_dictionaries({"textDocument": text_documents}),
    "workspace/didChangeConfiguration": st.fixed_dictionaries({"settings": json_values}),
    "$/cancelRequest": st.fixed_dictionaries({"id": st.integers(0, 40) | json_values}),
    "shutdown": st.none(),
    "exit": st.none(),
    "initialized": st.just({}),
    "initialize": st.just({"processId": None, "capabilities": {}}),
    "custom/unknown": json_values,
}
methods = st.sampled_from(list(params_for))


@st.composite
def messages(draw):
    kind = draw(
        st.sampled_from(["request", "request", "notification", "notification", "garbage", "bytes"])
    )
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "garbage":
        return draw(
            json_values
            | st.dictionaries(
                st.sampled_from(["jsonrpc", "id", "method", "params", "result", "error"]),
                json_values,
                max_size=5,
            )
        )
    method = draw(methods)
    message = {"jsonrpc": "2.0", "method": method}
    params = draw(params_for[method])
    if params is not None or draw(st.booleans()):
        message["params"] = params
    if kind == "request":
        message["id"] = draw(st.integers(0, 40) | st.text(max_size=3) | json_values)
    return message


@FUZZ
@given(st.booleans(), st.lists(messages(), max_size=25), st.lists(st.integers(1, 5), max_size=10))
def test_random_messages_never_break_the_protocol(start_initialized, sequence, batch_sizes):
    server, capture, connection = make_server()
    protocol = server.protocol
    prefix = []
    if start_initialized:
        prefix = [
            {
                "jsonrpc": "2.0",
                "id": "init",
                "method": "initialize",
                "params": {"processId": None, "capabilities": {}},
            },
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        ]
    # make request ids unique, so that "exactly one response each" can be checked
    sent_ids, bodies = [], []
    for k, message in enumerate(prefix + sequence):
        if isinstance(message, dict) and "method" in message and valid_id(message.get("id")):
            message = {**message, "id": f"{k}:{message['id']}"}
        if isinstance(message, bytes):
            bodies.append(message)
        else:
            bodies.append(json.dumps(message).encode("utf-8", "surrogatepass"))
        # a message with a method and a valid id is a request, valid or not: it is answered
        is_request = (
            isinstance(message, dict) and "method" in message and valid_id(message.get("id"))
        )
        sent_ids.append(message["id"] if is_request else None)
    exit_index = next((k for k, body in enumerate(bodies) if _is_exit(body)), len(bodies))
    # feed in batches (cancellation looks ahead within a batch)
    pos, sizes = 0, list(batch_sizes) or [1]
    while pos < len(bodies):
        size = sizes[0]
        sizes = sizes[1:] or [size]
        protocol.receive(bodies[pos : pos + size])
        pos += size
    out = parse_frames(bytes(capture.data))
    answered: dict = {}
    for message in out:
        if "method" not in message and message.get("id") is not None:
            answered[message["id"]] = answered.get(message["id"], 0) + 1
    assert all(n == 1 for n in answered.values()), answered
    expected = {i for i in sent_ids[:exit_index] if i is not None}
    assert set(answered) == expected, (expected - set(answered), set(answered) - expected)
    if exit_index < len(bodies):
        assert connection.codes and connection.codes[0] in (0, 1)
    else:
        assert not connection.codes


def _is_exit(body: bytes) -> bool:
    try:
        message = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(message, dict)
        and message.get("jsonrpc") == "2.0"
        and message.get("method") == "exit"
        and "id" not in message
    )


def test_notifications_leave_no_futures_behind():
    """pygls keeps the future of each generator notification handler forever; we must not
    (found by the memory soak: a leaked future per keystroke)."""
    server, capture, _ = make_server()
    uri = "file:///leak.py"
    bodies = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "capabilities": {}},
        },
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 1,
                    "text": "x = 1\n",
                }
            },
        },
    ]
    for k in range(200):
        bodies.append(
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": k + 2},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": 0, "character": 0},
                                "end": {"line": 0, "character": 0},
                            },
                            "text": "y",
                        }
                    ],
                },
            }
        )
        bodies.append(
            {
                "jsonrpc": "2.0",
                "id": 10 + k,
                "method": "textDocument/hover",
                "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}},
            }
        )
    bodies.append(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didClose",
            "params": {"textDocument": {"uri": uri}},
        }
    )
    server.protocol.receive([json.dumps(b).encode() for b in bodies])
    assert server.protocol._request_futures == {}
    answers = [m for m in parse_frames(bytes(capture.data)) if "id" in m]
    assert len(answers) == 201
    assert all("result" in m for m in answers), [m for m in answers if "result" not in m][:1]


def test_strict_converter_refuses_coercions_and_keeps_enums():
    from lsprotocol import types
    from transformers_glossary_ls.protocol import strict_converter

    converter = strict_converter()
    item = converter.structure({"label": "x", "kind": 5, "tags": [1]}, types.CompletionItem)
    assert item.kind == types.CompletionItemKind.Field
    assert item.tags == [types.CompletionItemTag.Deprecated] or item.tags == (
        types.CompletionItemTag.Deprecated,
    )
    markup = converter.structure({"kind": "markdown", "value": "v"}, types.MarkupContent)
    assert markup.kind is types.MarkupKind.Markdown
    for bad, kind in (
        ({"label": 5}, types.CompletionItem),
        ({"line": True, "character": 0}, types.Position),
        ({"line": 1.5, "character": 0}, types.Position),
        ({"label": "x", "preselect": 1}, types.CompletionItem),
    ):
        try:
            converter.structure(bad, kind)
        except Exception:  # noqa: BLE001
            continue
        raise AssertionError(f"coerced {bad}")
