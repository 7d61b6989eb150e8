"""Vocabulary paths from settings: user-level ones anywhere, workspace-level ones only inside the
workspace folders (symlinks and `..` resolved); every dropped path named once, shortened."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from transformers_glossary_ls.settings import parse_settings
from transformers_glossary_ls.vocabulary.paths import (
    MAX_SHOWN,
    shown,
    user_paths,
    vocabulary_paths,
    workspace_paths,
)


@pytest.fixture
def tree(tmp_path) -> Path:
    (tmp_path / "repo" / "docs").mkdir(parents=True)
    (tmp_path / "repo" / "docs" / "terms.yaml").write_text("entries: []\n")
    (tmp_path / "elsewhere.yaml").write_text("entries: []\n")
    (tmp_path / "repo" / "out.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (tmp_path / "repo" / "in.yaml").symlink_to(tmp_path / "repo" / "docs" / "terms.yaml")
    (tmp_path / "repo-sibling").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    "path,inside",
    [
        ("docs/terms.yaml", "docs/terms.yaml"),
        ("./docs/../docs/terms.yaml", "docs/terms.yaml"),
        ("in.yaml", "docs/terms.yaml"),  # a symlink that stays inside
        ("{root}/docs/terms.yaml", "docs/terms.yaml"),
        ("not-there-yet.yaml", "not-there-yet.yaml"),  # the loader reports it missing
        ("../elsewhere.yaml", None),
        ("docs/../../elsewhere.yaml", None),
        ("out.yaml", None),  # a symlink that leaves
        ("{tmp}/elsewhere.yaml", None),
        ("../repo-sibling/x.yaml", None),  # a folder whose name starts like the workspace's
        ("/proc/self/environ", None),
        ("~/.ssh/id_rsa", None),
        ("~nosuchuser-tgls/x.yaml", None),
        ("x\0.yaml", None),
    ],
)
def test_workspace_paths(tree, path, inside):
    root = tree / "repo"
    kept, dropped = workspace_paths([path.format(root=root, tmp=tree)], str(root), [str(root)])
    if inside is None:
        assert kept == () and len(dropped) == 1
    else:
        assert kept == (os.path.realpath(root / inside),) and dropped == []


def test_workspace_paths_need_a_workspace(tree):
    assert workspace_paths(["docs/terms.yaml"], None, [])[0] == ()


def test_any_workspace_folder_will_do(tree):
    kept, _ = workspace_paths([str(tree / "elsewhere.yaml")], str(tree / "repo"), [str(tree)])
    assert kept == (str(tree / "elsewhere.yaml"),)


@pytest.mark.parametrize(
    "path,expected,why",
    [
        ("/abs/x.yaml", "/abs/x.yaml", None),
        ("rel/x.yaml", "{root}/rel/x.yaml", None),
        ("~/x.yaml", "{home}/x.yaml", None),
        ("x\0.yaml", None, "NUL"),
        ("~nosuchuser-tgls/x.yaml", None, "home folder"),
        ("", None, "empty"),
    ],
)
def test_user_paths(tmp_path, path, expected, why):
    kept, dropped = user_paths([path], str(tmp_path))
    if expected is None:
        assert kept == () and why in dropped[0]
    else:
        assert kept == (expected.format(root=tmp_path, home=Path.home()),) and dropped == []


def test_one_problem_per_setting_and_paths_shortened(tmp_path):
    long = "/" + "d" * 100_000 + "\0.yaml"
    files, problems = vocabulary_paths(
        [long, "~nosuchuser-tgls/a", "b\0", "c\0", "/ok.yaml"], ["/etc/passwd"], None, []
    )
    assert files == ("/ok.yaml",)
    assert [p.split(":")[0] for p in problems] == ["extraGlossaryFiles", "workspaceGlossaryFiles"]
    assert "and 1 more" in problems[0]
    assert max(len(p) for p in problems) < 4 * MAX_SHOWN + 200
    assert "\0" not in problems[0] and "\\x00" in problems[0]
    assert len(shown(long)) <= MAX_SHOWN + 2


def test_workspace_glossary_files_setting():
    settings, problems = parse_settings({"workspaceGlossaryFiles": ["a.yaml"]})
    assert settings.workspace_glossary_files == ("a.yaml",) and problems == []
    settings, problems = parse_settings({"workspaceGlossaryFiles": "a.yaml"})
    assert settings.workspace_glossary_files == () and "workspaceGlossaryFiles" in problems[0]
