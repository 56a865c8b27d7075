"""What `bench/run` measures against floors and budget: full validation, keystrokes, start-up, check, memory."""

from __future__ import annotations

import asyncio
import cProfile
import gc
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gen
import latency
from harness import (
    OUT,
    ROOT,
    Peer,
    counts,
    interleaved,
    log,
    med,
    orjson_floor,
    p95,
    start_redis,
    top_by_own_time,
    wf_lsp_cmd,
)
from table import (
    BUDGET_CHECK_PER_WORKER,
    BUDGET_HIT,
    BUDGET_KEY,
    BUDGET_PEER_RATIO,
    BUDGET_RSS_MB,
    BUDGET_STARTUP_OVER,
    RENAMING,
    SHAPE_LABEL,
    Report,
    Row,
    check,
    fms,
    full_budget,
    mark,
)

from wf_lsp.core.loader import WorkflowLoader

Docs = dict[tuple[int, str], str]


def _fresh(text: str) -> str:
    """An equal new str object (Python caches a str's hash on the object, as an editor's new buffer would not have)."""
    return (text + " ")[:-1]


def full_validation(
    rep: Report, docs: Docs, peer: Peer | None, paths: dict[tuple[int, str], Path], quick: bool
) -> None:
    """Cold `validate_text` (cache cleared, a new str each run) interleaved with orjson and VS Code's JSON service."""
    hits: list[Row] = []
    for (n, shape), text in docs.items():
        log(f"full validation {n:5d} {shape} ...")
        cold, warm = WorkflowLoader(), WorkflowLoader()
        holder = [text]
        fns: dict[str, Callable[[], Any]] = {
            "orjson": lambda t=text: orjson_floor(t),
            "ours": lambda h=holder, L=cold: L.validate_text(h[0]),
        }
        setups: dict[str, Callable[[], Any]] = {
            "ours": lambda t=text, h=holder, L=cold: (L.clear(), h.__setitem__(0, _fresh(t)))
        }
        if peer is not None:
            fns["peer"] = lambda p=paths[(n, shape)]: peer.run(p)
        if shape == "valid":
            warm.validate_text(text)
            copy = [text]
            fns["hit"] = lambda c=copy, L=warm: L.validate_text(c[0])
            setups["hit"] = lambda t=text, c=copy: c.__setitem__(0, _fresh(t))
        times = interleaved(fns, setups, min_runs=3 if quick else 7, min_time=0.15 if quick else 0.6)
        cold.clear()
        findings = counts(cold.validate_text(text))
        ours, floor = med(times["ours"]), med(times["orjson"])
        peer_ms = med(times["peer"]) if "peer" in times else None
        budget = full_budget(shape, n)
        label = f"{SHAPE_LABEL[shape]}, {n} nodes"
        misses: list[str] = []
        ok = True
        if budget is not None:
            ok &= check(
                ours <= budget,
                f"{fms(ours)} vs ≤ {fms(budget)} ({ours / budget:.1f}× the budget)",
                misses,
            )
        if peer_ms is not None:
            ok &= check(
                ours <= BUDGET_PEER_RATIO * peer_ms,
                f"{peer_ms / ours:.1f}× as fast as VS Code's JSON service, not 4×",
                misses,
            )
        diags = peer.diagnostics.get(str(paths[(n, shape)])) if peer is not None else None
        rep.add(
            Row(
                what="full validation",
                shape=SHAPE_LABEL[shape],
                nodes=str(n),
                ours=fms(ours),
                p95=fms(p95(times["ours"])),
                floor=fms(floor) + " orjson",
                vs_floor=f"{ours / floor:.1f}×",
                peer=fms(peer_ms) + (f" ({diags} diag)" if diags is not None else "") if peer_ms is not None else "n/a",
                vs_peer=f"{ours / peer_ms:.2f}" if peer_ms else "",
                findings=findings,
                budget=(f"≤ {fms(budget)}; " if budget is not None else "") + "≥ 4× VS Code",
                ok=mark(ok if (budget is not None or peer_ms is not None) else None),
                miss=f"full validation, {label}: " + "; ".join(misses),
            )
        )
        rep.raw.setdefault("full", {})[f"{n}/{shape}"] = {
            "ours_ms": ours,
            "ours_p95_ms": p95(times["ours"]),
            "orjson_ms": floor,
            "peer_ms": peer_ms,
            "findings": findings,
            "runs": len(times["ours"]),
            "bytes": len(text.encode()),
        }
        if "hit" in times:
            hit, hb = med(times["hit"]), BUDGET_HIT.get(n)
            hits.append(
                Row(
                    what="cache hit (same text as a new str)",
                    shape="valid",
                    nodes=str(n),
                    ours=fms(hit),
                    p95=fms(p95(times["hit"])),
                    floor=fms(floor) + " orjson",
                    vs_floor=f"{hit / floor:.2f}×",
                    budget=f"≤ {fms(hb)}" if hb else "",
                    ok=mark(hit <= hb if hb else None),
                    miss=f"cache hit, {n} nodes: {fms(hit)} vs ≤ {fms(hb)}",
                )
            )
        gc.collect()
    for row in hits:
        rep.add(row)


