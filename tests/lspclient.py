"""The one raw-bytes LSP client of the test suite and the benchmark.

It writes whatever bytes it is given (so tests can send what a well-behaved client never would)
and reads the server's output strictly on a thread of its own: a malformed frame from the server
is an error, never skipped. Messages are kept in arrival order and responses are filed by id, each
with the `time.perf_counter()` of its arrival and its body's size (what the benchmark measures).
Every wait has a timeout, so a hung server fails a test instead of hanging it; the end of the
server's output ends every wait at once.

    client = LspClient.spawn()            # python -m transformers_glossary_ls over pipes
    client.initialize()
    client.open("file:///t.py", "model(attention_mask=m)\\n")
    client.hover("file:///t.py", 0, 8)    # the response message
    client.stop()

`LspClient(reader, writer)` talks over any pair of byte streams (a TCP socket's files, pipes to a
server running in this process).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

SERVER = [sys.executable, "-m", "transformers_glossary_ls"]
TIMEOUT = 10.0  # a hang guard for one answer, not a speed requirement
# The answer to `initialize` also waits for the interpreter to start and import: on a busy
# machine, with several servers starting at once, that alone has taken over 10 s.
STARTUP_TIMEOUT = 30.0


class ServerOutputError(AssertionError):
    """The server wrote something that is not a well-formed LSP message."""


class ServerClosed(ConnectionError):
    """The server's output ended before the awaited message arrived."""


def encode(payload: Any, *, compact: bool = False) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if compact:  # UTF-8 as is, no spaces: what editors send
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return json.dumps(payload).encode("utf-8")


def frame(
    payload: Any, *, length: int | None = None, extra_headers: bytes = b"", compact: bool = False
) -> bytes:
    """One message with its header; `length` declares a wrong Content-Length on purpose."""
    body = encode(payload, compact=compact)
    n = len(body) if length is None else length
    return b"Content-Length: %d\r\n" % n + extra_headers + b"\r\n" + body


def request_message(msg_id: Any, method: str, params: Any = None) -> dict:
    message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def hover_params(uri: str, line: Any, character: Any) -> dict:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def read_messages(stream: BinaryIO) -> Iterator[tuple[dict, int, float]]:
    """The messages on `stream` with their body sizes and the `time.perf_counter()` at which
    each body's last byte was read (before its JSON was parsed), read strictly: anything but
    well-formed frames of JSON-RPC 2.0 messages (a response with exactly one of result and
    error), or an end inside a message, raises ServerOutputError."""
    while True:
        headers = {}
        while True:
            line = stream.readline()
            if not line:
                if headers:
                    raise ServerOutputError(f"output ended inside a header: {headers}")
                return
            if not line.endswith(b"\r\n"):
                raise ServerOutputError(f"header line without CRLF: {line!r}")
            if line == b"\r\n":
                break
            name, sep, value = line.decode("ascii").partition(":")
            if not sep:
                raise ServerOutputError(f"malformed header from server: {line!r}")
            headers[name.strip().lower()] = value.strip()
        if "content-length" not in headers:
            raise ServerOutputError(f"header block without Content-Length: {headers}")
        length = int(headers["content-length"])
        body = stream.read(length)
        received = time.perf_counter()
        if len(body) != length:
            raise ServerOutputError(f"output ended inside a message ({len(body)} of {length})")
        message = json.loads(body)  # raises on a malformed body
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            raise ServerOutputError(f"not a JSON-RPC message: {body[:200]!r}")
        if "method" not in message and ("result" in message) == ("error" in message):
            raise ServerOutputError(f"response needs result xor error: {message}")
        yield message, length, received


