"""A real client over stdio (pytest-lsp), under the VS Code and the Neovim capability sets."""

from __future__ import annotations

import sys
from itertools import count

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "transformers_glossary_ls"]
CLIENTS = ["visual-studio-code", "neovim@v0.7.0"]
_uris = count()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=SERVER), params=CLIENTS, scope="module"
)
async def client(request, lsp_client: LanguageClient):
    # VS Code's capabilities take dynamic registration of file watching: answer it as VS Code does.
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        return None

    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities(request.param))
    )
    yield
    await lsp_client.shutdown_session()


def open_document(client: LanguageClient, text: str, suffix: str = ".py") -> str:
    """Open `text` as a new document; return its URI."""
    uri = f"file:///tmp/e2e-{next(_uris)}{suffix}"
    language = {".py": "python", ".md": "markdown"}.get(suffix, "plaintext")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    return uri


def close_document(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )


async def hover(client: LanguageClient, uri: str, line: int, character: int):
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )


@pytest.fixture
def anyio_backend():
    return "asyncio"
