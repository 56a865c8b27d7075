"""One slow document cannot freeze the others: hovers on a small document are answered promptly while a document whose
validation holds the GIL for seconds is validated again and again (the real server over stdio, a raw client)."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import signal
import statistics
import time
from pathlib import Path

import pytest

from bench.gen import make
from tests.lsp import raw
from tests.lsp.kit import BOOT, corpus_text
from tests.lsp.raw import Expected, RawServer, utf16_position
from wf_lsp.core.settings import Settings

pytestmark = pytest.mark.asyncio
SMALL = corpus_text(BOOT).replace('"name": "Migrate Version"', '"name": "Load Config"')
POSITION = utf16_position(SMALL, SMALL.index('"config.load"') + 3)


#: The slow document's settings: profile strict checks parameters for hardcoded secrets.
SLOW = {"debounceMs": 0, "profile": "strict"}


def slow_text() -> str:
    """A 5,000-node workflow (6 MB) whose first node has a `password` parameter of 30,000 `{{` and a variable whose
    validation pattern is 20,000 `{`: each is scanned by one `re` call that holds the GIL for seconds where the scan
    is quadratic (the pattern's was until it was made linear), and the big file keeps validation busy where not."""
    wf = json.loads(make(5000, "valid"))
    wf["nodes"][0].setdefault("parameters", {})["password"] = "{{" * 30_000
    wf["variables"] = {"pattern": {"name": "pattern", "type": "string", "validation": {"pattern": "{" * 20_000}}}
    return json.dumps(wf, indent=2)


def children(pid: int) -> list[int]:
    """The processes a process has started (from /proc)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


async def _hover_ms(server: RawServer, uri: str) -> float:
    started = time.perf_counter()
    answer = await server.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": POSITION}, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    assert "config.load" in answer["result"]["contents"]["value"], answer
    return elapsed


async def test_hovers_on_one_document_are_answered_while_another_validates(tmp_path: Path) -> None:
    """Before: validation ran in threads, and the pattern scan holds the GIL, so a hover waited for it (3 to 5 s
    behind each validation of the slow document). Now validation runs in worker processes (started on the first
    document, not at start-up)."""
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    assert server.proc is not None
    try:
        await server.initialize([tmp_path], options=SLOW)
        assert children(server.proc.pid) == [], "no worker process before there is anything to validate"
        small, slow = (tmp_path / "small.json").as_uri(), (tmp_path / "slow.json").as_uri()
        server.open(small, SMALL)
        await server.until(lambda: server.publishes(small), timeout=30, what="the small document's diagnostics")
        baseline = [await _hover_ms(server, small) for _ in range(10)]

        text = slow_text()
        at = text.index('"name": "') + len('"name": "')  # a character in the first node's name, edited again and again
        server.open(slow, text)
        await _hover_ms(server, small)  # not counted: it waits for the 6 MB didOpen itself to be read
        latencies: list[float] = []
        version, deadline, next_edit = 1, time.monotonic() + 6, 0.0
        while time.monotonic() < deadline:
            if time.monotonic() >= next_edit:  # keep the slow document under validation: an edit every 300 ms
                version += 1
                start = utf16_position(text, at)
                end = {"line": start["line"], "character": start["character"] + 1}
                letter = chr(ord("A") + version % 26)  # each version new (no cache hit)
                text = text[:at] + letter + text[at + 1 :]
                server.change(slow, version, [{"range": {"start": start, "end": end}, "text": letter}])
                next_edit = time.monotonic() + 0.3
            latencies.append(await _hover_ms(server, small))
        await server.until(
            lambda: any(p.get("version") == version for p in server.publishes(slow)),
            timeout=120,
            what="the slow document's last diagnostics",
        )

        latencies.sort()
        median, p90 = statistics.median(latencies), latencies[int(len(latencies) * 0.9)]
        print(
            f"hover on the small document: baseline median {statistics.median(baseline):.1f} ms; "
            "while the slow one validates: "
            f"{len(latencies)} hovers, median {median:.1f} ms, p90 {p90:.1f} ms, max {latencies[-1]:.1f} ms"
        )
        assert len(latencies) >= 20 and median < 100 and p90 < 300 and latencies[-1] < 1000, (
            median,
            p90,
            latencies[-5:],
        )
        assert children(server.proc.pid), "validation runs in worker processes"

        # Results are what the engine gives: the slow document's last version, and the small one's.
        expected, strict = Expected(), Settings(profile="strict")
        last = [p for p in server.publishes(slow) if p.get("version") == version][-1]
        assert last["diagnostics"] == expected.diagnostics(slow, text, version, strict)
        assert server.publishes(small)[-1]["diagnostics"] == expected.diagnostics(small, SMALL, 1, strict)
        assert await server.shutdown_and_exit(30) == 0
    finally:
        await server.stop()


def descendants(pid: int) -> list[int]:
    """Every process below a process (children, their children, ...)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        kids = children(todo.pop())
        out += kids
        todo += kids
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def test_a_killed_worker_is_replaced_and_none_outlives_the_server(tmp_path: Path) -> None:
    """A validation worker killed mid-run (the OOM killer, say) is replaced and the validation run again; on SIGTERM
    the server ends its workers too."""
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    assert server.proc is not None
    try:
        await server.initialize([tmp_path], options=SLOW)
        small, slow = (tmp_path / "small.json").as_uri(), (tmp_path / "slow.json").as_uri()
        server.open(small, SMALL)
        await server.until(lambda: server.publishes(small), timeout=30, what="the small document's diagnostics")
        since = len(server.received)
        text = slow_text()
        server.open(slow, text)
        await server.drain()
        await asyncio.sleep(0.5)
        workers = [p for p in descendants(server.proc.pid) if p not in children(server.proc.pid)]
        assert workers, "validation workers run below the server"
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        server.change(small, 2, [{"text": SMALL.replace("Load Config", "Load Settings", 1)}])
        await server.until(
            lambda: any(p.get("version") == 2 for p in server.publishes(small)),
            timeout=60,
            what="diagnostics after the kill",
        )
        await server.until(lambda: server.publishes(slow, since), timeout=120, what="the slow document's diagnostics")
        assert server.publishes(slow, since)[-1]["diagnostics"] == Expected().diagnostics(
            slow, text, 1, Settings(profile="strict")
        )
        assert any("validation worker process died" in m for m in server.logs(since)), server.logs(since)

        below = descendants(server.proc.pid)
        assert below
        server.proc.send_signal(signal.SIGTERM)
        assert await server.wait_exit(10) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in below) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert not [p for p in below if _alive(p)], "worker processes outlived the server"
    finally:
        await server.stop()


async def test_without_worker_processes_validation_runs_in_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where worker processes cannot start (here /dev/shm is read-only, in a private mount namespace: no semaphores),
    the server says so once and validates in its own process: the same diagnostics, never none."""
    assert shutil.which("unshare"), "this test needs util-linux's unshare (and root) to hide /dev/shm"
    command = f"mount -t tmpfs -o ro tmpfs /dev/shm && exec {shlex.join(raw.SERVER)}"
    monkeypatch.setattr(raw, "SERVER", ["unshare", "-m", "sh", "-c", command])
    server = await RawServer(stderr=tmp_path / "stderr.txt").start()
    try:
        await server.initialize([tmp_path], options=SLOW)
        small = (tmp_path / "small.json").as_uri()
        server.open(small, SMALL)
        await server.until(lambda: server.publishes(small), timeout=30, what="the small document's diagnostics")
        assert server.publishes(small)[-1]["diagnostics"] == Expected().diagnostics(
            small, SMALL, 1, Settings(profile="strict")
        )
        assert [m for m in server.logs() if "validating in the server process instead" in m], server.logs()
        assert await server.shutdown_and_exit() == 0
    finally:
        await server.stop()
