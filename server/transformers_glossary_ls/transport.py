"""The byte stream under the protocol: framing, the read loop, and knowing when to stop.

pygls's reader (`pygls.io_.run_async`) trusts its input: a bad header or a wrong
`Content-Length` leaves it reading the stream out of step forever, it waits on a stdin read after
`exit`, and it never notices that the editor died. This module replaces it.

`FrameParser` is sans-IO: bytes go in, message bodies come out. Framing errors (a malformed
header line, a header block without `Content-Length`, a `Content-Length` that is not a number or
is absurdly large, a body longer than declared, a body shorter than declared followed by the next
message) are logged and skipped up to the next `Content-Length` header; the skip holds no more
than a header's worth of bytes, however long it runs.

`serve_stdio` runs the loop: the loop itself reads stdin when it is a pipe or a socket it can
watch (POSIX), reading only what is there, else a daemon thread does (so that a blocked read
never keeps the process alive); an answer that fits the output pipe at once is written there
and then, anything else by a thread of its own (so that a client that stops reading never
blocks the loop); the loop frames and hands bodies to the protocol, and the process ends on
`exit`, end of input, a broken stdout, output left unread past `MAX_UNREAD`, or the death of the
editor process named in `initialize`'s `processId`. `serve_tcp` serves one client the same way
and refuses others while it is connected.
"""

from __future__ import annotations

import array
import asyncio
import collections
import contextlib
import logging
import os
import re
import select
import stat
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

try:
    import fcntl
    import termios
except ImportError:  # Windows
    fcntl = termios = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

MAX_CONTENT_LENGTH = 256 * 1024 * 1024  # bigger is a corrupt stream, not a document
MAX_HEADER_LINE = 8 * 1024  # a longer "header line" is junk
MAX_HEADER_LINES = 32
READ_CHUNK = 64 * 1024
READ_AHEAD = 4  # chunks read ahead of the loop handling them
# Unread input past this is a long message (a didOpen), not requests of a few hundred bytes.
LONG_INPUT = 16 * 1024
PARENT_POLL_SECONDS = 1.0
WRITE_CHUNK = 64 * 1024
MAX_UNREAD = 32 * 1024 * 1024  # our output the client has not read: past this it is gone
DRAIN_PATIENCE = 1.0  # at exit, how long unsent output may make no progress before it is dropped
_PIPE_BUF = getattr(select, "PIPE_BUF", 512)  # a pipe write at most this long is never split
_F_GETPIPE_SZ = 1032  # fcntl.F_GETPIPE_SZ (Linux)
_PAGE = 4096  # a pipe holds its bytes in pages (Linux)
MAX_PID = 2**32 - 1 if sys.platform == "win32" else 2**31 - 1  # DWORD / pid_t

# Exit codes
EXIT_OK = 0  # `exit` after `shutdown`
EXIT_UNCLEAN = 1  # `exit` without `shutdown`, input closed before `shutdown`, editor died

_MARKER = re.compile(rb"content-length:", re.IGNORECASE)
_MARKER_LEN = len(b"content-length:")
_NAME_LEN = _MARKER_LEN - 1  # before the colon
# A real header inside a body: valid JSON cannot contain it (raw line breaks may not appear in
# JSON strings, and the words cannot appear outside them), so finding one proves misframing.
_HEADER_IN_BODY = re.compile(rb"content-length:[ \t]*\d+[ \t]*\r?\n", re.IGNORECASE)
_HEADER_PREFIX = re.compile(rb"content-length:[ \t]*\d*[ \t]*\r?", re.IGNORECASE)
_SMALL_BODY = 4096  # copied from a slice, not through a memoryview
_HEADER_SLACK = 64  # how far a header that starts inside a body may reach past it
_USUAL_HEADER = re.compile(rb"Content-Length: ([0-9]{1,12})\r\n\r\n")
_HEADER_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*")
_SPACED_HEADER_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]+:[ \t]*(.*?)[ \t]*")


