"""The folder of validated vocabularies: keyed by what was read, bounded in count and bytes
(least recently used evicted first), written atomically. Every test uses its own folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from transformers_glossary_ls.vocabulary import loader
from transformers_glossary_ls.vocabulary.loader import load_default

TERM = """\
entries:
  - id: {name}
    term: {name}
    kind: concept
    summary: {summary}
    definition: Definition of {name}.
    url: https://example.org/{name}
"""


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    # XDG_CACHE_HOME is the folder the server has always honoured.
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    monkeypatch.delenv("TRANSFORMERS_GLOSSARY_CACHE", raising=False)
    return folder / "transformers-glossary-ls"


def user_file(directory: Path, name: str, summary: str = "First words.") -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(TERM.format(name=name, summary=summary), encoding="utf-8")
    return path


def cached(folder: Path) -> list[Path]:
    return sorted(folder.glob("vocabulary-*.json"))


def test_distinct_file_sets_do_not_grow_the_folder_without_bound(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_CACHE_FILES", 3, raising=False)
    for k in range(8):
        vocab, errors = load_default([user_file(tmp_path, f"term{k}")])
        assert not errors and f"term{k}" in vocab.entries
    assert len(cached(cache)) == 3


def test_the_folder_is_bounded_in_bytes(cache, tmp_path, monkeypatch):
    load_default([user_file(tmp_path, "probe")])
    one = cached(cache)[0].stat().st_size
    monkeypatch.setattr(loader, "MAX_CACHE_BYTES", int(one * 2.5), raising=False)
    for k in range(6):
        load_default([user_file(tmp_path, f"term{k}")])
    sizes = [p.stat().st_size for p in cached(cache)]
    assert sum(sizes) <= one * 2.5 and len(sizes) == 2


def test_the_least_recently_used_file_is_evicted_first(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_CACHE_FILES", 2, raising=False)
    a, b, c = (user_file(tmp_path, name) for name in ("zz-alpha", "zz-beta", "zz-gamma"))
    stamp = 1_000_000_000  # old, increasing times: a coarse clock cannot blur the order
    for path in (a, b, a, c):  # alpha is used again after beta: beta is the oldest
        load_default([path])
        used = max(cached(cache), key=lambda p: p.stat().st_mtime_ns)  # the one just used
        os.utime(used, ns=(stamp, stamp))
        stamp += 1_000
    kept = " ".join(p.read_text() for p in cached(cache))
    assert len(cached(cache)) == 2
    assert "zz-alpha" in kept and "zz-gamma" in kept and "zz-beta" not in kept


def test_a_failed_write_leaves_no_file_behind(cache, tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    vocab, errors = load_default([user_file(tmp_path, "alpha")])
    assert not errors and "alpha" in vocab.entries  # still served, just not cached
    assert list(cache.iterdir()) == []  # no half-written or temporary file


def test_the_key_is_what_was_read_not_the_mtime(cache, tmp_path):
    path = user_file(tmp_path, "alpha", summary="First words.")
    st = path.stat()
    assert load_default([path])[0].entries["alpha"].summary == "First words."
    path.write_text(TERM.format(name="alpha", summary="Other words."), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    assert load_default([path])[0].entries["alpha"].summary == "Other words."


def test_the_cache_folder_can_be_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_GLOSSARY_CACHE", str(tmp_path / "mine"))
    load_default([user_file(tmp_path, "alpha")])
    assert cached(tmp_path / "mine")


_START = """
import json, sys
from transformers_glossary_ls.server import GlossaryServer
server = GlossaryServer()
server.glossary.load()  # what `initialize` does
loaded = [name in sys.modules for name in ("yaml", "rapidfuzz")]
print(json.dumps([len(server.glossary.vocab.entries), *loaded]))
"""


def test_a_start_that_finds_the_cache_warm_imports_neither_yaml_nor_rapidfuzz(tmp_path):
    """PyYAML and rapidfuzz are ~14 and ~9 ms of a start (issue 6 counts startup). PyYAML is
    imported where a YAML text is read, which a start with the vocabulary cache warm never
    does; rapidfuzz where completion first ranks by likeness, or in an idle moment after
    `initialized` (tests/e2e/test_robustness.py). The first start reads the files and writes the
    cache; the second reads the cache."""
    import json
    import subprocess
    import sys

    env = {**os.environ, "TRANSFORMERS_GLOSSARY_CACHE": str(tmp_path / "cache")}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", _START],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout.splitlines()[-1]
        )
        for _ in range(2)
    ]
    (cold, cold_yaml, cold_fuzzy), (warm, warm_yaml, warm_fuzzy) = runs
    assert cold == warm > 300
    assert cold_yaml  # the files were read
    assert not warm_yaml
    assert not cold_fuzzy and not warm_fuzzy
