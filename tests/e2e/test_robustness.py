"""Broken protocol messages, broken documents, bad data and load, over stdio, against the real
server (`python -m transformers_glossary_ls`), with the raw-bytes client of tests/lspclient.py.

Every request must get exactly one well-formed response with the spec's error code; framing
errors are logged and skipped and the stream goes on; the process ends on exit, closed input or
the editor's death.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.lspclient import SERVER, LspClient, frame, hover_params

PY_LINE = "model(attention_mask=m)"
HUGE_LINE = "x = 1; " * 750_000 + PY_LINE  # about 5 MB on one line
LONG_FILE = "\n".join(f"y{i} = model(attention_mask=m)" for i in range(200_000))


# -- fixtures ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shared():
    """One initialized server for the tests that must leave it working."""
    server = LspClient.spawn()
    server.initialize()
    yield server
    try:
        assert_one_response_each(server)
        assert server.proc.poll() is None, f"server died; stderr:\n{server.stderr[-3000:]}"
        assert "result" in server.call("shutdown")
        server.notify("exit")
        assert server.wait_exit() == 0
        server.wait_closed()  # all it ever wrote is read: no late second answer can follow
        assert_one_response_each(server)
    finally:
        server.stop()


@pytest.fixture
def fresh():
    """A server of its own, for tests that end or corrupt it."""
    servers: list[LspClient] = []

    def make(**kw) -> LspClient:
        server = LspClient.spawn(**kw)
        servers.append(server)
        return server

    yield make
    for server in servers:
        try:
            assert_one_response_each(server)
        finally:
            server.stop()


def assert_one_response_each(server: LspClient) -> None:
    ids = Counter(
        json.dumps(m["id"])
        for m in server.messages
        if "method" not in m and m.get("id") is not None
    )
    duplicated = {k: n for k, n in ids.items() if n > 1}
    assert not duplicated, f"ids answered more than once: {duplicated}"


def error_code(response: dict) -> int | None:
    return response.get("error", {}).get("code")


# -- lifecycle ---------------------------------------------------------------------------------
def test_request_before_initialize_is_refused_then_initialize_works(fresh):
    server = fresh()
    answer = server.call("textDocument/hover", hover_params("file:///x.py", 0, 0))
    assert error_code(answer) == -32002
    server.notify(
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": "file:///early.py",
                "languageId": "python",
                "version": 1,
                "text": PY_LINE,
            }
        },
    )
    server.initialize()
    # the notification before initialize was dropped
    assert server.hover("file:///early.py", 0, 10)["result"] is None
    server.check_alive()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
def test_completion_s_fuzzy_scorers_are_imported_in_an_idle_moment_after_start(fresh):
    """rapidfuzz (~9 ms) is not part of the start: not loaded when `initialize` is answered,
    loaded once the client has paused after `initialized`, before any completion asks."""
    server = fresh()
    maps = Path(f"/proc/{server.proc.pid}/maps")
    params = {"processId": os.getpid(), "rootUri": None, "capabilities": {}}
    reply = server.call("initialize", params)
    assert "result" in reply
    assert "rapidfuzz" not in maps.read_text()
    server.notify("initialized", {})
    deadline = time.monotonic() + 60
    while "rapidfuzz" not in maps.read_text():  # polled: the moment depends on the machine
        assert time.monotonic() < deadline, "rapidfuzz was not imported after initialized"
        time.sleep(0.02)
    assert server.proc.poll() is None


def test_second_initialize_is_an_error(shared):
    answer = shared.call("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    assert error_code(answer) == -32600
    shared.check_alive()


def test_exit_codes(fresh):
    """shutdown + exit -> 0, and nothing after `exit` is handled; exit alone -> 1; closed stdin
    -> the process ends. (The time budget of the clean exit is in test_time_budgets.py.)

    The servers start together (startup is most of the cost); each is up before it is ended.
    """
    clean, unclean, early, closed = fresh(), fresh(), fresh(), fresh()
    for server in (clean, unclean, closed):
        server.initialize()
    assert error_code(early.call("shutdown")) == -32002  # up, and not initialized

    assert clean.call("shutdown") == {"jsonrpc": "2.0", "id": clean._next_id, "result": None}
    # after shutdown: requests are invalid, notifications are dropped
    assert error_code(clean.hover("file:///x.py", 0, 0)) == -32600
    assert error_code(clean.call("shutdown")) == -32600
    clean.notify(
        "textDocument/didOpen",
        {
            "textDocument": {
                "uri": "file:///late.py",
                "languageId": "python",
                "version": 1,
                "text": PY_LINE,
            }
        },
    )

    # `exit` ends the server at once: a request written right behind it is never answered
    clean.send_bytes(
        frame({"jsonrpc": "2.0", "method": "exit"})
        + frame({"jsonrpc": "2.0", "id": "after-exit", "method": "shutdown"})
    )
    unclean.notify("exit")
    early.notify("exit")
    closed.close_stdin()
    assert clean.wait_exit() == 0, clean.stderr[-2000:]
    clean.wait_closed()
    assert clean.responses_for("after-exit") == []
    assert unclean.wait_exit() == 1
    assert early.wait_exit() == 1
    assert closed.wait_exit() is not None


def test_a_client_that_stops_reading_ends_the_server():
    """Our stdout closed (the editor's end of the pipe is gone): exit, do not spin or hang."""
    proc = subprocess.Popen(
        SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        proc.stdin.write(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "capabilities": {}},
                }
            )
        )
        proc.stdin.flush()
        proc.stdout.readline()  # the server is up and answering
        proc.stdout.close()
        proc.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        proc.stdin.flush()
        assert proc.wait(5) == 1
        assert "cannot write to the client" in proc.stderr.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdin.close()
        proc.stderr.close()


