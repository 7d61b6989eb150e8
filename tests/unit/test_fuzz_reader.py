"""Fuzzing the message reader's framing (`transport.FrameParser`), sans-IO and fast.

Runs briefly by default; `FUZZ_EXAMPLES=5000 pytest tests/unit/test_fuzz_reader.py` for longer.
No test here asserts on the clock in the default run: a hang is caught by a guard that gives up
waiting; speed itself is the benchmark's business, never a timed test.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from transformers_glossary_ls.transport import (
    _HEADER_IN_BODY,
    MAX_CONTENT_LENGTH,
    MAX_HEADER_LINE,
    FrameParser,
    _header_in,
)

from tests.lspclient import frame as lsp_frame

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

MARKER = re.compile(rb"content-length", re.IGNORECASE)


def frame(body: bytes, length: int | None = None, headers: bytes = b"") -> bytes:
    return lsp_frame(body, length=length, extra_headers=headers)


HANG_GUARD = 60.0  # seconds; a guard against an endless loop, not a speed requirement


def finishes(work: Callable[[], None], timeout: float = HANG_GUARD) -> None:
    """Run `work` on a thread and fail if it has not returned within `timeout` (an endless loop
    would otherwise hang the run); its exception, if any, is raised here."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001
            failure.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    assert not thread.is_alive(), f"still running after {timeout} s: a hang"
    if failure:
        raise failure[0]


def feed_in_chunks(parser: FrameParser, data: bytes, cuts: list[int]) -> list[bytes]:
    bodies: list[bytes] = []
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(points, points[1:], strict=False):
        bodies += parser.feed(data[a:b])
    return bodies


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.builds(
    lambda v, ascii_: json.dumps(
        {"jsonrpc": "2.0", "method": "x", "params": v}, ensure_ascii=ascii_
    ).encode("utf-8"),
    json_values,
    st.booleans(),
)
junk = st.binary(max_size=300).filter(lambda b: not MARKER.search(b)) | st.sampled_from(
    [
        b"",
        b"\r\n",
        b"\r\n\r\n",
        b"Content-Type: x\r\n",
        b"X-Thing: 1\r\n\r\n",
        b"garbage",
        b"Content-Lengt",
        b"content-lengthx",
        b'{"jsonrpc": "2.0"}',
        b"\x00\xff\r\n",
        b"A: b\r\n" * 40,
    ]
)


@FUZZ
@given(st.lists(st.tuples(junk, bodies), min_size=1, max_size=6), st.lists(st.integers(0, 10**6)))
def test_junk_between_messages_never_loses_a_message(pairs, cuts):
    data = b"".join(j + frame(b) for j, b in pairs)
    parser = FrameParser()
    out = feed_in_chunks(parser, data, cuts)
    assert out == [b for _, b in pairs]


@FUZZ
@given(
    st.lists(st.tuples(bodies, st.integers(-40, 40)), min_size=2, max_size=6),
    st.lists(st.integers(0, 10**6)),
)
def test_wrong_lengths_lose_at_most_the_message_itself(messages, cuts):
    """A body shorter than declared is recovered when the next message follows; a body longer
    than declared is lost; every correctly framed message after them is delivered."""
    data = b""
    expected_last = None
    for k, (body, delta) in enumerate(messages):
        last = k == len(messages) - 1
        length = len(body) if last else max(0, len(body) + delta)
        data += frame(body, length)
        if last:
            expected_last = body
    parser = FrameParser()
    out = feed_in_chunks(parser, data, cuts)
    assert out and out[-1] == expected_last


@FUZZ
@given(st.lists(st.binary(max_size=2000), max_size=20))
def test_random_bytes_never_raise_or_hang(chunks):
    parser = FrameParser()

    def feed_all() -> None:
        for chunk in chunks:
            for body in parser.feed(chunk):
                assert isinstance(body, bytes)
        parser.eof()

    finishes(feed_all)


header_lines = st.sampled_from(
    [
        b"Content-Length: 5\r\n",
        b"content-length:5\n",
        b"Content-Length: 0\r\n",
        b"\r\n",
        b"\n",
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n",
        b"{}",
        b"12345",
        b"Content-Length: 99999999999999999999\r\n",
        b"Content-Length: x\r\n",
        b"hello: world\r\n",
        b"\x00",
        b"Content-Length: 5\r\nContent-Length: 6\r\n",
        b":\r\n",
        b" : \r\n",
    ]
)


@FUZZ
@given(
    st.lists(header_lines | st.binary(max_size=20), max_size=40), st.lists(st.integers(0, 10**6))
)
def test_header_soup_never_raises(parts, cuts):
    data = b"".join(parts) + frame(b'{"last": 1}')
    parser = FrameParser()
    out = feed_in_chunks(parser, data, cuts)
    assert out[-1:] == [b'{"last": 1}']  # whatever came before, the stream is back in step


BAD_LENGTHS = {
    "non-numeric": b"Content-Length: abc\r\n\r\n",
    "negative": b"Content-Length: -1\r\n\r\n",
    "empty": b"Content-Length: \r\n\r\n",
    "just over the limit": b"Content-Length: %d\r\n\r\n" % (MAX_CONTENT_LENGTH + 1),
    "absurd": b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n",
}


@pytest.mark.parametrize("header", BAD_LENGTHS.values(), ids=BAD_LENGTHS.keys())
def test_bad_lengths_are_skipped_to_the_next_message(header):
    parser = FrameParser()
    out = parser.feed(frame(b'{"a": 1}') + header + b'{"lost": 1}' + frame(b'{"b": 2}'))
    assert out == [b'{"a": 1}', b'{"b": 2}']
    assert parser.recoveries == 1


