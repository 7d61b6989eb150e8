"""The jupyter-lsp spec: Markdown by default, Python when asked, our console script, version 2;
found through the entry point, and never a Jupyter import (nor loaded by the server)."""

from __future__ import annotations

import logging
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from transformers_glossary_ls import jupyter_spec
from transformers_glossary_ls.jupyter_spec import LANGUAGES_ENV, chosen_languages, spec

PYPROJECT = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8"))

MARKDOWN_IDS = ["markdown", "ipythongfm", "gfm"]


@pytest.mark.parametrize(
    ("value", "languages", "warned"),
    [
        pytest.param(None, ["markdown", "ipythongfm", "gfm"], False, id="unset"),
        pytest.param("", MARKDOWN_IDS, False, id="empty"),
        pytest.param("markdown,python", [*MARKDOWN_IDS, "python"], False, id="both"),
        pytest.param(" Python ", ["python"], False, id="python-only"),
        pytest.param("python,markdown,python", ["python", *MARKDOWN_IDS], False, id="repeated"),
        pytest.param("markdown,rust", MARKDOWN_IDS, True, id="unknown-left-out"),
        pytest.param("cobol", MARKDOWN_IDS, True, id="nothing-known"),
    ],
)
def test_languages_from_the_setting(monkeypatch, caplog, value, languages, warned):
    if value is None:
        monkeypatch.delenv(LANGUAGES_ENV, raising=False)
    else:
        monkeypatch.setenv(LANGUAGES_ENV, value)

    class Manager:  # what jupyter-lsp passes: its LanguageServerManager, with a `log`
        log = logging.getLogger("test-jupyter-lsp")

    with caplog.at_level(logging.WARNING, logger="test-jupyter-lsp"):
        found = spec(Manager())["transformers-glossary-ls"]
    assert found["languages"] == languages
    assert bool(caplog.records) is warned
    python_mimes = {"text/python", "text/x-ipython", "text/x-python"}
    assert bool(python_mimes & set(found["mime_types"])) is ("python" in languages)


def test_the_spec_is_version_2_and_runs_our_console_script(monkeypatch):
    monkeypatch.delenv(LANGUAGES_ENV, raising=False)
    found = spec()["transformers-glossary-ls"]
    assert found["version"] == 2
    assert Path(found["argv"][0]).name in (
        "transformers-glossary-ls",
        "transformers-glossary-ls.exe",
    )
    assert found["argv"][1:] == []
    assert found["requires_documents_on_disk"] is False
    assert found["display_name"] == "transformers-glossary-ls (markdown)"
    assert set(found) <= {
        "version",
        "argv",
        "languages",
        "mime_types",
        "display_name",
        "requires_documents_on_disk",
        "install",
    }
    assert "transformers-glossary-ls" in PYPROJECT["project"]["scripts"]
    assert jupyter_spec.COMMAND in PYPROJECT["project"]["scripts"]


def test_the_console_script_next_to_the_interpreter_comes_first(tmp_path, monkeypatch):
    script = tmp_path / "transformers-glossary-ls"
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert jupyter_spec.command() == str(script)


def test_a_bad_value_never_breaks_jupyter(monkeypatch):
    assert chosen_languages(",,,\x00" + "x" * 10_000, logging.getLogger("t")) == ("markdown",)
    monkeypatch.setenv(LANGUAGES_ENV, ",,;" + "x" * 10_000)
    # a manager without a logger (or not one at all) is fine too
    assert spec(object())["transformers-glossary-ls"]["languages"] == MARKDOWN_IDS


def test_the_entry_point_is_declared_and_installed():
    declared = PYPROJECT["project"]["entry-points"]["jupyter_lsp_spec_v1"]
    assert declared == {"transformers-glossary-ls": "transformers_glossary_ls.jupyter_spec:spec"}
    installed = [ep for ep in entry_points(group="jupyter_lsp_spec_v1") if ep.name in declared]
    assert installed, "reinstall the package (pip install -e .) to register the entry point"
    assert installed[0].load() is spec


def test_no_jupyter_import_and_the_server_never_loads_the_spec():
    code = (
        "import sys\n"
        "import transformers_glossary_ls.cli, transformers_glossary_ls.server\n"
        "assert 'transformers_glossary_ls.jupyter_spec' not in sys.modules\n"
        "import transformers_glossary_ls.jupyter_spec\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in\n"
        "       ('jupyter_lsp', 'jupyter_server', 'jupyterlab', 'jupyter_core', 'notebook')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
