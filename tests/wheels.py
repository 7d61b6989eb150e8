"""Real wheels for tests: from the cache the catalogue generator fills
(`TGLS_WHEEL_CACHE`, default ~/.cache/transformers-glossary-ls/wheels), pip-downloaded
(`--no-deps`, never installed) when missing. Offline the test is skipped, except under CI."""

from __future__ import annotations

import importlib.util
import os
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "build_catalogue", REPO / "tools" / "build_catalogue.py"
)
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def wheel(package: str, minor: str) -> Path:
    """The newest cached patch wheel of `package` `minor` (e.g. "4.40")."""
    root = build.cache_dir()
    found = build.find_wheels(root, package).get(minor)
    if found is None:
        try:
            build.download(package, [minor], root, root / package)
        except Exception as exc:
            if os.environ.get("CI"):
                raise
            pytest.skip(f"{package} {minor} wheel not cached and not downloadable: {exc}")
        found = build.find_wheels(root, package)[minor]
    return found


def install_metadata(whl: Path, site_packages: Path) -> Path:
    """Unpack only the wheel's `*.dist-info` into `site_packages`: what an install leaves
    that tells the version, without the package (no torch, nothing importable)."""
    site_packages.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(whl) as z:
        names = [n for n in z.namelist() if n.split("/")[0].endswith(".dist-info")]
        z.extractall(site_packages, names)
    return site_packages / names[0].split("/")[0]


def make_venv(prefix: Path, wheels: list[Path] = ()) -> Path:
    """A virtual environment's layout (`pyvenv.cfg`, `bin/`, `lib/python3.11/site-packages`)
    holding the metadata of `wheels`. Its `bin/python` is a planted script that leaves a mark
    if anything ever runs it."""
    site = prefix / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True, exist_ok=True)
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n")
    (prefix / "bin").mkdir(exist_ok=True)
    planted = prefix / "bin" / "python"
    planted.write_text(f"#!/bin/sh\ntouch '{prefix}/RAN'\n")
    planted.chmod(0o755)
    (site / "planted.pth").write_text(f"import os; open({str(prefix / 'RAN')!r}, 'w')\n")
    for w in wheels:
        install_metadata(w, site)
    return site


def ran(prefix: Path) -> bool:
    """Whether anything planted in the environment was run."""
    return (prefix / "RAN").exists()


def install_files(whl: Path, site_packages: Path, members: list[str]) -> None:
    """Unpack some of the wheel's own files (source read as text by the server, never run)."""
    with zipfile.ZipFile(whl) as z:
        present = set(z.namelist())
        z.extractall(site_packages, [m for m in members if m in present])
