"""Issue 12, the transport's part: one TCP client at a time, a client that stops reading cannot
deafen the server, and hostile sizes are capped. Real server processes, raw-bytes client.

No test here asserts on the clock: every wait has a generous bound that only turns a hang into
a failure.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lspclient import SERVER, LspClient, frame, request_message

PY_LINE = "model(attention_mask=m)"
HANG_GUARD = 60.0  # seconds: a hang is a failure, never a speed requirement
SHOWN_LIMIT = 1_000  # transport's cap on text echoed to the client or shown to the user


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _initialize_params(**extra) -> dict:
    return {"processId": None, "rootUri": None, "capabilities": {}, **extra}


# -- Failure 1: TCP clients never share a session -----------------------------------------------
def test_a_second_tcp_client_is_refused_and_sees_nothing_of_the_first():
    """While one client is connected, a second is refused (connection refused, or closed without
    a byte): it cannot hover on the first one's documents, and the first keeps its answers."""
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", f"127.0.0.1:{port}"], stderr=subprocess.PIPE)
    first = second = None
    try:
        first = LspClient.connect("127.0.0.1", port, timeout=HANG_GUARD)
        assert "result" in first.call("initialize", _initialize_params())
        first.notify("initialized", {})
        secret = "file:///first/secret.py"
        first.open(secret, PY_LINE + "\n")
        assert first.hover(secret, 0, 10)["result"]

        try:
            conn = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
        except ConnectionRefusedError:
            conn = None
        if conn is not None:
            conn.settimeout(None)
            second = LspClient(conn.makefile("rb"), conn.makefile("wb"))
            second._socket = conn
            # without initializing, as the attack did; then a proper initialize
            try:
                second.send(request_message("peek", "textDocument/hover", _hover(secret)))
                second.send(request_message("init", "initialize", _initialize_params()))
            except OSError:
                pass  # closed already
            second.wait_closed(HANG_GUARD)
            assert second.messages == [], "the second client was answered"

        # the first client's answers still come to it, in step
        answer = first.hover(secret, 0, 10)
        assert "attention_mask" in answer["result"]["contents"]["value"]
        assert "result" in first.call("shutdown")
        first.notify("exit")
        assert proc.wait(HANG_GUARD) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(HANG_GUARD)
        for client in (first, second):
            if client is not None:
                client.stop()
        proc.stderr.close()


def _hover(uri: str) -> dict:
    return {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 10}}


# -- Failure 6: a client that stops reading ------------------------------------------------------
COMPLETION_DOC = "from transformers import TrainingArguments\nTrainingArguments(\n"
COMPLETIONS = 40  # about 55 kB of answer each: ~2 MB unread, far past any pipe's buffer


def _flood(stdin, process_id=None) -> None:
    """Initialize, then ask for a lot of output; the requests are small (a few kB in all), so
    writing them never waits on the server."""
    uri = "file:///flood.py"
    data = frame(request_message(1, "initialize", _initialize_params(processId=process_id)))
    data += frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    data += frame(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 1,
                    "text": COMPLETION_DOC,
                }
            },
        }
    )
    params = {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 18}}
    for k in range(COMPLETIONS):
        data += frame(request_message(100 + k, "textDocument/completion", params))
    stdin.write(data)
    stdin.flush()


def _spawn_unread(tmp_path: Path, command: list[str] | None = None) -> subprocess.Popen:
    """The server with a stdout that nobody reads (stderr to a file: it is read afterwards)."""
    with open(tmp_path / "stderr.log", "wb") as err:
        return subprocess.Popen(
            command or SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err
        )


