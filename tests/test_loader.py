"""WorkflowLoader: cache keys, LRU and TTL, tenant isolation, the concurrency limit, stats and the shared layer."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from tests.helpers import DATA
from wf_lsp.core import engine
from wf_lsp.core.loader import WorkflowLoader, content_hash
from wf_lsp.core.settings import CacheSettings, Settings

TEXT = (DATA / "ok" / "valid_default.json").read_text()
FOREIGN = TEXT.replace('"${TENANT_ID}"', '"acme"')


def test_lru_eviction_and_stats() -> None:
    loader = WorkflowLoader(Settings(cache=CacheSettings(max_entries=2)))
    texts = [TEXT.replace("Demo", f"Demo {i}") for i in range(3)]
    for t in texts:
        loader.validate_text(t)
    loader.validate_text(texts[2])  # hit
    loader.validate_text(texts[0])  # evicted: miss
    s = loader.stats()
    assert (s["hits"], s["misses"], s["size"], s["maxSize"]) == (1, 4, 2, 2)
    assert 0 < s["hitRate"] < 1 and s["memoryBytes"] > 0 and s["shared"]["state"] == "disabled"


def _untyped_nodes(count: int, tag: str) -> str:
    """A workflow whose every node lacks a type: one finding per node."""
    nodes = ",".join(f'{{"id": "{tag}{i}", "name": "{tag} {i}", "type": "", "parameters": {{}}}}' for i in range(count))
    return f'{{"tenantId": "t", "nodes": [{nodes}], "connections": {{}}}}'


def test_results_with_many_findings_weigh_more() -> None:
    """A cache of maxEntries results with thousands of findings each would hold gigabytes: heavy results count more."""
    loader = WorkflowLoader(Settings(cache=CacheSettings(max_entries=10)))
    heavy = [_untyped_nodes(250, f"h{k}") for k in range(4)]
    for text in heavy:
        assert len(loader.validate_text(text).findings) >= 250  # weighs 1 + 250 // 100 = 3
    assert loader.stats()["size"] == 3  # the fourth pushed the first out (4 × 3 > 10)
    assert loader.validate_text(heavy[3]).cache_hit and not loader.validate_text(heavy[0]).cache_hit
    # one heavier than the whole cache is validated and returned every time, but never kept
    huge = _untyped_nodes(1200, "x")
    first, again = loader.validate_text(huge), loader.validate_text(huge)
    assert len(first.findings) == len(again.findings) >= 1200 and not again.cache_hit
    assert loader.stats()["size"] <= 3


def test_ttl_expiry(monkeypatch: Any) -> None:
    loader = WorkflowLoader(Settings(cache=CacheSettings(ttl_seconds=1)))
    loader.validate_text(TEXT)
    assert loader.validate_text(TEXT).cache_hit
    time.sleep(1.1)
    assert not loader.validate_text(TEXT).cache_hit


def test_settings_change_never_serves_a_stale_result() -> None:
    a = WorkflowLoader(Settings(profile="recommended"))
    b = WorkflowLoader(Settings(profile="oracle"))
    assert a.fingerprint != b.fingerprint
    assert a.shared_key(TEXT) != b.shared_key(TEXT)
    assert a.shared_key(TEXT).endswith(content_hash(TEXT)) and len(content_hash(TEXT)) == 64


def test_one_tenants_result_never_serves_another() -> None:
    acme = WorkflowLoader(Settings(tenant_id="acme", user_level=2))
    globex = WorkflowLoader(Settings(tenant_id="globex", user_level=2))
    assert acme.shared_key(FOREIGN) != globex.shared_key(FOREIGN)
    assert acme.validate_text(FOREIGN).valid
    assert [f.code for f in globex.validate_text(FOREIGN).errors] == ["TENANT_MISMATCH"]
    # and a level change is a different key too
    assert WorkflowLoader(Settings(tenant_id="globex", user_level=4)).fingerprint != globex.fingerprint


def test_concurrency_limit_is_enforced(monkeypatch: Any) -> None:
    active, peak = 0, 0
    lock = threading.Lock()
    real = engine.analyze

    def slow(*args: Any, **kwargs: Any) -> Any:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1
        return real(*args, **kwargs)

    import wf_lsp.core.loader as loader_mod

    monkeypatch.setattr(loader_mod, "analyze", slow)
    loader = WorkflowLoader(max_concurrency=2)
    threads = [threading.Thread(target=loader.validate_text, args=(TEXT.replace("Demo", f"D{i}"),)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2 and loader.stats()["validations"] == 8


class _MemoryStore:
    """An in-memory SharedStore (the Redis layer's contract) that counts calls."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.gets = 0

    def get_many(self, keys: Any) -> list[bytes | None]:
        self.gets += 1
        return [self.data.get(k) for k in keys]

    def set_many(self, items: Any, ttl_seconds: int) -> None:
        self.data.update(items)

    def stats(self) -> dict[str, Any]:
        return {"state": "closed"}

    def close(self) -> None:
        pass


def test_shared_layer_round_trip_and_garbage_is_ignored(tmp_path: Path) -> None:
    store = _MemoryStore()
    texts = [(None, TEXT.replace("Demo", f"D{i}")) for i in range(5)]
    keyed = Settings(cache=CacheSettings(secret="team secret"))
    assert WorkflowLoader(store=store).validate_batch(texts) and store.gets == 0  # no secret: the layer stays off
    first = WorkflowLoader(keyed, store=store).validate_batch(texts)
    assert store.gets == 1 and len(store.data) == 5
    second_loader = WorkflowLoader(keyed, store=store)
    second = second_loader.validate_batch(texts)
    assert store.gets == 2 and second_loader.stats()["sharedHits"] == 5 and second_loader.stats()["validations"] == 0
    assert [[f.code for f in r.findings] for r in first] == [[f.code for f in r.findings] for r in second]
    for key in store.data:
        store.data[key] = b"\x00garbage"
    third = WorkflowLoader(keyed, store=store)
    assert third.validate_text(texts[0][1]).valid and third.stats()["validations"] == 1
    assert third.stats()["sharedRejected"] == 1
