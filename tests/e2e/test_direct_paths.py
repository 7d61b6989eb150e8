"""Messages that skip pygls's general machinery, for speed, and must not differ for it.

A keystroke's `textDocument/didChange`, a hover and a completion request are built directly and
handed to our handler: the params built are those the converter builds, anything unusual takes
the general way, and a failing handler is answered and reported as pygls does it. Log lines,
pop-ups and hovers are written as JSON directly: the same JSON cattrs writes."""

from __future__ import annotations

import json

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.exceptions import FeatureNotificationError, FeatureRequestError
from transformers_glossary_ls import render
from transformers_glossary_ls.capabilities import Client
from transformers_glossary_ls.documents import Document
from transformers_glossary_ls.engine import HoverAnswer
from transformers_glossary_ls.protocol import (
    clip,
    completion_params,
    decode_json,
    did_change_params,
    hover_params,
    strict_converter,
)
from transformers_glossary_ls.server import GlossaryServer
from transformers_glossary_ls.spotting import Spot

from tests.lspclient import LspClient

from .test_fuzz_protocol import make_server, parse_frames

CONVERTER = strict_converter()

_VALUE = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([2**31 - 1, 2**31, -(2**31) - 1, True, 1.0, None, "1", "x", [], {}]),
)


def _maybe(value, other=_VALUE):
    return st.one_of(st.just(value), other) if value is not None else other


_POSITION = st.fixed_dictionaries(
    {"line": _maybe(None, st.one_of(st.integers(0, 9), _VALUE)), "character": _VALUE},
    optional={"extra": _VALUE},
)
_CHANGE = st.one_of(
    st.fixed_dictionaries({"text": st.one_of(st.text(max_size=3), _VALUE)}),
    st.fixed_dictionaries(
        {
            "range": st.one_of(
                st.fixed_dictionaries({"start": _POSITION, "end": _POSITION}), _VALUE
            ),
            "text": st.one_of(st.text(max_size=3), _VALUE),
        },
        optional={"rangeLength": _VALUE, "other": _VALUE},
    ),
    _VALUE,
)
_PARAMS = st.fixed_dictionaries(
    {
        "textDocument": st.one_of(
            st.fixed_dictionaries(
                {"uri": st.one_of(st.just("file:///a.py"), _VALUE), "version": _VALUE},
                optional={"languageId": st.just("python")},
            ),
            _VALUE,
        ),
        "contentChanges": st.one_of(st.lists(_CHANGE, max_size=3), _VALUE),
    },
    optional={"more": _VALUE},
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_PARAMS, _VALUE))
def test_built_directly_as_the_converter_builds_them(raw):
    _as_the_converter_builds(raw)


def _as_the_converter_builds(raw) -> types.DidChangeTextDocumentParams | None:
    """`did_change_params(raw)`, checked: None where the converter rejects `raw`, else None
    or what the converter builds (the same kinds of change too)."""
    fast = did_change_params(raw)
    try:
        expected = CONVERTER.structure(raw, types.DidChangeTextDocumentParams)
    except Exception:  # noqa: BLE001 - invalid params: the general way judges them
        assert fast is None
        return fast
    if fast is not None:
        assert fast == expected
        assert [type(c) for c in fast.content_changes] == [
            type(c) for c in expected.content_changes
        ]
    return fast


_REQUEST = st.fixed_dictionaries(
    {
        "textDocument": st.one_of(
            st.fixed_dictionaries(
                {"uri": st.one_of(st.just("file:///a.py"), _VALUE)},
                optional={"version": st.just(1)},
            ),
            _VALUE,
        ),
        "position": st.one_of(_POSITION, _VALUE),
    },
    optional={
        "context": st.one_of(
            st.fixed_dictionaries(
                {"triggerKind": st.one_of(st.integers(0, 4), _VALUE)},
                optional={
                    "triggerCharacter": st.one_of(st.sampled_from(["(", '"', ""]), _VALUE),
                    "other": _VALUE,
                },
            ),
            _VALUE,
        ),
        "workDoneToken": st.one_of(st.just("t"), _VALUE),
        "more": _VALUE,
    },
)