class LspClient:
    def __init__(
        self,
        reader: BinaryIO,
        writer: BinaryIO,
        *,
        proc: subprocess.Popen | None = None,
        stderr_path: Path | None = None,
        on_request: Callable[[dict], Any] | None = None,
        compact: bool = False,
        first_id: int = 1001,
    ) -> None:
        """`on_request(message)` answers requests from the server (its return value is the
        result); without it they are recorded and left unanswered. `compact` sends the messages
        built here as UTF-8 without spaces; request ids count up from `first_id`."""
        self.proc = proc
        self._reader, self._writer = reader, writer
        self._stderr_path = stderr_path
        self._on_request = on_request
        self.compact = compact
        self.messages: list[dict] = []  # everything the server sent, in order
        self._responses: dict[Any, list[dict]] = {}
        self._arrivals: dict[Any, tuple[float, int]] = {}  # id -> (perf_counter, body bytes)
        self._received: dict[Any, float] = {}  # id -> perf_counter at its body's last byte
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self.output_error: str | None = None
        self.closed = False  # the server's output has ended (and everything in it was read)
        self._stderr: list[bytes] = []
        self._stderr_ended = proc is None or proc.stderr is None
        self._next_id = first_id - 1
        self._stderr_thread: threading.Thread | None = None
        threading.Thread(target=self._read_output, daemon=True).start()
        if proc is not None and proc.stderr is not None:
            self._stderr_thread = threading.Thread(target=self._read_stderr, daemon=True)
            self._stderr_thread.start()

    @classmethod
    def spawn(
        cls,
        args: list[str] | None = None,
        *,
        command: list[str] | None = None,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
        stderr_path: Path | None = None,
        **kw: Any,
    ) -> LspClient:
        """Start `command` (our server by default) plus `args` with pipes. `env` is the whole
        environment (default: this process's); `stderr_path` sends stderr to a file."""
        err = open(stderr_path, "wb") if stderr_path is not None else subprocess.PIPE  # noqa: SIM115
        try:
            proc = subprocess.Popen(
                (command or SERVER) + (args or []),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=cwd,
                env=env,
            )
        finally:
            if stderr_path is not None:
                err.close()
        assert proc.stdout is not None and proc.stdin is not None
        return cls(proc.stdout, proc.stdin, proc=proc, stderr_path=stderr_path, **kw)

    @classmethod
    def connect(cls, host: str, port: int, timeout: float = TIMEOUT, **kw: Any) -> LspClient:
        """Connect to a server listening on TCP, retrying until `timeout` (it may be starting)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                conn = socket.create_connection((host, port), timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        conn.settimeout(None)
        client = cls(conn.makefile("rb"), conn.makefile("wb"), **kw)
        client._socket = conn
        return client

    @staticmethod
    def command() -> list[str]:
        return list(SERVER)

    # -- reading -----------------------------------------------------------------------------
    def _read_output(self) -> None:
        try:
            for message, length, received in read_messages(self._reader):
                arrived = time.perf_counter()
                with self._cond:
                    self.messages.append(message)
                    if "method" not in message:
                        msg_id = message.get("id")
                        self._responses.setdefault(msg_id, []).append(message)
                        self._arrivals.setdefault(msg_id, (arrived, length))
                        self._received.setdefault(msg_id, received)
                    self._cond.notify_all()
                if "method" in message and "id" in message and self._on_request is not None:
                    result = self._on_request(message)
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        except Exception as exc:  # noqa: BLE001
            with self._cond:
                self.output_error = repr(exc)
        finally:
            with self._cond:
                self.closed = True
                self._cond.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for line in iter(self.proc.stderr.readline, b""):
            with self._cond:
                self._stderr.append(line)
                self._cond.notify_all()
        with self._cond:
            self._stderr_ended = True
            self._cond.notify_all()

    @property
    def stderr(self) -> str:
        if self._stderr_path is not None:
            try:
                return Path(self._stderr_path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                return ""
        return b"".join(self._stderr).decode("utf-8", "replace")

    # -- writing -----------------------------------------------------------------------------
    def send_bytes(self, data: bytes) -> None:
        with self._write_lock:
            self._writer.write(data)
            self._writer.flush()

    def send(self, payload: Any, **kw: Any) -> None:
        self.send_bytes(frame(payload, compact=self.compact, **kw))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request_frame(self, method: str, params: Any = None) -> tuple[int, bytes]:
        """A new request as bytes, not sent: (its id, its frame)."""
        msg_id = self.new_id()
        return msg_id, frame(request_message(msg_id, method, params), compact=self.compact)

    def request(self, method: str, params: Any = None, msg_id: Any = None) -> Any:
        msg_id = self.new_id() if msg_id is None else msg_id
        self.send(request_message(msg_id, method, params))
        return msg_id

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def close_stdin(self) -> None:
        self._writer.close()

    # -- waiting -----------------------------------------------------------------------------
    def _wait(self, found: Callable[[], Any], what: str, timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = found()
                if value is not None:
                    return value
                if self.output_error:
                    raise ServerOutputError(self.output_error)
                if self.closed:
                    raise ServerClosed(f"output ended with {what}; stderr:\n{self.stderr[-3000:]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{what} within {timeout} s; stderr:\n{self.stderr[-3000:]}")
                self._cond.wait(left)

    def response(self, msg_id: Any, timeout: float = TIMEOUT) -> dict:
        answers = self._wait(
            lambda: self._responses.get(msg_id), f"no response to {msg_id!r}", timeout
        )
        return answers[0]

    def responses_for(self, msg_id: Any) -> list[dict]:
        with self._cond:
            return list(self._responses.get(msg_id, []))

    def arrival(self, msg_id: Any) -> tuple[float, int]:
        """(time.perf_counter() when the first response to `msg_id` arrived, its body's bytes)."""
        with self._cond:
            return self._arrivals[msg_id]

    def received(self, msg_id: Any) -> float:
        """time.perf_counter() when the last byte of the first response to `msg_id` was read,
        before its JSON was parsed (`arrival` is after)."""
        with self._cond:
            return self._received[msg_id]

    def call(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict:
        return self.response(self.request(method, params), timeout)

    def timed(
        self, data: bytes, msg_id: Any, timeout: float = TIMEOUT
    ) -> tuple[dict, float, float]:
        """Write `data` (which sends request `msg_id`) and wait for the response:
        (response, perf_counter just before the write, perf_counter at the response's arrival)."""
        sent = time.perf_counter()
        self.send_bytes(data)
        answer = self.response(msg_id, timeout)
        return answer, sent, self.arrival(msg_id)[0]

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = TIMEOUT) -> dict:
        def first() -> dict | None:
            return next((m for m in self.messages if predicate(m)), None)

        return self._wait(first, "no matching message", timeout)

    def wait_stderr(self, predicate: Callable[[str], bool], timeout: float = TIMEOUT) -> str:
        """Until the server's stderr so far satisfies `predicate`; returns it. Fails as soon as
        stderr has ended without matching."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = b"".join(self._stderr).decode("utf-8", "replace")
                if predicate(text):
                    return text
                if self._stderr_ended:
                    raise AssertionError(f"stderr ended without a match:\n{text[-3000:]}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"stderr did not match within {timeout} s:\n{text[-3000:]}")
                self._cond.wait(left)

    def wait_closed(self, timeout: float = TIMEOUT) -> None:
        """Until the server's output has ended and all of it was read: nothing more can come."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"the server's output did not end within {timeout} s")
                self._cond.wait(left)
        if self.output_error:
            raise ServerOutputError(self.output_error)

    def counts(self, *, requests: bool = False) -> Counter:
        """How many notifications (or, with `requests`, requests) of each method arrived."""
        with self._cond:
            return Counter(
                m["method"] for m in self.messages if "method" in m and ("id" in m) == requests
            )

    def forget(self) -> None:
        """Drop what was received so far (long runs)."""
        with self._cond:
            self.messages.clear()
            self._responses.clear()
            self._arrivals.clear()
            self._received.clear()
            del self._stderr[:-200]

    def wait_exit(self, timeout: float = TIMEOUT) -> int | None:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    # -- conveniences --------------------------------------------------------------------------
    def initialize(self, capabilities: dict | None = None, **params: Any) -> dict:
        result = self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": capabilities or {},
                **params,
            },
            STARTUP_TIMEOUT,
        )
        assert "result" in result, result
        self.notify("initialized", {})
        return result

    def open(self, uri: str, text: str, language: str = "python", version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": language,
                    "version": version,
                    "text": text,
                }
            },
        )

    def hover(self, uri: str, line: int, character: int, timeout: float = TIMEOUT) -> dict:
        return self.call("textDocument/hover", hover_params(uri, line, character), timeout)

    def check_alive(self) -> None:
        """A normal hover still works: the server is up and in step."""
        uri = "file:///tmp/alive-check.py"
        self.open(uri, "model(attention_mask=m)\n")
        answer = self.hover(uri, 0, 10)
        assert answer.get("result"), answer
        assert "attention_mask" in answer["result"]["contents"]["value"]

    def shutdown(self, timeout: float = TIMEOUT) -> int | None:
        """shutdown, exit, and the exit code (None if the process did not end); never raises."""
        try:
            self.call("shutdown", None, timeout)
            self.notify("exit")
        except (TimeoutError, ConnectionError, ServerOutputError, ValueError, OSError):
            pass
        if self.proc is None:
            return None
        return self.wait_exit(timeout)

    def stop(self) -> None:
        """Kill the server if it still runs, read the rest of its stderr, close every stream."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self._stderr_thread is not None:
            self._stderr_thread.join(5)
        streams = [self._writer, self._reader]
        if self.proc is not None:
            streams.append(self.proc.stderr)
        for stream in streams:
            try:
                if stream:
                    stream.close()
            except (OSError, ValueError):
                pass
        sock = getattr(self, "_socket", None)
        if sock is not None:
            sock.close()
