"""Over stdio, as an editor: a workspace whose `.venv` holds a real transformers release (its
wheel's metadata) gets hovers and completions for that release, and says which it chose."""

from __future__ import annotations

import ast
import shutil
import time
from pathlib import Path

import pytest
from transformers_glossary_ls.catalogue import default_catalogue

from tests.lspclient import LspClient
from tests.wheels import install_files, install_metadata, make_venv, ran, wheel

pytestmark = pytest.mark.wheels

NEWEST = default_catalogue().newest("transformers")
SOURCE = (
    "from transformers import AutoModel, TrainingArguments\n"
    "args = TrainingArguments(output_dir='o', evaluation_strategy='steps')\n"
    "model = AutoModel.from_pretrained('bert-base-uncased', dtype='auto')\n"
    "x = TrainingArguments(output_dir='o', no_cu\n"
)


def _session(project: Path, **options):
    server = LspClient.spawn(env={"PATH": "/usr/bin:/bin", "HOME": str(project)})
    uri = project.as_uri()
    server.initialize(
        {"textDocument": {"completion": {"completionItem": {"tagSupport": {"valueSet": [1]}}}}},
        rootUri=uri,
        workspaceFolders=[{"uri": uri, "name": "p"}],
        initializationOptions=options or None,
    )
    doc = (project / "train.py").as_uri()
    server.open(doc, SOURCE)
    return server, doc


def _hover(server, doc, line, col) -> str:
    result = server.hover(doc, line, col)["result"]
    return result["contents"]["value"] if result else ""


def _labels(server, doc, line, col) -> dict[str, list]:
    params = {"textDocument": {"uri": doc}, "position": {"line": line, "character": col}}
    items = server.call("textDocument/completion", params)["result"]["items"]
    return {i["label"]: i.get("tags", []) for i in items}


@pytest.mark.parametrize("minor", ["4.40", NEWEST])
def test_the_workspace_release_decides(tmp_path, minor):
    project = tmp_path / "project"
    make_venv(project / ".venv", [wheel("transformers", minor)])
    server, doc = _session(project)
    try:
        told = server.wait_for(
            lambda m: (
                m.get("method") == "window/logMessage" and "answers for" in m["params"]["message"]
            )
        )["params"]["message"]
        assert f"transformers {minor}" in told and "workspace virtual environment" in told
        evaluation, dtype = _hover(server, doc, 1, 45), _hover(server, doc, 2, 58)
        offered = _labels(server, doc, 3, len("x = TrainingArguments(output_dir='o', no_cu"))
        if minor == "4.40":
            # current in 4.40 (deprecated from 4.41): no status line, the signature leads
            assert evaluation.startswith("`(TrainingArguments) evaluation_strategy"), evaluation
            assert dtype.startswith("**Not in your 4.40**: new in 4.56."), dtype
            assert offered.get("no_cuda=") == [1]  # deprecated (use_cpu) but still taken
        else:
            assert evaluation.startswith(f"**Removed** after 4.50 (you have {minor})"), evaluation
            assert "Not in your" not in dtype and "dtype" in dtype
            assert "no_cuda=" not in offered  # a TypeError in this release: not offered
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not ran(project / ".venv")


def test_the_transformers_version_setting_overrides(tmp_path):
    project = tmp_path / "project"
    make_venv(project / ".venv", [wheel("transformers", NEWEST)])
    server, doc = _session(project, transformersVersion="4.45.2")
    try:
        offered = _labels(server, doc, 3, len("x = TrainingArguments(output_dir='o', no_cu"))
        assert offered.get("no_cuda=") == [1]  # deprecated in 4.45: tagged so
        evaluation = _hover(server, doc, 1, 45)
        assert evaluation.startswith("**Deprecated** since 4.41"), evaluation
        assert "(you have 4.45)" in evaluation
        assert server.shutdown() == 0
    finally:
        server.stop()


