"""Checking many files: discovery, reading, batched validation, and parallel workers for large runs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wf_lsp.core.cache.cachestats import CacheStats
from wf_lsp.core.discover import Candidate, discover, read_candidate
from wf_lsp.core.result import Result
from wf_lsp.core.settings import Settings

if TYPE_CHECKING:
    from wf_lsp.core.cache.checkcache import CheckCache

CHUNK = 64
PARALLEL_THRESHOLD = 96
#: What became of one file in a worker: skipped (unreadable), passed over (no workflow markers), passed over after
#: validation (valid JSON, no workflow), or reported.
SKIPPED, PASSED_RAW, PASSED, SHOWN = 0, 1, 2, 3
Outcome = tuple[int, str, Result | None]


@dataclass(slots=True)
class FileResult:
    """One checked file: its path, text (for snippets and offsets; empty when not asked for) and result."""

    path: str
    text: str
    result: Result


@dataclass(slots=True)
class CheckRun:
    """Everything a `check` run produced."""

    files: list[FileResult] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    cache: CacheStats = field(default_factory=CacheStats)
    #: JSON files looked at and passed over because they hold no workflow
    passed_over: int = 0
    #: problems that did not stop the run (a result cache that could not be written)
    warnings: list[str] = field(default_factory=list)

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        """Files that exist but could not be read: a run with any of these has not checked everything."""
        return [(p, why) for p, why in self.skipped if why.startswith("cannot read:")]


def _loader(settings: Settings) -> Any:
    from wf_lsp.core.cache.sharedcache import open_shared
    from wf_lsp.core.loader import WorkflowLoader

    return WorkflowLoader(settings, store=open_shared(settings) if settings.cache.redis_url else None)


def _check_chunk(settings: Settings, chunk: list[Candidate], want_text: bool = True) -> ChunkResult:
    """Worker body: read and validate one chunk with one loader (one shared-store round trip per chunk).

    The outcomes line up with the chunk; a text comes back only when it is wanted and the file has findings (the
    texts of clean files would only be pickled across for nothing).
    """
    from wf_lsp.core.parse.document import decode_bytes

    loader = _loader(settings)
    outcomes: list[Outcome] = []
    items: list[tuple[str, str | bytes]] = []
    decoded: list[tuple[int, str]] = []
    for c in chunk:
        data, why = read_candidate(c, settings.max_file_bytes)
        if data is None:
            outcomes.append((PASSED_RAW, "", None) if why == "not a workflow" else (SKIPPED, why or "unreadable", None))
            continue
        text, problem = decode_bytes(data)
        # Decoded once: the loader gets the text itself unless decoding found a problem it must report.
        items.append((c.path, text if problem is None else data))
        decoded.append((len(outcomes), text))
        outcomes.append((SKIPPED, "", None))
    results = loader.validate_batch(items, memory=False)
    for (at, text), result, c in zip(decoded, results, [chunk[i] for i, _ in decoded], strict=True):
        if not result.is_workflow and not c.explicit and not _broken(result):
            outcomes[at] = (PASSED, "", result)
        else:
            # Exactly the text the loader validated (BOM removed, same decoding): offsets and fixes refer to it.
            outcomes[at] = (SHOWN, text if want_text and result.findings else "", result)
    stats = loader.cache_stats()
    loader.store.close()
    return outcomes, stats


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
    cache_dir: str | None = None,
    workflows_only: bool = False,
) -> CheckRun:
    """Check files and folders (and stdin), in parallel when there are many files.

    With `cache_dir`, files whose stat is unchanged since an earlier run under the same settings are not read again.
    With `workflows_only`, named files are treated like files found in folders (a pre-commit hook hands over every
    JSON file): excluded ones and those that hold no workflow are passed over quietly.
    """
    from wf_lsp.core.rules.registry import load_registry

    run = CheckRun()
    run.warnings.extend(load_registry(settings.registry).problems)
    found = discover(
        paths,
        settings.exclude,
        settings.include,
        settings.root,
        settings.respect_gitignore,
        force_exclude=workflows_only,
    )
    run.skipped.extend(found.skipped)
    candidates = found.files
    stats: list[CacheStats] = []
    if stdin is not None:
        from wf_lsp.core.parse.document import decode_bytes

        loader = _loader(settings)
        name, data = stdin
        run.files.append(FileResult(name, decode_bytes(data)[0], loader.validate_text(data, name)))
        stats.append(loader.cache_stats())
    cache: CheckCache | None = None
    if cache_dir is not None:
        from wf_lsp.core.cache.checkcache import CheckCache

        cache = CheckCache(cache_dir, settings)
    slots: list[FileResult | None] = [None] * len(candidates)
    todo = _from_cache(cache, candidates, slots, settings, want_text) if cache is not None else candidates
    passed = sum(1 for c, s in zip(candidates, slots, strict=True) if s is None) - len(todo)
    index = {id(c): i for i, c in enumerate(candidates)}
    jobs = jobs or min(os.cpu_count() or 1, 8)
    parallel = jobs > 1 and len(todo) >= PARALLEL_THRESHOLD
    # Parallel runs use smaller chunks, so the last one leaves the other processes idle for less time.
    size = max(8, min(CHUNK, -(-len(todo) // (jobs * 16)))) if parallel else CHUNK
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    tick = _Ticker(progress, len(candidates), len(candidates) - len(todo))
    results = (
        _parallel(settings, chunks, want_text, jobs, tick) if parallel else _serial(settings, chunks, want_text, tick)
    )
    for (outcomes, st), chunk in zip(results, chunks, strict=True):
        for c, (kind, text, result) in zip(chunk, outcomes, strict=True):
            if kind == SKIPPED:
                run.skipped.append((c.path, text))
                continue
            if cache is not None:
                cache.store(c.path, c.stat, result)  # None: passed over without validation
            if kind == SHOWN and result is not None:
                slots[index[id(c)]] = FileResult(c.path, text, result)
            else:
                passed += 1
        stats.append(st)
    run.files.extend(s for s in slots if s is not None)
    if cache is not None:
        problem = cache.save()
        run.warnings.extend(cache.warnings)
        if problem:
            run.warnings.append(problem)
        stats.append(cache.stats())
    run.cache = CacheStats.total(stats)
    run.passed_over = passed
    return run


ChunkResult = tuple[list[Outcome], CacheStats]


class _Ticker:
    """Counts finished files for the progress callback."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int, done: int) -> None:
        self.progress, self.total, self.done = progress, total, done

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done, self.total)


