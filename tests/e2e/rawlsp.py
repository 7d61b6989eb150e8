"""A raw-bytes LSP client for robustness tests: it can send what pytest-lsp never would.

The server runs as `python -m transformers_glossary_ls` with pipes; a reader thread parses its
stdout strictly (a malformed frame from the server fails the test) and files messages by id.
Every wait has a timeout, so a hung server fails a test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from typing import Any

SERVER = [sys.executable, "-m", "transformers_glossary_ls"]
TIMEOUT = 10.0


class ServerOutputError(AssertionError):
    pass


def frame(payload: Any, *, length: int | None = None, extra_headers: bytes = b"") -> bytes:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
    n = len(body) if length is None else length
    return b"Content-Length: %d\r\n" % n + extra_headers + b"\r\n" + body


class RawServer:
    def __init__(self, args: list[str] | None = None, env: dict | None = None) -> None:
        self.proc = subprocess.Popen(
            SERVER + (args or []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.messages: list[dict] = []  # everything the server sent, in order
        self._inbox: queue.Queue[dict | None] = queue.Queue()
        self._responses: dict[Any, list[dict]] = {}
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self.output_error: str | None = None
        self._stderr: list[bytes] = []
        self._next_id = 1000
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    @staticmethod
    def command() -> list[str]:
        return list(SERVER)

    # -- reading -----------------------------------------------------------------------------
    def _read_stdout(self) -> None:
        out = self.proc.stdout
        assert out is not None
        try:
            while True:
                headers = {}
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if not line.endswith(b"\r\n"):
                        raise ServerOutputError(f"header line without CRLF: {line!r}")
                    if line == b"\r\n":
                        break
                    name, sep, value = line.decode("ascii").partition(":")
                    if not sep:
                        raise ServerOutputError(f"malformed header from server: {line!r}")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers["content-length"])
                body = out.read(length)
                if len(body) != length:
                    return
                message = json.loads(body)  # raises on a malformed body
                if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
                    raise ServerOutputError(f"not a JSON-RPC message: {body[:200]!r}")
                with self._cond:
                    self.messages.append(message)
                    if "method" not in message:
                        if ("result" in message) == ("error" in message):
                            raise ServerOutputError(f"response needs result xor error: {message}")
                        self._responses.setdefault(message.get("id"), []).append(message)
                    self._cond.notify_all()
        except Exception as exc:  # noqa: BLE001
            with self._cond:
                self.output_error = repr(exc)
                self._cond.notify_all()

    def _read_stderr(self) -> None:
        err = self.proc.stderr
        assert err is not None
        for line in iter(err.readline, b""):
            self._stderr.append(line)

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    # -- writing -----------------------------------------------------------------------------
    def send_bytes(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, payload: Any, **kw) -> None:
        self.send_bytes(frame(payload, **kw))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: Any = None, msg_id: Any = None) -> Any:
        msg_id = self.new_id() if msg_id is None else msg_id
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return msg_id

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()

    # -- waiting -----------------------------------------------------------------------------
    def response(self, msg_id: Any, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._responses:
                self._check()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no response to {msg_id!r}; stderr:\n{self.stderr[-3000:]}")
                self._cond.wait(left)
            return self._responses[msg_id][0]

    def responses_for(self, msg_id: Any) -> list[dict]:
        with self._cond:
            return list(self._responses.get(msg_id, []))

    def call(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict:
        return self.response(self.request(method, params), timeout)

    def wait_for(self, predicate, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                self._check()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching message; stderr:\n{self.stderr[-3000:]}")
                self._cond.wait(left)

    def forget(self) -> None:
        """Drop what was received so far (long runs)."""
        with self._cond:
            self.messages.clear()
            self._responses.clear()
            del self._stderr[:-200]

    def _check(self) -> None:
        if self.output_error:
            raise ServerOutputError(self.output_error)

    def wait_exit(self, timeout: float = TIMEOUT) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    # -- conveniences --------------------------------------------------------------------------
    def initialize(self, capabilities: dict | None = None, **params) -> dict:
        result = self.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": capabilities or {},
                **params,
            },
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

    def hover(self, uri: str, line: int, character: int) -> dict:
        return self.call("textDocument/hover", hover_params(uri, line, character))

    def check_alive(self) -> None:
        """A normal hover still works: the server is up and in step."""
        uri = "file:///tmp/alive-check.py"
        self.open(uri, "model(attention_mask=m)\n")
        answer = self.hover(uri, 0, 10)
        assert answer.get("result"), answer
        assert "attention_mask" in answer["result"]["contents"]["value"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass


def hover_params(uri: str, line: Any, character: Any) -> dict:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
