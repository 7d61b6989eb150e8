"""The engine stands on its own: importing it pulls in neither pygls nor lsprotocol."""

from __future__ import annotations

import subprocess
import sys

ENGINE = [
    "transformers_glossary_ls.analysis",
    "transformers_glossary_ls.completion",
    "transformers_glossary_ls.documents",
    "transformers_glossary_ls.kinds",
    "transformers_glossary_ls.lexing.markdown",
    "transformers_glossary_ls.positions",
    "transformers_glossary_ls.spotting",
    "transformers_glossary_ls.vocabulary",
    "transformers_glossary_ls.hovertext",
    "transformers_glossary_ls.engine",
    "transformers_glossary_ls.diagnostics",
    "transformers_glossary_ls.signature",
    "transformers_glossary_ls.settings",
]


def test_engine_imports_no_lsp_library():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in ENGINE)
        + "print(sorted({m.split('.')[0] for m in sys.modules} & {'pygls', 'lsprotocol'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
