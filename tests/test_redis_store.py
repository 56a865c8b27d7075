"""RedisStore against a real redis-server: sharing, batching, and every fault failing open."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.redis_server import RedisServer, free_port
from wf_lsp.core.cache.redis_store import RedisStore, mask_url, open_store
from wf_lsp.core.cache.store import NullStore, SharedStore

REPO = Path(__file__).resolve().parents[1]
NS = "wf-lsp:v1"
PASSWORD = "s3cret-Pa55word"
WRONG = "wrong-Pa55word-xyz"
StoreFactory = Callable[..., RedisStore]


def key(n: int | str) -> str:
    """A key shaped like the loader's (namespace, settings fingerprint, content hash)."""
    return f"{NS}:fp0123:{n:0>64}"


@pytest.fixture
def stores() -> Iterator[StoreFactory]:
    """Make RedisStores that are closed at teardown."""
    made: list[RedisStore] = []

    def make(url: str, **kwargs: Any) -> RedisStore:
        store = RedisStore(url, **kwargs)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


def redis_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "wf_lsp.redis" and r.levelno >= logging.WARNING]


def test_round_trip_sets_ttl_and_keeps_order(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url)
    store.set_many([(key(1), b"one"), (key(2), b"two"), (key(3), b"\x00three")], ttl_seconds=120)

    assert store.get_many([key(3), key(404), key(1), key(2)]) == [
        b"\x00three",
        None,
        b"one",
        b"two",
    ]
    ttl = redis_server.client().ttl(key(1))
    assert 0 < ttl <= 120
    stats = store.stats()
    assert stats["state"] == "closed"
    assert (stats["hits"], stats["misses"], stats["sets"], stats["errors"]) == (3, 1, 3, 0)
    assert stats["calls"] == 2
    assert stats["time_ms"] > 0


def test_keys_outside_the_namespace_are_prefixed(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url, namespace="team-a")
    store.set_many([("plain", b"v")], ttl_seconds=60)
    assert redis_server.client().get("team-a:plain") == b"v"
    assert store.get_many(["plain", "team-a:plain"]) == [b"v", b"v"]


def test_one_mget_per_batch_and_one_round_trip_per_call(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url)
    store.set_many([(key(i), b"x%d" % i) for i in range(300)], ttl_seconds=60)
    redis_server.client().config_resetstat()

    values = store.get_many([key(i) for i in range(300)])

    assert values == [b"x%d" % i for i in range(300)]
    assert redis_server.command_calls("mget") == 1
    assert redis_server.command_calls("get") == 0
    assert store.stats()["calls"] == 2  # one pipeline for the 300 SETs, one for the MGET


def test_repeated_keys_are_asked_once(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url)
    store.set_many([(key(1), b"one")], ttl_seconds=60)
    redis_server.client().config_resetstat()
    assert store.get_many([key(1), key(2), key(1), key(1)]) == [b"one", None, b"one", b"one"]
    assert redis_server.client().info("stats")["keyspace_hits"] == 1
    assert (store.stats()["hits"], store.stats()["misses"]) == (3, 1)


def test_huge_batch_is_chunked_into_mgets_in_one_round_trip(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url)
    redis_server.client().config_resetstat()
    assert store.get_many([key(i) for i in range(2500)]) == [None] * 2500
    assert redis_server.command_calls("mget") == 3
    assert store.stats()["calls"] == 1


_CHILD = """
import json, sys
from wf_lsp.core.cache.redis_store import RedisStore
store = RedisStore(sys.argv[1])
if sys.argv[2] == "write":
    store.set_many([(sys.argv[3], b"from-child")], ttl_seconds=60)
    print(json.dumps(store.stats()))
else:
    print(json.dumps([v.decode() if v else None for v in store.get_many([sys.argv[3]])]))
store.close()
"""