# The server, with its editor-process check reporting each answer on stderr and run every 50 ms
# (instead of every second), so that a test can wait for checks to happen instead of sleeping.
WATCHED_SERVER = [
    sys.executable,
    "-c",
    "import sys\n"
    "import transformers_glossary_ls.transport as t\n"
    "from transformers_glossary_ls.cli import main\n"
    "assert callable(t.pid_alive) and t.PARENT_POLL_SECONDS > 0\n"
    "real = t.pid_alive\n"
    "def pid_alive(pid):\n"
    "    alive = real(pid)\n"
    "    print(f'editor check: {pid} alive={alive}', file=sys.stderr, flush=True)\n"
    "    return alive\n"
    "t.pid_alive = pid_alive\n"
    "t.PARENT_POLL_SECONDS = 0.05\n"
    "sys.exit(main())\n",
]


def test_death_of_the_editor_process_ends_the_server(fresh):
    editor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        server = fresh(command=WATCHED_SERVER)
        result = server.call(
            "initialize", {"processId": editor.pid, "rootUri": None, "capabilities": {}}
        )
        assert "result" in result
        server.notify("initialized", {})
        server.check_alive()
        # the server looked at the living editor three times and stayed
        alive = f"editor check: {editor.pid} alive=True"
        server.wait_stderr(lambda text: text.count(alive) >= 3)
        assert server.proc.poll() is None, "exited while the editor was alive"
        assert f"editor check: {editor.pid} alive=False" not in server.stderr
    finally:
        editor.kill()
        editor.wait(5)
    code = server.wait_exit()
    assert code is not None, "server outlived the editor process"
    assert code != 0
    server.wait_stderr(lambda text: "editor process" in text)


# -- messages ----------------------------------------------------------------------------------
def test_unknown_request_is_method_not_found(shared):
    assert error_code(shared.call("custom/doesNotExist", {})) == -32601
    assert error_code(shared.call("$/custom", {})) == -32601
    # a server-to-client method sent to the server is unknown here too
    answer = shared.call("window/showMessageRequest", {"type": 1, "message": "x"})
    assert error_code(answer) == -32601
    shared.check_alive()


def test_unknown_notifications_are_ignored(shared):
    before = len(shared.messages)
    shared.notify("custom/somethingHappened", {"a": 1})
    shared.notify("$/setTrace", {"value": "off"})
    shared.notify("$/somethingElse", None)
    shared.check_alive()
    new = shared.messages[before:]
    assert not any("error" in m for m in new), new


