"""Caches whose keys come from user text or client requests are bounded in bytes, not only in
entries: a megabyte key a few hundred times must not stay in memory."""

from __future__ import annotations

import tracemalloc

import pytest
from transformers_glossary_ls.bounded import OVERHEAD, BoundedCache
from transformers_glossary_ls.engine import Glossary


def test_evicts_the_least_recently_used_beyond_the_count():
    cache = BoundedCache(2, 10_000)
    cache.put("a", "1")
    cache.put("b", "2")
    assert cache.get("a") == "1"  # a is now the most recently used
    cache.put("c", "3")
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("1", None, "3")


def test_items_come_least_recently_used_first():
    cache = BoundedCache(3, 10_000)
    for key in "abc":
        cache.put(key, key.upper())
    cache.get("a")
    assert cache.items() == [("b", "B"), ("c", "C"), ("a", "A")]


def test_evicts_beyond_the_bytes():
    cache = BoundedCache(100, 3 * (OVERHEAD + 1000))
    for k in range(10):
        cache.put(str(k), "x" * 999)
    assert len(cache) == 3 and cache.bytes <= cache.max_bytes
    assert cache.get("9") is not None and cache.get("0") is None


def test_a_value_over_the_bound_is_returned_not_kept():
    cache = BoundedCache(100, 1000)
    cache.put("small", "x")
    assert cache.put("big", "x" * 5000) == "x" * 5000
    assert cache.get("big") is None and cache.get("small") == "x"


def test_replacing_a_key_counts_its_bytes_once():
    cache = BoundedCache(100, 10_000)
    for _ in range(50):
        cache.put("k", "x" * 100)
    assert len(cache) == 1 and cache.bytes == OVERHEAD + 1 + 100


def _retained(work) -> int:
    """Bytes still allocated after `work()` returns (what a cache kept)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        work()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    glossary = Glossary()
    glossary.load()
    return glossary


def test_documentation_for_many_huge_heads_keeps_little(glossary):
    def work():
        for k in range(200):
            glossary.documentation("attention_mask", f"{k}" + "H" * 100_000)

    assert _retained(work) < 4_000_000  # 200 such heads are 20 MB


def test_catalogue_lookups_of_many_huge_names_keep_little(glossary):
    def work():
        for k in range(200):
            glossary.facts.lookup("model", f"{k}" + "n" * 100_000)

    assert _retained(work) < 8_000_000
