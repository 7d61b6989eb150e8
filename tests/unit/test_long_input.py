"""A long message being read (a document opened) is told apart from requests of a few hundred
bytes: the lexing after an opening lets the one go first at once, the others after its slice."""

from __future__ import annotations

import os
import sys

import pytest
from transformers_glossary_ls.transport import LONG_INPUT, Connection, _unread, _unread_bytes


class _Server:
    protocol = None


@pytest.fixture
def pipe():
    read, write = os.pipe()
    stream = os.fdopen(read, "rb", buffering=0)
    yield stream, write
    stream.close()
    os.close(write)


@pytest.mark.skipif(sys.platform != "linux", reason="FIONREAD on a pipe, as Linux has it")
@pytest.mark.parametrize(
    ("waiting", "partial", "long"),
    [
        (0, False, False),
        (300, False, False),  # a request
        (LONG_INPUT, False, False),
        (LONG_INPUT + 1, False, True),  # the start of a didOpen
        (0, True, True),  # part of a message read, the rest not here yet
        (300, True, True),
    ],
)
def test_a_long_message_is_pending(pipe, waiting, partial, long):
    stream, write = pipe
    connection = Connection(_Server())
    connection.unread, connection.unread_bytes = _unread(stream), _unread_bytes(stream)
    connection.partial = partial
    if waiting:
        os.write(write, b"x" * waiting)
    assert connection.unread_bytes() == waiting
    assert connection.long_input_pending() is long
    assert connection.input_pending() is bool(waiting or partial)


def test_a_connection_that_cannot_look_at_its_input_holds_no_long_message():
    """Input read by a thread (a regular file, Windows): only a part read tells."""
    connection = Connection(_Server())
    assert not connection.long_input_pending()
    connection.partial = True
    assert connection.long_input_pending()
