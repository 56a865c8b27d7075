"""Editor latency through the tests' raw client (tests/lsp/raw.py): didChange → publishDiagnostics, start-up, RSS."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.lsp.raw import RawServer, utf16_position  # noqa: E402

URI = "file:///bench/workflow.json"
#: no debounce: the time measured is the server's, not a timer's
OPTIONS = {"debounceMs": 0}
FLOOR = [sys.executable, str(Path(__file__).with_name("floor_server.py"))]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, math.ceil(p / 100.0 * len(s)) - 1))
    return s[k]


def _proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in kB from /proc/<pid>/status."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def rss_mb(pid: int) -> dict[str, float]:
    """Resident and peak-resident memory (MB) of the server process."""
    st = _proc_status(pid)
    return {"rss": st.get("VmRSS", 0) / 1024, "hwm": st.get("VmHWM", 0) / 1024}


def server(command: list[str], stderr_path: str | None = None) -> RawServer:
    return RawServer(
        configuration=lambda item: dict(OPTIONS), stderr=Path(stderr_path) if stderr_path else None, command=command
    )


#: where the benchmark types by default: the start of the first string value after the middle of the text
STRING_VALUE = '": "'
#: where it types to rename a node: the start of the first node name after the middle
NODE_NAME = '"name": "'


class Editor:
    """Small, always-new edits (one character typed at a fixed spot at the start of a string value near the middle:
    the first after the marker `at`), as full text or as a real incremental range change (UTF-16 position)."""

    def __init__(self, text: str, at: str = STRING_VALUE):
        self.text = text
        mid = len(text) // 2
        pos = text.find(at, mid)
        if pos == -1:
            pos = text.rfind(at, 0, mid)
        self.offset = pos + len(at) if pos != -1 else mid
        self.position = utf16_position(text, self.offset)

    def next(self, k: int, incremental: bool) -> dict[str, Any]:
        ch = "abcdefghijklmnopqrstuvwxyz"[k % 26]
        self.text = self.text[: self.offset] + ch + self.text[self.offset :]
        if incremental:
            return {"range": {"start": self.position, "end": self.position}, "text": ch}
        return {"text": self.text}


async def _published(s: RawServer, since: int, version: int, timeout: float) -> tuple[float, dict[str, Any]]:
    """Arrival time and params of the first publishDiagnostics for URI with this version or later (or no version)."""

    def find() -> tuple[float, dict[str, Any]] | None:
        for i in range(since, len(s.received)):
            m = s.received[i]
            if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == URI:
                got = m["params"].get("version")
                if got is None or got >= version:
                    return s.arrived[i], m["params"]
        return None

    found: tuple[float, dict[str, Any]] = await s.until(find, timeout=timeout, what=f"diagnostics of version {version}")
    return found


async def measure_latency(
    cmd: list[str],
    text: str,
    changes: int = 60,
    warmup: int = 3,
    sync: str = "incremental",
    gap_ms: float = 5.0,
    max_seconds: float = 30.0,
    min_changes: int = 5,
    rss_at: tuple[int, ...] = (),
    stderr_path: str | None = None,
    before: str | None = None,
    at: str = STRING_VALUE,
) -> dict[str, Any]:
    """Open text, then send warmup+changes didChange one at a time (stopping early, after at least min_changes, once
    max_seconds have passed); latency from writing each didChange to reading its publishDiagnostics.

    With `before`, that text is opened first and then replaced by text in one full change (neither timed): a server
    shows nothing for a broken document it has never seen as a workflow, so broken JSON is measured as an editor
    meets it, in a workflow that was valid a moment ago. The edits are typed after the first `at` past the middle
    (see Editor)."""
    s = await server(cmd, stderr_path).start()
    assert s.proc is not None
    try:
        init = await s.initialize(options=dict(OPTIONS))
        kind = init["result"]["capabilities"].get("textDocumentSync", 1)
        kind = kind.get("change", 1) if isinstance(kind, dict) else int(kind)
        incremental = sync == "incremental"
        if incremental and kind != 2:
            raise RuntimeError("the server does not advertise incremental sync")
        since = len(s.received)
        s.open(URI, text if before is None else before, version=0)
        await s.drain()
        t_open = s.sent_at
        t1, first = await _published(s, since, 0, 120)
        open_ms = (t1 - t_open) * 1000
        timeout = max(30.0, 20 * open_ms / 1000)
        version = 0
        if before is not None:
            version = 1
            since = len(s.received)
            s.change(URI, version, [{"text": text}])
            await s.drain()
            await _published(s, since, version, timeout)
        rss: dict[str, float] = {"open": rss_mb(s.proc.pid)["rss"]}
        ed = Editor(text, at)
        lat: list[float] = []
        diag_counts: list[int] = []
        start = time.perf_counter()
        for k in range(warmup + changes):
            if k >= warmup + min_changes and time.perf_counter() - start > max_seconds:
                break
            if gap_ms:
                await asyncio.sleep(gap_ms / 1000)
            since = len(s.received)
            s.change(URI, version + k + 1, [ed.next(k, incremental)])
            t0 = s.sent_at
            await s.drain()
            t1, params = await _published(s, since, version + k + 1, timeout)
            if k >= warmup:
                lat.append((t1 - t0) * 1000)
                diag_counts.append(len(params.get("diagnostics", [])))
            if (k + 1 - warmup) in rss_at:
                rss[f"after_{k + 1 - warmup}"] = rss_mb(s.proc.pid)["rss"]
        mem = rss_mb(s.proc.pid)
        return {
            "sync": "incremental" if incremental else "full",
            "advertised": {1: "full", 2: "incremental"}.get(kind, str(kind)),
            "open_ms": open_ms,
            "median_ms": statistics.median(lat),
            "p95_ms": percentile(lat, 95),
            "changes": len(lat),
            "diagnostics_open": len(first.get("diagnostics", [])),
            "diagnostics_last": diag_counts[-1] if diag_counts else None,
            "rss_mb": rss,
            "peak_rss_mb": mem["hwm"],
        }
    finally:
        await _end(s)


async def _end(s: RawServer) -> None:
    with contextlib.suppress(Exception):  # a server that does not end politely is killed by stop()
        await asyncio.wait_for(s.shutdown_and_exit(10), 15)
    await s.stop()


async def measure_startup(cmd: list[str], repeats: int = 5) -> dict[str, Any]:
    """Wall time from spawning the server to receiving the initialize response (median over repeats)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        s = await server(cmd).start()
        try:
            answer = await s.initialize(options=dict(OPTIONS))
            i = next(i for i, m in enumerate(s.received) if m is answer)
            times.append((s.arrived[i] - t0) * 1000)
        finally:
            await _end(s)
    return {"median_ms": statistics.median(times), "runs_ms": times}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--doc", required=True, help="JSON document to open and edit")
    ap.add_argument("--sync", choices=("full", "incremental"), default="incremental")
    ap.add_argument("--changes", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--startup", type=int, default=0, help="also measure start-up over N runs")
    ap.add_argument("server", nargs=argparse.REMAINDER, help="server command, after -- (default: the floor server)")
    a = ap.parse_args()
    cmd = [c for c in a.server if c != "--"] or FLOOR + ["--sync", a.sync]
    text = Path(a.doc).read_text(encoding="utf-8")
    res = asyncio.run(measure_latency(cmd, text, a.changes, a.warmup, a.sync, rss_at=(10, 100)))
    if a.startup:
        res["startup"] = asyncio.run(measure_startup(cmd, a.startup))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    os.environ.pop("WF_LSP_REDIS_URL", None)
    main()
