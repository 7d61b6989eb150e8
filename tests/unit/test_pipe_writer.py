"""The stdout writer: a small message goes out at once from the caller when the pipe has room
(no wait for the writer thread to be scheduled); anything else is queued for that thread, so a
write never blocks the loop, and order is kept."""

from __future__ import annotations

import os
import select

import pytest
from transformers_glossary_ls import transport
from transformers_glossary_ls.transport import PipeWriter

pytestmark = pytest.mark.skipif(not hasattr(select, "poll"), reason="POSIX pipes only")


@pytest.fixture
def pipe(monkeypatch):
    """(writer over a pipe whose thread never runs, read end, calls of on_broken)."""
    monkeypatch.setattr(PipeWriter, "_run", lambda self: None)  # only the caller writes
    read, write = os.pipe()
    broken: list[bool] = []
    stream = os.fdopen(write, "wb", buffering=0)
    writer = PipeWriter(stream, lambda: broken.append(True))
    yield writer, read, broken
    stream.close()
    os.close(read)


def unread(fd: int) -> bytes:
    os.set_blocking(fd, False)
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return b""
    finally:
        os.set_blocking(fd, True)


def fill(writer: PipeWriter) -> None:
    """Fill the pipe (through the same open file, non-blocking for the while)."""
    fd = writer._fd
    os.set_blocking(fd, False)
    try:
        while True:
            os.write(fd, b"x" * 4096)
    except BlockingIOError:
        pass
    finally:
        os.set_blocking(fd, True)


@pytest.mark.parametrize(
    ("size", "full", "at_once"),
    [
        (900, False, True),  # a hover's answer
        (select.PIPE_BUF, False, True),
        (select.PIPE_BUF + 1, False, False),  # could block part way: the thread's
        (900, True, False),  # no room: queued, never blocking the caller
    ],
    ids=["small", "PIPE_BUF", "larger", "pipe full"],
)
def test_small_messages_go_out_at_once_when_the_pipe_has_room(pipe, size, full, at_once):
    writer, read, broken = pipe
    if full:
        fill(writer)
    writer.write(b"m" * size)
    if at_once:
        assert unread(read) == b"m" * size and writer._unsent == 0
    else:
        assert writer._unsent == size and list(writer._queue) == [b"m" * size]
    assert not broken


def test_nothing_overtakes_what_is_queued(pipe):
    writer, read, _ = pipe
    writer.write(b"L" * (select.PIPE_BUF + 1))  # queued for the thread
    writer.write(b"small")  # would fit, but must not go first
    assert unread(read) == b"" and list(writer._queue)[-1] == b"small"


def test_a_vanished_reader_stops_the_server(monkeypatch):
    monkeypatch.setattr(PipeWriter, "_run", lambda self: None)
    read, write = os.pipe()
    broken: list[bool] = []
    with os.fdopen(write, "wb", buffering=0) as stream:
        writer = PipeWriter(stream, lambda: broken.append(True))
        os.close(read)
        writer.write(b"answer")
        assert writer.broken and broken == [True]
        writer.write(b"more")  # nothing more is tried
        assert broken == [True]


def test_the_direct_path_needs_a_pipe_to_poll():
    class Memory:
        def __init__(self) -> None:
            self.data = b""

        def write(self, data) -> None:
            self.data += bytes(data)

        def flush(self) -> None:
            pass

    writer = PipeWriter(Memory(), lambda: None)
    assert not writer._has_room(10)
    writer.close()


def test_the_cap_still_holds_for_what_is_queued(pipe, monkeypatch):
    writer, _, broken = pipe
    monkeypatch.setattr(transport, "MAX_UNREAD", 10_000)
    writer.write(b"x" * 8_000)
    writer.write(b"y" * 8_000)
    assert writer.broken and broken == [True]
