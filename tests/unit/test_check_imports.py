"""`check` starts on what findings need (issue 14, section 6: startup counts against pyflakes):
the catalogue, the analysis and the checker; not the server, pygls or lsprotocol, not the rest
of the engine, and not the vocabulary's YAML loader when no vocabulary file of the user's is
read. Checked by the modules a real run leaves loaded, never by timing it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

NEVER = (
    "pygls",
    "lsprotocol",
    "yaml",
    "transformers_glossary_ls.server",
    "transformers_glossary_ls.engine",
    "transformers_glossary_ls.completion",
    "transformers_glossary_ls.spotting",
    "transformers_glossary_ls.hovertext",
    "transformers_glossary_ls.installed_docs",
    "transformers_glossary_ls.vocabulary.loader",
    "packaging.requirements",
    "packaging.specifiers",
)
CLEAN = "import os\nprint(os.getcwd())\n"
FLAGGED = "from transformers import TrainingArguments\nTrainingArguments('o', no_cuda=True)\n"
RUN = """
import json, sys
from transformers_glossary_ls.cli import main
status = main(["check", *sys.argv[1:]])
print(json.dumps([status, sorted(sys.modules)]))
"""


def _modules(tmp_path: Path, text: str) -> tuple[int, set[str]]:
    (tmp_path / ".git").mkdir(exist_ok=True)  # the project ends here: no vocabulary above it
    (tmp_path / "train.py").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", RUN, "--target-version", "5.25", "train.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    status, modules = json.loads(done.stdout.splitlines()[-1])
    return status, set(modules)


@pytest.mark.parametrize("text,status", [(CLEAN, 0), (FLAGGED, 1)], ids=["clean", "a finding"])
def test_check_loads_no_server_and_no_vocabulary_loader(tmp_path, text, status):
    found, modules = _modules(tmp_path, text)
    assert found == status
    loaded = [n for n in NEVER if any(m == n or m.startswith(n + ".") for m in modules)]
    assert loaded == []
    assert "transformers_glossary_ls.diagnostics" in modules


def test_suggestions_load_rapidfuzz_only_when_a_finding_asks(tmp_path):
    assert "rapidfuzz" not in _modules(tmp_path, CLEAN)[1]
    typo = "from transformers import TrainingArguments\nTrainingArguments('o', eval_stratgy='no')\n"
    assert "rapidfuzz" in _modules(tmp_path, typo)[1]