def _serial(settings: Settings, chunks: list[list[Candidate]], want_text: bool, tick: _Ticker) -> Iterator[ChunkResult]:
    for chunk in chunks:
        out = _check_chunk(settings, chunk, want_text)
        tick(len(chunk))
        yield out


def _parallel(
    settings: Settings, chunks: list[list[Candidate]], want_text: bool, jobs: int, tick: _Ticker
) -> list[ChunkResult]:
    """Chunks checked by `jobs - 1` forked workers and this process: workers take chunks from the front, this
    process from the back (no fork and no pickling for its share), a few queued ahead per worker."""
    from concurrent.futures import Future, ProcessPoolExecutor

    import wf_lsp.core.loader  # noqa: F401  (imported here once, inherited by the forked workers)
    from wf_lsp.core.rules.registry import load_registry

    load_registry(settings.registry)
    out: list[ChunkResult | None] = [None] * len(chunks)
    workers = max(1, min(jobs - 1, len(chunks) - 1))
    head, tail = 0, len(chunks)
    pending: dict[Future[ChunkResult], int] = {}

    def harvest(block: bool) -> None:
        for fut in [f for f in pending if block or f.done()]:
            i = pending.pop(fut)
            out[i] = fut.result()
            tick(len(chunks[i]))

    with ProcessPoolExecutor(max_workers=workers) as pool:
        while head < tail:
            while head < tail - 1 and len(pending) < 2 * workers:
                pending[pool.submit(_check_chunk, settings, chunks[head], want_text)] = head
                head += 1
            tail -= 1
            out[tail] = _check_chunk(settings, chunks[tail], want_text)
            tick(len(chunks[tail]))
            harvest(block=False)
        harvest(block=True)
    return [r for r in out if r is not None]


def _from_cache(
    cache: CheckCache, candidates: list[Candidate], slots: list[FileResult | None], settings: Settings, want_text: bool
) -> list[Candidate]:
    """Fill `slots` with cached results; returns the candidates still to check (passed-over hits leave no slot)."""
    todo: list[Candidate] = []
    for i, c in enumerate(candidates):
        hit = cache.lookup(c.path, c.stat, c.explicit)
        if hit is None:
            todo.append(c)
        elif isinstance(hit, Result) and (hit.is_workflow or c.explicit or _broken(hit)):
            text = ""
            if want_text and hit.findings:
                text_or_none = _read_text(c, settings.max_file_bytes)
                if text_or_none is None:  # gone or unreadable since: check it again, and say so
                    todo.append(c)
                    continue
                text = text_or_none
            slots[i] = FileResult(c.path, text, hit.hit())
    return todo


def _read_text(c: Candidate, max_bytes: int) -> str | None:
    from wf_lsp.core.parse.document import decode_bytes

    data, _why = read_candidate(Candidate(c.path, True), max_bytes)
    return None if data is None else decode_bytes(data)[0]