def _end(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(HANG_GUARD)
    for stream in (proc.stdin, proc.stdout):
        try:
            stream.close()
        except OSError:
            pass


@pytest.mark.parametrize("ending", ["shutdown and exit", "stdin closed", "editor died"])
def test_a_client_that_stops_reading_cannot_deafen_the_server(tmp_path, ending):
    editor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    proc = _spawn_unread(tmp_path)
    try:
        _flood(proc.stdin, editor.pid if ending == "editor died" else None)
        if ending == "shutdown and exit":
            proc.stdin.write(
                frame(request_message("bye", "shutdown"))
                + frame({"jsonrpc": "2.0", "method": "exit"})
            )
            proc.stdin.flush()
            expected = 0  # exit after shutdown: the server heard both
        elif ending == "stdin closed":
            proc.stdin.close()
            expected = 1
        else:
            editor.kill()
            expected = 1
        try:
            code = proc.wait(HANG_GUARD)
        except subprocess.TimeoutExpired:
            code = None
        log = (tmp_path / "stderr.log").read_text(errors="replace")
        assert code == expected, f"{ending}: exit code {code}; stderr:\n{log[-3000:]}"
    finally:
        editor.kill()
        editor.wait(HANG_GUARD)
        _end(proc)


def test_output_left_unread_past_the_cap_ends_the_server(tmp_path):
    """A client that leaves more than MAX_UNREAD bytes unread is gone: exit 1 with a log line,
    instead of holding ever more memory. (The cap is lowered here to keep the test small.)"""
    command = [
        sys.executable,
        "-c",
        "import sys\n"
        "import transformers_glossary_ls.transport as t\n"
        "from transformers_glossary_ls.cli import main\n"
        "assert t.MAX_UNREAD > 300_000\n"
        "t.MAX_UNREAD = 300_000\n"
        "sys.exit(main())\n",
    ]
    proc = _spawn_unread(tmp_path, command)
    try:
        _flood(proc.stdin)
        try:
            code = proc.wait(HANG_GUARD)
        except subprocess.TimeoutExpired:
            code = None
        log = (tmp_path / "stderr.log").read_text(errors="replace")
        assert code == 1, log[-3000:]
        assert "unread" in log
    finally:
        _end(proc)


# -- Failure 7: hostile sizes and values ---------------------------------------------------------
@pytest.fixture
def server():
    client = LspClient.spawn()
    yield client
    client.stop()


def _ids_answered_once(client: LspClient) -> None:
    ids = [json.dumps(m["id"]) for m in client.messages if "method" not in m]
    assert len(ids) == len(set(ids)), ids


def test_a_process_id_out_of_range_is_logged_and_treated_as_absent(server):
    result = server.call("initialize", _initialize_params(processId=2**40))
    assert "result" in result
    server.notify("initialized", {})
    server.wait_stderr(lambda text: "processId" in text and str(2**40) in text)
    server.check_alive()
    assert "result" in server.call("shutdown")
    server.notify("exit")
    assert server.wait_exit(HANG_GUARD) == 0


@pytest.mark.parametrize("initialized", [False, True], ids=["before initialize", "after"])
def test_a_huge_method_name_is_not_echoed_whole(server, initialized):
    if initialized:
        server.initialize()
    method = "custom/" + "m" * 10_000_000
    answer = server.call(method, {}, timeout=HANG_GUARD)
    assert answer["error"]["code"] == (-32601 if initialized else -32002)
    message = answer["error"]["message"]
    assert "custom/mmm" in message
    assert len(message) <= SHOWN_LIMIT
    server.check_alive() if initialized else server.initialize()
    _ids_answered_once(server)


def test_content_length_with_a_space_before_the_colon_is_read_and_logged(server):
    server.initialize()
    body = json.dumps(request_message("spaced", "textDocument/hover", _hover("file:///x.py")))
    server.send_bytes(b"Content-Length : %d\r\n\r\n" % len(body) + body.encode())
    assert server.response("spaced")["result"] is None  # answered, not dropped
    server.wait_stderr(lambda text: "space before" in text)
    server.check_alive()


def test_a_long_path_gives_a_short_message_to_the_user(server, tmp_path):
    path = str(tmp_path / ("a" * 100_000 + ".yaml"))
    server.initialize(
        initializationOptions={"transformersGlossary": {"extraGlossaryFiles": [path]}}
    )
    first = server.wait_for(lambda m: m.get("method") == "window/showMessage")
    server.check_alive()
    shown = [m for m in server.messages if m.get("method") == "window/showMessage"]
    assert first in shown
    for message in shown:
        assert len(message["params"]["message"]) <= SHOWN_LIMIT