def test_malformed_json_gets_a_parse_error_then_the_stream_goes_on(shared):
    shared.send_bytes(frame(b'{"jsonrpc": "2.0", "id": 5, "method": '))
    parse_error = shared.wait_for(lambda m: m.get("id") is None and error_code(m) == -32700)
    assert "message" in parse_error["error"]
    shared.check_alive()


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2, 3]",
        b"42",
        b'"text"',
        b"null",
        b"\xff\xfe\x00garbage",
        b"",
        b"[" * 100_000,
    ],
    ids=["array", "number", "string", "null", "invalid utf-8", "empty", "deep nesting"],
)
def test_bodies_that_are_not_messages(shared, body):
    before = len(shared.messages)
    shared.send_bytes(frame(body))
    shared.check_alive()
    errors = [m for m in shared.messages[before:] if "error" in m]
    assert errors and all(m["id"] is None for m in errors)
    assert {error_code(m) for m in errors} <= {-32700, -32600}


@pytest.mark.parametrize(
    "message,code",
    [
        ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover"}, -32600),
        ({"jsonrpc": "2.0", "id": 1.5, "method": "textDocument/hover"}, -32600),
        ({"jsonrpc": "2.0", "id": True, "method": "textDocument/hover"}, -32600),
        ({"jsonrpc": "2.0", "id": None, "method": "textDocument/hover"}, -32600),
        ({"jsonrpc": "2.0", "id": 77, "method": 12}, -32600),
    ],
    ids=["object id", "float id", "bool id", "null id", "numeric method"],
)
def test_invalid_requests_get_invalid_request_with_id_null(shared, message, code):
    before = len(shared.messages)
    shared.send(message)
    shared.check_alive()
    errors = [m for m in shared.messages[before:] if "error" in m]
    assert [error_code(m) for m in errors] == [code]
    assert errors[0]["id"] in (None, 77)


def test_wrong_jsonrpc_version_with_an_id_is_invalid(shared):
    shared.send({"jsonrpc": "1.0", "id": "v1", "method": "textDocument/hover", "params": {}})
    shared.send({"id": "v0", "method": "textDocument/hover", "params": {}})
    assert error_code(shared.response("v1")) == -32600
    assert error_code(shared.response("v0")) == -32600
    shared.check_alive()


def test_a_notification_sent_as_a_request_is_invalid(shared):
    answer = shared.call("textDocument/didClose", {"textDocument": {"uri": "file:///x.py"}})
    assert error_code(answer) == -32600
    shared.check_alive()


@pytest.mark.parametrize(
    "params",
    [
        hover_params("file:///x.py", "abc", 0),
        {"textDocument": {"uri": "file:///x.py"}, "position": "abc"},
        hover_params("file:///x.py", -1, 0),
        hover_params("file:///x.py", 0, -5),
        hover_params("file:///x.py", 2**40, 0),
        {"textDocument": {"uri": 42}, "position": {"line": 0, "character": 0}},
        {"position": {"line": 0, "character": 0}},
        [1, 2, 3],
        "just a string",
        None,
    ],
    ids=[
        "line abc",
        "position abc",
        "negative line",
        "negative character",
        "huge line",
        "uri not a string",
        "no document",
        "array params",
        "string params",
        "no params",
    ],
)
def test_params_of_the_wrong_type_are_invalid_params(shared, params):
    msg_id = shared.request("textDocument/hover", params)
    answer = shared.response(msg_id)
    assert error_code(answer) == -32602, answer
    assert answer["id"] == msg_id
    assert "textDocument/hover" in answer["error"]["message"]
    shared.check_alive()


def test_invalid_params_in_completion_resolve_and_did_change_config(shared):
    assert error_code(shared.call("completionItem/resolve", {"label": 5})) == -32602
    shared.notify("workspace/didChangeConfiguration", "not an object")
    shared.notify("textDocument/didOpen", {"textDocument": "nope"})
    shared.check_alive()


def test_cancel_for_unknown_ids_is_harmless(shared):
    shared.notify("$/cancelRequest", {"id": 987654})
    shared.notify("$/cancelRequest", {"id": "never-sent"})
    shared.notify("$/cancelRequest", {"id": None})
    shared.notify("$/cancelRequest", {})
    shared.check_alive()