def test_a_space_before_the_colon_is_read():
    parser = FrameParser()
    assert parser.feed(b'Content-Length : 8\r\n\r\n{"a": 1}' + frame(b"{}")) == [
        b'{"a": 1}',
        b"{}",
    ]
    assert parser.recoveries == 0


PATHOLOGICAL = b"x" + b"Content-Length: 1" * 20_000  # 340 KB, a marker every 17 bytes, no newline


def feed_pathological(parser: FrameParser) -> int:
    """Feed PATHOLOGICAL in 64 KB chunks; the most bytes the parser held between feeds."""
    held = 0
    for i in range(0, len(PATHOLOGICAL), 65536):
        parser.feed(PATHOLOGICAL[i : i + 65536])
        held = max(held, parser.buffered)
    return held


def test_pathological_junk_is_linear():
    """Many near-headers without line breaks must not make the reader quadratic: it never holds
    more than one header line's worth of junk (so no feed rescans what came before), handles each
    marker at most once, and finishes."""
    parser = FrameParser()
    held: list[int] = []
    finishes(lambda: held.append(feed_pathological(parser)))
    assert held[0] <= MAX_HEADER_LINE + 1
    assert parser.recoveries <= PATHOLOGICAL.count(b"Content-Length")
    assert parser.skipped <= len(PATHOLOGICAL)


# Pieces that make stray headers, near misses and line breaks likely.
_HEADER_BITS = st.lists(
    st.sampled_from(
        [
            b"content-length:",
            b"Content-Length:",
            b"CONTENT-LENGTH: ",
            b"content-length",
            b"\n",
            b"\r\n",
            b"\r",
            b" ",
            b"\t",
            b"12",
            b"7",
            b"x",
            b'{"a":1}',
            b":",
            b"-",
        ]
    ),
    max_size=40,
).map(b"".join)


@FUZZ
@given(_HEADER_BITS, st.integers(0, 200), st.integers(0, 200))
def test_stray_header_search_finds_what_the_plain_regex_finds(data: bytes, lo: int, hi: int):
    """The line-by-line search for a header inside a body finds the same match as one regex
    search over the whole span."""
    buf = bytearray(data)
    lo, hi = min(lo, len(buf)), min(hi, len(buf))
    expected = _HEADER_IN_BODY.search(buf, lo, hi) if lo <= hi else None
    found = _header_in(buf, lo, hi) if lo <= hi else None
    assert (found and found.span()) == (expected and expected.span())


class _GeneralParser(FrameParser):
    """Every message read header line by header line (`_headers`, `_body`)."""

    def _usual_message(self) -> bytes | None:
        return None


@FUZZ
@given(
    st.lists(
        st.tuples(junk | _HEADER_BITS, bodies | _HEADER_BITS, st.integers(-40, 40)), max_size=8
    ),
    st.lists(st.integers(0, 10**6)),
)
def test_a_usual_message_is_read_in_one_step_as_the_general_way_reads_it(messages, cuts):
    """`feed` reads a message with the usual header, followed by enough of the stream, in one
    step (`_usual_message`): the same bodies, skips and recoveries, fed in any chunks, as reading
    it header line by header line. Wrong lengths and junk make it decline and resynchronise."""
    data = b"".join(j + frame(b, max(0, len(b) + d) if d % 3 else None) for j, b, d in messages)
    short, general = FrameParser(), _GeneralParser()
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for a, b in zip(points, points[1:], strict=False):
        assert short.feed(data[a:b]) == general.feed(data[a:b])
        assert short.buffered == general.buffered
    assert (short.skipped, short.recoveries) == (general.skipped, general.recoveries)


def test_a_burst_of_messages_is_read_the_short_way():
    data = b"".join(frame(b'{"n": %d}' % n) for n in range(50))
    calls = []
    parser = FrameParser()
    usual = parser._usual_message
    parser._usual_message = lambda: calls.append(body := usual()) or body
    assert parser.feed(data) == [b'{"n": %d}' % n for n in range(50)]
    # each but the last few (the bytes after them might yet hold a header): one step
    assert sum(body is not None for body in calls) >= 45


# Lines that are headers, nearly headers, or body text ending in one, so that a stray header is
# there to find in most examples (pieces drawn at random seldom make a whole one).
_LINE = st.tuples(
    st.sampled_from([b"", b"x", b'{"a":"', b":", b"a:b ", b"\r", b"content-length: 1 "]),
    st.sampled_from(
        [b"content-length:", b"Content-Length:", b"CONTENT-LENGTH:", b"ontent-length:"]
    ),
    st.sampled_from([b"", b" ", b"\t ", b":"]),
    st.sampled_from([b"12", b"7", b"", b"x", b"1:2"]),
    st.sampled_from([b"", b" ", b"\t"]),
    st.sampled_from([b"\r\n", b"\n", b"\r", b""]),
).map(b"".join)


_ENDS = st.just(0) | st.integers(0, 300)  # how far in from either end the span is


@FUZZ
@given(st.lists(_LINE | _HEADER_BITS, min_size=1, max_size=6).map(b"".join), _ENDS, _ENDS)
def test_stray_header_lines_are_found_as_the_plain_regex_finds_them(data, a, b):
    buf = bytearray(data)
    lo = a % (len(buf) + 1)
    hi = len(buf) - b % (len(buf) - lo + 1)
    found = _header_in(buf, lo, hi)
    expected = _HEADER_IN_BODY.search(buf, lo, hi)
    assert (found and found.span()) == (expected and expected.span())