def test_an_upgrade_while_open_is_noticed_on_save(tmp_path):
    project = tmp_path / "project"
    site = make_venv(project / ".venv", [wheel("transformers", "4.40")])
    server, doc = _session(project)
    try:
        assert _hover(server, doc, 1, 45).startswith("`(TrainingArguments)")
        # `pip install -U transformers`: the old dist-info goes, the new one comes.
        shutil.rmtree(next(site.glob("transformers-*.dist-info")))
        install_metadata(wheel("transformers", NEWEST), site)
        server.notify("textDocument/didSave", {"textDocument": {"uri": doc}})  # noticed here
        assert _hover(server, doc, 1, 45).startswith(f"**Removed** after 4.50 (you have {NEWEST})")
        assert server.shutdown() == 0
    finally:
        server.stop()


def test_the_installed_packages_own_docs_appear(tmp_path):
    project = tmp_path / "project"
    newest = wheel("transformers", NEWEST)
    site = make_venv(project / ".venv", [newest])
    install_files(newest, site, ["transformers/training_args.py"])
    server, doc = _session(project)
    try:
        said = f"From your transformers {newest.name.split('-')[1]} (installed)"
        # Read on a thread after initialized: ask until it is in (the timeout bounds a failure).
        deadline = time.monotonic() + 30
        while said not in (text := _hover(server, doc, 1, 30)):
            assert time.monotonic() < deadline, text
            time.sleep(0.05)
        assert text.index(said) > text.index("output_dir")  # below the signature and our words
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not ran(project / ".venv")


LLAMA = "transformers/models/llama/modeling_llama.py"
CLASS_SOURCE = (
    "from transformers import LlamaForCausalLM\n"
    "model = LlamaForCausalLM.from_pretrained('x')\n"
    "out = model(labels=y)\n"
    "out = model(\n"
)


def _forward_names(path: Path) -> set[str]:
    """LlamaForCausalLM.forward's names, read here independently of the server."""
    tree = ast.parse(path.read_bytes())
    cls = next(n for n in tree.body if getattr(n, "name", "") == "LlamaForCausalLM")
    forward = next(n for n in cls.body if getattr(n, "name", "") == "forward")
    args = forward.args
    return {a.arg for a in (*args.args, *args.kwonlyargs)} - {"self"}


def _until(ask, done, what: str):
    """Ask until the answer is in (read off the request path); the timeout bounds a failure."""
    deadline = time.monotonic() + 30
    while not done(answer := ask()):
        assert time.monotonic() < deadline, f"{what}: {answer}"
        time.sleep(0.05)
    return answer


@pytest.mark.parametrize("minor", ["4.40", NEWEST])
def test_a_named_class_completes_with_its_installed_forward(tmp_path, minor):
    project = tmp_path / "project"
    whl = wheel("transformers", minor)
    site = make_venv(project / ".venv", [whl])
    install_files(whl, site, [LLAMA])
    names = _forward_names(site / LLAMA) - {"kwargs"}
    server = LspClient.spawn(env={"PATH": "/usr/bin:/bin", "HOME": str(project)})
    try:
        uri = project.as_uri()
        server.initialize({}, rootUri=uri, workspaceFolders=[{"uri": uri, "name": "p"}])
        doc = (project / "train.py").as_uri()
        server.open(doc, CLASS_SOURCE)

        def offered() -> set[str]:
            return {label.rstrip("=") for label in _labels(server, doc, 3, 12)}

        got = _until(offered, lambda got: names <= got and "bool_masked_pos" not in got, "names")
        if minor == "4.40":
            assert got == names  # exactly its signature: no family names besides
        own = f"From your transformers {whl.name.split('-')[1]} (installed)"
        if minor == "4.40":  # its own Args (LLAMA_INPUTS_DOCSTRING) under the hover
            assert own in _until(lambda: _hover(server, doc, 2, 13), lambda t: own in t, "doc")
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not ran(project / ".venv")