def _header_in(buf: bytearray, lo: int, hi: int) -> re.Match | None:
    """The first complete header line in buf[lo:hi]. A header line ends at its line break and
    holds no other, so only the lines that end in [lo, hi) are searched: `bytes.find` skips a
    compact JSON body (which has no raw line breaks) at memory speed, where a case-insensitive
    search over it took ~15 ms a megabyte."""
    line_start = lo
    end = buf.find(b"\n", lo, hi)
    while end >= 0:
        # After a header's colon come only blanks, digits and the line break: the colon is the
        # line's last, so the header can start only where that one's name would. One anchored
        # match there, where a search tried every position of the body before it.
        colon = buf.rfind(b":", line_start, end)
        if colon - _NAME_LEN >= line_start:
            found = _HEADER_IN_BODY.match(buf, colon - _NAME_LEN, end + 1)
            if found is not None:
                return found
        line_start = end + 1
        end = buf.find(b"\n", line_start, hi)
    return None


def _partial_header_at_end(buf: bytearray, lo: int, hi: int) -> bool:
    """Whether some position in [lo, hi) starts a header prefix that runs to the buffer's end."""
    if len(buf) - hi > _HEADER_SLACK:
        return False  # a header starting before `hi` would be complete by now
    tail_start = buf.rfind(b"\n", lo, hi) + 1 or lo
    for pos in range(max(lo, tail_start), hi):
        if buf[pos] not in b"cC":
            continue
        tail = bytes(buf[pos:]).lower()
        if len(tail) <= _MARKER_LEN:
            if b"content-length:".startswith(tail):
                return True
        elif _HEADER_PREFIX.fullmatch(tail):
            return True
    return False


