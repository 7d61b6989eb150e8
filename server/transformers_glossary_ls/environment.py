"""The user's Python environment and the transformers, trl and peft releases installed in it.

Found by reading files only: a cloned repository controls its `.venv` (a planted interpreter,
`.pth` files), so nothing in it is ever run or imported. `site-packages` comes from the folder
layout and `pyvenv.cfg`; versions from `*.dist-info/METADATA` (or `*.egg-info/PKG-INFO`).
With no environment, a version pinned in the project's files stands in. Plain Python: no LSP.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

log = logging.getLogger(__name__)

PACKAGES = ("transformers", "trl", "peft")
WORKSPACE_VENVS = (".venv", "venv", "env")  # uv's and venv's defaults, and the other common one
PIN_FILES = ("pyproject.toml", "requirements.txt", "requirements-dev.txt", "requirements/base.txt")
MAX_METADATA_BYTES = 64 * 1024  # the header we read is at the top; the long description is not
MAX_PIN_FILE_BYTES = 512 * 1024
MAX_SITE_ENTRIES = 20_000  # a site-packages folder bigger than this is read no further

# How the environment was chosen, in the order they are tried.
SETTING, CLIENT, PROCESS, WORKSPACE, SERVER, PINNED = (
    "setting `python`",
    "interpreter selected in the editor",
    "VIRTUAL_ENV / CONDA_PREFIX",
    "workspace virtual environment",
    "the server's own interpreter",
    "version pinned in the project",
)


@dataclass(frozen=True)
class Installed:
    """One distribution found in an environment."""

    name: str
    version: str
    metadata: Path  # the dist-info (or egg-info) folder; its mtime tells a reinstall


@dataclass(frozen=True)
class Environment:
    """Where the user's packages are, how we found it, and what is installed."""

    source: str  # one of SETTING ... PINNED
    prefix: Path | None  # the environment folder; None for pinned versions
    site_packages: tuple[Path, ...] = ()
    installed: Mapping[str, Installed] = field(default_factory=dict)
    pinned: Mapping[str, str] = field(default_factory=dict)  # name -> version, when pinned

    def version(self, package: str) -> str | None:
        found = self.installed.get(package)
        return found.version if found is not None else self.pinned.get(package)

    def describe(self) -> str:
        versions = ", ".join(
            f"{name} {self.version(name)}" for name in PACKAGES if self.version(name)
        )
        where = f" at {self.prefix}" if self.prefix is not None else ""
        return f"{self.source}{where}: {versions or 'no transformers, trl or peft installed'}"

    def stamp(self) -> tuple:
        """Changes when a package is installed, upgraded or removed (mtimes of what we read)."""
        return tuple(_mtime(p) for p in self.site_packages) + tuple(
            (i.name, i.version, _mtime(i.metadata)) for i in self.installed.values()
        )


def find_environment(
    roots: Iterable[Path],
    python_setting: str | None = None,
    client_interpreter: str | None = None,
    process_env: Mapping[str, str] | None = None,
    server_prefix: Path | None = None,
) -> Environment | None:
    """The user's environment, tried in the documented order; None when none has site-packages
    (the caller then falls back to `pinned_versions` and the catalogue's newest release)."""
    process_env = os.environ if process_env is None else process_env
    roots = list(roots)
    tries: list[tuple[str, str | Path | None]] = [
        (SETTING, python_setting),
        (CLIENT, client_interpreter),
        (PROCESS, process_env.get("VIRTUAL_ENV")),
        (PROCESS, process_env.get("CONDA_PREFIX")),
    ]
    tries += [(WORKSPACE, root / name) for root in roots for name in WORKSPACE_VENVS]
    tries.append((SERVER, server_prefix if server_prefix is not None else Path(sys.prefix)))
    for source, where in tries:
        if not where:
            continue
        prefix = environment_prefix(Path(where).expanduser())
        if prefix is None:
            if source in (SETTING, CLIENT):
                log.warning("%s %s: not a Python environment; trying the next way", source, where)
            continue
        site = site_packages(prefix)
        if not site:
            continue
        return Environment(source, prefix, site, installed_in(site))
    return None


