"""Argument docs from the packages installed in the user's environment, read as text at run time
and shown below our own words (the way jedi shows a docstring). Nothing is imported or run;
nothing read here is stored in the repository or in a cache file.

Read with `ast`:
- transformers' shared argument docs: `utils/auto_docstring.py` (4.54+) or `utils/args_doc.py`
  (4.52-4.53), classes such as `ModelArgs` of `name = {"description": ..., "shape": ...}`;
- the `help` metadata of dataclass fields: `TrainingArguments`, trl's configs, peft's `LoraConfig`.
Plain Python: no LSP.
"""

from __future__ import annotations

import ast
import logging
import os
import re
import stat
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

MAX_SOURCE_BYTES = 4 * 1024 * 1024  # auto_docstring.py is ~150 kB; anything far larger is not it
MAX_DOC_CHARS = 1500  # one argument's description, shown in a hover

# Which catalogue callables read which argument-doc class of transformers.
_ARGS_CLASSES = {
    "ModelArgs": ("model",),
    "ModelForArgs": ("model",),
    "ModelOutputArgs": ("model_output",),
    "ImageProcessorArgs": ("image_processor", "processor"),
    "VideoProcessorArgs": ("processor",),
    "ProcessorArgs": ("processor",),
    "ConfigArgs": ("config",),
}
# (package, module path under site-packages, class) -> catalogue callable, for dataclass `help`.
_FIELD_HELP = (
    ("transformers", "transformers/training_args.py", "TrainingArguments", "training_args"),
    ("trl", "trl/trainer/sft_config.py", "SFTConfig", "SFTConfig"),
    ("trl", "trl/trainer/dpo_config.py", "DPOConfig", "DPOConfig"),
    ("trl", "trl/trainer/grpo_config.py", "GRPOConfig", "GRPOConfig"),
    ("trl", "trl/trainer/reward_config.py", "RewardConfig", "RewardConfig"),
    ("peft", "peft/tuners/lora/config.py", "LoraConfig", "LoraConfig"),
)


@dataclass
class InstalledDocs:
    """Descriptions by (catalogue callable, name), and where they were read."""

    versions: Mapping[str, str] = field(default_factory=dict)  # package -> installed version
    texts: dict[tuple[str, str], str] = field(default_factory=dict)

    def get(self, key: str, name: str) -> str | None:
        family = "model" if key.startswith("model:") or key[:1].isupper() else key
        return self.texts.get((key, name)) or self.texts.get((family, name))


def read_installed_docs(
    site_packages: Iterable[Path], versions: Mapping[str, str]
) -> InstalledDocs:
    """What the installed transformers, trl and peft document, from their source files."""
    docs = InstalledDocs(dict(versions))
    for site in site_packages:
        for member in ("transformers/utils/auto_docstring.py", "transformers/utils/args_doc.py"):
            tree = _parse(site / member)
            if tree is not None:
                _read_args_classes(tree, docs.texts)
                break
        for package, member, cls, key in _FIELD_HELP:
            if package not in versions:
                continue
            tree = _parse(site / member)
            if tree is not None:
                for name, text in _field_helps(tree, cls).items():
                    docs.texts.setdefault((key, name), text)
        if docs.texts:
            break  # the first site-packages holding them is the one Python would use
    return docs


def _read_args_classes(tree: ast.Module, out: dict[tuple[str, str], str]) -> None:
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or node.name not in _ARGS_CLASSES:
            continue
        for item in node.body:
            if not (isinstance(item, ast.Assign) and isinstance(item.value, ast.Dict)):
                continue
            names = [t.id for t in item.targets if isinstance(t, ast.Name)]
            described = _dict_str(item.value, "description")
            if not names or not described:
                continue
            for key in _ARGS_CLASSES[node.name]:
                out.setdefault((key, names[0]), _clean(described))


def _field_helps(tree: ast.Module, cls: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ClassDef) and node.name == cls):
            continue
        for item in node.body:
            if not (
                isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and isinstance(item.value, ast.Call)
            ):
                continue
            for kw in item.value.keywords:
                if kw.arg == "metadata" and isinstance(kw.value, ast.Dict):
                    text = _dict_str(kw.value, "help")
                    if text:
                        found[item.target.id] = _clean(text)
        break
    return found


def _dict_str(node: ast.Dict, key: str) -> str | None:
    for k, v in zip(node.keys, node.values, strict=False):
        if isinstance(k, ast.Constant) and k.value == key:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                return v.value
            if isinstance(v, ast.JoinedStr):  # an f-string: keep its literal parts
                return "".join(
                    p.value
                    for p in v.values
                    if isinstance(p, ast.Constant) and isinstance(p.value, str)
                )
    return None


_BLANKS = re.compile(r"\n{3,}")


