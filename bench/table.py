"""The budget and the table: rows, pass/miss against the budget, and the Markdown `bench/run` prints."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

#: full validation (ms): the valid 1000-node document, then every shape by size (no time budget at 100 nodes)
BUDGET_FULL_VALID_1000 = 15.0
BUDGET_FULL = {1000: 40.0, 5000: 200.0}
#: a keystroke (didChange → diagnostics) over its floor (ms): (median, p95 or None) by size
BUDGET_KEY = {1000: (15.0, 30.0), 5000: (60.0, None)}
#: ours ÷ VS Code's JSON language service, every size and shape (at least 4× faster)
BUDGET_PEER_RATIO = 0.25
#: `wf-lsp check`, cold: files per second per worker
BUDGET_CHECK_PER_WORKER = 2500.0
#: start-up over the bare pygls server (ms)
BUDGET_STARTUP_OVER = 50.0
#: a cache hit (ms) by size, and the server's memory with the 5000-node document (MB)
BUDGET_HIT = {100: 0.05, 1000: 0.5, 5000: 2.5}
BUDGET_RSS_MB = 250.0

#: the keystroke lines that rename a node: the valid document, typed into a node's name instead of a parameter
RENAMING = "renaming"
SHAPE_LABEL = {
    "valid": "valid",
    "errors10": "10 errors",
    "errors_every": "error on every node",
    "unknown_few": "unknown types (10 distinct)",
    "unknown_all": "unknown types (all distinct)",
    "n8n": "n8n export (AI connections)",
    "broken_comma": "broken JSON (missing comma)",
    "broken_truncated": "broken JSON (truncated)",
    "long_names": "10 kB names",
    "deep_params": "deep parameter tree",
    # keystrokes only: the valid document, typed into a node's name (a rename, one keystroke at a time)
    RENAMING: "valid, typing in a node's name",
}


def full_budget(shape: str, n: int) -> float | None:
    """The full-validation time budget of a shape and size (None: no time budget)."""
    if n == 1000 and shape == "valid":
        return BUDGET_FULL_VALID_1000
    return BUDGET_FULL.get(n)


def fms(x: float | None) -> str:
    """Milliseconds with about three significant digits."""
    if x is None or x != x:
        return "n/a"
    if x >= 100:
        return f"{x:.0f} ms"
    if x >= 10:
        return f"{x:.1f} ms"
    if x >= 1:
        return f"{x:.2f} ms"
    return f"{x:.3f} ms"


def mark(ok: bool | None) -> str:
    return "—" if ok is None else ("✓" if ok else "✗")


@dataclass
class Row:
    what: str
    shape: str = ""
    nodes: str = ""
    ours: str = ""
    p95: str = ""
    floor: str = ""
    vs_floor: str = ""
    peer: str = ""
    vs_peer: str = ""
    findings: str = ""
    budget: str = ""
    ok: str = "—"
    #: why the row misses its budget (by how much), for the list under the table
    miss: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows.append(row)


def check(ok: bool, text: str, misses: list[str]) -> bool:
    if not ok:
        misses.append(text)
    return ok


HEADER = (
    "| what | shape | nodes | ours (median) | ours p95 | floor (median, p95) | vs floor "
    "| VS Code JSON | ours/VS Code | findings | budget | ok |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|:-:|",
)


def render(rep: Report, meta: dict[str, str]) -> str:
    lines = [
        "### wf-lsp benchmark ({})".format(meta["when"]),
        "",
        "Machine: {} cores shared with other work (load average {}), Python {}, Node {}. Command: `{}`. "
        "Schema for VS Code's JSON service: {}.".format(
            os.cpu_count(), meta["load"], meta["python"], meta["node"], meta["command"], meta["schema"]
        ),
        "",
        *HEADER,
    ]
    for r in rep.rows:
        cells = (
            r.what,
            r.shape,
            r.nodes,
            r.ours,
            r.p95,
            r.floor,
            r.vs_floor,
            r.peer,
            r.vs_peer,
            r.findings,
            r.budget,
            r.ok,
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Floors, measured in the same run: full validation — `orjson.loads` of the same text (ours ÷ floor); "
        "keystroke — a bare pygls server (`bench/floor_server.py`) sent the same edits in the same sync mode "
        "(ours − floor). "
        "`ours/VS Code` ≤ 0.25 means at least 4× faster than `vscode-json-languageservice` "
        "(parse + validate against our schema).",
    ]
    misses = [r.miss for r in rep.rows if r.ok == "✗" and r.miss]
    held = sum(1 for r in rep.rows if r.ok == "✓")
    lines += [
        "",
        f"**{held} rows hold their budget, {len(misses)} miss:**" if misses else f"**All {held} budget rows hold.**",
    ]
    lines += ["- " + m for m in misses]
    if rep.notes:
        lines += ["", "Notes:", ""] + ["- " + n for n in rep.notes]
    return "\n".join(lines)