def test_cancelled_requests_get_exactly_one_response(fresh):
    shared = fresh()  # of its own: it is ended to be sure no second answer comes later
    shared.initialize()
    uri = "file:///tmp/cancel.py"
    shared.open(uri, PY_LINE)
    ids = [shared.new_id() for _ in range(50)]
    data = b"".join(
        frame(
            {
                "jsonrpc": "2.0",
                "id": i,
                "method": "textDocument/hover",
                "params": hover_params(uri, 0, 10),
            }
        )
        + frame({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": i}})
        for i in ids
    )
    shared.send_bytes(data)
    for i in ids:
        answer = shared.response(i)
        assert "result" in answer or error_code(answer) == -32800, answer
    shared.check_alive()
    assert "result" in shared.call("shutdown")
    shared.notify("exit")
    shared.wait_closed()  # all it ever wrote is read
    for i in ids:
        assert len(shared.responses_for(i)) == 1


# -- framing -------------------------------------------------------------------------------------
def test_missing_content_length_is_skipped(shared):
    shared.send_bytes(
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
        b'{"jsonrpc": "2.0", "id": "lost", "method": "shutdown"}'
    )
    shared.check_alive()
    assert shared.responses_for("lost") == []


@pytest.mark.parametrize(
    "junk",
    [
        b"this is not a header\r\n",
        b"Content-Lenght 12\r\n\r\n{}",
        b"\x00\x01\x02\xff\r\n\r\n",
        b"X" * 20_000,
        b'{"jsonrpc": "2.0", "method": "exit"}\r\n',
        b"Content-Type: x\r\n" * 40 + b"\r\n",
    ],
    ids=["text line", "misspelt", "binary", "long line", "headerless body", "too many headers"],
)
def test_bad_headers_are_skipped_to_the_next_content_length(shared, junk):
    shared.send_bytes(junk)
    shared.check_alive()


def test_body_longer_than_declared_is_skipped(shared):
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": "long",
            "method": "textDocument/hover",
            "params": hover_params("file:///x.py", 0, 0),
        }
    ).encode()
    shared.send_bytes(frame(body, length=len(body) - 10))
    shared.check_alive()
    # the cut body is a parse error (id unknown) or nothing; never an answer to the wrong id
    assert all(error_code(m) for m in shared.responses_for("long"))


def test_body_shorter_than_declared_resynchronises_at_the_next_message(shared):
    uri = "file:///tmp/short.py"
    shared.open(uri, PY_LINE)
    first = {
        "jsonrpc": "2.0",
        "id": "short-1",
        "method": "textDocument/hover",
        "params": hover_params(uri, 0, 10),
    }
    second = {
        "jsonrpc": "2.0",
        "id": "short-2",
        "method": "textDocument/hover",
        "params": hover_params(uri, 0, 10),
    }
    body = json.dumps(first).encode()
    shared.send_bytes(frame(body, length=len(body) + 500) + frame(second))
    # the declared length ran into the next header: both messages are recovered
    assert shared.response("short-1")["result"]
    assert shared.response("short-2")["result"]
    shared.check_alive()


def test_messages_split_across_writes_and_headers_in_any_case(shared):
    uri = "file:///tmp/split.py"
    shared.open(uri, PY_LINE)
    msg_id = shared.new_id()
    body = json.dumps(
        {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "textDocument/hover",
            "params": hover_params(uri, 0, 10),
        }
    ).encode()
    data = (
        b"content-length:   %d\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n" % len(body)
        + body
    )
    for i in range(0, len(data), 7):
        shared.send_bytes(data[i : i + 7])
        time.sleep(0.001)
    assert shared.response(msg_id)["result"]


BAD_LENGTHS = {
    "absurd": b"Content-Length: 999999999999\r\n\r\n",
    "just over the limit": b"Content-Length: %d\r\n\r\n" % (256 * 1024 * 1024 + 1),
    "non-numeric": b"Content-Length: abc\r\n\r\n",
    "negative": b"Content-Length: -5\r\n\r\n",
    "empty": b"Content-Length: \r\n\r\n",
}


