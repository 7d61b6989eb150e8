"""Finding the user's environment and releases by reading files only: real wheel metadata, every
layout, the documented order, pins, and nothing planted in a repository's `.venv` ever run."""

from __future__ import annotations

import ntpath
import os
import posixpath
from pathlib import Path

import pytest
from transformers_glossary_ls import environment as env
from transformers_glossary_ls.catalogue import default_catalogue
from transformers_glossary_ls.engine import Glossary
from transformers_glossary_ls.versions import release_for_spec, release_for_version

from tests.wheels import install_metadata, make_venv, ran, wheel

CATALOGUE = default_catalogue()
RELEASES = CATALOGUE.releases("transformers")
NEWEST = CATALOGUE.newest("transformers")


@pytest.fixture(scope="module")
def old_and_new():
    return wheel("transformers", "4.40"), wheel("transformers", NEWEST)


# --- versions -> catalogue releases ------------------------------------------------------------


@pytest.mark.parametrize(
    "version,release,noted",
    [
        ("4.40.2", "4.40", False),
        ("4.41.0.dev0", "4.41", True),  # an editable install of main
        ("5.0.0rc1", "5.0", True),
        ("99.1.0", NEWEST, True),  # newer than the catalogue
        ("3.5.1", RELEASES[0], True),  # older
    ],
)
def test_release_for_version(version, release, noted):
    chosen = release_for_version(RELEASES, version)
    assert chosen.release == release and bool(chosen.note) == noted


@pytest.mark.parametrize(
    "spec,release",
    [("==4.41.2", "4.41"), (">=4.40,<4.42", "4.41"), ("~=4.45.0", "4.45"), (">=4.46", NEWEST)],
)
def test_release_for_spec(spec, release):
    exact = lambda r: CATALOGUE.wheel_version("transformers", r)  # noqa: E731
    assert release_for_spec(RELEASES, spec, exact).release == release


def test_a_bad_version_or_spec_is_none():
    assert release_for_version(RELEASES, "not a version") is None
    assert release_for_spec(RELEASES, "=>4.0") is None


# --- environments ---------------------------------------------------------------------------------


@pytest.mark.wheels
def test_workspace_venv_holds_the_real_installed_version(tmp_path, old_and_new):
    old, _ = old_and_new
    make_venv(tmp_path / "proj" / ".venv", [old])
    found = env.find_environment([tmp_path / "proj"], process_env={}, server_prefix=tmp_path)
    assert found.source == env.WORKSPACE
    assert found.version("transformers") == "4.40.2"
    assert not ran(tmp_path / "proj" / ".venv")  # neither its python nor its .pth file


@pytest.mark.wheels
def test_the_documented_order(tmp_path, old_and_new):
    old, new = old_and_new
    setting, client, virtual, conda, work = (tmp_path / n for n in ("s", "c", "v", "k", "w"))
    for prefix in (setting, client, virtual, conda):
        make_venv(prefix, [new])
    make_venv(work / ".venv", [old])
    roots = [work]
    process = {"VIRTUAL_ENV": str(virtual), "CONDA_PREFIX": str(conda)}

    def source(**kw):
        return env.find_environment(roots, process_env=process, server_prefix=tmp_path, **kw)

    # An interpreter path counts as its environment; it is never run.
    assert source(python_setting=str(setting / "bin" / "python")).source == env.SETTING
    assert source(client_interpreter=str(client / "bin" / "python")).source == env.CLIENT
    assert source().source == env.PROCESS and source().prefix == virtual
    process.pop("VIRTUAL_ENV")
    assert source().prefix == conda
    process.clear()
    assert source().source == env.WORKSPACE
    assert env.find_environment([], process_env={}, server_prefix=setting).source == env.SERVER
    for prefix in (setting, client, virtual, conda, work / ".venv"):
        assert not ran(prefix)


def test_a_bad_setting_falls_through_to_the_next_way(tmp_path):
    make_venv(tmp_path / "w" / "venv")
    found = env.find_environment(
        [tmp_path / "w"], python_setting=str(tmp_path / "nowhere"), process_env={}
    )
    assert found.source == env.WORKSPACE


def test_windows_and_conda_layouts(tmp_path):
    win = tmp_path / "win"
    (win / "Lib" / "site-packages" / "peft-0.21.2.dist-info").mkdir(parents=True)
    (win / "Scripts").mkdir()
    (win / "Scripts" / "python.exe").write_bytes(b"MZ")
    found = env.find_environment([], python_setting=str(win / "Scripts" / "python.exe"))
    assert found.prefix == win and found.version("peft") == "0.21.2"  # from the folder name
    conda = tmp_path / "conda"
    (conda / "conda-meta").mkdir(parents=True)
    (conda / "lib" / "python3.12" / "site-packages" / "trl-1.16.0.dist-info").mkdir(parents=True)
    found = env.find_environment([], process_env={"CONDA_PREFIX": str(conda)})
    assert found.source == env.PROCESS and found.version("trl") == "1.16.0"


