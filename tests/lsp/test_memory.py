"""The server fixes glibc's mmap threshold so that editing a large document does not grow its memory."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.raw import RawServer
from wf_lsp.lsp import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's mmap threshold is a glibc feature")
def test_the_threshold_is_fixed_on_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert memory.pin_mmap_threshold()


def test_a_user_setting_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "4194304")
    assert not memory.pin_mmap_threshold()


def test_other_platforms_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert not memory.pin_mmap_threshold()


_PROBE = """
import atexit, gc, sys
from wf_lsp import cli
from wf_lsp.lsp import memory
def report():
    sys.stderr.write(f"PROBE {gc.isenabled()} {gc.get_freeze_count()} {memory._start_up_collected}\\n")
atexit.register(report)
raise SystemExit(cli.main(["serve", *sys.argv[1:]]))
"""


async def _probe(tmp_path: Path, initialized: bool) -> tuple[bool, int, bool]:
    script, err = tmp_path / "probe.py", tmp_path / "stderr.txt"
    script.write_text(_PROBE)
    server = await RawServer(stderr=err, command=[sys.executable, str(script)]).start()
    try:
        if initialized:
            await server.initialize()
        assert await server.shutdown_and_exit(20) == 0
    finally:
        await server.stop()
    line = next(x for x in err.read_text().splitlines() if x.startswith("PROBE "))
    enabled, frozen, collected = line.split()[1:]
    return enabled == "True", int(frozen), collected == "True"


@pytest.mark.asyncio
async def test_start_up_imports_are_frozen_and_their_garbage_collected_after_initialize(tmp_path: Path) -> None:
    """Before: the server's imports (lsprotocol's classes first) ran with the cyclic collector on, which walked them
    again and again before the initialize response (about 50 ms). Now they run with it off and are frozen; their
    garbage is collected once `initialized` has come, and the collector is on throughout the session."""
    enabled, frozen, collected = await _probe(tmp_path, initialized=True)
    assert enabled and collected
    assert frozen > 10_000  # the long-lived start-up objects stay out of later collections


def test_the_start_up_collection_runs_once_and_only_after_a_frozen_start_up() -> None:
    code = (
        "import gc\n"
        "from wf_lsp.lsp import memory\n"
        "assert not memory.collect_start_up_garbage()\n"  # nothing frozen: nothing to do
        "gc.disable()\n"
        "junk = [[] for _ in range(1000)]\n"
        "for j in junk: j.append(j)\n"  # cyclic garbage, as the imports leave
        "del junk, j\n"
        "gc.freeze(); gc.enable()\n"
        "before = gc.get_freeze_count()\n"
        "assert memory.collect_start_up_garbage()\n"
        "assert gc.get_freeze_count() <= before - 1000, (before, gc.get_freeze_count())\n"
        "assert gc.isenabled() and not memory.collect_start_up_garbage()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
