"""The shared (cross-process) result store protocol, and the store used when none is configured."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class SharedStore(Protocol):
    """A key/value layer shared between processes and machines; every method fails open."""

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values for `keys` in order; None on a miss or a fault. Never raises."""
        ...

    def set_many(self, items: Sequence[tuple[str, bytes]], ttl_seconds: int) -> None:
        """Store `(key, value)` pairs expiring after `ttl_seconds`. Never raises."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counters and state for `wf.cacheStats` and `check --statistics`."""
        ...

    def close(self) -> None:
        """Release connections; later calls behave like misses."""
        ...


class NullStore:
    """The store when no shared cache is configured (or its URL is unusable): always a miss."""

    def __init__(self, reason: str | None = None) -> None:
        self._reason = reason

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One None per key (not counted: a disabled layer has no misses)."""
        return [None] * len(keys)

    def set_many(self, items: Sequence[tuple[str, bytes]], ttl_seconds: int) -> None:
        """Drop the items."""

    def stats(self) -> dict[str, Any]:
        """Disabled state, with the reason when a configured URL was rejected."""
        return {
            "enabled": False,
            "state": "disabled",
            "hits": 0,
            "misses": 0,
            "errors": 0,
            "sets": 0,
            "oversized": 0,
            "calls": 0,
            "time_ms": 0.0,
            "last_error": self._reason,
        }

    def close(self) -> None:
        """Nothing to release."""