@dataclass(frozen=True)
class Choice:
    """The versions answers are for, and the one line that tells the user where they came from."""

    versions: Mapping[str, str]  # package -> installed version or pinned requirement
    message: str
    environment: Environment | None = None


def choose_versions(
    roots: Iterable[Path],
    python_setting: str | None = None,
    client_interpreter: str | None = None,
    version_override: str | None = None,
    process_env: Mapping[str, str] | None = None,
    server_prefix: Path | None = None,
) -> Choice:
    """The user's transformers/trl/peft versions: the `transformersVersion` setting wins for
    transformers; otherwise the environment found, else the project's pins, else none (the
    newest release the catalogue knows)."""
    roots = list(roots)
    env = find_environment(roots, python_setting, client_interpreter, process_env, server_prefix)
    versions: dict[str, str] = {}
    if env is not None:
        versions = {name: found.version for name, found in env.installed.items()}
        said = env.describe()
    if not versions:
        pinned = pinned_versions(roots)
        if pinned:
            env = Environment(PINNED, None, pinned=pinned)
            versions, said = dict(pinned), env.describe()
        elif env is None:
            said = "no Python environment found"
        else:
            said = env.describe()
    if version_override:
        versions["transformers"] = version_override
        said += f"; transformers {version_override} set by `transformersVersion`"
    return Choice(versions, said, env)


def folder_holding(path: str, folders: Sequence[str | None], paths=os.path) -> int | None:
    """Which of `folders` holds `path`: the innermost (longest) one, None when none does.
    Compared the way the file system compares names (`paths` is `os.path`: on Windows case
    and `/` versus `\\` do not matter, so `C:\\Proj` holds `c:/proj/train.py`)."""
    here = paths.normcase(path)
    best, length = None, -1
    for k, folder in enumerate(folders):
        if not folder:
            continue
        root = paths.normcase(folder).rstrip(paths.sep)
        if len(root) > length and (here == root or here.startswith(root + paths.sep)):
            best, length = k, len(root)
    return best


def environment_prefix(path: Path) -> Path | None:
    """The environment folder of an interpreter path (`.venv/bin/python`,
    `env\\Scripts\\python.exe`) or of the folder itself; None when it is not one."""
    try:
        if path.is_file() or path.is_symlink():  # an interpreter (never run: only its folder)
            folder = path.parent
            if folder.name.lower() in ("bin", "scripts"):
                return folder.parent if _looks_like_prefix(folder.parent) else None
            return folder if _looks_like_prefix(folder) else None  # conda on Windows
        if path.is_dir() and _looks_like_prefix(path):
            return path
    except OSError as exc:
        log.info("cannot look at %s: %s", path, exc)
    return None


def _looks_like_prefix(path: Path) -> bool:
    try:
        return (
            (path / "pyvenv.cfg").is_file()
            or (path / "conda-meta").is_dir()
            or (path / "Lib" / "site-packages").is_dir()
            or any((path / "lib").glob("python3*/site-packages"))
        )
    except OSError:
        return False


def site_packages(prefix: Path) -> tuple[Path, ...]:
    """The site-packages folders of an environment, its own first; a venv made with
    `--system-site-packages` also sees its base's."""
    found = _own_site_packages(prefix)
    config = _pyvenv_cfg(prefix)
    if config.get("include-system-site-packages", "").lower() == "true" and config.get("home"):
        base = Path(config["home"])
        base = base.parent if base.name.lower() in ("bin", "scripts") else base
        found += [p for p in _own_site_packages(base) if p not in found]
    return tuple(found)


def _own_site_packages(prefix: Path) -> list[Path]:
    out = []
    try:
        windows = prefix / "Lib" / "site-packages"
        if windows.is_dir():
            out.append(windows)
        lib = prefix / "lib"
        if lib.is_dir():
            for version_dir in sorted(lib.glob("python3*"), reverse=True):
                for name in ("site-packages", "dist-packages"):
                    if (version_dir / name).is_dir():
                        out.append(version_dir / name)
    except OSError as exc:
        log.info("cannot list %s: %s", prefix, exc)
    return out