@pytest.mark.parametrize("header", BAD_LENGTHS.values(), ids=BAD_LENGTHS.keys())
def test_a_bad_content_length_is_logged_and_skipped(shared, header):
    """Once an exit with code 2 (the editor restarts the server and rebuilds every document):
    now skipped like any framing error, the requests around it answered."""

    def hover(msg_id: str) -> bytes:
        message = {
            "jsonrpc": "2.0",
            "id": msg_id,
            "method": "textDocument/hover",
            "params": hover_params("file:///x.py", 0, 0),
        }
        return frame(message)

    before, after = f"before {header[16:30]!r}", f"after {header[16:30]!r}"
    shared.send_bytes(hover(before) + header + b'{"jsonrpc": "2.0", "id": "lost"}' + hover(after))
    assert "result" in shared.response(before)
    assert "result" in shared.response(after)
    assert shared.responses_for("lost") == []
    shared.wait_stderr(lambda text: "Content-Length" in text and "skipping" in text)
    shared.check_alive()


# -- handler failures ------------------------------------------------------------------------------
def test_a_failing_handler_is_logged_answered_and_the_server_goes_on():
    """In process: a feature that raises (request and notification) on a real GlossaryServer."""
    from lsprotocol import types
    from transformers_glossary_ls.server import GlossaryServer
    from transformers_glossary_ls.server import server as real

    server = GlossaryServer()
    for method, handler in real.protocol.fm.features.items():
        server.feature(method, real.protocol.fm.feature_options.get(method))(
            getattr(handler, "func", handler)
        )

    @server.feature(types.TEXT_DOCUMENT_IMPLEMENTATION)
    def implementation(ls, params):
        raise RuntimeError("boom in a request handler")

    @server.feature(types.TEXT_DOCUMENT_WILL_SAVE)
    def will_save(ls, params):
        raise RuntimeError("boom in a notification handler")

    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    stdin, to_server = os.fdopen(in_r, "rb", 0), os.fdopen(in_w, "wb", 0)
    stdout, from_server = os.fdopen(out_w, "wb"), os.fdopen(out_r, "rb")
    result: dict = {}
    thread = threading.Thread(
        target=lambda: result.setdefault("code", server.start_io(stdin, stdout)), daemon=True
    )
    import logging

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    keep = Keep(logging.ERROR)
    logging.getLogger().addHandler(keep)
    try:
        thread.start()

        client = LspClient(from_server, to_server)
        assert "result" in client.call("initialize", {"processId": None, "capabilities": {}})
        client.notify("initialized", {})
        client.open("file:///f.py", PY_LINE)
        failed = client.call("textDocument/implementation", hover_params("file:///f.py", 0, 10))
        assert error_code(failed) == -32603
        assert "boom in a request handler" in failed["error"]["message"]
        client.notify(
            "textDocument/willSave", {"textDocument": {"uri": "file:///f.py"}, "reason": 1}
        )
        answer = client.hover("file:///f.py", 0, 10)
        assert "attention_mask" in answer["result"]["contents"]["value"]
        assert "result" in client.call("shutdown")
        client.notify("exit")
        thread.join(5)
        assert result.get("code") == 0
        stdout.close()
        client.wait_closed()  # everything the server wrote is read
        # our own faults are never shown to the user
        assert not any(m.get("method") == "window/showMessage" for m in client.messages)
    finally:
        logging.getLogger().removeHandler(keep)
        for f in (to_server, stdout, from_server, stdin):
            try:
                f.close()
            except OSError:
                pass
    logged = "\n".join(
        r.getMessage() + (logging.Formatter().formatException(r.exc_info) if r.exc_info else "")
        for r in records
    )
    assert "boom in a request handler" in logged and "Traceback" in logged
    assert "boom in a notification handler" in logged and "will_save" in logged


