"""The command line: --version, logs to stderr or --log-file (never stdout), and --tcp."""

from __future__ import annotations

import json
import socket
import subprocess

from tests.lspclient import SERVER, LspClient


def test_version():
    out = subprocess.run([*SERVER, "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    assert out.stdout.startswith("transformers-glossary-ls ")


def test_verbose_logs_go_to_stderr_and_stdout_holds_only_frames():
    # LspClient fails the test if stdout holds anything but well-formed LSP frames.
    server = LspClient.spawn(["-vv"])
    try:
        server.initialize()
        server.open("file:///t.py", "model(attention_mask=m)\n")
        assert "attention_mask" in json.dumps(server.hover("file:///t.py", 0, 8)["result"])
        assert server.call("shutdown")["result"] is None
        server.notify("exit")
        assert server.wait_exit() == 0
        server.wait_closed()  # all of stdout was read, and it was well-formed frames
    finally:
        server.stop()
    assert "INFO" in server.stderr or "DEBUG" in server.stderr


def test_log_file_receives_the_logs(tmp_path):
    log = tmp_path / "server.log"
    server = LspClient.spawn(["-v", "--log-file", str(log)])
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


def test_tcp_serves_hover():
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", f"127.0.0.1:{port}"], stderr=subprocess.PIPE)
    client = None
    try:
        client = LspClient.connect("127.0.0.1", port, timeout=15)
        answer = client.call("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        assert answer["result"]["capabilities"]["hoverProvider"]
        client.notify("initialized", {})
        client.open("file:///t.md", "We use causal language modeling.\n", "markdown")
        message = client.hover("file:///t.md", 0, 10)  # notifications before it are filed apart
        assert "causal language modeling" in message["result"]["contents"]["value"]
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if client is not None:
            client.stop()