def corpus(rep: Report, peer: Peer | None, quick: bool) -> None:
    """The real MetaBuilder corpus: the sum of per-file medians (informational)."""
    files = gen.corpus()
    tot = {"orjson": 0.0, "ours": 0.0, "peer": 0.0}
    findings = 0
    loader = WorkflowLoader()
    for path, text in files:
        holder = [text]
        fns: dict[str, Callable[[], Any]] = {
            "orjson": lambda t=text: orjson_floor(t),
            "ours": lambda h=holder, p=path: loader.validate_text(h[0], p),
        }
        if peer is not None:
            fns["peer"] = lambda p=path: peer.run(p)
        setups: dict[str, Callable[[], Any]] = {
            "ours": lambda t=text, h=holder: (loader.clear(), h.__setitem__(0, _fresh(t)))
        }
        times = interleaved(fns, setups, min_runs=3 if quick else 7, min_time=0.02 if quick else 0.08)
        for k in times:
            tot[k] += med(times[k])
        loader.clear()
        findings += len(loader.validate_text(text, path).findings)
    rep.add(
        Row(
            what=f"real corpus, {len(files)} files, sum of medians",
            shape="MetaBuilder corpus",
            nodes="651 in all",
            ours=fms(tot["ours"]),
            floor=fms(tot["orjson"]) + " orjson",
            vs_floor=f"{tot['ours'] / tot['orjson']:.1f}×",
            peer=fms(tot["peer"]) if peer is not None else "n/a",
            vs_peer=f"{tot['ours'] / tot['peer']:.2f}" if peer is not None else "",
            findings=str(findings),
            budget="(information)",
        )
    )


def _lat(r: dict[str, Any]) -> str:
    return "{}, {}".format(fms(r["median_ms"]), fms(r["p95_ms"]))


def keystrokes(rep: Report, docs: Docs, quick: bool) -> None:
    """didChange → publishDiagnostics, full and incremental sync, each next to the floor server in the same mode."""
    ours_cmd = [*wf_lsp_cmd(), "serve"]
    errlog = str(OUT / "server-stderr.log")
    valid = {n: gen.make(n) for n, shape in docs if shape.startswith("broken")}
    lines: list[tuple[int, str, str]] = []
    for (n, shape), text in docs.items():
        lines.append((n, shape, text))
        if shape == "valid":  # and the same document renaming a node, keystroke by keystroke
            lines.append((n, RENAMING, text))
    for n, shape, text in lines:
        log(f"keystrokes {n:5d} {shape} ...")
        cap = (4.0 if quick else 6.0) * (2 if n >= 5000 else 1)
        for sync in ("full", "incremental"):
            res: dict[str, dict[str, Any]] = {}
            for who, cmd in (("floor", [*latency.FLOOR, "--sync", sync]), ("ours", ours_cmd)):
                try:
                    before = valid.get(n) if shape.startswith("broken") else None
                    run = latency.measure_latency(
                        cmd,
                        text,
                        changes=10 if quick else 30,
                        sync=sync,
                        max_seconds=cap,
                        stderr_path=errlog,
                        before=before,
                        at=latency.NODE_NAME if shape == RENAMING else latency.STRING_VALUE,
                    )
                    res[who] = asyncio.run(run)
                except Exception as e:
                    res[who] = {"error": f"{type(e).__name__}: {e}"}
                    log(f"  {who} {sync} failed: {res[who]['error']}")
            rep.raw.setdefault("keystroke", {})[f"{n}/{shape}/{sync}"] = res
            _keystroke_row(rep, n, shape, sync, res["ours"], res["floor"])