# -- documents ---------------------------------------------------------------------------------
def test_document_edge_cases(shared):
    s = shared
    assert s.hover("file:///never/opened.py", 0, 0)["result"] is None

    uri = "file:///tmp/edges.py"
    s.open(uri, PY_LINE + "\n")
    assert "error" not in s.hover(uri, 0, 10_000)  # past the end of the line
    assert s.hover(uri, 50_000, 3)["result"] is None  # past the end of the file

    # didChange outside the document is clamped to its end
    s.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 9, "character": 4},
                        "end": {"line": 12, "character": 99},
                    },
                    "text": "out = model(input_ids=x)",
                }
            ],
        },
    )
    answer = s.hover(uri, 1, 15)
    assert "input_ids" in answer["result"]["contents"]["value"]
    # a reversed range is taken in order
    s.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 1, "character": 99},
                        "end": {"line": 1, "character": 0},
                    },
                    "text": "",
                }
            ],
        },
    )
    assert s.hover(uri, 1, 5)["result"] is None

    # didChange for an unknown document
    s.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": "file:///tmp/unknown.py", "version": 2},
            "contentChanges": [{"text": "x"}],
        },
    )
    # didOpen twice: the second text wins
    s.open(uri, "x = 1\n" + PY_LINE, version=5)
    assert s.hover(uri, 0, 2)["result"] is None
    assert s.hover(uri, 1, 10)["result"]
    # didClose then hover
    s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert s.hover(uri, 1, 10)["result"] is None
    s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})  # twice
    s.check_alive()


def test_huge_single_line(shared):
    """Answered at all (the time budget is in test_time_budgets.py, run with -m slow)."""
    uri = "file:///tmp/huge-line.py"
    text = HUGE_LINE
    shared.open(uri, text)
    answer = shared.hover(uri, 0, len(text) - 10)
    assert "attention_mask" in answer["result"]["contents"]["value"]
    assert shared.hover(uri, 0, 100)["result"] is None
    shared.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_file_of_200000_lines(shared):
    """Answered at all (the time budget is in test_time_budgets.py, run with -m slow)."""
    uri = "file:///tmp/long-file.py"
    text = LONG_FILE
    shared.open(uri, text)
    for line in (199_999, 0, 100_000):
        answer = shared.hover(uri, line, len(f"y{line} = model(") + 2)
        assert "attention_mask" in answer["result"]["contents"]["value"], line
    shared.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": 0},
                    },
                    "text": "# x\n",
                }
            ],
        },
    )
    assert shared.hover(uri, 200_000, 20)["result"]
    shared.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_nul_bytes_and_lone_surrogates(shared):
    uri = "file:///tmp/nul.py"
    # JSON "\u0000" and a lone "\ud800" (one UTF-16 unit), written by hand: json.dumps would too
    body = (
        '{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": '
        '{"uri": "%s", "languageId": "python", "version": 1, '
        '"text": "a\\u0000b\\ud800 = model(attention_mask=m)\\n\\udfff\\u0000"}}}'
    ).replace("%s", uri)
    shared.send_bytes(frame(body.encode()))
    answer = shared.hover(uri, 0, 20)
    assert "attention_mask" in answer["result"]["contents"]["value"]
    r = answer["result"]["range"]
    assert (r["start"]["character"], r["end"]["character"]) == (13, 27)
    assert shared.hover(uri, 1, 1)["result"] is None


def test_line_endings(shared):
    uri = "file:///tmp/endings.py"
    text = "a = 1\r\nb = 2\rc = 3\n" + "x = '\u2028\x85\x0c'; " + PY_LINE
    shared.open(uri, text)
    assert text.split("\n")[-1].index("attention_mask") == 17
    assert len(text.splitlines()) > 4  # what a server using str.splitlines would get wrong
    answer = shared.hover(uri, 3, 25)  # U+2028, U+0085 and form feed do not end lines
    assert "attention_mask" in answer["result"]["contents"]["value"]
    r = answer["result"]["range"]
    assert (r["start"]["line"], r["start"]["character"], r["end"]["character"]) == (3, 17, 31)


def _edit(start: tuple[int, int], end: tuple[int, int], text: str) -> dict:
    return {
        "range": {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        },
        "text": text,
    }


