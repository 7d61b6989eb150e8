"""Time budgets over stdio: the wall-clock limits that the default run leaves out (a loaded
machine would fail them for no fault of the server). Run with `pytest -m slow`.

The default run checks the same behaviour without the clock (test_robustness.py: a clean exit
handles nothing after `exit`; huge documents and FIFOs are answered, under a hang guard).
"""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e.test_robustness import HUGE_LINE, LONG_FILE, PY_LINE
from tests.lspclient import LspClient

pytestmark = pytest.mark.slow


@pytest.fixture
def server():
    client = LspClient.spawn()
    client.initialize()
    yield client
    client.stop()


def test_shutdown_then_exit_ends_the_process_within_a_second(server):
    assert "result" in server.call("shutdown")
    started = time.monotonic()
    server.notify("exit")
    assert server.wait_exit(1.0) == 0, server.stderr[-2000:]
    assert time.monotonic() - started < 1.0


def test_huge_single_line_answers_within_3_seconds(server):
    uri = "file:///tmp/huge-line.py"
    server.open(uri, HUGE_LINE)
    started = time.monotonic()
    answer = server.hover(uri, 0, len(HUGE_LINE) - 10)
    assert "attention_mask" in answer["result"]["contents"]["value"]
    assert server.hover(uri, 0, 100)["result"] is None
    assert time.monotonic() - started < 3.0


def test_file_of_200000_lines_answers_and_edits_within_10_seconds(server):
    uri = "file:///tmp/long-file.py"
    server.open(uri, LONG_FILE)
    started = time.monotonic()
    for line in (199_999, 0, 100_000):
        answer = server.hover(uri, line, len(f"y{line} = model(") + 2)
        assert "attention_mask" in answer["result"]["contents"]["value"], line
    server.notify(
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
    assert server.hover(uri, 200_000, 20)["result"]
    assert time.monotonic() - started < 10.0


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_uris_naming_a_fifo_or_a_directory_answer_within_2_seconds(server, tmp_path):
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    for uri in (fifo.as_uri(), tmp_path.as_uri(), (tmp_path / "missing.py").as_uri()):
        server.open(uri, PY_LINE)
        started = time.monotonic()
        assert server.hover(uri, 0, 10)["result"]
        assert time.monotonic() - started < 2.0