def _clean(text: str) -> str:
    text = _BLANKS.sub("\n\n", textwrap.dedent(text).strip())
    return text if len(text) <= MAX_DOC_CHARS else text[: MAX_DOC_CHARS - 1].rstrip() + "…"


def _parse(path: Path) -> ast.Module | None:
    """A source file as a tree; None when absent, not a regular file, huge, or not Python.
    Opened once, non-blocking, and checked on the open descriptor (never blocks on a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
            log.info("%s: not a regular file of a plausible size; skipped", path)
            return None
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc)
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_BYTES:
        return None
    try:
        return ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        log.info("%s does not parse (%s); its docs are not shown", path, type(exc).__name__)
        return None


__all__ = ["InstalledDocs", "read_in_child", "read_installed_docs"]


# --- in a process of its own ------------------------------------------------------------------
# `ast.parse` holds the GIL for the whole of a 150 kB file (tens of ms): run in the server's
# process it would hold up the hovers meanwhile. A child process (our own interpreter and code,
# never the user's) does the reading; a hostile file can only cost that child.

MAX_OUTPUT_BYTES = 8 * 1024 * 1024


def to_json(docs: InstalledDocs) -> str:
    import json

    return json.dumps(
        {"versions": dict(docs.versions), "texts": [[k, n, t] for (k, n), t in docs.texts.items()]}
    )


def from_json(data: bytes | str) -> InstalledDocs:
    import json

    raw = json.loads(data)
    texts = {(k, n): t for k, n, t in raw["texts"] if all(isinstance(x, str) for x in (k, n, t))}
    return InstalledDocs(dict(raw["versions"]), texts)


def child_command(site_packages: Iterable[Path], versions: Mapping[str, str]) -> list[str]:
    """The command that reads the docs in a child process and prints them as JSON."""
    import sys

    args = [sys.executable, "-m", "transformers_glossary_ls.installed_docs"]
    args += [f"--version={name}={version}" for name, version in versions.items()]
    return args + [str(p) for p in site_packages]


def read_in_child(
    site_packages: Iterable[Path], versions: Mapping[str, str], timeout: float = 120
) -> InstalledDocs | None:
    """`read_installed_docs` in a child process (waiting on it releases the GIL); None when
    the child fails, runs too long or says too much."""
    import subprocess

    try:
        done = subprocess.run(
            child_command(site_packages, versions),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("reading the installed docs failed: %s", exc)
        return None
    if done.returncode != 0 or len(done.stdout) > MAX_OUTPUT_BYTES:
        log.warning(
            "reading the installed docs failed (exit %s): %s",
            done.returncode,
            done.stderr[-500:].decode(errors="replace"),
        )
        return None
    try:
        return from_json(done.stdout)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("the installed docs came back unreadable: %s", exc)
        return None


# --- kept between runs -----------------------------------------------------------------------
CACHE_FORMAT = 1
MAX_CACHE_FILES = 6  # a few environments, a few releases each
MAX_CACHE_BYTES = 32 * 1024 * 1024


def _sources(site_packages: Iterable[Path]) -> list[Path]:
    members = ["transformers/utils/auto_docstring.py", "transformers/utils/args_doc.py"]
    members += [member for _, member, _, _ in _FIELD_HELP]
    return [site / member for site in site_packages for member in members]


def cache_file(site_packages: Iterable[Path], versions: Mapping[str, str]) -> Path:
    """Keyed by the versions, where they are installed, and each source file's size and mtime
    (an editable install changes without a new version)."""
    import hashlib

    from transformers_glossary_ls import diskcache

    sites = list(site_packages)
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{sorted(versions.items())}".encode())
    for path in _sources(sites):
        try:
            st = path.stat()
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            digest.update(f"{path}\0-\0".encode())
    return diskcache.cache_dir() / f"installed-{digest.hexdigest()[:24]}.json"


def read_cached(site_packages: Iterable[Path], versions: Mapping[str, str]) -> InstalledDocs:
    """`read_installed_docs`, from the cache when the same files were read before."""
    from transformers_glossary_ls import diskcache

    sites = list(site_packages)
    path = cache_file(sites, versions)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_CACHE_BYTES + 1)
        if len(data) <= MAX_CACHE_BYTES:
            docs = from_json(data)
            diskcache.touch(path)
            return docs
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.info("ignoring installed-docs cache %s: %s", path, exc)
    docs = read_installed_docs(sites, versions)
    data = to_json(docs).encode()
    if len(data) <= MAX_CACHE_BYTES and diskcache.write_atomic(path, data):
        diskcache.trim(path.parent, "installed-*.json", MAX_CACHE_FILES, MAX_CACHE_BYTES, path)
    return docs


def main(argv: list[str]) -> int:
    versions = dict(a.split("=", 2)[1:] for a in argv if a.startswith("--version="))
    sites = [Path(a) for a in argv if not a.startswith("--")]
    print(to_json(read_cached(sites, versions)))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