@pytest.mark.parametrize(
    "text,changes",
    [
        pytest.param("a = 1\nb = 2\n", [_edit((0, 5), (0, 5), "\r")], id="CR typed before an LF"),
        pytest.param("a = 1\rb = 2\n", [_edit((1, 0), (1, 0), "\n")], id="LF typed after a CR"),
        pytest.param(
            "a = 1\rx\nb = 2\n", [_edit((1, 0), (1, 1), "")], id="deleting what separates them"
        ),
    ],
)
def test_edit_bringing_cr_and_lf_together_keeps_lines_in_step(shared, text, changes):
    """The client now has "a = 1\\r\\nb = 2\\n" + PY_LINE: PY_LINE is line 2, not line 3."""
    uri = "file:///tmp/cr-lf-merge.py"
    shared.open(uri, text + PY_LINE)
    shared.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes},
    )
    answer = shared.hover(uri, 2, 10)
    assert answer["result"] and "attention_mask" in answer["result"]["contents"]["value"]
    assert answer["result"]["range"]["start"] == {"line": 2, "character": 6}
    assert shared.hover(uri, 3, 10)["result"] is None  # there is no line 3
    shared.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


@pytest.mark.parametrize(
    "uri,language",
    [
        ("file:///tmp/with%20space/a%2Bb%23c.py", "python"),
        ("file:///tmp/with space/raw.py", "python"),
        ("file:///C%3A/Users/x/%E4%B8%AD.py", "python"),
        ("untitled:Untitled-1", "python"),
        ("untitled:Untitled-2", "markdown"),
        ("vscode-notebook-cell:/x.ipynb#W0sZmlsZQ%3D%3D", "python"),
    ],
)
def test_uris_of_every_kind(shared, uri, language):
    text = PY_LINE if language == "python" else "Pass `attention_mask` here.\n"
    shared.open(uri, text, language)
    character = 10 if language == "python" else 8
    assert "attention_mask" in shared.hover(uri, 0, character)["result"]["contents"]["value"]


def test_unhandled_language_gives_empty_answers(shared):
    uri = "file:///tmp/notes.txt"
    shared.open(uri, PY_LINE, "plaintext")
    assert shared.hover(uri, 0, 10)["result"] is None
    completion = shared.call("textDocument/completion", hover_params(uri, 0, 6))
    assert completion["result"]["items"] == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_uris_naming_a_fifo_or_a_directory_never_block(shared, tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    for uri in (fifo.as_uri(), tmp_path.as_uri(), (tmp_path / "missing.py").as_uri()):
        shared.open(uri, PY_LINE)
        assert shared.hover(uri, 0, 10)["result"]  # a blocked open would never answer


# -- data ----------------------------------------------------------------------------------------
def _hostile_files(directory: Path) -> list[str]:
    files = {
        "missing.yaml": None,
        "empty.yaml": "",
        "laughs.yaml": (
            "a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nentries: [*c]\n"
        ),
        "python-tag.yaml": "entries: !!python/object/apply:os.system ['touch %s']\n"
        % (directory / "pwned"),
        "deep.yaml": "entries: " + "[" * 50_000 + "]" * 50_000 + "\n",
        "binary.yaml": b"\xff\xfe\x00\x01",
    }
    paths = []
    for name, content in files.items():
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content)
        paths.append(str(path))
    big = directory / "huge.yaml"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB by size
    paths.append(str(big))
    paths.append(str(directory))  # a directory
    if hasattr(os, "mkfifo"):
        os.mkfifo(directory / "fifo.yaml")
        paths.append(str(directory / "fifo.yaml"))
    return paths


def test_bad_vocabulary_files_are_refused_with_one_message(fresh, tmp_path):
    server = fresh()
    files = _hostile_files(tmp_path)
    server.initialize(initializationOptions={"extraGlossaryFiles": files})
    server.check_alive()  # the built-in vocabulary still works
    messages = server.wait_for(lambda m: m.get("method") == "window/showMessage")
    assert "vocabulary problems" in messages["params"]["message"]
    # the same settings again: no second message
    server.notify(
        "workspace/didChangeConfiguration",
        {"settings": {"transformersGlossary": {"extraGlossaryFiles": files}}},
    )
    server.check_alive()
    shown = [m for m in server.messages if m.get("method") == "window/showMessage"]
    assert len(shown) == 1
    assert not (tmp_path / "pwned").exists(), "a YAML tag ran code"
    log = server.stderr
    for name in (
        "missing.yaml",
        "empty.yaml",
        "laughs.yaml",
        "python-tag.yaml",
        "deep.yaml",
        "binary.yaml",
        "huge.yaml",
    ):
        assert name in log, name


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_vocabulary_file(fresh, tmp_path):
    path = tmp_path / "locked.yaml"
    path.write_text("entries: []\n")
    path.chmod(0)
    server = fresh()
    server.initialize(initializationOptions={"extraGlossaryFiles": [str(path)]})
    server.check_alive()
    assert (
        "locked.yaml"
        in server.wait_for(lambda m: m.get("method") == "window/showMessage")["params"]["message"]
    )


