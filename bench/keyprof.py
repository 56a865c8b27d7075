"""Where a keystroke's time goes, for the keystroke line furthest over its budget: the server's validation timed stage
by stage (real worker processes, the benchmark's own edits), and the worker's engine under cProfile."""

from __future__ import annotations

import cProfile
import pickle
import statistics
import time
from typing import Any

import latency
from harness import top_by_own_time
from pygls.protocol import default_converter
from table import BUDGET_KEY, RENAMING, SHAPE_LABEL, Report

from wf_lsp.core.loader import WorkflowLoader, analyze_result
from wf_lsp.core.rules.registry import load_registry
from wf_lsp.core.settings import Settings
from wf_lsp.lsp import validation, workers
from wf_lsp.lsp.convert import DiagnosticStyle

EDITS = 20


def worst(rep: Report) -> tuple[float, int, str, str] | None:
    """(how far over, nodes, shape, sync) of the keystroke line whose distance to its floor is the largest share of
    its budget; None when no line has a budget."""
    found = None
    for key, res in rep.raw.get("keystroke", {}).items():
        n, shape, sync = key.split("/")
        budget = BUDGET_KEY.get(int(n))
        if budget is None or "error" in res["ours"] or "error" in res["floor"]:
            continue
        over = (res["ours"]["median_ms"] - res["floor"]["median_ms"]) / budget[0]
        if found is None or over > found[0]:
            found = (over, int(n), shape, sync)
    return found


class _Stages:
    """Wall time of the server's validation stages, each wrapped where the server calls it."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        self._undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        real = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                self.ms.setdefault(label, []).append((time.perf_counter() - t0) * 1000)

        self._undo.append((owner, name, real))
        setattr(owner, name, timed)

    def undo(self) -> None:
        for owner, name, real in reversed(self._undo):
            setattr(owner, name, real)

    def per_edit(self, label: str) -> float:
        """The median over edits of a stage's total in one edit (pickle.loads runs once per piece)."""
        values = self.ms.get(label, [])
        if not values:
            return 0.0
        per = max(1, len(values) // EDITS)
        return statistics.median(sum(values[i : i + per]) for i in range(0, len(values), per))


def _edits(text: str, shape: str) -> list[str]:
    editor = latency.Editor(text, latency.NODE_NAME if shape == RENAMING else latency.STRING_VALUE)
    out = []
    for k in range(EDITS):
        editor.next(k, incremental=True)
        out.append(editor.text)
    return out


_READ = "findings read back (pickle.loads)"
_PAYLOAD = "diagnostics as JSON values (to_payload)"
_MESSAGE = "the notification written (orjson)"


def _stages(text: str, versions: list[str]) -> list[tuple[str, float]]:
    """The server's validation of each version (validation.validate, as a server thread runs it), stage by stage."""
    analyzer = workers.ProcessAnalyzer()
    loader = WorkflowLoader(Settings(), analyzer=analyzer)
    converter = default_converter()
    stages = _Stages()
    engine: list[float] = []

    def job(t: str, v: int) -> validation.ValidationJob:
        uri, style = "file:///bench.json", DiagnosticStyle()
        return validation.ValidationJob(uri, v, t, "/bench.json", None, True, loader, "utf-16", style, 1, converter)

    try:
        validation.validate(job(text, 0))
        stages.wrap(workers.ProcessAnalyzer, "__call__", "trip")
        stages.wrap(pickle, "loads", _READ)
        stages.wrap(validation, "to_payload", _PAYLOAD)
        stages.wrap(validation, "_publish_message", _MESSAGE)
        for v, t in enumerate(versions, 1):
            t0 = time.perf_counter()
            out = validation.validate(job(t, v))
            stages.ms.setdefault("all", []).append((time.perf_counter() - t0) * 1000)
            engine.append(out.result.duration_ms)
    finally:
        stages.undo()
        analyzer.shutdown()
    ran, read = statistics.median(engine), stages.per_edit(_READ)
    rest = stages.per_edit("trip") - ran - read
    return [
        ("validation in all (a server thread)", stages.per_edit("all")),
        ("— the engine, in the worker (its Result.duration_ms)", ran),
        (
            "— the rest of the worker round trip (the edit sent and applied, the parse, the findings sent back as the"
            " server's held ones or anew, the moved ones made on the server)",
            rest,
        ),
        *(("— " + label, stages.per_edit(label)) for label in (_READ, _PAYLOAD, _MESSAGE)),
    ]


def _engine_profile(text: str, versions: list[str]) -> str:
    settings = Settings()
    registry = load_registry(settings.registry)
    path = "/bench-profile.json"
    analyze_result(text, settings, registry, path, [], incremental=True)
    prof = cProfile.Profile()
    for t in versions:
        prof.enable()
        analyze_result(t, settings, registry, path, [], incremental=True)
        prof.disable()
    return top_by_own_time(prof)


def profile_keystroke(rep: Report, docs: dict[tuple[int, str], str]) -> str:
    """The worst keystroke line: its stages, then the engine's cProfile on the same edits."""
    found = worst(rep)
    if found is None:
        return ""
    over, n, shape, sync = found
    res = rep.raw["keystroke"][f"{n}/{shape}/{sync}"]
    text = docs[(n, "valid" if shape == RENAMING else shape)]
    versions = _edits(text, shape)
    rows = _stages(text, versions)
    head = (
        f"#### Profile of the worst keystroke line: {sync} sync, {SHAPE_LABEL[shape]}, {n} nodes "
        f"({over:.1f}× its budget over the floor: {res['ours']['median_ms']:.1f} ms, floor "
        f"{res['floor']['median_ms']:.1f} ms)"
    )
    table = ["| stage (median of one edit, the benchmark's edits) | ms |", "|---|---:|"]
    table += [f"| {label} | {ms:.1f} |" for label, ms in rows]
    note = (
        "The rest of the line (its median less the floor and the validation) is the protocol around it: the edit "
        "read and applied, the notification sent and read by the client."
    )
    profile = _engine_profile(text, versions)
    title = f"The engine on the same {EDITS} edits (cProfile, top 15 by own time):"
    return "\n".join([head, "", *table, "", note, "", title, "", "```", profile, "```"])


__all__ = ["profile_keystroke", "worst"]
