"""WorkflowLoader: validation through a content-hash LRU+TTL cache, shared in-flight runs, a real concurrency limit."""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from cachetools import TTLCache

from wf_lsp import __version__
from wf_lsp.core.cache import codec
from wf_lsp.core.cache.cachestats import CacheStats
from wf_lsp.core.cache.sharedcache import cache_secret
from wf_lsp.core.cache.store import NullStore, SharedStore
from wf_lsp.core.engine import PausedGC, analyze
from wf_lsp.core.findings import Finding
from wf_lsp.core.parse.document import Document, decode_bytes
from wf_lsp.core.parse.incremental import reparser
from wf_lsp.core.parse.region import Since
from wf_lsp.core.result import Result, summarize
from wf_lsp.core.reuse import Earlier
from wf_lsp.core.rules.registry import Registry, load_registry
from wf_lsp.core.settings import Settings

_BYTES_PER_FINDING = 700
_BYTES_PER_ENTRY = 1500

#: Runs one validation: (text, settings, registry, path, findings from decoding) to a fresh result. The default runs
#: it here; the language server runs it in a worker process (a rule that holds the GIL must not stall other requests).
Analyzer = Callable[[str, Settings, Registry, "str | None", list[Finding]], Result]


def analyze_result(
    text: str,
    settings: Settings,
    registry: Registry,
    path: str | None,
    pre: list[Finding],
    incremental: bool = False,
    since: Since | None = None,
) -> Result:
    """Validate one text here and now: the result before any cache sees it. `incremental`: the text is the next version
    of the document at `path` (an editor's), parsed from the last one where that is safe (the same result); `since`:
    where it differs from a text, when the caller knows."""
    doc = reparser(path).parse(text, settings.max_file_bytes, since) if incremental and path is not None else None
    return _result(text, settings, registry, path, pre, doc)


def analyze_edit(
    text: str, settings: Settings, registry: Registry, path: str | None, pre: list[Finding], since: Since | None
) -> tuple[Result, Earlier | None]:
    """analyze_result of an editor's next version (incremental), and the findings it has from the last version's,
    moved (when it was spliced from that one)."""
    if path is None:
        return analyze_result(text, settings, registry, path, pre), None
    doc = reparser(path).parse(text, settings.max_file_bytes, since)
    result = _result(text, settings, registry, path, pre, doc)
    earlier, doc.moved = doc.moved, None  # (the last findings are let go with the answer)
    return result, earlier


def _result(
    text: str, settings: Settings, registry: Registry, path: str | None, pre: list[Finding], doc: Document | None
) -> Result:
    # The summary reads the parsed value after the run: the collector stays paused until the value is dropped, so no
    # collection walks the tree on the way out (a tree has no cycles; reference counting frees it).
    with PausedGC():
        analysis = analyze(text, settings, registry, path, pre, doc)
        summary = summarize(analysis.value, analysis.findings, analysis.duration_ms)
        summary["dialect"] = analysis.dialect
        result = Result(analysis.findings, analysis.is_workflow, "", summary, analysis.duration_ms, False)
        del analysis
    return result


