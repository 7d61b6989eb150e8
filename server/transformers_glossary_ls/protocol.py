"""pygls's protocol, made strict about its input and exact about its answers.

Two changes from `LanguageServerProtocol`:

- Our document store replaces pygls's: its built-in didOpen/didChange/didClose handlers (for
  text documents and for notebooks) keep every document as one string and rebuild it on each
  change; ours only forward to our handlers, which keep documents as blocks of lines
  (`documents.py`) and a notebook's cells in order (`notebooks.py`).
- Messages arrive through `receive` (called by `transport.py` with raw bodies) instead of pygls's
  reader, so that every request gets exactly one well-formed response with the spec's error code:
  -32700 for malformed JSON (id null), -32600 for an invalid message, a request after `shutdown`
  or a second `initialize`, -32002 before `initialize`, -32601 for an unknown method, -32602 for
  params that do not fit the method (answered with the request's id, which pygls's
  `structure_message` does not know), -32800 for a request cancelled before it ran and -32603
  for an exception in a handler. Notifications that cannot be handled are logged and dropped.
  `exit` ends the read loop with 0 after `shutdown` and 1 otherwise.

Text we echo back (a method name in an error) or show the user (`window/showMessage`) is cut to
`MAX_SHOWN` characters. Which pygls members this relies on, and why: docs/design.md ("Coupling
to pygls"), each checked by tests/unit/test_pygls_coupling.py.
"""

from __future__ import annotations

import asyncio
import enum
import inspect
import json
import logging
import sys
from typing import Any

import attrs
import cattrs
from lsprotocol import types
from pygls.exceptions import FeatureNotificationError, FeatureRequestError, JsonRpcInternalError
from pygls.protocol import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
    LanguageServerProtocol,
    default_converter,
    lsp_method,
)

try:
    import orjson
except ImportError:  # a platform it has no wheel for: the standard library's decoder
    orjson = None

log = logging.getLogger(__name__)
_wire_log = logging.getLogger("pygls.protocol.json_rpc")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002
REQUEST_CANCELLED = -32800

_NEVER_SKIPPED = {types.INITIALIZE, types.SHUTDOWN}
MAX_SHOWN = 1_000  # characters of an error message or a message to the user
MAX_NAME = 200  # characters of a method name quoted in a message


def clip(text: str, limit: int = MAX_SHOWN) -> str:
    """`text`, cut to `limit` characters with a note of how long it was."""
    if len(text) <= limit:
        return text
    note = f"… ({len(text):,} characters)"
    return text[: limit - len(note)] + note


_scan = json.JSONDecoder().scan_once  # what `json.loads` runs, configured as it is
# Bodies this long (a document's text) are decoded by orjson; a keystroke or a request (a few
# hundred bytes) by `json`'s own scanner, as fast there with no check after it.
ORJSON_FROM = 64 * 1024


def decode_json(body: bytes) -> Any:
    """`json.loads(body)`: the same value, or the same exception. A long body (a document's
    text) is read by orjson where it is installed: a 7 MB didOpen in 15 ms, not 34. What orjson
    refuses and `json.loads` may take (a lone surrogate, NaN, another encoding) goes the
    standard way, and so does a value with a number past 64 bits, which orjson reads as a float
    where `json` keeps the integer. A body as clients write it (UTF-8, an object from its first
    byte to its last) is scanned directly, without the encoding detection and the whitespace
    matching around the scan (~40% of a keystroke's decoding); else `json.loads` itself."""
    if orjson is not None and len(body) >= ORJSON_FROM:
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
        else:
            if not _past_64_bits(value):
                return value
    if body[:2] == b'{"' and body[-1:] == b"}":  # `json.detect_encoding`: UTF-8, without a BOM
        try:
            text = body.decode("utf-8", "surrogatepass")
            value, end = _scan(text, 0)
        except Exception:  # noqa: BLE001 - `json.loads` says what is wrong, below
            pass
        else:
            if end == len(text):
                return value
    return json.loads(body)