# -- load ------------------------------------------------------------------------------------------
def test_1000_pipelined_hovers_all_answered(shared):
    uri = "file:///tmp/pipelined.py"
    shared.open(uri, PY_LINE + "\nout = model(input_ids=x)\n")
    ids = [shared.new_id() for _ in range(1000)]
    shared.send_bytes(
        b"".join(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": i,
                    "method": "textDocument/hover",
                    "params": hover_params(uri, k % 2, 10 if k % 2 == 0 else 15),
                }
            )
            for k, i in enumerate(ids)
        )
    )
    for k, i in enumerate(ids):
        answer = shared.response(i, timeout=30)
        expected = "attention_mask" if k % 2 == 0 else "input_ids"
        assert expected in answer["result"]["contents"]["value"]


def test_500_interleaved_edits_and_hovers(shared):
    uri = "file:///tmp/interleaved.py"
    shared.open(uri, "x = 1\n")
    terms = ["attention_mask", "input_ids", "token_type_ids", "position_ids"]
    data, expected = [], {}
    for k in range(500):
        term = terms[k % len(terms)]
        data.append(
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didChange",
                    "params": {
                        "textDocument": {"uri": uri, "version": k + 2},
                        "contentChanges": [
                            {
                                "range": {
                                    "start": {"line": 0, "character": 0},
                                    "end": {"line": 0, "character": 10_000},
                                },
                                "text": f"model({term}=v{k})",
                            }
                        ],
                    },
                }
            )
        )
        msg_id = shared.new_id()
        expected[msg_id] = term
        data.append(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": msg_id,
                    "method": "textDocument/hover",
                    "params": hover_params(uri, 0, 8),
                }
            )
        )
    shared.send_bytes(b"".join(data))
    for msg_id, term in expected.items():
        answer = shared.response(msg_id, timeout=30)
        assert term in answer["result"]["contents"]["value"].splitlines()[0]
        r = answer["result"]["range"]
        assert (r["start"]["character"], r["end"]["character"]) == (6, 6 + len(term))
    final = shared.hover(uri, 0, 8)
    assert terms[499 % len(terms)] in final["result"]["contents"]["value"]


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_memory_stays_flat_over_a_soak(fresh):
    """Edits, hovers, completions, opens and closes for SOAK_SECONDS (default 600)."""
    duration = float(os.environ.get("SOAK_SECONDS", "600"))
    server = fresh()
    server.initialize()
    base = "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('x')\n"
    samples: list[int] = []
    started = time.monotonic()
    round_no = 0
    while time.monotonic() - started < duration:
        round_no += 1
        uri = f"file:///tmp/soak-{round_no % 7}.py"
        server.open(uri, base + "\n".join(f"y{i} = model(attention_mask=m)" for i in range(300)))
        for k in range(50):
            server.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": k + 2},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": 2 + k, "character": 0},
                                "end": {"line": 2 + k, "character": 0},
                            },
                            "text": f"z{k} = model(input_ids=x, ",
                        }
                    ],
                },
            )
            server.request("textDocument/hover", hover_params(uri, 2 + k, 20))
            server.request("textDocument/completion", hover_params(uri, 2 + k, 24))
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        server.check_alive()
        server.forget()
        if round_no % 20 == 0:
            samples.append(_rss_kb(server.proc.pid))
    assert len(samples) >= 4, "soak too short to judge"
    warm = samples[len(samples) // 4]
    assert samples[-1] <= warm * 1.15 + 10_000, f"RSS grew: {samples}"