def _pyvenv_cfg(prefix: Path) -> dict[str, str]:
    text = _read_text(prefix / "pyvenv.cfg", 16 * 1024)
    config = {}
    for line in (text or "").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            config[key.strip().lower()] = value.strip()
    return config


_DIST = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+?)-(?P<version>[^-]+?)\.(?:dist|egg)-info$")


def installed_in(site: Iterable[Path], names: Iterable[str] = PACKAGES) -> dict[str, Installed]:
    """The wanted distributions found in site-packages folders (the first folder wins)."""
    wanted = {_normalise(n) for n in names}
    found: dict[str, Installed] = {}
    for folder in site:
        try:
            entries = os.scandir(folder)
        except OSError as exc:
            log.info("cannot list %s: %s", folder, exc)
            continue
        with entries:
            for count, entry in enumerate(entries):
                if count >= MAX_SITE_ENTRIES:
                    log.warning("%s holds more than %d entries; read no further", folder, count)
                    break
                match = _DIST.match(entry.name)
                if match is None:
                    continue
                name = _normalise(match.group("name"))
                if name not in wanted or name in found:
                    continue
                version = _metadata_version(Path(entry.path)) or match.group("version")
                try:
                    Version(version)
                except InvalidVersion:
                    log.info("%s: version %r is not PEP 440; ignored", entry.path, version)
                    continue
                found[name] = Installed(name, version, Path(entry.path))
    return found


def _metadata_version(folder: Path) -> str | None:
    for name in ("METADATA", "PKG-INFO"):
        text = _read_text(folder / name, MAX_METADATA_BYTES)
        if text is None:
            continue
        for line in text.splitlines():
            if not line.strip():
                break  # the end of the header
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() == "version":
                return value.strip()
    return None


# --- versions pinned in the project -------------------------------------------------------------

_SCRIPT_BLOCK = re.compile(r"(?ms)^# /// script\s*$(.*?)^# ///\s*$")
_DEPENDENCY = re.compile(r"""["']([^"'\n]+)["']""")


def pinned_versions(roots: Iterable[Path], script: str | None = None) -> dict[str, str]:
    """Versions the project pins (`transformers==4.41.2`) or bounds (`>=4.40,<4.42`), from a PEP 723
    header of the open script, `pyproject.toml` or `requirements*.txt`, as specifier strings."""
    found: dict[str, str] = {}
    if script:
        block = _SCRIPT_BLOCK.search(script[:MAX_PIN_FILE_BYTES])
        if block:
            body = "\n".join(line.lstrip("#")[1:] for line in block.group(1).splitlines())
            _collect(_DEPENDENCY.findall(body), found)
    for root in roots:
        for name in PIN_FILES:
            text = _read_text(root / name, MAX_PIN_FILE_BYTES)
            if text is None:
                continue
            if name.endswith(".toml"):
                _collect(_DEPENDENCY.findall(text), found)
            else:
                _collect((line.split("#", 1)[0] for line in text.splitlines()), found)
    return found


def _collect(requirements: Iterable[str], found: dict[str, str]) -> None:
    # Imported here, where a project pins something: most runs of `check` never parse a
    # requirement, and packaging.requirements costs more to import than they take to run.
    from packaging.requirements import InvalidRequirement, Requirement

    for text in requirements:
        text = text.strip()
        if not text or text.startswith("-"):
            continue
        try:
            req = Requirement(text)
        except InvalidRequirement:
            continue
        name = _normalise(req.name)
        if name in PACKAGES and name not in found and str(req.specifier):
            found[name] = str(req.specifier)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _read_text(path: Path, limit: int) -> str | None:
    """Up to `limit` bytes of a regular file, or None; never blocks on a FIFO or device."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, limit)
    except OSError as exc:
        log.info("cannot read %s: %s", path, exc)
        return None
    finally:
        os.close(fd)
    return data.decode("utf-8", errors="replace")


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


__all__ = [
    "CLIENT",
    "PACKAGES",
    "PINNED",
    "PROCESS",
    "SERVER",
    "SETTING",
    "WORKSPACE",
    "Choice",
    "Environment",
    "Installed",
    "choose_versions",
    "environment_prefix",
    "find_environment",
    "installed_in",
    "pinned_versions",
    "site_packages",
]
