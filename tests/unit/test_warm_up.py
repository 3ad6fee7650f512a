"""Warming a process (pdf/warm.py) and the illustration caches it fills (illustrations/cache.py)."""

import pytest

from hepbuilder.illustrations import build_illustration, compose
from hepbuilder.illustrations.cache import LRUCache, illustration_cache_size
from hepbuilder.library import load_library
from hepbuilder.pdf.warm import warm_up


def test_warm_up_draws_every_bundled_illustration_on_both_sides_and_renders_a_handout():
    compose._BUILT.clear()
    warmed = warm_up()
    library = load_library()
    illustrated = [e for e in library.exercises.values() if (e.illustration or {}).get("frames")]
    assert warmed.exercises == len(library.exercises) > 0
    assert warmed.illustrations == 2 * len(illustrated)
    assert warmed.handout_bytes > 10_000
    cached = len(compose._BUILT)
    for exercise in illustrated:
        for side in ("right", "left"):
            build_illustration(exercise.illustration, side)
    assert len(compose._BUILT) == cached  # nothing left to draw


def test_lru_cache_drops_the_least_recently_used_entry_not_everything():
    cache = LRUCache(max_entries=3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"  # "a" is now the most recently used
    cache.put("d", "D")
    assert (cache.get("b"), cache.get("a"), cache.get("c"), cache.get("d")) == (None, "A", "C", "D")
    assert len(cache) == 3


def test_lru_cache_makes_a_value_once_per_key():
    cache = LRUCache(max_entries=2)
    made = []
    for _ in range(3):
        cache.get_or_make("k", lambda: made.append(1) or len(made))
    assert made == [1] and cache.get("k") == 1


def test_illustration_cache_size_comes_from_the_setting(monkeypatch):
    monkeypatch.delenv("HEPBUILDER_ILLUSTRATION_CACHE", raising=False)
    assert illustration_cache_size() == 4096
    monkeypatch.setenv("HEPBUILDER_ILLUSTRATION_CACHE", "500")
    assert illustration_cache_size() == 500 == LRUCache().max_entries
    for wrong in ("0", "many"):
        monkeypatch.setenv("HEPBUILDER_ILLUSTRATION_CACHE", wrong)
        with pytest.raises(ValueError, match="HEPBUILDER_ILLUSTRATION_CACHE"):
            illustration_cache_size()
