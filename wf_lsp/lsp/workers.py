"""Validation in worker processes: a rule that holds the GIL for seconds cannot delay the server's other requests."""

from __future__ import annotations

import copyreg
import functools
import logging
import operator
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from itertools import count
from typing import TYPE_CHECKING, Any

from wf_lsp.core.engine import PausedGC
from wf_lsp.core.findings import Finding, Fix, Position, Related, Span, TextEdit
from wf_lsp.core.loader import analyze_edit, analyze_result
from wf_lsp.core.parse.region import Since, changed_region
from wf_lsp.core.result import Result
from wf_lsp.core.reuse import Earlier, Edit
from wf_lsp.core.rules.registry import Registry
from wf_lsp.core.settings import Settings

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger("wf_lsp.lsp.workers")

#: Findings per pickled piece of a result. One `pickle.loads` holds the GIL from start to end; a piece this size takes
#: a few milliseconds, so the event loop gets its turn between pieces even when a result has 100,000 findings.
PIECE = 200


def _reduce(cls: type, values: Callable[[Any], tuple[Any, ...]], obj: Any) -> tuple[type, tuple[Any, ...]]:
    return cls, values(obj)


def _fields_of(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    get = operator.attrgetter(*names)
    return get if len(names) > 1 else lambda obj: (get(obj),)


# Findings travel as their field values: a slotted dataclass's own pickling calls Python code per object, and this is
# about 3x faster to write and 1.6x faster to read (5,000 findings: 119 -> 40 ms and 87 -> 53 ms).
for _cls in (Finding, Related, Fix, TextEdit, Span, Position):
    copyreg.pickle(_cls, functools.partial(_reduce, _cls, _fields_of([f.name for f in fields(_cls)])))

#: Registries a worker has seen, by digest (sent as bytes once per worker, unpickled once).
_registries: dict[str, Registry] = {}
#: In a worker: the last text of each document (by path), the number the server gave it, and the findings sent for it
#: (with each one's index, by id), for the next edit's delta both ways.
_texts: OrderedDict[str | None, _Kept] = OrderedDict()
#: Documents whose last text a worker keeps (the server's open documents on a lane), and their most characters.
KEEP = 8
KEEP_CHARS = 32_000_000
#: What a worker answers when it lacks the registry or the text a job's delta is against: send them again.
AGAIN = "again"


@dataclass(frozen=True, slots=True)
class _Kept:
    """A document's last text as one side keeps it: the number the server gave it, the text, and the findings validated
    from it (None: not yet), with each one's index by id (the worker's side: what its next answer refers to)."""

    number: int
    text: str
    findings: list[Finding] | None = None
    index: dict[int, int] | None = None


@dataclass(frozen=True, slots=True)
class Delta:
    """A text as an edit of the last one sent to the same worker: base[:start] + middle + base[len(base) - tail:], the
    shortest such edit (changed_region's)."""

    base: int
    start: int
    tail: int
    middle: str


def _text_of(path: str | None, number: int, sent: str | Delta) -> tuple[str, Since | None, _Kept | None] | None:
    """In the worker: the job's text (a delta applied to the kept text), kept for the next, where it differs from that
    one, and what was kept for that one; None if the delta's base is gone."""
    since = was = None
    if isinstance(sent, Delta):
        was = _texts.get(path)
        if was is None or was.number != sent.base:
            return None
        base = was.text
        text = base[: sent.start] + sent.middle + base[len(base) - sent.tail :]
        since = (base, sent.start, len(base) - sent.tail, sent.start + len(sent.middle))
    else:
        text = sent
    _keep(_texts, path, _Kept(number, text))
    return text, since, was


def _keep(kept: OrderedDict[str | None, _Kept], path: str | None, value: _Kept) -> None:
    """Remember a document's last text (the server and its worker keep the same, trimmed the same way)."""
    kept[path] = value
    kept.move_to_end(path)
    while len(kept) > KEEP or (len(kept) > 1 and sum(len(v.text) for v in kept.values()) > KEEP_CHARS):
        kept.popitem(last=False)


def _as_moves(found: list[Finding], was: _Kept | None, earlier: Earlier | None) -> list[Any]:
    """In the worker: the findings to send, each that is one the server holds (the last sent for the delta's base)
    given as its index there: i when it reads the same, ~i when moved by the edit."""
    index = was.index if was is not None else None
    if index is None or earlier is None:
        return found
    edit, olds = earlier
    out: list[Any] = []
    for f in found:
        old = olds.get(id(f))
        i = index.get(id(old)) if old is not None else None
        out.append(f if i is None else i if edit.before(old) else ~i)  # type: ignore[arg-type]
    return out


def _from_moves(items: list[Any], held: list[Finding] | None, edit: Edit) -> tuple[list[Finding], Earlier, int] | None:
    """On the server: the findings _as_moves gave, from those it holds for the delta's base; with each moved one's
    earlier finding (by id) and how many were held. None if one cannot be made (the worker then sends them all)."""
    out: list[Finding] = []
    olds: dict[int, Finding] = {}
    taken = 0
    try:
        for x in items:
            if type(x) is not int:
                out.append(x)
                continue
            taken += 1
            if x >= 0:
                out.append(held[x])  # type: ignore[index]
                continue
            old = held[~x]  # type: ignore[index]
            f = edit.moved(old)
            if f is None:
                return None
            olds[id(f)] = old
            out.append(f)
    except (IndexError, TypeError):
        return None
    return out, (edit, olds), taken


def _work(
    sent: str | Delta,
    number: int,
    settings: Settings,
    digest: str,
    registry: bytes | None,
    path: str | None,
    pre: list[Finding],
) -> tuple[Any, ...] | str:
    """In the worker: validate and return plain data, the findings in pieces (AGAIN: send the text or registry)."""
    known = _registries.get(digest)
    if known is None:
        if registry is None:
            return AGAIN
        known = _registries[digest] = pickle.loads(registry)
    made = _text_of(path, number, sent)
    if made is None:
        return AGAIN
    text, since, was = made
    result, earlier = analyze_edit(text, settings, known, path, pre, since)
    found = result.findings
    items = _as_moves(found, was, earlier)
    _keep(_texts, path, _Kept(number, text, found, {id(f): i for i, f in enumerate(found)}))
    pieces = [pickle.dumps(items[i : i + PIECE], pickle.HIGHEST_PROTOCOL) for i in range(0, len(items), PIECE)]
    edit = earlier[0] if earlier is not None and items is not found else None
    return result.is_workflow, result.summary, result.duration_ms, pieces, edit


def _start_worker(server: int) -> None:
    """In each worker, first: let go of the client's pipes (stdin, stdout), and end when the server is gone, even
    killed: its workers (and so the forkserver, which waits for them) would live on, holding the client's pipe open."""
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)

    def watch() -> None:
        while _alive(server):
            time.sleep(_WATCH_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="wf-server-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the process table
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


#: How often a worker checks that the process that started it is still there.
_WATCH_SECONDS = 0.25


#: Texts shorter than this are sent whole (finding the changed region would cost more than it saves).
DELTA_MIN = 32_768


@dataclass(eq=False, slots=True)
class _Lane:
    """One worker process (a pool of one): what it was sent last, by document, and the documents it validates now."""

    pool: ProcessPoolExecutor | None = None
    #: the last text each document's validation sent here, with its number and its findings (the worker keeps the same)
    sent: OrderedDict[str | None, _Kept] = field(default_factory=OrderedDict)
    registries: set[str] = field(default_factory=set)
    running: list[str | None] = field(default_factory=list)


class ProcessAnalyzer:
    """A loader's analyzer that runs each validation in worker processes, started on first use.

    A document keeps to one worker (its lane) while that worker is free or busy with it: the worker keeps the
    document's last text, and each next version is sent as the edit from it (a keystroke in a 6 MB document sends a
    few characters, not 6 MB), and its incremental parse starts from that text. A document moves to another worker
    only when its own is busy with another document and the other is idle."""

    def __init__(self, workers: int | None = None) -> None:
        self._lanes = [_Lane() for _ in range(workers or max(1, min(2, os.cpu_count() or 1)))]
        self._lock = threading.Lock()
        self._registries: dict[str, bytes] = {}
        self._numbers = count(1)
        self._closed = False
        #: Set when worker processes cannot be started here (no /dev/shm, a sandbox): validation then runs in-process.
        self._in_process = False
        #: Characters of text sent to the workers (a delta counts its new characters only): how tests see deltas.
        self.sent_chars = 0
        #: Findings a worker gave as one the server held already (the last version's, moved by the edit or not).
        self.findings_held = 0

    def _executor(self, lane: _Lane) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise RuntimeError("the validation workers are shut down")
            if lane.pool is None:
                import multiprocessing  # here, not at start-up: the server answers initialize without it
                from concurrent.futures import ProcessPoolExecutor

                methods = multiprocessing.get_all_start_methods()
                context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
                lane.pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
                )
                log.info(
                    "started validation worker process %d of %d (%s)",
                    self._lanes.index(lane) + 1,
                    len(self._lanes),
                    context.get_start_method(),
                )
            return lane.pool

    def _registry_bytes(self, registry: Registry) -> bytes:
        blob = self._registries.get(registry.digest)
        if blob is None:
            blob = self._registries[registry.digest] = pickle.dumps(replace(registry, memo={}), pickle.HIGHEST_PROTOCOL)
        return blob

    def _take(self, path: str | None) -> _Lane:
        """The lane for a document's next validation (marked running until _give_back)."""
        with self._lock:
            lanes = self._lanes
            home = next((lane for lane in lanes if path in lane.sent), None)
            if home is None or (home.running and path not in home.running and not all(x.running for x in lanes)):
                home = min(lanes, key=lambda lane: len(lane.running))
                for lane in lanes:
                    if lane is not home:
                        lane.sent.pop(path, None)
            home.running.append(path)
            return home

    def _give_back(self, lane: _Lane, path: str | None) -> None:
        with self._lock:
            lane.running.remove(path)

    def _message(self, lane: _Lane, text: str, path: str | None, registry: Registry, whole: bool) -> tuple[Any, ...]:
        """What goes to the worker: the text or its delta, its number, and the registry if the worker lacks it; and
        the findings of the delta's base (what the answer's findings are given from)."""
        with self._lock:
            kept = None if whole else lane.sent.get(path)
            known = not whole and registry.digest in lane.registries
        blob = None if known else self._registry_bytes(registry)
        sent: str | Delta = text
        held = None
        if kept is not None and len(text) >= DELTA_MIN:
            start, old_end, new_end = changed_region(kept.text, text)
            sent = Delta(kept.number, start, len(kept.text) - old_end, text[start:new_end])
            held = kept.findings
        with self._lock:
            self.sent_chars += len(sent.middle if isinstance(sent, Delta) else sent)
            return sent, next(self._numbers), blob, held

    def _sent(
        self, lane: _Lane, path: str | None, number: int, text: str, findings: list[Finding], digest: str
    ) -> None:
        """Remember what the lane's worker now keeps (a later number than one recorded already)."""
        with self._lock:
            kept = lane.sent.get(path)
            if kept is None or kept.number < number:
                _keep(lane.sent, path, _Kept(number, text, findings))
            lane.registries.add(digest)

    def __call__(
        self, text: str, settings: Settings, registry: Registry, path: str | None, pre: list[Finding]
    ) -> Result:
        """Validate in a worker (the calling thread waits without holding the GIL); a dead worker is replaced once."""
        if self._in_process:
            return analyze_result(text, settings, registry, path, pre, incremental=True)
        if len(text) > settings.max_file_bytes:  # over the size limit for certain: reported at once, never parsed
            return analyze_result(text, settings, registry, path, pre)
        from concurrent.futures.process import BrokenProcessPool  # imported with the pool, on the first validation

        lane = self._take(path)
        try:
            for attempt in (1, 2):
                pool = None
                try:
                    pool = self._executor(lane)
                    answer = self._submit(pool, lane, text, settings, registry, path, pre)
                    break
                except (OSError, NotImplementedError) as exc:
                    log.error(
                        "validation worker processes cannot be started (%s): validating in the server process instead",
                        exc,
                    )
                    self._in_process = True
                    return analyze_result(text, settings, registry, path, pre, incremental=True)
                except BrokenProcessPool:  # a worker died, in this job or while idle
                    if pool is not None:
                        self._discard(lane, pool)
                    if attempt == 2:
                        raise
                    log.error(
                        "a validation worker process died: starting a new one and validating %s again",
                        path or "the document",
                    )
        finally:
            self._give_back(lane, path)
        is_workflow, summary, duration_ms, findings, earlier = answer
        return Result(findings, is_workflow, "", summary, duration_ms, False, earlier)

    def _submit(
        self,
        pool: ProcessPoolExecutor,
        lane: _Lane,
        text: str,
        settings: Settings,
        registry: Registry,
        path: str | None,
        pre: list[Finding],
    ) -> tuple[Any, ...]:
        """One job on a lane's worker: as a delta when the worker keeps the text before, else (or when it lost it)
        whole. Its answer, the findings read back."""
        for whole in (False, True):
            sent, number, blob, held = self._message(lane, text, path, registry, whole)
            answer = pool.submit(_work, sent, number, settings, registry.digest, blob, path, pre).result()
            if not isinstance(answer, tuple):
                continue
            is_workflow, summary, duration_ms, pieces, edit = answer
            items: list[Any] = []
            with PausedGC():  # thousands of small objects, no cycles: collections during the load would find nothing
                for piece in pieces:
                    items.extend(pickle.loads(piece))
                made = _from_moves(items, held, edit) if edit is not None else (items, None, 0)
            if made is None:
                continue  # (never seen: the next, whole text gets them all)
            findings, earlier, taken = made
            with self._lock:
                self.findings_held += taken
            self._sent(lane, path, number, text, findings, registry.digest)
            return is_workflow, summary, duration_ms, findings, earlier
        raise RuntimeError("a validation worker asked for a whole text twice")

    def forget(self, path: str | None) -> None:
        """A document was closed: the server lets go of the text it last sent (its worker's copy goes with its next
        documents; a document opened again is sent whole)."""
        with self._lock:
            for lane in self._lanes:
                lane.sent.pop(path, None)

    def _discard(self, lane: _Lane, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if lane.pool is pool:
                lane.pool = None
                lane.sent.clear()
                lane.registries.clear()
        _stop(pool)

    def shutdown(self) -> None:
        """Stop the workers now (a validation still running is abandoned)."""
        with self._lock:
            self._closed = True
            pools = [lane.pool for lane in self._lanes if lane.pool is not None]
            for lane in self._lanes:
                lane.pool = None
        for pool in pools:
            _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    # ProcessPoolExecutor waits for running jobs even with wait=False (at interpreter exit): end the workers first.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
