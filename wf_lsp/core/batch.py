"""Checking many files: discovery, reading, batched validation, and parallel workers for large runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from wf_lsp.core.discover import Candidate, discover, read_candidate
from wf_lsp.core.document import decode_bytes
from wf_lsp.core.loader import WorkflowLoader
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings

CHUNK = 64
PARALLEL_THRESHOLD = 96


@dataclass(slots=True)
class FileResult:
    """One checked file: its path, text (for snippets and offsets) and result."""

    path: str
    text: str
    result: Result


@dataclass(slots=True)
class CheckRun:
    """Everything a `check` run produced."""

    files: list[FileResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)
    #: JSON files looked at and passed over because they hold no workflow
    passed_over: int = 0

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        """Files that exist but could not be read: a run with any of these has not checked everything."""
        return [(p, why) for p, why in self.skipped if why.startswith("cannot read:")]


def _open_store(settings: Settings) -> Any:
    from wf_lsp.core.redis_store import open_store

    return open_store(settings.cache.redis_url, settings.cache.redis_timeout_ms)


def _check_chunk(
    settings: Settings, chunk: list[Candidate], want_text: bool = True
) -> tuple[list[tuple[str, str, Result]], list[tuple[str, str]], dict[str, Any]]:
    """Worker body: read and validate one chunk with one loader (one shared-store round trip per chunk)."""
    store = _open_store(settings) if settings.cache.redis_url else None
    loader = WorkflowLoader(settings, store=store)
    items: list[tuple[str, bytes]] = []
    skipped: list[tuple[str, str]] = []
    passed = 0
    explicit: dict[str, bool] = {}
    for c in chunk:
        data, why = read_candidate(c, settings.max_file_bytes)
        if data is None:
            if why != "not a workflow":
                skipped.append((c.path, why or "unreadable"))
            else:
                passed += 1
            continue
        items.append((c.path, data))
        explicit[c.path] = c.explicit
    results = loader.validate_batch([(p, d) for p, d in items])
    out: list[tuple[str, str, Result]] = []
    for (path, data), result in zip(items, results, strict=True):
        if not result.is_workflow and not explicit[path] and not _broken(result):
            passed += 1
            continue
        # Exactly the text the loader validated (BOM removed, same decoding): offsets and fixes refer to it.
        text = decode_bytes(data)[0] if want_text else ""
        out.append((path, text, result))
    stats = loader.stats()
    stats["passedOver"] = passed
    if store is not None:
        store.close()
    return out, skipped, stats


def _broken(result: Result) -> bool:
    """A file that looked like a workflow (it had the marker bytes) but did not parse: still worth reporting."""
    return result.summary["nodeCount"] == 0 and any(f.code in _UNREADABLE for f in result.findings)


_UNREADABLE = frozenset({"JSON_SYNTAX_ERROR", "INVALID_ENCODING", "FILE_TOO_LARGE", "NESTING_TOO_DEEP"})


def run_check(
    paths: Iterable[str],
    settings: Settings,
    jobs: int = 0,
    progress: Callable[[int, int], None] | None = None,
    stdin: tuple[str, bytes] | None = None,
    want_text: bool = True,
) -> CheckRun:
    """Check files and folders (and stdin), in parallel when there are many files."""
    run = CheckRun()
    found = discover(paths, settings.exclude, settings.include)
    run.skipped.extend(found.skipped)
    candidates = found.files
    if stdin is not None:
        loader = WorkflowLoader(settings, store=_open_store(settings) if settings.cache.redis_url else None)
        name, data = stdin
        run.files.append(FileResult(name, decode_bytes(data)[0], loader.validate_text(data, name)))
        run.cache = loader.stats()
    chunks = [candidates[i : i + CHUNK] for i in range(0, len(candidates), CHUNK)]
    jobs = jobs or min(os.cpu_count() or 1, 8)
    done = 0
    total = len(candidates)
    stats: list[dict[str, Any]] = []
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 and total >= PARALLEL_THRESHOLD else None
    try:
        results = (
            pool.map(_check_chunk, [settings] * len(chunks), chunks, [want_text] * len(chunks))
            if pool is not None
            else (_check_chunk(settings, chunk, want_text) for chunk in chunks)
        )
        for (out, skipped, st), chunk in zip(results, chunks, strict=True):
            run.files.extend(FileResult(p, t, r) for p, t, r in out)
            run.skipped.extend(skipped)
            stats.append(st)
            done += len(chunk)
            if progress:
                progress(done, total)
    finally:
        if pool is not None:
            pool.shutdown()
    run.cache = _merge_stats([run.cache] + stats if run.cache else stats)
    run.passed_over = int(run.cache.pop("passedOver", 0))
    return run


def _merge_stats(parts: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for st in parts:
        for k, v in st.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in ("maxSize", "ttlSeconds", "hitRate"):
                out[k] = out.get(k, 0) + v
            elif k == "shared" and isinstance(v, dict):
                sh = out.setdefault("shared", {})
                for sk, sv in v.items():
                    if isinstance(sv, (int, float)) and not isinstance(sv, bool):
                        sh[sk] = sh.get(sk, 0) + sv
                    else:
                        sh[sk] = sv
    lookups = out.get("hits", 0) + out.get("misses", 0) + out.get("sharedHits", 0)
    out["hitRate"] = round((out.get("hits", 0) + out.get("sharedHits", 0)) / lookups, 4) if lookups else 0.0
    return out
