"""The output pipe's writer writes a message from the loop's thread when the pipe has room for
all of it (a completion list is ~15 kB, longer than PIPE_BUF), and hands it to its thread when
the client has left the pipe too full."""

from __future__ import annotations

import os
import sys

import pytest
from transformers_glossary_ls.transport import PipeWriter

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the pipe's room is Linux's")


@pytest.fixture
def pipe():
    read, write = os.pipe()
    stream = os.fdopen(write, "wb", buffering=0)
    writer = PipeWriter(stream, lambda: None)
    yield read, writer
    writer.close()
    stream.close()
    os.close(read)


def _read(fd: int, size: int) -> bytes:
    got = b""
    while len(got) < size:
        got += os.read(fd, size - len(got))
    return got


@pytest.mark.parametrize("size", [100, 15_000, 40_000])
def test_a_message_the_pipe_has_room_for_is_written_at_once(pipe, size):
    read, writer = pipe
    writer.write(b"x" * size)
    assert writer._unsent == 0 and not writer._queue  # written here, not queued
    assert _read(read, size) == b"x" * size


def test_a_message_the_pipe_has_no_room_for_goes_to_the_thread(pipe):
    read, writer = pipe
    writer.write(b"a" * 50_000)  # the client reads nothing yet
    writer.write(b"b" * 15_000)  # no room for it: queued, never blocking the caller
    assert writer._unsent == 15_000
    assert _read(read, 65_000) == b"a" * 50_000 + b"b" * 15_000  # written once read
