"""A real install: build the wheel, `pip install` it (not editable) into a fresh venv, and use it
from an unrelated directory. Proves the vocabulary ships inside the wheel and that the console
script starts a working server. Takes 30-60 s (pip fetches the build backend and dependencies
from PyPI); it runs in the normal suite."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest

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
    assert sum("-> attention_mask:" in line for line in lines) == 2


class RawClient:
    """Just enough JSON-RPC over stdio to talk to the installed server."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while True:
                header = stream.readline()
                if not header:
                    self.messages.put(None)
                    return
                if header in (b"\r\n", b"\n"):
                    break
                name, _, value = header.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, request_id: int, method: str, params: dict, timeout: float = 30) -> dict:
        self.send({"id": request_id, "method": method, "params": params})
        while True:
            message = self.messages.get(timeout=timeout)
            assert message is not None, "server closed its output"
            if message.get("id") == request_id and "method" not in message:
                return message
            if "method" in message and "id" in message:  # a server->client request
                self.send({"id": message["id"], "result": None})
            elif message.get("method") == "window/showMessage":
                raise AssertionError(f"server complained: {message['params']}")


def test_server_over_stdio_hovers(installed):
    client = RawClient([str(installed["script"])], installed["cwd"])
    try:
        init = client.request(
            1,
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {
                    "textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}}
                },
            },
        )
        assert init["result"]["capabilities"]["hoverProvider"]
        client.send({"method": "initialized", "params": {}})
        uri = (installed["cwd"] / "train.py").as_uri()
        text = "out = model(input_ids=ids, attention_mask=mask)\n"
        client.send(
            {
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}
                },
            }
        )
        hover = client.request(
            2,
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 30}},
        )
        result = hover["result"]
        assert result is not None, hover
        assert result["contents"]["kind"] == "markdown"
        assert "attention_mask" in result["contents"]["value"]
        assert "(batch_size, sequence_length)" in result["contents"]["value"]
        assert result["range"] == {
            "start": {"line": 0, "character": 27},
            "end": {"line": 0, "character": 41},
        }

        assert client.request(3, "shutdown", None)["result"] is None
        client.send({"method": "exit"})
        assert client.proc.wait(timeout=10) == 0
    finally:
        if client.proc.poll() is None:
            client.proc.kill()
            client.proc.wait()
        stderr = client.proc.stderr.read().decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