@pytest.mark.parametrize(
    ("build", "kind"),
    [(hover_params, types.HoverParams), (completion_params, types.CompletionParams)],
    ids=["hover", "completion"],
)
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.one_of(_REQUEST, _VALUE))
def test_requests_built_directly_as_the_converter_builds_them(build, kind, raw):
    fast = build(raw)
    try:
        expected = CONVERTER.structure(raw, kind)
    except Exception:  # noqa: BLE001 - invalid params: the general way judges them
        assert fast is None
        return
    if fast is not None:
        assert fast == expected


@pytest.mark.parametrize(
    ("build", "kind", "raw"),
    [
        (hover_params, types.HoverParams, {}),
        (completion_params, types.CompletionParams, {}),
        (completion_params, types.CompletionParams, {"context": {"triggerKind": 1}}),
        (
            completion_params,
            types.CompletionParams,
            {"context": {"triggerKind": 2, "triggerCharacter": "("}},
        ),
    ],
    ids=["hover", "completion", "invoked", "triggered"],
)
def test_what_editors_send_takes_the_direct_way(build, kind, raw):
    usual = {
        "textDocument": {"uri": "file:///a.py"},
        "position": {"line": 3, "character": 7},
        **raw,
    }
    assert build(usual) is not None
    assert build(usual) == CONVERTER.structure(usual, kind)


@pytest.mark.parametrize("kind", [True, False, 1.0, 0, 4, "1", None])
def test_odd_trigger_kinds_are_judged_by_the_converter(kind):
    raw = {
        "textDocument": {"uri": "file:///a.py"},
        "position": {"line": 0, "character": 0},
        "context": {"triggerKind": kind},
    }
    with pytest.raises(Exception):  # noqa: B017, PT011 - any structuring error
        CONVERTER.structure(raw, types.CompletionParams)
    assert completion_params(raw) is None


@pytest.mark.parametrize("markdown", [True, False], ids=["markdown", "plaintext"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-8", "utf-32"])
def test_a_hover_is_the_json_cattrs_writes(markdown, encoding):
    doc = Document("file:///a.py", 'x = "🤗 é"\n# 𝒳 attention "mask" \\ </b>\n', "python")
    spot = Spot(entry=None, start_line=0, start=5, end_line=1, end=11, where="code")
    answer = HoverAnswer(spot, 'a "quoted" \\ 🤗 \x00 \udcff line\nnext')
    client = Client(encoding=encoding, hover_markdown=markdown)
    written = json.loads(render.hover(answer, doc, client).text)
    expected = types.Hover(
        contents=render.markup(answer.text, markdown),
        range=render.span_range(doc, spot, encoding),
    )
    assert written == CONVERTER.unstructure(expected)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)
_BODY = st.builds(
    lambda value, ascii_, compact: json.dumps(
        {"jsonrpc": "2.0", "params": value},
        ensure_ascii=ascii_,
        separators=(",", ":") if compact else None,
    ),
    _JSON,
    st.booleans(),
    st.booleans(),
)


_PAST_64_BITS = b'{"jsonrpc": "2.0", "params": [-9223372036854775809, 18446744073709551616]}'


@st.composite
def _bytes(draw):
    """Bodies as clients write them, and bytes near them that `json.loads` reads otherwise or
    refuses: cut, run on, padded, other encodings, escapes of lone surrogates, bad UTF-8."""
    text = draw(_BODY)
    cut = draw(st.integers(0, len(text)))
    text = draw(
        st.sampled_from(
            [
                text,
                text[:cut],
                text + text,
                " " + text,
                text + "\n",
                text[:cut] + '"\\ud800"' + text[cut:],
                text[:-1] + ',"x":NaN}',
                text[:-1] + ',"deep":' + "[" * 3000 + "]" * 3000 + "}",
                text[:-1] + ',"control":"a\x01b\nc"}',  # raw, not escaped: refused
                text[:-1] + ',"params":"again"}',  # a key twice: the last one counts
                text[:-1] + ',"huge":1e400,"big":123456789012345678901234567890}',
                "\t\r\n" + text + " \r\n",
            ]
        )
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16-le", "utf-16", "utf-8-sig"]))
    data = text.encode(encoding, "surrogatepass")
    if draw(st.booleans()):
        data = data[:cut] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"}"])) + data[cut:]
    return data


def _outcome(decode, data: bytes):
    try:
        return "value", json.dumps(decode(data), sort_keys=True)  # NaN is written, not compared
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bytes())
@example(_PAST_64_BITS)
def test_a_body_is_decoded_as_json_loads_decodes_it(data):
    assert _outcome(decode_json, data) == _outcome(json.loads, data)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bytes())