def _past_64_bits(value: Any) -> bool:
    """Whether a decoded value holds a float as large as an integer past 64 bits: one orjson
    may have read from an integer (a few keys and one long string for a document)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is float and abs(item) >= _INT64:
            return True
    return False


_INT64 = float(2**63)


def valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def strict_converter() -> cattrs.Converter:
    """pygls's converter, minus silent coercions: `"uri": 42` or `"line": 1.5` is invalid params,
    not the string "42" or line 1."""
    converter = default_converter()

    def exact(kind: type, accepts: tuple[type, ...], rejects: tuple[type, ...] = ()):
        def structure(value: Any, type_: Any) -> Any:
            if isinstance(value, accepts) and not isinstance(value, rejects):
                # Subclasses (IntEnum, str enums) are built as cattrs would: `type_(value)`.
                return value if type_ is kind else type_(value)
            raise TypeError(f"expected {type_.__name__}, got {type(value).__name__}")

        converter.register_structure_hook(kind, structure)

    exact(str, (str,))
    exact(int, (int,), (bool,))
    exact(bool, (bool,))
    exact(float, (int, float), (bool,))
    # `Json` is written as it is when it is a whole result or params (`_send_data`); anywhere
    # else it is read back, so that it still goes out as the JSON it holds.
    converter.register_unstructure_hook(Json, lambda value: json.loads(value.text))
    return converter


_MESSAGE_PARAMS = (types.LogMessageParams, types.ShowMessageParams)


# The keys of a keystroke's params, as sets a dict's keys compare with, made once.
_PARAMS_KEYS = frozenset(("textDocument", "contentChanges"))
_DOCUMENT_KEYS = frozenset(("uri", "version"))
_WHOLE_KEYS = frozenset(("text",))
_CHANGE_KEYS = frozenset(("range", "text"))
_CHANGE_KEYS_LENGTH = frozenset(("range", "text", "rangeLength"))
_RANGE_KEYS = frozenset(("start", "end"))
_POSITION_KEYS = frozenset(("line", "character"))
# A hover's and a completion's (with a context, or without).
_IDENTIFIER_KEYS = frozenset(("uri",))
_AT_KEYS = frozenset(("textDocument", "position"))
_AT_CONTEXT_KEYS = frozenset(("textDocument", "position", "context"))
_TRIGGER_KEYS = frozenset(("triggerKind",))
_TRIGGER_CHARACTER_KEYS = frozenset(("triggerKind", "triggerCharacter"))


def _position(raw: Any) -> types.Position | None:
    if type(raw) is not dict or raw.keys() != _POSITION_KEYS:
        return None
    line, character = raw["line"], raw["character"]
    if type(line) is not int or type(character) is not int:
        return None
    return types.Position(line, character)


def _content_change(raw: Any):
    if type(raw) is not dict or type(raw.get("text")) is not str:
        return None
    keys = raw.keys()
    if keys == _WHOLE_KEYS:
        return types.TextDocumentContentChangeWholeDocument(text=raw["text"])
    if keys != _CHANGE_KEYS and keys != _CHANGE_KEYS_LENGTH:
        return None
    length = raw.get("rangeLength")
    span = raw["range"]
    if (length is not None and type(length) is not int) or type(span) is not dict:
        return None
    if span.keys() != _RANGE_KEYS:
        return None
    start = _position(span["start"])
    if start is None:
        return None
    end = span["end"]
    if (
        type(end) is dict
        and end == span["start"]
        and type(end["line"]) is int
        and type(end["character"]) is int
    ):
        end = start  # an insertion's range is one point: one (immutable) Position serves
    elif (end := _position(end)) is None:
        return None
    return types.TextDocumentContentChangePartial(types.Range(start, end), raw["text"], length)


def did_change_params(raw: Any) -> types.DidChangeTextDocumentParams | None:
    """`textDocument/didChange` params built directly, as the converter builds them, when
    they have exactly the usual shape (an editor's keystroke); None for anything else (extra
    or missing keys, other types, values out of range), which the converter then judges."""
    try:
        if type(raw) is not dict or raw.keys() != _PARAMS_KEYS:
            return None
        document, changes = raw["textDocument"], raw["contentChanges"]
        if type(document) is not dict or document.keys() != _DOCUMENT_KEYS:
            return None
        uri, version = document["uri"], document["version"]
        if type(uri) is not str or type(version) is not int or type(changes) is not list:
            return None
        built = []
        for change in changes:
            change = _content_change(change)
            if change is None:
                return None
            built.append(change)
        return types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri), tuple(built)
        )
    except ValueError:  # a value out of LSP's range (the classes' validators)
        return None


def _text_document_position(raw: Any) -> tuple[types.TextDocumentIdentifier, types.Position]:
    """The `textDocument` and `position` of a request's params, or ValueError."""
    document = raw["textDocument"]
    if (
        type(document) is not dict
        or document.keys() != _IDENTIFIER_KEYS
        or type(document["uri"]) is not str
    ):
        raise ValueError("not the usual textDocument")
    position = _position(raw["position"])
    if position is None:
        raise ValueError("not the usual position")
    return types.TextDocumentIdentifier(uri=document["uri"]), position


