"""The typed cache statistics: one hit-rate formula, one way to add loaders up, the JSON keys clients read."""

from __future__ import annotations

from collections import Counter

from wf_lsp.core.cache.cachestats import CacheStats
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.settings import Settings
from wf_lsp.report import statistics

LOADER_KEYS = [
    "hits", "misses", "sharedHits", "sharedRejected", "sharedRecomputed", "inflightShared", "validations",
    "validationMs", "size", "maxSize", "ttlSeconds", "hitRate", "memoryBytes", "memoryUsedMb", "fingerprint", "shared",
]  # fmt: skip


def test_a_loader_reports_the_keys_wf_cache_stats_always_had() -> None:
    loader = WorkflowLoader(Settings())
    text = '{"nodes": [], "connections": {}}'
    loader.validate_text(text, "a.json")
    loader.validate_text(text, "a.json")
    stats = loader.stats()
    assert list(stats) == LOADER_KEYS
    assert (stats["hits"], stats["misses"], stats["hitRate"]) == (1, 1, 0.5)


def test_total_adds_counters_and_keeps_one_hit_rate() -> None:
    a = CacheStats(hits=3, misses=1, max_size=10, ttl_seconds=60, fingerprint="f1")
    a.shared = {"state": "closed", "hits": 1}
    b = CacheStats(hits=0, misses=4, shared_hits=2, max_size=10, ttl_seconds=90, fingerprint="f2")
    b.shared = {"state": "open", "hits": 2}
    total = CacheStats.total([a, b])
    assert (total.hits, total.misses, total.shared_hits, total.max_size, total.loaders) == (3, 5, 2, 20, 2)
    assert (total.ttl_seconds, total.fingerprint, total.shared) == (60, "f1", {"state": "open", "hits": 3})
    assert total.hit_rate == round(5 / 10, 4)
    json = total.to_json()
    assert list(json) == ["loaders", *LOADER_KEYS] and json["hitRate"] == 0.5
    assert CacheStats().hit_rate == 0.0


def test_the_local_check_cache_adds_its_own_figures_and_is_no_loader() -> None:
    total = CacheStats.total([CacheStats(hits=1), CacheStats(local_hits=4, local_misses=2)])
    assert (total.loaders, total.local_hits, total.local_misses) == (1, 4, 2)
    assert total.to_json()["localHits"] == 4
    assert "localHits" not in CacheStats.total([CacheStats(hits=1)]).to_json()


def test_the_statistics_text_names_each_figure() -> None:
    stats = CacheStats(hits=2, shared_hits=1, misses=3, local_hits=5, local_misses=0, shared_rejected=1)
    stats.shared = {"state": "closed", "hits": 1, "misses": 3, "errors": 0, "time_ms": 2.25}
    text = statistics.render(Counter({"A": 1, "B": 2}), stats)
    assert text == (
        "     2  B\n     1  A\n"
        "cache: 2 hit(s), 1 shared hit(s), 3 miss(es); local: 5 hit(s), 0 miss(es);"
        " redis: state=closed hits=1 misses=3 rejected=1 recomputed=0 errors=0 time=2.2ms\n"
    )
