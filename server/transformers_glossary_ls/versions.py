"""Which catalogue release answers for an installed or pinned version: PEP 440 comparisons
(`packaging`), never hand-written parsing (`4.41.0.dev0`, `5.0.0rc1`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

MAX_PATCH = 40  # patches of a minor tried against a requirement


@dataclass(frozen=True)
class InForce:
    """The catalogue release chosen for a package, and why."""

    release: str  # a catalogue minor, "5.17"
    version: str  # what the user has or pins: "5.17.0", "==4.41.2", or the release itself
    note: str = ""  # said once to the user when the release is not an exact match


def _minor(version: Version) -> str:
    return f"{version.major}.{version.minor}"


def release_for_version(releases: list[str], version: str) -> InForce | None:
    """The catalogue release of an installed version: its minor, else the nearest known."""
    if not releases:
        return None
    try:
        wanted = Version(version)
    except InvalidVersion:
        return None
    minor = _minor(wanted)
    if minor in releases:
        note = ""
        if wanted.is_prerelease or wanted.is_devrelease:
            note = f"{version} is a pre-release; answers are for the {minor} release"
        return InForce(minor, version, note)
    known = sorted(releases, key=Version)
    if Version(minor) > Version(known[-1]):
        return InForce(
            known[-1],
            version,
            f"{version} is newer than the newest known release "
            f"({known[-1]}); answers are for {known[-1]}",
        )
    if Version(minor) < Version(known[0]):
        return InForce(
            known[0],
            version,
            f"{version} is older than the oldest known release "
            f"({known[0]}); answers are for {known[0]}",
        )
    below = [r for r in known if Version(r) < Version(minor)]
    return InForce(
        below[-1], version, f"{minor} is not in the catalogue; answers are for {below[-1]}"
    )


def release_for_spec(
    releases: list[str], spec: str, exact: Callable[[str], str | None] = lambda r: None
) -> InForce | None:
    """The newest catalogue release a requirement allows (`==4.41.2`, `>=4.40,<4.42`).
    `exact(release)` gives the patch version of a release, when known, to test against."""
    # Imported here, for a pinned requirement: an installed version needs none (see `_collect`
    # in environment.py).
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        allowed = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    for release in sorted(releases, key=Version, reverse=True):
        # Any patch of the minor will do (`==4.41.2` pins the 4.41 release).
        candidates = [v for v in (exact(release),) if v] + [
            f"{release}.{patch}" for patch in range(MAX_PATCH)
        ]
        if any(allowed.contains(v, prereleases=True) for v in candidates):
            return InForce(release, spec)
    return None


def releases_in_force(
    versions: Mapping[str, str],
    releases: Callable[[str], list[str]],
    exact: Callable[[str, str], str | None] = lambda package, release: None,
) -> tuple[dict[str, InForce], list[str]]:
    """The catalogue release of each package's installed version (`5.17.0`) or pinned
    requirement (`==4.41.2`, `>=4.40,<4.42`), and what to tell the user (a version no release
    matches, a requirement none meets; a package so left out is answered for the newest).
    `releases(package)`: the catalogue's; `exact(package, release)`: its patch version."""
    in_force, notes = {}, []
    for package, version in versions.items():
        known = releases(package)
        if version[:1].isdigit():
            chosen = release_for_version(known, version)
        else:
            chosen = release_for_spec(known, version, lambda r, p=package: exact(p, r))
        if chosen is None:
            notes.append(f"{package} {version}: no known release matches; using the newest")
            continue
        in_force[package] = chosen
        if chosen.note:
            notes.append(f"{package}: {chosen.note}")
    return in_force, notes


__all__ = ["InForce", "release_for_spec", "release_for_version", "releases_in_force"]
