"""Stdin read by the loop itself where it can watch it: what arrives comes out in order, the end
of input once, reading pauses while the loop is behind, and what it cannot watch is left to the
reader thread."""

from __future__ import annotations

import asyncio
import io
import os
import sys

import pytest
from transformers_glossary_ls.transport import READ_AHEAD, LoopReader

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX descriptors only")


def run(check) -> None:
    """`check(reader, write_end)` with a reader over a fresh pipe, on a fresh loop."""
    read, write = os.pipe()

    async def main() -> None:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        with os.fdopen(read, "rb", 0) as stream:
            reader = LoopReader.watch(stream, asyncio.get_running_loop(), queue)
            assert reader is not None
            try:
                await check(reader, write)
            finally:
                reader.close()

    try:
        asyncio.run(main())
    finally:
        try:
            os.close(write)
        except OSError:
            pass


def test_what_arrives_comes_out_in_order_then_the_end_once():
    async def check(reader, write):
        os.write(write, b"Content-Length: 2\r\n\r\n{}")
        assert await reader.next_chunk() == b"Content-Length: 2\r\n\r\n{}"
        os.write(write, b"more")
        assert await reader.next_chunk() == b"more"
        os.close(write)
        assert await reader.next_chunk() == b""
        assert reader.ended and not reader.watching

    run(check)


def test_reading_pauses_while_the_loop_is_behind():
    pieces = READ_AHEAD + 3

    async def check(reader, write):
        for k in range(pieces):
            os.write(write, bytes([65 + k]) * 1000)  # far less than the pipe holds
            await asyncio.sleep(0.01)  # read on its own (while reading)
        assert reader.queue.qsize() == READ_AHEAD and not reader.watching
        got = b""
        while len(got) < pieces * 1000:
            got += await reader.next_chunk()
            await asyncio.sleep(0.01)  # reading resumed: the rest comes
        assert got == b"".join(bytes([65 + k]) * 1000 for k in range(pieces))

    run(check)


def test_what_the_loop_cannot_watch_is_left_to_the_thread(tmp_path):
    path = tmp_path / "input"
    path.write_bytes(b"Content-Length: 2\r\n\r\n{}")

    async def main() -> list:
        loop, queue = asyncio.get_running_loop(), asyncio.Queue()
        with path.open("rb") as regular:  # always "ready", yet a read could block
            return [
                LoopReader.watch(regular, loop, queue),
                LoopReader.watch(io.BytesIO(b"{}"), loop, queue),  # no descriptor
            ]

    assert asyncio.run(main()) == [None, None]