def _keystroke_row(rep: Report, n: int, shape: str, sync: str, ours: dict[str, Any], floor: dict[str, Any]) -> None:
    row = Row(what=f"keystroke, {sync} sync", shape=SHAPE_LABEL[shape], nodes=str(n))
    if "error" in ours or "error" in floor:
        row.ours = "n/a: " + (ours.get("error") or floor.get("error") or "")[:80]
        rep.add(row)
        return
    d_med, d_p95 = ours["median_ms"] - floor["median_ms"], ours["p95_ms"] - floor["p95_ms"]
    row.ours, row.p95 = fms(ours["median_ms"]), fms(ours["p95_ms"])
    row.floor = _lat(floor) + " pygls"
    row.vs_floor = f"{d_med:+.1f} / {d_p95:+.1f} ms"
    row.findings = f"{ours['diagnostics_last']} diag, {ours['changes']} edits"
    budget = BUDGET_KEY.get(n)
    if budget is None:
        row.budget = "(no budget at this size)"
        rep.add(row)
        return
    b_med, b_p95 = budget
    label = f"keystroke, {sync} sync, {SHAPE_LABEL[shape]}, {n} nodes"
    misses: list[str] = []
    ok = check(d_med <= b_med, f"floor {d_med:+.1f} ms median (≤ +{b_med:.0f})", misses)
    row.budget = f"≤ floor +{b_med:.0f} ms median"
    if b_p95 is not None:
        ok &= check(d_p95 <= b_p95, f"floor {d_p95:+.1f} ms p95 (≤ +{b_p95:.0f})", misses)
        row.budget += f", +{b_p95:.0f} ms p95"
    row.ok, row.miss = mark(ok), f"{label}: " + ", ".join(misses)
    rep.add(row)


def startup(rep: Report, quick: bool) -> None:
    """Spawn → initialize response, ours and the bare pygls server alternately."""
    reps = 3 if quick else 7
    ours_t: list[float] = []
    floor_t: list[float] = []
    for _ in range(reps):
        floor_t += asyncio.run(latency.measure_startup(latency.FLOOR, 1))["runs_ms"]
        ours_t += asyncio.run(latency.measure_startup([*wf_lsp_cmd(), "serve"], 1))["runs_ms"]
    o, f = med(ours_t), med(floor_t)
    rep.raw["startup"] = {"ours_ms": ours_t, "floor_ms": floor_t}
    rep.add(
        Row(
            what="start-up to initialize response",
            nodes="—",
            ours=fms(o),
            p95=fms(p95(ours_t)),
            floor=f"{fms(f)}, {fms(p95(floor_t))} pygls",
            vs_floor=f"{o - f:+.0f} ms",
            budget=f"≤ floor +{BUDGET_STARTUP_OVER:.0f} ms",
            ok=mark(o - f <= BUDGET_STARTUP_OVER),
            miss=f"start-up: {o - f:+.0f} ms over the bare pygls server vs ≤ +{BUDGET_STARTUP_OVER:.0f}",
        )
    )


def check_cli(rep: Report, quick: bool) -> None:
    """`wf-lsp check` over 1000 small valid files: cold on 1 and 2 workers; warm (local cache, Redis) as information."""
    many = OUT / "many"
    n_files = 1000
    log(f"writing {n_files} small workflows ...")
    paths = gen.many_files(many, n_files)
    mb = sum(p.stat().st_size for p in paths) / 1e6
    reps = 1 if quick else 3
    # An installed package has its bytecode compiled; PYTHONDONTWRITEBYTECODE would make every run recompile.
    env = {k: v for k, v in os.environ.items() if k not in ("WF_LSP_REDIS_URL", "PYTHONDONTWRITEBYTECODE")}

    def run(extra: list[str], target: Path = many, extra_env: dict[str, str] | None = None) -> float:
        t0 = time.perf_counter()
        cmd = [*wf_lsp_cmd(), "check", str(target), "--exit-zero", "--no-config", "--no-respect-gitignore", *extra]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=900, env=env | (extra_env or {}))
        secs = time.perf_counter() - t0
        want = 1 if target != many else n_files
        if r.returncode != 0 or f"{want} file(s) checked" not in r.stdout + r.stderr:
            raise RuntimeError(
                f"{' '.join(cmd[1:])}: exit {r.returncode}, not {want} files checked: {(r.stdout + r.stderr)[-300:]}"
            )
        return secs

    def timed(extra: list[str], extra_env: dict[str, str] | None = None) -> float:
        return med([run(extra, many, extra_env) for _ in range(reps)])

    one = med([run(["--jobs", "1"], paths[0]) for _ in range(reps + 1)])
    rows: list[tuple[str, float, int | None]] = [
        ("cold, 1 worker", timed(["--jobs", "1"]), 1),
        ("cold, 2 workers", timed(["--jobs", "2"]), 2),
    ]
    newest = max(max(p.stat().st_mtime, p.stat().st_ctime) for p in paths)
    time.sleep(max(0.0, newest + 2.1 - time.time()))  # the local cache trusts timestamps 2 s old
    cache_dir = tempfile.mkdtemp(prefix="wf-bench-cache-")
    try:
        run(["--jobs", "1", "--cache-dir", cache_dir])
        rows.append(("warm, local cache", timed(["--jobs", "1", "--cache-dir", cache_dir]), None))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    redis = start_redis()
    if redis is not None:
        proc, url = redis
        try:
            secret = {"WF_LSP_CACHE_SECRET": "bench-only-secret"}  # the shared cache is used only with a secret
            run(["--jobs", "1", "--cache-url", url], many, secret)
            rows.append(("warm, Redis", timed(["--jobs", "1", "--cache-url", url], secret), None))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    rep.raw["check"] = {label: secs for label, secs, _ in rows} | {"one_file": one}
    for label, secs, workers in rows:
        fps = n_files / secs
        row = Row(
            what=f"`wf-lsp check` 1000 files ({mb:.0f} MB), {label}",
            shape="valid, 5–60 nodes",
            nodes="1000 files",
            ours=f"{fps:.0f} files/s",
            floor=f"{secs:.2f} s wall; 1 file {one:.2f} s",
            vs_floor=f"{n_files / max(1e-9, secs - one):.0f} files/s net of start-up" if secs > one else "",
            budget="(information)",
        )
        if workers is not None:
            per = fps / workers
            row.ours += f" ({per:.0f} a worker)" if workers > 1 else ""
            row.budget = f"≥ {BUDGET_CHECK_PER_WORKER:.0f} files/s a worker"
            row.ok = mark(per >= BUDGET_CHECK_PER_WORKER)
            row.miss = f"check {label}: {per:.0f} files/s a worker vs ≥ {BUDGET_CHECK_PER_WORKER:.0f}"
        rep.add(row)


