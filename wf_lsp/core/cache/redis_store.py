"""The Redis shared result store: namespaced, pipelined, short timeouts, fails open (breaker)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any, Literal

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from wf_lsp.core.cache.store import NullStore, SharedStore
from wf_lsp.core.redact import connectable_url, mask_url, url_secrets

log = logging.getLogger("wf_lsp.redis")

#: URL schemes redis-py understands.
SCHEMES: tuple[str, ...] = ("redis", "rediss", "unix")
#: Keys per MGET; a bigger batch sends several MGETs in the same pipeline (still one round trip).
MGET_CHUNK = 1000

BreakerState = Literal["closed", "open", "half-open", "disabled"]


def url_problem(url: str) -> str | None:
    """Why `url` is not a usable Redis URL (password masked), or None when it looks fine."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        return f"invalid cache URL {mask_url(url)!r}: expected redis://, rediss:// or unix://"
    if scheme.lower() != "unix" and not rest.rpartition("@")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return f"invalid cache URL {mask_url(url)!r}: no host"
    return None


class RedisStore:
    """SharedStore on Redis; lazy (connects on the first call) and never raises from a call."""

    def __init__(
        self,
        url: str,
        timeout_ms: int = 100,
        namespace: str = "wf-lsp:v1",
        max_value_bytes: int = 512 * 1024,
        breaker_cooldown_s: float = 30.0,
    ) -> None:
        self._url = url
        self._masked_url = mask_url(url)
        self._secrets = url_secrets(url)
        self._timeout_ms = max(1, int(timeout_ms))
        self._prefix = f"{namespace.rstrip(':')}:" if namespace else ""
        self._max_value_bytes = max_value_bytes
        self._cooldown_s = breaker_cooldown_s
        self._lock = threading.Lock()
        self._client: redis.Redis | None = None
        self._state: BreakerState = "closed"
        self._opened_at = 0.0
        self._trial_running = False
        self._warned = False
        self._closed = False
        self._hits = 0
        self._misses = 0
        self._errors = 0
        self._sets = 0
        self._oversized = 0
        self._calls = 0
        self._time_ms = 0.0
        self._last_error: str | None = None

    # -- SharedStore -------------------------------------------------------------------------

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One pipelined MGET for the batch; misses for every key on a fault or an open breaker."""
        if not keys:
            return []
        misses: list[bytes | None] = [None] * len(keys)
        if not self._admit():
            self._count(misses=len(keys))
            return misses
        names = [self._key(k) for k in keys]
        unique = list(dict.fromkeys(names))  # a batch may repeat content: ask once per key
        started = time.perf_counter()
        try:
            pipe = self._get_client().pipeline(transaction=False)
            for i in range(0, len(unique), MGET_CHUNK):
                pipe.mget(unique[i : i + MGET_CHUNK])
            replies = pipe.execute()
            values = [v for chunk in replies for v in chunk]
            if len(values) != len(unique):
                raise redis.RedisError(f"MGET answered {len(values)} values for {len(unique)} keys")
        except Exception as exc:  # every fault, whatever its type, fails open
            self._fail(exc, started)
            self._count(misses=len(keys))
            return misses
        by_name = {n: v if isinstance(v, bytes) else None for n, v in zip(unique, values, strict=True)}
        found = [by_name[n] for n in names]
        hits = sum(v is not None for v in found)
        self._succeed(started)
        self._count(hits=hits, misses=len(keys) - hits)
        return found

    def set_many(self, items: Sequence[tuple[str, bytes]], ttl_seconds: int) -> None:
        """One pipeline of `SET key value EX ttl`; oversized values stay local; faults swallowed."""
        if ttl_seconds < 1:
            return
        fitting: list[tuple[str, bytes]] = []
        oversized = 0
        for key, value in items:
            if not isinstance(value, bytes | bytearray | memoryview):
                continue
            if len(value) > self._max_value_bytes:
                oversized += 1
            else:
                fitting.append((self._key(key), bytes(value)))
        if oversized:
            self._count(oversized=oversized)
        if not fitting or not self._admit():
            return
        started = time.perf_counter()
        try:
            pipe = self._get_client().pipeline(transaction=False)
            for key, value in fitting:
                pipe.set(key, value, ex=int(ttl_seconds))
            replies = pipe.execute(raise_on_error=False)
            failures = [r for r in replies if isinstance(r, Exception)]
            self._count(sets=len(replies) - len(failures))
            if failures:
                raise failures[0]
        except Exception as exc:  # every fault, whatever its type, fails open
            self._fail(exc, started)
            return
        self._succeed(started)

    def stats(self) -> dict[str, Any]:
        """Counters, breaker state, last error and time spent in Redis; never shows the password."""
        with self._lock:
            return {
                "enabled": True,
                "url": self._masked_url,
                "state": self._visible_state(),
                "hits": self._hits,
                "misses": self._misses,
                "errors": self._errors,
                "sets": self._sets,
                "oversized": self._oversized,
                "calls": self._calls,
                "time_ms": round(self._time_ms, 3),
                "last_error": self._last_error,
                "timeout_ms": self._timeout_ms,
                "cooldown_s": self._cooldown_s,
            }

    def close(self) -> None:
        """Disconnect; later calls are misses and the state reads "disabled"."""
        with self._lock:
            client, self._client = self._client, None
            self._closed = True
            self._state = "disabled"
        if client is not None:
            try:
                client.close()
            except Exception as exc:
                log.debug("closing %s: %s", self._masked_url, self._scrub(exc))

    # -- breaker -----------------------------------------------------------------------------

    def _admit(self) -> bool:
        """Whether a call may go to Redis now (closed, or the one trial after the cooldown)."""
        with self._lock:
            if self._state == "closed":
                return True
            if self._state == "disabled" or self._trial_running:
                return False
            if time.monotonic() - self._opened_at < self._cooldown_s:
                return False
            self._state = "half-open"
            self._trial_running = True
            return True

    def _succeed(self, started: float) -> None:
        with self._lock:
            self._charge(started)
            if self._state == "half-open":
                log.info("shared cache %s reachable again", self._masked_url)
            if self._state != "disabled":
                self._state = "closed"
            self._trial_running = False

    def _fail(self, exc: BaseException, started: float) -> None:
        message = self._scrub(exc)
        permanent = isinstance(exc, ValueError) and self._client is None
        with self._lock:
            self._charge(started)
            self._errors += 1
            self._last_error = message
            self._trial_running = False
            if self._state != "disabled":
                self._state = "disabled" if permanent else "open"
            self._opened_at = time.monotonic()
            first, self._warned = not self._warned, True
        if first:
            retry = "not retrying" if permanent else f"retrying in {self._cooldown_s:g}s"
            log.warning(
                "shared cache %s unavailable (%s); continuing without it, %s",
                self._masked_url,
                message,
                retry,
            )
        else:
            log.debug("shared cache %s: %s", self._masked_url, message)

    def _visible_state(self) -> BreakerState:
        if self._state == "open" and time.monotonic() - self._opened_at >= self._cooldown_s:
            return "half-open"
        return self._state

    # -- helpers -----------------------------------------------------------------------------

    def _get_client(self) -> redis.Redis:
        """The client, built on first use (from_url parses but does not connect)."""
        with self._lock:
            if self._closed:
                raise redis.RedisError("store closed")
            if self._client is None:
                timeout = self._timeout_ms / 1000
                self._client = redis.Redis.from_url(
                    connectable_url(self._url),
                    socket_timeout=timeout,
                    socket_connect_timeout=timeout,
                    retry=Retry(NoBackoff(), 0),
                    health_check_interval=0,
                    driver_info=None,
                )
            return self._client

    def _key(self, key: str) -> str:
        return key if key.startswith(self._prefix) else f"{self._prefix}{key}"

    def _charge(self, started: float) -> None:
        """Account one round trip (caller holds the lock)."""
        self._calls += 1
        self._time_ms += (time.perf_counter() - started) * 1000

    def _count(self, hits: int = 0, misses: int = 0, sets: int = 0, oversized: int = 0) -> None:
        with self._lock:
            self._hits += hits
            self._misses += misses
            self._sets += sets
            self._oversized += oversized

    def _scrub(self, exc: BaseException) -> str:
        """`Type: message` of `exc` with every spelling of the URL's secrets masked."""
        text = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text[:300]


def open_store(url: str | None, timeout_ms: int) -> SharedStore:
    """A RedisStore for `url`, or a NullStore when no URL is set or it is not a Redis URL."""
    if not url or not url.strip():
        return NullStore()
    problem = url_problem(url.strip())
    if problem is not None:
        log.error("%s; the shared cache is off", problem)
        return NullStore(reason=problem)
    return RedisStore(url.strip(), timeout_ms=timeout_ms)
