"""The benchmark harness runs end to end on tiny documents (a smoke test: it checks the table, never the speed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_prints_rows_for_full_validation_and_both_keystroke_modes(tmp_path: Path) -> None:
    env = dict(os.environ, WF_BENCH_OUT=str(tmp_path))
    cmd = [sys.executable, str(ROOT / "bench" / "bench.py"), "--quick", "--sizes", "10", "--shapes", "broken_truncated"]
    cmd += ["--skip", "peer,corpus,startup,check,profile"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    kinds = {(cells[1].strip(), cells[2].strip()) for cells in (row.split("|") for row in rows)}
    measurements = ("full validation", "keystroke, full sync", "keystroke, incremental sync")
    assert kinds == {(what, "broken JSON (truncated)") for what in measurements}, rows
    measured = [row.split("|")[4:7] for row in rows]  # ours, p95, floor
    assert all(cell.strip().endswith(("ms", "pygls", "orjson")) for cells in measured for cell in cells), rows
    assert (tmp_path / "table.md").read_text(encoding="utf-8").strip() == run.stdout.strip()


def test_the_worst_keystroke_line_is_profiled_stage_by_stage() -> None:
    """bench/keyprof.py picks the keystroke line furthest over its budget and times the server's validation stages
    on its document (real worker processes); here on a small document standing in for it."""
    code = """
import sys
sys.path[:0] = ["bench", "."]
import gen, keyprof
from table import Report
rep = Report()
rep.raw["keystroke"] = {
    "1000/valid/full": {"ours": {"median_ms": 12.0}, "floor": {"median_ms": 8.0}},
    "1000/errors_every/incremental": {"ours": {"median_ms": 50.0}, "floor": {"median_ms": 9.0}},
}
print(keyprof.profile_keystroke(rep, {(1000, "errors_every"): gen.make(60, "errors_every")}))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert "worst keystroke line: incremental sync, error on every node, 1000 nodes (2.7× its budget" in out, out
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    stages = {cells[1].strip(): float(cells[2]) for cells in rows[1:]}
    assert len(stages) == 6 and stages["validation in all (a server thread)"] > 0, out
    assert "ncalls" in out and "wf_lsp/core/" in out, out