@example(_PAST_64_BITS)
def test_read_by_orjson_a_body_is_decoded_as_json_loads_decodes_it(data):
    """Every body taken the long bodies' way (orjson, and its check for integers past 64 bits)."""
    from transformers_glossary_ls import protocol

    long_from = protocol.ORJSON_FROM
    protocol.ORJSON_FROM = 0  # not monkeypatch: a fixture is not reset between examples
    try:
        assert _outcome(decode_json, data) == _outcome(json.loads, data)
    finally:
        protocol.ORJSON_FROM = long_from


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bytes())
@example(_PAST_64_BITS)
def test_without_orjson_a_body_is_decoded_as_json_loads_decodes_it(data):
    from transformers_glossary_ls import protocol

    installed = protocol.orjson
    protocol.orjson = None  # not monkeypatch: a fixture is not reset between examples
    try:
        assert _outcome(decode_json, data) == _outcome(json.loads, data)
    finally:
        protocol.orjson = installed


def test_orjson_reads_a_document_s_text():
    """Installed with the server (pyproject), it reads long bodies; the properties above hold
    with the standard library alone too."""
    from transformers_glossary_ls import protocol

    assert protocol.orjson is not None
    text = "x = 12345678901234567890123\n" * 4000  # digits in a string are no number
    body = json.dumps({"jsonrpc": "2.0", "params": {"text": text, "n": 2**64}}).encode()
    assert len(body) >= protocol.ORJSON_FROM
    value = decode_json(body)
    assert value == json.loads(body)
    assert type(value["params"]["n"]) is int  # not orjson's float (equal to it: 2**64 is exact)


def test_a_keystroke_takes_the_direct_way():
    keystroke = {
        "textDocument": {"uri": "file:///a.py", "version": 3},
        "contentChanges": [
            {
                "range": {"start": {"line": 1, "character": 2}, "end": {"line": 1, "character": 2}},
                "text": "x",
            },
            {"text": "whole"},
        ],
    }
    assert did_change_params(keystroke) == CONVERTER.structure(
        keystroke, types.DidChangeTextDocumentParams
    )


@pytest.mark.parametrize(
    ("end", "direct"),
    [
        ({"line": 1, "character": 2}, True),
        ({"character": 2, "line": 1}, True),
        ({"line": 1, "character": 3}, True),
        ({"line": True, "character": 2}, False),
        ({"line": 1, "character": 2.0}, False),
        ({"line": 1, "character": 2, "x": 0}, False),
    ],
    ids=["same", "same, keys swapped", "other", "bool", "float", "extra key"],
)
def test_an_insertion_point_is_built_as_the_converter_builds_it(end, direct):
    """An insertion's range is one point, built once: only when both ends are that point."""
    raw = {
        "textDocument": {"uri": "file:///a.py", "version": 3},
        "contentChanges": [
            {"range": {"start": {"line": 1, "character": 2}, "end": end}, "text": "x"}
        ],
    }
    assert (_as_the_converter_builds(raw) is not None) == direct


class _Capture:
    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        pass


def _failing_on(method: str) -> tuple[GlossaryServer, list[tuple]]:
    """A server whose handler of `method` raises, and the list its reported errors go to."""
    server = GlossaryServer()
    reported: list[tuple] = []
    server.report_server_error = lambda error, source: reported.append((error, source))

    @server.feature(method)
    def failing(ls, params):
        raise RuntimeError("boom")

    return server, reported


@pytest.mark.parametrize(
    "extra",
    [pytest.param({}, id="direct"), pytest.param({"more": 1}, id="general")],
)
def test_a_failing_request_handler_is_answered_and_reported_the_same_way(extra):
    server, reported = _failing_on(types.TEXT_DOCUMENT_HOVER)
    frames = _Frames()
    server.protocol.set_writer(frames)
    params = {"textDocument": {"uri": "file:///a.py"}, "position": {"line": 0, "character": 1}}
    bodies = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": params, **extra},
    ]
    server.protocol.receive([json.dumps(b).encode() for b in bodies])
    (answer,) = [body for body in frames.bodies if body.get("id") == 2]
    assert answer["error"]["code"] == -32603
    assert "RuntimeError: boom" in json.dumps(answer["error"])
    assert len(reported) == 1
    error, source = reported[0]
    assert source is FeatureRequestError
    assert "RuntimeError: boom" in str(error)


