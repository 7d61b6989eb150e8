"""The pygls members we override or rely on where pygls offers no public hook (docs/design.md,
"Coupling to pygls"): each must still exist, with the signature we override it with, and pygls
must still call it where our override expects to be called. A pygls release that changes one
fails here, by name, instead of breaking the server quietly.

`PYGLS_NEWEST=1 bash scripts/test-all.sh` runs the whole suite against the newest pygls 2.x.
"""

from __future__ import annotations

import inspect
import os
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
from lsprotocol import types
from packaging.requirements import Requirement
from pygls.feature_manager import is_thread_function
from pygls.lsp.server import LanguageServer
from pygls.protocol import JsonRPCProtocol, LanguageServerProtocol
from transformers_glossary_ls.protocol import GlossaryProtocol, _wire_log
from transformers_glossary_ls.server import GlossaryServer
from transformers_glossary_ls.server import server as real

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


# (pygls class, member, its parameters): private methods we override.
OVERRIDDEN = [
    (
        JsonRPCProtocol,
        "_execute_handler",
        ["self", "msg_id", "handler", "callback", "args", "kwargs"],
    ),
    (JsonRPCProtocol, "_send_data", ["self", "data"]),
]

# Built-in LSP handlers we replace by defining a method of the same name (pygls registers every
# method with a `method_name`; the same name is what makes ours replace its own).
BUILTINS = [
    ("lsp_exit", types.EXIT),
    ("lsp_text_document__did_open", types.TEXT_DOCUMENT_DID_OPEN),
    ("lsp_text_document__did_change", types.TEXT_DOCUMENT_DID_CHANGE),
    ("lsp_text_document__did_close", types.TEXT_DOCUMENT_DID_CLOSE),
    ("lsp_notebook_document__did_open", types.NOTEBOOK_DOCUMENT_DID_OPEN),
    ("lsp_notebook_document__did_change", types.NOTEBOOK_DOCUMENT_DID_CHANGE),
    ("lsp_notebook_document__did_close", types.NOTEBOOK_DOCUMENT_DID_CLOSE),
]

# (pygls function, what it must still do): where pygls calls into what we override or rely on.
CALLS = [
    (JsonRPCProtocol._handle_request, "self._execute_handler("),
    (JsonRPCProtocol._handle_notification, "self._execute_handler("),
    (JsonRPCProtocol._run_generator, "self._execute_handler("),
    # the leak our _execute_handler override plugs: a future filed per generator notification
    (JsonRPCProtocol._execute_handler, "self._request_futures[msg_id] = future"),
    (JsonRPCProtocol._send_response, "self._send_data("),
    (JsonRPCProtocol.notify, "self._send_data("),
    (JsonRPCProtocol.send_request, "self._send_data("),
    (JsonRPCProtocol._send_handler_result, "self._send_response("),
    (JsonRPCProtocol._send_handler_result, "self._request_futures.pop(msg_id"),
    # every message to the user goes through notify, where we cap it
    (LanguageServer.window_show_message, "self.protocol.notify("),
    # a result or params already JSON (protocol.Json: diagnostics reports and pushes) reach
    # _send_data as they were handed over, for it to write them as they are
    (JsonRPCProtocol._send_response, "result=result"),
    (JsonRPCProtocol.notify, "params=params"),
    (LanguageServer.text_document_publish_diagnostics, "self.protocol.notify("),
]

# Public members we build on (a change there is a break too, if a louder one).
PUBLIC = [
    (JsonRPCProtocol, "handle_message", ["self", "message"]),
    (JsonRPCProtocol, "structure_message", ["self", "data"]),
    (JsonRPCProtocol, "notify", ["self", "method", "params"]),
    (JsonRPCProtocol, "set_writer", ["self", "writer", "include_headers"]),
    (LanguageServerProtocol, "get_message_type", ["self", "method"]),
    (LanguageServer, "report_server_error", ["self", "error", "source"]),
]


@pytest.mark.skipif(
    os.environ.get("PYGLS_BEYOND_PIN") == "1", reason="testing a pygls beyond the pin on purpose"
)
def test_the_installed_pygls_is_within_the_pin():
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pin = next(Requirement(d) for d in dependencies if Requirement(d).name == "pygls")
    assert pin.specifier.contains(version("pygls")), (pin, version("pygls"))


def _check(owner, name, expected) -> None:
    member = getattr(owner, name, None)
    assert member is not None, f"pygls {version('pygls')} has no {owner.__name__}.{name}"
    assert parameters(member) == expected, f"{owner.__name__}.{name} changed its signature"


@pytest.mark.parametrize(("owner", "name", "expected"), OVERRIDDEN, ids=[r[1] for r in OVERRIDDEN])
def test_private_members_we_override_keep_their_signature(owner, name, expected):
    _check(owner, name, expected)
    assert parameters(getattr(GlossaryProtocol, name)) == expected, f"our {name} differs"


@pytest.mark.parametrize(("owner", "name", "expected"), PUBLIC, ids=[r[1] for r in PUBLIC])
def test_public_members_we_use_keep_their_signature(owner, name, expected):
    _check(owner, name, expected)


@pytest.mark.parametrize(("name", "method"), BUILTINS, ids=[b[0] for b in BUILTINS])
def test_builtin_handlers_we_replace_are_still_pygls_builtins(name, method):
    theirs = getattr(LanguageServerProtocol, name, None)
    assert theirs is not None, f"pygls no longer defines {name}: ours would run beside it"
    assert getattr(theirs, "method_name", None) == method
    registered = real.protocol.fm.builtin_features[method]
    assert registered.__func__ is getattr(GlossaryProtocol, name), f"{method} is not ours"


@pytest.mark.parametrize(
    ("function", "needle"), CALLS, ids=[f"{f.__qualname__}->{n}" for f, n in CALLS]
)
def test_pygls_still_calls_what_we_override(function, needle):
    assert needle in inspect.getsource(function), f"{function.__qualname__} no longer does {needle}"


def test_request_futures_is_the_dict_of_pending_requests():
    protocol = GlossaryServer().protocol
    assert protocol._request_futures == {}
    future = protocol.send_request(types.WORKSPACE_CONFIGURATION, None)
    assert list(protocol._request_futures.values()) == [future]


def test_no_feature_runs_in_pygls_thread_pool():
    """We never shut pygls's thread pool down (its workers would hold the process at exit): so
    no feature may run in it."""
    threaded = [m for m, f in real.protocol.fm.features.items() if is_thread_function(f)]
    assert threaded == []


def test_the_wire_log_is_pygls_own_logger():
    """-vvv shows what we send on the logger pygls used for it."""
    assert _wire_log.name == JsonRPCProtocol.__module__
    assert 'logger.info("Sending data' in inspect.getsource(JsonRPCProtocol._send_data)