def test_system_site_packages_are_seen_after_the_venvs_own(tmp_path):
    base = tmp_path / "base"
    (base / "lib" / "python3.11" / "site-packages" / "transformers-4.45.2.dist-info").mkdir(
        parents=True
    )
    (base / "bin").mkdir()
    venv = tmp_path / "venv"
    make_venv(venv)
    (venv / "pyvenv.cfg").write_text(
        f"home = {base / 'bin'}\ninclude-system-site-packages = true\n"
    )
    found = env.find_environment([], python_setting=str(venv), process_env={})
    assert found.version("transformers") == "4.45.2"


def test_metadata_that_is_a_fifo_does_not_block(tmp_path):
    site = make_venv(tmp_path / "v")
    dist = site / "transformers-4.44.0.dist-info"
    dist.mkdir()
    os.mkfifo(dist / "METADATA")  # opened non-blocking, then refused as not a regular file
    found = env.find_environment([], python_setting=str(tmp_path / "v"), process_env={})
    assert found.version("transformers") == "4.44.0"


def test_pins_in_the_project(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\ndependencies = ["transformers==4.41.2", "torch"]\n'
    )
    (tmp_path / "requirements.txt").write_text("trl>=0.19,<0.20  # pinned\npeft\n-e .\n")
    assert env.pinned_versions([tmp_path]) == {"transformers": "==4.41.2", "trl": "<0.20,>=0.19"}
    script = '# /// script\n# dependencies = [\n#   "transformers>=4.46",\n# ]\n# ///\n'
    assert env.pinned_versions([], script) == {"transformers": ">=4.46"}


@pytest.mark.wheels
def test_choose_versions_then_answers_change_with_them(tmp_path, old_and_new):
    old, new = old_and_new
    project = tmp_path / "p"
    make_venv(project / ".venv", [old])
    glossary = Glossary()
    glossary.load()
    code = "args = TrainingArguments(evaluation_strategy='steps')"
    analysis = Glossary.open("file:///p/train.py", code, "python")

    def first_line() -> str:
        return glossary.hover(analysis, 0, 30, markdown=False).text.split("\n")[0]

    choice = env.choose_versions([project], process_env={}, server_prefix=tmp_path)
    assert "workspace virtual environment" in choice.message
    glossary.use_versions(choice.versions)
    # In 4.40 the name is current (deprecated from 4.41): no status line, the signature leads.
    assert first_line().startswith("(TrainingArguments) evaluation_strategy")
    loading = Glossary.open("file:///p/load.py", "m = AutoModel.from_pretrained(n, dtype=d)")
    assert glossary.hover(loading, 0, 34, markdown=False).text.startswith(
        "Not in your 4.40: new in 4.56."
    )
    # Installing the newer wheel's metadata instead: the same line is now an error of theirs.
    for dist in (project / ".venv" / "lib" / "python3.11" / "site-packages").glob("*.dist-info"):
        for f in dist.iterdir():
            f.unlink()
        dist.rmdir()
    install_metadata(new, project / ".venv" / "lib" / "python3.11" / "site-packages")
    glossary.use_versions(env.choose_versions([project], process_env={}).versions)
    assert first_line().startswith(f"Removed after 4.50 (you have {NEWEST})")
    # The setting wins over what is installed.
    glossary.use_versions(env.choose_versions([project], None, None, "4.45.1", {}).versions)
    assert "(you have 4.45)" in first_line()


def test_no_environment_and_no_pins_means_the_newest(tmp_path):
    choice = env.choose_versions([tmp_path], process_env={}, server_prefix=tmp_path / "none")
    assert choice.versions == {} and "no Python environment" in choice.message


def test_describe_names_the_source_and_versions(tmp_path):
    site = make_venv(tmp_path / "v")
    (site / "transformers-5.17.0.dist-info").mkdir()
    found = env.find_environment([], python_setting=str(tmp_path / "v"), process_env={})
    assert found.describe() == f"setting `python` at {tmp_path / 'v'}: transformers 5.17.0"
    assert isinstance(found.stamp(), tuple)


def test_paths_are_never_run(tmp_path):
    prefix = tmp_path / "v"
    make_venv(prefix)
    env.choose_versions([tmp_path], str(prefix / "bin" / "python"), str(prefix), None, {})
    assert not ran(prefix)
    assert Path(prefix / "bin" / "python").exists()


@pytest.mark.parametrize(
    ("paths", "path", "folders", "expected"),
    [
        (posixpath, "/w/a/b/train.py", ["/w", "/w/a", "/w/ab"], 1),  # the innermost wins
        (posixpath, "/w/ab/x.py", ["/w/a", "/w/ab/"], 1),  # a prefix is not a parent
        (posixpath, "/W/a/x.py", ["/w/a"], None),  # POSIX names are case-sensitive
        (posixpath, "/w/a", [None, "/w/a"], 1),
        (ntpath, "c:\\Proj\\src\\train.py", ["C:\\proj", "C:\\PROJ\\Src"], 1),
        (ntpath, "c:/proj/train.py", ["C:\\Proj\\"], 0),  # either slash, any case
        (ntpath, "d:\\proj\\x.py", ["C:\\proj"], None),
    ],
)
def test_the_folder_holding_a_file_is_found_as_the_file_system_compares(
    paths, path, folders, expected
):
    assert env.folder_holding(path, folders, paths) == expected
