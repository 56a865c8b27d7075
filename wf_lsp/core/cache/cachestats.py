"""Cache statistics as one typed object: a loader's figures, their sum over loaders or workers, and the JSON form."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

_MB = 1_048_576


@dataclass(slots=True)
class CacheStats:
    """What `wf.cacheStats` returns and `check --statistics` prints; `total` adds several up."""

    hits: int = 0
    misses: int = 0
    shared_hits: int = 0
    shared_rejected: int = 0
    shared_recomputed: int = 0
    inflight_shared: int = 0
    validations: int = 0
    validation_ms: float = 0.0
    size: int = 0
    max_size: int = 0
    ttl_seconds: float | None = None
    memory_bytes: int = 0
    fingerprint: str | None = None
    #: the shared (Redis) layer's own figures, as its store reports them (`SharedStore.stats`)
    shared: dict[str, Any] = field(default_factory=dict)
    #: the local check cache's hits and misses (`check --cache`); None when it was not used
    local_hits: int | None = None
    local_misses: int | None = None
    #: how many loaders were added up (None for one loader's own figures)
    loaders: int | None = None

    @property
    def hit_rate(self) -> float:
        """Hits (memory and shared) over lookups, rounded to 4 places; 0.0 before any lookup."""
        lookups = self.hits + self.misses + self.shared_hits
        return round((self.hits + self.shared_hits) / lookups, 4) if lookups else 0.0

    @classmethod
    def total(cls, parts: Iterable[CacheStats]) -> CacheStats:
        """The sum of several loaders' (or workers') figures: counters add up, the first size limit, TTL and fingerprint
        stand for all, and the shared layer's counters add up while its state is the last one seen."""
        out, count = cls(), 0
        for p in parts:
            count += p.local_hits is None  # the local check cache is no loader
            for name in _COUNTERS:
                setattr(out, name, getattr(out, name) + getattr(p, name))
            out.max_size += p.max_size
            if out.ttl_seconds is None:
                out.ttl_seconds = p.ttl_seconds
            if out.fingerprint is None:
                out.fingerprint = p.fingerprint
            for key, value in p.shared.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.shared[key] = out.shared.get(key, 0) + value
                else:
                    out.shared[key] = value
            if p.local_hits is not None or p.local_misses is not None:
                out.local_hits = (out.local_hits or 0) + (p.local_hits or 0)
                out.local_misses = (out.local_misses or 0) + (p.local_misses or 0)
        out.loaders = count
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON form (camelCase keys, as `wf.cacheStats` has always returned them)."""
        out: dict[str, Any] = {} if self.loaders is None else {"loaders": self.loaders}
        out.update(
            {
                "hits": self.hits,
                "misses": self.misses,
                "sharedHits": self.shared_hits,
                "sharedRejected": self.shared_rejected,
                "sharedRecomputed": self.shared_recomputed,
                "inflightShared": self.inflight_shared,
                "validations": self.validations,
                "validationMs": self.validation_ms,
                "size": self.size,
                "maxSize": self.max_size,
                "ttlSeconds": self.ttl_seconds,
                "hitRate": self.hit_rate,
                "memoryBytes": self.memory_bytes,
                "memoryUsedMb": round(self.memory_bytes / _MB, 3),
                "fingerprint": self.fingerprint,
                "shared": dict(self.shared),
            }
        )
        if self.local_hits is not None:
            out.update(localHits=self.local_hits, localMisses=self.local_misses or 0)
        return out


_COUNTERS = (
    "hits",
    "misses",
    "shared_hits",
    "shared_rejected",
    "shared_recomputed",
    "inflight_shared",
    "validations",
    "validation_ms",
    "size",
    "memory_bytes",
)
