"""The README's eglot snippet in a real Emacs (Debian's `emacs-nox` and `elpa-eglot`): a user's
init file, a Python file visited, eglot started by the snippet's hook, and a hover asked the way
eglot's eldoc asks it, shown the way eglot shows it.

Driven in batch mode by `emacs/eglot_hover.el`. Skipped when `emacs` is not on PATH, except under
CI (the `CI` environment variable set), where scripts/test-all.sh installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.editors.readme_snippets import snippet

DRIVER = Path(__file__).resolve().parent / "emacs" / "eglot_hover.el"

pytestmark = pytest.mark.editor


@pytest.fixture(scope="module")
def emacs() -> str:
    found = shutil.which("emacs")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("emacs is not on PATH, but CI must install it (emacs-nox, elpa-eglot)")
        pytest.skip("emacs is not on PATH")
    return found


def test_readme_eglot_snippet_gives_a_plain_text_hover(tmp_path, emacs):
    home = tmp_path / "home"
    (home / ".emacs.d").mkdir(parents=True)
    init = home / ".emacs.d" / "init.el"
    init.write_text(snippet("eglot"), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # The console script pip installed, found by name as the snippet names it.
    (bin_dir / "transformers-glossary-ls").symlink_to(
        Path(sys.executable).parent / "transformers-glossary-ls"
    )
    project = tmp_path / "proj"
    (project / ".git").mkdir(parents=True)  # project.el's root, as in a clone
    (project / "src").mkdir()
    text = "from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained('gpt2')\n"
    text += "outputs = model(input_ids=ids, attention_mask=mask)\n"
    source = project / "src" / "train.py"
    source.write_text(text)
    out = tmp_path / "out.json"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(
        HOME=str(home),
        PATH=os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]),
        EG_FILE=str(source),
        EG_LINE="4",
        EG_COL=str(text.splitlines()[3].index("attention_mask") + 3),
        EG_OUT=str(out),
        EG_TIMEOUT="30",
    )
    # Batch Emacs activates Debian's ELPA packages as a normal start does, but reads no init
    # file: it is loaded by name.
    command = [emacs, "--batch", "-l", str(init), "-l", str(DRIVER)]
    run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=90)
    result = json.loads(out.read_text()) if out.exists() else {}
    assert run.returncode == 0, f"exit {run.returncode}: {result}\n{run.stderr}"
    assert result["mode"] == "python-mode"
    assert result["server"] == ["transformers-glossary-ls"]
    assert Path(result["root"]) == project
    # eglot without markdown-mode asks for plain text, and gets it: no Markdown syntax.
    assert result["kind"] == "plaintext"
    shown = result["shown"]
    assert shown.startswith("(AutoModel) attention_mask"), shown
    assert "Shape: (batch_size, sequence_length)" in shown
    assert "Dtype: torch.LongTensor" in shown
    assert "`" not in shown and "**" not in shown and "](" not in shown