class FrameParser:
    """Split a byte stream into LSP message bodies.

    `feed(data)` returns the bodies completed by `data`; it never raises. `skipped` counts the
    bytes thrown away while resynchronising.
    """

    HEADERS, BODY, SKIP = "headers", "body", "skip"

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pos = 0  # start of unconsumed data in _buf
        self._state = self.HEADERS
        self._length: int | None = None
        self._header_lines = 0
        self._scanned = 0  # how far into the current body we have looked for a stray header
        self._skipping = 0  # bytes dropped in the current skip
        self.skipped = 0
        self.recoveries = 0
        self._told_spaced = False

    # -- public ------------------------------------------------------------------------------
    def feed(self, data: bytes) -> list[bytes]:
        if data:
            self._buf += data
        bodies: list[bytes] = []
        while True:
            if self._state == self.HEADERS:
                if self._header_lines == 0 and (body := self._usual_message()) is not None:
                    bodies.append(body)
                    continue
                if not self._headers():
                    break
            elif self._state == self.BODY:
                body = self._body()
                if body is None:
                    break
                bodies.append(body)
            elif not self._skip():
                break
        self._compact()
        return bodies

    def eof(self) -> None:
        """Log what the end of input cut short, if anything."""
        pending = len(self._buf) - self._pos
        if self._state == self.BODY:
            log.warning("input ended inside a message (%d of %d bytes)", pending, self._length)
        elif pending and self._state == self.HEADERS and self._buf[self._pos :].strip():
            log.warning("input ended inside a message header (%d bytes dropped)", pending)

    @property
    def buffered(self) -> int:
        return len(self._buf) - self._pos

    # -- states ------------------------------------------------------------------------------
    def _usual_message(self) -> bytes | None:
        """The next message's body when the message is as nearly every client writes it and
        the buffer holds all of it and more (a burst of keystrokes): what `_headers` and
        `_body` would find, in one step. None, having consumed nothing, otherwise."""
        buf, start = self._buf, self._pos
        usual = _USUAL_HEADER.match(buf, start)
        if usual is None:
            return None
        length = int(usual.group(1))
        begin = usual.end()
        end = begin + length
        if length > MAX_CONTENT_LENGTH or len(buf) - end <= _HEADER_SLACK:
            return None  # too long, or near the end of what has arrived: `_body` decides
        stray = _header_in(buf, begin, end + _HEADER_SLACK)
        if stray is not None and stray.start() < end:
            return None  # cut short by the next message: `_body` resynchronises
        self._pos = end
        if length <= _SMALL_BODY:
            return bytes(buf[begin:end])  # two copies of a few hundred bytes: cheaper
        with memoryview(buf) as view:
            return bytes(view[begin:end])

    def _headers(self) -> bool:
        """Consume one header line; False when more input is needed."""
        start = self._pos
        if self._header_lines == 0:
            usual = _USUAL_HEADER.match(self._buf, start)
            if usual is not None and int(usual.group(1)) <= MAX_CONTENT_LENGTH:
                # The whole header block as nearly every client writes it, in one match.
                self._length = int(usual.group(1))
                self._pos = usual.end()
                self._state, self._scanned = self.BODY, 0
                return True

        end = self._buf.find(b"\n", start, start + MAX_HEADER_LINE + 2)
        if end < 0:
            if len(self._buf) - start > MAX_HEADER_LINE + 1:
                self._recover("header line too long")
                return True
            return False
        line = bytes(self._buf[start:end]).rstrip(b"\r")
        if not line.strip():
            self._pos = end + 1
            if self._header_lines == 0:
                return True  # a stray blank line between messages
            if self._length is None:
                self._recover("header block without Content-Length", consume=False)
                return True
            self._state, self._scanned = self.BODY, 0
            return True
        match = _HEADER_LINE.fullmatch(line)
        if match is None and (match := _SPACED_HEADER_LINE.fullmatch(line)) is not None:
            # `Content-Length : N`: invalid, but its meaning is plain; reading it answers the
            # request instead of losing it.
            if not self._told_spaced:
                self._told_spaced = True
                log.warning("header %.60r has a space before its colon; read anyway", line)
        if match is None or _MARKER.search(line, 1) is not None:
            # Junk, or junk run into the next message's header: resume at that header.
            self._recover(f"malformed header line {line[:60]!r}")
            return True
        if self._header_lines >= MAX_HEADER_LINES:
            self._recover("too many header lines", consume=False)  # this line may start a message
            return True
        name, value = match.group(1).lower(), match.group(2)
        if name == b"content-length":
            if not value.isdigit():
                self._recover(f"Content-Length is not a number: {value[:40]!r}")
                return True
            if len(value) > 12 or int(value) > MAX_CONTENT_LENGTH:
                self._recover(
                    f"Content-Length {value[:40].decode()} exceeds the"
                    f" {MAX_CONTENT_LENGTH}-byte limit"
                )
                return True
            length = int(value)
            if self._length is not None:
                # A second Content-Length: the first block was cut short; this one starts anew.
                self._recover("a header block with two Content-Length headers", consume=False)
                return True
            self._length = length
        self._header_lines += 1
        self._pos = end + 1
        return True

    def _body(self) -> bytes | None:
        assert self._length is not None
        start, length = self._pos, self._length
        end = start + length
        available = min(len(self._buf), end) - start
        # Has the declared length run into the next message's header? (The header may begin
        # inside the body and end after it.)
        scan_from = start + max(0, self._scanned - _HEADER_SLACK)
        scan_to = min(len(self._buf), end + _HEADER_SLACK)
        stray = _header_in(self._buf, scan_from, scan_to)
        if stray is not None and stray.start() < end:
            body = bytes(self._buf[start : stray.start()])
            log.warning(
                "message shorter than its Content-Length (%d of %d bytes); resynchronised",
                len(body),
                length,
            )
            self.recoveries += 1
            self._pos = stray.start()
            self._reset()
            return body
        if available < length:
            self._scanned = available
            return None
        if _partial_header_at_end(self._buf, max(start, end - _HEADER_SLACK), end):
            # The body ends in what may be the start of a header whose end has not arrived:
            # no valid JSON ends so, so wait for more bytes to decide.
            self._scanned = available
            return None
        with memoryview(self._buf) as view:
            body = bytes(view[start:end])  # one copy, where a slice of the bytearray made two
        self._pos = end
        self._reset()
        return body

    def _skip(self) -> bool:
        """Drop bytes up to the next Content-Length header; False when more input is needed."""
        found = _MARKER.search(self._buf, self._pos)
        if found is None:
            keep = _MARKER_LEN - 1
            drop = max(0, len(self._buf) - self._pos - keep)
            self._skipping += drop
            self._pos += drop
            return False
        self._skipping += found.start() - self._pos
        self._pos = found.start()
        log.warning("skipped %d bytes up to the next Content-Length header", self._skipping)
        self.skipped += self._skipping
        self._skipping = 0
        self._state = self.HEADERS
        return True

    # -- helpers -----------------------------------------------------------------------------
    def _recover(self, reason: str, consume: bool = True) -> None:
        """Enter skip mode; `consume` drops one byte so a bad line is not found again."""
        log.warning("framing error: %s; skipping to the next message", reason)
        self.recoveries += 1
        if consume and self._pos < len(self._buf):
            self._pos += 1
            self._skipping += 1
        self._reset()
        self._state = self.SKIP

    def _reset(self) -> None:
        self._state = self.HEADERS
        self._length = None
        self._header_lines = 0
        self._scanned = 0

    def _compact(self) -> None:
        if self._pos and (self._pos > READ_CHUNK or self._pos == len(self._buf)):
            del self._buf[: self._pos]
            self._pos = 0


