"""Minimal asyncio JSON-RPC-over-stdio LSP client that times didChange → publishDiagnostics, start-up and server RSS."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import orjson

URI = "file:///bench/workflow.json"
INIT_OPTIONS = {"debounceMs": 0}
_TIMEOUT_S = 120.0


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


def _tree_pids(pid: int) -> list[int]:
    """pid and its descendants (a server may be a launcher script around the real process)."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                kids = Path(f"/proc/{p}/task/{tid}/children").read_text().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            pass
    return pids


def rss_mb(pid: int) -> dict[str, float]:
    """Resident and peak-resident memory (MB) of the server process tree (largest process)."""
    best = {"rss": 0.0, "hwm": 0.0}
    for p in _tree_pids(pid):
        st = _proc_status(p)
        if st.get("VmRSS", 0) / 1024 > best["rss"]:
            best = {"rss": st.get("VmRSS", 0) / 1024, "hwm": st.get("VmHWM", 0) / 1024}
    return best


class Session:
    """One server process and the JSON-RPC plumbing around it."""

    def __init__(self, cmd: list[str], env: dict[str, str] | None = None, stderr_path: str | None = None):
        self.cmd = cmd
        self.env = env
        self.stderr_path = stderr_path
        self.proc: asyncio.subprocess.Process | None = None
        self._next_id = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._diag_waiter: tuple[int | None, asyncio.Future[tuple[float, dict[str, Any]]]] | None = None
        self.last_publish: dict[str, Any] | None = None
        self.publishes = 0
        self.sync_kind = 1
        self.server_info: dict[str, Any] = {}
        self._reader: asyncio.Task[None] | None = None
        self._stderr_file: Any = None
        self._replies: set[asyncio.Future[float]] = set()

    async def start(self) -> None:
        self._stderr_file = open(self.stderr_path, "ab") if self.stderr_path else asyncio.subprocess.DEVNULL  # noqa: SIM115 (closed in close())
        self.proc = await asyncio.create_subprocess_exec(
            *self.cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=self._stderr_file, env=self.env, limit=1 << 26
        )
        self._reader = asyncio.create_task(self._read_loop())

    async def _write(self, msg: dict[str, Any]) -> float:
        """Frame and send a message; return the perf_counter taken just before writing."""
        assert self.proc and self.proc.stdin
        body = orjson.dumps(msg)
        t = time.perf_counter()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await self.proc.stdin.drain()
        return t

    async def _read_loop(self) -> None:
        assert self.proc and self.proc.stdout
        out = self.proc.stdout
        try:
            while True:
                header = await out.readuntil(b"\r\n\r\n")
                length = 0
                for line in header.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await out.readexactly(length)
                t = time.perf_counter()
                self._dispatch(orjson.loads(body), t)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass
        finally:
            exc = RuntimeError(f"server closed its output (exit code {self.proc.returncode})")
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(exc)
            if self._diag_waiter and not self._diag_waiter[1].done():
                self._diag_waiter[1].set_exception(exc)

    def _dispatch(self, msg: dict[str, Any], t: float) -> None:
        if "id" in msg and "method" not in msg:  # response
            fut = self._pending.pop(msg["id"], None)
            if fut and not fut.done():
                fut.set_result((t, msg))
            return
        method = msg.get("method")
        if "id" in msg:  # server → client request: answer it
            result: Any = None
            if method == "workspace/configuration":
                result = [dict(INIT_OPTIONS) for _ in msg.get("params", {}).get("items", [])]
            task = asyncio.ensure_future(self._write({"jsonrpc": "2.0", "id": msg["id"], "result": result}))
            self._replies.add(task)
            task.add_done_callback(self._replies.discard)
            return
        if method == "textDocument/publishDiagnostics":
            params = msg.get("params", {})
            if params.get("uri") != URI:
                return
            self.publishes += 1
            self.last_publish = params
            if self._diag_waiter:
                want, fut = self._diag_waiter
                got = params.get("version")
                if not fut.done() and (got is None or want is None or got >= want):
                    fut.set_result((t, params))

    async def request(self, method: str, params: Any) -> tuple[float, float, dict[str, Any]]:
        """Send a request; return (t_sent, t_received, response)."""
        self._next_id += 1
        rid = self._next_id
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        t0 = await self._write({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        t1, resp = await asyncio.wait_for(fut, _TIMEOUT_S)
        return t0, t1, resp

    async def notify(self, method: str, params: Any) -> float:
        return await self._write({"jsonrpc": "2.0", "method": method, "params": params})

    async def initialize(self) -> dict[str, Any]:
        caps = {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {
                "synchronization": {"dynamicRegistration": False, "didSave": True},
                "publishDiagnostics": {"relatedInformation": True, "versionSupport": True, "codeDescriptionSupport": True, "dataSupport": True},
            },
            "workspace": {"configuration": True, "workspaceFolders": False},
            "window": {"workDoneProgress": False},
        }
        _, _, resp = await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": caps,
                "initializationOptions": dict(INIT_OPTIONS),
                "clientInfo": {"name": "wf-lsp-bench"},
            },
        )
        result = resp.get("result") or {}
        sync = (result.get("capabilities") or {}).get("textDocumentSync", 1)
        self.sync_kind = sync.get("change", 1) if isinstance(sync, dict) else int(sync)
        self.server_info = result.get("serverInfo") or {}
        await self.notify("initialized", {})
        return resp

    def expect_diagnostics(self, version: int | None) -> asyncio.Future[tuple[float, dict[str, Any]]]:
        fut: asyncio.Future[tuple[float, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._diag_waiter = (version, fut)
        return fut

    async def open(self, text: str, version: int = 0) -> tuple[float, dict[str, Any]]:
        fut = self.expect_diagnostics(version)
        t0 = await self.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "json", "version": version, "text": text}})
        t1, params = await asyncio.wait_for(fut, _TIMEOUT_S)
        return t1 - t0, params

    async def change(self, version: int, change: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        fut = self.expect_diagnostics(version)
        t0 = await self.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]})
        t1, params = await asyncio.wait_for(fut, _TIMEOUT_S)
        return t1 - t0, params

    async def close(self) -> None:
        if not self.proc:
            return
        try:
            if self.proc.returncode is None:
                await asyncio.wait_for(self.request("shutdown", None), 10)
                await self.notify("exit", None)
                await asyncio.wait_for(self.proc.wait(), 10)
        except (TimeoutError, RuntimeError, ConnectionError, BrokenPipeError):
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
        if self._reader:
            self._reader.cancel()
        if self._stderr_file not in (None, asyncio.subprocess.DEVNULL):
            self._stderr_file.close()


