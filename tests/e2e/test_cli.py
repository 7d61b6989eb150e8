"""The command line: --version, logs to stderr or --log-file (never stdout), and --tcp."""

from __future__ import annotations

import json
import socket
import subprocess
import time

from tests.e2e.rawlsp import SERVER, RawServer, frame


def test_version():
    out = subprocess.run([*SERVER, "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith("transformers-glossary-ls ")


def test_verbose_logs_go_to_stderr_and_stdout_holds_only_frames():
    # RawServer fails the test if stdout holds anything but well-formed LSP frames.
    server = RawServer(["-vv"])
    try:
        server.initialize()
        server.open("file:///t.py", "model(attention_mask=m)\n")
        assert "attention_mask" in json.dumps(server.hover("file:///t.py", 0, 8)["result"])
        assert server.call("shutdown")["result"] is None
        server.notify("exit")
        assert server.wait_exit() == 0
    finally:
        server.stop()
    assert "INFO" in server.stderr or "DEBUG" in server.stderr


def test_log_file_receives_the_logs(tmp_path):
    log = tmp_path / "server.log"
    server = RawServer(["-v", "--log-file", str(log)])
    try:
        server.initialize()
        assert server.call("shutdown")["result"] is None
        server.notify("exit")
        assert server.wait_exit() == 0
    finally:
        server.stop()
    assert log.read_text(encoding="utf-8").strip()
    assert "INFO" not in server.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_message(conn: socket.socket, buffer: bytearray) -> dict:
    while True:
        head, sep, rest = bytes(buffer).partition(b"\r\n\r\n")
        if sep:
            length = int(head.split(b"Content-Length:")[1].split(b"\r\n")[0])
            if len(rest) >= length:
                del buffer[: len(head) + 4 + length]
                return json.loads(rest[:length])
        chunk = conn.recv(65536)
        assert chunk, "connection closed"
        buffer += chunk


def test_tcp_serves_hover():
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", f"127.0.0.1:{port}"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not listen"
                time.sleep(0.1)
        buffer = bytearray()
        conn.sendall(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            )
        )
        assert _read_message(conn, buffer)["result"]["capabilities"]["hoverProvider"]
        conn.sendall(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        conn.sendall(
            frame(
                {
                    "jsonrpc": "2.0",
                    "method": "textDocument/didOpen",
                    "params": {
                        "textDocument": {
                            "uri": "file:///t.md",
                            "languageId": "markdown",
                            "version": 1,
                            "text": "We use causal language modeling.\n",
                        }
                    },
                }
            )
        )
        conn.sendall(
            frame(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "textDocument/hover",
                    "params": {
                        "textDocument": {"uri": "file:///t.md"},
                        "position": {"line": 0, "character": 10},
                    },
                }
            )
        )
        message = _read_message(conn, buffer)
        while message.get("id") != 2:  # skip notifications such as window/logMessage
            message = _read_message(conn, buffer)
        assert "causal language modeling" in message["result"]["contents"]["value"]
        conn.close()
    finally:
        proc.kill()
        proc.wait(timeout=10)