def _showing_progress(project, created: list[dict]) -> LspClient:
    """A server for `project`, initialized by a client that shows progress; the
    `window/workDoneProgress/create` requests it receives go to `created`."""
    server = LspClient.spawn(
        env={"PATH": "/usr/bin:/bin", "HOME": str(project)},
        on_request=lambda m: created.append(m) if m["method"].endswith("/create") else None,
    )
    uri = project.as_uri()
    try:
        server.initialize(
            {"window": {"workDoneProgress": True}},
            rootUri=uri,
            workspaceFolders=[{"uri": uri, "name": "p"}],
        )
    except BaseException:
        server.stop()
        raise
    return server


def test_the_classes_of_the_documents_opened_at_start_are_read_at_once(tmp_path):
    """The read waits for the editor's opening burst: one read takes the shared docs and the
    class the opened document names (a first read without it, then a second, used to)."""
    project = tmp_path / "project"
    whl = wheel("transformers", NEWEST)
    site = make_venv(project / ".venv", [whl])
    install_files(whl, site, [LLAMA, "transformers/modeling_layers.py"])
    names = _forward_names(site / LLAMA) - {"kwargs"}
    created: list[dict] = []
    server = _showing_progress(project, created)
    try:
        doc = (project / "train.py").as_uri()
        server.open(doc, CLASS_SOURCE)

        def offered() -> set[str]:
            return {label.rstrip("=") for label in _labels(server, doc, 3, 12)}

        _until(offered, lambda got: names <= got and "bool_masked_pos" not in got, "names")
        server.wait_for(
            lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == "end"
        )
        assert len(created) == 1, created
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not ran(project / ".venv")


def test_indexing_reports_progress_where_the_client_shows_it(tmp_path):
    project = tmp_path / "project"
    make_venv(project / ".venv", [wheel("transformers", "4.40")])
    created: list[dict] = []
    server = _showing_progress(project, created)
    try:

        def progress(kind: str):
            return server.wait_for(
                lambda m: m.get("method") == "$/progress" and m["params"]["value"]["kind"] == kind
            )["params"]

        begin, end = progress("begin"), progress("end")
        assert created and created[0]["params"]["token"] == begin["token"] == end["token"]
        assert "transformers 4.40" in begin["value"]["title"]
        order = [m.get("method") for m in server.messages]
        assert order.index("window/workDoneProgress/create") < order.index("$/progress")
        assert server.shutdown() == 0
    finally:
        server.stop()


def test_no_progress_where_the_client_does_not_show_it(tmp_path):
    project = tmp_path / "project"
    whl = wheel("transformers", "4.40")
    install_files(whl, make_venv(project / ".venv", [whl]), ["transformers/training_args.py"])
    server, doc = _session(project)
    try:
        said = "From your transformers"  # the read is over once its docs are in
        _until(lambda: _hover(server, doc, 1, 30), lambda text: said in text, "docs")
        assert server.shutdown() == 0
        methods = {m.get("method") for m in server.messages}
        assert not methods & {"window/workDoneProgress/create", "$/progress"}
    finally:
        server.stop()


