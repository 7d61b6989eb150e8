"""The command line: --version, logs to stderr or --log-file (never stdout), --tcp, the one-line
hint when started on a terminal, and the `-v` start line."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess

from transformers_glossary_ls import __version__

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


TTY_HINT = "is a language server for editors"


def test_started_on_a_terminal_it_says_what_it_is_in_one_line():
    """stdin a terminal (a pty here): one line on stderr, naming `explain FILE`; nothing on
    stdout, which stays the protocol channel. Ctrl-C (SIGINT) right after it: no traceback."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        SERVER, stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, close_fds=True
    )
    os.close(slave)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline().decode()
        assert TTY_HINT in line and "explain FILE" in line, line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        os.close(master)
    assert out == b""
    assert err == b"", err.decode()  # that one line only
    assert proc.returncode in (1, 130)


def test_not_on_a_terminal_it_serves_without_the_hint():
    server = LspClient.spawn()
    try:
        server.initialize()
        server.check_alive()
        assert server.shutdown() == 0
        server.wait_closed()
    finally:
        server.stop()
    assert TTY_HINT not in server.stderr


def test_verbose_start_line_names_version_vocabulary_environment_and_root(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["transformers==4.40.2"]\n'
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    server = LspClient.spawn(["-v"], env=env)
    try:
        server.initialize(rootUri=tmp_path.as_uri())
        text = server.wait_stderr(lambda t: "started:" in t)
        assert server.shutdown() == 0
    finally:
        server.stop()
    line = next(x for x in text.splitlines() if "started:" in x)
    assert f"transformers-glossary-ls {__version__} started: " in line
    entries = int(re.search(r"started: (\d+) vocabulary entries", line)[1])
    assert entries > 100
    assert "answers for transformers 4.40" in line and "4.40.2" in line, line  # the pin
    assert line.endswith(f"workspace root {tmp_path}"), line
