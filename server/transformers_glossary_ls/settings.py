"""Server options: camelCase on the wire, snake_case here, safe defaults, unknown keys ignored."""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from typing import Any

LOG_LEVELS = {
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
}


MAX_PATH_CHARS = 4096
MAX_FOLDERS = 64  # entries of selectedInterpreters: one per workspace folder
# A code or a code prefix, as `check --select` takes them: "TG003", "TG00", "TG".
_CODE = re.compile(r"TG\d{0,3}\Z")


@dataclass(frozen=True)
class DiagnosticsSettings:
    enabled: bool = True
    select: tuple[str, ...] = ()  # only codes starting with one of these (all when empty)
    ignore: tuple[str, ...] = ()  # never codes starting with one of these


@dataclass(frozen=True)
class Settings:
    log_level: str = "warning"
    extra_glossary_files: tuple[str, ...] = ()  # user-level: may point anywhere
    # Workspace-level (a repository's settings, sent only for a trusted workspace): confined to
    # the workspace folders by vocabulary/paths.py.
    workspace_glossary_files: tuple[str, ...] = ()
    completion_prose: bool = True
    python: str | None = None  # the user's interpreter or environment folder (never run)
    selected_interpreter: str | None = None  # what the editor's Python extension selected
    # The same per workspace folder (folder path -> interpreter path), where they differ.
    selected_interpreters: tuple[tuple[str, str], ...] = ()
    transformers_version: str | None = None  # answer for this release, whatever is installed
    diagnostics: DiagnosticsSettings = dataclasses.field(default_factory=DiagnosticsSettings)
    # Read `.transformers-glossary.yaml` at each workspace folder's root (the VS Code extension
    # sends false while the workspace is not trusted).
    repository_vocabulary: bool = True
    # Go to definition from argument names in code, and built-in argument entries in workspace
    # symbols: off, so ours do not mix with pyright's or jedi's.
    navigation_arguments: bool = False


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from initializationOptions / didChangeConfiguration, and what was wrong in them.

    A bad value falls back to its default; the problems are returned so the caller can tell
    the user once.
    """
    problems: list[str] = []
    if raw is None:
        return Settings(), problems
    if not isinstance(raw, dict):
        return Settings(), [f"settings must be an object, got {type(raw).__name__}"]
    # didChangeConfiguration may wrap ours in {"transformersGlossary": {...}}
    if isinstance(raw.get("transformersGlossary"), dict):
        raw = raw["transformersGlossary"]
    values: dict[str, Any] = {}

    level = raw.get("logLevel")
    if level is not None:
        if isinstance(level, str) and level.lower() in LOG_LEVELS:
            values["log_level"] = level.lower()
        else:
            problems.append(f"logLevel must be one of {', '.join(LOG_LEVELS)}; got {level!r}")

    for key, field in (
        ("extraGlossaryFiles", "extra_glossary_files"),
        ("workspaceGlossaryFiles", "workspace_glossary_files"),
    ):
        files = raw.get(key)
        if files is not None:
            if isinstance(files, list) and all(isinstance(f, str) for f in files):
                values[field] = tuple(files)
            else:
                problems.append(f"{key} must be a list of paths; got {files!r:.80}")

    for wire, name in (
        ("python", "python"),
        ("selectedInterpreter", "selected_interpreter"),
        ("transformersVersion", "transformers_version"),
    ):
        value = raw.get(wire)
        if value is None or value == "":
            continue
        if isinstance(value, str) and "\0" not in value and len(value) <= MAX_PATH_CHARS:
            values[name] = value.strip()
        else:
            problems.append(f"{wire} must be a path or version string; got {str(value)[:80]!r}")

    chosen = raw.get("selectedInterpreters")
    if chosen is not None:
        if (
            isinstance(chosen, dict)
            and len(chosen) <= MAX_FOLDERS
            and all(_a_path(k) and _a_path(v) for k, v in chosen.items())
        ):
            values["selected_interpreters"] = tuple((k, v.strip()) for k, v in chosen.items() if v)
        else:
            problems.append(
                "selectedInterpreters must map folder paths to interpreter paths;"
                f" got {str(chosen)[:80]!r}"
            )

    completion = raw.get("completion")
    if isinstance(completion, dict) and "prose" in completion:
        if isinstance(completion["prose"], bool):
            values["completion_prose"] = completion["prose"]
        else:
            problems.append(f"completion.prose must be true or false; got {completion['prose']!r}")
    for wire, name, value in (
        ("repositoryVocabulary", "repository_vocabulary", raw.get("repositoryVocabulary")),
        (
            "navigation.arguments",
            "navigation_arguments",
            (raw.get("navigation") or {}).get("arguments")
            if isinstance(raw.get("navigation"), dict)
            else None,
        ),
    ):
        if value is None:
            continue
        if isinstance(value, bool):
            values[name] = value
        else:
            problems.append(f"{wire} must be true or false; got {str(value)[:80]!r}")
    if "diagnostics" in raw:
        values["diagnostics"] = _diagnostics(raw["diagnostics"], problems)
    return Settings(**values), problems


def _a_path(value: Any) -> bool:
    return isinstance(value, str) and "\0" not in value and len(value) <= MAX_PATH_CHARS


def _diagnostics(raw: Any, problems: list[str]) -> DiagnosticsSettings:
    """`{"enabled": true, "select": ["TG001"], "ignore": ["TG003"]}`; each bad field falls
    back to its default on its own."""
    if not isinstance(raw, dict):
        problems.append(f"diagnostics must be an object; got {str(raw)[:80]!r}")
        return DiagnosticsSettings()
    values: dict[str, Any] = {}
    enabled = raw.get("enabled")
    if enabled is not None:
        if isinstance(enabled, bool):
            values["enabled"] = enabled
        else:
            problems.append(f"diagnostics.enabled must be true or false; got {enabled!r:.80}")
    for key in ("select", "ignore"):
        codes = raw.get(key)
        if codes is None:
            continue
        if isinstance(codes, list) and all(
            isinstance(c, str) and _CODE.match(c.strip().upper()) for c in codes
        ):
            values[key] = tuple(c.strip().upper() for c in codes)
        else:
            problems.append(
                f'diagnostics.{key} must be a list of codes such as "TG003"; got {codes!r:.80}'
            )
    return DiagnosticsSettings(**values)


__all__ = ["LOG_LEVELS", "DiagnosticsSettings", "Settings", "parse_settings"]