def test_each_workspace_folder_answers_for_its_own_release(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    make_venv(old / ".venv", [wheel("transformers", "4.40")])
    make_venv(new / ".venv", [wheel("transformers", NEWEST)])
    nested = new / "sub"  # a folder inside another: the longest match wins
    make_venv(nested / ".venv", [wheel("transformers", "4.40")])
    server = LspClient.spawn(env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        folders = [{"uri": p.as_uri(), "name": p.name} for p in (old, new, nested)]
        server.initialize({}, rootUri=old.as_uri(), workspaceFolders=folders)
        docs = {
            name: path.as_uri()
            for name, path in [
                ("old", old / "a.py"),
                ("new", new / "a.py"),
                ("nested", nested / "a.py"),
                ("outside", tmp_path / "elsewhere" / "a.py"),
            ]
        }
        for doc in docs.values():
            server.open(doc, SOURCE)
        hovers = {name: _hover(server, doc, 1, 45) for name, doc in docs.items()}
        current = "`(TrainingArguments) evaluation_strategy"  # 4.40: deprecated only later
        assert hovers["old"].startswith(current), hovers["old"]
        assert hovers["new"].startswith(f"**Removed** after 4.50 (you have {NEWEST})")
        assert hovers["nested"].startswith(current), hovers["nested"]
        assert hovers["outside"] == hovers["old"]  # outside every folder: the first folder's
        told = [m["params"]["message"] for m in server.messages if "answers for" in str(m)]
        assert any(f"transformers {NEWEST} in {new}" in t for t in told), told
        # The nested folder is closed: its documents answer for the folder around them.
        removed = {"added": [], "removed": [folders[2]]}
        server.notify("workspace/didChangeWorkspaceFolders", {"event": removed})
        assert _hover(server, docs["nested"], 1, 45) == hovers["new"]
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not any(ran(p / ".venv") for p in (old, new, nested))


def test_the_editor_selected_interpreter_of_each_folder(tmp_path):
    """VS Code's Python extension selects an interpreter per folder: the extension sends the
    window's (`selectedInterpreter`) and each folder's (`selectedInterpreters`); a folder with
    its own answers for it, the others for the window's. Neither is run."""
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    old_env, new_env = tmp_path / "envs" / "old", tmp_path / "envs" / "new"
    make_venv(old_env, [wheel("transformers", "4.40")])
    make_venv(new_env, [wheel("transformers", NEWEST)])
    server = LspClient.spawn(env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    try:
        options = {
            "selectedInterpreter": str(old_env / "bin" / "python"),
            "selectedInterpreters": {str(two): str(new_env / "bin" / "python")},
        }
        folders = [{"uri": p.as_uri(), "name": p.name} for p in (one, two)]
        server.initialize(
            {},
            rootUri=one.as_uri(),
            workspaceFolders=folders,
            initializationOptions={"transformersGlossary": options},
        )
        docs = {p.name: (p / "a.py").as_uri() for p in (one, two)}
        for doc in docs.values():
            server.open(doc, SOURCE)
        hovers = {name: _hover(server, doc, 1, 45) for name, doc in docs.items()}
        assert hovers["one"].startswith("`(TrainingArguments) evaluation_strategy"), hovers["one"]
        assert hovers["two"].startswith(f"**Removed** after 4.50 (you have {NEWEST})")
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not any(ran(p) for p in (old_env, new_env))


def test_an_older_python_environment_elsewhere_named_by_the_python_setting(tmp_path):
    """README, Install: the server on its own Python, the project's environment a Python 3.8
    one kept outside the project (as conda or Poetry keep them), named by `python` with `~`."""
    home = tmp_path / "home"
    env = home / "envs" / "proj"
    site = make_venv(env, [wheel("transformers", "4.40")])
    site.parent.rename(site.parent.with_name("python3.8"))
    project = tmp_path / "project"
    project.mkdir()
    server = LspClient.spawn(env={"PATH": "/usr/bin:/bin", "HOME": str(home)})
    try:
        server.initialize(
            rootUri=project.as_uri(),
            initializationOptions={"transformersGlossary": {"python": "~/envs/proj"}},
        )
        told = server.wait_for(
            lambda m: (
                m.get("method") == "window/logMessage" and "answers for" in m["params"]["message"]
            )
        )["params"]["message"]
        assert "transformers 4.40" in told and "transformers 4.40.2" in told, told
        doc = (project / "train.py").as_uri()
        server.open(doc, SOURCE)
        assert _hover(server, doc, 2, 58).startswith("**Not in your 4.40**: new in 4.56.")
        assert server.shutdown() == 0
    finally:
        server.stop()
    assert not ran(env)