@pytest.mark.parametrize(
    "extra",
    [pytest.param({}, id="direct"), pytest.param({"more": 1}, id="general")],
)
def test_a_failing_handler_is_reported_the_same_way(extra):
    server, reported = _failing_on(types.TEXT_DOCUMENT_DID_CHANGE)
    server.protocol.set_writer(_Capture())
    params = {
        "textDocument": {"uri": "file:///a.py", "version": 2},
        "contentChanges": [{"text": "x"}],
        **extra,
    }
    bodies = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params},
    ]
    server.protocol.receive([json.dumps(b).encode() for b in bodies])
    assert len(reported) == 1
    error, source = reported[0]
    assert source is FeatureNotificationError
    assert "RuntimeError: boom" in str(error)


class _Frames:
    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def write(self, data: bytes) -> None:
        self.bodies.append(json.loads(data.split(b"\r\n\r\n", 1)[1]))

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("method", "params"),
    [
        (types.WINDOW_LOG_MESSAGE, types.LogMessageParams(types.MessageType.Info, "released")),
        (types.WINDOW_SHOW_MESSAGE, types.ShowMessageParams(types.MessageType.Error, "é 🤗 \n")),
        (types.WINDOW_SHOW_MESSAGE, types.ShowMessageParams(types.MessageType.Warning, "x" * 5000)),
    ],
    ids=["log", "show", "show, clipped"],
)
def test_messages_to_the_user_are_the_json_cattrs_writes(method, params):
    server = GlossaryServer()
    frames = _Frames()
    server.protocol.set_writer(frames)
    server.protocol.notify(method, params)
    (sent,) = frames.bodies
    clipped = attrs.evolve(params, message=clip(params.message))
    if method == types.WINDOW_LOG_MESSAGE:
        clipped = params  # only pop-ups are clipped
    notification = server.protocol.get_message_type(method)(
        method=method, params=clipped, jsonrpc="2.0"
    )
    assert sent == CONVERTER.unstructure(notification)


def test_the_direct_and_the_general_way_answer_alike():
    """A hover and a completion with a `workDoneToken` (an unusual shape) go pygls's way; the
    answers are the same as those of the usual shape, which goes the direct way."""
    client = LspClient.spawn()
    try:
        client.initialize({})
        uri = "file:///tmp/direct-paths/train.py"
        client.open(uri, "out = model(input_ids=x, attention_mask=m)\nmodel(\n")
        where = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 30}}
        for method, at in (
            ("textDocument/hover", where),
            ("textDocument/completion", {**where, "position": {"line": 1, "character": 6}}),
        ):
            direct = client.call(method, at)
            general = client.call(method, {**at, "workDoneToken": "w"})
            assert direct["result"], method
            assert direct["result"] == general["result"], method
        assert client.shutdown() == 0
    finally:
        client.stop()


@settings(max_examples=800, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "file://",
                "/",
                "a",
                "b.",
                "yaml",
                "yml",
                ".yaml",
                ".yml",
                "%61",
                "%2E",
                "?q",
                "#f",
                "é",
                " ",
                "~",
                "Y",
            ]
        ),
        max_size=10,
    ).map("".join)
)
def test_a_request_skips_parsing_a_uri_that_cannot_name_a_vocabulary_file(uri):
    """`vocabulary_path` answers None without parsing a URI that does not end in .yaml/.yml
    and has no escape, query or fragment: such a URI's path never ends so either."""
    from pygls.uris import to_fs_path

    quick = not uri.endswith((".yaml", ".yml")) and not any(c in uri for c in "%?#")
    if quick:
        assert not (to_fs_path(uri) or "").endswith((".yaml", ".yml"))
        assert GlossaryServer().vocabulary_path(uri) is None


# --- keystrokes read in one batch are handed over in one call ----------------------------------

_URIS = ("file:///a.py", "file:///b.md")
_OPENED = ["x = model(input_ids, attention_mask=mask)\ny = 1\n", "# Notes\n\n`attention_mask`\n"]


def _opening() -> list[dict]:
    return [
        {"jsonrpc": "2.0", "id": "i", "method": "initialize", "params": {"capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
    ] + [
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python" if uri.endswith(".py") else "markdown",
                    "version": 1,
                    "text": text,
                }
            },
        }
        for uri, text in zip(_URIS, _OPENED, strict=True)
    ]