def hover_params(raw: Any) -> types.HoverParams | None:
    """`textDocument/hover` params built directly, as the converter builds them, when they have
    exactly the usual shape; None for anything else, which the converter then judges."""
    try:
        if type(raw) is not dict or raw.keys() != _AT_KEYS:
            return None
        document, position = _text_document_position(raw)
        return types.HoverParams(text_document=document, position=position)
    except ValueError:  # an unusual shape, or a value out of LSP's range
        return None


_TRIGGER_KINDS = {kind.value: kind for kind in types.CompletionTriggerKind}


def completion_params(raw: Any) -> types.CompletionParams | None:
    """`textDocument/completion` params built directly, as `hover_params` does: a position and
    an optional context of a trigger kind and, maybe, its character."""
    try:
        if type(raw) is not dict or (keys := raw.keys()) != _AT_KEYS and keys != _AT_CONTEXT_KEYS:
            return None
        document, position = _text_document_position(raw)
        context = None
        if "context" in raw:
            given = raw["context"]
            if type(given) is not dict or (
                given.keys() != _TRIGGER_KEYS and given.keys() != _TRIGGER_CHARACTER_KEYS
            ):
                return None
            kind = given["triggerKind"]
            character = given.get("triggerCharacter")
            if type(kind) is not int or kind not in _TRIGGER_KINDS:
                return None
            if character is not None and type(character) is not str:
                return None
            context = types.CompletionContext(
                trigger_kind=_TRIGGER_KINDS[kind], trigger_character=character
            )
        return types.CompletionParams(text_document=document, position=position, context=context)
    except ValueError:
        return None


# Requests answered on every keystroke or mouse rest, built directly (see `_answer_directly`).
_DIRECT_REQUESTS = {
    types.TEXT_DOCUMENT_HOVER: hover_params,
    types.TEXT_DOCUMENT_COMPLETION: completion_params,
}
_REQUEST_KEYS = frozenset(("jsonrpc", "id", "method", "params"))


def describe_structure_error(exc: BaseException) -> str:
    """A short, path-qualified account of why params did not fit their type."""
    if isinstance(exc, cattrs.BaseValidationError):
        try:
            problems = cattrs.transform_error(exc)
        except Exception:  # noqa: BLE001 - describing must never fail
            problems = [str(exc)]
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return "; ".join(problems[:3]) + more
    return f"{type(exc).__name__}: {exc}"


@attrs.frozen
class Json:
    """A response's result or a notification's params written as JSON already (a diagnostics
    report, whose findings each keep their JSON: see `render.DiagnosticsJson`): `_send_data`
    writes the text as it is, without cattrs or `json.dumps`."""

    text: str