def memory(rep: Report, text: str, n: int, edits: int) -> None:
    """Peak and resident memory with the n-node document open and edited (ours and the floor server)."""
    res: dict[str, dict[str, Any]] = {}
    errlog = str(OUT / "server-stderr.log")
    for who, cmd in (("floor", [*latency.FLOOR, "--sync", "incremental"]), ("ours", [*wf_lsp_cmd(), "serve"])):
        log(f"memory {who} {n} nodes, {edits} edits ...")
        res[who] = asyncio.run(
            latency.measure_latency(
                cmd, text, changes=edits, warmup=0, gap_ms=1, max_seconds=600, rss_at=(10, edits), stderr_path=errlog
            )
        )
    rep.raw["memory"] = res
    o, f = res["ours"], res["floor"]
    a, b = o["rss_mb"].get("after_10", 0.0), o["rss_mb"].get(f"after_{edits}", 0.0)
    ok = o["peak_rss_mb"] <= BUDGET_RSS_MB and b - a <= max(5.0, 0.05 * a)
    rep.add(
        Row(
            what=f"server memory, document open + {edits} edits: peak (RSS after 10 → {edits} edits)",
            shape="valid",
            nodes=str(n),
            ours="{:.0f} MB ({:.0f} → {:.0f})".format(o["peak_rss_mb"], a, b),
            floor="{:.0f} MB pygls".format(f["peak_rss_mb"]),
            vs_floor=f"growth {b - a:+.1f} MB",
            budget=f"≤ {BUDGET_RSS_MB:.0f} MB, no growth",
            ok=mark(ok),
            miss=f"memory: peak {o['peak_rss_mb']:.0f} MB (≤ {BUDGET_RSS_MB:.0f}), "
            f"growth {b - a:+.1f} MB over edits 10→{edits}",
        )
    )


def profile_worst(rep: Report, docs: Docs) -> str:
    """cProfile of the full-validation line furthest over its budget (or, with none over, the slowest vs its floor)."""
    full = rep.raw.get("full", {})
    if not full:
        return ""

    def over(key: str) -> float:
        n, shape = key.split("/")
        budget = full_budget(shape, int(n))
        v = full[key]
        return v["ours_ms"] / budget if budget else v["ours_ms"] / v["orjson_ms"] / 1000

    key = max(full, key=over)
    n, shape = int(key.split("/")[0]), key.split("/")[1]
    text = docs[(n, shape)]
    loader = WorkflowLoader()
    runs = max(1, min(50, int(2000 / max(1.0, full[key]["ours_ms"]))))
    prof = cProfile.Profile()
    for _ in range(runs):
        loader.clear()
        prof.enable()
        loader.validate_text(_fresh(text))
        prof.disable()
    head = (
        f"#### Profile of the worst line: full validation, {SHAPE_LABEL[shape]}, {n} nodes "
        f"({runs} cold runs, cProfile, top 15 by own time)"
    )
    return "\n".join([head, "", "```", top_by_own_time(prof), "```"])


def wf_lsp_serve_ok() -> str:
    """Empty when `wf-lsp serve` starts and answers initialize; else why not."""
    try:
        asyncio.run(asyncio.wait_for(latency.measure_startup([*wf_lsp_cmd(), "serve"], 1), 60))
        return ""
    except Exception as e:
        return f"{type(e).__name__}: {e}"