class WorkflowLoader:
    """Validate workflow texts under one set of settings, caching results by content."""

    def __init__(
        self,
        settings: Settings | None = None,
        store: SharedStore | None = None,
        registry: Registry | None = None,
        max_concurrency: int = 4,
        analyzer: Analyzer = analyze_result,
    ) -> None:
        self.settings = settings or Settings()
        self.analyzer = analyzer
        self.registry = registry or load_registry(self.settings.registry)
        self.store: SharedStore = store or NullStore()
        self.fingerprint = self.settings.fingerprint(self.registry.digest)
        cache = self.settings.cache
        self._cache: TTLCache[Any, Result] = TTLCache(
            maxsize=max(1, cache.max_entries), ttl=max(1, cache.ttl_seconds), getsizeof=_weight
        )
        self._lock = threading.Lock()
        self._inflight: dict[Any, Future[Result]] = {}
        self._limit = threading.BoundedSemaphore(max(1, max_concurrency))
        self._stats = {
            "hits": 0,
            "misses": 0,
            "sharedHits": 0,
            "sharedRejected": 0,
            "sharedRecomputed": 0,
            "inflightShared": 0,
            "validations": 0,
            "validationMs": 0.0,
        }
        self._path_scoped = any(e.files for e in self.settings.ignore)
        #: the key that authenticates shared values; without one the shared store is never used
        self._secret = cache_secret(self.settings)
        #: results go to the shared store only when they depend on the content alone (not on a file's path)
        self._shared = not isinstance(self.store, NullStore) and not self._path_scoped and self._secret is not None

    # -- keys ---------------------------------------------------------------------------------
    def _key(self, text: str, path: str | None) -> tuple[Any, ...]:
        """In-process key: settings fingerprint + the text's (keyed, per-process) hash and length."""
        return (self.fingerprint, len(text), hash(text), path if self._path_scoped else None)

    def shared_key(self, text: str) -> str:
        """Key in the shared store: namespace, fingerprint and a SHA-256 of the content (never the path)."""
        return self._shared_key(content_hash(text))

    def _shared_key(self, digest: str) -> str:
        return f"wf-lsp:v1:{self.fingerprint}:{digest}"

    # -- validation ---------------------------------------------------------------------------
    def validate_text(self, text: str | bytes, path: str | None = None) -> Result:
        """Validate one text (bytes are decoded, and bad encodings reported); cached by content."""
        text, pre = _as_text(text)
        key = self._key(text, path)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._stats["hits"] += 1
                return hit.hit()
            pending = self._inflight.get(key)
            if pending is None:
                pending = Future()
                self._inflight[key] = pending
                owner = True
            else:
                self._stats["inflightShared"] += 1
                owner = False
        if not owner:
            return pending.result()
        try:
            digest = content_hash(text) if self._shared else ""
            result = self._from_store(digest, text) if self._shared else None
            if result is None:
                result = self._run(text, path, pre)
                if self._shared:
                    result.content_hash = digest
                    self.store.set_many([self._sealed(digest, result)], self.settings.cache.ttl_seconds)
            with self._lock:
                self._remember(key, result)
            pending.set_result(result)
            return result
        except BaseException as exc:
            pending.set_exception(exc)
            raise
        finally:
            with self._lock:
                self._inflight.pop(key, None)

    def validate_batch(self, items: Sequence[tuple[str | None, str | bytes]], memory: bool = True) -> list[Result]:
        """Validate many texts; the shared store is asked once for all memory misses.

        `memory=False` leaves the in-process cache out (no lookups, nothing kept): for one-shot runs over distinct
        files, where hashing every text only to miss costs more than it saves.
        """
        texts = [(path, *_as_text(text)) for path, text in items]
        results: list[Result | None] = [None] * len(texts)
        missing: list[int] = []
        if memory:
            with self._lock:
                for i, (path, text, _pre) in enumerate(texts):
                    hit = self._cache.get(self._key(text, path))
                    if hit is not None:
                        self._stats["hits"] += 1
                        results[i] = hit.hit()
                    else:
                        missing.append(i)
        else:
            missing = list(range(len(texts)))
        digests = {i: content_hash(texts[i][1]) for i in missing} if self._shared else {}
        if missing and self._shared:
            blobs = self.store.get_many([self._shared_key(digests[i]) for i in missing])
            still = []
            for i, blob in zip(missing, blobs, strict=True):
                decoded = self._accept(blob, digests[i], texts[i][1])
                if decoded is None:
                    still.append(i)
                    continue
                results[i] = decoded.hit()
                if memory:
                    with self._lock:
                        self._remember(self._key(texts[i][1], texts[i][0]), decoded)
            missing = still
        fresh: list[tuple[str, bytes]] = []
        for i in missing:
            path, text, pre = texts[i]
            result = self._run(text, path, pre)
            results[i] = result
            if memory:
                with self._lock:
                    self._remember(self._key(text, path), result)
            if self._shared:
                result.content_hash = digests[i]
                fresh.append(self._sealed(digests[i], result))
        if fresh:
            self.store.set_many(fresh, self.settings.cache.ttl_seconds)
        return [r for r in results if r is not None]

    def validate_workflow(self, workflow: Any) -> Result:
        """Validate an already-parsed workflow object (the seed's API); it is serialized as 2-space JSON."""
        import json

        return self.validate_text(json.dumps(workflow, indent=2, ensure_ascii=False, default=str))

    def get_diagnostics(self, text: str | bytes) -> dict[str, Any]:
        """The seed's getDiagnostics(): counts, validity, top problems, timing and cache hit."""
        return self.validate_text(text).summary

    def _from_store(self, digest: str, text: str) -> Result | None:
        return self._accept(self.store.get_many([self._shared_key(digest)])[0], digest, text)

    def _sealed(self, digest: str, result: Result) -> tuple[str, bytes]:
        """The shared key and value of a result: sealed with the secret, and without any edit (see `_accept`)."""
        key = self._shared_key(digest)
        body = codec.encode(result, __version__, fixes=False)
        return key, codec.seal(self._secret or b"", key, digest, self.fingerprint, __version__, body)

    def _accept(self, blob: bytes | None, digest: str, text: str) -> Result | None:
        """A shared value as a result for `text`, or None (validate locally) when there is none, when it fails its
        MAC or does not decode to a result that fits the text (counted as rejected), or when the result has fixes:
        edits are only ever applied as this process computed them, so such a text is validated here."""
        if not blob:
            return None
        key = self._shared_key(digest)
        body = codec.unseal(self._secret or b"", key, digest, self.fingerprint, __version__, blob)
        try:
            payload = codec.loads(body) if body is not None else None
        except codec.Invalid:
            payload = None
        decoded = codec.from_payload(payload, __version__, digest) if payload is not None else None
        if (
            decoded is None or not codec.fits(decoded, text) or any(f.fixes for f in decoded.findings)
        ):  # wf-lsp never shares an edit
            with self._lock:
                self._stats["sharedRejected"] += 1
            return None
        if codec.stripped_fixes(payload):
            with self._lock:
                self._stats["sharedRecomputed"] += 1
            return None
        with self._lock:
            self._stats["sharedHits"] += 1
        return decoded

    def _run(self, text: str, path: str | None, pre: list[Finding]) -> Result:
        with self._limit:
            result = self.analyzer(text, self.settings, self.registry, path, pre)
        with self._lock:
            self._stats["misses"] += 1
            self._stats["validations"] += 1
            self._stats["validationMs"] += result.duration_ms
        return result

    # -- cache management ---------------------------------------------------------------------
    def _remember(self, key: Any, result: Result) -> None:
        """Keep a result in memory (the caller holds the lock); one heavier than the whole cache is not kept."""
        with contextlib.suppress(ValueError):
            self._cache[key] = result

    def invalidate(self, text: str | None = None) -> int:
        """Drop one text's cached result (or everything when text is None); returns how many were dropped."""
        with self._lock:
            if text is None:
                n = len(self._cache)
                self._cache.clear()
                return n
            keys = [k for k in self._cache if k[1] == len(text) and k[2] == hash(text)]
            for k in keys:
                del self._cache[k]
            return len(keys)

    def clear(self) -> None:
        """Empty the in-memory cache and reset statistics."""
        with self._lock:
            self._cache.clear()
            for k in self._stats:
                self._stats[k] = 0 if k != "validationMs" else 0.0

    def stats(self) -> dict[str, Any]:
        """Hits, misses, size, hit rate, approximate memory, and the shared layer's own stats (the JSON form)."""
        return self.cache_stats().to_json()

    def cache_stats(self) -> CacheStats:
        """The same figures as a typed object (what callers add up)."""
        with self._lock:
            self._cache.expire()
            c = self._stats
            return CacheStats(
                hits=int(c["hits"]),
                misses=int(c["misses"]),
                shared_hits=int(c["sharedHits"]),
                shared_rejected=int(c["sharedRejected"]),
                shared_recomputed=int(c["sharedRecomputed"]),
                inflight_shared=int(c["inflightShared"]),
                validations=int(c["validations"]),
                validation_ms=c["validationMs"],
                size=len(self._cache),
                max_size=int(self._cache.maxsize),
                ttl_seconds=self._cache.ttl,
                memory_bytes=sum(_BYTES_PER_ENTRY + _BYTES_PER_FINDING * len(r.findings) for r in self._cache.values()),
                fingerprint=self.fingerprint,
                shared=self.store.stats(),
            )


#: A cached result weighs one entry plus one per this many findings: a result with 5,000 findings holds about 4 MB,
#: so maxEntries of those would hold gigabytes; weighted, an entry's share stays around 100 kB at most.
FINDINGS_PER_ENTRY = 100


def _weight(result: Result) -> int:
    return 1 + len(result.findings) // FINDINGS_PER_ENTRY


def content_hash(text: str) -> str:
    """SHA-256 of the UTF-8 content: the cryptographic hash used in shared keys."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _as_text(data: str | bytes) -> tuple[str, list[Finding]]:
    if isinstance(data, bytes):
        text, problem = decode_bytes(data)
        return text, [problem] if problem else []
    return data, []


__all__ = ["Analyzer", "WorkflowLoader", "analyze_result", "content_hash"]
