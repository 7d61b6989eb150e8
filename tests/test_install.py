"""A real install: build the wheel, `pip install` it (not editable) into a fresh venv, and use it
from an unrelated directory. Proves the vocabulary ships inside the wheel and that the console
script starts a working server. Takes 30-60 s (pip fetches the build backend and dependencies
from PyPI); it runs in the normal suite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.lspclient import LspClient

REPO = Path(__file__).resolve().parents[1]
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    out = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(REPO)],
        cwd=root,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, f"pip install failed:\n{out.stdout}\n{out.stderr}"
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return {"python": python, "script": bin_dir / "transformers-glossary-ls", "cwd": elsewhere}


def _run(installed, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(installed["script"]), *args],
        cwd=installed["cwd"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_installed_not_editable_and_data_in_the_wheel(installed):
    code = (
        "import json, transformers_glossary_ls as p\n"
        "from transformers_glossary_ls.vocabulary.loader import default_data_dir\n"
        "print(json.dumps([p.__file__, str(default_data_dir())]))\n"
    )
    out = subprocess.run(
        [str(installed["python"]), "-c", code],
        cwd=installed["cwd"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    package_file, data_dir = map(Path, json.loads(out.stdout))
    assert "site-packages" in package_file.parts
    assert REPO not in package_file.parents  # the copy in the venv, not the source tree
    assert data_dir.parent == package_file.parent
    assert sorted(p.name for p in data_dir.glob("*.yaml")) == sorted(
        p.name for p in (REPO / "glossary_data").glob("*.yaml")
    )


def test_the_catalogue_ships_in_the_wheel(installed):
    """The generated facts answer from the installed copy: a removed keyword says so."""
    sample = installed["cwd"] / "old.py"
    sample.write_text(
        'args = TrainingArguments(output_dir="o", evaluation_strategy="steps")\n', encoding="utf-8"
    )
    out = _run(installed, "explain", "old.py")
    assert out.returncode == 0, out.stderr
    assert any(
        "evaluation_strategy -> evaluation_strategy: (TrainingArguments)" in line
        for line in out.stdout.splitlines()
    ), out.stdout


def test_version(installed):
    out = _run(installed, "--version")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"transformers-glossary-ls {VERSION}"


def test_explain_finds_terms(installed):
    sample = installed["cwd"] / "sample.py"
    sample.write_text(
        "# causal language modeling needs no token type IDs\n"
        'out = model(input_ids=ids, attention_mask=batch["attention_mask"])\n',
        encoding="utf-8",
    )
    out = _run(installed, "explain", "sample.py")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert lines[0].startswith(
        "sample.py:1:3: causal language modeling -> causal language modeling: "
    )
    assert any(line.startswith("sample.py:2:13: input_ids -> input_ids: ") for line in lines)
    assert sum("-> attention_mask (2 times):" in line for line in lines) == 1  # once per file


def test_server_over_stdio_hovers(installed):
    client = LspClient.spawn(
        command=[str(installed["script"])],
        cwd=installed["cwd"],
        env=_env(),
        on_request=lambda message: None,  # a server->client request gets a null result
    )
    try:
        init = client.call(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {
                    "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}}
                },
            },
            timeout=30,
        )
        assert init["result"]["capabilities"]["hoverProvider"]
        client.notify("initialized", {})
        uri = (installed["cwd"] / "train.py").as_uri()
        client.open(uri, "out = model(input_ids=ids, attention_mask=mask)\n")
        hover = client.hover(uri, 0, 30, timeout=30)
        result = hover["result"]
        assert result is not None, hover
        assert result["contents"]["kind"] == "markdown"
        assert "attention_mask" in result["contents"]["value"]
        assert "(batch_size, sequence_length)" in result["contents"]["value"]
        assert result["range"] == {
            "start": {"line": 0, "character": 27},
            "end": {"line": 0, "character": 41},
        }

        assert client.call("shutdown", timeout=30)["result"] is None
        complaints = [m for m in client.messages if m.get("method") == "window/showMessage"]
        assert not complaints, f"server complained: {complaints}"
        client.notify("exit")
        assert client.wait_exit(10) == 0
    finally:
        client.stop()
    assert "Traceback" not in client.stderr, client.stderr


def test_try_sh_ends_with_one_full_hover(installed):
    """scripts/try.sh's last command, run with the installed script: a whole hover, shape and
    dtype included, not only a one-line summary."""
    last = (REPO / "scripts" / "try.sh").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert ".venv-try/bin/transformers-glossary-ls explain --full -" in last, last
    command = last.replace(".venv-try/bin/transformers-glossary-ls", str(installed["script"]))
    out = subprocess.run(
        ["bash", "-c", f"set -euo pipefail; {command}"],
        cwd=installed["cwd"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("<stdin>:1:17: attention_mask -> attention_mask: ")
    assert "    Shape: (batch_size, sequence_length)" in lines
    assert "    Dtype: torch.LongTensor" in lines
    assert sum(" -> " in line for line in lines) == 1  # one hover
