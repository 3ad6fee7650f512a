"""A small thread-safe LRU cache for drawn illustrations, sized by HEPBUILDER_ILLUSTRATION_CACHE.

One entry is one illustration at one side (and, for the PDF pen, one printed size): about 80 KB
of geometry for compose's cache, a few KB of operators for the PDF pen's. The default, 4,096,
holds a 2,000-exercise library on both sides; a smaller value trades memory for redrawing.
"""

import os
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable

CACHE_SIZE_ENV = "HEPBUILDER_ILLUSTRATION_CACHE"
# How often this process computed an illustration's geometry ("geometry": compose) and simplified
# a drawing's paths for a printed size ("simplified": pdf_pen): what stored paths spare a process
# (tests and benchmarks read it; nothing else does).
COMPUTED: Counter = Counter()
DEFAULT_CACHE_SIZE = 4096


def cache_size_setting(name: str, default: int) -> int:
    """The environment setting `name` (a positive whole number), else `default`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        size = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if size < 1:
        raise ValueError(f"{name} must be at least 1")
    return size


def illustration_cache_size() -> int:
    """The setting (a positive whole number), else DEFAULT_CACHE_SIZE."""
    return cache_size_setting(CACHE_SIZE_ENV, DEFAULT_CACHE_SIZE)


class LRUCache:
    """Keys to values; past `max_entries` the least recently used entry goes (never all at once)."""

    def __init__(self, max_entries: int | None = None):
        self.max_entries = max_entries or illustration_cache_size()
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get_or_make(self, key: Hashable, make: Callable[[], object]):
        """The cached value for `key`, else `make()` stored under it (made outside the lock)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = make()
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_MISSING = object()