_POINT = st.fixed_dictionaries({"line": st.integers(0, 4), "character": st.integers(0, 12)})
_TEXT = st.sampled_from(["x", "", "\n", "ab", "é", "🤗", "mask", "\r\n", "token_type_ids"])


@st.composite
def _session(draw) -> list[dict]:
    """Typing in two documents, with hovers, changes of other shapes (taking the general
    way), a change to a document that is not open and a request of the wrong kind."""
    messages, version = [], 2
    for n in range(draw(st.integers(1, 30))):
        uri = draw(st.sampled_from(_URIS + ("file:///closed.py",)))
        kind = draw(st.sampled_from(["type"] * 6 + ["general", "whole", "hover", "as request"]))
        if kind == "hover":
            messages.append(
                {
                    "jsonrpc": "2.0",
                    "id": n,
                    "method": "textDocument/hover",
                    "params": {"textDocument": {"uri": uri}, "position": draw(_POINT)},
                }
            )
            continue
        change = {"range": {"start": draw(_POINT), "end": draw(_POINT)}, "text": draw(_TEXT)}
        if draw(st.booleans()):
            change["rangeLength"] = 1
        if kind == "whole":
            change = {"text": draw(_TEXT)}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
        version += 1
        if kind == "general":
            params["more"] = 1  # a shape the converter reads, not the direct way
        message = {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}
        if kind == "as request":
            message["id"] = n
        messages.append(message)
    return messages


def _run(messages: list[dict], batches: list[int]) -> tuple[list[dict], dict, list]:
    server, capture, _ = make_server()
    seen = []  # the documents as each request found them
    hover = server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER]

    def watched(params):
        seen.append({uri: a.doc.text for uri, a in server.documents.items()})
        return hover(params)

    server.protocol.fm.features[types.TEXT_DOCUMENT_HOVER] = watched
    bodies = [json.dumps(m).encode() for m in _opening() + messages]
    server.protocol.receive(bodies[:4])
    pos, sizes = 4, batches
    while pos < len(bodies):
        size, sizes = sizes[0], sizes[1:] or sizes
        server.protocol.receive(bodies[pos : pos + size])
        pos += size
    answers = [m for m in parse_frames(bytes(capture.data)) if "id" in m and "method" not in m]
    documents = {
        uri: (analysis.doc.text, analysis.doc.version) for uri, analysis in server.documents.items()
    }
    return answers, documents, seen


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_session(), st.lists(st.integers(1, 40), min_size=1, max_size=5))
def test_keystrokes_read_together_end_as_those_read_one_by_one(messages, batches):
    """Read in batches, a document's keystrokes are handed to the handler together (`_typing`):
    the same documents, versions and answers as when each message is read alone."""
    assert _run(messages, batches) == _run(messages, [1])


def test_keystrokes_read_together_are_one_call_per_run_for_a_document():
    server = GlossaryServer()
    server.protocol.set_writer(_Capture())
    calls: list[types.DidChangeTextDocumentParams] = []
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(lambda ls, params: calls.append(params))

    def typed(uri: str, version: int, **more) -> bytes:
        point = {"line": 0, "character": version}
        change = {"range": {"start": point, "end": point}, "text": "x"}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
        return json.dumps(
            {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {**params, **more}}
        ).encode()

    # a request: whatever it is, the keystrokes before it are handed over first
    hover = {"textDocument": {"uri": _URIS[0]}, "position": {"line": 0, "character": 0}}
    server.protocol.receive([json.dumps(m).encode() for m in _opening()])
    server.protocol.receive(
        [
            typed(_URIS[0], 2),
            typed(_URIS[0], 3),
            typed(_URIS[1], 4),  # another document
            typed(_URIS[1], 5),
            typed(_URIS[1], 6, more=1),  # the general way
            typed(_URIS[1], 7),
            json.dumps(
                {"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover", "params": hover}
            ).encode(),
            typed(_URIS[1], 8),
        ]
    )
    assert [
        (
            p.text_document.uri,
            p.text_document.version,
            [c.range.start.character for c in p.content_changes],
        )
        for p in calls
    ] == [
        (_URIS[0], 3, [2, 3]),
        (_URIS[1], 5, [4, 5]),
        (_URIS[1], 6, [6]),
        (_URIS[1], 7, [7]),
        (_URIS[1], 8, [8]),
    ]