class GlossaryProtocol(LanguageServerProtocol):
    def __init__(self, server, converter) -> None:
        # Our own references and state, rather than pygls's private `_server`, `_converter`
        # and `_shutdown`; set first, as pygls's constructor reads every attribute.
        self.owner = server
        self.converter = converter
        self._initialized = False
        self._shut_down = False
        self._exiting = False
        self._answering: Any = None  # id of the request being dispatched
        self._answered = False
        # Keystrokes read in this batch, not yet handed to their handler (`_typing`).
        self._typed: list[types.DidChangeTextDocumentParams] = []
        self._typed_to: Any = None
        super().__init__(server, converter)

    @property
    def shut_down(self) -> bool:
        return self._shut_down

    # -- document sync: ours, not pygls's ---------------------------------------------------
    def _forward(self, method: str, params):
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._forward(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._forward(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._forward(types.TEXT_DOCUMENT_DID_CLOSE, params)

    # Notebook cells too: pygls would keep them in its workspace, which nothing here reads.
    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def lsp_notebook_document__did_open(self, params: types.DidOpenNotebookDocumentParams):
        yield from self._forward(types.NOTEBOOK_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def lsp_notebook_document__did_change(self, params: types.DidChangeNotebookDocumentParams):
        yield from self._forward(types.NOTEBOOK_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def lsp_notebook_document__did_close(self, params: types.DidCloseNotebookDocumentParams):
        yield from self._forward(types.NOTEBOOK_DOCUMENT_DID_CLOSE, params)

    # -- lifecycle ----------------------------------------------------------------------------
    @lsp_method(types.EXIT)
    def lsp_exit(self, *args):
        """End the read loop: 0 after `shutdown`, 1 without (pygls's own exit loses the code)."""
        if (user_handler := self.fm.features.get(types.EXIT)) is not None:
            yield user_handler, args, None
        code = 0 if self._shut_down else 1
        self._exiting = True
        log.info("exit (code %d)", code)
        connection = getattr(self.owner, "connection", None)
        if connection is None:
            raise SystemExit(code)
        connection.stop(code)

    # -- receiving ----------------------------------------------------------------------------
    def receive(self, bodies: list[bytes]) -> None:
        """Handle the message bodies read in one go, in order.

        A request followed in the same batch by a `$/cancelRequest` for its id is answered
        "cancelled" without being run: the client has stopped waiting for it.
        """
        messages = [self._decode(body) for body in bodies]
        last_cancel: dict[Any, int] = {}
        for index, data in enumerate(messages):
            if data is not None and data.get("method") == types.CANCEL_REQUEST and "id" not in data:
                params = data.get("params")
                if isinstance(params, dict) and valid_id(params.get("id")):
                    last_cancel[(type(params["id"]), params["id"])] = index
        for index, data in enumerate(messages):
            if self._exiting:
                if data is not None:
                    log.info("ignoring a message after exit")
                continue
            if data is None:
                continue
            msg_id = data.get("id")
            cancelled = (
                "method" in data
                and valid_id(msg_id)
                and last_cancel.get((type(msg_id), msg_id), -1) > index
            )
            try:
                self.dispatch(data, cancelled)
            except Exception:  # noqa: BLE001 - the read loop must go on
                log.exception("failed to handle a message")
        self._hand_over_typed()

    def _decode(self, body: bytes) -> dict | None:
        try:
            data = decode_json(body)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            log.warning("malformed message (%d bytes, %s): %r", len(body), exc, body[:80])
            self.send_error(None, PARSE_ERROR, f"Parse error: {exc}")
            return None
        if not isinstance(data, dict):
            log.warning("message is not a JSON object: %r", body[:80])
            self.send_error(
                None, INVALID_REQUEST, "Invalid request: a message must be a JSON object"
            )
            return None
        return data

    def dispatch(self, data: dict, cancelled: bool = False) -> None:
        """Validate one decoded message and hand it to pygls's handling."""
        has_id = "id" in data
        if self._typed and (has_id or data.get("method") != types.TEXT_DOCUMENT_DID_CHANGE):
            self._hand_over_typed()  # anything else sees the document as typed so far
        msg_id = data.get("id")
        method = data.get("method")
        if data.get("jsonrpc") != self.VERSION:
            log.warning("message without jsonrpc 2.0: %.200r", data)
            if has_id and "method" in data:
                self.send_error(
                    msg_id if valid_id(msg_id) else None,
                    INVALID_REQUEST,
                    'Invalid request: "jsonrpc" must be "2.0"',
                )
            return
        if "method" not in data:
            self._response(data)
            return
        if not isinstance(method, str):
            log.warning("message with a non-string method: %.200r", data)
            if has_id:
                self.send_error(
                    msg_id if valid_id(msg_id) else None,
                    INVALID_REQUEST,
                    'Invalid request: "method" must be a string',
                )
            return
        log.debug("received %.200s%s", method, f" (id {msg_id!r:.100})" if has_id else "")
        if has_id:
            if not valid_id(msg_id):
                log.warning("request %.200s with an invalid id %.40r", method, msg_id)
                self.send_error(
                    None, INVALID_REQUEST, "Invalid request: id must be an integer or a string"
                )
                return
            self._request(msg_id, method, data, cancelled)
        else:
            self._notification(method, data)

    def _request(self, msg_id, method: str, data: dict, cancelled: bool) -> None:
        name = clip(method, MAX_NAME)  # the method as quoted in messages
        if self._shut_down:
            log.info("request %s (id %.100r) after shutdown", name, msg_id)
            self.send_error(
                msg_id,
                INVALID_REQUEST,
                f"Invalid request: {name} after shutdown; only exit is accepted",
            )
            return
        if method == types.INITIALIZE:
            if self._initialized:
                log.warning("a second initialize (id %.100r)", msg_id)
                self.send_error(
                    msg_id, INVALID_REQUEST, "Invalid request: the server is already initialized"
                )
                return
        elif not self._initialized:
            log.info("request %s (id %.100r) before initialize", name, msg_id)
            self.send_error(
                msg_id,
                SERVER_NOT_INITIALIZED,
                f"Server not initialized: {name} before initialize",
            )
            return
        if cancelled and method not in _NEVER_SKIPPED:
            log.debug("request %.100r cancelled before it ran", msg_id)
            self.send_error(msg_id, REQUEST_CANCELLED, f"Request {msg_id!r} was cancelled")
            return
        direct = _DIRECT_REQUESTS.get(method)
        if direct is not None and data.keys() <= _REQUEST_KEYS:
            handler = self.fm.features.get(method)
            params = direct(data.get("params")) if handler is not None else None
            if params is not None:
                self._answer_directly(msg_id, handler, params)
                return
        if (self.fm.builtin_features.get(method) or self.fm.features.get(method)) is None:
            log.info("unknown request %s (id %.100r)", name, msg_id)
            self.send_error(msg_id, METHOD_NOT_FOUND, f"Method not found: {name}")
            return
        message_type = self.get_message_type(method)
        if message_type is not None and "id" not in attrs.fields_dict(message_type):
            log.info("notification %s sent as a request (id %.100r)", name, msg_id)
            self.send_error(
                msg_id,
                INVALID_REQUEST,
                f"Invalid request: {name} is a notification, not a request",
            )
            return
        try:
            message = self.converter.structure(data, message_type or JsonRPCRequestMessage)
        except Exception as exc:  # noqa: BLE001 - any failure here is the params' fault
            detail = describe_structure_error(exc)
            log.warning("invalid params for %s (id %.100r): %s", name, msg_id, detail)
            self.send_error(msg_id, INVALID_PARAMS, f"Invalid params for {name}: {detail}")
            return
        if method == types.INITIALIZE:
            self._initialized = True
        self._answering, self._answered = msg_id, False
        try:
            self.handle_message(message)
        except Exception:  # noqa: BLE001
            log.exception("failed to handle request %s (id %.100r)", name, msg_id)
            if not self._answered and msg_id not in self._request_futures:
                self.send_error(msg_id, INTERNAL_ERROR, f"Internal error handling {name}")
        finally:
            self._answering = None
        if method == types.SHUTDOWN:
            self._shut_down = True

    def _notification(self, method: str, data: dict) -> None:
        name = clip(method, MAX_NAME)
        if method != types.EXIT:
            if not self._initialized:
                log.info("dropping notification %s before initialize", name)
                return
            if self._shut_down:
                log.info("dropping notification %s after shutdown", name)
                return
        if method == types.EXIT:  # whatever its params: the client wants us gone
            self.handle_message(
                JsonRPCNotification(method=types.EXIT, jsonrpc=self.VERSION, params=None)
            )
            return
        if method == types.CANCEL_REQUEST:
            params = data.get("params")
            target = params.get("id") if isinstance(params, dict) else None
            if valid_id(target):
                self._cancel(target)
            else:
                log.warning("$/cancelRequest without a valid id: %.100r", params)
            return
        if method == types.TEXT_DOCUMENT_DID_CHANGE:
            handler = self.fm.features.get(method)
            params = did_change_params(data.get("params")) if handler is not None else None
            if params is not None:
                # A keystroke: the common shape, built here and handed to our handler, skips
                # pygls's general dispatch (a generator, two futures and a uuid a keystroke:
                # ~60% of an edit's cost). Any other shape takes the general way below.
                self._typing(handler, params)
                return
            self._hand_over_typed()
        known = method in self.fm.builtin_features or method in self.fm.features
        if not known:
            (log.debug if method.startswith("$/") else log.info)(
                "ignoring unknown notification %s", name
            )
            return
        try:
            message = self.converter.structure(
                data, self.get_message_type(method) or JsonRPCNotification
            )
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "invalid params for notification %s (ignored): %s",
                name,
                describe_structure_error(exc),
            )
            return
        self.handle_message(message)

    def _answer_directly(self, msg_id, handler, params) -> None:
        """Run a request's (synchronous) handler and answer it, as pygls would, without its
        general dispatch: a hover or a completion in the usual shape skips cattrs, a context
        variable and two futures (~0.1 ms of a 0.3 ms hover). A failure is answered and
        reported as pygls answers and reports it."""
        self._answering, self._answered = msg_id, False
        try:
            try:
                result = handler(params)
            except Exception:  # noqa: BLE001 - answered and reported, as pygls does
                error = JsonRpcInternalError.of(sys.exc_info())
                log.exception('Exception occurred for message "%s"', msg_id)
                self._send_response(msg_id, error=error.to_response_error())
                try:
                    self.owner.report_server_error(error, FeatureRequestError)
                except Exception:  # noqa: BLE001
                    log.warning("Failed to report error")
                return
            self._send_data(JsonRPCResponseMessage(id=msg_id, result=result, jsonrpc=self.VERSION))
        finally:
            self._answering = None

    def _typing(self, handler, params: types.DidChangeTextDocumentParams) -> None:
        """Keep a keystroke to hand to its handler with those that follow it in the same batch
        for the same document: a burst of typing read in one go is one call, with every change
        in order and the last version, as LSP allows a notification to carry. Handed over at
        the batch's end, or before any other message is dispatched."""
        typed = self._typed
        if typed and (
            handler is not self._typed_to or params.text_document.uri != typed[-1].text_document.uri
        ):
            self._hand_over_typed()
        self._typed_to = handler
        self._typed.append(params)

    def _hand_over_typed(self) -> None:
        typed, self._typed = self._typed, []
        if not typed:
            return
        params = typed[0]
        if len(typed) > 1:
            params = types.DidChangeTextDocumentParams(
                text_document=typed[-1].text_document,
                content_changes=tuple(change for one in typed for change in one.content_changes),
            )
        self._notify_handler(self._typed_to, params)

    def _notify_handler(self, handler, params) -> None:
        """Run a notification's handler as pygls would, its failure reported as pygls does."""
        try:
            handler(params)
        except Exception:  # noqa: BLE001 - reported, as pygls reports a handler's failure
            error = JsonRpcInternalError.of(sys.exc_info())
            try:
                self.owner.report_server_error(error, FeatureNotificationError)
            except Exception:  # noqa: BLE001
                log.warning("Failed to report error")

    def _response(self, data: dict) -> None:
        """A response from the client to one of our requests."""
        msg_id = data.get("id")
        if not valid_id(msg_id):
            log.warning("client sent a response without a valid id: %.200r", data)
            return
        try:
            message = self.structure_message(data)
        except Exception as exc:  # noqa: BLE001
            log.warning("malformed response %.100r: %s", msg_id, describe_structure_error(exc))
            # Fail the request's future, through pygls, as an error answer would.
            error = types.ResponseError(code=PARSE_ERROR, message=f"malformed response: {exc}")
            message = types.ResponseErrorMessage(id=msg_id, error=error)
        self.handle_message(message)

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        # pygls files the future of every generator or async *notification* handler (our
        # didOpen/didChange/didClose) under a fresh id and never removes it: one leaked future
        # per keystroke. Forget each future once it is done.
        future = self._request_futures.get(msg_id)
        if future is None:
            return
        if future.done():
            del self._request_futures[msg_id]
        else:
            future.add_done_callback(lambda done: self._forget_future(msg_id, done))

    def _forget_future(self, msg_id, future) -> None:
        if self._request_futures.get(msg_id) is future:
            del self._request_futures[msg_id]

    def _cancel(self, msg_id) -> None:
        # Usually the request has been answered already: no warning for that (pygls warns).
        future = self._request_futures.pop(msg_id, None)
        if future is None:
            log.debug("$/cancelRequest for %r, which is not running", msg_id)
        elif future.cancel():
            log.debug("cancelled request %r", msg_id)

    # -- sending ------------------------------------------------------------------------------
    def send_error(self, msg_id, code: int, message: str) -> None:
        error = {"code": code, "message": clip(message)}
        self._send_data({"jsonrpc": self.VERSION, "id": msg_id, "error": error})

    def notify(self, method: str, params: Any = None) -> None:
        # Every message to the user passes here: cut it to what a pop-up can hold.
        if method == types.WINDOW_SHOW_MESSAGE and isinstance(
            getattr(params, "message", None), str
        ):
            params = attrs.evolve(params, message=clip(params.message))
        if type(params) in _MESSAGE_PARAMS and isinstance(params.message, str):
            # The log line `initialized` sends, and pop-ups: written as JSON here, not through
            # cattrs, whose first use of a type builds its code (ms, before the first hover).
            log.debug("Sending notification: '%s' %s", method, params)
            message = {"type": int(params.type), "message": params.message}
            self._send_data({"jsonrpc": self.VERSION, "method": method, "params": message})
            return
        super().notify(method, params)

    def _send_data(self, data: Any) -> None:
        """Serialise and write one message; a response that cannot be serialised becomes -32603.

        Everything pygls sends passes here (`_send_response`, `notify`, `send_request`)."""
        if not data:
            return
        if self.writer is None:
            log.error("cannot send a message: no transport")
            return
        msg_id = data.get("id") if isinstance(data, dict) else getattr(data, "id", None)
        if self._answering is not None and msg_id == self._answering:
            self._answered = True
        result = getattr(data, "result", None) if not isinstance(data, dict) else None
        if isinstance(result, dict):
            # Already JSON (completion lists are built as dicts): cattrs would walk every value.
            data = {"jsonrpc": self.VERSION, "id": msg_id, "result": result}
        try:
            body = self._written(data, result) or json.dumps(
                data, default=self._to_json, allow_nan=False
            )
        except Exception:  # noqa: BLE001
            log.exception("cannot serialise an outgoing message")
            is_response = (isinstance(data, dict) and "method" not in data) or (
                hasattr(data, "result") or hasattr(data, "error")
            )
            if not (is_response and valid_id(msg_id)):
                return
            body = json.dumps(
                {
                    "jsonrpc": self.VERSION,
                    "id": msg_id,
                    "error": {
                        "code": INTERNAL_ERROR,
                        "message": "Internal error: unserialisable result",
                    },
                }
            )
        _wire_log.info("Sending data: %s", body)  # shown at -vvv, as pygls did
        payload = body.encode("utf-8")
        header = (
            f"Content-Length: {len(payload)}\r\n"
            f"Content-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        )
        payload = header.encode("ascii") + payload
        try:
            res = self.writer.write(payload)
            if inspect.isawaitable(res):
                asyncio.ensure_future(res)
        except Exception:  # noqa: BLE001 - a writer failure is the transport's to report
            log.exception("cannot write an outgoing message")

    def _written(self, data: Any, result: Any) -> str | None:
        """The message as JSON when its result or params are `Json` already, else None."""
        if isinstance(result, Json):
            msg_id = json.dumps(data.id)
            return f'{{"jsonrpc":"{self.VERSION}","id":{msg_id},"result":{result.text}}}'
        params = getattr(data, "params", None) if not isinstance(data, dict) else None
        if isinstance(params, Json):
            method = json.dumps(data.method)
            return f'{{"jsonrpc":"{self.VERSION}","method":{method},"params":{params.text}}}'
        return None

    def _to_json(self, value: Any) -> Any:
        """What `json.dumps` cannot write itself: lsprotocol (attrs) objects and enums."""
        if isinstance(value, Json):  # inside a dict result: read back (see strict_converter)
            return json.loads(value.text)
        if attrs.has(type(value)):
            return self.converter.unstructure(value)
        if isinstance(value, enum.Enum):
            return value.value
        return value.__dict__
