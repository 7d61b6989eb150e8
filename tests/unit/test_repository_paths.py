"""Finding a repository's vocabulary with no setting: the file and the folder at each workspace
folder's root, resolved and kept inside the folders; the stamp that tells an edit."""

from __future__ import annotations

import os

from transformers_glossary_ls.vocabulary.paths import (
    MAX_FOLDER_FILES,
    REPOSITORY_FILE,
    REPOSITORY_FOLDER,
    is_repository_vocabulary,
    repository_paths,
    repository_stamp,
)


def test_the_file_then_the_folder_in_name_order(tmp_path):
    (tmp_path / REPOSITORY_FILE).write_text("entries: []\n")
    folder = tmp_path / REPOSITORY_FOLDER
    folder.mkdir()
    for name in ("b.yaml", "a.yaml", "notes.txt"):
        (folder / name).write_text("entries: []\n")
    files, labels, problems = repository_paths([str(tmp_path)])
    real = os.path.realpath(tmp_path)
    assert files == (
        f"{real}/{REPOSITORY_FILE}",
        f"{real}/{REPOSITORY_FOLDER}/a.yaml",
        f"{real}/{REPOSITORY_FOLDER}/b.yaml",
    )
    assert [labels[f] for f in files] == [
        REPOSITORY_FILE,
        f"{REPOSITORY_FOLDER}/a.yaml",
        f"{REPOSITORY_FOLDER}/b.yaml",
    ]
    assert problems == []


def test_nothing_to_find(tmp_path):
    assert repository_paths([str(tmp_path)]) == ((), {}, [])
    assert repository_stamp([str(tmp_path)]) == ()


def test_a_symlink_out_of_the_workspace_is_dropped_with_one_problem(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "secret.yaml").write_text("entries: []\n")
    (repo / REPOSITORY_FILE).symlink_to(tmp_path / "secret.yaml")
    (repo / REPOSITORY_FOLDER).symlink_to(tmp_path)  # a folder pointing out of the workspace
    files, _, problems = repository_paths([str(repo)])
    assert files == ()
    (problem,) = problems
    assert "outside the workspace" in problem and problem.startswith(REPOSITORY_FILE)


def test_a_symlink_inside_the_workspace_is_read_once(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "terms.yaml").write_text("entries: []\n")
    (tmp_path / REPOSITORY_FILE).symlink_to(tmp_path / "docs" / "terms.yaml")
    files, labels, problems = repository_paths([str(tmp_path), str(tmp_path)])
    assert files == (os.path.realpath(tmp_path / "docs" / "terms.yaml"),)
    assert labels[files[0]] == "docs/terms.yaml" and problems == []


def test_the_folder_is_capped(tmp_path):
    folder = tmp_path / REPOSITORY_FOLDER
    folder.mkdir()
    for k in range(MAX_FOLDER_FILES + 5):
        (folder / f"{k:03}.yaml").write_text("entries: []\n")
    files, _, _ = repository_paths([str(tmp_path)])
    assert len(files) == MAX_FOLDER_FILES


def test_the_stamp_changes_on_add_edit_and_delete(tmp_path):
    folders = [str(tmp_path)]
    empty = repository_stamp(folders)
    path = tmp_path / REPOSITORY_FILE
    path.write_text("entries: []\n")
    added = repository_stamp(folders)
    path.write_text("entries: []\n# a longer file\n")
    edited = repository_stamp(folders)
    (tmp_path / REPOSITORY_FOLDER).mkdir()
    (tmp_path / REPOSITORY_FOLDER / "x.yaml").write_text("entries: []\n")
    more = repository_stamp(folders)
    path.unlink()
    deleted = repository_stamp(folders)
    stamps = [empty, added, edited, more, deleted]
    assert len(set(stamps)) == len(stamps)


def test_vocabulary_files_are_known_by_name():
    assert is_repository_vocabulary(f"/r/{REPOSITORY_FILE}")
    assert is_repository_vocabulary(f"/r/{REPOSITORY_FOLDER}/team.yaml")
    assert not is_repository_vocabulary("/r/config.yaml")
    assert not is_repository_vocabulary(f"/r/{REPOSITORY_FOLDER}/notes.md")
