"""Files the server keeps between runs (validated vocabularies, installed docs): where they go,
written atomically, and the folder kept within a count and a size, least recently used first."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_DIR_ENV = "TRANSFORMERS_GLOSSARY_CACHE"  # overrides the folder (tests, sandboxes)
STALE_TEMP_SECONDS = 3600


def cache_dir() -> Path:
    """$TRANSFORMERS_GLOSSARY_CACHE, else the XDG cache folder."""
    chosen = os.environ.get(CACHE_DIR_ENV)
    if chosen:
        return Path(chosen)
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "transformers-glossary-ls"


def write_atomic(path: Path, data: bytes) -> bool:
    """A reader sees the old file or the whole new one, never half of it."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False
        ) as f:
            temp = f.name
            f.write(data)
        os.replace(temp, path)
        temp = None
        return True
    except OSError as exc:
        log.info("cannot write cache file %s: %s", path, exc)
        return False
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)


def trim(folder: Path, pattern: str, max_files: int, max_bytes: int, keep: Path) -> None:
    """Evict the least recently used files matching `pattern` beyond the count and size bounds,
    and temp files a writer that died left behind."""
    found = []
    try:
        for item in folder.glob(pattern):
            with contextlib.suppress(OSError):
                st = item.stat()
                found.append((st.st_mtime_ns, item.name, item, st.st_size))
        for item in folder.glob(".tmp-*.json"):
            with contextlib.suppress(OSError):
                if time.time() - item.stat().st_mtime > STALE_TEMP_SECONDS:
                    item.unlink()
    except OSError:
        return
    found.sort(reverse=True)  # newest first
    count = total = 0
    for _, _, item, size in found:
        count += 1
        total += size
        if item != keep and (count > max_files or total > max_bytes):
            with contextlib.suppress(OSError):
                item.unlink()
            count -= 1
            total -= size


def touch(path: Path) -> None:
    """Mark a cache file as recently used: evicted last."""
    with contextlib.suppress(OSError):
        os.utime(path)


__all__ = ["CACHE_DIR_ENV", "cache_dir", "touch", "trim", "write_atomic"]
