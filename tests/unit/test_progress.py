"""`$/progress` for the read of an environment: begun only once the client has created the
token, ended exactly once, in order, however the read and the client's answer interleave."""

from __future__ import annotations

import pytest
from transformers_glossary_ls.server import Progress


class FakeServer:
    def __init__(self) -> None:
        self.created = None  # the callback of the pending create request
        self.sent: list[tuple[str, object]] = []

    def window_work_done_progress_create(self, params, callback):
        self.sent.append(("create", params.token))
        self.created = callback

    def progress(self, params) -> None:
        self.sent.append((params.value.kind, params.token))


@pytest.mark.parametrize(
    "ends_first", [False, True], ids=["client answers first", "read ends first"]
)
def test_begin_then_end_once(ends_first):
    server = FakeServer()
    progress = Progress(server, "reading transformers 4.40.2")
    token = progress.token
    if ends_first:
        progress.end("done")
        assert server.sent == [("create", token)]  # nothing before the client agrees
        server.created(None)
    else:
        server.created(None)
        progress.end("done")
    progress.end("again")
    assert server.sent == [("create", token), ("begin", token), ("end", token)]


def test_a_client_that_never_answers_gets_no_progress():
    server = FakeServer()
    Progress(server, "reading").end()
    assert server.sent[1:] == []


def test_tokens_differ():
    server = FakeServer()
    assert Progress(server, "a").token != Progress(server, "b").token