def _child(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_processes_share_values(redis_server: RedisServer, stores: StoreFactory) -> None:
    child_stats = json.loads(_child(redis_server.url, "write", key("child")))
    assert child_stats["sets"] == 1 and child_stats["state"] == "closed"
    store = stores(redis_server.url)
    assert store.get_many([key("child")]) == [b"from-child"]

    store.set_many([(key("parent"), b"from-parent")], ttl_seconds=60)
    assert json.loads(_child(redis_server.url, "read", key("parent"))) == ["from-parent"]


def test_construction_is_lazy(redis_server: RedisServer, stores: StoreFactory) -> None:
    before = redis_server.client().info("stats")["total_connections_received"]
    store = stores(redis_server.url)
    store.stats()
    after = redis_server.client().info("stats")["total_connections_received"]
    assert after - before == 1  # only the test's own INFO client connected
    assert store.stats()["calls"] == 0


def test_connection_refused_fails_open_and_breaker_stops_calls(
    stores: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    store = stores(f"redis://127.0.0.1:{free_port()}/0", breaker_cooldown_s=60)
    started = time.monotonic()
    assert store.get_many([key(1), key(2)]) == [None, None]
    store.set_many([(key(1), b"v")], ttl_seconds=60)
    assert store.get_many([key(1)]) == [None]
    assert time.monotonic() - started < 1.0
    stats = store.stats()
    assert stats["state"] == "open"
    assert stats["calls"] == 1 and stats["errors"] == 1  # the breaker kept the later calls away
    assert stats["misses"] == 3
    assert "ConnectionError" in stats["last_error"]
    assert len(redis_warnings(caplog)) == 1


def test_server_dies_mid_run_then_breaker_recovers(
    redis_server: RedisServer, stores: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    store = stores(redis_server.url, breaker_cooldown_s=0.2)
    store.set_many([(key(1), b"v1")], ttl_seconds=60)
    assert store.get_many([key(1)]) == [b"v1"]

    redis_server.stop()
    assert store.get_many([key(1)]) == [None]
    assert store.stats()["state"] == "open"
    time.sleep(0.25)
    assert store.stats()["state"] == "half-open"
    assert store.get_many([key(1)]) == [None]  # the trial call fails: open again
    assert store.stats()["state"] == "open"

    redis_server.restart()  # empty: nothing persisted
    assert store.get_many([key(1)]) == [None]  # still cooling down: not even asked
    time.sleep(0.25)
    assert store.get_many([key(1)]) == [None]  # the trial call succeeds (a genuine miss)
    assert store.stats()["state"] == "closed"
    store.set_many([(key(1), b"v2")], ttl_seconds=60)
    assert store.get_many([key(1)]) == [b"v2"]
    stats = store.stats()
    assert stats["errors"] == 2
    assert len(redis_warnings(caplog)) == 1  # the first failure only


def test_slow_server_times_out_quickly(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url, timeout_ms=50, breaker_cooldown_s=0.1)
    store.set_many([(key(1), b"v")], ttl_seconds=60)
    assert store.get_many([key(1)]) == [b"v"]  # a pooled, warm connection

    redis_server.client().client_pause(500, all=True)
    started = time.monotonic()
    assert store.get_many([key(1)]) == [None]
    elapsed = time.monotonic() - started
    assert elapsed < 0.4, elapsed
    stats = store.stats()
    assert stats["state"] == "open" and "Timeout" in stats["last_error"]

    fresh = stores(redis_server.url, timeout_ms=50)  # a cold connection during the pause
    started = time.monotonic()
    fresh.set_many([(key(2), b"w")], ttl_seconds=60)
    assert time.monotonic() - started < 0.4
    assert fresh.stats()["errors"] == 1

    time.sleep(0.6)  # the pause is over and the cooldown elapsed
    assert store.get_many([key(1)]) == [b"v"]
    assert store.stats()["state"] == "closed"


@pytest.mark.parametrize("userinfo", ["", f":{WRONG}@", f"default:{WRONG}@"])
def test_wrong_or_missing_password(
    redis_server: RedisServer, stores: StoreFactory, caplog: pytest.LogCaptureFixture, userinfo: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="wf_lsp.redis")
    redis_server.config_set("requirepass", PASSWORD)
    redis_server.client().set(key(1), b"secret-value")
    url = f"redis://{userinfo}127.0.0.1:{redis_server.port}/0"
    store = stores(url)

    assert store.get_many([key(1)]) == [None]
    store.set_many([(key(2), b"v")], ttl_seconds=60)
    stats = store.stats()
    assert stats["state"] == "open"
    assert stats["errors"] == 1
    assert stats["last_error"]
    shown = json.dumps(stats) + caplog.text
    assert WRONG not in shown and PASSWORD not in shown
    assert len(redis_warnings(caplog)) == 1


def test_right_password_works_and_is_masked(
    redis_server: RedisServer, stores: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    redis_server.config_set("requirepass", PASSWORD)
    store = stores(f"redis://:{PASSWORD}@127.0.0.1:{redis_server.port}/0")
    store.set_many([(key(1), b"v")], ttl_seconds=60)
    assert store.get_many([key(1)]) == [b"v"]
    assert store.stats()["url"] == f"redis://:***@127.0.0.1:{redis_server.port}/0"
    redis_server.stop()
    store.get_many([key(1)])
    assert PASSWORD not in json.dumps(store.stats()) + caplog.text


def test_full_server_with_noeviction(redis_server: RedisServer, stores: StoreFactory) -> None:
    redis_server.config_set("maxmemory-policy", "noeviction")
    redis_server.config_set("maxmemory", "1mb")
    store = stores(redis_server.url, breaker_cooldown_s=60)
    value = b"v" * (20 * 1024)
    for batch in range(5):
        store.set_many([(key(f"{batch}-{i}"), value) for i in range(50)], ttl_seconds=60)
    stats = store.stats()
    assert stats["errors"] == 1 and stats["state"] == "open"
    assert "OutOfMemoryError" in stats["last_error"]
    assert stats["sets"] < 250


def test_oversized_value_stays_local(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url, max_value_bytes=1024)
    redis_server.client().config_resetstat()
    store.set_many([(key("big"), b"b" * 1025), (key("small"), b"s" * 1024)], ttl_seconds=60)
    stats = store.stats()
    assert (stats["oversized"], stats["sets"], stats["errors"]) == (1, 1, 0)
    assert redis_server.command_calls("set") == 1
    assert redis_server.client().exists(key("big")) == 0
    store.set_many([(key("big2"), b"b" * 2000)], ttl_seconds=60)  # nothing left to send
    assert store.stats()["calls"] == 1


def test_read_only_replica(redis_server_factory: Callable[[], RedisServer], stores: StoreFactory) -> None:
    primary = redis_server_factory()
    replica = redis_server_factory()
    primary.client().set(key(1), b"from-primary")
    replica.client().replicaof("127.0.0.1", primary.port)
    store = stores(replica.url)

    store.set_many([(key(2), b"v")], ttl_seconds=60)

    stats = store.stats()
    assert stats["state"] == "open" and stats["errors"] == 1
    assert "ReadOnlyError" in stats["last_error"]


def test_garbage_under_our_key_comes_back_as_bytes(redis_server: RedisServer, stores: StoreFactory) -> None:
    client = redis_server.client()
    client.set(key("garbage"), b"\xff\xfe\x00not json{{")
    client.hset(key("hash"), "field", "a hash, not a string")
    client.rpush(key("list"), "x")
    store = stores(redis_server.url)
    values = store.get_many([key("garbage"), key("hash"), key("list")])
    assert values == [b"\xff\xfe\x00not json{{", None, None]
    assert store.stats()["state"] == "closed"


def test_unresolvable_host(stores: StoreFactory) -> None:
    store = stores("redis://nonexistent.invalid:6379/0", timeout_ms=100)
    assert store.get_many([key(1)]) == [None]
    store.set_many([(key(1), b"v")], ttl_seconds=60)
    stats = store.stats()
    assert stats["state"] == "open" and stats["errors"] == 1
    assert "ConnectionError" in stats["last_error"]


@pytest.mark.parametrize("url", ["redis://127.0.0.1:notaport/0", "redis://[::1/0", "redis://h:99999/0"])
def test_malformed_url_disables_the_store(stores: StoreFactory, url: str) -> None:
    store = stores(url, breaker_cooldown_s=0)
    assert store.get_many([key(1)]) == [None]
    assert store.get_many([key(1)]) == [None]
    stats = store.stats()
    assert stats["state"] == "disabled"
    assert stats["calls"] == 1 and stats["errors"] == 1


def test_open_store_choices(caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(open_store(None, 100), NullStore)
    assert isinstance(open_store("", 100), NullStore)
    bad = open_store(f"http://:{PASSWORD}@example.invalid/", 100)
    assert isinstance(bad, NullStore)
    stats = bad.stats()
    assert stats["state"] == "disabled" and "redis://" in stats["last_error"]
    assert PASSWORD not in stats["last_error"] + caplog.text
    assert "redis://" in caplog.text
    good = open_store(f"redis://127.0.0.1:{free_port()}/0", 100)
    assert isinstance(good, RedisStore)
    assert good.stats()["calls"] == 0
    good.close()
    for store in (bad, good):
        assert isinstance(store, SharedStore)


def test_closed_store_is_a_miss(redis_server: RedisServer) -> None:
    store = RedisStore(redis_server.url)
    store.set_many([(key(1), b"v")], ttl_seconds=60)
    store.close()
    assert store.get_many([key(1)]) == [None]
    assert store.stats()["state"] == "disabled"


def test_non_positive_ttl_writes_nothing(redis_server: RedisServer, stores: StoreFactory) -> None:
    store = stores(redis_server.url)
    store.set_many([(key(1), b"v")], ttl_seconds=0)
    assert redis_server.client().exists(key(1)) == 0
    assert store.get_many([]) == []
    assert store.stats()["calls"] == 0


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("redis://:pw@h:1/0", "redis://:***@h:1/0"),
        ("redis://user:p%40ss@h:1", "redis://user:***@h:1"),
        ("rediss://user:a:b@c@h:1/2", "rediss://user:***@h:1/2"),
        ("redis://justsecret@h", "redis://***@h"),
        ("unix:///tmp/r.sock?db=1&password=pw", "unix:///tmp/r.sock?db=1&password=***"),
        ("redis://h:1/0", "redis://h:1/0"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_half_open_admits_a_single_trial_call(stores: StoreFactory) -> None:
    store = stores(f"redis://127.0.0.1:{free_port()}/0", breaker_cooldown_s=0.1)
    store.get_many([key(1)])
    time.sleep(0.15)
    barrier = threading.Barrier(8)

    def call() -> None:
        barrier.wait()
        store.get_many([key(1)])

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = store.stats()
    assert stats["calls"] == 2 and stats["errors"] == 2
    assert stats["misses"] == 9