class Editor:
    """Produces small, always-new edits at a fixed spot inside a string value near the middle of the text."""

    def __init__(self, text: str):
        self.text = text
        mid = len(text) // 2
        pos = text.find('": "', mid)
        if pos == -1:
            pos = text.find('": "')
        self.offset = pos + 4 if pos != -1 else len(text) // 2
        before = text[: self.offset]
        self.line = before.count("\n")
        self.col = self.offset - (before.rfind("\n") + 1)  # ASCII near the edit: UTF-16 == code points

    def next(self, k: int, incremental: bool) -> dict[str, Any]:
        ch = "abcdefghijklmnopqrstuvwxyz"[k % 26]
        self.text = self.text[: self.offset] + ch + self.text[self.offset :]
        if incremental:
            pos = {"line": self.line, "character": self.col}
            return {"range": {"start": pos, "end": pos}, "text": ch}
        return {"text": self.text}


async def measure_latency(
    cmd: list[str],
    text: str,
    changes: int = 60,
    warmup: int = 3,
    sync: str = "auto",
    gap_ms: float = 5.0,
    rss_at: tuple[int, ...] = (),
    stderr_path: str | None = None,
) -> dict[str, Any]:
    """Open text, send warmup+changes didChange one at a time; latency to the matching publishDiagnostics."""
    s = Session(cmd, stderr_path=stderr_path)
    await s.start()
    assert s.proc
    try:
        await s.initialize()
        incremental = (s.sync_kind == 2) if sync == "auto" else (sync == "incremental")
        if incremental and s.sync_kind != 2:
            raise RuntimeError("server does not advertise incremental sync")
        open_s, first = await s.open(text)
        rss: dict[str, float] = {"open": rss_mb(s.proc.pid)["rss"]}
        ed = Editor(text)
        lat: list[float] = []
        diag_counts: list[int] = []
        for k in range(warmup + changes):
            if gap_ms:
                await asyncio.sleep(gap_ms / 1000)
            dt, params = await s.change(k + 1, ed.next(k, incremental))
            if k >= warmup:
                lat.append(dt * 1000)
                diag_counts.append(len(params.get("diagnostics", [])))
            if (k + 1 - warmup) in rss_at:
                rss[f"after_{k + 1 - warmup}"] = rss_mb(s.proc.pid)["rss"]
        mem = rss_mb(s.proc.pid)
        return {
            "sync": "incremental" if incremental else "full",
            "open_ms": open_s * 1000,
            "median_ms": statistics.median(lat),
            "p95_ms": percentile(lat, 95),
            "mean_ms": statistics.fmean(lat),
            "changes": len(lat),
            "diagnostics_open": len(first.get("diagnostics", [])),
            "diagnostics_last": diag_counts[-1] if diag_counts else None,
            "rss_mb": rss,
            "peak_rss_mb": mem["hwm"],
            "server": s.server_info,
        }
    finally:
        await s.close()


async def measure_startup(cmd: list[str], repeats: int = 5) -> dict[str, Any]:
    """Wall time from spawning the server to receiving the initialize response (median over repeats)."""
    times = []
    for _ in range(repeats):
        s = Session(cmd)
        t0 = time.perf_counter()
        await s.start()
        try:
            _, t1, _ = await s.request(
                "initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}, "initializationOptions": dict(INIT_OPTIONS)}
            )
            times.append((t1 - t0) * 1000)
            await s.notify("initialized", {})
        finally:
            await s.close()
    return {"median_ms": statistics.median(times), "runs_ms": times}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--doc", required=True, help="JSON document to open and edit")
    ap.add_argument("--sync", choices=("auto", "full", "incremental"), default="auto")
    ap.add_argument("--changes", type=int, default=60)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--startup", type=int, default=0, help="also measure start-up over N runs")
    ap.add_argument("server", nargs=argparse.REMAINDER, help="server command, after --")
    a = ap.parse_args()
    cmd = [c for c in a.server if c != "--"] or [sys.executable, str(Path(__file__).with_name("floor_server.py"))]
    text = Path(a.doc).read_text(encoding="utf-8")
    res = asyncio.run(measure_latency(cmd, text, a.changes, a.warmup, a.sync, rss_at=(10, 100)))
    if a.startup:
        res["startup"] = asyncio.run(measure_startup(cmd, a.startup))
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
