"""A least-recently-used map bounded by entries and by bytes.

For caches whose keys come from the user's text or from a client's request: a bound on the
count alone bounds nothing when one key can be a megabyte.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

OVERHEAD = 64  # bytes counted per entry beyond its strings: the map's own slots, small objects


def text_size(key: Any, value: Any) -> int:
    """Bytes of the strings in a key (a string or a tuple) and a value, roughly, plus overhead."""
    parts = (*key, value) if isinstance(key, tuple) else (key, value)
    return OVERHEAD + sum(len(part) for part in parts if isinstance(part, str))


class BoundedCache(Generic[K, V]):
    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        size: Callable[[Any, Any], int] = text_size,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._size = size
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K, default: Any = None) -> Any:
        item = self._items.get(key)
        if item is None:
            return default
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: K, value: V) -> V:
        """Keep `value` (unless it alone is over the byte bound); evict the least recently used
        beyond the bounds. Returns `value`."""
        cost = self._size(key, value)
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        if cost > self.max_bytes:
            return value
        self._items[key] = (value, cost)
        self.bytes += cost
        while len(self._items) > self.max_entries or self.bytes > self.max_bytes:
            _, (_, evicted) = self._items.popitem(last=False)
            self.bytes -= evicted
        return value

    def items(self) -> list[tuple[K, V]]:
        """(key, value) of each entry, the least recently used first."""
        return [(key, value) for key, (value, _) in self._items.items()]

    def clear(self) -> None:
        self._items.clear()
        self.bytes = 0


__all__ = ["BoundedCache", "text_size"]