# -- process liveness ------------------------------------------------------------------------
def pid_alive(pid: int) -> bool:
    """Whether process `pid` exists (a zombie counts as dead)."""
    if pid <= 0:
        return True  # nothing sensible to watch
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[-1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def _pid_alive_windows(pid: int) -> bool:  # pragma: no cover
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return kernel32.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


# -- I/O ---------------------------------------------------------------------------------------
class PipeWriter:
    """Write framed messages from a thread of its own: `write` only queues, so a client that stops
    reading never blocks the loop that watches for `exit`, closed input and the editor's death.

    A vanished reader, or more than `MAX_UNREAD` bytes left unread, stops the server instead.
    """

    def __init__(
        self,
        stream: BinaryIO,
        on_broken: Callable[[], None],
        on_write: Callable[[], None] = lambda: None,
    ) -> None:
        self._stream = stream
        self._on_write = on_write  # told of each message handed over, before it is written
        self._fd: int | None = None
        try:
            self._fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            pass  # an in-memory stream: written through its own write()
        self._on_broken = on_broken
        self._poll = None  # tells whether the output pipe has room (POSIX)
        self._pipe_size: int | None = None if fcntl is not None else 0  # 0: not known
        if self._fd is not None and hasattr(select, "poll"):
            self._poll = select.poll()
            self._poll.register(self._fd, select.POLLOUT)
        self._queue: collections.deque[bytes] = collections.deque()
        self._cond = threading.Condition()
        self._unsent = 0  # bytes queued or partly written
        self._written = 0  # bytes written so far: progress, for the drain at exit
        self._closing = False
        self.broken = False
        self._thread = threading.Thread(target=self._run, name="lsp-stdout", daemon=True)
        self._thread.start()

    def write(self, data: bytes) -> None:
        self._on_write()
        with self._cond:
            if self.broken or self._closing:
                return
            if not self._unsent and self._writable_now(len(data)):
                # Nothing queued or being written, and the pipe has room for all of it: write
                # here, sparing the answer a wake-up of the writing thread (on a busy machine,
                # a wait for a core). A write this small to a pipe is never split.
                try:
                    written = os.write(self._fd, data)  # type: ignore[arg-type]
                except (OSError, ValueError):
                    written = 0  # the thread writes it, and reports what went wrong
                if written == len(data):
                    self._written += written
                    return
                data = data[written:]
            if self._unsent + len(data) > MAX_UNREAD:
                self.broken = True
                unread = self._unsent
            else:
                self._queue.append(data)
                self._unsent += len(data)
                self._cond.notify_all()
                return
        log.error("the client has left %d bytes of our output unread; stopping", unread)
        self._on_broken()

    def pending(self) -> bool:
        """Whether a message handed over is not all written yet (the thread is writing it)."""
        return self._unsent > 0

    def _writable_now(self, size: int) -> bool:
        """Whether `size` bytes go into the output pipe at once, without blocking: at most
        PIPE_BUF bytes (written whole) and the pipe has a buffer free; or, where the pipe says
        how much it holds (Linux), a longer message (a completion list, ~15 kB) that fits in
        the room left. Only this writer writes to the pipe."""
        if self._poll is None:
            return False
        if size > _PIPE_BUF:
            room = self._room()
            return room is not None and size <= room
        try:
            return bool(self._poll.poll(0))
        except (OSError, ValueError):
            return False

    def _room(self) -> int | None:
        """Bytes that surely go into the output pipe now (None where it cannot say): its size
        less what the reader has left in it, counting each page it may occupy as full."""
        if self._pipe_size == 0:
            return None
        try:
            if self._pipe_size is None:
                self._pipe_size = fcntl.fcntl(self._fd, _F_GETPIPE_SZ)
            unread = array.array("i", [0])
            fcntl.ioctl(self._fd, termios.FIONREAD, unread)
        except (OSError, ValueError, TypeError, AttributeError):
            self._pipe_size = 0  # not a pipe, or not Linux: never asked again
            return None
        pages = -(-unread[0] // _PAGE) + 1  # a partly filled page, and one more to be safe
        return self._pipe_size - pages * _PAGE

    def close(self) -> None:
        """Send what is queued while the client keeps reading; drop it once it stops."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            while self._unsent and not self.broken:
                before = self._written
                self._cond.wait(DRAIN_PATIENCE)
                if self._written == before and self._unsent:
                    log.warning(
                        "dropping %d bytes of output the client is not reading", self._unsent
                    )
                    return

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._closing:
                    self._cond.wait()
                if not self._queue:
                    return
                data = self._queue.popleft()
            try:
                self._send(data)
            except (OSError, ValueError) as exc:  # BrokenPipeError, or a closed file
                with self._cond:
                    self.broken = True
                    self._queue.clear()
                    self._unsent = 0
                    self._cond.notify_all()
                log.error("cannot write to the client (%s); stopping", exc)
                self._on_broken()
                return

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._fd is not None:
                n = os.write(self._fd, view[:WRITE_CHUNK])  # unbuffered: no lock to die holding
            else:
                self._stream.write(view[:WRITE_CHUNK])
                self._stream.flush()
                n = min(len(view), WRITE_CHUNK)
            view = view[n:]
            with self._cond:
                self._unsent -= n
                self._written += n
                self._cond.notify_all()


def _loop_reader(
    stream: BinaryIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue
) -> Callable[[], Awaitable[bytes]] | None:
    """Read a pipe or socket from the event loop itself, when it can watch it (POSIX): the
    loop wakes once for input, where a reading thread woke and then woke the loop (on a busy
    machine, each wake-up may wait for a core). A read only follows the loop's word that input
    is there, so it never blocks. None where the loop cannot watch the stream (a regular file,
    Windows): a thread reads it then."""
    try:
        fd = stream.fileno()
        kind = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return None
    if os.name != "posix" or not (stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind)):
        return None
    reading = False

    def readable() -> None:
        nonlocal reading
        try:
            chunk = os.read(fd, READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except Exception as exc:  # noqa: BLE001 - anything here means "no more input"
            log.info("reading input failed: %s", exc)
            chunk = b""
        queue.put_nowait(chunk)
        if not chunk or queue.qsize() >= READ_AHEAD:  # the end, or the loop is behind
            loop.remove_reader(fd)
            reading = False

    def watch() -> None:
        nonlocal reading
        loop.add_reader(fd, readable)
        reading = True

    try:
        watch()
    except (OSError, ValueError, NotImplementedError):
        return None
    ended = False

    async def next_chunk() -> bytes:
        nonlocal ended
        chunk = await queue.get()
        ended = ended or not chunk
        if not reading and not ended and queue.qsize() < READ_AHEAD:
            watch()
        return chunk

    return next_chunk


def _unread(stream: BinaryIO) -> Callable[[], bool]:
    """Whether input is waiting in a stream the loop reads (a poll, ~1 us): what background
    work asks before each step, so that a request arriving meanwhile is read at once."""
    poller = select.poll()
    poller.register(stream.fileno(), select.POLLIN)

    def unread() -> bool:
        try:
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return False

    return unread


def _unread_bytes(stream: BinaryIO) -> Callable[[], int]:
    """How many bytes wait unread in a pipe or socket (FIONREAD, ~1 us; Linux and macOS); 0
    where it cannot say."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        fd = None
    if fd is None or fcntl is None:
        return lambda: 0

    def unread_bytes() -> int:
        count = array.array("i", [0])
        try:
            fcntl.ioctl(fd, termios.FIONREAD, count)
        except (OSError, ValueError, TypeError, AttributeError):
            return 0
        return count[0]

    return unread_bytes


def _reader_thread(
    stream: BinaryIO,
    loop: asyncio.AbstractEventLoop,
    queue: asyncio.Queue,
    room: threading.Semaphore,
) -> None:
    fd = None
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        pass
    while True:
        room.acquire()
        try:
            if fd is not None:
                chunk = os.read(fd, READ_CHUNK)
            else:
                read1 = getattr(stream, "read1", None) or stream.read
                chunk = read1(READ_CHUNK)
        except Exception as exc:  # noqa: BLE001 - anything here means "no more input"
            log.info("reading input failed: %s", exc)
            chunk = b""
        try:
            loop.call_soon_threadsafe(queue.put_nowait, chunk)
        except RuntimeError:  # the loop is closed: we are exiting
            return
        if not chunk:
            return


class Connection:
    """One client connection: the read loop and the ways it ends."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.protocol = server.protocol
        self.exit_code: int | None = None
        self.editor_pid: int | None = None  # the editor process to outlive, from `initialize`
        self._wake: asyncio.Event | None = None
        self.partial = False  # part of a message has arrived, the rest has not been read yet
        self.queued: Callable[[], int] = lambda: 0  # chunks read but not yet parsed
        self.unread: Callable[[], bool] = lambda: False  # input arrived but not yet read
        self.unread_bytes: Callable[[], int] = lambda: 0  # how much, where the loop can say
        self.last_input = time.monotonic()  # when the last chunk of input was handled
        self.last_output = 0.0  # when we last sent something (an answer, a notification)
        self.turns = 0  # batches of messages handled (each answered, where it is a request)
        self._next_turn: asyncio.Future | None = None
        self.output_pending: Callable[[], bool] = lambda: False  # our answers not yet written

    def watch_editor(self, pid: Any) -> None:
        """End the server when process `pid` (initialize's `processId`) dies; None: never."""
        if pid is None:
            return
        if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid <= MAX_PID:
            log.warning(
                "processId %.40r is not a process id; the editor's exit will not be noticed", pid
            )
            return
        self.editor_pid = pid

    def input_pending(self) -> bool:
        """Whether input is waiting: background work should let it go first."""
        return self.partial or self.queued() > 0 or self.unread()

    def long_input_pending(self) -> bool:
        """Whether a long message (a document opened or replaced) is being read: part of one
        has been read, or more than LONG_INPUT bytes wait unread."""
        return self.partial or (self.unread() and self.unread_bytes() > LONG_INPUT)

    def quiet_for(self) -> float:
        """Seconds the client has been silent: since its last input or our last output,
        whichever came later (it cannot send the next request of a burst before it has our
        answer to the last), 0 while input is waiting."""
        if self.input_pending():
            return 0.0
        return time.monotonic() - max(self.last_input, self.last_output)

    def wrote(self) -> None:
        self.last_output = time.monotonic()

    def _turned(self) -> None:
        self.turns += 1
        waiter, self._next_turn = self._next_turn, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def turn(self, timeout: float) -> bool:
        """Wait until the next batch of messages has been handled, its requests answered (True),
        or `timeout` seconds (False)."""
        if self._next_turn is None:
            self._next_turn = asyncio.get_running_loop().create_future()
        try:  # shielded: waiters share the future, and one's timeout is no other's
            await asyncio.wait_for(asyncio.shield(self._next_turn), timeout)
        except TimeoutError:
            return False
        return True

    def stop(self, code: int) -> None:
        """End the loop with `code` (the first reason given wins). Safe from any thread."""
        if self.exit_code is None:
            self.exit_code = code
        wake = self._wake
        if wake is not None:
            loop = self._loop
            try:
                if loop.is_running() and threading.current_thread() is not self._loop_thread:
                    loop.call_soon_threadsafe(wake.set)
                else:
                    wake.set()
            except RuntimeError:
                pass

    async def run(self, next_chunk: Callable[[], Awaitable[bytes]]) -> int:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.current_thread()
        self._wake = asyncio.Event()
        if self.exit_code is not None:
            return self.exit_code
        parser = FrameParser()
        watcher = asyncio.ensure_future(self._watch_parent())
        try:
            while self.exit_code is None:
                chunk = await self._next(next_chunk)
                if chunk is None:
                    break  # stopped
                if not chunk:
                    parser.eof()
                    log.info("input closed; exiting")
                    self.stop(EXIT_OK if self.protocol.shut_down else EXIT_UNCLEAN)
                    break
                bodies = parser.feed(chunk)
                self.partial = parser.buffered > 0
                self.last_input = time.monotonic()
                if bodies:
                    self.protocol.receive(bodies)
                    self._turned()
                    await asyncio.sleep(0)  # let callbacks and tasks of these messages run
        finally:
            watcher.cancel()
        return self.exit_code if self.exit_code is not None else EXIT_UNCLEAN

    async def _next(self, next_chunk: Callable[[], Awaitable[bytes]]) -> bytes | None:
        assert self._wake is not None
        if self._wake.is_set():
            return None
        read = asyncio.ensure_future(next_chunk())
        wake = asyncio.ensure_future(self._wake.wait())
        done, _ = await asyncio.wait({read, wake}, return_when=asyncio.FIRST_COMPLETED)
        if read in done:
            wake.cancel()
            return read.result()
        read.cancel()
        return None

    async def _watch_parent(self) -> None:
        """End the server when the editor process named in `initialize` is gone."""
        while True:
            await asyncio.sleep(PARENT_POLL_SECONDS)
            pid = self.editor_pid
            if pid is not None and not pid_alive(pid):
                log.warning("the editor process %d is gone; exiting", pid)
                self.stop(EXIT_UNCLEAN)
                return


def serve_stdio(server: Any, stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Serve one client over a pair of byte streams until it ends; return the exit code."""
    connection = Connection(server)
    server.connection = connection
    writer = PipeWriter(stdout, lambda: connection.stop(EXIT_UNCLEAN), connection.wrote)
    connection.output_pending = writer.pending
    server.protocol.set_writer(writer)

    async def main() -> int:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        next_chunk = _loop_reader(stdin, loop, queue)
        if next_chunk is not None:
            connection.unread = _unread(stdin)
            connection.unread_bytes = _unread_bytes(stdin)
        else:
            room = threading.Semaphore(READ_AHEAD)

            async def next_chunk() -> bytes:
                chunk = await queue.get()
                room.release()
                return chunk

            thread = threading.Thread(
                target=_reader_thread,
                args=(stdin, loop, queue, room),
                name="lsp-stdin",
                daemon=True,
            )
            thread.start()
        connection.queued = queue.qsize
        return await connection.run(next_chunk)

    try:
        return _run(main)
    finally:
        writer.close()


def serve_stream(
    server: Any, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> Awaitable[int]:
    """Serve one client over asyncio streams (TCP). asyncio's writes never block; its buffer
    is held to `MAX_UNREAD` as the pipe writer's queue is."""
    connection = Connection(server)
    server.connection = connection

    class _Sink:
        def write(self, data: bytes) -> None:
            connection.wrote()
            if writer.is_closing():
                connection.stop(EXIT_UNCLEAN)
                return
            unread = writer.transport.get_write_buffer_size()
            if unread + len(data) > MAX_UNREAD:
                log.error("the client has left %d bytes of our output unread; stopping", unread)
                connection.stop(EXIT_UNCLEAN)
                writer.transport.abort()
                return
            writer.write(data)

        def close(self) -> None:
            writer.close()

    server.protocol.set_writer(_Sink())
    connection.output_pending = lambda: writer.transport.get_write_buffer_size() > 0

    async def next_chunk() -> bytes:
        try:
            return await reader.read(READ_CHUNK)
        except (ConnectionError, OSError):
            return b""

    return connection.run(next_chunk)


def serve_tcp(server: Any, host: str, port: int) -> int:
    """Serve the first client to connect over TCP until it ends; return the exit code.

    One process is one session (as over stdio): once a client is connected the server stops
    listening, so others are refused, and one that got in at the same moment is closed unread.
    """

    async def main() -> int:
        finished: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        tcp: asyncio.Server | None = None
        busy = False

        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal busy
            if busy:
                log.warning(
                    "refused a client from %s: serving one already",
                    writer.get_extra_info("peername"),
                )
                writer.transport.abort()
                return
            busy = True
            if tcp is not None:
                tcp.close()  # stop listening
            code = await serve_stream(server, reader, writer)
            writer.close()
            with contextlib.suppress(Exception):  # unread output is dropped after a moment
                await asyncio.wait_for(writer.wait_closed(), DRAIN_PATIENCE)
            if not finished.done():
                finished.set_result(code)

        tcp = await asyncio.start_server(on_connect, host, port)
        if busy:
            tcp.close()
        log.info("serving on %s:%s", host, port)
        async with tcp:
            return await finished

    return _run(main)


def _run(main: Callable[[], Awaitable[int]]) -> int:
    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        return EXIT_UNCLEAN
