"""Vocabulary paths from settings, made absolute; those a repository may set kept inside the
workspace. Engine code: reads no file, and its messages name paths, never file content.

User-level paths (`extraGlossaryFiles`, and every setting of editors that do not tell scopes
apart) may point anywhere. Workspace-level paths (`workspaceGlossaryFiles`) come from the
repository being edited, so they must resolve, symlinks and `..` followed, inside a workspace
folder: otherwise a cloned repository could make the server read `/proc/self/environ`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

MAX_SHOWN = 120  # characters of a path shown in a message
MAX_LISTED = 3  # dropped paths named in one message


def shown(path: str) -> str:
    """A path fit for a message: control characters escaped, long ones cut in the middle."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in path[: MAX_SHOWN * 2])
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN // 2 - 1] + "…" + text[-(MAX_SHOWN // 2) :]
    return repr(text)


def _absolute(path: str, root: str | None) -> tuple[Path | None, str]:
    """`~` expanded, a relative path taken from the workspace root; or None and why not."""
    if "\0" in path:
        return None, "contains a NUL character"
    if not path.strip():
        return None, "is empty"
    try:
        expanded = Path(path).expanduser()
    except RuntimeError:  # ~user naming no user, or no home folder
        return None, "names a home folder that does not exist"
    if expanded.is_absolute():
        return expanded, ""
    return (Path(root) / expanded if root else expanded), ""


def user_paths(paths: Iterable[str], root: str | None) -> tuple[tuple[str, ...], list[str]]:
    """User-level paths made absolute, and one line per path that was dropped."""
    kept, dropped = [], []
    for path in paths:
        absolute, why = _absolute(path, root)
        if absolute is None:
            dropped.append(f"{shown(path)} {why}")
        else:
            kept.append(str(absolute))
    return tuple(kept), dropped


def workspace_paths(
    paths: Iterable[str], root: str | None, folders: Iterable[str]
) -> tuple[tuple[str, ...], list[str]]:
    """Workspace-level paths resolved (symlinks, `..`) and kept only inside `folders`; one line
    per path that was dropped. The resolved path is what gets read, so a symlink cannot be
    swapped between this check and the read."""
    inside = [_real(folder) for folder in folders]
    inside = [folder for folder in inside if folder is not None]
    kept, dropped = [], []
    for path in paths:
        absolute, why = _absolute(path, root)
        real = _real(str(absolute)) if absolute is not None else None
        if absolute is not None and real is None:
            why = "cannot be resolved"
        elif real is not None and not any(_within(real, folder) for folder in inside):
            real, why = None, "is outside the workspace folders"
        if real is None:
            dropped.append(f"{shown(path)} {why}")
        else:
            kept.append(real)
    return tuple(kept), dropped


def vocabulary_paths(
    user: Iterable[str], workspace: Iterable[str], root: str | None, folders: Iterable[str]
) -> tuple[tuple[str, ...], list[str]]:
    """Every vocabulary file to read (user-level first, each once), and one problem per setting
    that had paths dropped."""
    kept_user, bad_user = user_paths(user, root)
    kept_workspace, bad_workspace = workspace_paths(workspace, root, folders)
    problems = [
        _problem(setting, bad)
        for setting, bad in (
            ("extraGlossaryFiles", bad_user),
            ("workspaceGlossaryFiles", bad_workspace),
        )
        if bad
    ]
    return tuple(dict.fromkeys(kept_user + kept_workspace)), problems


# A repository's own vocabulary, found with no setting at the root of each workspace folder:
# one file, and/or a folder of them (read in name order, after the file).
REPOSITORY_FILE = ".transformers-glossary.yaml"
REPOSITORY_FOLDER = ".transformers-glossary"
MAX_FOLDER_FILES = 32
WATCHED = ("**/" + REPOSITORY_FILE, f"**/{REPOSITORY_FOLDER}/*.yaml")


def _candidates(folder: str) -> list[str]:
    """The vocabulary paths at a folder's root, in the order they are read (none read here)."""
    found = []
    single = os.path.join(folder, REPOSITORY_FILE)
    if os.path.lexists(single):
        found.append(single)
    many = os.path.join(folder, REPOSITORY_FOLDER)
    try:
        with os.scandir(many) as listing:
            names = sorted(e.name for e in listing if e.name.endswith(".yaml"))
    except (OSError, ValueError):
        names = []
    found += [os.path.join(many, name) for name in names[:MAX_FOLDER_FILES]]
    return found


def repository_paths(
    folders: Iterable[str],
) -> tuple[tuple[str, ...], dict[str, str], list[str]]:
    """The repository vocabulary files of every workspace folder, resolved and kept inside the
    folders as `workspaceGlossaryFiles` are; how a hover names each (relative to its folder);
    and one problem when any was dropped."""
    folders = list(dict.fromkeys(folders))
    kept: list[str] = []
    labels: dict[str, str] = {}
    dropped: list[str] = []
    for folder in folders:
        paths, bad = workspace_paths(_candidates(folder), folder, folders)
        dropped += bad
        for path in paths:
            if path not in labels:
                kept.append(path)
                real = _real(folder) or folder
                inside = _within(path, real)
                labels[path] = os.path.relpath(path, real) if inside else path
    problems = [_problem(REPOSITORY_FILE, dropped)] if dropped else []
    return tuple(kept), labels, problems


def repository_stamp(folders: Iterable[str]) -> tuple:
    """What the repository vocabularies look like on disk (a few stat calls): when it differs
    from the last one, they were added, edited or deleted."""
    stamp = []
    for folder in dict.fromkeys(folders):
        for path in (
            os.path.join(folder, REPOSITORY_FOLDER),
            *_candidates(folder),
        ):
            try:
                st = os.stat(path)
            except (OSError, ValueError):
                continue
            stamp.append((path, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(stamp)


def is_repository_vocabulary(path: str) -> bool:
    """Whether a path names a repository vocabulary file (by name: the server attaches to
    those YAML files only)."""
    parent, name = os.path.split(path)
    return name == REPOSITORY_FILE or (
        name.endswith(".yaml") and os.path.basename(parent) == REPOSITORY_FOLDER
    )


def _problem(setting: str, dropped: list[str]) -> str:
    more = f"; and {len(dropped) - MAX_LISTED} more" if len(dropped) > MAX_LISTED else ""
    return f"{setting}: ignored {'; '.join(dropped[:MAX_LISTED])}{more}"


def _real(path: str) -> str | None:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def _within(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives
        return False


__all__ = [
    "REPOSITORY_FILE",
    "REPOSITORY_FOLDER",
    "WATCHED",
    "is_repository_vocabulary",
    "repository_paths",
    "repository_stamp",
    "shown",
    "user_paths",
    "vocabulary_paths",
    "workspace_paths",
]
