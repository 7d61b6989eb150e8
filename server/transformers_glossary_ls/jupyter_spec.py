"""The jupyter-lsp spec of this server, found through the `jupyter_lsp_spec_v1` entry point.

jupyter-lsp (the server half of jupyterlab-lsp) calls `spec` once at JupyterLab's start to learn
how to run us, so no configuration file is needed. This module is plain Python: it imports nothing
of Jupyter, and the language server never imports it. Why Markdown is the default and Python is
opt-in is in docs/jupyterlab.md.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

KEY = "transformers-glossary-ls"
COMMAND = "transformers-glossary-ls"  # the console script of pyproject.toml
LANGUAGES_ENV = "TRANSFORMERS_GLOSSARY_JUPYTER_LANGUAGES"
DEFAULT_LANGUAGES = ("markdown",)

# What jupyterlab-lsp calls each language (the kernel's language, a cell type, a file's mode), and
# the MIME types of the same. Markdown cells reach a server as the "markdown" virtual document.
_LANGUAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "markdown": (
        ("markdown", "ipythongfm", "gfm"),
        ("text/x-markdown", "text/x-gfm", "text/x-ipythongfm"),
    ),
    "python": (("python",), ("text/python", "text/x-ipython", "text/x-python")),
}


def chosen_languages(
    value: str | None, log: logging.Logger | logging.LoggerAdapter | None = None
) -> tuple[str, ...]:
    """The languages named by the setting (`markdown,python`); the default when it names none we
    know. Unknown names are left out, and said in the log."""
    if value is None or not value.strip():
        return DEFAULT_LANGUAGES
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in _LANGUAGES]
    known = tuple(dict.fromkeys(name for name in names if name in _LANGUAGES))
    if unknown and log is not None:
        log.warning(
            "%s: unknown language(s) %s ignored (known: %s)",
            LANGUAGES_ENV,
            ", ".join(repr(u[:40]) for u in unknown[:5]),
            ", ".join(_LANGUAGES),
        )
    return known or DEFAULT_LANGUAGES


def command() -> str:
    """Our console script: the one installed next to the interpreter running Jupyter (the same
    environment as this entry point), else the one on PATH, else its bare name."""
    folder = Path(sys.executable).parent
    for name in (COMMAND, COMMAND + ".exe"):
        candidate = folder / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(COMMAND) or COMMAND


def spec(manager: Any = None) -> dict[str, dict[str, Any]]:
    """The `jupyter_lsp_spec_v1` spec: {key: spec}, version 2 of jupyter-lsp's schema."""
    log = getattr(manager, "log", None)  # jupyter-lsp's LanguageServerManager has one
    languages = chosen_languages(
        os.environ.get(LANGUAGES_ENV), log if callable(getattr(log, "warning", None)) else None
    )
    ids = [lid for lang in languages for lid in _LANGUAGES[lang][0]]
    mime_types = [mime for lang in languages for mime in _LANGUAGES[lang][1]]
    return {
        KEY: {
            "version": 2,
            "argv": [command()],
            "languages": ids,
            "mime_types": mime_types,
            "display_name": f"transformers-glossary-ls ({', '.join(languages)})",
            # Documents are read from what the editor sends, never from disk.
            "requires_documents_on_disk": False,
            "install": {"pip": "pip install transformers-glossary-ls"},
        }
    }
