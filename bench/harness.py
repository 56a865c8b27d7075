"""Measuring: interleaved timing, VS Code's JSON service as a peer process, the server and CLI commands, redis."""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from wf_lsp.core.result import Result

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
#: where the table, raw numbers, documents and server logs go (WF_BENCH_OUT overrides bench/out)
OUT = Path(os.environ.get("WF_BENCH_OUT") or BENCH / "out")
PEER = BENCH / "peer"


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def p95(xs: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[max(0, -(-95 * len(s) // 100) - 1)]


@dataclass
class SelfTimed:
    """A run timed by the callee itself (the peer times itself inside Node, without the pipe)."""

    ms: float


#: a round runs each timed function for about this long (consecutive calls), at most MAX_BURST calls
BURST_MS = 2.0
MAX_BURST = 25


def interleaved(
    fns: dict[str, Callable[[], Any]],
    setups: dict[str, Callable[[], Any]] | None = None,
    min_runs: int = 7,
    min_time: float = 0.5,
    max_runs: int = 3000,
) -> dict[str, list[float]]:
    """Time several functions round-robin (so machine drift hits all alike); ms per call per function.

    Each round runs every function in a burst of consecutive calls lasting about BURST_MS (one call when a call takes
    longer), each call timed on its own: sub-millisecond calls are then timed warm, as timeit does, instead of right
    after another process (the peer's Node server) has evicted their code and data from the CPU caches.
    """
    setups = setups or {}
    times: dict[str, list[float]] = {k: [] for k in fns}
    bursts: dict[str, int] = {}
    w0 = time.perf_counter()
    for k, f in fns.items():  # warm-up round: imports, lazily built tables
        if k in setups:
            setups[k]()
        t0 = time.perf_counter()
        r = f()
        ms = r.ms if isinstance(r, SelfTimed) else (time.perf_counter() - t0) * 1000
        bursts[k] = max(1, min(MAX_BURST, int(BURST_MS / max(ms, 1e-3))))
    warm = time.perf_counter() - w0
    if warm > 20:  # pathological (seconds per call): keep the whole run bounded
        min_runs = 1
    elif warm > 2:
        min_runs = min(min_runs, 3)
    start = time.perf_counter()
    rounds = 0
    while rounds < min_runs or (time.perf_counter() - start < min_time and rounds < max_runs):
        for k, f in fns.items():
            setup = setups.get(k)
            for _ in range(bursts[k]):
                if setup is not None:
                    setup()
                t0 = time.perf_counter_ns()
                r = f()
                dt = (time.perf_counter_ns() - t0) / 1e6
                times[k].append(r.ms if isinstance(r, SelfTimed) else dt)
        rounds += 1
    return times


def top_by_own_time(prof: cProfile.Profile, lines: int = 15) -> str:
    """A profile's table, its top functions by own time, with the checkout's and the standard library's paths cut."""
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(lines)
    site = str(Path(pstats.__file__).parent) + "/"
    out = buf.getvalue().replace(str(ROOT) + "/", "").replace(site, "").splitlines()
    start = next((i for i, line in enumerate(out) if line.strip().startswith("ncalls")), 0)
    return "\n".join(out[start:]).rstrip()


def orjson_floor(text: str) -> Any:
    """The floor of a full validation: orjson parsing the same text (a syntax error ends it early)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def counts(result: Result) -> str:
    """Findings of a result, and how many are errors (with their codes when there are one or two)."""
    codes = ", ".join(f.code for f in result.findings) if 0 < len(result.findings) <= 2 else ""
    return f"{len(result.findings)} ({len(result.errors)} err{': ' + codes if codes else ''})"


def wf_lsp_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "wf-lsp"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wf_lsp"]


def schema_path() -> tuple[Path, str]:
    """Our generated JSON Schema, or the hand-made fallback while `wf-lsp schema` does not exist."""
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        r = subprocess.run(wf_lsp_cmd() + ["schema"], capture_output=True, timeout=60, cwd=ROOT)
        if r.returncode == 0 and r.stdout.strip():
            json.loads(r.stdout)
            p = OUT / "schema.json"
            p.write_bytes(r.stdout)
            return p, "`wf-lsp schema`"
        why = (r.stderr.decode(errors="replace").strip().splitlines() or [f"exit {r.returncode}"])[-1]
    except Exception as e:
        why = f"{type(e).__name__}: {e}"
    return PEER / "fallback-schema.json", f"FALLBACK hand-made schema (`wf-lsp schema` failed: {why[:120]})"


class Peer:
    """`node peer.js --serve`: one timed parseJSONDocument + doValidation run per request, interleaved with ours."""

    def __init__(self, schema: Path):
        node = shutil.which("node")
        if not node or not (PEER / "node_modules" / "vscode-json-languageservice").exists():
            raise RuntimeError("node or bench/peer/node_modules missing (run `npm ci` in bench/peer)")
        self.proc = subprocess.Popen(
            [node, str(PEER / "peer.js"), "--schema", str(schema), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.diagnostics: dict[str, int] = {}

    def run(self, path: Path | str) -> SelfTimed:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps({"file": str(path)}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("peer exited: " + (self.proc.stderr.read() if self.proc.stderr else "")[-500:])
        r = json.loads(line)
        if "error" in r:
            raise RuntimeError("peer: " + r["error"])
        self.diagnostics[str(path)] = r["diagnostics"]
        return SelfTimed(r["ms"])

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis() -> tuple[subprocess.Popen[bytes], str] | None:
    exe = shutil.which("redis-server")
    if not exe:
        return None
    port = _free_port()
    d = tempfile.mkdtemp(prefix="wf-bench-redis-")
    proc = subprocess.Popen(
        [
            exe,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            d,
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    return None
